-- Photos and documents citizens send (owned by package inbox): the
-- message keeps the platform's reference to the file (Telegram's file_id)
-- and its kind, never the file; the caption is the message's text. Being
-- columns of the message, they are erased and expire with it.
ALTER TABLE messages ADD COLUMN file_kind TEXT NOT NULL DEFAULT '';

ALTER TABLE messages ADD COLUMN file_id TEXT NOT NULL DEFAULT '';
