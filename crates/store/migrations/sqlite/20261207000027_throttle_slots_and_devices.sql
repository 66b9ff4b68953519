-- Throttling takes a slot before it checks: each attempt's rows carry its slot, so an attempt
-- that succeeds (or was never checked) gives its rows back and only failures stay counted.
ALTER TABLE login_failures ADD COLUMN slot TEXT;
CREATE INDEX login_failures_slot ON login_failures(slot);

-- Browsers that signed in to an account with its password (device cookies): such a browser
-- is let past the per-account ceiling that guessers from many addresses run into.
CREATE TABLE trusted_devices (
    hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX trusted_devices_created ON trusted_devices(created_at);
