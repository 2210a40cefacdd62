-- Rows whose indexed text changed or that left the index, oldest first. A process that keeps full-text row lengths
-- in memory (RowLengths) reads the entries it has not seen and stops trusting those rows' lengths. Inserts are
-- not logged: a new row's seq has no length kept yet (a reused seq was logged when its row was deleted).
-- AUTOINCREMENT keeps ids growing even when the newest entries are pruned; the newest 100,000 are kept.
-- A migration that re-indexes rows another way must log them here too.
CREATE TABLE fts_rewrites (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER NOT NULL
);

-- Every update sets the indexed columns; only a real change re-indexes the row with another length.
CREATE TRIGGER memories_fts_rewritten AFTER UPDATE OF title, content, search_extra, search_context, scope_tokens ON memories
WHEN old.title IS NOT new.title OR old.content IS NOT new.content OR old.search_extra IS NOT new.search_extra
    OR old.search_context IS NOT new.search_context OR old.scope_tokens IS NOT new.scope_tokens
BEGIN
    INSERT INTO fts_rewrites (seq) VALUES (old.seq);
    DELETE FROM fts_rewrites WHERE id <= (SELECT max(id) FROM fts_rewrites) - 100000;
END;

CREATE TRIGGER memories_fts_removed AFTER DELETE ON memories BEGIN
    INSERT INTO fts_rewrites (seq) VALUES (old.seq);
    DELETE FROM fts_rewrites WHERE id <= (SELECT max(id) FROM fts_rewrites) - 100000;
END;
