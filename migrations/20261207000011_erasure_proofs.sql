-- Proofs of erasure on demand (issue 10 item 5): `kenpo audit erasure-proof` scans the database
-- for any trace of erased persons' 個人番号 that kenpo can still compute and stores here the
-- report it signed (application/erasure_proof). Append-only, like the erasure 管理簿.
--
--   report      the report (JSON, format kenpo-erasure-proof-v1) as signed: the signature is
--               Ed25519 over exactly these bytes, so it is kept as text, never re-serialised;
--   key_id, public_key, signature
--               the signing key's id and public key (hex) and the signature (base64). The
--               private key stays outside the database (the key directory or the environment);
--   scope, result, person_ids, requested_by, created_at
--               copies of the report's fields to list and filter by.
--
-- A report names tables, columns and rows, never a 個人番号, a digest or a sealed value.
CREATE TABLE erasure_proofs (
    proof_id     uuid        PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    requested_by text        NOT NULL,
    scope        jsonb       NOT NULL,
    result       text        NOT NULL CHECK (result IN ('clean', 'traces_found', 'incomplete')),
    person_ids   uuid[]      NOT NULL,
    report       text        NOT NULL,
    key_id       text        NOT NULL,
    public_key   text        NOT NULL CHECK (public_key ~ '^[0-9a-f]{64}$'),
    signature    text        NOT NULL
);
CREATE INDEX erasure_proofs_created_at ON erasure_proofs (created_at);
CREATE INDEX erasure_proofs_person_ids ON erasure_proofs USING gin (person_ids);
CREATE TRIGGER erasure_proofs_append_only BEFORE UPDATE OR DELETE ON erasure_proofs
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER erasure_proofs_no_truncate BEFORE TRUNCATE ON erasure_proofs
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

COMMENT ON TABLE erasure_proofs IS
    'Signed proofs of erasure (kenpo audit erasure-proof): the report text exactly as signed '
    '(Ed25519), the signing key id and public key, the signature. Append-only. Never a 個人番号.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        GRANT SELECT, INSERT ON erasure_proofs TO kenpo_app;
    END IF;
END $$;
