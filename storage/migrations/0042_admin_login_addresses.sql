-- The addresses an account logged in from successfully (owned by package
-- admin): a login from one of them within the throttle's KnownFor is held
-- back only by the failures from that same address, so that someone
-- guessing the account's password from elsewhere cannot lock its owner
-- out. Kept until KnownFor after the last login from the address.
CREATE TABLE admin_login_addresses (
    user_id {{bigint}} NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    last_login_at {{time}} NOT NULL,
    PRIMARY KEY (user_id, address)
);

CREATE INDEX admin_login_addresses_last_login ON admin_login_addresses (last_login_at);
