-- Jobs the scheduler runs once when they fall due (reminders, reviews). The id names what a
-- job is about, so scheduling it twice is a no-op; a worker claims a job for a lease, and the
-- job is marked done in the same transaction as its effects.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    lease_until BIGINT,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    done_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_pending ON jobs(done_at, due_at, id);
