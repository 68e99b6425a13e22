-- Edits of citizens' messages (owned by package inbox). A citizen's
-- message keeps the platform's id of the message it came in
-- (platform_message_id: Telegram's message_id, unique within the chat), so
-- that an edit of it can be told to belong to a ticket still open; an
-- edit is logged as a new message whose edit_of is the id of the message
-- it corrects. The id is written in the update's transaction right after
-- the flows logged the message: NULL until then, '' when the update had
-- none (and on every message logged before this migration, which no
-- edit can find). No foreign key: retention deletes the older message
-- first, and an edit stays an edit.
ALTER TABLE messages ADD COLUMN platform_message_id TEXT;

ALTER TABLE messages ADD COLUMN edit_of BIGINT;

UPDATE messages SET platform_message_id = '' WHERE author_kind = 'citizen';

-- The citizen's messages waiting for their origin: those of the update
-- being handled, so that noting it reads only them.
CREATE INDEX messages_without_origin ON messages (conversation_id) WHERE platform_message_id IS NULL AND author_kind = 'citizen';
