-- The training-needs report (owned by package training) counts the 1–5
-- self-ratings of every respondent of a round: this index holds all it
-- reads of survey_answers, and only the one-character answers (the 1–5
-- points), not the free text of other surveys.
CREATE INDEX survey_answers_likert ON survey_answers (round_id, respondent, question_id, value) WHERE length(value) = 1;
