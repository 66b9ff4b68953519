-- A campaign cancelled (started by mistake) rather than closed: its open tasks are withdrawn,
-- not missed. A recurring campaign opens its next round every `repeat_months` months (0: once).
ALTER TABLE campaigns ADD COLUMN cancelled_at BIGINT;
ALTER TABLE campaigns ADD COLUMN repeat_months BIGINT NOT NULL DEFAULT 0;
