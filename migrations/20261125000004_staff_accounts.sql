-- ユーザ管理簿 (staff account registry) read model (ADR 0002). Derived from the
-- `staff_account-<uuid>` streams: `kenpo projections rebuild` recreates it, and a rebuilt table
-- equals the live one. Every authenticated request reads its row by primary key.

CREATE TABLE staff_accounts (
    -- 職員ID (a token's `sub`)
    staff_id             text        PRIMARY KEY,
    -- proposed (creation not yet approved), active, or revoked
    status               text        NOT NULL,
    -- 課; NULL until the creation is approved
    department           text,
    roles                text[]      NOT NULL,
    -- 個人番号 取扱権限
    my_number_permission boolean     NOT NULL,
    valid_from           date,
    valid_to             date,
    revoked_at           timestamptz,
    -- the change waiting for the データ保護担当者, if any
    pending_change_id    uuid        UNIQUE,
    pending_change       jsonb,
    -- the whole view, served as is
    view                 jsonb       NOT NULL,
    stream_version       bigint      NOT NULL
);
