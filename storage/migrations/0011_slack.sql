-- Slack requests (owned by package bots/slack): every event, interaction
-- and slash command is written here before Slack is told it arrived, and
-- processed afterwards. The primary key (the event id, the view id of a
-- modal submission, the trigger id of a press or a command) makes a retry
-- by Slack a no-op, also across replicas. status: pending (to be processed;
-- lease_until guards against two processors), done, failed. The payload
-- holds personal data and is blanked once processed.
CREATE TABLE slack_requests (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'interaction', 'command')),
    payload TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at {{time}} NOT NULL,
    lease_until {{time}}
);

CREATE INDEX slack_requests_pending ON slack_requests (lease_until) WHERE status = 'pending';

CREATE INDEX slack_requests_received ON slack_requests (received_at);

-- The hand-over desk's message per ticket (owned by package bots/slack):
-- the outbox key of the post (its Slack ts is in the outbox row once sent)
-- and a digest of what the message shows, so that a ticket's change is
-- rendered once. final is set once a closed ticket was rendered.
CREATE TABLE slack_desk (
    ticket_id {{bigint}} PRIMARY KEY,
    channel TEXT NOT NULL,
    post_key TEXT NOT NULL,
    shown TEXT NOT NULL DEFAULT '',
    final {{bool}} NOT NULL DEFAULT FALSE,
    updated_at {{time}} NOT NULL
);

CREATE INDEX slack_desk_active ON slack_desk (ticket_id) WHERE NOT final;
