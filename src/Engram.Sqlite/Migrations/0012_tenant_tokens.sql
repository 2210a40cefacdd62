-- The tenant inside the full-text index, as the scope fields are (0004): rows of a tenant other than the default one
-- get a 't' token, so a search within such a tenant ranks only its rows instead of every tenant's. Rows of the
-- default tenant get none, so a store of one tenant keeps its rows' lengths and scores. The update re-indexes the
-- rows (and logs them for kept row lengths).
UPDATE memories SET scope_tokens = trim('t' || lower(hex(tenant)) || ' ' || coalesce(scope_tokens, ''))
WHERE tenant <> 'default';
