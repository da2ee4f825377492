-- 徴収: premium accounts of 任意継続 / 特例退職 insured (docs/premiums.md).
--
-- Read models (ADR 0002), derived from the `premium_account-<uuid>` streams: `kenpo projections
-- rebuild` truncates and refills premium_accounts, premium_ledger and premium_refunds, and a
-- rebuilt table equals the live one.

CREATE TABLE premium_accounts (
    person_id        uuid    PRIMARY KEY,
    -- 顧客番号: position of AccountOpened, 9 digits + Luhn check digit (NULL past 999,999,999)
    customer_number  text    UNIQUE,
    -- voluntary_continuation (任意継続) or special_retiree (特例退職)
    category         text    NOT NULL,
    -- open or closed
    status           text    NOT NULL,
    acquired_on      date    NOT NULL,
    lost_on          date,
    -- totals in yen: Σ assessed, Σ money received, Σ refunds paid, credit held, Σ month balances
    assessed         bigint  NOT NULL,
    received         bigint  NOT NULL,
    refunded         bigint  NOT NULL,
    credit           bigint  NOT NULL,
    outstanding      bigint  NOT NULL,
    -- the whole account view (ledger by month, receipts, refunds, totals), served as is
    view             jsonb   NOT NULL,
    stream_version   bigint  NOT NULL
);

-- 保険料収納記録 by month.
CREATE TABLE premium_ledger (
    person_id              uuid     NOT NULL,
    -- 月分, as its first day
    month                  date     NOT NULL,
    -- 納付期日
    due_on                 date     NOT NULL,
    assessed               bigint   NOT NULL,
    received               bigint   NOT NULL,
    -- assessed − received
    balance                bigint   NOT NULL,
    -- unpaid, partially_paid, paid, prepaid, no_premium or cancelled
    status                 text     NOT NULL,
    prepaid                boolean  NOT NULL,
    cancelled              boolean  NOT NULL,
    -- as_of of the 未納 check that first recorded the month
    arrears_detected_as_of date,
    PRIMARY KEY (person_id, month)
);

-- 未納 as of a date: months still owing, by due date.
CREATE INDEX premium_ledger_owing ON premium_ledger (due_on) WHERE balance > 0 AND NOT cancelled;

-- 還付.
CREATE TABLE premium_refunds (
    person_id     uuid     NOT NULL,
    claim_number  integer  NOT NULL,
    claimed_on    date     NOT NULL,
    amount        bigint,
    decided_on    date,
    paid_on       date,
    reference     text,
    -- claimed, decided or paid
    status        text     NOT NULL,
    PRIMARY KEY (person_id, claim_number)
);

CREATE INDEX premium_refunds_status ON premium_refunds (status, claimed_on);

-- Receipt imports (保険料収納 from bank files). NOT read models: they record which files and
-- which bank references were imported, written in the import's own command transaction, so a
-- file or a line is never imported twice. A rebuild leaves them alone.
CREATE TABLE premium_receipt_imports (
    import_id    uuid         PRIMARY KEY,
    -- SHA-256 of the file's bytes (lower-case hex)
    file_digest  text         NOT NULL UNIQUE,
    -- csv (kenpo receipt CSV v1) or zengin_transfer_notice (全銀 振込入金通知)
    format       text         NOT NULL,
    imported_at  timestamptz  NOT NULL DEFAULT now(),
    imported_by  text         NOT NULL,
    -- the import's report as answered (every line with its outcome)
    report       jsonb        NOT NULL
);

-- Each bank reference (取引番号 / 照会番号 key) recorded as a receipt, once.
CREATE TABLE premium_receipt_lines (
    bank_reference  text    PRIMARY KEY,
    import_id       uuid    NOT NULL REFERENCES premium_receipt_imports (import_id),
    source_line     integer NOT NULL,
    person_id       uuid    NOT NULL,
    amount          bigint  NOT NULL,
    received_on     date    NOT NULL,
    -- position of the PremiumReceived event
    position        bigint  NOT NULL
);

CREATE INDEX premium_receipt_lines_person ON premium_receipt_lines (person_id);
