-- What must still be true for a message to be worth sending (owned by
-- package outbox, worded by the package that enqueues the message; empty
-- for none): the dispatcher asks before each attempt and skips a message
-- whose condition no longer holds, such as the reminder of a session
-- cancelled while the reminder waited for a retry.
ALTER TABLE outbox ADD COLUMN send_condition TEXT NOT NULL DEFAULT '';
