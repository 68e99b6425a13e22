-- When a session last changed in a way its enrolled ASN are told of
-- (owned by package training; see version, migration 0032). Its enrolled
-- ASN get a notice of the change, so a reminder whose moment passed
-- before it is not planned again as a late one beside that notice.
ALTER TABLE training_sessions ADD COLUMN changed_at {{time}};
