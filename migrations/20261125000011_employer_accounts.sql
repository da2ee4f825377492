-- 事業主口座 (employers' accounts benefits are paid to) read model (ADR 0002). Derived from the
-- `employer-<uuid>` streams (one per 事業所コード): `kenpo projections rebuild` recreates it, and
-- a rebuilt table equals the live one. One row per entry of the register: an account in force
-- from `effective_from` until the next row's date, or a closure (no account from that day).

CREATE TABLE employer_accounts (
    -- 事業所コード (1 to 8 digits)
    office_code    text        NOT NULL,
    -- first day the entry is in force; it lasts until the next row's date
    effective_from date        NOT NULL,
    -- registered or closed
    status         text        NOT NULL CHECK (status IN ('registered', 'closed')),
    -- the account (bank_code, branch_code, account_type, account_number, holder, names);
    -- NULL for a closure
    account        jsonb,
    -- 受付年月日
    received_on    date        NOT NULL,
    -- why the account was closed (closures only)
    reason         text,
    -- stream version of the event that recorded the entry
    version        bigint      NOT NULL,
    recorded_at    timestamptz NOT NULL,
    -- 職員ID
    recorded_by    text        NOT NULL,
    PRIMARY KEY (office_code, effective_from),
    CHECK ((status = 'registered') = (account IS NOT NULL))
);
