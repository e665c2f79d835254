-- Idempotency keys of call writes (`Idempotency-Key`, http::idempotency). A request with a
-- key first claims its row (`claim` = that request's token, held until `locked_until`,
-- Unix seconds) in a short transaction of its own; the change it makes then fills
-- `status` and `body` in the change's own transaction, so a stored response exists exactly
-- when the change does. `request_hash` is the SHA-256 of method, path and body: the same
-- key with another request is refused. Rows live 24 hours (`expires_at`) and are purged on
-- the next claim after that.
CREATE TABLE idempotency_keys (
    company_id   TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    claim        TEXT NOT NULL,
    locked_until BIGINT NOT NULL,
    status       BIGINT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (company_id, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
