-- The durable outbox (owned by package outbox): every reply and scheduled
-- message is written here before it is sent, and a dispatcher delivers it.
-- status: pending (waiting, possibly for a retry), sending (claimed by a
-- dispatcher until lease_until), sent, failed (given up), skipped (expired).
CREATE TABLE outbox (
    id {{id}},
    idempotency_key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    payload {{json}} NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before {{time}} NOT NULL,
    next_attempt_at {{time}} NOT NULL,
    expires_at {{time}},
    lease_until {{time}},
    claim_token TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    created_at {{time}} NOT NULL,
    sent_at {{time}}
);

-- Claiming: due pending rows, and rows whose dispatcher's lease ran out.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

CREATE INDEX outbox_leased ON outbox (lease_until) WHERE status = 'sending';

-- Per-chat ordering: the undelivered rows of one chat, in order.
CREATE INDEX outbox_chat_queue ON outbox (platform, chat_id, id) WHERE status IN ('pending', 'sending');

-- Officers' lists and statistics by status; retention by age.
CREATE INDEX outbox_status ON outbox (status, id);

CREATE INDEX outbox_created ON outbox (created_at);
