-- Updates already handled, so that a redelivered update is handled once
-- (owned by package handlers).
CREATE TABLE processed_updates (
    platform TEXT NOT NULL,
    update_id TEXT NOT NULL,
    received_at {{time}} NOT NULL,
    PRIMARY KEY (platform, update_id)
);

CREATE INDEX processed_updates_received ON processed_updates (received_at);

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
