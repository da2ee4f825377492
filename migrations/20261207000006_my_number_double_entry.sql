-- 個人番号 double entry (ダブルチェック, issue 9 item 4): a 登録 or 変更 is pending until a second
-- permitted person confirms it. The status read model shows the pending entry (who, when, kind),
-- never the number: the number is sealed in the person's My Number stream only.
-- No new table: the application role's grants on my_number_status cover the new columns.
ALTER TABLE my_number_status
    ADD COLUMN pending_entry_id   uuid,
    ADD COLUMN pending_kind       text,
    ADD COLUMN pending_entered_by text,
    ADD COLUMN pending_entered_at timestamptz;
