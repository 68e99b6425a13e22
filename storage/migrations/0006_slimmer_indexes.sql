-- Fewer index entries per message. Nearly every outbox row ends up sent,
-- and every change of status writes a new entry into each index whose
-- condition the row meets: the index on (status, id) gave every row
-- version one. Claims look up pending rows and officers list failed and
-- skipped ones by status; sent and sending rows are the newest, found
-- walking the primary key backwards. Likewise most messages (the bot's
-- answers) belong to no ticket.
DROP INDEX outbox_status;

CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';

CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed';

CREATE INDEX outbox_skipped ON outbox (id) WHERE status = 'skipped';

DROP INDEX messages_ticket;

CREATE INDEX messages_ticket ON messages (ticket_id, id) WHERE ticket_id IS NOT NULL;
