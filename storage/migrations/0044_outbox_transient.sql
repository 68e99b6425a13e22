-- Whether the message is deleted as soon as its outcome is final (sent,
-- failed or skipped) instead of kept for retention (owned by package
-- outbox): the confirmation of a person's erasure, sent to the chat whose
-- rows the erasure deleted.
ALTER TABLE outbox ADD COLUMN transient {{bool}} NOT NULL DEFAULT FALSE;
