-- Vulnerability disclosure: reports from outside (the reporter's secret link stored as its
-- SHA-256), their messages, and the settings that also make security.txt.
CREATE TABLE disclosure_settings (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    contacts TEXT NOT NULL,
    policy_url TEXT NOT NULL,
    preferred_languages TEXT NOT NULL,
    encryption_url TEXT NOT NULL,
    acknowledgments_url TEXT NOT NULL,
    expires_days BIGINT NOT NULL,
    deadline_days BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO disclosure_settings VALUES (1, '', '', 'en', '', '', 180, 90, 0);

CREATE TABLE vuln_reports (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    affected TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_email TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    cvss_vector TEXT,
    cvss_tenths BIGINT,
    severity TEXT,
    deadline_on TEXT NOT NULL,
    cve_id TEXT NOT NULL,
    advisory TEXT NOT NULL,
    credit TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX vuln_reports_created_id ON vuln_reports(created_at, id);
CREATE INDEX vuln_reports_deadline_id ON vuln_reports((deadline_on COLLATE "C"), id);
CREATE INDEX vuln_reports_title_id ON vuln_reports((title COLLATE "C"), id);
CREATE INDEX vuln_reports_status ON vuln_reports(status);

CREATE TABLE vuln_messages (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES vuln_reports(id),
    from_reporter BIGINT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX vuln_messages_report ON vuln_messages(report_id, created_at);
