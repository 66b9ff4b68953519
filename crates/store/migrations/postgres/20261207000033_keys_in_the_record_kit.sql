-- The key inventory is a record kit type (core keys::KEY): a column per field, named as the
-- field; dates as YYYY-MM-DD; what is not given is NULL. The weaknesses are derived again when
-- a key is read.
ALTER TABLE crypto_keys RENAME COLUMN owner_id TO owner;
ALTER TABLE crypto_keys
    ALTER COLUMN purpose DROP NOT NULL,
    ALTER COLUMN location DROP NOT NULL,
    ALTER COLUMN fingerprint DROP NOT NULL,
    ALTER COLUMN created_on DROP NOT NULL,
    ALTER COLUMN last_rotated_on DROP NOT NULL,
    ALTER COLUMN weak DROP NOT NULL,
    ALTER COLUMN rotation_due TYPE TEXT
        USING to_char(to_timestamp(rotation_due / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    ADD COLUMN weaknesses TEXT,
    ADD COLUMN revoked_on TEXT;
UPDATE crypto_keys SET
    purpose = NULLIF(purpose, ''),
    location = NULLIF(location, ''),
    fingerprint = NULLIF(fingerprint, ''),
    revoked_on = to_char(to_timestamp(revoked_at / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD');
ALTER TABLE crypto_keys DROP COLUMN revoked_at;
