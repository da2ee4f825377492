//! Commands of the [`super::Employer`] aggregate.

use super::OfficeCode;
use crate::calendar::Date;
use crate::qualification::PaymentAccount;

/// A command on one 事業所's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmployerCommand {
    /// 事業主口座 登録・変更: the account in force from a day on.
    RegisterAccount(AccountRegistration),
    /// 事業主口座 廃止: no account from a day on.
    CloseAccount(AccountClosure),
}

/// Register the account benefits are paid to from `effective_from` on (the first one, or a
/// change: the previous account stays in force until the day before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRegistration {
    pub office_code: OfficeCode,
    /// First day the account is paid to.
    pub effective_from: Date,
    pub account: PaymentAccount,
    /// 受付年月日 of the 事業主's notice.
    pub received_on: Date,
}

/// Close the account: from `effective_from` on, the 事業所 has no account to pay to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountClosure {
    pub office_code: OfficeCode,
    /// First day without an account.
    pub effective_from: Date,
    /// 受付年月日 of the notice (or the day the society learned of it).
    pub received_on: Date,
    /// Why (事業所廃止, 事業主の申出, …).
    pub reason: String,
}
