//! Errors of the premium calculations ([`PremiumCalculationError`]) and of the
//! [`super::PremiumAccount`] aggregate ([`PremiumAccountError`]). Both have a stable
//! [`code`](PremiumAccountError::code) and an HTTP-level
//! [`category`](PremiumAccountError::category) (the [`ErrorCategory`] of 適用).

use rust_decimal::Decimal;
use thiserror::Error;
use uuid::Uuid;

use crate::calendar::holidays::HolidayCalendarError;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::qualification::{EnrollmentCategory, ErrorCategory};

/// Why a premium calculation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PremiumCalculationError {
    /// The value paired with a parameter reference is not the reference's value.
    #[error("parameter {key}: the value used differs from the registry value {recorded}")]
    ParameterMismatch { key: String, recorded: String },
    /// A parameter not yet in force.
    #[error("parameter {key} is in force from {effective_from}, not on {date}")]
    ParameterNotInForce {
        key: String,
        effective_from: Date,
        date: Date,
    },
    /// A parameter the month needs is missing.
    #[error("{what} is required for {month}")]
    MissingParameter {
        what: &'static str,
        month: YearMonth,
    },
    /// A parameter given for a month it does not apply to.
    #[error("parameter {key} does not apply to {month}: {reason}")]
    ParameterNotApplicable {
        key: String,
        month: YearMonth,
        reason: &'static str,
    },
    /// A rate outside its allowed range.
    #[error("rate {key} = {value} is out of range: {requirement}")]
    RateOutOfRange {
        key: String,
        value: Decimal,
        requirement: &'static str,
    },
    /// An amount that should be a 標準報酬月額 grade amount is not one.
    #[error("{field} {amount} is not a 標準報酬月額 grade amount (健保法40条)")]
    NotAGradeAmount { field: &'static str, amount: Yen },
    /// A rule that did not exist yet in the month.
    #[error("{what} exists only from {from}, not in {month}")]
    NotInForce {
        what: &'static str,
        from: Date,
        month: YearMonth,
    },
    /// 47条2項 規約額 not above the 上限.
    #[error("the 47条2項 規約 amount {bylaw} must exceed the 任継 上限 {cap}")]
    BylawAmountNotAboveCap { bylaw: Yen, cap: Yen },
    /// The month is outside the qualification period.
    #[error("{month} is outside the qualification period (取得 {acquired_on}, 喪失 {lost_on:?})")]
    MonthOutsideQualification {
        month: YearMonth,
        acquired_on: Date,
        lost_on: Option<Date>,
    },
    /// 喪失日 not after 取得日.
    #[error("the loss date {lost_on} must be after the acquisition date {acquired_on}")]
    LossNotAfterAcquisition { acquired_on: Date, lost_on: Date },
    /// 前納 of no month.
    #[error("a prepayment (前納) needs at least one month")]
    EmptyPrepayment,
    /// 前納 month outside the period.
    #[error("{month} is outside the prepayment period {first} to {last} (施行令48条)")]
    MonthOutsidePeriod {
        month: YearMonth,
        first: YearMonth,
        last: YearMonth,
    },
    /// Months not consecutive.
    #[error("months must be consecutive: expected {expected}, got {given}")]
    MonthsNotConsecutive {
        expected: YearMonth,
        given: YearMonth,
    },
    /// A monthly premium not positive or implausibly large.
    #[error("the premium for {month} ({exact}) must be positive and at most 10,000,000")]
    PremiumOutOfRange { month: YearMonth, exact: Decimal },
    /// The same person twice in one notice.
    #[error("person {person_id} appears twice in the notice")]
    DuplicateInsured { person_id: Uuid },
    /// An amount outside its allowed range.
    #[error("{field} must be {requirement}, got {amount}")]
    AmountOutOfRange {
        field: &'static str,
        requirement: &'static str,
        amount: Yen,
    },
    /// A leave ending before it starts.
    #[error("a leave ends on {ended_on}, before it starts on {started_on}")]
    LeaveEndsBeforeStart { started_on: Date, ended_on: Date },
    /// The reassessed 前納 is not more than what was prepaid: nothing is owed.
    #[error("no shortfall: the prepaid months are worth {new_prepayment} at the new rates and {prepaid_value} are prepaid")]
    NoShortfall {
        prepaid_value: Yen,
        new_prepayment: Yen,
    },
}

impl PremiumCalculationError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        use PremiumCalculationError as E;
        match self {
            E::ParameterMismatch { .. } => "parameter_mismatch",
            E::ParameterNotInForce { .. } => "parameter_not_in_force",
            E::MissingParameter { .. } => "missing_parameter",
            E::ParameterNotApplicable { .. } => "parameter_not_applicable",
            E::RateOutOfRange { .. } => "rate_out_of_range",
            E::NotAGradeAmount { .. } => "not_a_grade_amount",
            E::NotInForce { .. } => "not_in_force",
            E::BylawAmountNotAboveCap { .. } => "bylaw_amount_not_above_cap",
            E::MonthOutsideQualification { .. } => "month_outside_qualification",
            E::LossNotAfterAcquisition { .. } => "loss_not_after_acquisition",
            E::EmptyPrepayment => "empty_prepayment",
            E::MonthOutsidePeriod { .. } => "month_outside_period",
            E::MonthsNotConsecutive { .. } => "months_not_consecutive",
            E::PremiumOutOfRange { .. } => "premium_out_of_range",
            E::DuplicateInsured { .. } => "duplicate_insured",
            E::AmountOutOfRange { .. } => "amount_out_of_range",
            E::LeaveEndsBeforeStart { .. } => "leave_ends_before_start",
            E::NoShortfall { .. } => "no_prepayment_shortfall",
        }
    }

    /// HTTP-level category: every calculation error is a problem with the input.
    pub fn category(&self) -> ErrorCategory {
        ErrorCategory::Invalid
    }
}

/// A command refused by the [`super::PremiumAccount`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PremiumAccountError {
    /// Any command but `Open` on an account with no events.
    #[error("premium account not found: no AccountOpened is recorded")]
    AccountNotOpened,
    /// `Open` twice.
    #[error("the premium account is already open (since {acquired_on})")]
    AccountAlreadyOpened { acquired_on: Date },
    /// A category whose premiums the society does not collect itself.
    #[error("加入区分 {category} has no premium account: only 任意継続 and 特例退職 pay the society directly")]
    CategoryNotApplicable { category: EnrollmentCategory },
    /// 任継 without a 標準報酬月額.
    #[error("a 任意継続 account needs the 標準報酬月額 (47条)")]
    StandardRemunerationRequired,
    /// Not a grade amount.
    #[error("{amount} is not a 標準報酬月額 grade amount (健保法40条)")]
    NotAGradeAmount { amount: Yen },
    /// Due day out of 1..=28.
    #[error("the due day of month must be 1 to 28 (任継: the 10th, 164条1項), got {day}")]
    DueDayOutOfRange { day: u32 },
    /// A month before the acquisition month.
    #[error("{month} is before the month of acquisition ({acquired_on}); premiums start from the month of acquisition (157条)")]
    MonthBeforeAcquisition { month: YearMonth, acquired_on: Date },
    /// A month from the first uncharged month after a loss.
    #[error("{month} is not charged: the qualification was lost on {lost_on}, so premiums end before {first_uncharged} (156条3項)")]
    MonthAfterClose {
        month: YearMonth,
        lost_on: Date,
        first_uncharged: YearMonth,
    },
    /// A month assessed twice.
    #[error("{month} is already assessed (賦課済み)")]
    MonthAlreadyAssessed { month: YearMonth },
    /// A month already covered by a 前納.
    #[error("{month} is already covered by a prepayment (前納)")]
    MonthPrepaid { month: YearMonth },
    /// An amount out of range.
    #[error("{field} must be {requirement}, got {amount}")]
    AmountOutOfRange {
        field: &'static str,
        requirement: &'static str,
        amount: Yen,
    },
    /// The amount differs from the basis' result.
    #[error("the amount {amount} differs from the calculation basis result {basis_result}")]
    BasisMismatch { amount: Yen, basis_result: i64 },
    /// 前納 of no month.
    #[error("a prepayment (前納) needs at least one month")]
    EmptyPrepayment,
    /// Months not consecutive.
    #[error("prepaid months must be consecutive: expected {expected}, got {given}")]
    MonthsNotConsecutive {
        expected: YearMonth,
        given: YearMonth,
    },
    /// Σ of the months' amounts differs from the 前納額.
    #[error("the prepaid months add up to {sum}, not the prepayment amount {amount}")]
    PrepaymentTotalMismatch { amount: Yen, sum: Yen },
    /// 前納 received after its deadline.
    #[error("a prepayment (前納) must be paid by {pay_by} (the end of the month before the first prepaid month); received {received_on}")]
    PrepaymentTooLate { pay_by: Date, received_on: Date },
    /// A receipt with a reference already recorded.
    #[error("a receipt with reference {reference} is already recorded")]
    DuplicateReceipt { reference: String },
    /// Nothing new in arrears.
    #[error("no month newly in arrears (未納) as of {as_of}")]
    NoNewArrears { as_of: Date },
    /// The account is closed.
    #[error("the account is closed (資格喪失 {lost_on})")]
    AccountClosed { lost_on: Date },
    /// 喪失日 not after 取得日.
    #[error("the loss date {lost_on} must be after the acquisition date {acquired_on} (or equal to it when the first premium was unpaid, 37条2項)")]
    LossNotAfterAcquisition { acquired_on: Date, lost_on: Date },
    /// A refund claim while one is pending.
    #[error("a refund (還付) claimed on {claimed_on} is still pending")]
    RefundAlreadyPending { claimed_on: Date },
    /// A refund claim with no credit.
    #[error("nothing to refund: the account holds no over-payment or cancelled payment")]
    NothingToRefund,
    /// Deciding or paying with no claim.
    #[error("no refund claim (還付請求) is pending")]
    NoRefundClaim,
    /// Deciding twice.
    #[error("the pending refund is already decided ({amount})")]
    RefundAlreadyDecided { amount: Yen },
    /// Refund above the credit.
    #[error("the refund {amount} exceeds the refundable credit {credit}")]
    RefundExceedsCredit { amount: Yen, credit: Yen },
    /// Paying before a decision.
    #[error("the pending refund claim is not decided yet")]
    NoRefundDecision,
    /// A date before the date it follows from.
    #[error("{what} {date} is before {earlier}")]
    DateBefore {
        what: &'static str,
        date: Date,
        earlier: Date,
    },
    /// A due date outside the holiday calendar.
    #[error("{0}")]
    HolidayCalendar(HolidayCalendarError),
    /// No receipt at that stream version.
    #[error("no receipt (保険料収納) of this account is recorded at stream version {version}")]
    ReceiptNotFound { version: i64 },
    /// A receipt reversed before.
    #[error("the receipt at stream version {version} was already reversed on {reversed_on}")]
    ReceiptAlreadyReversed { version: i64, reversed_on: Date },
    /// A refund (還付) recorded after the receipt may have paid out its money.
    #[error("a refund (還付) was recorded after this receipt and may have paid out its money; a reversal would need a refund correction, which is not modelled")]
    RefundAfterReceipt,
    /// The money to take back is not held by the account.
    #[error("the reversal of {amount} cannot be taken back: the account holds only {held} in paid months and credit")]
    ReversalNotAbsorbable { amount: Yen, held: Yen },
    /// A note longer than allowed.
    #[error("the note must be at most {max} characters")]
    NoteTooLong { max: usize },
    /// 37条2項 on an account that is not 任意継続.
    #[error("the first-premium rule (37条2項) applies to 任意継続被保険者, not to {category}")]
    FirstPremiumRuleNotApplicable { category: EnrollmentCategory },
    /// The first premium's due date has not passed on the day given.
    #[error("the first premium is due on {due_on}: on {as_of} it is not yet late")]
    FirstPremiumNotYetDue { due_on: Date, as_of: Date },
    /// No month is assessed on the first premium's due date.
    #[error("no month of the account is assessed for the first premium (due {due_on}); assess the month of acquisition first")]
    FirstPremiumNotAssessed { due_on: Date },
    /// The first premium was paid in full by its due date.
    #[error("the first premium (due {due_on}) was paid in full by its due date")]
    FirstPremiumPaidOnTime { due_on: Date },
    /// A month that is not covered by a 前納.
    #[error("{month} is not covered by a prepayment (前納)")]
    MonthNotPrepaid { month: YearMonth },
    /// A prepaid month that has begun (deemed paid on its 1st, 165条3項).
    #[error("{month} has begun by {as_of}: a prepaid month is deemed paid on its 1st (165条3項) and is not reassessed")]
    PrepaidMonthBegun { month: YearMonth, as_of: Date },
    /// The premium said to have been prepaid differs from the one recorded.
    #[error("the premium prepaid for {month} is recorded as {recorded}, not {given}")]
    PrepaymentBasisMismatch {
        month: YearMonth,
        recorded: String,
        given: String,
    },
    /// Months of more than one 前納.
    #[error("{month} belongs to another prepayment (前納) than the first month reassessed")]
    NotOnePrepayment { month: YearMonth },
    /// Σ of the months' shortfall differs from the amount.
    #[error("the months' shortfalls add up to {sum}, not {amount}")]
    ShortfallTotalMismatch { amount: Yen, sum: Yen },
    /// Nothing owed after the reassessment.
    #[error("no shortfall: the prepaid months are worth {new_prepayment} at the new rates and {prepaid_value} are prepaid")]
    NoShortfall {
        prepaid_value: Yen,
        new_prepayment: Yen,
    },
}

crate::refusal::refusal_by_inherent_methods!(PremiumAccountError);

impl PremiumAccountError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use PremiumAccountError as E;
        match self {
            E::AccountNotOpened => "account_not_opened",
            E::AccountAlreadyOpened { .. } => "account_already_opened",
            E::CategoryNotApplicable { .. } => "category_not_applicable",
            E::StandardRemunerationRequired => "standard_remuneration_required",
            E::NotAGradeAmount { .. } => "not_a_grade_amount",
            E::DueDayOutOfRange { .. } => "due_day_out_of_range",
            E::MonthBeforeAcquisition { .. } => "month_before_acquisition",
            E::MonthAfterClose { .. } => "month_after_close",
            E::MonthAlreadyAssessed { .. } => "month_already_assessed",
            E::MonthPrepaid { .. } => "month_prepaid",
            E::AmountOutOfRange { .. } => "amount_out_of_range",
            E::BasisMismatch { .. } => "basis_mismatch",
            E::EmptyPrepayment => "empty_prepayment",
            E::MonthsNotConsecutive { .. } => "months_not_consecutive",
            E::PrepaymentTotalMismatch { .. } => "prepayment_total_mismatch",
            E::PrepaymentTooLate { .. } => "prepayment_too_late",
            E::DuplicateReceipt { .. } => "duplicate_receipt",
            E::NoNewArrears { .. } => "no_new_arrears",
            E::AccountClosed { .. } => "account_closed",
            E::LossNotAfterAcquisition { .. } => "loss_not_after_acquisition",
            E::RefundAlreadyPending { .. } => "refund_already_pending",
            E::NothingToRefund => "nothing_to_refund",
            E::NoRefundClaim => "no_refund_claim",
            E::RefundAlreadyDecided { .. } => "refund_already_decided",
            E::RefundExceedsCredit { .. } => "refund_exceeds_credit",
            E::NoRefundDecision => "no_refund_decision",
            E::DateBefore { .. } => "date_before",
            E::HolidayCalendar(e) => e.code(),
            E::ReceiptNotFound { .. } => "receipt_not_found",
            E::ReceiptAlreadyReversed { .. } => "receipt_already_reversed",
            E::RefundAfterReceipt => "refund_recorded_after_receipt",
            E::ReversalNotAbsorbable { .. } => "receipt_not_reversible",
            E::NoteTooLong { .. } => "note_too_long",
            E::FirstPremiumRuleNotApplicable { .. } => "first_premium_rule_not_applicable",
            E::FirstPremiumNotYetDue { .. } => "first_premium_not_yet_due",
            E::FirstPremiumNotAssessed { .. } => "first_premium_not_assessed",
            E::FirstPremiumPaidOnTime { .. } => "first_premium_paid",
            E::MonthNotPrepaid { .. } => "month_not_prepaid",
            E::PrepaidMonthBegun { .. } => "prepaid_month_begun",
            E::PrepaymentBasisMismatch { .. } => "prepayment_basis_mismatch",
            E::NotOnePrepayment { .. } => "months_not_one_prepayment",
            E::ShortfallTotalMismatch { .. } => "shortfall_total_mismatch",
            E::NoShortfall { .. } => "no_prepayment_shortfall",
        }
    }

    /// HTTP-level category.
    pub fn category(&self) -> ErrorCategory {
        use PremiumAccountError as E;
        match self {
            E::AccountNotOpened | E::ReceiptNotFound { .. } => ErrorCategory::NotFound,
            E::AccountAlreadyOpened { .. }
            | E::MonthAfterClose { .. }
            | E::MonthAlreadyAssessed { .. }
            | E::MonthPrepaid { .. }
            | E::DuplicateReceipt { .. }
            | E::NoNewArrears { .. }
            | E::AccountClosed { .. }
            | E::RefundAlreadyPending { .. }
            | E::NothingToRefund
            | E::NoRefundClaim
            | E::RefundAlreadyDecided { .. }
            | E::RefundExceedsCredit { .. }
            | E::NoRefundDecision
            | E::ReceiptAlreadyReversed { .. }
            | E::RefundAfterReceipt
            | E::ReversalNotAbsorbable { .. }
            | E::FirstPremiumRuleNotApplicable { .. }
            | E::FirstPremiumNotYetDue { .. }
            | E::FirstPremiumNotAssessed { .. }
            | E::FirstPremiumPaidOnTime { .. }
            | E::MonthNotPrepaid { .. }
            | E::PrepaidMonthBegun { .. }
            | E::PrepaymentBasisMismatch { .. }
            | E::NoShortfall { .. } => ErrorCategory::Conflict,
            E::CategoryNotApplicable { .. }
            | E::StandardRemunerationRequired
            | E::NotAGradeAmount { .. }
            | E::DueDayOutOfRange { .. }
            | E::MonthBeforeAcquisition { .. }
            | E::AmountOutOfRange { .. }
            | E::BasisMismatch { .. }
            | E::EmptyPrepayment
            | E::MonthsNotConsecutive { .. }
            | E::PrepaymentTotalMismatch { .. }
            | E::PrepaymentTooLate { .. }
            | E::LossNotAfterAcquisition { .. }
            | E::DateBefore { .. }
            | E::HolidayCalendar(_)
            | E::NoteTooLong { .. }
            | E::NotOnePrepayment { .. }
            | E::ShortfallTotalMismatch { .. } => ErrorCategory::Invalid,
        }
    }
}
