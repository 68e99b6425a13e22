-- The Slack ts of each ticket's desk message (owned by package
-- bots/slack), which is also the ts of its thread: kept in the desk's own
-- row because retention purges the outbox record of the post, and with
-- it the ts, while an erasure may still have to edit the message and
-- take its thread back. Empty until the post is sent. Filled here from
-- the outbox records that still exist.
ALTER TABLE slack_desk ADD COLUMN ts TEXT NOT NULL DEFAULT '';

UPDATE slack_desk SET ts = COALESCE((SELECT message_id FROM outbox
        WHERE outbox.idempotency_key = slack_desk.post_key AND outbox.status = 'sent'), '');
