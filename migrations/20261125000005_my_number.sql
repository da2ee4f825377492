-- 個人番号 (issue 3). No table here ever holds a 個人番号 in clear: the number lives only
-- sealed inside the events of a person's `my_number-<uuid>` stream, under that person's data
-- key (subject_keys). Duplicate detection uses a keyed HMAC (blind index) whose key is outside
-- the database.

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

-- Blind index: HMAC-SHA256(BIK, number) → person. Deleted by the retention job with the key.
CREATE TABLE my_number_index (
    bidx          bytea       PRIMARY KEY,
    person_id     uuid        NOT NULL UNIQUE,
    registered_at timestamptz NOT NULL DEFAULT now()
);

-- My Number access switched on by a permitted user for a stated purpose (a short elevation).
CREATE TABLE my_number_elevations (
    elevation_id   uuid        PRIMARY KEY,
    staff_id       text        NOT NULL,
    purpose        text        NOT NULL,
    client_address text,
    terminal_id    text,
    started_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at     timestamptz NOT NULL,
    ended_at       timestamptz
);
CREATE INDEX my_number_elevations_active ON my_number_elevations (staff_id, expires_at)
    WHERE ended_at IS NULL;

-- Every read, entry, change, lookup, refusal and failed attempt: who, when, from where, which
-- person, purpose, outcome. Append-only.
CREATE TABLE my_number_access_log (
    seq            bigserial   PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    staff_id       text        NOT NULL,
    role           text,
    elevation_id   uuid,
    purpose        text,
    client_address text,
    terminal_id    text,
    request_id     text,
    person_id      uuid,
    action         text        NOT NULL,
    outcome        text        NOT NULL,
    reason_code    text
);
CREATE INDEX my_number_access_log_at ON my_number_access_log (at);
CREATE INDEX my_number_access_log_staff ON my_number_access_log (staff_id, at);
CREATE INDEX my_number_access_log_person ON my_number_access_log (person_id, at);
CREATE TRIGGER my_number_access_log_append_only BEFORE UPDATE OR DELETE ON my_number_access_log
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER my_number_access_log_no_truncate BEFORE TRUNCATE ON my_number_access_log
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- 管理簿 of erasures: one row per person and destroyed key. Append-only.
CREATE TABLE erasure_ledger (
    ledger_seq            bigserial   PRIMARY KEY,
    run_id                uuid        NOT NULL,
    person_id             uuid        NOT NULL,
    key_id                uuid        NOT NULL,
    kek_version           integer     NOT NULL,
    qualification_lost_on date        NOT NULL,
    due_on                date        NOT NULL,
    erased_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    erased_by             text        NOT NULL,
    legal_basis           text        NOT NULL,
    UNIQUE (person_id, key_id)
);
CREATE TRIGGER erasure_ledger_append_only BEFORE UPDATE OR DELETE ON erasure_ledger
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER erasure_ledger_no_truncate BEFORE TRUNCATE ON erasure_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Read model of the My Number streams: status only, never the number.
CREATE TABLE my_number_status (
    person_id      uuid        PRIMARY KEY,
    status         text        NOT NULL,
    source         text,
    registered_on  date,
    changed_on     date,
    deleted_on     date,
    not_registered_reason text,
    branch_number  text,
    five_info      text,
    erased_on      date,
    ledger_seq     bigint,
    stream_version bigint      NOT NULL
);

-- The retention job selects by the latest loss date of persons who are not qualified.
ALTER TABLE members ADD COLUMN lost_on date;
CREATE INDEX members_lost_on ON members (lost_on) WHERE status = 'lost';
