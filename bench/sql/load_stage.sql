-- Staging tables for one load: the importer's CSV files are COPYed here as text,
-- exactly as written, and the load_* statements turn them into the schema's rows
-- with the importer's rules (graphsvc/ops/importer.py). `line` keeps file order, so
-- "the first row wins" means what it means there. Dropped with the session.
CREATE TEMP TABLE stage_people (line bigint GENERATED ALWAYS AS IDENTITY, "id" text, "email" text, "key" text,
  "createdAt" text, "protected" text);
CREATE TEMP TABLE stage_pages (line bigint GENERATED ALWAYS AS IDENTITY, "id" text, "name" text, "createdAt" text);
CREATE TEMP TABLE stage_follows (line bigint GENERATED ALWAYS AS IDENTITY, "followerId" text, "followingId" text,
  "followingType" text, "since" text, "status" text);
CREATE TEMP TABLE stage_connections (line bigint GENERATED ALWAYS AS IDENTITY, "id" text, "requesterId" text,
  "targetId" text, "status" text, "message" text, "context" text, "requestedAt" text, "respondedAt" text);
CREATE TEMP TABLE stage_blocks (line bigint GENERATED ALWAYS AS IDENTITY, "blockerId" text, "blockedId" text,
  "since" text);
CREATE TEMP TABLE stage_posts (line bigint GENERATED ALWAYS AS IDENTITY, "id" text, "authorId" text,
  "visibility" text, "pageId" text, "createdAt" text);
