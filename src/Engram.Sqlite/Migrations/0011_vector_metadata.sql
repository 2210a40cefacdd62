-- The in-memory vector index keeps each memory's metadata entries (as bits) to skip rows a metadata filter
-- rules out: a change of metadata moves the vector clock, so every process holding the index reloads it.
-- Every update sets metadata; only a real change counts.
CREATE TRIGGER memories_metadata_changed AFTER UPDATE OF metadata ON memories
WHEN old.metadata IS NOT new.metadata
BEGIN
    UPDATE vector_clock SET version = version + 1;
END;
