-- The Telegram message id of a citizen's message is now written by the
-- INSERT that logs it (package inbox), not noted after the update's flows
-- ran, so no message waits for its origin any more and the index of those
-- that did (migration 0048) serves nothing.
DROP INDEX messages_without_origin;
