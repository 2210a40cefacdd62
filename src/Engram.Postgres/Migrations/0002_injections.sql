-- Which memories were injected into which session: one row per memory per context given, with its place in
-- that context, the signal that put it there and the tokens it took. A memory deleted later keeps its rows:
-- they say what the agent was told at the time.
CREATE TABLE injections (
    tenant       text    NOT NULL,
    context_id   text    NOT NULL,
    memory_id    text    NOT NULL,
    session_id   text    NOT NULL,
    project      text    NOT NULL DEFAULT '',
    rank         integer NOT NULL,
    reason       text    NOT NULL,
    detail       text    NOT NULL DEFAULT '',
    tokens       integer NOT NULL,
    source       text    NOT NULL,
    injected_at  bigint  NOT NULL,
    PRIMARY KEY (tenant, context_id, memory_id)
);
CREATE INDEX ix_injections_session ON injections (tenant, session_id, injected_at);
CREATE INDEX ix_injections_memory  ON injections (tenant, memory_id, injected_at);
