-- Acknowledgment campaigns: a set of published policy versions, pinned by number and hash,
-- for an audience (departments and kinds of people; empty means everyone) until a due time.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    -- space-separated department ids and person kinds; empty: everyone
    audience_departments TEXT NOT NULL,
    audience_kinds TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    closed_at BIGINT,
    search_text TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX campaigns_due_id ON campaigns(due_at, id);
CREATE INDEX campaigns_created_id ON campaigns(created_at, id);

CREATE TABLE campaign_policies (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    policy_id TEXT NOT NULL REFERENCES policies(id),
    version_number BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (campaign_id, policy_id)
);

-- Every obligation of a person is a task. Its id is derived from what it is about
-- (kind:subject:person), so enrolling the same person twice is a no-op.
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    assignee_person_id TEXT NOT NULL REFERENCES people(id),
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    title TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    done_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_assignee_due ON tasks(assignee_person_id, state, due_at, id);
CREATE INDEX tasks_subject ON tasks(subject_type, subject_id, state);

-- A signature: who acknowledged which campaign when, and the exact versions (policy id,
-- number and SHA-256, one per line).
CREATE TABLE acknowledgments (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    signed_at BIGINT NOT NULL,
    signed_by TEXT NOT NULL,
    versions TEXT NOT NULL,
    PRIMARY KEY (campaign_id, person_id)
);
