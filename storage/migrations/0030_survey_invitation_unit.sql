-- The unit (OPD) each person belonged to when a survey round invited them
-- (owned by package training), so that a round's comparison by unit
-- counts them there, invited and answering, though they move to another
-- unit before the report. Invitations of earlier rounds take the unit
-- their named response recorded when it was started, and otherwise the
-- person's unit now.
ALTER TABLE survey_invitations ADD COLUMN unit_code TEXT NOT NULL DEFAULT '';

UPDATE survey_invitations SET unit_code = COALESCE(
    (SELECT r.unit_code FROM survey_responses r
        WHERE r.round_id = survey_invitations.round_id AND r.respondent = survey_invitations.nip AND r.unit_code <> ''),
    (SELECT a.unit_code FROM asn a WHERE a.nip = survey_invitations.nip),
    '');
