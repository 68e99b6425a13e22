-- Fewer index entries per message. Nearly every outbox row ends up sent,
-- and every change of status writes a new entry into each index whose
-- condition the row meets: the index on (status, id) gave every row
-- version one, though only pending rows (claims) and given-up ones
-- (officers' lists) are looked up by status. Likewise most messages
-- (the bot's answers) belong to no ticket.
DROP INDEX outbox_status;

CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';

CREATE INDEX outbox_given_up ON outbox (id) WHERE status IN ('failed', 'skipped');

DROP INDEX messages_ticket;

CREATE INDEX messages_ticket ON messages (ticket_id, id) WHERE ticket_id IS NOT NULL;
