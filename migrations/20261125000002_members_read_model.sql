-- 適用 read models (ADR 0002). Derived data: `kenpo projections rebuild` recreates them from
-- the event log, and a rebuilt table equals the live one.

CREATE TABLE members (
    person_id         uuid    PRIMARY KEY,
    -- insured (被保険者) or dependent (被扶養者)
    kind              text    NOT NULL,
    -- qualified (資格有) or lost (喪失)
    status            text    NOT NULL,
    insured_person_id uuid,
    office_code       text,
    symbol            text,
    number            text,
    branch            text,
    kana_name         text    NOT NULL,
    birth_date        date    NOT NULL,
    -- the whole current view (identification, category, remuneration, certificates, leaves,
    -- account, qualification periods), served as is
    view              jsonb   NOT NULL,
    stream_version    bigint  NOT NULL
);

CREATE INDEX members_symbol_number ON members (symbol, number);
CREATE INDEX members_office ON members (office_code, kana_name);
CREATE INDEX members_kana ON members (kana_name text_pattern_ops);
CREATE INDEX members_birth_date ON members (birth_date);
CREATE INDEX members_insured ON members (insured_person_id) WHERE insured_person_id IS NOT NULL;
