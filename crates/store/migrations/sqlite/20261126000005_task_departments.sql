-- The assignee's department when the task was given: completion by department counts the
-- tasks of a campaign from this index alone, without visiting every person.
ALTER TABLE tasks ADD COLUMN assignee_department_id TEXT;
CREATE INDEX tasks_subject_department ON tasks(subject_type, subject_id, assignee_department_id, state);
