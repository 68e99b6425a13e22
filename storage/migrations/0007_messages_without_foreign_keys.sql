-- The message log is the busiest table: every question writes two rows.
-- On PostgreSQL each foreign-key check locks the referenced conversation
-- (or ticket) row, a write of its own per message. Conversations and
-- tickets are never deleted (erasure blanks their content and keeps the
-- rows), and messages are only written with the id of a conversation
-- read or created in the same transaction, so the checks guard nothing
-- the code does not already; PostgreSQL drops them. SQLite's checks lock
-- nothing and stay.
{{postgres}}ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_conversation_id_fkey;

{{postgres}}ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_ticket_id_fkey;
