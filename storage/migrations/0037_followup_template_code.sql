-- The follow-up survey's template (package training) was coded
-- "tindak-lanjut-3-bulan", though it opens HUB_FOLLOWUP_AFTER after the
-- session, which is not always three months: it is now
-- "tindak-lanjut-pelatihan". The template moves to the new code as it is
-- (an officer's edits kept), and its rounds with it; the hub still reads
-- the old code as the new one.
INSERT INTO survey_templates (code, title, intro, anonymous, questions, updated_at)
SELECT 'tindak-lanjut-pelatihan', title, intro, anonymous, questions, updated_at
FROM survey_templates
WHERE code = 'tindak-lanjut-3-bulan'
    AND NOT EXISTS (SELECT 1 FROM survey_templates WHERE code = 'tindak-lanjut-pelatihan');

UPDATE survey_rounds SET template_code = 'tindak-lanjut-pelatihan' WHERE template_code = 'tindak-lanjut-3-bulan';

DELETE FROM survey_templates WHERE code = 'tindak-lanjut-3-bulan';
