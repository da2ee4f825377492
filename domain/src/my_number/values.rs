//! Codes and values of the 個人番号管理ファイル (digest.md §1.4): where a number came from,
//! why it changed, was deleted or is not registered, the 被保険者枝番 and the 5情報 fields.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::qualification::values::{check_digits, string_value, ValueError};
use crate::qualification::Description;

/// Where the 個人番号 was obtained (入手元): from the person, through the employer, or from
/// J-LIS through 支払基金 (digest.md §0.2, §4.4: 通知カード / 個人番号カード from the person or
/// 事業所, or the 本人確認情報 of J-LIS, L2014–2015, L926–927).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MyNumberSource {
    /// 本人: from the insured (任意継続 members, digest.md §4.4 L2026–2033) or dependant.
    Person,
    /// 事業所: from the employer's 届出書 (ordinary members).
    Employer,
    /// 地方公共団体情報システム機構 (J-LIS): 本人確認情報 obtained through 支払基金.
    Jlis,
}

/// 変更理由 of a 個人番号 (digest.md §1.4 ＜個人番号記録＞ #2; L929–932: "個人番号に誤りや番号変更
/// が生じたとき").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MyNumberChangeReason {
    /// 誤り: the registered number was wrong (e.g. reported by the 中間サーバー's
    /// 個人番号誤入力チェック, digest.md §4.4).
    Correction,
    /// 番号変更: the number itself was changed by the 市町村長 (番号法7条2項).
    Reissued,
    /// その他.
    Other { description: Description },
}

/// 削除理由 of a 個人番号. The seed records only the 削除年月日 (digest.md §1.4 ＜個人番号記録＞ #4,
/// L1818); the reasons are [inference: from §4.6 重複登録の審査 and §4.7 wrong-person linkage].
/// Erasure at the end of retention is not a 削除 but [`super::MyNumberCommand::Erase`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MyNumberDeletionReason {
    /// 誤登録: the number belongs to someone else (digest.md §4.7).
    RegisteredInError,
    /// 重複登録: found in the 重複登録の審査 (digest.md §4.6, L191).
    DuplicateRegistration,
    /// その他.
    Other { description: Description },
}

/// 未登録理由 (digest.md §1.4 ＜個人番号記録＞ #5, L1819: "could not be obtained, etc.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NotRegisteredReason {
    /// 取得不能: the number could not be obtained.
    CouldNotObtain,
    /// 本人拒否: the person declined to give it.
    PersonRefused,
    /// 海外居住: lives abroad (no 住民票, so no number to obtain).
    LivingAbroad,
    /// その他.
    Other { description: Description },
}

/// One of the 5情報 compared with J-LIS (digest.md §0.1 "5情報", L103–104).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FiveInfoField {
    /// 氏名.
    Name,
    /// 氏名の振り仮名.
    NameKana,
    /// 生年月日.
    BirthDate,
    /// 性別.
    Sex,
    /// 住民票住所.
    ResidentAddress,
}

/// Most digits accepted in a [`BranchNumber`].
pub const BRANCH_NUMBER_MAX_DIGITS: usize = 20;

string_value!(
    /// 被保険者枝番: the number the 中間サーバー等 (支払基金) issues when the society registers the
    /// member's 資格情報 in the 委託区画; the key of all information-exchange traffic. Not the
    /// 2-digit 枝番 of 証記号番号＋枝番 (digest.md §0.1, L107–109, L748–751).
    ///
    /// The seed gives no format ("opaque Str", digest.md §1.4 ＜個人番号管理テーブル＞ #2). Taken as
    /// a string of 1 to 20 ASCII digits, leading zeros kept [inference: the value is numeric in
    /// the 中間サーバー's files; the exact length is unconfirmed, so the bound is generous].
    /// It is not 個人番号 and is not sealed; it survives erasure (digest.md §1.8).
    BranchNumber,
    "000000012345",
    "被保険者枝番 (issued by the 中間サーバー等): 1 to 20 digits."
);

impl BranchNumber {
    /// Validates a 被保険者枝番 (surrounding spaces trimmed).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let text = s.trim();
        check_digits(
            "insured branch number (被保険者枝番)",
            text,
            1,
            BRANCH_NUMBER_MAX_DIGITS,
        )?;
        Ok(BranchNumber(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_number_is_1_to_20_digits() {
        assert_eq!(
            BranchNumber::parse(" 0001 ").map(String::from),
            Ok("0001".to_string())
        );
        assert!(BranchNumber::parse("12345678901234567890").is_ok());
        assert!(BranchNumber::parse("123456789012345678901").is_err());
        assert!(BranchNumber::parse("").is_err());
        assert!(BranchNumber::parse("12a").is_err());
    }

    #[test]
    fn reasons_use_a_kind_tag() {
        let reason: NotRegisteredReason =
            serde_json::from_str(r#"{"kind":"living_abroad"}"#).expect("json");
        assert_eq!(reason, NotRegisteredReason::LivingAbroad);
        let other: MyNumberChangeReason =
            serde_json::from_str(r#"{"kind":"other","description":"届出の訂正"}"#).expect("json");
        assert!(matches!(other, MyNumberChangeReason::Other { .. }));
        assert_eq!(
            serde_json::to_string(&MyNumberSource::Jlis).expect("json"),
            "\"jlis\""
        );
    }
}
