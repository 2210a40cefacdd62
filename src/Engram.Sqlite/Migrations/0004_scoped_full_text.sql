-- Scope inside the full-text index: every memory's user, agent, project and session become tokens of
-- an unweighted column, so a scoped search intersects posting lists before ranking and BM25 is only
-- computed for rows in scope (ranking every matching row of every scope dominated search time).
ALTER TABLE memories ADD COLUMN scope_tokens TEXT;
UPDATE memories SET scope_tokens = trim(
    (CASE WHEN user_id <> '' THEN 'u' || lower(hex(user_id)) || ' ' ELSE '' END) ||
    (CASE WHEN agent_id <> '' THEN 'a' || lower(hex(agent_id)) || ' ' ELSE '' END) ||
    (CASE WHEN project <> '' THEN 'p' || lower(hex(project)) || ' ' ELSE '' END) ||
    (CASE WHEN session_id <> '' THEN 's' || lower(hex(session_id)) ELSE '' END));

DROP TRIGGER memories_fts_insert;
DROP TRIGGER memories_fts_delete;
DROP TRIGGER memories_fts_update;
DROP TABLE memories_fts;

CREATE VIRTUAL TABLE memories_fts USING fts5 (
    title, content, search_extra, search_context, scope_tokens,
    content = 'memories', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');

CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, title, content, search_extra, search_context, scope_tokens)
    VALUES (new.seq, new.title, new.content, new.search_extra, new.search_context, new.scope_tokens);
END;

CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, title, content, search_extra, search_context, scope_tokens)
    VALUES ('delete', old.seq, old.title, old.content, old.search_extra, old.search_context, old.scope_tokens);
END;

CREATE TRIGGER memories_fts_update AFTER UPDATE OF title, content, search_extra, search_context, scope_tokens ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, title, content, search_extra, search_context, scope_tokens)
    VALUES ('delete', old.seq, old.title, old.content, old.search_extra, old.search_context, old.scope_tokens);
    INSERT INTO memories_fts (rowid, title, content, search_extra, search_context, scope_tokens)
    VALUES (new.seq, new.title, new.content, new.search_extra, new.search_context, new.scope_tokens);
END;
