use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_digits, check_text, KanaName, ValueError};

/// 口座種別 (digest.md §1.1 給付金支給先等口座 #3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    /// 普通.
    Ordinary,
    /// 当座.
    Current,
    /// 貯蓄.
    Savings,
}

/// 給付金支給先口座: the bank account benefits are paid to (digest.md §1.1, L1858–1862):
/// 金融機関コード (4 digits), 支店コード (3 digits), 口座種別, 口座番号 (7 digits) and 名義人 in
/// katakana. Bank and branch names are optional display text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "PaymentAccountFields", deny_unknown_fields)]
pub struct PaymentAccount {
    /// 金融機関コード: 4 digits.
    #[schema(example = "0001")]
    bank_code: String,
    /// 金融機関名.
    #[schema(example = "みずほ銀行")]
    bank_name: Option<String>,
    /// 支店コード: 3 digits.
    #[schema(example = "001")]
    branch_code: String,
    /// 支店名.
    #[schema(example = "東京営業部")]
    branch_name: Option<String>,
    /// 口座種別.
    account_type: AccountType,
    /// 口座番号: 7 digits.
    #[schema(example = "1234567")]
    account_number: String,
    /// 名義人 (カナ).
    holder: KanaName,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentAccountFields {
    bank_code: String,
    #[serde(default)]
    bank_name: Option<String>,
    branch_code: String,
    #[serde(default)]
    branch_name: Option<String>,
    account_type: AccountType,
    account_number: String,
    holder: KanaName,
}

impl TryFrom<PaymentAccountFields> for PaymentAccount {
    type Error = ValueError;
    fn try_from(f: PaymentAccountFields) -> Result<Self, ValueError> {
        let mut account = PaymentAccount::new(
            &f.bank_code,
            &f.branch_code,
            f.account_type,
            &f.account_number,
            f.holder,
        )?;
        if let Some(name) = f.bank_name {
            account.bank_name = Some(check_text("bank name (金融機関名)", &name, 50)?);
        }
        if let Some(name) = f.branch_name {
            account.branch_name = Some(check_text("branch name (支店名)", &name, 50)?);
        }
        Ok(account)
    }
}

impl PaymentAccount {
    /// Validates an account without bank and branch names.
    pub fn new(
        bank_code: &str,
        branch_code: &str,
        account_type: AccountType,
        account_number: &str,
        holder: KanaName,
    ) -> Result<Self, ValueError> {
        check_digits("bank code (金融機関コード)", bank_code, 4, 4)?;
        check_digits("branch code (支店コード)", branch_code, 3, 3)?;
        check_digits("account number (口座番号)", account_number, 7, 7)?;
        Ok(PaymentAccount {
            bank_code: bank_code.to_string(),
            bank_name: None,
            branch_code: branch_code.to_string(),
            branch_name: None,
            account_type,
            account_number: account_number.to_string(),
            holder,
        })
    }

    /// 金融機関コード.
    pub fn bank_code(&self) -> &str {
        &self.bank_code
    }

    /// 金融機関名, if given.
    pub fn bank_name(&self) -> Option<&str> {
        self.bank_name.as_deref()
    }

    /// 支店コード.
    pub fn branch_code(&self) -> &str {
        &self.branch_code
    }

    /// 支店名, if given.
    pub fn branch_name(&self) -> Option<&str> {
        self.branch_name.as_deref()
    }

    /// 口座種別.
    pub fn account_type(&self) -> AccountType {
        self.account_type
    }

    /// 口座番号.
    pub fn account_number(&self) -> &str {
        &self.account_number
    }

    /// 名義人.
    pub fn holder(&self) -> &KanaName {
        &self.holder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> KanaName {
        KanaName::parse("ヤマダ タロウ").expect("valid kana")
    }

    #[test]
    fn validates_codes() {
        assert!(
            PaymentAccount::new("0001", "001", AccountType::Ordinary, "1234567", holder()).is_ok()
        );
        assert!(
            PaymentAccount::new("001", "001", AccountType::Ordinary, "1234567", holder()).is_err()
        );
        assert!(
            PaymentAccount::new("0001", "01", AccountType::Ordinary, "1234567", holder()).is_err()
        );
        assert!(
            PaymentAccount::new("0001", "001", AccountType::Ordinary, "123456", holder()).is_err()
        );
        assert!(
            PaymentAccount::new("0001", "001", AccountType::Ordinary, "12345a7", holder()).is_err()
        );
    }

    #[test]
    fn serde_round_trip() {
        let json = r#"{"bank_code":"0001","bank_name":"みずほ銀行","branch_code":"001","branch_name":null,"account_type":"ordinary","account_number":"1234567","holder":"ヤマダ タロウ"}"#;
        let account: PaymentAccount = serde_json::from_str(json).expect("parses");
        assert_eq!(account.bank_name(), Some("みずほ銀行"));
        assert_eq!(serde_json::to_string(&account).expect("serializes"), json);
        let bad = json.replace("\"1234567\"", "\"123\"");
        assert!(serde_json::from_str::<PaymentAccount>(&bad).is_err());
        let bad_holder = json.replace("ヤマダ タロウ", "yamada");
        assert!(serde_json::from_str::<PaymentAccount>(&bad_holder).is_err());
    }
}
