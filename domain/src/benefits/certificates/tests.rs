//! Given-when-then tests of the [`MedicalCertificate`] aggregate. Dates and limits are derived
//! by hand from rules.md §4.2, §5.5, §5.8–5.10 (each derivation in a comment).

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::basis::Basis;
use crate::calendar::{parse, Date};
use crate::money::Yen;

const CERT: Uuid = Uuid::from_u128(0xCE);
const PERSON: Uuid = Uuid::from_u128(0x70);

fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

fn yen(n: i64) -> Yen {
    Yen::new(n)
}

/// The 2割 decision for a 70–74 insured with 標準報酬月額 260,000 (< 280,000: not 現役並み;
/// rules.md §5.5, 74条1項2号).
fn twenty_percent() -> CertificateDetails {
    CertificateDetails::ElderlyRecipient {
        ratio: CoPaymentRatio::TwentyPercent,
        basis: Basis {
            inputs: json!({"standard_monthly_remuneration": 260000}),
            ..Basis::default()
        },
    }
}

/// Born 1956-06-15 (昭和31年6月15日): 70th birthday 2026-06-15 → 高齢受給者 from 2026-07-01
/// (rules.md §5.8); 75th birthday 2031-06-15 → last day 2031-06-14 (rules.md §4.2).
fn elderly_issue() -> MedicalCertificateIssue {
    MedicalCertificateIssue {
        certificate_id: CERT,
        person_id: PERSON,
        birth_date: d("S31.6.15"),
        issued_on: d("2026-06-20"),
        valid_from: d("2026-07-01"),
        valid_to: d("2027-07-31"),
        details: twenty_percent(),
    }
}

fn issued(body: MedicalCertificateIssue, self_pay_limit: Option<i64>) -> MedicalCertificateEvent {
    MedicalCertificateEvent::MedicalCertificateIssued(MedicalCertificateIssued {
        certificate_id: body.certificate_id,
        person_id: body.person_id,
        birth_date: body.birth_date,
        issued_on: body.issued_on,
        valid_from: body.valid_from,
        valid_to: body.valid_to,
        details: body.details,
        self_pay_limit: self_pay_limit.map(yen),
    })
}

/// 区分 for a person born 1980-05-10 (under 70 throughout), valid 2025-08-01 … 2026-07-31.
fn limit_issue(category: LimitCategory) -> MedicalCertificateIssue {
    MedicalCertificateIssue {
        birth_date: d("1980-05-10"),
        issued_on: d("2025-08-05"),
        valid_from: d("2025-08-01"),
        valid_to: d("2026-07-31"),
        details: CertificateDetails::LimitApplication {
            category,
            long_term_hospitalization_on: None,
        },
        ..elderly_issue()
    }
}

fn disease_issue(disease: SpecificDisease, smr: Option<i64>) -> MedicalCertificateIssue {
    MedicalCertificateIssue {
        details: CertificateDetails::SpecificDisease {
            disease,
            standard_monthly_remuneration: smr.map(yen),
        },
        ..limit_issue(LimitCategory::U)
    }
}

fn issue(body: MedicalCertificateIssue) -> MedicalCertificateCommand {
    MedicalCertificateCommand::Issue(body)
}

fn collect(on: &str) -> MedicalCertificateCommand {
    MedicalCertificateCommand::Collect(MedicalCertificateCollection {
        collected_on: d(on),
        reason: CertificateCollectionReason::QualificationLost,
        note: None,
    })
}

fn collected(on: &str) -> MedicalCertificateEvent {
    MedicalCertificateEvent::MedicalCertificateCollected(MedicalCertificateCollected {
        collected_on: d(on),
        reason: CertificateCollectionReason::QualificationLost,
        note: None,
    })
}

fn long_term(qualified_on: &str, received_on: &str) -> MedicalCertificateCommand {
    MedicalCertificateCommand::RecordLongTermHospitalization(LongTermHospitalization {
        qualified_on: d(qualified_on),
        received_on: d(received_on),
    })
}

fn certificate(events: Vec<MedicalCertificateEvent>) -> MedicalCertificate {
    let mut c = MedicalCertificate::default();
    for e in events {
        c.apply(e);
    }
    c
}

async fn accepts(
    events: Vec<MedicalCertificateEvent>,
    command: MedicalCertificateCommand,
    expected: Vec<MedicalCertificateEvent>,
) {
    TestFramework::<MedicalCertificate>::with(())
        .given(events)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

async fn refuses(
    events: Vec<MedicalCertificateEvent>,
    command: MedicalCertificateCommand,
    code: &str,
) -> MedicalCertificateError {
    match TestFramework::<MedicalCertificate>::with(())
        .given(events)
        .when_async(command)
        .await
        .inspect_result()
    {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => {
            assert_eq!(err.code(), code, "{err}");
            err
        }
    }
}

// ---------------------------------------------------------------- 高齢受給者証

#[tokio::test]
async fn issues_the_elderly_certificate_from_the_month_after_the_70th_birthday_month() {
    accepts(
        vec![],
        issue(elderly_issue()),
        vec![issued(elderly_issue(), None)],
    )
    .await;
    let c = certificate(vec![issued(elderly_issue(), None)]);
    assert_eq!(c.kind(), Some(CertificateKind::ElderlyRecipient));
    assert_eq!(c.person_id(), Some(PERSON));
    assert_eq!(c.co_payment_ratio(), Some(CoPaymentRatio::TwentyPercent));
    assert_eq!(c.co_payment_ratio().map(CoPaymentRatio::percent), Some(20));
    assert!(!c.is_valid_on(d("2026-06-30")));
    assert!(c.is_valid_on(d("2026-07-01")));
    assert!(c.is_valid_on(d("2027-07-31")));
    assert!(!c.is_valid_on(d("2027-08-01")));
}

#[tokio::test]
async fn issues_a_30_percent_certificate_as_decided() {
    // 標準報酬月額 280,000 = 現役並み (rules.md §5.5): 3割, decided by the application layer.
    let body = MedicalCertificateIssue {
        details: CertificateDetails::ElderlyRecipient {
            ratio: CoPaymentRatio::ThirtyPercent,
            basis: Basis {
                inputs: json!({"standard_monthly_remuneration": 280000}),
                ..Basis::default()
            },
        },
        ..elderly_issue()
    };
    accepts(vec![], issue(body.clone()), vec![issued(body, None)]).await;
}

#[tokio::test]
async fn elderly_certificate_not_before_the_start() {
    // Born 1956-06-15: start 2026-07-01, so 2026-06-15 (the birthday) is too early.
    let body = MedicalCertificateIssue {
        valid_from: d("2026-06-15"),
        ..elderly_issue()
    };
    let err = refuses(vec![], issue(body), "before_elderly_start").await;
    assert_eq!(err.category(), ErrorCategory::Invalid);
}

#[tokio::test]
async fn first_of_month_birthday_starts_in_the_birthday_month() {
    // Born 1956-07-01: 70 reached 2026-06-30 → start 2026-07-01, the birthday month.
    let body = MedicalCertificateIssue {
        birth_date: d("1956-07-01"),
        ..elderly_issue()
    };
    accepts(vec![], issue(body.clone()), vec![issued(body, None)]).await;
    // Born 1956-07-02: start 2026-08-01, so 2026-07-01 is refused.
    let body = MedicalCertificateIssue {
        birth_date: d("1956-07-02"),
        ..elderly_issue()
    };
    refuses(vec![], issue(body), "before_elderly_start").await;
}

#[tokio::test]
async fn validity_ends_the_day_before_the_75th_birthday() {
    // Born 1956-06-15: 75th birthday 2031-06-15 = 資格喪失日 → last valid day 2031-06-14.
    let body = MedicalCertificateIssue {
        issued_on: d("2030-07-20"),
        valid_from: d("2030-08-01"),
        valid_to: d("2031-06-15"),
        ..elderly_issue()
    };
    let err = refuses(vec![], issue(body.clone()), "beyond_75th_birthday").await;
    assert_eq!(
        err,
        MedicalCertificateError::BeyondSeventyFifthBirthday {
            valid_to: d("2031-06-15"),
            last_day: d("2031-06-14"),
        }
    );
    let body = MedicalCertificateIssue {
        valid_to: d("2031-06-14"),
        ..body
    };
    accepts(vec![], issue(body.clone()), vec![issued(body, None)]).await;
}

#[tokio::test]
async fn impossible_periods_are_refused() {
    let body = MedicalCertificateIssue {
        valid_from: d("2027-08-01"),
        valid_to: d("2027-07-31"),
        ..elderly_issue()
    };
    refuses(vec![], issue(body), "end_before_start").await;
    // Issued 2027-08-01, after the last valid day 2027-07-31.
    let body = MedicalCertificateIssue {
        issued_on: d("2027-08-01"),
        ..elderly_issue()
    };
    refuses(vec![], issue(body), "date_out_of_order").await;
    // Valid from before the person was born.
    let body = MedicalCertificateIssue {
        birth_date: d("2025-09-01"),
        ..limit_issue(LimitCategory::U)
    };
    refuses(vec![], issue(body), "date_out_of_order").await;
}

#[tokio::test]
async fn a_certificate_is_issued_once() {
    let err = refuses(
        vec![issued(elderly_issue(), None)],
        issue(elderly_issue()),
        "certificate_already_issued",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
}

// ---------------------------------------------------------------- 限度額適用認定証

#[tokio::test]
async fn issues_a_limit_certificate_under_70() {
    let body = limit_issue(LimitCategory::U);
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body.clone(), None)],
    )
    .await;
    let c = certificate(vec![issued(body, None)]);
    assert_eq!(c.limit_category(), Some(LimitCategory::U));
    assert_eq!(c.self_pay_limit(), None);
}

#[tokio::test]
async fn under_70_categories_end_before_the_elderly_start() {
    // Born 1956-06-15: elderly from 2026-07-01, so 区分ウ may run to 2026-06-30 at most.
    let body = MedicalCertificateIssue {
        birth_date: d("S31.6.15"),
        issued_on: d("2026-04-03"),
        valid_from: d("2026-04-01"),
        valid_to: d("2026-07-31"),
        ..limit_issue(LimitCategory::U)
    };
    let err = refuses(vec![], issue(body.clone()), "beyond_age_band").await;
    assert_eq!(
        err,
        MedicalCertificateError::BeyondAgeBand {
            what: "適用区分 ア–オ",
            last_day: d("2026-06-30"),
            valid_to: d("2026-07-31"),
        }
    );
    let body = MedicalCertificateIssue {
        valid_to: d("2026-06-30"),
        ..body
    };
    accepts(vec![], issue(body.clone()), vec![issued(body, None)]).await;
}

#[tokio::test]
async fn elderly_categories_start_with_the_elderly_band() {
    let body = MedicalCertificateIssue {
        details: CertificateDetails::LimitApplication {
            category: LimitCategory::ActiveIncomeI,
            long_term_hospitalization_on: None,
        },
        ..elderly_issue()
    };
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body.clone(), None)],
    )
    .await;
    let early = MedicalCertificateIssue {
        valid_from: d("2026-06-01"),
        ..body
    };
    refuses(vec![], issue(early), "before_elderly_start").await;
    // A 70–74 category for someone under 70 (born 1980).
    let young = MedicalCertificateIssue {
        details: CertificateDetails::LimitApplication {
            category: LimitCategory::LowIncomeII,
            long_term_hospitalization_on: None,
        },
        ..limit_issue(LimitCategory::U)
    };
    refuses(vec![], issue(young), "before_elderly_start").await;
}

#[tokio::test]
async fn long_term_hospitalization_at_issue_only_for_non_taxable_categories() {
    let with = |category| MedicalCertificateIssue {
        details: CertificateDetails::LimitApplication {
            category,
            long_term_hospitalization_on: Some(d("2025-07-20")),
        },
        ..limit_issue(category)
    };
    refuses(
        vec![],
        issue(with(LimitCategory::U)),
        "not_applicable_to_category",
    )
    .await;
    let body = with(LimitCategory::O);
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body.clone(), None)],
    )
    .await;
    assert_eq!(
        certificate(vec![issued(body, None)]).long_term_hospitalization_on(),
        Some(d("2025-07-20"))
    );
    // The condition cannot be met after the issue date (2025-08-05).
    let late = MedicalCertificateIssue {
        details: CertificateDetails::LimitApplication {
            category: LimitCategory::O,
            long_term_hospitalization_on: Some(d("2025-08-06")),
        },
        ..limit_issue(LimitCategory::O)
    };
    refuses(vec![], issue(late), "date_out_of_order").await;
}

// ---------------------------------------------------------------- 特定疾病療養受療証

#[tokio::test]
async fn dialysis_under_70_in_category_a_or_i_has_the_20000_limit() {
    // rules.md §5.10: 20,000 for 透析 under 70 with 標準報酬月額 ≥ 530,000 (区分ア・イ).
    let body = disease_issue(
        SpecificDisease::ChronicRenalFailureOnDialysis,
        Some(530_000),
    );
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body.clone(), Some(20_000))],
    )
    .await;
    assert_eq!(
        certificate(vec![issued(body, Some(20_000))]).self_pay_limit(),
        Some(yen(20_000))
    );
    // 500,000 is the top of 区分ウ → 10,000.
    let body = disease_issue(
        SpecificDisease::ChronicRenalFailureOnDialysis,
        Some(500_000),
    );
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body, Some(10_000))],
    )
    .await;
}

#[tokio::test]
async fn other_specific_diseases_have_the_10000_limit() {
    for disease in [
        SpecificDisease::CongenitalCoagulationFactorDisorder,
        SpecificDisease::HivFromBloodProducts,
    ] {
        // Even with a high 標準報酬月額: only 透析 has the 20,000 limit.
        let body = disease_issue(disease, Some(830_000));
        accepts(
            vec![],
            issue(body.clone()),
            vec![issued(body, Some(10_000))],
        )
        .await;
        let body = disease_issue(disease, None);
        accepts(
            vec![],
            issue(body.clone()),
            vec![issued(body, Some(10_000))],
        )
        .await;
    }
}

#[tokio::test]
async fn dialysis_from_70_has_the_10000_limit() {
    // Born 1956-06-15, valid from 2026-07-01 (70–74): 10,000 whatever the 標準報酬月額.
    let body = MedicalCertificateIssue {
        details: CertificateDetails::SpecificDisease {
            disease: SpecificDisease::ChronicRenalFailureOnDialysis,
            standard_monthly_remuneration: None,
        },
        ..elderly_issue()
    };
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body, Some(10_000))],
    )
    .await;
}

#[tokio::test]
async fn dialysis_limit_refusals() {
    refuses(
        vec![],
        issue(disease_issue(
            SpecificDisease::ChronicRenalFailureOnDialysis,
            None,
        )),
        "standard_remuneration_required",
    )
    .await;
    // 20,000 cannot run into the 70–74 band (born 1956-06-15: last day 2026-06-30).
    let body = MedicalCertificateIssue {
        birth_date: d("S31.6.15"),
        issued_on: d("2026-04-03"),
        valid_from: d("2026-04-01"),
        valid_to: d("2026-07-31"),
        ..disease_issue(
            SpecificDisease::ChronicRenalFailureOnDialysis,
            Some(530_000),
        )
    };
    refuses(vec![], issue(body.clone()), "beyond_age_band").await;
    // The 10,000 limit can.
    let body = MedicalCertificateIssue {
        details: CertificateDetails::SpecificDisease {
            disease: SpecificDisease::ChronicRenalFailureOnDialysis,
            standard_monthly_remuneration: Some(yen(500_000)),
        },
        ..body
    };
    accepts(
        vec![],
        issue(body.clone()),
        vec![issued(body, Some(10_000))],
    )
    .await;
}

#[test]
fn specific_disease_limit_function() {
    use SpecificDisease::*;
    assert_eq!(
        specific_disease_limit(ChronicRenalFailureOnDialysis, Some(yen(529_999)), true),
        Ok(yen(10_000))
    );
    assert_eq!(
        specific_disease_limit(ChronicRenalFailureOnDialysis, Some(yen(1_390_000)), true),
        Ok(yen(20_000))
    );
    assert_eq!(
        specific_disease_limit(ChronicRenalFailureOnDialysis, None, false),
        Ok(yen(10_000))
    );
}

// ---------------------------------------------------------------- 回収

#[tokio::test]
async fn collects_the_certificate() {
    let history = vec![issued(elderly_issue(), None)];
    accepts(
        history.clone(),
        collect("2027-03-31"),
        vec![collected("2027-03-31")],
    )
    .await;
    let c = certificate(vec![issued(elderly_issue(), None), collected("2027-03-31")]);
    assert!(c.is_valid_on(d("2027-03-30")));
    assert!(!c.is_valid_on(d("2027-03-31")));
    assert_eq!(c.collected().map(|c| c.collected_on), Some(d("2027-03-31")));
}

#[tokio::test]
async fn collection_refusals() {
    let err = refuses(vec![], collect("2027-03-31"), "certificate_not_found").await;
    assert_eq!(err.category(), ErrorCategory::NotFound);
    refuses(
        vec![issued(elderly_issue(), None)],
        collect("2026-06-19"),
        "date_out_of_order",
    )
    .await;
    refuses(
        vec![issued(elderly_issue(), None), collected("2027-03-31")],
        collect("2027-04-01"),
        "certificate_already_collected",
    )
    .await;
}

// ---------------------------------------------------------------- 長期入院該当

#[tokio::test]
async fn records_long_term_hospitalization() {
    let history = vec![issued(limit_issue(LimitCategory::O), None)];
    accepts(
        history.clone(),
        long_term("2025-11-02", "2025-11-10"),
        vec![MedicalCertificateEvent::LongTermHospitalizationRecorded(
            LongTermHospitalizationRecorded {
                qualified_on: d("2025-11-02"),
                received_on: d("2025-11-10"),
            },
        )],
    )
    .await;
}

#[tokio::test]
async fn long_term_hospitalization_refusals() {
    refuses(
        vec![],
        long_term("2025-11-02", "2025-11-10"),
        "certificate_not_found",
    )
    .await;
    refuses(
        vec![issued(elderly_issue(), None)],
        long_term("2026-11-02", "2026-11-10"),
        "not_applicable_to_kind",
    )
    .await;
    refuses(
        vec![issued(limit_issue(LimitCategory::U), None)],
        long_term("2025-11-02", "2025-11-10"),
        "not_applicable_to_category",
    )
    .await;
    let recorded = vec![
        issued(limit_issue(LimitCategory::O), None),
        MedicalCertificateEvent::LongTermHospitalizationRecorded(LongTermHospitalizationRecorded {
            qualified_on: d("2025-11-02"),
            received_on: d("2025-11-10"),
        }),
    ];
    refuses(
        recorded,
        long_term("2025-12-02", "2025-12-10"),
        "long_term_hospitalization_already_recorded",
    )
    .await;
    refuses(
        vec![issued(limit_issue(LimitCategory::O), None)],
        long_term("2025-11-10", "2025-11-02"),
        "date_out_of_order",
    )
    .await;
    refuses(
        vec![
            issued(limit_issue(LimitCategory::O), None),
            collected("2025-10-31"),
        ],
        long_term("2025-11-02", "2025-11-10"),
        "certificate_already_collected",
    )
    .await;
}

// ---------------------------------------------------------------- wire format

#[test]
fn event_types_and_body_format() {
    let events = [
        issued(elderly_issue(), None),
        collected("2027-03-31"),
        MedicalCertificateEvent::LongTermHospitalizationRecorded(LongTermHospitalizationRecorded {
            qualified_on: d("2025-11-02"),
            received_on: d("2025-11-10"),
        }),
    ];
    let types: Vec<String> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(
        types,
        MedicalCertificateEvent::EVENT_TYPES
            .map(String::from)
            .to_vec()
    );
    assert_eq!(MedicalCertificate::TYPE, "medical_certificate");

    let body = json!({
        "certificate_id": CERT,
        "person_id": PERSON,
        "birth_date": "1980-05-10",
        "issued_on": "2025-08-05",
        "valid_from": "2025-08-01",
        "valid_to": "2026-07-31",
        "details": {"kind": "specific_disease", "disease": "chronic_renal_failure_on_dialysis",
                    "standard_monthly_remuneration": 530000}
    });
    let parsed: MedicalCertificateIssue = serde_json::from_value(body.clone()).expect("body");
    assert_eq!(parsed.details.kind(), CertificateKind::SpecificDisease);
    let mut unknown = body;
    unknown["details"]["extra"] = json!(true);
    assert!(serde_json::from_value::<MedicalCertificateIssue>(unknown).is_err());
}
