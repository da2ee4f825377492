-- 給付 read models (ADR 0002): benefit claims (給付申請) and benefit certificates (限度額適用認定証,
-- 高齢受給者証, 特定疾病療養受療証). Derived from the `benefit_claim-<uuid>` and
-- `medical_certificate-<uuid>` streams: `kenpo projections rebuild` recreates them, and a rebuilt
-- table equals the live one.

CREATE TABLE benefit_claims (
    claim_id              uuid    PRIMARY KEY,
    -- the insured (被保険者); for 埋葬料 the deceased insured
    person_id             uuid    NOT NULL,
    -- 家族 kinds: the dependent (被扶養者) the event concerns
    beneficiary_person_id uuid,
    -- 給付種別: sickness_allowance, maternity_allowance, childbirth_lump_sum, …
    kind                  text    NOT NULL,
    -- received, registered, decided, payment_instructed, paid, payment_failed, withdrawn
    status                text    NOT NULL,
    -- 受付年月日
    received_on           date    NOT NULL,
    -- 決定年月日 of the decision in force (or 訂正年月日 of its latest correction)
    decided_on            date,
    -- the amount decided in force (0 for 不支給); none before a decision
    amount                bigint,
    -- 支払先 as received ({"type": "employer_account", "office_code": …} …)
    payee                 jsonb   NOT NULL,
    -- the whole claim view: details, calculations with their 算定根拠, the decision in force,
    -- superseded decisions and corrections, payments, notices; served as is
    view                  jsonb   NOT NULL,
    stream_version        bigint  NOT NULL
);

CREATE INDEX benefit_claims_person ON benefit_claims (person_id, received_on DESC);
CREATE INDEX benefit_claims_beneficiary ON benefit_claims (beneficiary_person_id)
    WHERE beneficiary_person_id IS NOT NULL;
CREATE INDEX benefit_claims_status ON benefit_claims (status, received_on DESC);
CREATE INDEX benefit_claims_kind ON benefit_claims (kind, received_on DESC);

CREATE TABLE medical_certificates (
    certificate_id uuid    PRIMARY KEY,
    -- the holder (被保険者 or 被扶養者)
    person_id      uuid    NOT NULL,
    -- limit_application, elderly_recipient, specific_disease
    kind           text    NOT NULL,
    -- in_use or collected
    status         text    NOT NULL,
    -- 交付年月日, 有効開始年月日, 有効終了年月日, 回収年月日
    issued_on      date    NOT NULL,
    valid_from     date    NOT NULL,
    valid_to       date    NOT NULL,
    collected_on   date,
    view           jsonb   NOT NULL,
    stream_version bigint  NOT NULL
);

CREATE INDEX medical_certificates_person ON medical_certificates (person_id, issued_on DESC);
