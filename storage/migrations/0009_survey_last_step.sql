-- When a person last took a survey step (started, resumed or answered),
-- so that a survey holds their typed text only while it is fresh and a
-- question asked later is treated as a question. Cleared on completion;
-- for anonymous rounds it lives, like the token, only while the response
-- is in progress.
ALTER TABLE survey_invitations ADD COLUMN last_step_at {{time}};
