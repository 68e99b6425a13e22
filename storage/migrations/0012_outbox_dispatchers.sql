-- Running outbox dispatchers (owned by package outbox). Each renews its
-- row every second or so; a claim on an outbox row carries its
-- dispatcher's id (the first 16 characters of claim_token), so a claim
-- whose dispatcher's row has run out belongs to a process that died and is
-- released within seconds instead of at the end of its lease.
CREATE TABLE outbox_dispatchers (
    id TEXT PRIMARY KEY,
    alive_until {{time}} NOT NULL
);
