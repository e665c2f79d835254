-- Companies, the people who sign in, and their server-side sessions.
-- Written in the SQL subset SQLite and PostgreSQL share: ids are UUID text,
-- times are Unix seconds (UTC), lists are comma-separated text.

CREATE TABLE companies (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    phone        TEXT NOT NULL DEFAULT '',
    time_zone    TEXT NOT NULL,
    currency     TEXT NOT NULL,
    service_area TEXT NOT NULL DEFAULT '',
    skills       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies (id),
    role          TEXT NOT NULL CHECK (role IN ('dispatcher', 'technician')),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_company ON users (company_id, role);

CREATE TABLE technician_profiles (
    user_id   TEXT PRIMARY KEY REFERENCES users (id),
    skills    TEXT NOT NULL DEFAULT '',
    photo_key TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);
