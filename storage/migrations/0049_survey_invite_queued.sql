-- When a survey invitation's first message was queued in the outbox (owned by package
-- training): its nudges count from then, not from invited_at, so that a
-- hub down for days after a round opened sends the invitation first and
-- its first nudge the nudge spacing later, instead of both at once.
-- Invitations from before this column count from invited_at, as they did.
ALTER TABLE survey_invitations ADD COLUMN invite_queued_at {{time}};
UPDATE survey_invitations SET invite_queued_at = invited_at;
