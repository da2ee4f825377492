//! Command handling of the [`Person`] aggregate: each command is checked against the rules
//! and the person's state, then turned into one event.
//!
//! Date-order decisions (documented here once):
//! - 受付年月日 (`received_on`) must not be before the fact a notice reports (a notice
//!   reports something that has happened): 強制 資格取得, 被扶養者認定, 喪失 for a dated fact
//!   (退職, 死亡, 未納, 他保険取得, 申出 …), 削除 for 死亡 / 他保険取得, 氏名・住所変更, 休業 start and
//!   end, 賞与. Not checked where notices are filed in advance or the society acts on its own
//!   motion: 任意継続 / 特例退職 applications (filed before retirement is common), 75歳到達 and
//!   任継 期間満了 (scheduled), 標準報酬 決定 (算定基礎届 is filed in July for September), 口座,
//!   識別番号.
//! - Dates in the far future are not refused: the domain has no clock.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::aggregate::Person;
use super::commands::{
    AcquisitionVoiding, AddressChange, BonusReport, CertificateCollection, CertificateIssue,
    DependentRecognition, DependentRemoval, IdentificationChange, InsuredStanding, LeaveEnd,
    LeaveStart, NameChange, PaymentAccountRegistration, PersonCommand, QualificationAcquisition,
    QualificationLoss, StandardRemunerationDetermination,
};
use super::error::QualificationError as E;
use super::events::{
    AcquisitionVoided, AddressChanged, BonusReported, CertificateCollected, CertificateIssued,
    DependentRecognized, DependentRemoved, IdentificationChanged, LeaveEnded, LeaveStarted,
    NameChanged, PaymentAccountChangeProposed, PaymentAccountChangeRejected,
    PaymentAccountRegistered, PersonEvent, QualificationAcquired, QualificationLost,
    StandardRemunerationDetermined,
};
use super::reasons::{
    AcquisitionReason, DependentRemovalReason, DeterminationKind, LeaveKind, LossReason, VoidReason,
};
use super::state::{PeriodEnd, PersonalDetails, QualificationPeriod, Role};
use super::values::{EnrollmentCategory, Sex};
use crate::account_change::{ChangeConfirmation, ChangeLedger, ChangeRejection, Confirmation};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::standard_remuneration::{
    grade_for, interim_revision_change_is_significant, standard_bonus,
};

/// 任意継続 loss on 申出 (38条7号) exists from 2022-01-01 (rules.md §0, §3.7).
const VOLUNTARY_WITHDRAWAL_FROM: Date = Date::fixed(2022, 1, 1);

/// 資格確認書 exist from 2024-12-02 (rules.md §0, §4.4).
const CERTIFICATE_FROM: Date = Date::fixed(2024, 12, 2);

/// A 任意継続 application is due within 20 days of the 資格喪失日, that day counted
/// (rules.md §3.7; 4/1 → 4/20).
const VOLUNTARY_CONTINUATION_APPLICATION_DAYS: u64 = 20;

/// 資格確認書 validity is at most 5 years (rules.md §4.4).
const CERTIFICATE_MAX_YEARS: u32 = 5;

type Result<T> = std::result::Result<T, E>;

fn received_not_before(received_on: Date, event_date: Date) -> Result<()> {
    if received_on < event_date {
        return Err(E::ReceivedBeforeEvent {
            received_on,
            event_date,
        });
    }
    Ok(())
}

impl Person {
    /// Checks `command` and returns the event it records.
    pub(crate) fn decide(&self, command: PersonCommand) -> Result<PersonEvent> {
        match command {
            PersonCommand::AcquireQualification(body) => self.acquire(body),
            PersonCommand::RecognizeDependent { body, insured } => {
                self.recognize_dependent(body, insured)
            }
            PersonCommand::LoseQualification(body) => self.lose(body),
            PersonCommand::RemoveDependent(body) => self.remove_dependent(body),
            PersonCommand::DetermineStandardRemuneration(body) => self.determine(body),
            PersonCommand::ReportBonus(body) => self.report_bonus(body),
            PersonCommand::ChangeName(body) => self.change_name(body),
            PersonCommand::ChangeAddress(body) => self.change_address(body),
            PersonCommand::StartMaternityLeave(body) => {
                self.start_leave(LeaveKind::Maternity, body)
            }
            PersonCommand::EndMaternityLeave(body) => self.end_leave(LeaveKind::Maternity, body),
            PersonCommand::StartChildcareLeave(body) => {
                self.start_leave(LeaveKind::Childcare, body)
            }
            PersonCommand::EndChildcareLeave(body) => self.end_leave(LeaveKind::Childcare, body),
            PersonCommand::IssueCertificate(body) => self.issue_certificate(body),
            PersonCommand::CollectCertificate(body) => self.collect_certificate(body),
            PersonCommand::ProposePaymentAccountChange {
                change_id,
                body,
                proposed_by,
                proposed_at,
            } => self.propose_account(change_id, body, proposed_by, proposed_at),
            PersonCommand::ConfirmPaymentAccountChange(body) => self.confirm_account(body),
            PersonCommand::RejectPaymentAccountChange(body) => self.reject_account(body),
            PersonCommand::ChangeIdentification(body) => self.change_identification(body),
            PersonCommand::VoidAcquisition(body) => self.void_acquisition(body),
        }
    }

    /// 資格取得の取消: the current period is void from its start.
    /// - [`VoidReason::FirstPremiumUnpaid`] (37条2項; rules.md §3.7): the current period is a
    ///   任意継続 one; the due date is not before its start; the notice is received after the
    ///   due date has passed.
    /// - [`VoidReason::InsuredAcquisitionVoided`]: the current period is a dependent one of
    ///   that insured, recognized on or after the insured's voided acquisition.
    fn void_acquisition(&self, body: AcquisitionVoiding) -> Result<PersonEvent> {
        self.existing()?;
        let period = self.current_period().ok_or(E::NotQualified {
            date: body.received_on,
        })?;
        let started_on = period.started_on;
        let category = match (&period.role, &body.reason) {
            (Role::Insured { category, .. }, VoidReason::FirstPremiumUnpaid { due_date }) => {
                if *category != EnrollmentCategory::VoluntaryContinuation {
                    return Err(E::NotApplicableToCategory {
                        what: "資格取得の取消 for an unpaid first premium (37条2項)",
                        category: *category,
                    });
                }
                if *due_date < started_on {
                    return Err(E::DateBeforePeriodStart {
                        what: "the first premium's due date",
                        date: *due_date,
                        started_on,
                    });
                }
                received_not_before(body.received_on, due_date.next_day())?;
                *category
            }
            (
                Role::Dependent {
                    insured_person_id,
                    insured_category,
                    ..
                },
                VoidReason::InsuredAcquisitionVoided {
                    insured_person_id: given,
                    insured_acquired_on,
                },
            ) => {
                if insured_person_id != given {
                    return Err(E::InsuredMismatch {
                        standing: *insured_person_id,
                        given: *given,
                    });
                }
                if started_on < *insured_acquired_on {
                    return Err(E::DateBeforePeriodStart {
                        what: "the dependent's recognition (認定年月日)",
                        date: started_on,
                        started_on: *insured_acquired_on,
                    });
                }
                *insured_category
            }
            (Role::Insured { .. }, VoidReason::InsuredAcquisitionVoided { .. }) => {
                return Err(E::NotDependent)
            }
            (Role::Dependent { .. }, VoidReason::FirstPremiumUnpaid { .. }) => {
                return Err(E::NotInsured { date: started_on })
            }
        };
        Ok(PersonEvent::AcquisitionVoided(AcquisitionVoided {
            category,
            started_on,
            reason: body.reason,
            received_on: body.received_on,
        }))
    }

    fn existing(&self) -> Result<&PersonalDetails> {
        self.details().ok_or(E::PersonNotFound)
    }

    /// The insured period covering `date`; errors when not qualified or a dependent.
    fn insured_period_on(&self, date: Date) -> Result<(&QualificationPeriod, EnrollmentCategory)> {
        self.existing()?;
        let period = self.period_on(date).ok_or(E::NotQualified { date })?;
        let category = period.insured_category().ok_or(E::NotInsured { date })?;
        Ok((period, category))
    }

    /// The open insured period.
    fn current_insured_period(
        &self,
        date: Date,
    ) -> Result<(&QualificationPeriod, EnrollmentCategory)> {
        self.existing()?;
        let period = self.current_period().ok_or(E::NotQualified { date })?;
        let category = period.insured_category().ok_or(E::NotInsured { date })?;
        Ok((period, category))
    }

    /// Checks shared by both creating commands: same id, no active period, no overlap,
    /// same birth date and sex as before, born by `start`, younger than 75 on `start`.
    fn check_new_period(
        &self,
        person_id: uuid::Uuid,
        start: Date,
        birth_date: Date,
        sex: Sex,
    ) -> Result<()> {
        if let Some(expected) = self.id() {
            if expected != person_id {
                return Err(E::PersonIdMismatch {
                    expected,
                    given: person_id,
                });
            }
        }
        if let Some(current) = self.current_period() {
            return Err(E::QualificationAlreadyActive {
                since: current.started_on,
            });
        }
        if let Some(previous_end) = self.periods().last().and_then(|p| p.ended_on) {
            if start < previous_end {
                return Err(E::OverlapsPreviousPeriod {
                    given: start,
                    previous_end,
                });
            }
        }
        if let Some(details) = self.details() {
            if details.birth_date != birth_date {
                return Err(E::PersonalDetailsMismatch {
                    field: "date of birth (生年月日)",
                });
            }
            if details.sex != sex {
                return Err(E::PersonalDetailsMismatch {
                    field: "sex (性別)",
                });
            }
        }
        if birth_date > start {
            return Err(E::BirthAfterEvent {
                birth_date,
                date: start,
            });
        }
        // 後期高齢者医療の被保険者 are excluded from the 健康保険 (3条1項, 3条7項 ただし書);
        // they become so on the 75th birthday (rules.md §4.2).
        let birthday_75 = birth_date.anniversary(75);
        if start >= birthday_75 {
            return Err(E::Aged75OrOver {
                date: start,
                birthday_75,
            });
        }
        Ok(())
    }

    /// 資格取得 (健康保険法35条, 42条; 任継 3条4項・37条).
    fn acquire(&self, body: QualificationAcquisition) -> Result<PersonEvent> {
        self.check_new_period(body.person_id, body.acquired_on, body.birth_date, body.sex)?;
        let category = body.category;
        // 取得理由 and 加入区分 must agree.
        let reason_fits = match body.reason {
            AcquisitionReason::VoluntaryContinuation => {
                category == EnrollmentCategory::VoluntaryContinuation
            }
            AcquisitionReason::SpecialRetiree => category == EnrollmentCategory::SpecialRetiree,
            AcquisitionReason::Other { .. } => true,
            _ => category == EnrollmentCategory::Compulsory,
        };
        if !reason_fits {
            return Err(E::ReasonNotApplicable {
                reason: body.reason.code(),
                category,
            });
        }
        match category {
            EnrollmentCategory::Compulsory => {
                received_not_before(body.received_on, body.acquired_on)?
            }
            EnrollmentCategory::VoluntaryContinuation => {
                self.check_voluntary_continuation(&body)?
            }
            EnrollmentCategory::SpecialRetiree => {}
        }
        if body.monthly_remuneration.is_negative() {
            return Err(E::AmountOutOfRange {
                field: "monthly_remuneration (報酬月額)",
                requirement: "zero or more",
                amount: body.monthly_remuneration,
            });
        }
        let birthday_75 = body.birth_date.anniversary(75);
        let scheduled_loss_on = match category {
            // 38条1号: two years; rules.md §3.7.
            EnrollmentCategory::VoluntaryContinuation => {
                body.acquired_on.anniversary(2).min(birthday_75)
            }
            _ => birthday_75,
        };
        Ok(PersonEvent::QualificationAcquired(QualificationAcquired {
            person_id: body.person_id,
            category,
            acquired_on: body.acquired_on,
            reason: body.reason,
            received_on: body.received_on,
            name: body.name,
            kana: body.kana,
            sex: body.sex,
            birth_date: body.birth_date,
            resident_address: body.resident_address,
            contact_address: body.contact_address,
            phone: body.phone,
            affiliation_code: body.affiliation_code,
            employee_number: body.employee_number,
            identification: body.identification,
            monthly_remuneration: body.monthly_remuneration,
            standard_remuneration: grade_for(body.monthly_remuneration),
            scheduled_loss_on,
            late_application_reason: body.late_application_reason,
        }))
    }

    /// 任意継続 eligibility (3条4項; rules.md §3.7): the person lost a 強制 qualification
    /// with this society on the 任継 acquisition date (任継 starts on the 資格喪失日 itself),
    /// was insured continuously for at least 2 months up to the day before, did not lose it
    /// by death or 75歳, and applied within 20 days of the 資格喪失日 unless a 正当な理由 is
    /// given.
    fn check_voluntary_continuation(&self, body: &QualificationAcquisition) -> Result<()> {
        let not_eligible = |detail: &str| E::VoluntaryContinuationNotEligible {
            detail: detail.to_string(),
        };
        let previous = self
            .periods()
            .last()
            .filter(|p| p.insured_category() == Some(EnrollmentCategory::Compulsory))
            .ok_or_else(|| not_eligible("no 強制 qualification with this society precedes it"))?;
        if previous.ended_on != Some(body.acquired_on) {
            return Err(not_eligible(
                "任意継続 starts on the 資格喪失日 of the 強制 qualification",
            ));
        }
        if matches!(
            previous.end,
            Some(PeriodEnd::Lost(
                LossReason::Death { .. } | LossReason::Reaching75
            ))
        ) {
            return Err(not_eligible(
                "the 強制 qualification ended by death or at 75",
            ));
        }
        // Continuous 強制 insurance: earlier periods that end the day the next begins.
        let mut continuous_since = previous.started_on;
        for period in self.periods().iter().rev().skip(1) {
            if period.insured_category() == Some(EnrollmentCategory::Compulsory)
                && period.ended_on == Some(continuous_since)
            {
                continuous_since = period.started_on;
            } else {
                break;
            }
        }
        if continuous_since.add_months(2) > body.acquired_on {
            return Err(not_eligible(
                "insured for less than 2 continuous months before the 資格喪失日 (3条4項)",
            ));
        }
        let deadline = body
            .acquired_on
            .add_days(VOLUNTARY_CONTINUATION_APPLICATION_DAYS - 1);
        if body.received_on > deadline && body.late_application_reason.is_none() {
            return Err(E::VoluntaryContinuationApplicationLate {
                deadline,
                received_on: body.received_on,
            });
        }
        Ok(())
    }

    /// 資格喪失 (健康保険法36条; 任継 38条; 75歳 rules.md §4.2).
    fn lose(&self, body: QualificationLoss) -> Result<PersonEvent> {
        let details = self.existing()?;
        let period = self
            .current_period()
            .ok_or(E::NotQualified { date: body.lost_on })?;
        let category = period
            .insured_category()
            .ok_or(E::NotInsured { date: body.lost_on })?;
        if body.lost_on <= period.started_on {
            return Err(E::LossBeforeAcquisition {
                acquired_on: period.started_on,
                lost_on: body.lost_on,
            });
        }
        use EnrollmentCategory::{Compulsory, SpecialRetiree, VoluntaryContinuation};
        let reason = &body.reason;
        let applies = match reason {
            LossReason::Retirement { .. }
            | LossReason::TransferOut { .. }
            | LossReason::BecameExempt { .. } => category == Compulsory,
            LossReason::VoluntaryContinuationExpired | LossReason::VoluntaryWithdrawal { .. } => {
                category == VoluntaryContinuation
            }
            LossReason::PremiumUnpaid { .. } | LossReason::OtherInsuranceAcquired { .. } => {
                matches!(category, VoluntaryContinuation | SpecialRetiree)
            }
            LossReason::Death { .. } | LossReason::Reaching75 | LossReason::Other { .. } => true,
        };
        if !applies {
            return Err(E::ReasonNotApplicable {
                reason: reason.code(),
                category,
            });
        }
        // (the date the reason implies, the fact date a notice cannot precede)
        let (expected, fact): (Option<Date>, Option<Date>) = match reason {
            LossReason::Retirement { last_working_day } => {
                (Some(last_working_day.next_day()), Some(*last_working_day))
            }
            LossReason::TransferOut { transferred_on } => {
                (Some(*transferred_on), Some(*transferred_on))
            }
            LossReason::BecameExempt { exempt_from } => {
                (Some(exempt_from.next_day()), Some(*exempt_from))
            }
            LossReason::Death { date_of_death } => {
                (Some(date_of_death.next_day()), Some(*date_of_death))
            }
            LossReason::Reaching75 => (Some(details.birthday_75()), None),
            LossReason::VoluntaryContinuationExpired => {
                (Some(period.started_on.anniversary(2)), None)
            }
            LossReason::PremiumUnpaid { due_date } => (Some(due_date.next_day()), Some(*due_date)),
            LossReason::OtherInsuranceAcquired { acquired_on } => {
                (Some(*acquired_on), Some(*acquired_on))
            }
            LossReason::VoluntaryWithdrawal { accepted_on } => {
                if *accepted_on < VOLUNTARY_WITHDRAWAL_FROM {
                    return Err(E::NotInForce {
                        what: "任意継続 withdrawal on request (38条7号)",
                        from: VOLUNTARY_WITHDRAWAL_FROM,
                        date: *accepted_on,
                    });
                }
                (
                    Some(accepted_on.year_month().add_months(1).first_day()),
                    Some(*accepted_on),
                )
            }
            LossReason::Other { .. } => (None, None),
        };
        if let Some(expected) = expected {
            if expected != body.lost_on {
                return Err(E::LossDateMismatch {
                    reason: reason.code(),
                    expected,
                    given: body.lost_on,
                });
            }
        }
        if body.lost_on > period.scheduled_end_on {
            return Err(E::AfterScheduledLoss {
                scheduled: period.scheduled_end_on,
                given: body.lost_on,
            });
        }
        if let Some(fact) = fact {
            received_not_before(body.received_on, fact)?;
        }
        Ok(PersonEvent::QualificationLost(QualificationLost {
            category,
            acquired_on: period.started_on,
            lost_on: body.lost_on,
            reason: body.reason,
            received_on: body.received_on,
        }))
    }

    /// 被扶養者認定 (健康保険法3条7項; rules.md §4.3): against an insured qualified on the
    /// recognition date, never oneself, younger than 75.
    fn recognize_dependent(
        &self,
        body: DependentRecognition,
        insured: Option<InsuredStanding>,
    ) -> Result<PersonEvent> {
        if body.insured_person_id == body.person_id {
            return Err(E::DependentIsInsured);
        }
        let insured = insured.ok_or(E::InsuredNotQualified {
            date: body.recognized_on,
        })?;
        if insured.person_id != body.insured_person_id {
            return Err(E::InsuredMismatch {
                standing: insured.person_id,
                given: body.insured_person_id,
            });
        }
        if insured.as_of != body.recognized_on {
            return Err(E::InsuredStandingDateMismatch {
                standing: insured.as_of,
                recognized_on: body.recognized_on,
            });
        }
        self.check_new_period(
            body.person_id,
            body.recognized_on,
            body.birth_date,
            body.sex,
        )?;
        received_not_before(body.received_on, body.recognized_on)?;
        Ok(PersonEvent::DependentRecognized(DependentRecognized {
            person_id: body.person_id,
            insured_person_id: body.insured_person_id,
            insured_category: insured.category,
            relationship: body.relationship,
            recognized_on: body.recognized_on,
            received_on: body.received_on,
            name: body.name,
            kana: body.kana,
            sex: body.sex,
            birth_date: body.birth_date,
            resident_address: body.resident_address,
            identification: body.identification,
            scheduled_removal_on: body.birth_date.anniversary(75),
        }))
    }

    /// 被扶養者削除.
    fn remove_dependent(&self, body: DependentRemoval) -> Result<PersonEvent> {
        let details = self.existing()?;
        let period = self.current_period().ok_or(E::NotQualified {
            date: body.removed_on,
        })?;
        let Role::Dependent {
            insured_person_id, ..
        } = period.role
        else {
            return Err(E::NotDependent);
        };
        if body.removed_on <= period.started_on {
            return Err(E::RemovalBeforeRecognition {
                recognized_on: period.started_on,
                removed_on: body.removed_on,
            });
        }
        let reason = &body.reason;
        let (expected, fact) = match reason {
            DependentRemovalReason::InsuredLostQualification { insured_lost_on } => {
                (Some(*insured_lost_on), None)
            }
            DependentRemovalReason::Death { date_of_death } => {
                (Some(date_of_death.next_day()), Some(*date_of_death))
            }
            DependentRemovalReason::Reaching75 => (Some(details.birthday_75()), None),
            DependentRemovalReason::OwnInsuranceAcquired { acquired_on } => {
                (Some(*acquired_on), Some(*acquired_on))
            }
            DependentRemovalReason::IncomeExceeded
            | DependentRemovalReason::Divorce
            | DependentRemovalReason::NoLongerSameHousehold
            | DependentRemovalReason::Other { .. } => (None, Some(body.removed_on)),
        };
        if let Some(expected) = expected {
            if expected != body.removed_on {
                return Err(E::RemovalDateMismatch {
                    reason: reason.code(),
                    expected,
                    given: body.removed_on,
                });
            }
        }
        if body.removed_on > period.scheduled_end_on {
            return Err(E::AfterScheduledLoss {
                scheduled: period.scheduled_end_on,
                given: body.removed_on,
            });
        }
        if let Some(fact) = fact {
            received_not_before(body.received_on, fact)?;
        }
        Ok(PersonEvent::DependentRemoved(DependentRemoved {
            insured_person_id,
            recognized_on: period.started_on,
            removed_on: body.removed_on,
            reason: body.reason,
            received_on: body.received_on,
        }))
    }

    /// 標準報酬月額 決定・改定 (41条, 42条, 43条, 43条の2, 43条の3; rules.md §2.3–§2.5).
    fn determine(&self, body: StandardRemunerationDetermination) -> Result<PersonEvent> {
        let month = body.effective_from;
        let (period, category) = self.current_insured_period(month.first_day())?;
        let start_month = period.started_on.year_month();
        if month < start_month {
            return Err(E::NotQualifiedInMonth { month });
        }
        if body.monthly_remuneration.is_negative() {
            return Err(E::AmountOutOfRange {
                field: "monthly_remuneration (報酬月額)",
                requirement: "zero or more",
                amount: body.monthly_remuneration,
            });
        }
        let kind = body.kind;
        let new = grade_for(body.monthly_remuneration);
        let previous_record = self.remuneration_record_in(month.add_months(-1));
        let previous = previous_record.map(|r| r.standard);
        if kind != DeterminationKind::AtAcquisition && category != EnrollmentCategory::Compulsory {
            // 任継 / 特退: the 標準報酬月額 is set under 47条, never by 算定 or 月変
            // (rules.md §3.7 "no 定時決定").
            return Err(E::NotApplicableToCategory {
                what: "this 標準報酬 決定・改定",
                category,
            });
        }
        match kind {
            DeterminationKind::AtAcquisition => {
                // 42条: from the acquisition month (rules.md §2.3).
                if month != start_month {
                    return Err(E::EffectiveMonthMismatch {
                        kind,
                        expected: start_month,
                        given: month,
                    });
                }
            }
            DeterminationKind::RegularDetermination => self.check_regular(period, month)?,
            DeterminationKind::InterimRevision => {
                // 43条: three months from the change (at the earliest the acquisition
                // month), effective from the month after (rules.md §2.5).
                let earliest = start_month.add_months(3);
                if month < earliest {
                    return Err(E::RevisionTooEarly { earliest });
                }
                if let Some(record) = previous_record {
                    if !interim_revision_change_is_significant(
                        record.standard,
                        record.monthly_remuneration,
                        body.monthly_remuneration,
                    ) {
                        return Err(E::GradeDifferenceInsufficient {
                            current: record.standard.grade,
                            new: new.grade,
                            required: 2,
                        });
                    }
                }
            }
            DeterminationKind::AfterMaternityLeave | DeterminationKind::AfterChildcareLeave => {
                let leave_kind = if kind == DeterminationKind::AfterMaternityLeave {
                    LeaveKind::Maternity
                } else {
                    LeaveKind::Childcare
                };
                let ended_on = self
                    .leaves(leave_kind)
                    .iter()
                    .rev()
                    .filter(|l| l.started_on >= period.started_on)
                    .find_map(|l| l.ended_on)
                    .ok_or(E::NoEndedLeave { kind: leave_kind })?;
                // From the month after the month in which 2 months have passed since the day
                // after the leave ended: the 4th month counting that day's month as the 1st.
                let expected = ended_on.next_day().year_month().add_months(3);
                if month != expected {
                    return Err(E::EffectiveMonthMismatch {
                        kind,
                        expected,
                        given: month,
                    });
                }
                // 43条の3 ただし書: not when 育児休業 starts the day after 産休 ends.
                if leave_kind == LeaveKind::Maternity
                    && self
                        .leaves(LeaveKind::Childcare)
                        .iter()
                        .any(|l| l.started_on == ended_on.next_day())
                {
                    return Err(E::FollowedByChildcareLeave);
                }
                // A 1-grade difference suffices, but there must be one (rules.md §2.5).
                if let Some(previous) = previous {
                    if previous.grade == new.grade {
                        return Err(E::GradeDifferenceInsufficient {
                            current: previous.grade,
                            new: new.grade,
                            required: 1,
                        });
                    }
                }
            }
        }
        Ok(PersonEvent::StandardRemunerationDetermined(
            StandardRemunerationDetermined {
                kind,
                effective_from: month,
                monthly_remuneration: body.monthly_remuneration,
                standard_remuneration: new,
                previous,
                received_on: body.received_on,
            },
        ))
    }

    /// 定時決定 (41条; rules.md §2.4): effective September; not for people acquired from
    /// 6/1 of that year (41条3項; 7/1 is the base date, so later acquisitions are not
    /// employed on it either), nor for people revised from July, August or September.
    fn check_regular(&self, period: &QualificationPeriod, month: YearMonth) -> Result<()> {
        if month.month() != 9 {
            return Err(E::RegularDeterminationNotSeptember { given: month });
        }
        let june_first = month.add_months(-3).first_day();
        if period.started_on >= june_first {
            return Err(E::RegularDeterminationExcluded {
                effective_from: month,
                detail: "acquired on or after 6/1 of that year (41条3項)",
            });
        }
        let july = month.add_months(-2);
        let revised_in_summer = self.remuneration_history().iter().any(|r| {
            matches!(
                r.kind,
                DeterminationKind::InterimRevision
                    | DeterminationKind::AfterMaternityLeave
                    | DeterminationKind::AfterChildcareLeave
            ) && r.effective_from >= july
                && r.effective_from <= month
        });
        if revised_in_summer {
            return Err(E::RegularDeterminationExcluded {
                effective_from: month,
                detail:
                    "revised under 43条/43条の2/43条の3 from July, August or September (41条3項)",
            });
        }
        Ok(())
    }

    /// 賞与 and 標準賞与額 (45条; rules.md §2.6). 賞与 of the same month are added up before
    /// the 1,000-yen floor ("その月に受けた賞与額"); the 年度 cap counts every 賞与 recorded
    /// for the person with this society in that 年度, across qualification periods.
    fn report_bonus(&self, body: BonusReport) -> Result<PersonEvent> {
        self.insured_period_on(body.paid_on)?;
        if body.amount <= Yen::ZERO {
            return Err(E::AmountOutOfRange {
                field: "amount (賞与支払額)",
                requirement: "more than zero",
                amount: body.amount,
            });
        }
        received_not_before(body.received_on, body.paid_on)?;
        let fiscal_year = body.paid_on.fiscal_year();
        let month = body.paid_on.year_month();
        let same_year: Vec<_> = self
            .bonuses()
            .iter()
            .filter(|b| b.paid_on.fiscal_year() == fiscal_year)
            .collect();
        if let Some(later) = same_year
            .iter()
            .map(|b| b.paid_on.year_month())
            .filter(|m| *m > month)
            .max()
        {
            return Err(E::BonusOutOfOrder {
                recorded: later,
                given: month,
            });
        }
        let (this_month, earlier): (Vec<_>, Vec<_>) = same_year
            .into_iter()
            .partition(|b| b.paid_on.year_month() == month);
        let before_month: Yen = earlier.iter().map(|b| b.standard_bonus).sum();
        let month_amount: Yen = this_month.iter().map(|b| b.amount).sum::<Yen>() + body.amount;
        let month_standard_so_far: Yen = this_month.iter().map(|b| b.standard_bonus).sum();
        let month_standard = standard_bonus(month_amount, before_month);
        let standard = month_standard - month_standard_so_far;
        Ok(PersonEvent::BonusReported(BonusReported {
            paid_on: body.paid_on,
            amount: body.amount,
            standard_bonus: standard,
            fiscal_year,
            fiscal_year_total: before_month + month_standard,
            received_on: body.received_on,
        }))
    }

    /// 氏名変更: only while qualified on the change date, and only if something changes.
    fn change_name(&self, body: NameChange) -> Result<PersonEvent> {
        let details = self.existing()?;
        if !self.is_qualified_on(body.changed_on) {
            return Err(E::NotQualified {
                date: body.changed_on,
            });
        }
        if details.name == body.name && details.kana == body.kana {
            return Err(E::NoChange {
                what: "the name and kana are those already recorded",
            });
        }
        received_not_before(body.received_on, body.changed_on)?;
        Ok(PersonEvent::NameChanged(NameChanged {
            changed_on: body.changed_on,
            received_on: body.received_on,
            reason: body.reason,
            previous_name: details.name.clone(),
            previous_kana: details.kana.clone(),
            name: body.name,
            kana: body.kana,
        }))
    }

    /// 住所変更: the resident and/or contact address, while qualified.
    fn change_address(&self, body: AddressChange) -> Result<PersonEvent> {
        let details = self.existing()?;
        if !self.is_qualified_on(body.changed_on) {
            return Err(E::NotQualified {
                date: body.changed_on,
            });
        }
        let resident_changes = body
            .resident_address
            .as_ref()
            .is_some_and(|a| *a != details.resident_address);
        let contact_changes = body
            .contact_address
            .as_ref()
            .is_some_and(|a| Some(a) != details.contact_address.as_ref());
        if !resident_changes && !contact_changes {
            return Err(E::NoChange {
                what: "give a resident or contact address that differs from the recorded one",
            });
        }
        received_not_before(body.received_on, body.changed_on)?;
        Ok(PersonEvent::AddressChanged(AddressChanged {
            changed_on: body.changed_on,
            received_on: body.received_on,
            resident_address: body.resident_address.filter(|_| resident_changes),
            contact_address: body.contact_address.filter(|_| contact_changes),
        }))
    }

    /// 産前産後休業 / 育児休業 開始: for a 強制 insured qualified on the start date (the
    /// premium exemption of 159条・159条の3 is an employer-side rule, rules.md §3.6); 産休 for
    /// a woman only; one open leave per kind; no overlap with the previous one.
    fn start_leave(&self, kind: LeaveKind, body: LeaveStart) -> Result<PersonEvent> {
        let (_, category) = self.insured_period_on(body.started_on)?;
        if category != EnrollmentCategory::Compulsory {
            return Err(E::NotApplicableToCategory {
                what: match kind {
                    LeaveKind::Maternity => "産前産後休業",
                    LeaveKind::Childcare => "育児休業",
                },
                category,
            });
        }
        if kind == LeaveKind::Maternity && self.details().is_some_and(|d| d.sex != Sex::Female) {
            return Err(E::MaternityLeaveNotApplicable);
        }
        if body.planned_end_on < body.started_on {
            return Err(E::EndBeforeStart {
                what: "planned end (満了予定年月日)",
                start: body.started_on,
                end: body.planned_end_on,
            });
        }
        if let Some(last) = self.leaves(kind).last() {
            match last.ended_on {
                None => {
                    return Err(E::LeaveAlreadyOpen {
                        kind,
                        started_on: last.started_on,
                    })
                }
                Some(previous_end) if body.started_on <= previous_end => {
                    return Err(E::LeaveOverlapsPrevious {
                        kind,
                        started_on: body.started_on,
                        previous_end,
                    })
                }
                Some(_) => {}
            }
        }
        received_not_before(body.received_on, body.started_on)?;
        let event = LeaveStarted {
            started_on: body.started_on,
            planned_end_on: body.planned_end_on,
            received_on: body.received_on,
        };
        Ok(match kind {
            LeaveKind::Maternity => PersonEvent::MaternityLeaveStarted(event),
            LeaveKind::Childcare => PersonEvent::ChildcareLeaveStarted(event),
        })
    }

    /// 産前産後休業 / 育児休業 終了: the open leave ends on or after its start, while qualified.
    fn end_leave(&self, kind: LeaveKind, body: LeaveEnd) -> Result<PersonEvent> {
        self.existing()?;
        let open = self
            .leaves(kind)
            .last()
            .filter(|l| l.is_open())
            .ok_or(E::NoOpenLeave { kind })?;
        if body.ended_on < open.started_on {
            return Err(E::EndBeforeStart {
                what: "leave end (終了年月日)",
                start: open.started_on,
                end: body.ended_on,
            });
        }
        self.insured_period_on(body.ended_on)?;
        received_not_before(body.received_on, body.ended_on)?;
        let event = LeaveEnded {
            started_on: open.started_on,
            ended_on: body.ended_on,
            received_on: body.received_on,
        };
        Ok(match kind {
            LeaveKind::Maternity => PersonEvent::MaternityLeaveEnded(event),
            LeaveKind::Childcare => PersonEvent::ChildcareLeaveEnded(event),
        })
    }

    /// 資格確認書 交付 (rules.md §4.4): from 2024-12-02, while qualified on the issue date,
    /// valid from no earlier than the qualification, for at most 5 years, and not past the
    /// scheduled loss (75歳, end of 任継).
    fn issue_certificate(&self, body: CertificateIssue) -> Result<PersonEvent> {
        self.existing()?;
        if body.issued_on < CERTIFICATE_FROM {
            return Err(E::NotInForce {
                what: "資格確認書",
                from: CERTIFICATE_FROM,
                date: body.issued_on,
            });
        }
        let period = self.period_on(body.issued_on).ok_or(E::NotQualified {
            date: body.issued_on,
        })?;
        if self
            .certificates()
            .iter()
            .any(|c| c.certificate_id == body.certificate_id)
        {
            return Err(E::CertificateAlreadyIssued {
                certificate_id: body.certificate_id,
            });
        }
        if body.valid_to < body.valid_from {
            return Err(E::EndBeforeStart {
                what: "資格確認書 validity",
                start: body.valid_from,
                end: body.valid_to,
            });
        }
        if body.valid_to < body.issued_on {
            return Err(E::EndBeforeStart {
                what: "資格確認書 validity ends before the issue date",
                start: body.issued_on,
                end: body.valid_to,
            });
        }
        if body.valid_from < period.started_on {
            return Err(E::CertificateValidBeforeQualification {
                valid_from: body.valid_from,
                qualified_since: period.started_on,
            });
        }
        let latest_valid_to = body
            .valid_from
            .anniversary(CERTIFICATE_MAX_YEARS)
            .previous_day();
        if body.valid_to > latest_valid_to {
            return Err(E::CertificateValidityTooLong {
                valid_from: body.valid_from,
                valid_to: body.valid_to,
                latest_valid_to,
            });
        }
        if body.valid_to >= period.scheduled_end_on {
            return Err(E::AfterScheduledLoss {
                scheduled: period.scheduled_end_on,
                given: body.valid_to,
            });
        }
        Ok(PersonEvent::CertificateIssued(CertificateIssued {
            certificate_id: body.certificate_id,
            issued_on: body.issued_on,
            valid_from: body.valid_from,
            valid_to: body.valid_to,
            printed_name: body.printed_name,
            printed_kana: body.printed_kana,
        }))
    }

    /// 資格確認書 回収: a known certificate, once, not before it was issued. Allowed after
    /// the loss (that is when most are collected).
    fn collect_certificate(&self, body: CertificateCollection) -> Result<PersonEvent> {
        self.existing()?;
        let certificate = self
            .certificates()
            .iter()
            .find(|c| c.certificate_id == body.certificate_id)
            .ok_or(E::CertificateNotFound {
                certificate_id: body.certificate_id,
            })?;
        if let Some(collected_on) = certificate.collected_on {
            return Err(E::CertificateAlreadyCollected {
                certificate_id: body.certificate_id,
                collected_on,
            });
        }
        if body.collected_on < certificate.issued_on {
            return Err(E::CollectionBeforeIssue {
                issued_on: certificate.issued_on,
                collected_on: body.collected_on,
            });
        }
        Ok(PersonEvent::CertificateCollected(CertificateCollected {
            certificate_id: body.certificate_id,
            issued_on: certificate.issued_on,
            collected_on: body.collected_on,
            reason: body.reason,
        }))
    }

    /// 給付金支給先口座 登録・変更の申請: checked as the registration it proposes, and only when no
    /// other change is pending. Nothing changes in force.
    fn propose_account(
        &self,
        change_id: Uuid,
        body: PaymentAccountRegistration,
        proposed_by: String,
        proposed_at: DateTime<Utc>,
    ) -> Result<PersonEvent> {
        self.existing()?;
        self.account_changes().check_proposal()?;
        self.register_account(body.clone(), None)?;
        Ok(PersonEvent::PaymentAccountChangeProposed(
            PaymentAccountChangeProposed {
                change_id,
                account: body.account,
                source: body.source,
                received_on: body.received_on,
                proposed_by,
                proposed_at,
            },
        ))
    }

    /// The pending change takes effect, confirmed by another staff member than its proposer.
    fn confirm_account(&self, body: ChangeConfirmation) -> Result<PersonEvent> {
        self.existing()?;
        let pending = self
            .account_changes()
            .check_decision(body.change_id, &body.confirmed_by)?;
        let confirmation = pending.confirmation(&body);
        self.register_account(pending.change.clone(), Some(confirmation))
    }

    /// The pending change is rejected by another staff member than its proposer.
    fn reject_account(&self, body: ChangeRejection) -> Result<PersonEvent> {
        self.existing()?;
        self.account_changes()
            .check_decision(body.change_id, &body.rejected_by)?;
        let reason = ChangeLedger::<PaymentAccountRegistration>::check_reason(&body.reason)?;
        Ok(PersonEvent::PaymentAccountChangeRejected(
            PaymentAccountChangeRejected {
                change_id: body.change_id,
                rejected_by: body.rejected_by,
                rejected_at: body.rejected_at,
                reason,
            },
        ))
    }

    /// 給付金支給先口座: for a person who is or was a 被保険者 (benefits for dependents are
    /// paid to the insured; 継続給付 may be paid after the loss).
    fn register_account(
        &self,
        body: PaymentAccountRegistration,
        confirmation: Option<Confirmation>,
    ) -> Result<PersonEvent> {
        self.existing()?;
        if !self
            .periods()
            .iter()
            .any(|p| matches!(p.role, Role::Insured { .. }))
        {
            return Err(E::NotInsured {
                date: body.received_on,
            });
        }
        if self
            .payment_account()
            .is_some_and(|r| r.account == body.account && r.source == body.source)
        {
            return Err(E::NoChange {
                what: "this account is already registered",
            });
        }
        Ok(PersonEvent::PaymentAccountRegistered(
            PaymentAccountRegistered {
                account: body.account,
                source: body.source,
                received_on: body.received_on,
                confirmation,
            },
        ))
    }

    /// 識別番号 変更 (ARCHITECTURE.md: they change when an insured moves between 事業所):
    /// while qualified, not before the current one took effect, and different from it.
    fn change_identification(&self, body: IdentificationChange) -> Result<PersonEvent> {
        self.existing()?;
        if !self.is_qualified_on(body.effective_on) {
            return Err(E::NotQualified {
                date: body.effective_on,
            });
        }
        let current = self
            .identification_history()
            .last()
            .ok_or(E::PersonNotFound)?;
        if body.effective_on < current.effective_on {
            return Err(E::IdentificationChangeOutOfOrder {
                effective_on: body.effective_on,
                current_since: current.effective_on,
            });
        }
        if current.identification == body.identification {
            return Err(E::NoChange {
                what: "the 識別番号 is the one already recorded",
            });
        }
        Ok(PersonEvent::IdentificationChanged(IdentificationChanged {
            effective_on: body.effective_on,
            previous: current.identification.clone(),
            identification: body.identification,
            received_on: body.received_on,
            reason: body.reason,
        }))
    }
}
