-- Tokens the providers reported, per day (UTC), purpose, provider and model.
CREATE TABLE llm_usage (
    day           TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    calls         INTEGER NOT NULL DEFAULT 0,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, purpose, provider, model)
);
