-- Whether an injected memory earned its place: the agent fetched it later (get_observations, timeline, a REST or
-- CLI get) or acted on it (a later tool call of the same session touched a file the memory is about). The first
-- such use is kept per injection: when, and through what (tool name, or the tool and path acted on).
ALTER TABLE injections ADD COLUMN fetched_at bigint;
ALTER TABLE injections ADD COLUMN fetched_via text;
ALTER TABLE injections ADD COLUMN acted_at bigint;
ALTER TABLE injections ADD COLUMN acted_on text;
CREATE INDEX ix_injections_project ON injections (tenant, project);
