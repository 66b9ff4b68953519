-- The inventory of cryptographic keys: metadata only, never key material.
CREATE TABLE crypto_keys (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    size_bits BIGINT,
    owner_id TEXT REFERENCES people(id),
    location TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_on TEXT NOT NULL,
    last_rotated_on TEXT NOT NULL,
    rotation_days BIGINT,
    -- When the next rotation is due (microseconds), for sorting; NULL when none is planned.
    rotation_due BIGINT,
    -- 'yes' when the algorithm or size is weak (for the filter).
    weak TEXT NOT NULL,
    status TEXT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT,
    revocation_reason TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX crypto_keys_name_id ON crypto_keys((name COLLATE "C"), id);
CREATE INDEX crypto_keys_algorithm_id ON crypto_keys((algorithm COLLATE "C"), id);
CREATE INDEX crypto_keys_created_id ON crypto_keys(created_at, id);
CREATE INDEX crypto_keys_owner ON crypto_keys(owner_id);
