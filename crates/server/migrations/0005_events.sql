-- The live event log. Every change to a call writes, in the same transaction, one event
-- per company whose board it touches; `seq` is that company's own gap-free sequence,
-- allocated from `company_seq` with `UPDATE … SET seq = seq + 1 … RETURNING seq` (the row
-- lock serialises concurrent writers of one company on PostgreSQL, so seq order is
-- commit order). `payload` is the whole JSON message the WebSocket sends. Old events are
-- pruned (the last 10,000 per company, at most 7 days); a client resuming from before
-- the oldest kept event is told to reload.
CREATE TABLE company_seq (
    company_id TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL
);

CREATE TABLE board_events (
    company_id TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    call_id    TEXT,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, seq)
);
