-- The key inventory is a record kit type (core keys::KEY): a column per field, named as the
-- field; dates as YYYY-MM-DD; what is not given is NULL. The weaknesses are derived again when
-- a key is read.
-- Its columns stand in the order PostgreSQL's migration leaves them (backups compare alike).
CREATE TABLE crypto_keys_kit (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT,
    algorithm TEXT NOT NULL,
    size_bits BIGINT,
    owner TEXT REFERENCES people(id),
    location TEXT,
    fingerprint TEXT,
    created_on TEXT,
    last_rotated_on TEXT,
    rotation_days BIGINT,
    rotation_due TEXT,
    weak TEXT,
    status TEXT NOT NULL,
    revoked_by TEXT,
    revocation_reason TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    weaknesses TEXT,
    revoked_on TEXT
);
INSERT INTO crypto_keys_kit
SELECT id, name, NULLIF(purpose, ''), algorithm, size_bits, owner_id, NULLIF(location, ''), NULLIF(fingerprint, ''),
       created_on, last_rotated_on, rotation_days,
       CASE WHEN rotation_due IS NULL THEN NULL ELSE date(rotation_due / 1000000, 'unixepoch') END,
       weak, status, revoked_by, revocation_reason, search_text, created_at, updated_at, NULL,
       CASE WHEN revoked_at IS NULL THEN NULL ELSE date(revoked_at / 1000000, 'unixepoch') END
FROM crypto_keys;
DROP TABLE crypto_keys;
ALTER TABLE crypto_keys_kit RENAME TO crypto_keys;
CREATE INDEX crypto_keys_owner ON crypto_keys(owner);
