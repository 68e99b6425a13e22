-- Settings an admin saved in the web admin (owned by package settings):
-- one row per setting, its value as the admin wrote it, and who saved it
-- when. A setting without a row takes its environment variable, or else
-- its built-in default.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at {{time}} NOT NULL
);
