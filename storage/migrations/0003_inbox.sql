-- The help desk's inbox (owned by package inbox): one conversation per
-- citizen and chat, the message log, and the tickets handed over to officers.
CREATE TABLE conversations (
    id {{id}},
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    created_at {{time}} NOT NULL,
    last_message_at {{time}} NOT NULL,
    UNIQUE (platform, chat_id, user_id)
);

CREATE INDEX conversations_user ON conversations (platform, user_id);

-- A question handed over to officers. status: open (waiting for an officer),
-- answered (an officer replied), closed. rating is the citizen's 1–5 verdict
-- on a closed ticket.
CREATE TABLE tickets (
    id {{id}},
    conversation_id {{bigint}} NOT NULL REFERENCES conversations (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    subject TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    created_at {{time}} NOT NULL,
    due_at {{time}} NOT NULL,
    first_response_at {{time}},
    answered_by TEXT NOT NULL DEFAULT '',
    answered_at {{time}},
    closed_at {{time}},
    closed_by TEXT NOT NULL DEFAULT '',
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT NOT NULL DEFAULT '',
    rated_at {{time}}
);

-- At most one ticket per conversation is not closed: a second question
-- joins it, even when two processes race.
CREATE UNIQUE INDEX tickets_one_active ON tickets (conversation_id) WHERE status <> 'closed';

CREATE INDEX tickets_status ON tickets (status, due_at);

CREATE INDEX tickets_conversation ON tickets (conversation_id, id);

-- Every message of a conversation, in and out; ticket_id ties the ones
-- exchanged about a ticket to it.
CREATE TABLE messages (
    id {{id}},
    conversation_id {{bigint}} NOT NULL REFERENCES conversations (id),
    ticket_id {{bigint}} REFERENCES tickets (id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author_kind TEXT NOT NULL CHECK (author_kind IN ('citizen', 'bot', 'officer')),
    author_name TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    created_at {{time}} NOT NULL
);

CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE INDEX messages_ticket ON messages (ticket_id, id);

CREATE INDEX messages_created ON messages (created_at);
