-- The application role (issue 8, item 4; docs/operations.md "Database roles").
--
-- kenpo runs under two database roles, as Message DB does:
--   * the owner (the user that runs `kenpo migrate`): owns every table, runs the migrations;
--   * `kenpo_app` (NOLOGIN): what `kenpo serve` may do. A login role that is a member of it
--     (`kenpo_service` in the embedded default) is the service's DATABASE_URL.
-- `kenpo_app` may SELECT and INSERT events and the other append-only tables, never UPDATE,
-- DELETE or TRUNCATE them, and owns nothing, so it can neither alter a table nor disable or
-- drop the immutability triggers (20261125000001): history cannot be rewritten through it.
--
-- Creating the role needs CREATEROLE (or a superuser). Where the migrating user has neither
-- (e.g. a managed PostgreSQL), an administrator creates it once, then runs `kenpo migrate`:
--     CREATE ROLE kenpo_app NOLOGIN;
-- Every later migration that adds a table ends with its own guarded GRANTs to kenpo_app.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app') THEN
        IF NOT EXISTS (
            SELECT 1 FROM pg_roles
            WHERE rolname = current_user AND (rolsuper OR rolcreaterole)
        ) THEN
            RAISE EXCEPTION 'the database role kenpo_app does not exist and % may not create it',
                current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'as an administrator run: CREATE ROLE kenpo_app NOLOGIN; '
                             'then run kenpo migrate again (docs/operations.md, "Database roles")';
        END IF;
        BEGIN
            CREATE ROLE kenpo_app NOLOGIN;
        EXCEPTION
            -- created concurrently (roles are cluster-wide: another database migrating at once)
            WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
END
$$;

-- The event log and the other append-only tables: read and append, nothing else.
GRANT SELECT, INSERT ON events, my_number_access_log, erasure_ledger TO kenpo_app;

-- Stream versions: appended, bumped by every append, locked FOR UPDATE/SHARE by commands.
GRANT SELECT, INSERT, UPDATE ON streams TO kenpo_app;

-- Idempotency records: written in the command's own transaction, read on a repeat.
GRANT SELECT, INSERT ON idempotency_keys TO kenpo_app;

-- Data keys: created on first use, re-wrapped by `kenpo keys rotate`, deleted by retention
-- (crypto-shredding). The blind index: written on entry, deleted on change and erasure.
GRANT SELECT, INSERT, UPDATE, DELETE ON subject_keys TO kenpo_app;
GRANT SELECT, INSERT, DELETE ON my_number_index TO kenpo_app;

-- Elevations: started and ended by the service.
GRANT SELECT, INSERT, UPDATE ON my_number_elevations TO kenpo_app;

-- Read models kept in the command's transaction (INSERT … ON CONFLICT DO UPDATE). TRUNCATE is
-- not granted: `kenpo projections rebuild` runs as the owner.
GRANT SELECT, INSERT, UPDATE ON members, staff_accounts, my_number_status, benefit_claims,
    medical_certificates, payment_batches, premium_accounts, premium_ledger, premium_refunds,
    employer_notices TO kenpo_app;
GRANT SELECT, INSERT ON employer_accounts TO kenpo_app;
-- parameters: a view's rows are replaced (DELETE, then INSERT)
GRANT SELECT, INSERT, DELETE ON parameters TO kenpo_app;

-- Receipt imports: one row per file, its report filled in at the end; one row per line.
GRANT SELECT, INSERT, UPDATE ON premium_receipt_imports TO kenpo_app;
GRANT SELECT, INSERT ON premium_receipt_lines TO kenpo_app;

-- Rebuild checkpoints are written by the owner only.
GRANT SELECT ON projection_checkpoints TO kenpo_app;

-- `kenpo serve` refuses to start while migrations are pending: it reads the applied ones.
GRANT SELECT ON _sqlx_migrations TO kenpo_app;

-- nextval() of the global position and of the append-only tables' keys; readers of the log
-- read the last position drawn (the high-water mark, infrastructure/src/event_store/feed.rs).
-- Never UPDATE (setval).
GRANT USAGE ON SEQUENCE event_position_seq, my_number_access_log_seq_seq,
    erasure_ledger_ledger_seq_seq TO kenpo_app;
GRANT SELECT ON SEQUENCE event_position_seq TO kenpo_app;
