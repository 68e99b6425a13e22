-- The officers' web admin (owned by package admin): its accounts, their
-- server-side sessions, failed logins for throttling, and the audit log of
-- every change made through it.
CREATE TABLE admin_users (
    id {{id}},
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'viewer')),
    -- slack_user_id maps the account to a Slack officer, so that the desk
    -- shows one name for both.
    slack_user_id TEXT NOT NULL DEFAULT '',
    active {{bool}} NOT NULL DEFAULT TRUE,
    created_at {{time}} NOT NULL,
    updated_at {{time}} NOT NULL
);

-- A session is found by the SHA-256 of its cookie's token, so that the
-- table alone does not let anyone log in. csrf_token is the token every
-- form of the session carries.
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id {{bigint}} NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at {{time}} NOT NULL,
    last_seen_at {{time}} NOT NULL
);

CREATE INDEX admin_sessions_user ON admin_sessions (user_id);

CREATE TABLE admin_login_failures (
    id {{id}},
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at {{time}} NOT NULL
);

CREATE INDEX admin_login_failures_username ON admin_login_failures (username, created_at);
CREATE INDEX admin_login_failures_address ON admin_login_failures (address, created_at);

-- before_json and after_json hold the changed object as it was and as it
-- became ('' when it did not exist).
CREATE TABLE admin_audit (
    id {{id}},
    at {{time}} NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT ''
);

CREATE INDEX admin_audit_at ON admin_audit (at);
