-- The hash chain over the event log (issue 10, item 1; ADR 0005). One row per event, written by
-- the chainer that follows the high-water mark, never by the appending transaction: writers
-- stay as concurrent as before. `hash` is SHA-256 over the event's stored form (ADR 0005 §2)
-- and `prev_hash`, the hash of the previous existing position (32 zero bytes for the first).
--
-- No foreign key to `events`: the chain must outlive a tampered log, so that verification can
-- say which chained position went missing. Append-only, like `my_number_access_log`.
CREATE TABLE event_chain (
    position   bigint      PRIMARY KEY,
    hash       bytea       NOT NULL CHECK (octet_length(hash) = 32),
    prev_hash  bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    chained_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER event_chain_append_only BEFORE UPDATE OR DELETE ON event_chain
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER event_chain_no_truncate BEFORE TRUNCATE ON event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

COMMENT ON TABLE event_chain IS
    'Hash chain over events (ADR 0005): per position, SHA-256 of the stored event and the '
    'previous hash. Written behind the high-water mark by the chainer. Append-only.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        GRANT SELECT, INSERT ON event_chain TO kenpo_app;
    END IF;
END $$;
