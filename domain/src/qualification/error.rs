//! [`QualificationError`]: why a command on a [`super::Person`] was refused.

use thiserror::Error;

use crate::account_change::AccountChangeError;
use uuid::Uuid;

use super::reasons::{DeterminationKind, LeaveKind};
use super::values::EnrollmentCategory;
use crate::calendar::{Date, YearMonth};

/// How an error maps onto HTTP: the domain-wide [`crate::refusal::RefusalCategory`], under its
/// 適用 name.
pub use crate::refusal::RefusalCategory as ErrorCategory;

/// A command refused by the [`super::Person`] aggregate. Messages are English with the
/// Japanese term; [`QualificationError::code`] is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QualificationError {
    /// Any command but 資格取得 / 被扶養者認定 on a person with no events.
    #[error("person not found: no 資格取得 (acquisition) or 被扶養者認定 (dependent recognition) is recorded")]
    PersonNotFound,
    /// The body's `person_id` is not the aggregate's id.
    #[error("person_id {given} does not match this person ({expected})")]
    PersonIdMismatch { expected: Uuid, given: Uuid },
    /// 生年月日 or 性別 differ from those already recorded (wrong person, 名寄せ error).
    #[error("the {field} given differs from the one recorded for this person; check that this is the same person (名寄せ)")]
    PersonalDetailsMismatch { field: &'static str },
    /// Acquiring or being recognized while a qualification is active.
    #[error("a qualification (資格) is already active since {since}; record its 資格喪失 / 被扶養者削除 first")]
    QualificationAlreadyActive { since: Date },
    /// A new period starting before the previous one ended.
    #[error("the new qualification would start on {given}, before the previous one ended on {previous_end}")]
    OverlapsPreviousPeriod { given: Date, previous_end: Date },
    /// Not qualified on the date the command concerns.
    #[error("the person is not qualified (資格なし) on {date}")]
    NotQualified { date: Date },
    /// Not qualified during the month the command concerns.
    #[error("the person is not qualified as an insured (被保険者) in {month}")]
    NotQualifiedInMonth { month: YearMonth },
    /// A command for insured persons on a dependent.
    #[error("the person is not an insured person (被保険者) on {date}")]
    NotInsured { date: Date },
    /// A command for dependents on an insured person.
    #[error("the person is not a dependent (被扶養者)")]
    NotDependent,
    /// 喪失年月日 not after 取得年月日.
    #[error("the loss date (資格喪失年月日) {lost_on} must be after the acquisition date (資格取得年月日) {acquired_on}")]
    LossBeforeAcquisition { acquired_on: Date, lost_on: Date },
    /// 削除年月日 not after 認定年月日.
    #[error("the removal date (削除年月日) {removed_on} must be after the recognition date (認定年月日) {recognized_on}")]
    RemovalBeforeRecognition {
        recognized_on: Date,
        removed_on: Date,
    },
    /// 喪失年月日 is not the one the reason implies.
    #[error(
        "for loss reason {reason} the loss date (資格喪失年月日) must be {expected}, not {given}"
    )]
    LossDateMismatch {
        reason: &'static str,
        expected: Date,
        given: Date,
    },
    /// 削除年月日 is not the one the reason implies.
    #[error(
        "for removal reason {reason} the removal date (削除年月日) must be {expected}, not {given}"
    )]
    RemovalDateMismatch {
        reason: &'static str,
        expected: Date,
        given: Date,
    },
    /// The loss date lies after the scheduled loss (75th birthday, end of 任継).
    #[error("the date {given} is after the scheduled loss date (喪失予定年月日) {scheduled}, when the qualification ends anyway")]
    AfterScheduledLoss { scheduled: Date, given: Date },
    /// The reason cannot be used with this 加入区分.
    #[error("reason {reason} does not apply to 加入区分 {category}")]
    ReasonNotApplicable {
        reason: &'static str,
        category: EnrollmentCategory,
    },
    /// The command does not apply to this 加入区分.
    #[error("{what} does not apply to 加入区分 {category}")]
    NotApplicableToCategory {
        what: &'static str,
        category: EnrollmentCategory,
    },
    /// 生年月日 after the date of the event.
    #[error("the date of birth (生年月日) {birth_date} is after {date}")]
    BirthAfterEvent { birth_date: Date, date: Date },
    /// 75 or older: 後期高齢者医療, not the society (3条1項, 3条7項).
    #[error("the person is 75 or older on {date} (75歳の誕生日 {birthday_75}) and belongs to 後期高齢者医療, not to this society")]
    Aged75OrOver { date: Date, birthday_75: Date },
    /// 受付年月日 before the fact the notice reports.
    #[error(
        "the received date (受付年月日) {received_on} is before the reported event on {event_date}"
    )]
    ReceivedBeforeEvent { received_on: Date, event_date: Date },
    /// 任意継続 eligibility (3条4項) not met.
    #[error("not eligible for 任意継続 (voluntary continuation): {detail}")]
    VoluntaryContinuationNotEligible { detail: String },
    /// 任意継続 application later than 20 days without a stated 正当な理由.
    #[error("the 任意継続 application was received on {received_on}, after the deadline {deadline} (20 days from 資格喪失日); give the 正当な理由 in late_application_reason")]
    VoluntaryContinuationApplicationLate { deadline: Date, received_on: Date },
    /// The insured's standing was not supplied: not qualified on that date.
    #[error("the insured person (被保険者) is not qualified on the recognition date {date}")]
    InsuredNotQualified { date: Date },
    /// The insured's standing is for another person.
    #[error("the insured standing is for person {standing}, but the body names {given}")]
    InsuredMismatch { standing: Uuid, given: Uuid },
    /// The insured's standing is for another date.
    #[error("the insured standing is as of {standing}, not the recognition date {recognized_on}")]
    InsuredStandingDateMismatch { standing: Date, recognized_on: Date },
    /// A person cannot be their own dependent.
    #[error("a person cannot be recognized as their own dependent (被扶養者)")]
    DependentIsInsured,
    /// 定時決定 not effective from September.
    #[error("a 定時決定 (regular determination) takes effect in September, not {given}")]
    RegularDeterminationNotSeptember { given: YearMonth },
    /// 定時決定 excluded this year (41条3項).
    #[error("no 定時決定 (regular determination) for {effective_from}: {detail}")]
    RegularDeterminationExcluded {
        effective_from: YearMonth,
        detail: &'static str,
    },
    /// 改定年月 is not the one the kind implies.
    #[error("a {kind:?} determination takes effect from {expected}, not {given}")]
    EffectiveMonthMismatch {
        kind: DeterminationKind,
        expected: YearMonth,
        given: YearMonth,
    },
    /// 随時改定 before three full months after acquisition.
    #[error("a 随時改定 (interim revision) can take effect from {earliest} at the earliest (three months after the change, 43条)")]
    RevisionTooEarly { earliest: YearMonth },
    /// Grade change too small for the revision kind.
    #[error("the new grade {new} differs from the current grade {current} by less than {required} (保発第4号 / 43条の2・43条の3)")]
    GradeDifferenceInsufficient { current: u8, new: u8, required: u8 },
    /// After-leave revision without a leave that ended.
    #[error("no ended {kind} is recorded in the current qualification")]
    NoEndedLeave { kind: LeaveKind },
    /// After-maternity revision when childcare leave began the next day (43条の3 ただし書).
    #[error("a 産前産後休業終了時改定 is not available when 育児休業 starts the day after the maternity leave ends")]
    FollowedByChildcareLeave,
    /// A money amount out of its allowed range.
    #[error("{field} must be {requirement}, got {amount}")]
    AmountOutOfRange {
        field: &'static str,
        requirement: &'static str,
        amount: crate::money::Yen,
    },
    /// A bonus for an earlier month when a later month of that 年度 is already recorded.
    #[error("a 賞与 paid in {recorded} is already recorded for the same 年度; a 賞与 for the earlier month {given} must be recorded as a correction")]
    BonusOutOfOrder {
        recorded: YearMonth,
        given: YearMonth,
    },
    /// 産前産後休業 for a male insured.
    #[error("産前産後休業 (maternity leave) applies to a female insured only")]
    MaternityLeaveNotApplicable,
    /// A second open leave of the same kind.
    #[error("a {kind} started on {started_on} is still open")]
    LeaveAlreadyOpen { kind: LeaveKind, started_on: Date },
    /// A leave overlapping an earlier one of the same kind.
    #[error("the {kind} would start on {started_on}, not after the previous one ended on {previous_end}")]
    LeaveOverlapsPrevious {
        kind: LeaveKind,
        started_on: Date,
        previous_end: Date,
    },
    /// Ending a leave that is not open.
    #[error("no open {kind} to end")]
    NoOpenLeave { kind: LeaveKind },
    /// A period whose end is before its start.
    #[error("{what}: the end {end} is before the start {start}")]
    EndBeforeStart {
        what: &'static str,
        start: Date,
        end: Date,
    },
    /// 資格確認書 validity longer than 5 years (rules.md §4.4).
    #[error("a 資格確認書 is valid for at most 5 years: from {valid_from} the last valid day is {latest_valid_to}, not {valid_to}")]
    CertificateValidityTooLong {
        valid_from: Date,
        valid_to: Date,
        latest_valid_to: Date,
    },
    /// 資格確認書 validity starting before the qualification.
    #[error("the 資格確認書 validity starts on {valid_from}, before the qualification began on {qualified_since}")]
    CertificateValidBeforeQualification {
        valid_from: Date,
        qualified_since: Date,
    },
    /// The rule or document did not exist yet on that date.
    #[error("{what} exists only from {from}, not on {date}")]
    NotInForce {
        what: &'static str,
        from: Date,
        date: Date,
    },
    /// 資格確認書 id already used.
    #[error("a 資格確認書 with id {certificate_id} is already issued")]
    CertificateAlreadyIssued { certificate_id: Uuid },
    /// 資格確認書 id unknown.
    #[error("no 資格確認書 with id {certificate_id} was issued to this person")]
    CertificateNotFound { certificate_id: Uuid },
    /// 資格確認書 already collected.
    #[error("the 資格確認書 {certificate_id} was already collected (回収) on {collected_on}")]
    CertificateAlreadyCollected {
        certificate_id: Uuid,
        collected_on: Date,
    },
    /// 回収年月日 before 交付年月日.
    #[error("the collection date (回収年月日) {collected_on} is before the issue date (交付年月日) {issued_on}")]
    CollectionBeforeIssue { issued_on: Date, collected_on: Date },
    /// A payment account change refused by the two-person confirmation rules.
    #[error(transparent)]
    AccountChange(#[from] AccountChangeError),
    /// The command would record nothing new.
    #[error("nothing to change: {what}")]
    NoChange { what: &'static str },
    /// A date before the start of the period it concerns.
    #[error("{what} {date} is before the start of the qualification period ({started_on})")]
    DateBeforePeriodStart {
        what: &'static str,
        date: Date,
        started_on: Date,
    },
    /// 識別番号 change dated before the current 識別番号 took effect.
    #[error("the 識別番号 change on {effective_on} is before the current 識別番号 took effect on {current_since}")]
    IdentificationChangeOutOfOrder {
        effective_on: Date,
        current_since: Date,
    },
}

crate::refusal::refusal_by_inherent_methods!(QualificationError);

impl QualificationError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use QualificationError as E;
        match self {
            E::PersonNotFound => "person_not_found",
            E::PersonIdMismatch { .. } => "person_id_mismatch",
            E::PersonalDetailsMismatch { .. } => "personal_details_mismatch",
            E::QualificationAlreadyActive { .. } => "qualification_already_active",
            E::OverlapsPreviousPeriod { .. } => "overlaps_previous_period",
            E::NotQualified { .. } => "not_qualified",
            E::NotQualifiedInMonth { .. } => "not_qualified_in_month",
            E::NotInsured { .. } => "not_insured",
            E::NotDependent => "not_dependent",
            E::LossBeforeAcquisition { .. } => "loss_before_acquisition",
            E::RemovalBeforeRecognition { .. } => "removal_before_recognition",
            E::LossDateMismatch { .. } => "loss_date_mismatch",
            E::RemovalDateMismatch { .. } => "removal_date_mismatch",
            E::AfterScheduledLoss { .. } => "after_scheduled_loss",
            E::ReasonNotApplicable { .. } => "reason_not_applicable",
            E::NotApplicableToCategory { .. } => "not_applicable_to_category",
            E::BirthAfterEvent { .. } => "birth_after_event",
            E::Aged75OrOver { .. } => "aged_75_or_over",
            E::ReceivedBeforeEvent { .. } => "received_before_event",
            E::VoluntaryContinuationNotEligible { .. } => "voluntary_continuation_not_eligible",
            E::VoluntaryContinuationApplicationLate { .. } => {
                "voluntary_continuation_application_late"
            }
            E::InsuredNotQualified { .. } => "insured_not_qualified",
            E::InsuredMismatch { .. } => "insured_mismatch",
            E::InsuredStandingDateMismatch { .. } => "insured_standing_date_mismatch",
            E::DependentIsInsured => "dependent_is_insured",
            E::RegularDeterminationNotSeptember { .. } => "regular_determination_not_september",
            E::RegularDeterminationExcluded { .. } => "regular_determination_excluded",
            E::EffectiveMonthMismatch { .. } => "effective_month_mismatch",
            E::RevisionTooEarly { .. } => "revision_too_early",
            E::GradeDifferenceInsufficient { .. } => "grade_difference_insufficient",
            E::NoEndedLeave { .. } => "no_ended_leave",
            E::FollowedByChildcareLeave => "followed_by_childcare_leave",
            E::AmountOutOfRange { .. } => "amount_out_of_range",
            E::BonusOutOfOrder { .. } => "bonus_out_of_order",
            E::MaternityLeaveNotApplicable => "maternity_leave_not_applicable",
            E::LeaveAlreadyOpen { .. } => "leave_already_open",
            E::LeaveOverlapsPrevious { .. } => "leave_overlaps_previous",
            E::NoOpenLeave { .. } => "no_open_leave",
            E::EndBeforeStart { .. } => "end_before_start",
            E::CertificateValidityTooLong { .. } => "certificate_validity_too_long",
            E::CertificateValidBeforeQualification { .. } => {
                "certificate_valid_before_qualification"
            }
            E::NotInForce { .. } => "not_in_force",
            E::CertificateAlreadyIssued { .. } => "certificate_already_issued",
            E::CertificateNotFound { .. } => "certificate_not_found",
            E::CertificateAlreadyCollected { .. } => "certificate_already_collected",
            E::CollectionBeforeIssue { .. } => "collection_before_issue",
            E::NoChange { .. } => "no_change",
            E::AccountChange(e) => e.code(),
            E::IdentificationChangeOutOfOrder { .. } => "identification_change_out_of_order",
            E::DateBeforePeriodStart { .. } => "date_before_period_start",
        }
    }

    /// HTTP-level category of the error.
    pub fn category(&self) -> ErrorCategory {
        use QualificationError as E;
        match self {
            E::PersonNotFound | E::CertificateNotFound { .. } => ErrorCategory::NotFound,
            E::AccountChange(e) => e.category(),
            E::PersonalDetailsMismatch { .. }
            | E::QualificationAlreadyActive { .. }
            | E::OverlapsPreviousPeriod { .. }
            | E::NotQualified { .. }
            | E::NotQualifiedInMonth { .. }
            | E::NotInsured { .. }
            | E::NotDependent
            | E::VoluntaryContinuationNotEligible { .. }
            | E::InsuredNotQualified { .. }
            | E::RegularDeterminationExcluded { .. }
            | E::NoEndedLeave { .. }
            | E::FollowedByChildcareLeave
            | E::BonusOutOfOrder { .. }
            | E::LeaveAlreadyOpen { .. }
            | E::LeaveOverlapsPrevious { .. }
            | E::NoOpenLeave { .. }
            | E::CertificateAlreadyIssued { .. }
            | E::CertificateAlreadyCollected { .. }
            | E::IdentificationChangeOutOfOrder { .. } => ErrorCategory::Conflict,
            E::PersonIdMismatch { .. }
            | E::LossBeforeAcquisition { .. }
            | E::RemovalBeforeRecognition { .. }
            | E::LossDateMismatch { .. }
            | E::RemovalDateMismatch { .. }
            | E::AfterScheduledLoss { .. }
            | E::ReasonNotApplicable { .. }
            | E::NotApplicableToCategory { .. }
            | E::BirthAfterEvent { .. }
            | E::Aged75OrOver { .. }
            | E::ReceivedBeforeEvent { .. }
            | E::VoluntaryContinuationApplicationLate { .. }
            | E::InsuredMismatch { .. }
            | E::InsuredStandingDateMismatch { .. }
            | E::DependentIsInsured
            | E::RegularDeterminationNotSeptember { .. }
            | E::EffectiveMonthMismatch { .. }
            | E::RevisionTooEarly { .. }
            | E::GradeDifferenceInsufficient { .. }
            | E::AmountOutOfRange { .. }
            | E::MaternityLeaveNotApplicable
            | E::EndBeforeStart { .. }
            | E::CertificateValidityTooLong { .. }
            | E::CertificateValidBeforeQualification { .. }
            | E::NotInForce { .. }
            | E::CollectionBeforeIssue { .. }
            | E::NoChange { .. }
            | E::DateBeforePeriodStart { .. } => ErrorCategory::Invalid,
        }
    }
}
