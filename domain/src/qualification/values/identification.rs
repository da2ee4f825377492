use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_digits, string_value, ValueError};

string_value!(
    /// 続柄コード: the society's code for the relationship to the insured (本人 / 配偶者 / 子 …),
    /// 1 or 2 digits (digest.md §1.1 #11; the code table is the society's own).
    RelationshipCode,
    "01",
    "続柄コード: 1 or 2 digits."
);

impl RelationshipCode {
    /// Validates a relationship code.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let text = s.trim();
        check_digits("relationship code (続柄コード)", text, 1, 2)?;
        Ok(RelationshipCode(text.to_string()))
    }
}

/// 識別番号: the society's own person key (digest.md §0.1): 事業所コード, 記号・番号 + 2-digit
/// 枝番 (証記号番号＋枝番, digest.md §1.1 #1) and 続柄コード. It changes when an insured moves
/// between 事業所, so its history is kept in events (ARCHITECTURE.md, domain model).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "IdentificationNumberFields", deny_unknown_fields)]
pub struct IdentificationNumber {
    /// 事業所コード: 1 to 8 digits.
    #[schema(example = "1234")]
    office_code: String,
    /// 記号: 1 to 8 digits.
    #[schema(example = "100")]
    symbol: String,
    /// 番号: 1 to 8 digits.
    #[schema(example = "2345")]
    number: String,
    /// 枝番: exactly 2 digits.
    #[schema(example = "00")]
    branch: String,
    /// 続柄コード: 1 or 2 digits.
    #[schema(value_type = String, example = "01")]
    relationship_code: RelationshipCode,
}

/// The unchecked fields of an [`IdentificationNumber`] as they arrive on the wire.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentificationNumberFields {
    office_code: String,
    symbol: String,
    number: String,
    branch: String,
    relationship_code: String,
}

impl TryFrom<IdentificationNumberFields> for IdentificationNumber {
    type Error = ValueError;
    fn try_from(f: IdentificationNumberFields) -> Result<Self, ValueError> {
        IdentificationNumber::new(
            &f.office_code,
            &f.symbol,
            &f.number,
            &f.branch,
            &f.relationship_code,
        )
    }
}

impl IdentificationNumber {
    /// Validates the parts of a 識別番号.
    pub fn new(
        office_code: &str,
        symbol: &str,
        number: &str,
        branch: &str,
        relationship_code: &str,
    ) -> Result<Self, ValueError> {
        check_digits("office code (事業所コード)", office_code, 1, 8)?;
        check_digits("symbol (記号)", symbol, 1, 8)?;
        check_digits("number (番号)", number, 1, 8)?;
        check_digits("branch (枝番)", branch, 2, 2)?;
        Ok(IdentificationNumber {
            office_code: office_code.to_string(),
            symbol: symbol.to_string(),
            number: number.to_string(),
            branch: branch.to_string(),
            relationship_code: RelationshipCode::parse(relationship_code)?,
        })
    }

    /// 事業所コード.
    pub fn office_code(&self) -> &str {
        &self.office_code
    }

    /// 記号.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// 番号.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// 枝番.
    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// 続柄コード.
    pub fn relationship_code(&self) -> &RelationshipCode {
        &self.relationship_code
    }
}

impl fmt::Display for IdentificationNumber {
    /// `事業所コード/記号-番号-枝番/続柄コード`, e.g. `1234/100-2345-00/01`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}-{}-{}/{}",
            self.office_code, self.symbol, self.number, self.branch, self.relationship_code
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identification_number() {
        let id = IdentificationNumber::new("1234", "100", "2345", "00", "01").expect("valid");
        assert_eq!(id.to_string(), "1234/100-2345-00/01");
        assert!(IdentificationNumber::new("1234", "100", "2345", "0", "01").is_err());
        assert!(IdentificationNumber::new("1234", "100", "2345", "000", "01").is_err());
        assert!(IdentificationNumber::new("12a4", "100", "2345", "00", "01").is_err());
        assert!(IdentificationNumber::new("", "100", "2345", "00", "01").is_err());
        assert!(IdentificationNumber::new("123456789", "100", "2345", "00", "01").is_err());
        assert!(IdentificationNumber::new("1234", "100", "2345", "00", "123").is_err());
    }

    #[test]
    fn identification_serde() {
        let json = r#"{"office_code":"1234","symbol":"100","number":"2345","branch":"01","relationship_code":"02"}"#;
        let id: IdentificationNumber = serde_json::from_str(json).expect("parses");
        assert_eq!(id.branch(), "01");
        assert_eq!(serde_json::to_string(&id).expect("serializes"), json);
        let bad = r#"{"office_code":"1234","symbol":"100","number":"2345","branch":"1","relationship_code":"02"}"#;
        let err = serde_json::from_str::<IdentificationNumber>(bad)
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("枝番"), "{err}");
        let extra = r#"{"office_code":"1234","symbol":"100","number":"2345","branch":"01","relationship_code":"02","x":1}"#;
        assert!(serde_json::from_str::<IdentificationNumber>(extra).is_err());
    }
}
