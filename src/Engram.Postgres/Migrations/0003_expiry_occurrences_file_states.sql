-- Expiry (Mem0's expiration_date), the count of repeats a consolidated observation stands for, and the
-- files a memory is about with their content hash at capture (JSON), for staleness checks.
ALTER TABLE memories ADD COLUMN occurrences integer NOT NULL DEFAULT 1;
ALTER TABLE memories ADD COLUMN expires_at bigint;
ALTER TABLE memories ADD COLUMN file_states text;
CREATE INDEX ix_memories_expires_at ON memories (expires_at) WHERE expires_at IS NOT NULL;
