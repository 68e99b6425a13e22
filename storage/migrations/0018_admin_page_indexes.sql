-- Indexes that keep the web admin's pages fast with 10,000 tickets,
-- 100,000 messages and 10,000 FAQ entries (each index belongs to the
-- package that owns its table).

-- The dashboard counts the citizens' messages of each of the last seven
-- days from this index alone, without visiting a message, and the
-- tickets by handover reason and by rating (inbox).
CREATE INDEX messages_citizen_created ON messages (created_at) WHERE author_kind = 'citizen';

CREATE INDEX tickets_reason ON tickets (reason);

CREATE INDEX tickets_rating ON tickets (rating) WHERE rating IS NOT NULL;

-- The desk's queues (inbox): tickets not closed, most urgent first, and
-- closed ones, most recently closed first, each read in its order and
-- counted from its index (tickets_status serves the overdue queue).
CREATE INDEX tickets_active_due ON tickets (due_at, id) WHERE status <> 'closed';

CREATE INDEX tickets_closed ON tickets (status, closed_at, id);

-- The knowledge base's list is ordered by category and slug (knowledge).
CREATE INDEX faq_entries_category_slug ON faq_entries (category, slug);
