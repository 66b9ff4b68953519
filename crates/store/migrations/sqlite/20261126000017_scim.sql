-- SCIM provisioning: tokens that reach /scim/v2 only, and what the identity provider says of
-- people and departments beyond the directory's own fields.
CREATE TABLE scim_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

-- A person as a SCIM User. People without a row are Users too: their userName is their e-mail.
CREATE TABLE scim_users (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    user_name TEXT NOT NULL,
    -- user_name lower-cased: userName is unique in any case.
    user_name_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    given_name TEXT,
    family_name TEXT,
    manager_id TEXT REFERENCES people(id),
    -- Set by a SCIM DELETE: the person stays (with their offboarding), the User is gone.
    deleted_at BIGINT
);

-- A department as a SCIM Group.
CREATE TABLE scim_groups (
    department_id TEXT PRIMARY KEY NOT NULL REFERENCES departments(id),
    external_id TEXT,
    deleted_at BIGINT
);
