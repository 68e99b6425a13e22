-- Lesson hours (JP) of competency development recorded outside the hub
-- (owned by package training): e-learning certificates, courses of other
-- providers. held_on is the WIB date as YYYY-MM-DD, so that it compares
-- the same on both backends. JP from the hub's own sessions are not stored
-- here: they come from attended enrolments and the training's hours.
CREATE TABLE jp_records (
    id {{id}},
    nip TEXT NOT NULL REFERENCES asn (nip),
    held_on TEXT NOT NULL CHECK (length(held_on) = 10),
    jp INTEGER NOT NULL CHECK (jp > 0 AND jp <= 200),
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    imported_at {{time}} NOT NULL,
    UNIQUE (nip, held_on, title, provider)
);

CREATE INDEX jp_records_held_on ON jp_records (held_on);


-- JP counting sums the attended enrolments of a year's sessions: this
-- index holds everything it reads, so no enrolment row is visited.
CREATE INDEX enrolments_attended ON enrolments (session_id, nip) WHERE attended = TRUE;
