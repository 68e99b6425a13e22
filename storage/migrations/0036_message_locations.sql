-- Locations and venues citizens share (owned by package inbox): the
-- message keeps the coordinates, in degrees, so that the desks can link
-- to a map; its text says them in words, with a venue's name and
-- address. NULL on every other message. Being columns of the message,
-- they are erased and expire with it.
ALTER TABLE messages ADD COLUMN latitude DOUBLE PRECISION;

ALTER TABLE messages ADD COLUMN longitude DOUBLE PRECISION;
