-- The change notice names the schema whose history changed: every schema of one database shares the channel,
-- and a server listening for its own schema ignores the commits of the others.
CREATE OR REPLACE FUNCTION engram_history_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('engram_changes', current_schema());
    RETURN NULL;
END
$$;
