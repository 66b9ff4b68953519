-- The organisation's controls, their mapping to framework requirements, the evidence that
-- they work, and the applicability of requirements (the Statement of Applicability).
CREATE TABLE controls (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT REFERENCES people(id),
    -- planned, implemented or not-applicable (with a justification)
    status TEXT NOT NULL,
    justification TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX controls_title_id ON controls(title, id);
CREATE INDEX controls_status ON controls(status);
CREATE INDEX controls_owner ON controls(owner_id);

CREATE TABLE control_mappings (
    control_id TEXT NOT NULL REFERENCES controls(id),
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    -- The control's id in the framework's catalog.
    requirement_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (control_id, framework_id, requirement_id)
);
CREATE INDEX control_mappings_requirement ON control_mappings(framework_id, requirement_id);

CREATE TABLE evidence (
    id TEXT PRIMARY KEY NOT NULL,
    control_id TEXT NOT NULL REFERENCES controls(id),
    -- file, link or check
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    file_name TEXT,
    content_type TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    content BLOB,
    -- For checks: passed or failed, and what the check said.
    outcome TEXT,
    detail TEXT NOT NULL,
    collected_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX evidence_control ON evidence(control_id, collected_at);

CREATE TABLE requirement_applicability (
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    requirement_id TEXT NOT NULL,
    applicable TEXT NOT NULL,
    justification TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (framework_id, requirement_id)
);
