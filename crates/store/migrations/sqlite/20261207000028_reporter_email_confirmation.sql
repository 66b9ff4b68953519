-- A reporter's e-mail address receives the team's replies only once its owner confirmed it
-- (a link sent once), so the form cannot make the instance mail arbitrary addresses.
ALTER TABLE vuln_reports ADD COLUMN email_confirm_hash TEXT;
ALTER TABLE vuln_reports ADD COLUMN email_confirmed_at BIGINT;
CREATE INDEX vuln_reports_email_confirm ON vuln_reports(email_confirm_hash);
