-- The FAQ knowledge base (owned by package knowledge).
CREATE TABLE faq_entries (
    id {{id}},
    slug TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    alternates TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at {{time}} NOT NULL,
    updated_at {{time}} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE INDEX faq_entries_status ON faq_entries (status);

-- Every change to an entry, as a full snapshot, so any version can be restored.
CREATE TABLE faq_revisions (
    id {{id}},
    entry_id {{bigint}} NOT NULL REFERENCES faq_entries (id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    created_at {{time}} NOT NULL,
    UNIQUE (entry_id, version)
);

-- Officer-curated groups of words and phrases that mean the same thing.
CREATE TABLE synonym_groups (
    id {{id}},
    terms TEXT NOT NULL,
    updated_at {{time}} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- One row that counts knowledge-base changes, so that every process can tell
-- whether its in-memory index is current.
CREATE TABLE kb_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation {{bigint}} NOT NULL
);

INSERT INTO kb_generation (id, generation) VALUES (1, 0);
