//! 給付関係の証 (限度額適用認定証, 高齢受給者証, 特定疾病療養受療証): what the certificate says is
//! decided here from 適用 — the holder's 生年月日, the 標準報酬月額 of the insured in the month the
//! validity starts — and the application's own statements (非課税, 低所得, 収入額), then issued on
//! the `medical_certificate-<uuid>` stream and folded into `medical_certificates` inline.
//!
//! Decisions (rules.md §5.5, §5.6 table (a)/(c), §5.8–§5.10):
//! - 適用区分 under 70: ア 標準報酬月額 ≥ 830,000; イ ≥ 530,000; otherwise オ when 市町村民税
//!   非課税, ウ ≥ 280,000, エ below (ア・イ apply even when 非課税).
//! - 適用区分 70–74: 低所得Ⅰ・Ⅱ as stated; 現役並みⅡ ≥ 530,000; 現役並みⅠ ≥ 280,000; 現役並みⅢ
//!   (≥ 830,000) and 一般 need no 認定証 (the 高齢受給者証 suffices) → 422
//!   `certificate_not_needed`.
//! - 一部負担金割合 (高齢受給者証): 3割 when the insured is 現役並み (標準報酬月額 ≥ 280,000, and
//!   70–74 themselves when the holder is their dependent), unless the 基準収入額 application shows
//!   収入 < 3,830,000 (single) or < 5,200,000 with a 70–74 dependent's income added → 2割;
//!   otherwise 2割. The decision's basis is recorded on the certificate.
//! - 特定疾病: the insured's 標準報酬月額 goes with it (透析 under 70 in ア・イ: 20,000).
//!
//! The thresholds are statutory (施行令 and 74条) and have not changed in the years rules.md
//! covers; they are constants here with their source, not registry parameters.

use kenpo_domain::basis::{Basis, Rounding, Step};
use kenpo_domain::benefits::certificates::{
    is_elderly_on, CertificateDetails, CoPaymentRatio, LimitCategory, MedicalCertificate,
    MedicalCertificateCollection, MedicalCertificateCommand, MedicalCertificateIssue,
    SpecificDisease,
};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::Decimal;
use kenpo_domain::qualification::Role;
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use kenpo_projections::medical_certificates::{self, query, CertificateEventAt, CertificateView};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::eligibility::person;
use crate::application::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// 区分ア: 標準報酬月額 830,000 and above (rules.md §5.6 (a)); 現役並みⅢ for 70–74 ((c)).
pub const CATEGORY_A_FROM: Yen = Yen::new(830_000);
/// 区分イ: 530,000 and above (rules.md §5.6 (a)); 現役並みⅡ for 70–74.
pub const CATEGORY_I_FROM: Yen = Yen::new(530_000);
/// 区分ウ and 現役並み: 280,000 and above (rules.md §5.5, §5.6).
pub const ACTIVE_INCOME_FROM: Yen = Yen::new(280_000);
/// 基準収入額: 2割 when 収入 is below this without a 70–74 dependent (rules.md §5.5).
pub const INCOME_LIMIT_SINGLE: Yen = Yen::new(3_830_000);
/// 基準収入額: 2割 when 収入 with a 70–74 dependent's is below this (rules.md §5.5).
pub const INCOME_LIMIT_WITH_ELDERLY_DEPENDENT: Yen = Yen::new(5_200_000);

/// 低所得 (70–74 with 市町村民税非課税).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LowIncome {
    /// 低所得Ⅰ (非課税 with no income after deductions).
    LowIncomeI,
    /// 低所得Ⅱ (other 非課税).
    LowIncomeIi,
}

/// 基準収入額適用申請 (rules.md §5.5): the 収入 the 2割 test compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElderlyIncomeTest {
    /// 被保険者の収入額 (前年; 1月–8月 care: 前々年).
    pub income: Yen,
    /// 70–74 の被扶養者の収入額, when there is one (the 5,200,000 test).
    #[serde(default)]
    pub elderly_dependent_income: Option<Yen>,
}

/// What the application states, by certificate kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CertificateApplication {
    /// 限度額適用認定証 (限度額適用・標準負担額減額認定証 for オ / 低所得).
    LimitApplication {
        /// 市町村民税非課税 (区分オ under 70).
        #[serde(default)]
        municipal_tax_exempt: bool,
        /// 70–74 低所得Ⅰ・Ⅱ.
        #[serde(default)]
        low_income: Option<LowIncome>,
        /// 長期入院該当年月日 already met (オ / 低所得Ⅱ).
        #[serde(default)]
        long_term_hospitalization_on: Option<Date>,
    },
    /// 高齢受給者証 (70–74).
    ElderlyRecipient {
        /// 基準収入額適用申請, when made.
        #[serde(default)]
        income_test: Option<ElderlyIncomeTest>,
    },
    /// 特定疾病療養受療証.
    SpecificDisease {
        /// 認定疾病区分.
        disease: SpecificDisease,
    },
}

/// `POST /certificates`: issue a certificate for a qualified person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateRequest {
    /// The certificate's id, chosen by the client.
    pub certificate_id: Uuid,
    /// The holder (被保険者 or 被扶養者).
    pub person_id: Uuid,
    /// 交付年月日.
    pub issued_on: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日 (last valid day).
    pub valid_to: Date,
    /// What the application states.
    pub application: CertificateApplication,
}

/// What a certificate command recorded, and the certificate as it now stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateRecorded {
    pub certificate_id: Uuid,
    /// `medical_certificate-<uuid>`.
    pub stream_id: String,
    pub version: i64,
    pub position: i64,
    pub events: Vec<String>,
    pub certificate: CertificateView,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// Run `command` on certificate `id` and project it inline.
pub async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    command: MedicalCertificateCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<CertificateRecorded, ApiError> {
    let loaded = aggregate::load::<MedicalCertificate>(conn, upcasters, id)
        .await
        .map_err(aggregate::store_error)?;
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<CertificateEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| CertificateEventAt {
            certificate_id: id,
            version,
            event: event.clone(),
        })
        .collect();
    medical_certificates::apply(conn, &at)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let certificate = query::find(&mut *conn, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::internal(&"the certificate's row was not written"))?;
    Ok(CertificateRecorded {
        certificate_id: id,
        stream_id: stream_id::<MedicalCertificate>(id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        certificate,
    })
}

fn not_qualified(id: Uuid, day: Date) -> ApiError {
    ApiError::invalid(
        "not_qualified",
        format!("person {id} is not qualified (資格なし) on {day}"),
    )
}

/// 証交付: check the holder in 適用, decide the contents, issue.
pub async fn issue(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    request: CertificateRequest,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<CertificateRecorded, ApiError> {
    let holder = person(conn, upcasters, request.person_id, "person_id").await?;
    for day in [request.issued_on, request.valid_from] {
        if !holder.is_qualified_on(day) {
            return Err(not_qualified(request.person_id, day));
        }
    }
    let role = holder
        .period_on(request.valid_from)
        .map(|p| p.role.clone())
        .ok_or_else(|| not_qualified(request.person_id, request.valid_from))?;
    let insured_of_dependent = match role {
        Role::Insured { .. } => None,
        Role::Dependent {
            insured_person_id, ..
        } => Some(
            person(
                conn,
                upcasters,
                insured_person_id,
                "the insured of the dependent",
            )
            .await?,
        ),
    };
    let insured = insured_of_dependent.as_ref().unwrap_or(&holder);
    let birth_date = holder
        .details()
        .map(|d| d.birth_date)
        .ok_or_else(|| ApiError::internal(&"a person without details"))?;
    let month = request.valid_from.year_month();
    let standard = insured.standard_remuneration_in(month).map(|s| s.amount);
    let need_standard = || {
        standard.ok_or_else(|| {
            ApiError::invalid(
                "no_standard_remuneration",
                format!("the insured has no 標準報酬月額 for {month}"),
            )
        })
    };
    let elderly = is_elderly_on(birth_date, request.valid_from);
    let details = match &request.application {
        CertificateApplication::LimitApplication {
            municipal_tax_exempt,
            low_income,
            long_term_hospitalization_on,
        } => CertificateDetails::LimitApplication {
            category: limit_category(elderly, standard, *municipal_tax_exempt, *low_income)?,
            long_term_hospitalization_on: *long_term_hospitalization_on,
        },
        CertificateApplication::ElderlyRecipient { income_test } => {
            let insured_birth = insured.details().map_or(birth_date, |d| d.birth_date);
            let (ratio, basis) = elderly_ratio(
                insured_of_dependent.is_none(),
                is_elderly_on(insured_birth, request.valid_from),
                need_standard()?,
                income_test.as_ref(),
            );
            CertificateDetails::ElderlyRecipient { ratio, basis }
        }
        CertificateApplication::SpecificDisease { disease } => {
            CertificateDetails::SpecificDisease {
                disease: *disease,
                standard_monthly_remuneration: standard,
            }
        }
    };
    let id = request.certificate_id;
    execute(
        conn,
        upcasters,
        id,
        MedicalCertificateCommand::Issue(MedicalCertificateIssue {
            certificate_id: id,
            person_id: request.person_id,
            birth_date,
            issued_on: request.issued_on,
            valid_from: request.valid_from,
            valid_to: request.valid_to,
            details,
        }),
        expected,
        metadata,
    )
    .await
}

/// 証回収.
pub async fn collect(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    body: MedicalCertificateCollection,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<CertificateRecorded, ApiError> {
    execute(
        conn,
        upcasters,
        id,
        MedicalCertificateCommand::Collect(body),
        expected,
        metadata,
    )
    .await
}

fn not_needed(detail: &str) -> ApiError {
    ApiError::invalid("certificate_not_needed", detail.to_owned())
}

/// 適用区分 of a 限度額適用認定証 (rules.md §5.6, §5.9).
pub fn limit_category(
    elderly: bool,
    standard: Option<Yen>,
    municipal_tax_exempt: bool,
    low_income: Option<LowIncome>,
) -> Result<LimitCategory, ApiError> {
    let need = || {
        standard.ok_or_else(|| {
            ApiError::invalid(
                "no_standard_remuneration",
                "the insured has no 標準報酬月額 for the month the validity starts",
            )
        })
    };
    if elderly {
        if let Some(low) = low_income {
            return Ok(match low {
                LowIncome::LowIncomeI => LimitCategory::LowIncomeI,
                LowIncome::LowIncomeIi => LimitCategory::LowIncomeII,
            });
        }
        let smr = need()?;
        return if smr >= CATEGORY_A_FROM {
            Err(not_needed("70–74 現役並みⅢ (標準報酬月額 830,000 or more): the 高齢受給者証 shows the limit; no 限度額適用認定証 is issued"))
        } else if smr >= CATEGORY_I_FROM {
            Ok(LimitCategory::ActiveIncomeII)
        } else if smr >= ACTIVE_INCOME_FROM {
            Ok(LimitCategory::ActiveIncomeI)
        } else {
            Err(not_needed(
                "70–74 一般: the 高齢受給者証 shows the limit; no 限度額適用認定証 is issued",
            ))
        };
    }
    if low_income.is_some() {
        return Err(ApiError::invalid(
            "low_income_not_applicable",
            "低所得Ⅰ・Ⅱ are 70–74 categories; under 70 state municipal_tax_exempt (区分オ)",
        ));
    }
    let smr = need()?;
    Ok(if smr >= CATEGORY_A_FROM {
        LimitCategory::A
    } else if smr >= CATEGORY_I_FROM {
        LimitCategory::I
    } else if municipal_tax_exempt {
        LimitCategory::O
    } else if smr >= ACTIVE_INCOME_FROM {
        LimitCategory::U
    } else {
        LimitCategory::E
    })
}

fn flag_step(label: &str, formula: String, yes: bool, source: &str) -> Step {
    let value = Decimal::from(u8::from(yes));
    Step::new(label, formula, value, Rounding::None, value, source)
}

/// 一部負担金割合 of a 高齢受給者証 and its basis (健保法74条1項2号・3号; rules.md §5.5). The
/// basis's `result_yen` is 0: the result is the share, stated by the last step (20 or 30).
pub fn elderly_ratio(
    holder_is_insured: bool,
    insured_is_elderly: bool,
    standard: Yen,
    income_test: Option<&ElderlyIncomeTest>,
) -> (CoPaymentRatio, Basis) {
    const SOURCE: &str = "健保法74条1項2号・3号; rules.md §5.5";
    let mut steps = Vec::new();
    let smr = Decimal::from(standard.amount());
    steps.push(Step::new(
        "被保険者の標準報酬月額 (有効開始月)",
        format!("{}", standard.amount()),
        smr,
        Rounding::None,
        smr,
        SOURCE,
    ));
    let mut active = standard >= ACTIVE_INCOME_FROM;
    if !holder_is_insured {
        steps.push(flag_step(
            "被保険者が70歳以上75歳未満 (被扶養者の割合は被保険者の所得区分による)",
            format!("insured 70–74: {insured_is_elderly}"),
            insured_is_elderly,
            SOURCE,
        ));
        active = active && insured_is_elderly;
    }
    steps.push(flag_step(
        "現役並み所得者 (標準報酬月額 280,000以上)",
        format!("{} ≥ {}", standard.amount(), ACTIVE_INCOME_FROM.amount()),
        active,
        SOURCE,
    ));
    if let (true, Some(test)) = (active, income_test) {
        let (total, limit, formula) = match test.elderly_dependent_income {
            Some(dependent) => (
                test.income + dependent,
                INCOME_LIMIT_WITH_ELDERLY_DEPENDENT,
                format!(
                    "{} + {} < {}",
                    test.income.amount(),
                    dependent.amount(),
                    INCOME_LIMIT_WITH_ELDERLY_DEPENDENT.amount()
                ),
            ),
            None => (
                test.income,
                INCOME_LIMIT_SINGLE,
                format!(
                    "{} < {}",
                    test.income.amount(),
                    INCOME_LIMIT_SINGLE.amount()
                ),
            ),
        };
        let below = total < limit;
        steps.push(flag_step(
            "基準収入額適用 (収入額が基準未満なら2割)",
            formula,
            below,
            SOURCE,
        ));
        active = !below;
    }
    let ratio = if active {
        CoPaymentRatio::ThirtyPercent
    } else {
        CoPaymentRatio::TwentyPercent
    };
    let percent = Decimal::from(ratio.percent());
    steps.push(Step::new(
        "一部負担金割合 (%)",
        if active {
            "現役並み: 3割".to_owned()
        } else {
            "2割".to_owned()
        },
        percent,
        Rounding::None,
        percent,
        SOURCE,
    ));
    let basis = Basis {
        inputs: json!({
            "holder": if holder_is_insured { "insured" } else { "dependent" },
            "insured_is_elderly": insured_is_elderly,
            "standard_monthly_remuneration": standard,
            "income_test": income_test,
        }),
        parameters: Vec::new(),
        steps,
        result_yen: 0,
    };
    (ratio, basis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(elderly: bool, smr: i64, exempt: bool) -> Result<LimitCategory, &'static str> {
        limit_category(elderly, Some(Yen::new(smr)), exempt, None).map_err(|e| e.code)
    }

    #[test]
    fn under_70_categories_follow_the_grade_boundaries() {
        // rules.md §5.6 (a): ア ≥ 830,000; イ 530,000–790,000; ウ 280,000–500,000; エ ≤ 260,000
        assert_eq!(category(false, 830_000, false), Ok(LimitCategory::A));
        assert_eq!(category(false, 790_000, false), Ok(LimitCategory::I));
        assert_eq!(category(false, 530_000, false), Ok(LimitCategory::I));
        assert_eq!(category(false, 500_000, false), Ok(LimitCategory::U));
        assert_eq!(category(false, 280_000, false), Ok(LimitCategory::U));
        assert_eq!(category(false, 260_000, false), Ok(LimitCategory::E));
        // 非課税: オ takes precedence over ウ・エ, not over ア・イ
        assert_eq!(category(false, 500_000, true), Ok(LimitCategory::O));
        assert_eq!(category(false, 260_000, true), Ok(LimitCategory::O));
        assert_eq!(category(false, 530_000, true), Ok(LimitCategory::I));
    }

    #[test]
    fn elderly_categories_and_the_ones_without_a_certificate() {
        // rules.md §5.6 (c), §5.9: 現役並みⅠ・Ⅱ and 低所得 only
        assert_eq!(
            category(true, 300_000, false),
            Ok(LimitCategory::ActiveIncomeI)
        );
        assert_eq!(
            category(true, 530_000, false),
            Ok(LimitCategory::ActiveIncomeII)
        );
        assert_eq!(
            category(true, 830_000, false),
            Err("certificate_not_needed")
        );
        assert_eq!(
            category(true, 260_000, false),
            Err("certificate_not_needed")
        );
        assert_eq!(
            limit_category(true, None, true, Some(LowIncome::LowIncomeIi)).map_err(|e| e.code),
            Ok(LimitCategory::LowIncomeII)
        );
        assert_eq!(
            limit_category(
                false,
                Some(Yen::new(260_000)),
                true,
                Some(LowIncome::LowIncomeI)
            )
            .map_err(|e| e.code),
            Err("low_income_not_applicable")
        );
    }

    #[test]
    fn the_elderly_share_and_the_income_test() {
        let test = |income: i64, dependent: Option<i64>| ElderlyIncomeTest {
            income: Yen::new(income),
            elderly_dependent_income: dependent.map(Yen::new),
        };
        // 標準報酬月額 280,000 → 現役並み → 3割; 260,000 → 2割 (rules.md §5.5)
        assert_eq!(
            elderly_ratio(true, true, Yen::new(280_000), None).0,
            CoPaymentRatio::ThirtyPercent
        );
        assert_eq!(
            elderly_ratio(true, true, Yen::new(260_000), None).0,
            CoPaymentRatio::TwentyPercent
        );
        // 収入 3,829,999 < 3,830,000 → 2割; 3,830,000 is not below → 3割
        let share = |t: ElderlyIncomeTest| elderly_ratio(true, true, Yen::new(300_000), Some(&t)).0;
        assert_eq!(share(test(3_829_999, None)), CoPaymentRatio::TwentyPercent);
        assert_eq!(share(test(3_830_000, None)), CoPaymentRatio::ThirtyPercent);
        // with a 70–74 dependent: 3,000,000 + 2,000,000 = 5,000,000 < 5,200,000 → 2割;
        // 3,000,000 + 2,300,000 = 5,300,000 → 3割
        assert_eq!(
            share(test(3_000_000, Some(2_000_000))),
            CoPaymentRatio::TwentyPercent
        );
        assert_eq!(
            share(test(3_000_000, Some(2_300_000))),
            CoPaymentRatio::ThirtyPercent
        );
        // a 70–74 dependent of an insured under 70: 2割 whatever the insured's remuneration
        let (ratio, basis) = elderly_ratio(false, false, Yen::new(500_000), None);
        assert_eq!(ratio, CoPaymentRatio::TwentyPercent);
        assert_eq!(basis.steps.last().map(|s| s.value.as_str()), Some("20"));
    }
}
