-- The web account that took a claim (owned by package inbox): the id of
-- its admin_users row when an officer took the ticket on the web desk,
-- NULL when the claim was taken in Slack, on the command line or by a
-- reply. A desk name may be shared (a web account mapped to the Slack
-- name of a Slack officer), so when an account's Slack mapping changes
-- only the claims it took move with it (inbox.MoveClaims).
ALTER TABLE ticket_claims ADD COLUMN web_account {{bigint}};
