-- The follow-up survey's intro (package training) no longer says "Tiga
-- bulan lalu": its invitation opens with how long ago the session was, as
-- HUB_FOLLOWUP_AFTER has it, and the title names no interval either. A
-- template an officer rewrote is left as it is.
UPDATE survey_templates
SET intro = 'Kami ingin tahu apakah hasilnya sudah dapat diterapkan dalam pekerjaan: 4 pertanyaan, sekitar 2 menit.',
    title = CASE WHEN title = 'Tindak Lanjut Pelatihan (3 Bulan)' THEN 'Tindak Lanjut Pelatihan' ELSE title END
WHERE code = 'tindak-lanjut-3-bulan'
    AND intro = 'Tiga bulan lalu Anda mengikuti pelatihan ini. Kami ingin tahu apakah hasilnya sudah dapat diterapkan dalam pekerjaan: 4 pertanyaan, sekitar 2 menit.';
