-- Idempotency records that give nothing back without a key (issue 8, ADR 0003).
--
-- Until now a record kept SHA-256(method ‖ path ‖ body) and the full JSON answer, for ever.
-- For `POST /persons/{id}/my-number` every other field of the body is in clear in the event,
-- so a dump plus ~10^11 guesses gave the 個人番号 back, even after its erasure. From now on a
-- record holds:
--   fingerprint      HMAC-SHA256 under the blind-index key (kept outside the database) of the
--                    actor and the request: a guess cannot be tested without that key;
--   key_version      the blind-index key version the fingerprint and seal were made under;
--   response_sealed  the first answer, AES-256-GCM under a key derived from the blind-index
--                    key, bound to actor and Idempotency-Key (the status stays in clear);
--   subject_person   the person whose stream the command wrote: their records are deleted in
--                    the transaction that erases their 個人番号;
--   expires_at       never replayed after it; `kenpo serve` purges expired records.
-- (infrastructure/src/idempotency.rs)
--
-- The existing rows are DELETED: they hold unkeyed digests and answers in clear, which is
-- exactly what must not stay. A client retrying a command sent before this migration with the
-- same key runs it again as a new request (If-Match still guards each stream's version).

DELETE FROM idempotency_keys;

ALTER TABLE idempotency_keys
    DROP COLUMN request_hash,
    DROP COLUMN response_body,
    ADD COLUMN fingerprint     bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    ADD COLUMN key_version     bigint      NOT NULL CHECK (key_version >= 1),
    ADD COLUMN response_sealed bytea       NOT NULL,
    ADD COLUMN subject_person  uuid        NULL,
    ADD COLUMN expires_at      timestamptz NOT NULL;

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
CREATE INDEX idempotency_keys_subject_person ON idempotency_keys (subject_person)
    WHERE subject_person IS NOT NULL;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        GRANT SELECT, INSERT, DELETE ON idempotency_keys TO kenpo_app;
    END IF;
END $$;
