-- Whether an update was addressed to the bot (owned by package handlers):
-- a private message, a button press, or in a group a mention, a reply to
-- the bot or a command for it. The per-person rate limit counts only
-- these, so that group chatter never uses up a citizen's quota.
ALTER TABLE processed_updates ADD COLUMN addressed {{bool}} NOT NULL DEFAULT TRUE;
