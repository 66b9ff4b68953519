-- An onboarding campaign: only people who join while it is open get its task.
ALTER TABLE campaigns ADD COLUMN joiners_only BIGINT NOT NULL DEFAULT 0;
