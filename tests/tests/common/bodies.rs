//! Request bodies as a staff UI would send them.

use serde_json::{json, Value};
use uuid::Uuid;

/// 資格取得 of a compulsory insured born 1980-04-01, acquired 2025-04-01, 報酬月額 300,000.
pub fn acquisition(person_id: Uuid, symbol: &str, number: &str) -> Value {
    json!({
        "person_id": person_id,
        "category": "compulsory",
        "acquired_on": "2025-04-01",
        "reason": { "kind": "employment" },
        "received_on": "令和7年4月3日",
        "name": "山田 太郎",
        "kana": "ヤマダ タロウ",
        "sex": "male",
        "birth_date": "S55.4.1",
        "resident_address": "東京都千代田区千代田1-1",
        "identification": {
            "office_code": "1234",
            "symbol": symbol,
            "number": number,
            "branch": "00",
            "relationship_code": "0"
        },
        "monthly_remuneration": 300000
    })
}

/// 資格喪失 by 退職: last working day 2026-03-31 → lost on 2026-04-01 (健康保険法36条).
pub fn retirement() -> Value {
    json!({
        "lost_on": "2026-04-01",
        "reason": { "kind": "retirement", "last_working_day": "2026-03-31" },
        "received_on": "2026-04-03"
    })
}

/// 被扶養者認定 of a spouse under `insured`.
pub fn dependent(person_id: Uuid, insured: Uuid, symbol: &str, number: &str) -> Value {
    json!({
        "person_id": person_id,
        "insured_person_id": insured,
        "relationship": "spouse",
        "recognized_on": "2025-05-01",
        "received_on": "2025-05-02",
        "name": "山田 花子",
        "kana": "ヤマダ ハナコ",
        "sex": "female",
        "birth_date": "1982-06-15",
        "resident_address": "東京都千代田区千代田1-1",
        "identification": {
            "office_code": "1234",
            "symbol": symbol,
            "number": number,
            "branch": "01",
            "relationship_code": "5"
        }
    })
}
