-- Idempotency: a memory produced from an external event (a tool call, an imported row, a dataset
-- turn) carries that event's key; the same key in the same scope is stored once, so processing an
-- event twice (a worker killed mid-way) never duplicates its memory.
ALTER TABLE memories ADD COLUMN source_key TEXT;
UPDATE memories SET source_key = json_extract(source, '$.external_id') WHERE source IS NOT NULL;
CREATE UNIQUE INDEX ux_memories_source_key
    ON memories (tenant, user_id, agent_id, project, session_id, source_key)
    WHERE source_key IS NOT NULL;

-- Raw events are kept after processing (for summaries and re-processing), grouped by session.
ALTER TABLE queue ADD COLUMN session_key TEXT;
CREATE INDEX ix_queue_session ON queue (session_key, seq);
