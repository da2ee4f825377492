//! Value types of a [`super::PaymentBatch`]: the paying society (振込依頼人), one payment of the
//! batch, a bank result per claim and the batch's status.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::benefits::claim::{BankReference, BenefitKind, Payee};
use crate::calendar::Date;
use crate::money::Yen;
use crate::qualification::values::{check_digits, check_text, ValueError};
use crate::qualification::{Description, PaymentAccount};

/// 預金種目 of the society's own account (依頼人口座): the 総合振込 header accepts 普通, 当座 and
/// その他 only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequesterAccountType {
    /// 1 普通.
    Ordinary,
    /// 2 当座.
    Current,
    /// 9 その他.
    Other,
}

/// 振込依頼人: the society as it appears in the 総合振込 header — the 依頼人コード its bank
/// issued, its name in カナ and the account the transfers are drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "RequesterFields", deny_unknown_fields)]
pub struct TransferRequester {
    /// 振込依頼人コード (委託者コード): 10 digits issued by the bank.
    #[schema(example = "1234567890")]
    code: String,
    /// 振込依頼人名 in カナ (full- or half-width), at most 40 characters.
    #[schema(example = "ケンコウホケンクミアイ")]
    name: String,
    /// 仕向銀行番号: 4 digits.
    #[schema(example = "0001")]
    bank_code: String,
    /// 仕向銀行名 in カナ, at most 15 characters.
    #[schema(example = "ミズホ")]
    bank_name: Option<String>,
    /// 仕向支店番号: 3 digits.
    #[schema(example = "001")]
    branch_code: String,
    /// 仕向支店名 in カナ, at most 15 characters.
    #[schema(example = "トウキヨウ")]
    branch_name: Option<String>,
    /// 預金種目 (依頼人).
    account_type: RequesterAccountType,
    /// 口座番号 (依頼人): 7 digits.
    #[schema(example = "7654321")]
    account_number: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequesterFields {
    code: String,
    name: String,
    bank_code: String,
    #[serde(default)]
    bank_name: Option<String>,
    branch_code: String,
    #[serde(default)]
    branch_name: Option<String>,
    account_type: RequesterAccountType,
    account_number: String,
}

impl TryFrom<RequesterFields> for TransferRequester {
    type Error = ValueError;
    fn try_from(f: RequesterFields) -> Result<Self, ValueError> {
        check_digits("requester code (振込依頼人コード)", &f.code, 10, 10)?;
        check_digits("bank code (仕向銀行番号)", &f.bank_code, 4, 4)?;
        check_digits("branch code (仕向支店番号)", &f.branch_code, 3, 3)?;
        check_digits("account number (依頼人口座番号)", &f.account_number, 7, 7)?;
        let optional = |field, text: Option<String>| {
            text.filter(|t| !t.trim().is_empty())
                .map(|t| check_text(field, &t, 15))
                .transpose()
        };
        Ok(TransferRequester {
            code: f.code,
            name: check_text("requester name (振込依頼人名)", &f.name, 40)?,
            bank_code: f.bank_code,
            bank_name: optional("bank name (仕向銀行名)", f.bank_name)?,
            branch_code: f.branch_code,
            branch_name: optional("branch name (仕向支店名)", f.branch_name)?,
            account_type: f.account_type,
            account_number: f.account_number,
        })
    }
}

impl TransferRequester {
    /// 振込依頼人コード.
    pub fn code(&self) -> &str {
        &self.code
    }
    /// 振込依頼人名 as given (converted to half-width カナ when the file is written).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// 仕向銀行番号.
    pub fn bank_code(&self) -> &str {
        &self.bank_code
    }
    /// 仕向銀行名.
    pub fn bank_name(&self) -> Option<&str> {
        self.bank_name.as_deref()
    }
    /// 仕向支店番号.
    pub fn branch_code(&self) -> &str {
        &self.branch_code
    }
    /// 仕向支店名.
    pub fn branch_name(&self) -> Option<&str> {
        self.branch_name.as_deref()
    }
    /// 預金種目 (依頼人).
    pub fn account_type(&self) -> RequesterAccountType {
        self.account_type
    }
    /// 口座番号 (依頼人).
    pub fn account_number(&self) -> &str {
        &self.account_number
    }
}

/// One claim's payment as the batch is asked to include it: the amount the claim has left to
/// pay and a snapshot of the account it is paid to, resolved from the payee when the batch
/// is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentOrder {
    /// The claim (給付申請).
    pub claim_id: Uuid,
    /// The insured the claim is for.
    pub person_id: Uuid,
    /// 給付種別.
    pub kind: BenefitKind,
    /// 支払先 as chosen on the claim.
    pub payee: Payee,
    /// The account the payee resolved to, as it stood when the batch was made.
    pub account: PaymentAccount,
    /// 振込金額: more than 0.
    pub amount: Yen,
}

/// A payment of a created batch: the order with its line number (1, 2, … in file order; the
/// line is also written as 顧客コード1 of the transfer record, so a bank answer can be matched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchPayment {
    /// 1 for the first データ・レコード, then 2, 3 …
    pub line: u32,
    /// The claim.
    pub claim_id: Uuid,
    /// The insured.
    pub person_id: Uuid,
    /// 給付種別.
    pub kind: BenefitKind,
    /// 支払先 as chosen on the claim.
    pub payee: Payee,
    /// The account paid to.
    pub account: PaymentAccount,
    /// 振込金額.
    pub amount: Yen,
}

/// What the bank reports for one transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TransferOutcome {
    /// 振込済: the money reached the account.
    Paid {
        /// The bank's reference of the transfer.
        #[schema(value_type = String, example = "20250715-000123")]
        bank_reference: BankReference,
    },
    /// 振込不能: returned (口座なし, 名義相違, 解約済 …).
    Failed {
        /// Why, as the bank states it.
        #[schema(value_type = String, example = "口座なし")]
        reason: Description,
    },
}

impl TransferOutcome {
    /// `paid` or `failed`.
    pub fn code(&self) -> &'static str {
        match self {
            TransferOutcome::Paid { .. } => "paid",
            TransferOutcome::Failed { .. } => "failed",
        }
    }
}

/// The bank's answer for one claim of the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimTransferResult {
    /// The claim.
    pub claim_id: Uuid,
    /// Paid or failed.
    pub outcome: TransferOutcome,
}

/// A transfer settled by a bank result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SettledTransfer {
    /// The claim.
    pub claim_id: Uuid,
    /// Its line in the batch.
    pub line: u32,
    /// The amount transferred (or not).
    pub amount: Yen,
    /// Paid or failed.
    pub outcome: TransferOutcome,
    /// 結果年月日: the day the result was recorded for.
    pub settled_on: Date,
}

/// Where a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// 振込データ作成済: every payment is instructed; no result yet.
    #[default]
    Instructed,
    /// Some payments have a result, others not yet.
    PartiallySettled,
    /// Every payment has a result (paid or failed).
    Settled,
}

impl BatchStatus {
    /// Stable snake_case code.
    pub const fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Instructed => "instructed",
            BatchStatus::PartiallySettled => "partially_settled",
            BatchStatus::Settled => "settled",
        }
    }
}
