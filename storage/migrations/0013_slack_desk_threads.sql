-- How many of a ticket's follow-up messages from the citizen the desk
-- has posted to the thread of the ticket's message (owned by package
-- bots/slack).
ALTER TABLE slack_desk ADD COLUMN threaded INTEGER NOT NULL DEFAULT 0;
