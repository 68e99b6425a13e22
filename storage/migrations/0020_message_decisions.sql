-- What the engine decided for a bot's message (owned by package inbox):
-- "answer SLUG", "clarify SLUG,SLUG", "decline" or "handoff", so that
-- hub inbox show can name the entries instead of repeating whole
-- answers. Empty for citizens', officers' and older messages.
ALTER TABLE messages ADD COLUMN decision TEXT NOT NULL DEFAULT '';
