-- Every read of personal data (issue 9, item 3): who read, when, from where, through which
-- route, whose data and how much. Written by every GET under /api/v1 that answers with personal
-- data, after the data is read and before it is answered; the read fails (500) when the row
-- cannot be written. Reads of 個人番号 themselves stay in `my_number_access_log`.
--
-- The endpoint is the route template (`GET /api/v1/members/{person_id}`), never the path as
-- sent nor its query string: search terms can be names. No 個人番号 is ever stored here.
-- Append-only, like `my_number_access_log`.
CREATE TABLE personal_data_access_log (
    seq            bigserial   PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    staff_id       text        NOT NULL,
    -- the roles the user acted under (the token's roles the ユーザ管理簿 also holds)
    roles          text[]      NOT NULL,
    client_address text,
    terminal_id    text,
    request_id     text        NOT NULL,
    -- method and route template, e.g. 'GET /api/v1/members/{person_id}'
    endpoint       text        NOT NULL,
    -- the persons whose data the answer held
    person_ids     uuid[]      NOT NULL DEFAULT '{}',
    -- the staff accounts (ユーザ管理簿) the answer held: staff are persons too
    staff_ids      text[]      NOT NULL DEFAULT '{}',
    -- records in the answer (list items; 1 for a single record)
    row_count      integer     NOT NULL CHECK (row_count >= 0)
);
CREATE INDEX personal_data_access_log_at ON personal_data_access_log (at);
CREATE INDEX personal_data_access_log_staff ON personal_data_access_log (staff_id, at);
CREATE INDEX personal_data_access_log_persons ON personal_data_access_log USING gin (person_ids);
CREATE TRIGGER personal_data_access_log_append_only BEFORE UPDATE OR DELETE ON personal_data_access_log
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER personal_data_access_log_no_truncate BEFORE TRUNCATE ON personal_data_access_log
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

COMMENT ON TABLE personal_data_access_log IS
    'Every read of personal data through the API: staff, roles, client, terminal, request, '
    'endpoint (route template, never query values), persons and staff accounts read, rows. '
    'Append-only. Never a 個人番号.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        GRANT SELECT, INSERT ON personal_data_access_log TO kenpo_app;
        GRANT USAGE ON SEQUENCE personal_data_access_log_seq_seq TO kenpo_app;
    END IF;
END $$;
