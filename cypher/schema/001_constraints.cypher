// Tenancy is the `org` property on every node. Uniqueness is per org, enforced by
// composite uniqueness constraints (Community edition has no node keys or
// existence constraints, so presence of `org` is the code's job).

// A person is named by user id, by email, or both once claimed.
CREATE CONSTRAINT person_id IF NOT EXISTS
FOR (p:Person) REQUIRE (p.org, p.id) IS UNIQUE;

CREATE CONSTRAINT person_email IF NOT EXISTS
FOR (p:Person) REQUIRE (p.org, p.email) IS UNIQUE;

CREATE CONSTRAINT page_id IF NOT EXISTS
FOR (p:Page) REQUIRE (p.org, p.id) IS UNIQUE;

CREATE CONSTRAINT post_id IF NOT EXISTS
FOR (p:Post) REQUIRE (p.org, p.id) IS UNIQUE;

// Connection ids are random and global; the index behind this constraint is how
// a connection is found by id.
CREATE CONSTRAINT connection_id IF NOT EXISTS
FOR ()-[c:CONNECTED]-() REQUIRE c.id IS UNIQUE;

// `liveKey` is set while a connection is pending or accepted and removed when it is
// rejected or deleted: the database itself refuses a second live connection
// between the same two people.
CREATE CONSTRAINT connection_live IF NOT EXISTS
FOR ()-[c:CONNECTED]-() REQUIRE c.liveKey IS UNIQUE;

// The outbox: one event per change, ordered per org by `seq`.
CREATE CONSTRAINT event_id IF NOT EXISTS
FOR (e:Event) REQUIRE e.id IS UNIQUE;

CREATE CONSTRAINT event_seq IF NOT EXISTS
FOR (e:Event) REQUIRE (e.org, e.seq) IS UNIQUE;

// One counter node per org hands out event sequence numbers under its lock.
CREATE CONSTRAINT org_id IF NOT EXISTS
FOR (o:Org) REQUIRE o.id IS UNIQUE;

CREATE CONSTRAINT webhook_id IF NOT EXISTS
FOR (w:Webhook) REQUIRE (w.org, w.id) IS UNIQUE;
