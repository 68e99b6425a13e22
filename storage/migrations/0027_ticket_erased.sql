-- Whether the ticket's citizen erased their data with /hapusdata (owned
-- by package inbox): set on every ticket of theirs, open or closed, so
-- that what shows a ticket elsewhere (the Slack desk) knows to take its
-- copies back. Retention's purge does not set it. Tickets erased before
-- this column existed are those of a conversation whose open ticket the
-- erasure closed.
ALTER TABLE tickets ADD COLUMN erased {{bool}} NOT NULL DEFAULT FALSE;

UPDATE tickets SET erased = TRUE
    WHERE conversation_id IN (SELECT conversation_id FROM tickets WHERE closed_by = '/hapusdata');
