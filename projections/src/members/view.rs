//! The current member view of one person, folded from its events.

use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::money::Yen;
use kenpo_domain::qualification::{
    AcquisitionVoided, Address, AffiliationCode, DependentRecognized, DeterminationKind,
    EmployeeNumber, EnrollmentCategory, IdentificationNumber, KanaName, LeaveEnded, LeaveStarted,
    LossReason, PaymentAccount, PersonEvent, PersonName, PhoneNumber, QualificationAcquired,
    Relationship, Sex,
};
use kenpo_domain::standard_remuneration::StandardMonthlyRemuneration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// 被保険者 or 被扶養者.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// 被保険者.
    Insured,
    /// 被扶養者.
    Dependent,
}

impl MemberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Insured => "insured",
            Self::Dependent => "dependent",
        }
    }
}

/// Whether the person is qualified now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// 資格有.
    Qualified,
    /// 資格喪失 (or 被扶養者削除).
    Lost,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Qualified => "qualified",
            Self::Lost => "lost",
        }
    }
}

/// One qualification period (資格期間): from acquisition (or recognition) to loss (or removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QualificationPeriod {
    pub kind: MemberKind,
    /// 加入区分 (for a dependent: the insured's).
    pub category: EnrollmentCategory,
    pub from: Date,
    /// 喪失年月日 / 削除年月日; none while the period is open.
    pub lost_on: Option<Date>,
    /// The loss reason as recorded (JSON of the domain reason).
    pub loss_reason: Option<serde_json::Value>,
    pub identification: IdentificationNumber,
    /// Void from its start (資格取得の取消, e.g. 37条2項): `lost_on` is then `from` and
    /// `loss_reason` the void reason.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub voided: bool,
}

/// 識別番号 valid from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IdentificationSince {
    pub effective_on: Date,
    pub identification: IdentificationNumber,
}

/// Current 標準報酬月額.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RemunerationView {
    pub kind: DeterminationKind,
    /// 改定年月 (for 資格取得時: the acquisition month).
    pub effective_from: YearMonth,
    /// 報酬月額.
    pub monthly_remuneration: Yen,
    /// 標準報酬月額 and its grade.
    pub standard: StandardMonthlyRemuneration,
}

/// A 資格確認書.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateView {
    pub certificate_id: Uuid,
    pub issued_on: Date,
    pub valid_from: Date,
    pub valid_to: Date,
    pub printed_name: PersonName,
    pub printed_kana: KanaName,
    pub collected_on: Option<Date>,
}

/// 産前産後休業 or 育児休業.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveView {
    pub started_on: Date,
    pub planned_end_on: Date,
    pub ended_on: Option<Date>,
}

/// A 賞与 as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BonusView {
    pub paid_on: Date,
    pub amount: Yen,
    /// 標準賞与額.
    pub standard_bonus: Yen,
}

/// The member view (加入者情報) of one person, as of its latest event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub person_id: Uuid,
    pub kind: MemberKind,
    pub status: MemberStatus,
    /// For a dependent: the insured person.
    pub insured_person_id: Option<Uuid>,
    /// For a dependent: 続柄.
    pub relationship: Option<Relationship>,
    /// 識別番号 now.
    pub identification: Option<IdentificationNumber>,
    pub identification_history: Vec<IdentificationSince>,
    /// 加入区分.
    pub category: Option<EnrollmentCategory>,
    pub name: Option<PersonName>,
    pub kana_name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<Date>,
    pub resident_address: Option<Address>,
    pub contact_address: Option<Address>,
    pub phone: Option<PhoneNumber>,
    pub affiliation_code: Option<AffiliationCode>,
    pub employee_number: Option<EmployeeNumber>,
    /// 資格取得年月日 (or 認定年月日) of the current or latest period.
    pub acquired_on: Option<Date>,
    /// 資格喪失年月日 (or 削除年月日) of the latest period, if it ended.
    pub lost_on: Option<Date>,
    /// 喪失予定年月日 (e.g. the 75th birthday, the end of 任意継続).
    pub scheduled_loss_on: Option<Date>,
    pub standard_remuneration: Option<RemunerationView>,
    pub bonuses: Vec<BonusView>,
    pub periods: Vec<QualificationPeriod>,
    pub certificates: Vec<CertificateView>,
    pub maternity_leaves: Vec<LeaveView>,
    pub childcare_leaves: Vec<LeaveView>,
    pub payment_account: Option<PaymentAccount>,
    /// A change of the payment account proposed and waiting for a second person's
    /// confirmation (口座変更の確認); `payment_account` is the one in force until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_payment_account_change: Option<PendingPaymentAccountChange>,
    /// Version of the person's stream this view reflects.
    pub stream_version: i64,
}

/// A payment account change waiting for its second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PendingPaymentAccountChange {
    /// Id for `…/payment-account/changes/{change_id}/confirmation` or `/rejection`.
    pub change_id: Uuid,
    /// The account proposed.
    pub account: PaymentAccount,
    /// 職員ID of the proposer.
    pub proposed_by: String,
    pub proposed_at: chrono::DateTime<chrono::Utc>,
}

impl MemberView {
    /// A person with no event yet.
    pub fn empty(person_id: Uuid) -> Self {
        Self {
            person_id,
            kind: MemberKind::Insured,
            status: MemberStatus::Lost,
            insured_person_id: None,
            relationship: None,
            identification: None,
            identification_history: Vec::new(),
            category: None,
            name: None,
            kana_name: String::new(),
            sex: None,
            birth_date: None,
            resident_address: None,
            contact_address: None,
            phone: None,
            affiliation_code: None,
            employee_number: None,
            acquired_on: None,
            lost_on: None,
            scheduled_loss_on: None,
            standard_remuneration: None,
            bonuses: Vec::new(),
            periods: Vec::new(),
            certificates: Vec::new(),
            maternity_leaves: Vec::new(),
            childcare_leaves: Vec::new(),
            payment_account: None,
            pending_payment_account_change: None,
            stream_version: 0,
        }
    }

    fn set_identification(&mut self, effective_on: Date, identification: &IdentificationNumber) {
        self.identification = Some(identification.clone());
        self.identification_history.push(IdentificationSince {
            effective_on,
            identification: identification.clone(),
        });
    }

    fn close_period(&mut self, lost_on: Date, reason: serde_json::Value) {
        self.status = MemberStatus::Lost;
        self.lost_on = Some(lost_on);
        self.scheduled_loss_on = None;
        if let Some(period) = self.periods.last_mut() {
            period.lost_on = Some(lost_on);
            period.loss_reason = Some(reason);
        }
    }

    /// Fold one event (at stream `version`) into the view.
    pub fn apply(&mut self, version: i64, event: &PersonEvent) {
        self.stream_version = version;
        match event {
            PersonEvent::QualificationAcquired(e) => self.acquired(e),
            PersonEvent::QualificationLost(e) => {
                self.close_period(e.lost_on, reason_json(&e.reason));
            }
            PersonEvent::DependentRecognized(e) => self.recognized(e),
            PersonEvent::DependentRemoved(e) => {
                self.close_period(
                    e.removed_on,
                    serde_json::to_value(&e.reason).unwrap_or_default(),
                );
            }
            PersonEvent::StandardRemunerationDetermined(e) => {
                self.standard_remuneration = Some(RemunerationView {
                    kind: e.kind,
                    effective_from: e.effective_from,
                    monthly_remuneration: e.monthly_remuneration,
                    standard: e.standard_remuneration,
                });
            }
            PersonEvent::BonusReported(e) => self.bonuses.push(BonusView {
                paid_on: e.paid_on,
                amount: e.amount,
                standard_bonus: e.standard_bonus,
            }),
            PersonEvent::NameChanged(e) => {
                self.name = Some(e.name.clone());
                self.kana_name = e.kana.as_str().to_owned();
            }
            PersonEvent::AddressChanged(e) => {
                if let Some(address) = &e.resident_address {
                    self.resident_address = Some(address.clone());
                }
                if let Some(address) = &e.contact_address {
                    self.contact_address = Some(address.clone());
                }
            }
            PersonEvent::MaternityLeaveStarted(e) => self.maternity_leaves.push(leave(e)),
            PersonEvent::MaternityLeaveEnded(e) => end_leave(&mut self.maternity_leaves, e),
            PersonEvent::ChildcareLeaveStarted(e) => self.childcare_leaves.push(leave(e)),
            PersonEvent::ChildcareLeaveEnded(e) => end_leave(&mut self.childcare_leaves, e),
            PersonEvent::CertificateIssued(e) => self.certificates.push(CertificateView {
                certificate_id: e.certificate_id,
                issued_on: e.issued_on,
                valid_from: e.valid_from,
                valid_to: e.valid_to,
                printed_name: e.printed_name.clone(),
                printed_kana: e.printed_kana.clone(),
                collected_on: None,
            }),
            PersonEvent::CertificateCollected(e) => {
                if let Some(c) = self
                    .certificates
                    .iter_mut()
                    .find(|c| c.certificate_id == e.certificate_id)
                {
                    c.collected_on = Some(e.collected_on);
                }
            }
            PersonEvent::PaymentAccountRegistered(e) => {
                self.payment_account = Some(e.account.clone());
                self.pending_payment_account_change = None;
            }
            PersonEvent::PaymentAccountChangeProposed(e) => {
                self.pending_payment_account_change = Some(PendingPaymentAccountChange {
                    change_id: e.change_id,
                    account: e.account.clone(),
                    proposed_by: e.proposed_by.clone(),
                    proposed_at: e.proposed_at,
                });
            }
            PersonEvent::PaymentAccountChangeRejected(_) => {
                self.pending_payment_account_change = None;
            }
            PersonEvent::IdentificationChanged(e) => {
                self.set_identification(e.effective_on, &e.identification);
                if let Some(period) = self.periods.last_mut() {
                    if period.lost_on.is_none() {
                        period.identification = e.identification.clone();
                    }
                }
            }
            PersonEvent::AcquisitionVoided(e) => self.voided(e),
        }
    }

    /// 資格取得の取消: the current period is marked void (kept in `periods`, `lost_on` = its
    /// start) and the member is again as the period before left them: kind, 加入区分, dates and
    /// 識別番号 of that period, status lost. The voided period's 標準報酬月額 is void with it and
    /// the view keeps no earlier one, so `standard_remuneration` is cleared.
    fn voided(&mut self, e: &AcquisitionVoided) {
        if let Some(period) = self.periods.last_mut() {
            period.lost_on = Some(period.from);
            period.loss_reason = Some(serde_json::to_value(&e.reason).unwrap_or_default());
            period.voided = true;
        }
        self.status = MemberStatus::Lost;
        self.scheduled_loss_on = None;
        self.standard_remuneration = None;
        self.lost_on = Some(e.started_on);
        let previous = self
            .periods
            .iter()
            .rev()
            .skip(1)
            .find(|p| !p.voided)
            .cloned();
        if let Some(previous) = previous {
            self.kind = previous.kind;
            self.category = Some(previous.category);
            self.acquired_on = Some(previous.from);
            self.lost_on = previous.lost_on.or(Some(e.started_on));
            self.identification = Some(previous.identification);
        }
    }

    fn acquired(&mut self, e: &QualificationAcquired) {
        self.kind = MemberKind::Insured;
        self.status = MemberStatus::Qualified;
        self.insured_person_id = None;
        self.relationship = None;
        self.category = Some(e.category);
        self.name = Some(e.name.clone());
        self.kana_name = e.kana.as_str().to_owned();
        self.sex = Some(e.sex);
        self.birth_date = Some(e.birth_date);
        self.resident_address = Some(e.resident_address.clone());
        self.contact_address = e.contact_address.clone();
        self.phone = e.phone.clone();
        self.affiliation_code = e.affiliation_code.clone();
        self.employee_number = e.employee_number.clone();
        self.acquired_on = Some(e.acquired_on);
        self.lost_on = None;
        self.scheduled_loss_on = Some(e.scheduled_loss_on);
        self.standard_remuneration = Some(RemunerationView {
            kind: DeterminationKind::AtAcquisition,
            effective_from: e.acquired_on.year_month(),
            monthly_remuneration: e.monthly_remuneration,
            standard: e.standard_remuneration,
        });
        self.set_identification(e.acquired_on, &e.identification);
        self.periods.push(QualificationPeriod {
            kind: MemberKind::Insured,
            category: e.category,
            from: e.acquired_on,
            lost_on: None,
            loss_reason: None,
            identification: e.identification.clone(),
            voided: false,
        });
    }

    fn recognized(&mut self, e: &DependentRecognized) {
        self.kind = MemberKind::Dependent;
        self.status = MemberStatus::Qualified;
        self.insured_person_id = Some(e.insured_person_id);
        self.relationship = Some(e.relationship);
        self.category = Some(e.insured_category);
        self.name = Some(e.name.clone());
        self.kana_name = e.kana.as_str().to_owned();
        self.sex = Some(e.sex);
        self.birth_date = Some(e.birth_date);
        self.resident_address = Some(e.resident_address.clone());
        self.acquired_on = Some(e.recognized_on);
        self.lost_on = None;
        self.scheduled_loss_on = Some(e.scheduled_removal_on);
        self.standard_remuneration = None;
        self.set_identification(e.recognized_on, &e.identification);
        self.periods.push(QualificationPeriod {
            kind: MemberKind::Dependent,
            category: e.insured_category,
            from: e.recognized_on,
            lost_on: None,
            loss_reason: None,
            identification: e.identification.clone(),
            voided: false,
        });
    }
}

fn reason_json(reason: &LossReason) -> serde_json::Value {
    serde_json::to_value(reason).unwrap_or_default()
}

fn leave(e: &LeaveStarted) -> LeaveView {
    LeaveView {
        started_on: e.started_on,
        planned_end_on: e.planned_end_on,
        ended_on: None,
    }
}

fn end_leave(leaves: &mut [LeaveView], e: &LeaveEnded) {
    if let Some(l) = leaves
        .iter_mut()
        .find(|l| l.started_on == e.started_on && l.ended_on.is_none())
    {
        l.ended_on = Some(e.ended_on);
    }
}
