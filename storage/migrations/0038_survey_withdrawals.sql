-- Invitations withdrawn (owned by package training): a person taken off
-- a session, or recorded absent, after its survey invited them loses the
-- invitation, and this row says that they had one, so that their survey
-- button says they are no longer enrolled rather than that it is
-- someone else's. Kept as long as the round.
CREATE TABLE survey_withdrawals (
    round_id {{bigint}} NOT NULL REFERENCES survey_rounds (id),
    nip TEXT NOT NULL REFERENCES asn (nip),
    withdrawn_at {{time}} NOT NULL,
    PRIMARY KEY (round_id, nip)
);

CREATE INDEX survey_withdrawals_nip ON survey_withdrawals (nip);
