use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_text, string_value, ValueError};

/// 性別 (digest.md §1.1 #6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

/// 加入区分 (digest.md §1.1 #8: 強制・任継・特退).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentCategory {
    /// 強制: an employee of an 適用事業所 (健康保険法3条1項).
    Compulsory,
    /// 任意継続 (任継): continued after leaving employment (3条4項, 37条; rules.md §3.7).
    VoluntaryContinuation,
    /// 特例退職 (特退): retiree of a 特定健康保険組合 (附則3条; rules.md §7 item 11).
    SpecialRetiree,
}

impl EnrollmentCategory {
    /// The Japanese name, for messages.
    pub const fn japanese(self) -> &'static str {
        match self {
            EnrollmentCategory::Compulsory => "強制",
            EnrollmentCategory::VoluntaryContinuation => "任意継続",
            EnrollmentCategory::SpecialRetiree => "特例退職",
        }
    }
}

impl fmt::Display for EnrollmentCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let english = match self {
            EnrollmentCategory::Compulsory => "compulsory",
            EnrollmentCategory::VoluntaryContinuation => "voluntary continuation",
            EnrollmentCategory::SpecialRetiree => "special retiree",
        };
        write!(f, "{english} ({})", self.japanese())
    }
}

/// 続柄: a dependent's relationship to the insured, by the ranges of 健康保険法3条7項
/// (rules.md §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// 配偶者 (including 内縁, 3条7項1号).
    Spouse,
    /// 子.
    Child,
    /// 父母 (直系尊属).
    Parent,
    /// 祖父母 (直系尊属).
    Grandparent,
    /// 孫.
    Grandchild,
    /// 兄弟姉妹.
    Sibling,
    /// その他の三親等内の親族 (同一世帯 required, 3条7項2号).
    OtherRelativeWithinThirdDegree,
    /// 内縁配偶者の父母・子 (同一世帯 required, 3条7項3号・4号).
    CommonLawSpouseParentOrChild,
}

string_value!(
    /// 所属コード: the member's department code within the employer (digest.md §1.1 #22),
    /// 1 to 10 ASCII letters or digits.
    AffiliationCode,
    "A001",
    "所属コード: 1 to 10 ASCII letters or digits."
);

impl AffiliationCode {
    /// Validates an affiliation code.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let text = s.trim();
        if text.is_empty() || text.len() > 10 || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ValueError::new(
                "affiliation code (所属コード)",
                "must be 1 to 10 ASCII letters or digits",
            ));
        }
        Ok(AffiliationCode(text.to_string()))
    }
}

string_value!(
    /// 従業員番号 (digest.md §1.1 #23): 1 to 20 ASCII letters, digits or hyphens.
    EmployeeNumber,
    "E-000123",
    "従業員番号: 1 to 20 ASCII letters, digits or hyphens."
);

impl EmployeeNumber {
    /// Validates an employee number.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let text = s.trim();
        if text.is_empty()
            || text.len() > 20
            || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ValueError::new(
                "employee number (従業員番号)",
                "must be 1 to 20 ASCII letters, digits or hyphens",
            ));
        }
        Ok(EmployeeNumber(text.to_string()))
    }
}

string_value!(
    /// Free text a clerk writes when no code fits (その他の理由), 1 to 500 characters.
    Description,
    "届出書の記載による",
    "Free text, 1 to 500 characters."
);

impl Description {
    /// Trims and validates a description.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        check_text("description", s, 500).map(Description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert!(AffiliationCode::parse("A001").is_ok());
        assert!(AffiliationCode::parse("A-01").is_err());
        assert!(EmployeeNumber::parse("E-000123").is_ok());
        assert!(EmployeeNumber::parse("").is_err());
        assert!(Description::parse(" ").is_err());
        assert_eq!(
            serde_json::to_string(&EnrollmentCategory::VoluntaryContinuation).ok(),
            Some("\"voluntary_continuation\"".into())
        );
    }
}
