-- Whether the outbox keys of an invitation's messages name the person
-- only, "survey:<round>:<nip>:<kind>" (owned by package training). They
-- did until now, so that a person invited again to the same round (their
-- attendance corrected back after a withdrawal) got the keys of their
-- first invitation, and the new invitation was never sent. Invitations
-- made from now on name their number in their keys; those made before
-- keep the keys their messages were enqueued under, so that nothing
-- already queued or sent is enqueued again.
ALTER TABLE survey_invitations ADD COLUMN person_keys {{bool}} NOT NULL DEFAULT FALSE;

UPDATE survey_invitations SET person_keys = TRUE;
