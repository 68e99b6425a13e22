-- Updates received from the chat platforms (owned by package handlers).
-- A row is written, with the translated update as payload, before the
-- update is acknowledged to the platform; the primary key makes a
-- redelivered update a no-op, also across replicas. status: pending (being
-- or to be processed; lease_until guards against two processors), done,
-- failed (given up after repeated errors). The payload holds personal data
-- and is blanked once the update is done.
CREATE TABLE processed_updates (
    platform TEXT NOT NULL,
    update_id TEXT NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    chat_id TEXT NOT NULL DEFAULT '',
    received_at {{time}} NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until {{time}},
    payload TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (platform, update_id)
);

CREATE INDEX processed_updates_received ON processed_updates (received_at);

-- Per-user rate limiting counts a person's recent updates.
CREATE INDEX processed_updates_user ON processed_updates (platform, user_id, received_at);

-- Recovery looks for unfinished updates.
CREATE INDEX processed_updates_pending ON processed_updates (lease_until) WHERE status = 'pending';

-- Conversation state per chat and user: what the bot is waiting for
-- (owned by package handlers).
CREATE TABLE chat_sessions (
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '{}',
    updated_at {{time}} NOT NULL,
    PRIMARY KEY (platform, chat_id, user_id)
);

-- People who were told to slow down: one row while they exceed the rate
-- limit, so that they get one notice, not one per message (owned by
-- package handlers).
CREATE TABLE rate_notices (
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    noticed_at {{time}} NOT NULL,
    PRIMARY KEY (platform, user_id)
);
