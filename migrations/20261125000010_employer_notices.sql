-- 徴収: 納入告知 (employer premium notices) of the ordinary insured, one per 事業所 and 月分
-- (docs/employer-notices.md).
--
-- `employer_notices` is a read model (ADR 0002): folded inline by the commands of the
-- `employer_notice-<uuid>` streams and rebuilt from the log by `kenpo projections rebuild`.
-- The per-person lines are not copied here: they are served from the notice's stream.

CREATE TABLE employer_notices (
    notice_id      uuid    PRIMARY KEY,
    -- 事業所コード
    office_code    text    NOT NULL,
    -- 月分, YYYY-MM
    month          text    NOT NULL,
    -- issued (未納), partially_paid, paid, nothing_due
    status         text    NOT NULL,
    -- 納入告知額 of the notice in force
    notice_amount  bigint  NOT NULL,
    -- Σ 収納額
    received_total bigint  NOT NULL,
    -- the whole view (totals, receipts, revisions), served as is
    view           jsonb   NOT NULL,
    stream_version bigint  NOT NULL,
    UNIQUE (office_code, month)
);

CREATE INDEX employer_notices_month_status ON employer_notices (month, status, office_code);

-- Who was at a 事業所 in a past month, although the members row shows where they are now:
-- persons acquired there (a 転入 to another 事業所 is a loss and a new acquisition, 36条) and
-- persons who moved from or to it (識別番号 変更). The notice of a month must include them
-- even if they have moved since, and leave out one who came later. Partial indexes on the
-- immutable event log: only those event types have entries.
CREATE INDEX events_office_acquired
    ON events ((payload #>> '{QualificationAcquired,identification,office_code}'))
    WHERE event_type = 'QualificationAcquired';
CREATE INDEX events_office_moved_from
    ON events ((payload #>> '{IdentificationChanged,previous,office_code}'))
    WHERE event_type = 'IdentificationChanged';
CREATE INDEX events_office_moved_to
    ON events ((payload #>> '{IdentificationChanged,identification,office_code}'))
    WHERE event_type = 'IdentificationChanged';
