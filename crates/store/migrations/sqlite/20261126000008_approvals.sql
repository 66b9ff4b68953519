-- Requests for a decision on a record: `needed` distinct holders of `role` must approve; the
-- requester never decides (four eyes). Each approver's decision is kept with its comment.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    role TEXT NOT NULL,
    needed BIGINT NOT NULL,
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_by_person TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX approvals_subject ON approvals(subject_type, subject_id, state);
CREATE INDEX approvals_created ON approvals(created_at, id);

CREATE TABLE approval_decisions (
    approval_id TEXT NOT NULL REFERENCES approvals(id),
    decided_by TEXT NOT NULL,
    approve BIGINT NOT NULL,
    comment TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (approval_id, decided_by)
);
