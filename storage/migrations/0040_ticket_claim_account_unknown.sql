-- Claims taken before the web desk recorded its account on every claim
-- it takes (owned by package inbox): before migration 0039 no claim
-- recorded one, and until this migration a reply on the web desk took
-- the claim without it. Their account is unknown, so when the web
-- account mapped to their Slack name changes that name they move with
-- it (inbox.MoveClaims); a claim without an account taken from here on
-- is another desk's (Slack, the command line) and stays.
ALTER TABLE ticket_claims ADD COLUMN account_unknown {{bool}} NOT NULL DEFAULT FALSE;
UPDATE ticket_claims SET account_unknown = TRUE WHERE web_account IS NULL;
