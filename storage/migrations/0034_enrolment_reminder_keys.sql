-- Whether the outbox keys of an enrolment's reminders name the person and
-- session only, "reminder:<nip>:<session>:<offset>:<start>[:<version>]"
-- (owned by package training). They did until now, so that an ASN taken
-- off a session and enrolled in it again got the keys of their first
-- enrolment's reminders, and the new enrolment's reminder of a moment
-- already reminded (or withdrawn with the first enrolment) was never sent.
-- Enrolments made from now on name their number in their reminders' keys;
-- those made before keep the keys their reminders were enqueued under, so
-- that nothing already queued or sent is enqueued again.
ALTER TABLE enrolments ADD COLUMN person_keys {{bool}} NOT NULL DEFAULT FALSE;

UPDATE enrolments SET person_keys = TRUE;
