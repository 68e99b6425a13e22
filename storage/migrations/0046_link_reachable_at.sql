-- When a chat link last became reachable (owned by package training): set
-- when the ASN links it and when /lanjut resumes it. Only someone reachable
-- when their session changed got its change notice, so only for them is a
-- reminder whose moment passed before the change not planned again late.
ALTER TABLE account_links ADD COLUMN reachable_at {{time}};
UPDATE account_links SET reachable_at = linked_at;
