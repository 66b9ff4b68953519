-- Where notifications go: a chat channel's incoming webhook (Slack-compatible JSON) or an
-- e-mail address, and the events (audit actions, e.g. policy.publish) routed to it.
CREATE TABLE channels (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    -- space-separated event names
    events TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Messages written in the same transaction as their event, delivered afterwards with
-- retries; a message is claimed for a while (next_attempt_at moves on) so that one instance
-- delivers it.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox(delivered_at, next_attempt_at);

-- Campaign completion kept as counters, changed in the same transaction as the tasks and
-- signatures they count, so the completion pages read a handful of rows at any size.
ALTER TABLE campaigns ADD COLUMN assigned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN signed BIGINT NOT NULL DEFAULT 0;
CREATE TABLE campaign_departments (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    -- '' for people without a department
    department_id TEXT NOT NULL,
    assigned BIGINT NOT NULL,
    signed BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, department_id)
);
-- Overdue work of a kind (policy reviews) without reading every task.
CREATE INDEX tasks_kind_due ON tasks(kind, state, due_at);
-- Completion comes from the counters now: the per-department task index only slowed the
-- enrolment of large audiences.
DROP INDEX tasks_subject_department;
-- A campaign's audience by role too (space-separated role names; empty: any role or none).
ALTER TABLE campaigns ADD COLUMN audience_roles TEXT NOT NULL DEFAULT '';
