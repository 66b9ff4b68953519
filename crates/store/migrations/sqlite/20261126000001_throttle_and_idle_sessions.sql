-- Failed sign-ins, shared by every instance, counted per key in a time window for throttling.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- When a session was last used, for the idle timeout (recorded at most once a minute).
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
