-- Signed checkpoints of the hash chain (issue 10, item 2; ADR 0005 §3). Each row is an Ed25519
-- signature by the signing key of the key directory over the chain's head at one moment:
-- position, head hash, signed_at and key id, in the byte layout of ADR 0005 §3. The same
-- checkpoint is written as a file into the checkpoint directory, outside the database
-- (KENPO_CHECKPOINT_DIR); the row is the copy inside it, for the HTTP verification and for
-- skipping a checkpoint when the head has not moved.
--
-- No foreign key to `event_chain`: a checkpoint must outlive a cut chain, so that verification
-- can say where the cut begins. Append-only, like `event_chain`. Only the public key is
-- stored; the private key never enters the database.
CREATE TABLE chain_checkpoints (
    position   bigint      PRIMARY KEY CHECK (position > 0),
    head_hash  bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    signed_at  timestamptz NOT NULL,
    key_id     text        NOT NULL,
    public_key bytea       NOT NULL CHECK (octet_length(public_key) = 32),
    signature  bytea       NOT NULL CHECK (octet_length(signature) = 64),
    format     text        NOT NULL DEFAULT 'kenpo-chain-checkpoint-v1',
    stored_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER chain_checkpoints_append_only BEFORE UPDATE OR DELETE ON chain_checkpoints
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER chain_checkpoints_no_truncate BEFORE TRUNCATE ON chain_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

COMMENT ON TABLE chain_checkpoints IS
    'Signed checkpoints of the hash chain (ADR 0005 §3): Ed25519 over position, head hash, '
    'signed_at and key id. Also written as files outside the database. Append-only.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        GRANT SELECT, INSERT ON chain_checkpoints TO kenpo_app;
    END IF;
END $$;
