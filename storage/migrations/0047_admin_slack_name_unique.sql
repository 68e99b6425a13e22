-- One Slack name stands for one web account, case aside (owned by
-- package admin): admin.Store.UpdateUser checks it, but two changes at
-- once on PostgreSQL could both pass the check, and two accounts acting
-- on the desk as one officer hold and close each other's tickets. A
-- database where that already happened keeps the name on the oldest
-- account (the lowest id) that has it and clears it from the others,
-- which are then unmapped (their desk name is their username again)
-- until an admin maps them anew on the Pengguna page; the tickets
-- claimed under the name stay with it. Nothing else is changed.
UPDATE admin_users SET slack_user_id = ''
WHERE slack_user_id <> '' AND EXISTS (SELECT 1 FROM admin_users older
    WHERE LOWER(older.slack_user_id) = LOWER(admin_users.slack_user_id) AND older.id < admin_users.id);
CREATE UNIQUE INDEX admin_users_slack_name ON admin_users (LOWER(slack_user_id)) WHERE slack_user_id <> '';
