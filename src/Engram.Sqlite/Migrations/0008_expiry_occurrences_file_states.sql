-- Expiry (Mem0's expiration_date), the count of repeats a consolidated observation stands for, and the
-- files a memory is about with their content hash at capture (JSON), for staleness checks.
ALTER TABLE memories ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
ALTER TABLE memories ADD COLUMN expires_at INTEGER;
ALTER TABLE memories ADD COLUMN file_states TEXT;
-- Expiring memories are few: a partial index finds them without widening every current-memory lookup.
CREATE INDEX ix_memories_expires_at ON memories (expires_at) WHERE expires_at IS NOT NULL;
