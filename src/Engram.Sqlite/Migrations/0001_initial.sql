-- Memories. Scope columns are '' when unset (never NULL) so the duplicate index compares them exactly.
-- Times are Unix milliseconds.
CREATE TABLE memories (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    tenant           TEXT    NOT NULL,
    user_id          TEXT    NOT NULL DEFAULT '',
    agent_id         TEXT    NOT NULL DEFAULT '',
    project          TEXT    NOT NULL DEFAULT '',
    session_id       TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL,
    type             TEXT,
    title            TEXT,
    content          TEXT    NOT NULL,
    facts            TEXT,
    concepts         TEXT,
    files_read       TEXT,
    files_modified   TEXT,
    metadata         TEXT,
    source           TEXT,
    search_extra     TEXT,
    search_context   TEXT,
    importance       REAL    NOT NULL DEFAULT 0.5,
    access_count     INTEGER NOT NULL DEFAULT 0,
    last_accessed_at INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    valid_from       INTEGER NOT NULL,
    valid_to         INTEGER,
    superseded_by    TEXT,
    content_hash     TEXT    NOT NULL
);

-- Exact duplicates among current memories of one scope and kind are stored once.
CREATE UNIQUE INDEX ux_memories_current_content
    ON memories (tenant, user_id, agent_id, project, session_id, kind, content_hash)
    WHERE valid_to IS NULL;
CREATE INDEX ix_memories_user    ON memories (tenant, user_id, valid_from);
CREATE INDEX ix_memories_project ON memories (tenant, project, valid_from);
CREATE INDEX ix_memories_session ON memories (tenant, session_id, valid_from);
CREATE INDEX ix_memories_time    ON memories (tenant, valid_from);

-- Full-text index over the memories table (external content). Porter stemming over unicode61.
CREATE VIRTUAL TABLE memories_fts USING fts5 (
    title, content, search_extra, search_context,
    content = 'memories', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, title, content, search_extra, search_context)
    VALUES (new.seq, new.title, new.content, new.search_extra, new.search_context);
END;

CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, title, content, search_extra, search_context)
    VALUES ('delete', old.seq, old.title, old.content, old.search_extra, old.search_context);
END;

-- Only changes to indexed text touch the index: access counts and validity do not.
CREATE TRIGGER memories_fts_update AFTER UPDATE OF title, content, search_extra, search_context ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, title, content, search_extra, search_context)
    VALUES ('delete', old.seq, old.title, old.content, old.search_extra, old.search_context);
    INSERT INTO memories_fts (rowid, title, content, search_extra, search_context)
    VALUES (new.seq, new.title, new.content, new.search_extra, new.search_context);
END;

-- One embedding per memory: little-endian float32 vector.
CREATE TABLE embeddings (
    memory_seq INTEGER PRIMARY KEY REFERENCES memories (seq) ON DELETE CASCADE,
    model      TEXT    NOT NULL,
    dims       INTEGER NOT NULL,
    vector     BLOB    NOT NULL
);
CREATE INDEX ix_embeddings_model ON embeddings (model);

-- Every change to every memory. Rows outlive their memory.
CREATE TABLE history (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    memory_id  TEXT    NOT NULL,
    tenant     TEXT    NOT NULL,
    user_id    TEXT    NOT NULL DEFAULT '',
    agent_id   TEXT    NOT NULL DEFAULT '',
    project    TEXT    NOT NULL DEFAULT '',
    session_id TEXT    NOT NULL DEFAULT '',
    event      TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    reason     TEXT
);
CREATE INDEX ix_history_memory ON history (memory_id, id);

-- Durable work queue (raw hook events and other pipeline work).
CREATE TABLE queue (
    seq           INTEGER PRIMARY KEY,
    tenant        TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    dedupe_key    TEXT    UNIQUE,
    payload       TEXT    NOT NULL,
    enqueued_at   INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until INTEGER,
    last_error    TEXT,
    state         TEXT    NOT NULL DEFAULT 'pending' -- pending | done | failed
);
CREATE INDEX ix_queue_pending ON queue (state, seq);
