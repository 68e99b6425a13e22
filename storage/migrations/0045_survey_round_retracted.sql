-- When a session's survey round was taken back (owned by package
-- training): its session was cancelled or moved to a later date after
-- someone completed the round, whose answers are about a training not
-- held then. The round stays, closed, with those answers, under a key of
-- its own, and a new round opens after the session's new end; a
-- training's summary does not pool a round taken back.
ALTER TABLE survey_rounds ADD COLUMN retracted_at {{time}};
