-- The team tab: invitation links and profile pictures.
-- Same SQL subset as 0001: UUID text ids, Unix-second times.

-- A single-use, expiring link to set one's password. Only the SHA-256 of the token is
-- kept, so a leaked database does not leak usable links. Sending a new invitation
-- revokes the ones still open.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invitations_user ON invitations (user_id);

-- The square thumbnail the server made from an upload (already re-encoded, never the
-- uploaded bytes). `photo_key` equals technician_profiles.photo_key and is the ETag.
-- Kept in the database so it survives restarts and every instance serves it.
CREATE TABLE photos (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    photo_key    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    updated_at   BIGINT NOT NULL
);
