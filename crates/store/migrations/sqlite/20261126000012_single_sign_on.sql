-- Single sign-on (OpenID Connect).

-- Which provider identity (issuer and subject) an account signs in as.
CREATE TABLE sso_identities (
    subject_key TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
    created_at BIGINT NOT NULL
);

-- Sign-ins sent to the provider and not back yet: looked up by the hash of their `state`,
-- used once, dropped after ten minutes. Operational state, like throttling: not audited.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sso_logins_created ON sso_logins(created_at);
