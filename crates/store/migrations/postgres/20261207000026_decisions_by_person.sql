-- A decision names the person who made it, so "distinct people" counts people, not e-mail
-- labels (an address can change); one decision per person and request.
ALTER TABLE approval_decisions ADD COLUMN decided_by_person TEXT;
CREATE UNIQUE INDEX approval_decisions_person ON approval_decisions (approval_id, decided_by_person)
    WHERE decided_by_person IS NOT NULL;
