-- Engram on PostgreSQL. Times are Unix milliseconds (as in the SQLite store, so both round-trip alike).
-- Scope columns are '' when unset (never NULL) so the unique indexes compare them exactly.
CREATE TABLE memories (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               text   NOT NULL UNIQUE,
    tenant           text   NOT NULL,
    user_id          text   NOT NULL DEFAULT '',
    agent_id         text   NOT NULL DEFAULT '',
    project          text   NOT NULL DEFAULT '',
    session_id       text   NOT NULL DEFAULT '',
    kind             text   NOT NULL,
    type             text,
    title            text,
    content          text   NOT NULL,
    facts            text,
    concepts         text,
    files_read       text,
    files_modified   text,
    metadata         text,
    source           text,
    search_extra     text,
    search_context   text,
    importance       double precision NOT NULL DEFAULT 0.5,
    access_count     bigint NOT NULL DEFAULT 0,
    last_accessed_at bigint,
    created_at       bigint NOT NULL,
    updated_at       bigint NOT NULL,
    valid_from       bigint NOT NULL,
    valid_to         bigint,
    superseded_by    text,
    content_hash     text   NOT NULL,
    source_key       text,
    -- Tenant and scope as opaque tokens (a field letter and a hash of the value), searched with the text.
    scope_tokens     text   NOT NULL,
    -- Weights mirror the SQLite ranker's columns: title A, content and extra B, neighbours' context D.
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', content), 'B') ||
        setweight(to_tsvector('english', coalesce(search_extra, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(search_context, '')), 'D')) STORED,
    scope_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', scope_tokens)) STORED
);

CREATE UNIQUE INDEX ux_memories_current_content
    ON memories (tenant, user_id, agent_id, project, session_id, kind, content_hash)
    WHERE valid_to IS NULL;
CREATE UNIQUE INDEX ux_memories_source_key
    ON memories (tenant, user_id, agent_id, project, session_id, source_key)
    WHERE source_key IS NOT NULL;
CREATE INDEX ix_memories_user    ON memories (tenant, user_id, valid_from);
CREATE INDEX ix_memories_project ON memories (tenant, project, valid_from);
CREATE INDEX ix_memories_session ON memories (tenant, session_id, valid_from);
CREATE INDEX ix_memories_time    ON memories (tenant, valid_from);
-- One inverted index over text and scope: a scoped search intersects posting lists before ranking.
CREATE INDEX ix_memories_search  ON memories USING gin ((search || scope_search));

-- One embedding per memory, scored in the server process (no extension needed).
CREATE TABLE embeddings (
    memory_seq bigint  PRIMARY KEY REFERENCES memories (seq) ON DELETE CASCADE,
    model      text    NOT NULL,
    dims       integer NOT NULL,
    vector     real[]  NOT NULL
);
CREATE INDEX ix_embeddings_model ON embeddings (model, dims);

-- Every change to every memory. Rows outlive their memory; seq is the change feed's position.
CREATE TABLE history (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text   NOT NULL UNIQUE,
    memory_id  text   NOT NULL,
    tenant     text   NOT NULL,
    user_id    text   NOT NULL DEFAULT '',
    agent_id   text   NOT NULL DEFAULT '',
    project    text   NOT NULL DEFAULT '',
    session_id text   NOT NULL DEFAULT '',
    event      text   NOT NULL,
    actor      text   NOT NULL,
    at         bigint NOT NULL,
    old_value  text,
    new_value  text,
    reason     text
);
CREATE INDEX ix_history_memory ON history (memory_id, id);
CREATE INDEX ix_history_tenant ON history (tenant, seq);

-- Wakes the other servers' change feeds (delivered at commit, once per transaction).
CREATE FUNCTION engram_history_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('engram_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER history_notify AFTER INSERT ON history FOR EACH STATEMENT EXECUTE FUNCTION engram_history_notify();

-- Durable work queue; claims are leases taken with FOR UPDATE SKIP LOCKED.
CREATE TABLE queue (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant        text    NOT NULL,
    kind          text    NOT NULL,
    dedupe_key    text    UNIQUE,
    payload       text    NOT NULL,
    enqueued_at   bigint  NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    claimed_by    text,
    claimed_until bigint,
    last_error    text,
    state         text    NOT NULL DEFAULT 'pending', -- pending | done | failed
    session_key   text
);
CREATE INDEX ix_queue_pending ON queue (seq) WHERE state = 'pending';
CREATE INDEX ix_queue_session ON queue (session_key, seq);

-- API keys: only the SHA-256 of a secret is stored.
CREATE TABLE api_keys (
    id          text   PRIMARY KEY,
    tenant      text   NOT NULL,
    name        text,
    prefix      text   NOT NULL,
    secret_hash text   NOT NULL UNIQUE,
    created_at  bigint NOT NULL,
    revoked_at  bigint
);

-- Tokens the providers reported, per day (UTC), purpose, provider and model.
CREATE TABLE llm_usage (
    day           date   NOT NULL,
    purpose       text   NOT NULL,
    provider      text   NOT NULL,
    model         text   NOT NULL,
    calls         bigint NOT NULL DEFAULT 0,
    input_tokens  bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, purpose, provider, model)
);
