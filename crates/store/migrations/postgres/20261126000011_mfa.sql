-- Two-factor authentication: one TOTP authenticator per account, single-use recovery codes,
-- and what a session has proven so far.

-- The shared secret (base32) must be readable to check codes; it is shown once, at enrollment,
-- and never leaves the server again. `confirmed_at` is NULL while enrollment is unfinished.
-- `last_step` is the last accepted time step, so a code is never accepted twice.
CREATE TABLE totp_factors (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id),
    secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Recovery codes, stored as SHA-256 hashes (they are long random strings), each usable once.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- A session's stage: 'full', or still owing a second factor ('code') or an enrollment
-- ('enroll'). `verified_at` is when its holder last proved who they are (sign-in or
-- re-authentication), for actions that need a recent proof.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN verified_at BIGINT NOT NULL DEFAULT 0;
