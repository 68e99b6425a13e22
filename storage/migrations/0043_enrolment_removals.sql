-- Enrolments taken off their session (owned by package training): the
-- Hadir/Berhalangan buttons of a reminder name the enrolment, and a
-- person taken off by mistake and enrolled again has a new one. This row
-- says which session and person the old one was for, so that the old
-- buttons answer for the person's current enrolment in that session.
-- Kept as long as the session and the person are.
CREATE TABLE enrolment_removals (
    enrolment_id {{bigint}} PRIMARY KEY,
    session_id {{bigint}} NOT NULL REFERENCES training_sessions (id),
    nip TEXT NOT NULL REFERENCES asn (nip),
    removed_at {{time}} NOT NULL
);

CREATE INDEX enrolment_removals_session ON enrolment_removals (session_id, nip);

CREATE INDEX enrolment_removals_nip ON enrolment_removals (nip);
