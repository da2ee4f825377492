-- Per-person data keys for the My Number (個人番号) streams (design my-number-security.md §7.3,
-- infrastructure/src/crypto).
--
-- No key material in clear: wrapped_dek is the person's 32-byte data key encrypted with
-- AES-256-GCM under key-encryption key version kek_version, which lives outside the database
-- (KENPO_KEY_DIR or KENPO_KEK_V<n>_B64). The AEAD binds the blob to person_id, key_id and
-- kek_version. Format: 0x01 | nonce[12] | ciphertext[32] | tag[16].
--
-- The retention job deletes a person's row to crypto-shred their My Number events: without the
-- row no sealed value of that person can be opened again. `kenpo keys rotate` re-wraps rows
-- under a new KEK version in place (kek_version, wrapped_dek, rewrapped_at); no event changes.
CREATE TABLE subject_keys (
    person_id    uuid        PRIMARY KEY,
    key_id       uuid        NOT NULL UNIQUE,
    kek_version  integer     NOT NULL CHECK (kek_version >= 1),
    wrapped_dek  bytea       NOT NULL CHECK (octet_length(wrapped_dek) BETWEEN 29 AND 1024),
    created_at   timestamptz NOT NULL DEFAULT now(),
    rewrapped_at timestamptz
);

-- Re-wrapping finds the rows under older KEK versions in order; `keys destroy` checks that no
-- row is left under a version before destroying it.
CREATE INDEX subject_keys_kek_version_idx ON subject_keys (kek_version, person_id);

COMMENT ON TABLE subject_keys IS
    'Per-person My Number data keys, wrapped by a KEK kept outside the database; no key material '
    'in clear. Deleted by the retention job to crypto-shred.';
COMMENT ON COLUMN subject_keys.wrapped_dek IS
    'AES-256-GCM(KEK v kek_version, data key), AAD = kenpo/dek/1 | person_id | key_id | kek_version';
