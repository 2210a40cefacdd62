-- Vectors are made after a memory is stored (by the worker, in batches), not on the way in. A memory is
-- pending until it has one; a change of its text makes it pending again. The partial index keeps
-- "what is left to embed" an index lookup however large the store.
ALTER TABLE memories ADD COLUMN vector_pending INTEGER NOT NULL DEFAULT 1;
UPDATE memories SET vector_pending = 0 WHERE seq IN (SELECT memory_seq FROM embeddings);
CREATE INDEX ix_memories_vector_pending ON memories (seq) WHERE vector_pending = 1 AND valid_to IS NULL;

CREATE TRIGGER memories_text_changed AFTER UPDATE OF content, title ON memories
WHEN old.content IS NOT new.content OR old.title IS NOT new.title
BEGIN
    UPDATE memories SET vector_pending = 1 WHERE seq = new.seq;
END;

-- Bumped by every change to embeddings, so a process holding vectors in memory sees another's writes.
CREATE TABLE vector_clock (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO vector_clock (id, version) VALUES (1, 0);

CREATE TRIGGER embeddings_inserted AFTER INSERT ON embeddings
BEGIN
    UPDATE memories SET vector_pending = 0 WHERE seq = new.memory_seq;
    UPDATE vector_clock SET version = version + 1;
END;
CREATE TRIGGER embeddings_updated AFTER UPDATE ON embeddings
BEGIN
    UPDATE memories SET vector_pending = 0 WHERE seq = new.memory_seq;
    UPDATE vector_clock SET version = version + 1;
END;
CREATE TRIGGER embeddings_deleted AFTER DELETE ON embeddings
BEGIN
    UPDATE vector_clock SET version = version + 1;
END;
