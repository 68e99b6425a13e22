-- How many times a session has changed in a way its enrolled ASN are told
-- of (owned by package training): a new time, place or link, a
-- cancellation, a reinstatement. Reminders name it in their key and their
-- send condition, so that a reminder still waiting in the outbox after a
-- change is not sent and the session is reminded again with what is
-- right now; change notices name it, so that one superseded by a later
-- change is not sent.
ALTER TABLE training_sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
