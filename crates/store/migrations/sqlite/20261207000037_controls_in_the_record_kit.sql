-- Controls are a record kit type (core controls::CONTROL): a column per field, named as the
-- field (the owner's column is `owner`), what is not given is NULL. The table is rebuilt in
-- place: its rows are copied aside, the table dropped and made again, and the rows put back
-- before the transaction ends, so the mappings, evidence and risk links that name a control
-- keep pointing at it (their foreign keys are checked at commit).
PRAGMA defer_foreign_keys = ON;
CREATE TABLE controls_before AS SELECT * FROM controls;
DROP TABLE controls;
CREATE TABLE controls (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    owner TEXT REFERENCES people(id),
    -- planned, implemented or not-applicable (with a justification)
    status TEXT NOT NULL,
    justification TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO controls (id, title, description, owner, status, justification, search_text, created_at, updated_at)
SELECT id, title, NULLIF(description, ''), owner_id, status, NULLIF(justification, ''), search_text, created_at, updated_at
FROM controls_before;
DROP TABLE controls_before;
CREATE INDEX controls_title_id ON controls(title, id);
CREATE INDEX controls_status ON controls(status);
CREATE INDEX controls_owner ON controls(owner);
