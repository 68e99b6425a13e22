-- Both backends enforce the same integrity: the message log's foreign keys,
-- dropped on PostgreSQL by migration 0007 to spare a row lock per message,
-- come back. A message of a conversation or ticket that does not exist is
-- refused by the database on both, not by a check each statement repeats.
-- The lock they take is the one the update's transaction takes anyway on
-- the conversation it writes.
{{postgres}}ALTER TABLE messages ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id);

{{postgres}}ALTER TABLE messages ADD CONSTRAINT messages_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets (id);
