-- The company's own settings beyond the profile, and what embedding the board in a
-- partner's website needs. Same SQL subset as 0001: UUID text ids, Unix-second times.

-- Branding and address: used by the embed and the e-mails. `brand_colour` is `#rrggbb`,
-- `default_language` one of the app's languages.
ALTER TABLE companies ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '#1f6feb';
ALTER TABLE companies ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en';

-- Partner-site origins allowed to frame `/embed/{company}` (`frame-ancestors`) and
-- trusted by the cross-origin rule for the company's embedded sessions. Normalised
-- `scheme://host[:port]`, lower case.
CREATE TABLE embed_origins (
    id         TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id),
    origin     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX embed_origins_company_origin ON embed_origins (company_id, origin);

-- The partner API key of a company (at most one): only its SHA-256 is kept, and the
-- first characters to recognise it by. Rotating replaces the row, revoking deletes it.
CREATE TABLE partner_keys (
    company_id TEXT PRIMARY KEY REFERENCES companies (id),
    key_hash   TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX partner_keys_hash ON partner_keys (key_hash);

-- Single-use sign-in tokens for the embed, minted by the partner's server: bound to a
-- company, a dispatcher and the embedding origin, valid for a minute. Also the
-- single-use WebSocket tickets of bearer sessions (`origin` empty, `kind` 'ticket').
CREATE TABLE embed_tokens (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('signin', 'ticket')),
    company_id TEXT NOT NULL REFERENCES companies (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    origin     TEXT NOT NULL,
    session_hash TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
