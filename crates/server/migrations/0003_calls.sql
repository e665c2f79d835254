-- Service calls. The aggregate (domain::call::ServiceCall) is stored whole as a JSON
-- document; the columns beside it are copies of the fields queries filter on, written
-- in the same statement as the document so they never disagree.
--
-- `version` is the optimistic-concurrency token: every write is
-- `UPDATE … WHERE id = $id AND version = $expected`, so of two concurrent writers (in one
-- process or several sharing PostgreSQL) exactly one changes the row. `external_id` is
-- the marketplace's idempotency key: a retried booking hits the UNIQUE index.
CREATE TABLE calls (
    id            TEXT PRIMARY KEY,
    external_id   TEXT NOT NULL,
    version       BIGINT NOT NULL,
    status        TEXT NOT NULL,
    accepted_by   TEXT REFERENCES companies (id),
    slot_start    BIGINT,
    slot_end      BIGINT,
    technician_id TEXT,
    doc           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX calls_external_id ON calls (external_id);
CREATE INDEX calls_accepted_by ON calls (accepted_by, slot_start);

-- Which companies a call was offered to and where each offer stands (a copy of the
-- document's `offers`): the tenancy-scoped index behind every board query.
CREATE TABLE call_offers (
    call_id    TEXT NOT NULL REFERENCES calls (id),
    company_id TEXT NOT NULL REFERENCES companies (id),
    state      TEXT NOT NULL,
    PRIMARY KEY (call_id, company_id)
);
CREATE INDEX call_offers_company ON call_offers (company_id, state);
