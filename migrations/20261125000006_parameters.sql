-- 保険者パラメータ (society parameter registry) read model (ADR 0002). Derived from the
-- `parameter-<uuid>` streams (one per key): `kenpo projections rebuild` recreates it, and a
-- rebuilt table equals the live one. One row per entry in force: a corrected entry is replaced
-- by its correction (the stream keeps both).

CREATE TABLE parameters (
    -- stable snake_case key, e.g. general_premium_rate
    key              text        NOT NULL,
    -- first day the value is in force; it lasts until the next row's date
    effective_from   date        NOT NULL,
    -- rate, yen or grade_table
    kind             text        NOT NULL,
    -- exact text: "0.0985", "500000", "2016-04-01"
    value            text        NOT NULL,
    -- stream version of the event that recorded the entry as it stands (ParameterRef.version)
    version          bigint      NOT NULL,
    -- the version this entry corrected, if it is a correction
    corrects_version bigint,
    -- 告示, 規約 or 法令
    source           text        NOT NULL,
    reason           text        NOT NULL,
    recorded_at      timestamptz NOT NULL,
    -- 職員ID, or `seed` for statutory values shipped with kenpo
    recorded_by      text        NOT NULL,
    PRIMARY KEY (key, effective_from)
);
