-- The information systems register (a record kit type: core organisation::information_systems).
-- Its assets, risks and controls are links (record_links).
CREATE TABLE information_systems (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    department TEXT NOT NULL REFERENCES departments(id),
    classification TEXT NOT NULL,
    review_every_months BIGINT,
    last_reviewed_on TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX information_systems_department ON information_systems(department);
