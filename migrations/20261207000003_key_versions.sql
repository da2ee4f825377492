-- Key versions (issue 8, items 2 and 3): a key check value (KCV) per version of every key kept
-- outside the database, so that kenpo refuses to start with a missing or different key instead
-- of silently creating new ones; the record of destroyed versions; and the blind-index key
-- version of each index entry, so that the blind-index key can be rotated and destroyed.
--
-- A KCV is HMAC-SHA256(key, 'kenpo/kcv/<kind>/<version>'): it tells whether a key is the one
-- recorded and reveals nothing of it. No key material is stored here.

CREATE TABLE key_check_values (
    kind       text        NOT NULL CHECK (kind IN ('kek', 'bidx')),
    version    integer     NOT NULL CHECK (version >= 1),
    kcv        bytea       NOT NULL CHECK (octet_length(kcv) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, version)
);
CREATE TRIGGER key_check_values_append_only BEFORE UPDATE OR DELETE ON key_check_values
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER key_check_values_no_truncate BEFORE TRUNCATE ON key_check_values
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

COMMENT ON TABLE key_check_values IS
    'Key check value per version of each key kept outside the database (kek: key-encryption '
    'key, bidx: blind-index key): HMAC-SHA256(key, kenpo/kcv/<kind>/<version>). Append-only.';

-- `kenpo keys destroy`: a version destroyed after nothing depended on it any more. Start-up no
-- longer asks for it. Append-only.
CREATE TABLE key_destructions (
    kind         text        NOT NULL,
    version      integer     NOT NULL,
    destroyed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, version),
    FOREIGN KEY (kind, version) REFERENCES key_check_values (kind, version)
);
CREATE TRIGGER key_destructions_append_only BEFORE UPDATE OR DELETE ON key_destructions
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER key_destructions_no_truncate BEFORE TRUNCATE ON key_destructions
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Entries written before versions were all under version 1. `kenpo keys rotate --blind-index`
-- moves entries to the new version in batches (bidx and bidx_version change together).
ALTER TABLE my_number_index
    ADD COLUMN bidx_version integer NOT NULL DEFAULT 1 CHECK (bidx_version >= 1);
CREATE INDEX my_number_index_bidx_version_idx ON my_number_index (bidx_version, person_id);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        GRANT SELECT, INSERT ON key_check_values TO kenpo_app;
        GRANT SELECT, INSERT ON key_destructions TO kenpo_app;
        -- `kenpo keys rotate --blind-index` (run as the service role) moves each entry to the
        -- new version in place: bidx and bidx_version change together.
        GRANT UPDATE ON my_number_index TO kenpo_app;
    END IF;
END $$;
