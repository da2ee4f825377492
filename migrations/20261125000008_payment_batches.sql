-- 振込データ (payment batches) read model (ADR 0002). Derived from the `payment_batch-<uuid>`
-- streams: `kenpo projections rebuild` recreates it, and a rebuilt table equals the live one.
-- One row per batch; the whole view (payments with their status, results) is served as is.

CREATE TABLE payment_batches (
    batch_id       uuid    PRIMARY KEY,
    -- instructed, partially_settled or settled
    status         text    NOT NULL,
    -- 支払指示年月日
    instructed_on  date    NOT NULL,
    -- 振込指定日
    transfer_date  date    NOT NULL,
    -- the claims the batch pays (a claim is in at most one unsettled batch)
    claim_ids      uuid[]  NOT NULL,
    view           jsonb   NOT NULL,
    stream_version bigint  NOT NULL
);

CREATE INDEX payment_batches_instructed ON payment_batches (instructed_on DESC, batch_id DESC);
CREATE INDEX payment_batches_status ON payment_batches (status);
CREATE INDEX payment_batches_claims ON payment_batches USING gin (claim_ids);
