-- ASN development (owned by package training): civil servants and their
-- chat links, the training catalogue with sessions and enrolments, and the
-- evaluation surveys. Times are UTC; the hub shows them in WIB.

-- The city's organisational units (OPD).
CREATE TABLE opd_units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- Civil servants, keyed by their 18-digit NIP.
CREATE TABLE asn (
    nip TEXT PRIMARY KEY CHECK (length(nip) = 18),
    name TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES opd_units (code),
    position TEXT NOT NULL DEFAULT '',
    supervisor_nip TEXT CHECK (supervisor_nip IS NULL OR length(supervisor_nip) = 18),
    active {{bool}} NOT NULL DEFAULT TRUE,
    updated_at {{time}} NOT NULL
);

CREATE INDEX asn_unit ON asn (unit_code);

-- One-time link codes; only a SHA-256 of the code is kept.
CREATE TABLE link_codes (
    code_hash TEXT PRIMARY KEY,
    nip TEXT NOT NULL REFERENCES asn (nip),
    created_at {{time}} NOT NULL,
    expires_at {{time}} NOT NULL,
    used_at {{time}}
);

CREATE INDEX link_codes_nip ON link_codes (nip);

-- A person's chat account, at most one per platform; a chat account belongs
-- to at most one person. paused: the person sent /berhenti.
CREATE TABLE account_links (
    nip TEXT NOT NULL REFERENCES asn (nip),
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    linked_at {{time}} NOT NULL,
    paused {{bool}} NOT NULL DEFAULT FALSE,
    PRIMARY KEY (nip, platform),
    UNIQUE (platform, user_id)
);

-- The training catalogue. hours are JP (jam pelajaran).
CREATE TABLE trainings (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    competency TEXT NOT NULL DEFAULT '',
    hours INTEGER NOT NULL DEFAULT 0 CHECK (hours >= 0),
    provider TEXT NOT NULL DEFAULT '',
    updated_at {{time}} NOT NULL
);

-- One run of a training at a time and a place (or online).
CREATE TABLE training_sessions (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    training_id {{bigint}} NOT NULL REFERENCES trainings (id),
    starts_at {{time}} NOT NULL,
    ends_at {{time}} NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    online_url TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    updated_at {{time}} NOT NULL,
    CHECK (ends_at > starts_at)
);

CREATE INDEX training_sessions_start ON training_sessions (status, starts_at);

CREATE INDEX training_sessions_end ON training_sessions (status, ends_at);

CREATE INDEX training_sessions_training ON training_sessions (training_id);

-- Who takes part in a session, their RSVP and whether they attended
-- (NULL: not recorded yet).
CREATE TABLE enrolments (
    id {{id}},
    session_id {{bigint}} NOT NULL REFERENCES training_sessions (id),
    nip TEXT NOT NULL REFERENCES asn (nip),
    rsvp TEXT NOT NULL DEFAULT 'none' CHECK (rsvp IN ('none', 'hadir', 'berhalangan')),
    rsvp_reason TEXT NOT NULL DEFAULT '',
    rsvp_at {{time}},
    attended {{bool}},
    created_at {{time}} NOT NULL,
    UNIQUE (session_id, nip)
);

CREATE INDEX enrolments_nip ON enrolments (nip);

-- Survey templates: questions as JSON [{id, kind, text, options, required}].
CREATE TABLE survey_templates (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    anonymous {{bool}} NOT NULL DEFAULT FALSE,
    questions TEXT NOT NULL,
    updated_at {{time}} NOT NULL
);

-- One run of a survey. round_key makes opening idempotent across replicas
-- ("post:<session>", "followup:<session>", "periodic:<template>:<date>");
-- questions and anonymous are copied from the template at opening, so later
-- template edits never change a running or past round.
CREATE TABLE survey_rounds (
    id {{id}},
    round_key TEXT NOT NULL UNIQUE,
    template_code TEXT NOT NULL REFERENCES survey_templates (code),
    session_id {{bigint}} REFERENCES training_sessions (id),
    title TEXT NOT NULL,
    anonymous {{bool}} NOT NULL,
    questions TEXT NOT NULL,
    opened_at {{time}} NOT NULL,
    closes_at {{time}} NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at {{time}}
);

CREATE INDEX survey_rounds_status ON survey_rounds (status, closes_at);

CREATE INDEX survey_rounds_session ON survey_rounds (session_id);

-- Who was asked to answer a round. state: invited, started, completed.
-- For anonymous rounds the timestamps stay NULL and token holds the
-- respondent token only while the response is in progress, so that no
-- stored value joins a finished response to a person.
CREATE TABLE survey_invitations (
    round_id {{bigint}} NOT NULL REFERENCES survey_rounds (id),
    nip TEXT NOT NULL REFERENCES asn (nip),
    invited_at {{time}} NOT NULL,
    state TEXT NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'started', 'completed')),
    started_at {{time}},
    completed_at {{time}},
    token TEXT,
    nudges_sent INTEGER NOT NULL DEFAULT 0,
    last_nudge_at {{time}},
    PRIMARY KEY (round_id, nip)
);

CREATE INDEX survey_invitations_nip ON survey_invitations (nip);

-- One response per respondent and round: the NIP, or a random token for
-- anonymous rounds. unit_code is the respondent's unit when they started.
CREATE TABLE survey_responses (
    round_id {{bigint}} NOT NULL REFERENCES survey_rounds (id),
    respondent TEXT NOT NULL,
    unit_code TEXT NOT NULL DEFAULT '',
    completed {{bool}} NOT NULL DEFAULT FALSE,
    PRIMARY KEY (round_id, respondent)
);

-- Answers, one row per question; an empty value is a skipped optional
-- question.
CREATE TABLE survey_answers (
    round_id {{bigint}} NOT NULL,
    respondent TEXT NOT NULL,
    question_id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (round_id, respondent, question_id),
    FOREIGN KEY (round_id, respondent) REFERENCES survey_responses (round_id, respondent)
);
