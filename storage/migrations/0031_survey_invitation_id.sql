-- A number for each survey invitation (owned by package training), so that
-- the survey messages in the outbox can name the invitation they belong to
-- without naming the person: an invitation or nudge still waiting to be
-- sent when its round is withdrawn, its invitation is withdrawn or the
-- survey is completed is not sent (training.Store.Holds). The table is
-- rebuilt with the number as its key; (round_id, nip) stays unique.
CREATE TABLE survey_invitations_numbered (
    id {{id}},
    round_id {{bigint}} NOT NULL REFERENCES survey_rounds (id),
    nip TEXT NOT NULL REFERENCES asn (nip),
    invited_at {{time}} NOT NULL,
    state TEXT NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'started', 'completed')),
    started_at {{time}},
    completed_at {{time}},
    token TEXT,
    nudges_sent INTEGER NOT NULL DEFAULT 0,
    last_nudge_at {{time}},
    last_step_at {{time}},
    unit_code TEXT NOT NULL DEFAULT '',
    UNIQUE (round_id, nip)
);

INSERT INTO survey_invitations_numbered (round_id, nip, invited_at, state, started_at, completed_at, token,
    nudges_sent, last_nudge_at, last_step_at, unit_code)
SELECT round_id, nip, invited_at, state, started_at, completed_at, token,
    nudges_sent, last_nudge_at, last_step_at, unit_code
FROM survey_invitations ORDER BY round_id, nip;

DROP TABLE survey_invitations;

ALTER TABLE survey_invitations_numbered RENAME TO survey_invitations;

CREATE INDEX survey_invitations_nip ON survey_invitations (nip);
