-- Who took a ticket on (owned by package inbox). One row per ticket: the
-- primary key makes the first claim win when two officers claim at once,
-- from Slack, the CLI or the web admin alike.
CREATE TABLE ticket_claims (
    ticket_id {{bigint}} PRIMARY KEY REFERENCES tickets (id),
    officer TEXT NOT NULL,
    claimed_at {{time}} NOT NULL
);
