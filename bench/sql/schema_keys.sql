-- The edge tables' keys, indexes and foreign keys, added once the load has filled the
-- tables (one sort per index and one join per foreign key, instead of a trigger and
-- an index insert per row). Part of the schema: schema.sql says what each is for.
ALTER TABLE friend ADD PRIMARY KEY (a, b);
-- status in the key's index: "does v actively follow a" is an index-only probe.
ALTER TABLE follow ADD PRIMARY KEY (follower, followee) INCLUDE (status);
ALTER TABLE page_follow ADD PRIMARY KEY (follower, page);
ALTER TABLE block ADD PRIMARY KEY (a, b);
ALTER TABLE mute ADD PRIMARY KEY (muter, muted);
-- One live (pending or accepted) connection per unordered pair, whoever asked.
CREATE UNIQUE INDEX connection_live ON connection (least(requester, recipient), greatest(requester, recipient))
  WHERE status IN ('pending', 'accepted');
CREATE INDEX connection_received_pending ON connection (recipient) WHERE status = 'pending';
CREATE INDEX connection_sent_pending ON connection (requester) WHERE status = 'pending';
-- A person's followers, newest first, ties by follower: the followers page is a range scan.
CREATE INDEX follow_followers ON follow (followee, since DESC, follower) WHERE status = 'active';
CREATE INDEX page_follow_followers ON page_follow (page, since DESC, follower);
ALTER TABLE connection ADD FOREIGN KEY (requester) REFERENCES person, ADD FOREIGN KEY (recipient) REFERENCES person;
ALTER TABLE friend ADD FOREIGN KEY (a) REFERENCES person, ADD FOREIGN KEY (b) REFERENCES person;
ALTER TABLE follow ADD FOREIGN KEY (follower) REFERENCES person, ADD FOREIGN KEY (followee) REFERENCES person;
ALTER TABLE page_follow ADD FOREIGN KEY (follower) REFERENCES person, ADD FOREIGN KEY (page) REFERENCES page;
ALTER TABLE block ADD FOREIGN KEY (a) REFERENCES person, ADD FOREIGN KEY (b) REFERENCES person;
ALTER TABLE mute ADD FOREIGN KEY (muter) REFERENCES person, ADD FOREIGN KEY (muted) REFERENCES person;
ALTER TABLE post ADD FOREIGN KEY (author) REFERENCES person, ADD FOREIGN KEY (page) REFERENCES page;
