-- Identity: the persons service owns who attendees are, so it also keeps
-- what proves it.

-- Keys that sign UdaConnect's tokens. The newest unretired key signs; every
-- unretired key is published so that tokens signed before a rotation still
-- verify.
CREATE TABLE signing_key (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- PKCS#8 DER of an Ed25519 private key.
    private_key bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

-- One-time codes an organizer hands an attendee. Only a SHA-256 hash is
-- kept, so reading the table does not reveal a usable code.
CREATE TABLE enrollment_code (
    code_hash   bytea PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    redeemed_at timestamptz
);
CREATE INDEX enrollment_code_person ON enrollment_code (person_id);

-- Phones bound to an attendee. A device token's id is its device's id, so
-- revoking the device revokes the token.
CREATE TABLE device (
    id         uuid PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX device_person ON device (person_id);
CREATE INDEX device_revoked ON device (created_at) WHERE revoked_at IS NOT NULL;
