-- API keys for engram serve. Only the SHA-256 hash of a secret is stored; prefix is its first characters.
CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    name        TEXT,
    prefix      TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX ix_api_keys_active ON api_keys (revoked_at);
