-- Policies: Markdown documents in a hierarchy, each with numbered versions that move
-- draft → in review → ratified → published → superseded. A published version is immutable
-- and carries the SHA-256 of its text.
CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES policies(id),
    title TEXT NOT NULL UNIQUE,
    owner_person_id TEXT REFERENCES people(id),
    review_months BIGINT NOT NULL,
    public BIGINT NOT NULL,
    -- lower-cased title, filled by the application (Unicode-aware)
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX policies_title_id ON policies((title), id);
CREATE INDEX policies_updated_id ON policies(updated_at, id);
CREATE INDEX policies_parent ON policies(parent_id);

CREATE TABLE policy_versions (
    id TEXT PRIMARY KEY,
    policy_id TEXT NOT NULL REFERENCES policies(id),
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    change_note TEXT NOT NULL,
    content_hash TEXT,
    -- who sent it for review: a ratifier must be someone else
    submitted_by TEXT,
    ratified_by TEXT,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (policy_id, number)
);
