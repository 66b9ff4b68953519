-- Every instance keeps the department names in memory between reads (each statement is a round
-- trip to the database server); any change committed to departments, by any instance, by a
-- restore or by hand, tells every listening instance to forget them.
CREATE FUNCTION notify_departments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bulwark_departments', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER departments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departments
    FOR EACH STATEMENT EXECUTE FUNCTION notify_departments_changed();
