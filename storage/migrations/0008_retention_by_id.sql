-- Retention finds the first row of the period it keeps by walking the
-- primary key (ids grow with created_at) instead of an index on
-- created_at: two index entries fewer for every message logged and three
-- for every outbox row (insert and status change).
DROP INDEX outbox_created;

DROP INDEX messages_created;
