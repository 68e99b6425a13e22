-- The chat platform an ASN linked on both receives messages on (owned by
-- package training): chosen_at is when the link became the person's
-- channel, by linking it or by choosing it with /kanal. Reminders,
-- surveys and JP messages go to the unpaused link chosen last.
ALTER TABLE account_links ADD COLUMN chosen_at {{time}};

UPDATE account_links SET chosen_at = linked_at;
