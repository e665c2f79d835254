-- Every notification (e-mail, push, marketplace callback) is written here in the same
-- transaction as the change that causes it, then delivered by a background worker with
-- retries, so none is lost when a transport is down.
CREATE TABLE outbox (
    id            TEXT PRIMARY KEY,
    company_id    TEXT,
    call_id       TEXT,
    channel       TEXT NOT NULL CHECK (channel IN ('email', 'push', 'callback')),
    kind          TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    deliver_after BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    delivered_at  BIGINT,
    cancelled_at  BIGINT
);
CREATE INDEX outbox_pending ON outbox (delivered_at, deliver_after);
CREATE INDEX outbox_call ON outbox (call_id);
