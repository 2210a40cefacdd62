-- Which memories were injected into which session: one row per memory per context given, with its place in
-- that context, the signal that put it there and the tokens it took. A memory deleted later keeps its rows:
-- they say what the agent was told at the time.
CREATE TABLE injections (
    tenant       TEXT    NOT NULL,
    context_id   TEXT    NOT NULL,
    memory_id    TEXT    NOT NULL,
    session_id   TEXT    NOT NULL,
    project      TEXT    NOT NULL DEFAULT '',
    rank         INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    tokens       INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    injected_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant, context_id, memory_id)
);
CREATE INDEX ix_injections_session ON injections (tenant, session_id, injected_at);
CREATE INDEX ix_injections_memory  ON injections (tenant, memory_id, injected_at);
