-- The dashboard counts the week's bot messages by the engine's decision
-- (package inbox) from this index alone, without visiting a message.
CREATE INDEX messages_decided ON messages (created_at, decision) WHERE decision <> '';
