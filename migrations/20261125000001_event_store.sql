-- kenpo event store (ADR 0001).
--
-- One append-only table of events with a global position, plus one row per stream holding its
-- current version (optimistic concurrency and a row to lock). Events are immutable: UPDATE,
-- DELETE and TRUNCATE on `events` raise an error in the database itself.

CREATE SEQUENCE event_position_seq AS bigint MINVALUE 1 START 1 CACHE 1;

CREATE TABLE streams (
    stream_id   text        PRIMARY KEY,
    stream_type text        NOT NULL,
    version     bigint      NOT NULL CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    -- Global position: assigned inside the appending transaction from event_position_seq.
    -- Readers only read up to a high-water mark below which no transaction is still in flight
    -- (see infrastructure/src/event_store/feed.rs), so no late commit is ever skipped.
    position      bigint      PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    stream_id     text        NOT NULL REFERENCES streams (stream_id),
    stream_type   text        NOT NULL,
    version       bigint      NOT NULL CHECK (version >= 1),
    event_type    text        NOT NULL,
    event_version text        NOT NULL,
    payload       jsonb       NOT NULL,
    metadata      jsonb       NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (stream_id, version)
);

CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % on events is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_immutable();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_immutable();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable();

-- Idempotent commands: one row per (actor, Idempotency-Key), written in the command's own
-- transaction, so a key is recorded if and only if the command's events are.
CREATE TABLE idempotency_keys (
    actor           text        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    text        NOT NULL,
    response_status integer     NOT NULL,
    response_body   jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, idempotency_key)
);

-- Where each asynchronous or rebuilt projection has got to.
CREATE TABLE projection_checkpoints (
    projection text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
