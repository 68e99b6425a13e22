-- Files the Slack adapter began to upload and has not seen shared (owned
-- by package bots/slack). files.getUploadURLExternal gives the file's id;
-- the row is written before the file's bytes are sent and deleted once
-- files.completeUploadExternal shared the file. A row left behind (the
-- process stopped, or the upload or its completion failed) names a file
-- in Slack that no message shows: the next attempt of the same send, and
-- the deletion of the thread it was for, delete it (files.delete) and
-- then the row. send_key is a SHA-256 digest of what the send uploads
-- where, never the platform's reference to the person's file.
CREATE TABLE slack_uploads (
    file_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL DEFAULT '',
    send_key TEXT NOT NULL,
    started_at {{time}} NOT NULL
);

CREATE INDEX slack_uploads_send ON slack_uploads (send_key);

CREATE INDEX slack_uploads_thread ON slack_uploads (channel, thread_ts);
