-- outbox_due served no query: claims walk outbox_pending in id order and
-- test next_attempt_at on the rows they meet, and counts and officers'
-- lists go through outbox_pending, outbox_failed and outbox_skipped. Every
-- pending row version (each retry, each claim handed back) still paid an
-- entry in it.
DROP INDEX outbox_due;
