//! Given-when-then tests of the [`Person`] aggregate (cqrs-es `TestFramework`). Expected
//! figures are derived by hand from rules.md, not from the code's output; each test names the
//! rule it derives from.

use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use uuid::Uuid;

use super::*;
use crate::account_change::{ChangeConfirmation, ChangeRejection, Confirmation};
use crate::calendar::{parse, parse_year_month, Date, YearMonth};
use crate::money::Yen;
use crate::standard_remuneration::StandardMonthlyRemuneration;

// ---------------------------------------------------------------- fixtures

fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

fn ym(s: &str) -> YearMonth {
    parse_year_month(s).expect("test month")
}

fn yen(n: i64) -> Yen {
    Yen::new(n)
}

fn smr(grade: u8, amount: i64) -> StandardMonthlyRemuneration {
    StandardMonthlyRemuneration {
        grade,
        amount: yen(amount),
    }
}

const TARO: Uuid = Uuid::from_u128(0x1);
const HANAKO: Uuid = Uuid::from_u128(0x2);
const CHILD: Uuid = Uuid::from_u128(0x3);
const CERT: Uuid = Uuid::from_u128(0xC1);

fn name(s: &str) -> PersonName {
    PersonName::parse(s).expect("name")
}

fn kana(s: &str) -> KanaName {
    KanaName::parse(s).expect("kana")
}

fn address(s: &str) -> Address {
    Address::parse(s).expect("address")
}

fn ident(number: &str, branch: &str, relationship: &str) -> IdentificationNumber {
    IdentificationNumber::new("1234", "100", number, branch, relationship).expect("identification")
}

fn description(s: &str) -> Description {
    Description::parse(s).expect("description")
}

/// 山田太郎, male, born 1985-06-15, 強制 from 2025-04-01 (令和7年4月1日), 報酬月額 300,000.
fn taro() -> QualificationAcquisition {
    QualificationAcquisition {
        person_id: TARO,
        category: EnrollmentCategory::Compulsory,
        acquired_on: d("令和7年4月1日"),
        reason: AcquisitionReason::Employment,
        received_on: d("2025-04-03"),
        name: name("山田 太郎"),
        kana: kana("ヤマダ タロウ"),
        sex: Sex::Male,
        birth_date: d("S60.6.15"),
        resident_address: address("東京都千代田区千代田1-1"),
        contact_address: None,
        phone: Some(PhoneNumber::parse("03-1234-5678").expect("phone")),
        affiliation_code: None,
        employee_number: Some(EmployeeNumber::parse("E-000123").expect("employee number")),
        identification: ident("2345", "00", "01"),
        monthly_remuneration: yen(300_000),
        late_application_reason: None,
    }
}

/// The event for an acquisition body, with the figures a test derived by hand.
fn acquired(
    body: &QualificationAcquisition,
    standard: StandardMonthlyRemuneration,
    scheduled_loss_on: Date,
) -> PersonEvent {
    let b = body.clone();
    PersonEvent::QualificationAcquired(QualificationAcquired {
        person_id: b.person_id,
        category: b.category,
        acquired_on: b.acquired_on,
        reason: b.reason,
        received_on: b.received_on,
        name: b.name,
        kana: b.kana,
        sex: b.sex,
        birth_date: b.birth_date,
        resident_address: b.resident_address,
        contact_address: b.contact_address,
        phone: b.phone,
        affiliation_code: b.affiliation_code,
        employee_number: b.employee_number,
        identification: b.identification,
        monthly_remuneration: b.monthly_remuneration,
        standard_remuneration: standard,
        scheduled_loss_on,
        late_application_reason: b.late_application_reason,
    })
}

/// Taro acquired: 300,000 is in grade 22 (290,000 ≤ x < 310,000 → 300,000, rules.md §2.1);
/// 喪失予定 on his 75th birthday 2060-06-15 (rules.md §4.2).
fn taro_acquired() -> PersonEvent {
    acquired(&taro(), smr(22, 300_000), d("2060-06-15"))
}

/// 山田花子, female, born 1990-03-03, 強制 from 2025-04-01, 報酬月額 250,000 (grade 20:
/// 250,000 ≤ x < 270,000 → 260,000).
fn hanako() -> QualificationAcquisition {
    QualificationAcquisition {
        person_id: HANAKO,
        name: name("山田 花子"),
        kana: kana("ヤマダ ハナコ"),
        sex: Sex::Female,
        birth_date: d("H2.3.3"),
        identification: ident("2346", "00", "01"),
        monthly_remuneration: yen(250_000),
        ..taro()
    }
}

fn hanako_acquired() -> PersonEvent {
    acquired(&hanako(), smr(20, 260_000), d("2065-03-03"))
}

fn lost(
    category: EnrollmentCategory,
    acquired_on: &str,
    lost_on: &str,
    reason: LossReason,
) -> PersonEvent {
    PersonEvent::QualificationLost(QualificationLost {
        category,
        acquired_on: d(acquired_on),
        lost_on: d(lost_on),
        reason,
        received_on: d(lost_on),
    })
}

fn retirement(last_working_day: &str) -> LossReason {
    LossReason::Retirement {
        last_working_day: d(last_working_day),
    }
}

fn loss(lost_on: &str, reason: LossReason, received_on: &str) -> PersonCommand {
    PersonCommand::LoseQualification(QualificationLoss {
        lost_on: d(lost_on),
        reason,
        received_on: d(received_on),
    })
}

/// Taro's dependent child, born 2015-08-20, recognized 2025-05-01.
fn child() -> DependentRecognition {
    DependentRecognition {
        person_id: CHILD,
        insured_person_id: TARO,
        relationship: Relationship::Child,
        recognized_on: d("2025-05-01"),
        received_on: d("2025-05-07"),
        name: name("山田 一郎"),
        kana: kana("ヤマダ イチロウ"),
        sex: Sex::Male,
        birth_date: d("2015-08-20"),
        resident_address: address("東京都千代田区千代田1-1"),
        identification: ident("2345", "01", "03"),
    }
}

fn taro_standing(as_of: &str) -> InsuredStanding {
    InsuredStanding {
        person_id: TARO,
        as_of: d(as_of),
        category: EnrollmentCategory::Compulsory,
        qualified_since: d("2025-04-01"),
        identification: ident("2345", "00", "01"),
    }
}

/// Child recognized: 削除予定 on the 75th birthday 2090-08-20 (3条7項 ただし書).
fn child_recognized() -> PersonEvent {
    let b = child();
    PersonEvent::DependentRecognized(DependentRecognized {
        person_id: b.person_id,
        insured_person_id: b.insured_person_id,
        insured_category: EnrollmentCategory::Compulsory,
        relationship: b.relationship,
        recognized_on: b.recognized_on,
        received_on: b.received_on,
        name: b.name,
        kana: b.kana,
        sex: b.sex,
        birth_date: b.birth_date,
        resident_address: b.resident_address,
        identification: b.identification,
        scheduled_removal_on: d("2090-08-20"),
    })
}

fn recognize(body: DependentRecognition, insured: Option<InsuredStanding>) -> PersonCommand {
    PersonCommand::RecognizeDependent { body, insured }
}

fn person(events: Vec<PersonEvent>) -> Person {
    let mut person = Person::default();
    for event in events {
        person.apply(event);
    }
    person
}

fn given(events: Vec<PersonEvent>) -> cqrs_es::test::AggregateTestExecutor<Person> {
    TestFramework::<Person>::with(()).given(events)
}

async fn accepts(events: Vec<PersonEvent>, command: PersonCommand, expected: Vec<PersonEvent>) {
    given(events)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

/// Runs `command` and asserts it is refused with error `code`.
async fn refuses(
    events: Vec<PersonEvent>,
    command: PersonCommand,
    code: &str,
) -> QualificationError {
    match given(events).when_async(command).await.inspect_result() {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => {
            assert_eq!(err.code(), code, "{err}");
            err
        }
    }
}

// ---------------------------------------------------------------- 資格取得

#[tokio::test]
async fn acquisition_records_grade_and_scheduled_loss() {
    accepts(
        vec![],
        PersonCommand::AcquireQualification(taro()),
        vec![taro_acquired()],
    )
    .await;
}

#[tokio::test]
async fn acquisition_grade_boundaries_from_the_table() {
    // 62,999 → grade 1 (58,000); 63,000 → grade 2 (68,000); 1,355,000 → grade 50 (1,390,000).
    for (remuneration, standard) in [
        (62_999, smr(1, 58_000)),
        (63_000, smr(2, 68_000)),
        (1_354_999, smr(49, 1_330_000)),
        (1_355_000, smr(50, 1_390_000)),
    ] {
        let body = QualificationAcquisition {
            monthly_remuneration: yen(remuneration),
            ..taro()
        };
        let expected = acquired(&body, standard, d("2060-06-15"));
        accepts(
            vec![],
            PersonCommand::AcquireQualification(body),
            vec![expected],
        )
        .await;
    }
}

#[tokio::test]
async fn acquisition_refused_while_qualified() {
    let err = refuses(
        vec![taro_acquired()],
        PersonCommand::AcquireQualification(QualificationAcquisition {
            acquired_on: d("2025-10-01"),
            received_on: d("2025-10-01"),
            ..taro()
        }),
        "qualification_already_active",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    assert_eq!(
        err.to_string(),
        "a qualification (資格) is already active since 2025-04-01; record its 資格喪失 / 被扶養者削除 first"
    );
}

#[tokio::test]
async fn acquisition_refused_while_a_dependent() {
    let body = QualificationAcquisition {
        person_id: CHILD,
        birth_date: d("2015-08-20"),
        acquired_on: d("2033-04-01"),
        received_on: d("2033-04-01"),
        ..taro()
    };
    refuses(
        vec![child_recognized()],
        PersonCommand::AcquireQualification(body),
        "qualification_already_active",
    )
    .await;
}

#[tokio::test]
async fn re_acquisition_after_loss_starts_a_new_period() {
    let history = vec![
        taro_acquired(),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2025-10-01",
            retirement("2025-09-30"),
        ),
    ];
    let body = QualificationAcquisition {
        acquired_on: d("2026-01-05"),
        received_on: d("2026-01-06"),
        monthly_remuneration: yen(410_000),
        ..taro()
    };
    // 410,000: 395,000 ≤ x < 425,000 → grade 27, 410,000.
    let event = acquired(&body, smr(27, 410_000), d("2060-06-15"));
    accepts(
        history.clone(),
        PersonCommand::AcquireQualification(body),
        vec![event.clone()],
    )
    .await;
    let mut events = history;
    events.push(event);
    let p = person(events);
    assert_eq!(p.periods().len(), 2);
    assert!(p.is_qualified_on(d("2025-09-30")));
    assert!(!p.is_qualified_on(d("2025-10-01")));
    assert!(!p.is_qualified_on(d("2026-01-04")));
    assert!(p.is_qualified_on(d("2026-01-05")));
    assert_eq!(
        p.current_period().map(|c| c.started_on),
        Some(d("2026-01-05"))
    );
    assert_eq!(
        p.standard_remuneration_in(ym("2026-01")),
        Some(smr(27, 410_000))
    );
}

#[tokio::test]
async fn acquisition_refused_inside_previous_period() {
    let history = vec![
        taro_acquired(),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2025-10-01",
            retirement("2025-09-30"),
        ),
    ];
    refuses(
        history,
        PersonCommand::AcquireQualification(QualificationAcquisition {
            acquired_on: d("2025-09-01"),
            received_on: d("2025-09-01"),
            ..taro()
        }),
        "overlaps_previous_period",
    )
    .await;
}

#[tokio::test]
async fn acquisition_refused_for_another_person_id_or_birth_date() {
    let history = vec![
        taro_acquired(),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2025-10-01",
            retirement("2025-09-30"),
        ),
    ];
    let later = QualificationAcquisition {
        acquired_on: d("2026-01-05"),
        received_on: d("2026-01-05"),
        ..taro()
    };
    refuses(
        history.clone(),
        PersonCommand::AcquireQualification(QualificationAcquisition {
            person_id: HANAKO,
            ..later.clone()
        }),
        "person_id_mismatch",
    )
    .await;
    refuses(
        history,
        PersonCommand::AcquireQualification(QualificationAcquisition {
            birth_date: d("1985-06-16"),
            ..later
        }),
        "personal_details_mismatch",
    )
    .await;
}

#[tokio::test]
async fn acquisition_refused_before_birth() {
    refuses(
        vec![],
        PersonCommand::AcquireQualification(QualificationAcquisition {
            birth_date: d("2025-04-02"),
            ..taro()
        }),
        "birth_after_event",
    )
    .await;
}

#[tokio::test]
async fn acquisition_refused_at_75() {
    // Born 1950-06-15: 75th birthday 2025-06-15 → 後期高齢者 from that day (rules.md §4.2).
    let old = QualificationAcquisition {
        birth_date: d("1950-06-15"),
        acquired_on: d("2025-06-15"),
        received_on: d("2025-06-16"),
        ..taro()
    };
    let err = refuses(
        vec![],
        PersonCommand::AcquireQualification(old.clone()),
        "aged_75_or_over",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Invalid);
    // The day before, 74: accepted, loss scheduled for the next day.
    let day_before = QualificationAcquisition {
        acquired_on: d("2025-06-14"),
        ..old
    };
    let event = acquired(&day_before, smr(22, 300_000), d("2025-06-15"));
    accepts(
        vec![],
        PersonCommand::AcquireQualification(day_before),
        vec![event],
    )
    .await;
}

#[tokio::test]
async fn acquisition_refused_when_received_before_it() {
    refuses(
        vec![],
        PersonCommand::AcquireQualification(QualificationAcquisition {
            received_on: d("2025-03-31"),
            ..taro()
        }),
        "received_before_event",
    )
    .await;
}

#[tokio::test]
async fn acquisition_reason_must_match_category() {
    refuses(
        vec![],
        PersonCommand::AcquireQualification(QualificationAcquisition {
            reason: AcquisitionReason::VoluntaryContinuation,
            ..taro()
        }),
        "reason_not_applicable",
    )
    .await;
    refuses(
        vec![],
        PersonCommand::AcquireQualification(QualificationAcquisition {
            category: EnrollmentCategory::SpecialRetiree,
            ..taro()
        }),
        "reason_not_applicable",
    )
    .await;
}

#[tokio::test]
async fn acquisition_refuses_negative_remuneration() {
    refuses(
        vec![],
        PersonCommand::AcquireQualification(QualificationAcquisition {
            monthly_remuneration: yen(-1),
            ..taro()
        }),
        "amount_out_of_range",
    )
    .await;
}

// ---------------------------------------------------------------- 任意継続

/// Taro 強制 from 2020-04-01, retired 2022-03-31 → 喪失 2022-04-01.
fn taro_retired_2022() -> Vec<PersonEvent> {
    let body = QualificationAcquisition {
        acquired_on: d("2020-04-01"),
        received_on: d("2020-04-01"),
        ..taro()
    };
    vec![
        acquired(&body, smr(22, 300_000), d("2060-06-15")),
        lost(
            EnrollmentCategory::Compulsory,
            "2020-04-01",
            "2022-04-01",
            retirement("2022-03-31"),
        ),
    ]
}

fn taro_voluntary() -> QualificationAcquisition {
    QualificationAcquisition {
        category: EnrollmentCategory::VoluntaryContinuation,
        reason: AcquisitionReason::VoluntaryContinuation,
        acquired_on: d("2022-04-01"),
        received_on: d("2022-04-15"),
        ..taro()
    }
}

#[tokio::test]
async fn voluntary_continuation_starts_on_the_loss_date_for_two_years() {
    // rules.md §3.7: acquired 2022-04-01 → period ends 2024-03-31 → loss 2024-04-01.
    let body = taro_voluntary();
    let event = acquired(&body, smr(22, 300_000), d("2024-04-01"));
    accepts(
        taro_retired_2022(),
        PersonCommand::AcquireQualification(body),
        vec![event],
    )
    .await;
}

#[tokio::test]
async fn voluntary_continuation_application_within_20_days() {
    // 資格喪失日 2022-04-01 counted as day 1 → deadline 2022-04-20 (rules.md §3.7).
    let on_deadline = QualificationAcquisition {
        received_on: d("2022-04-20"),
        ..taro_voluntary()
    };
    let event = acquired(&on_deadline, smr(22, 300_000), d("2024-04-01"));
    accepts(
        taro_retired_2022(),
        PersonCommand::AcquireQualification(on_deadline),
        vec![event],
    )
    .await;
    let late = QualificationAcquisition {
        received_on: d("2022-04-21"),
        ..taro_voluntary()
    };
    refuses(
        taro_retired_2022(),
        PersonCommand::AcquireQualification(late.clone()),
        "voluntary_continuation_application_late",
    )
    .await;
    let justified = QualificationAcquisition {
        late_application_reason: Some(description("災害による交通途絶")),
        ..late
    };
    let event = acquired(&justified, smr(22, 300_000), d("2024-04-01"));
    accepts(
        taro_retired_2022(),
        PersonCommand::AcquireQualification(justified),
        vec![event],
    )
    .await;
}

#[tokio::test]
async fn voluntary_continuation_requires_a_preceding_compulsory_period() {
    refuses(
        vec![],
        PersonCommand::AcquireQualification(taro_voluntary()),
        "voluntary_continuation_not_eligible",
    )
    .await;
    // Not on the 資格喪失日 itself.
    refuses(
        taro_retired_2022(),
        PersonCommand::AcquireQualification(QualificationAcquisition {
            acquired_on: d("2022-04-02"),
            ..taro_voluntary()
        }),
        "voluntary_continuation_not_eligible",
    )
    .await;
}

#[tokio::test]
async fn voluntary_continuation_requires_two_months() {
    // 2022-02-15 → 2022-04-01 is less than 2 months (3条4項); 2022-02-01 → 04-01 is 2 months.
    let short = |start: &str| {
        let body = QualificationAcquisition {
            acquired_on: d(start),
            received_on: d(start),
            ..taro()
        };
        vec![
            acquired(&body, smr(22, 300_000), d("2060-06-15")),
            lost(
                EnrollmentCategory::Compulsory,
                start,
                "2022-04-01",
                retirement("2022-03-31"),
            ),
        ]
    };
    refuses(
        short("2022-02-15"),
        PersonCommand::AcquireQualification(taro_voluntary()),
        "voluntary_continuation_not_eligible",
    )
    .await;
    let body = taro_voluntary();
    let event = acquired(&body, smr(22, 300_000), d("2024-04-01"));
    accepts(
        short("2022-02-01"),
        PersonCommand::AcquireQualification(body),
        vec![event],
    )
    .await;
}

// ---------------------------------------------------------------- 資格喪失

#[tokio::test]
async fn retirement_loss_is_the_day_after() {
    // rules.md §4.2: retire 3/31 → 喪失日 4/1.
    accepts(
        vec![taro_acquired()],
        loss("2026-04-01", retirement("2026-03-31"), "2026-04-03"),
        vec![PersonEvent::QualificationLost(QualificationLost {
            category: EnrollmentCategory::Compulsory,
            acquired_on: d("2025-04-01"),
            lost_on: d("2026-04-01"),
            reason: retirement("2026-03-31"),
            received_on: d("2026-04-03"),
        })],
    )
    .await;
}

#[tokio::test]
async fn retirement_loss_on_the_last_working_day_is_refused() {
    given(vec![taro_acquired()])
        .when_async(loss("2026-03-31", retirement("2026-03-31"), "2026-04-03"))
        .await
        .then_expect_error_message(
            "for loss reason retirement the loss date (資格喪失年月日) must be 2026-04-01, not 2026-03-31",
        );
}

#[tokio::test]
async fn death_loss_is_the_day_after() {
    // rules.md §4.2: die 5/10 → 喪失日 5/11.
    let reason = LossReason::Death {
        date_of_death: d("2026-05-10"),
    };
    accepts(
        vec![taro_acquired()],
        loss("2026-05-11", reason.clone(), "2026-05-12"),
        vec![PersonEvent::QualificationLost(QualificationLost {
            category: EnrollmentCategory::Compulsory,
            acquired_on: d("2025-04-01"),
            lost_on: d("2026-05-11"),
            reason: reason.clone(),
            received_on: d("2026-05-12"),
        })],
    )
    .await;
    refuses(
        vec![taro_acquired()],
        loss("2026-05-10", reason, "2026-05-12"),
        "loss_date_mismatch",
    )
    .await;
}

#[tokio::test]
async fn reaching_75_loses_on_the_birthday() {
    // Born 1951-02-10 → 75th birthday 2026-02-10 = 資格喪失日 (rules.md §4.2).
    let body = QualificationAcquisition {
        birth_date: d("1951-02-10"),
        ..taro()
    };
    let history = vec![acquired(&body, smr(22, 300_000), d("2026-02-10"))];
    accepts(
        history.clone(),
        loss("2026-02-10", LossReason::Reaching75, "2026-01-20"),
        vec![PersonEvent::QualificationLost(QualificationLost {
            category: EnrollmentCategory::Compulsory,
            acquired_on: d("2025-04-01"),
            lost_on: d("2026-02-10"),
            reason: LossReason::Reaching75,
            received_on: d("2026-01-20"),
        })],
    )
    .await;
    refuses(
        history.clone(),
        loss("2026-02-11", LossReason::Reaching75, "2026-02-11"),
        "loss_date_mismatch",
    )
    .await;
    // Dying on the birthday: the qualification had already ended that day.
    refuses(
        history,
        loss(
            "2026-02-11",
            LossReason::Death {
                date_of_death: d("2026-02-10"),
            },
            "2026-02-12",
        ),
        "after_scheduled_loss",
    )
    .await;
}

fn taro_voluntary_history() -> Vec<PersonEvent> {
    let mut events = taro_retired_2022();
    events.push(acquired(
        &taro_voluntary(),
        smr(22, 300_000),
        d("2024-04-01"),
    ));
    events
}

#[tokio::test]
async fn voluntary_continuation_expiry_after_two_years() {
    // rules.md §3.7 example: 2022-04-01 → 2024-04-01.
    accepts(
        taro_voluntary_history(),
        loss(
            "2024-04-01",
            LossReason::VoluntaryContinuationExpired,
            "2024-03-01",
        ),
        vec![PersonEvent::QualificationLost(QualificationLost {
            category: EnrollmentCategory::VoluntaryContinuation,
            acquired_on: d("2022-04-01"),
            lost_on: d("2024-04-01"),
            reason: LossReason::VoluntaryContinuationExpired,
            received_on: d("2024-03-01"),
        })],
    )
    .await;
    refuses(
        taro_voluntary_history(),
        loss(
            "2024-03-31",
            LossReason::VoluntaryContinuationExpired,
            "2024-03-01",
        ),
        "loss_date_mismatch",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        loss(
            "2027-04-01",
            LossReason::VoluntaryContinuationExpired,
            "2027-04-01",
        ),
        "reason_not_applicable",
    )
    .await;
}

#[tokio::test]
async fn voluntary_continuation_loss_reasons() {
    // 38条3号: premium due 2023-01-10 unpaid → 喪失 2023-01-11.
    let unpaid = LossReason::PremiumUnpaid {
        due_date: d("2023-01-10"),
    };
    let lost_unpaid = lost(
        EnrollmentCategory::VoluntaryContinuation,
        "2022-04-01",
        "2023-01-11",
        unpaid.clone(),
    );
    accepts(
        taro_voluntary_history(),
        loss("2023-01-11", unpaid.clone(), "2023-01-11"),
        vec![lost_unpaid],
    )
    .await;
    refuses(
        vec![taro_acquired()],
        loss("2026-01-11", unpaid, "2026-01-11"),
        "reason_not_applicable",
    )
    .await;
    // 38条4号: became insured elsewhere on 2023-02-01 → 喪失 that day.
    let other = LossReason::OtherInsuranceAcquired {
        acquired_on: d("2023-02-01"),
    };
    accepts(
        taro_voluntary_history(),
        loss("2023-02-01", other.clone(), "2023-02-01"),
        vec![lost(
            EnrollmentCategory::VoluntaryContinuation,
            "2022-04-01",
            "2023-02-01",
            other,
        )],
    )
    .await;
    // 38条7号: 申出 受理 2023-06-15 → 喪失 2023-07-01.
    let withdrawal = LossReason::VoluntaryWithdrawal {
        accepted_on: d("2023-06-15"),
    };
    accepts(
        taro_voluntary_history(),
        loss("2023-07-01", withdrawal.clone(), "2023-07-01"),
        vec![lost(
            EnrollmentCategory::VoluntaryContinuation,
            "2022-04-01",
            "2023-07-01",
            withdrawal.clone(),
        )],
    )
    .await;
    refuses(
        taro_voluntary_history(),
        loss("2023-06-16", withdrawal, "2023-06-16"),
        "loss_date_mismatch",
    )
    .await;
    // Retirement does not apply to 任継 (no employment).
    refuses(
        taro_voluntary_history(),
        loss("2023-04-01", retirement("2023-03-31"), "2023-04-01"),
        "reason_not_applicable",
    )
    .await;
}

#[tokio::test]
async fn voluntary_withdrawal_not_before_2022() {
    // A 任継 that started 2021-04-01 cannot use 38条7号 before 2022-01-01.
    let mut events = Vec::new();
    let body = QualificationAcquisition {
        acquired_on: d("2019-04-01"),
        received_on: d("2019-04-01"),
        ..taro()
    };
    events.push(acquired(&body, smr(22, 300_000), d("2060-06-15")));
    events.push(lost(
        EnrollmentCategory::Compulsory,
        "2019-04-01",
        "2021-04-01",
        retirement("2021-03-31"),
    ));
    let voluntary = QualificationAcquisition {
        acquired_on: d("2021-04-01"),
        received_on: d("2021-04-01"),
        ..taro_voluntary()
    };
    events.push(acquired(&voluntary, smr(22, 300_000), d("2023-04-01")));
    refuses(
        events,
        loss(
            "2022-01-01",
            LossReason::VoluntaryWithdrawal {
                accepted_on: d("2021-12-20"),
            },
            "2021-12-20",
        ),
        "not_in_force",
    )
    .await;
}

#[tokio::test]
async fn loss_must_be_after_acquisition() {
    refuses(
        vec![taro_acquired()],
        loss(
            "2025-04-01",
            LossReason::Other {
                description: description("取得取消"),
            },
            "2025-04-01",
        ),
        "loss_before_acquisition",
    )
    .await;
}

#[tokio::test]
async fn loss_needs_an_active_insured_qualification() {
    let err = refuses(
        vec![],
        loss("2026-04-01", retirement("2026-03-31"), "2026-04-01"),
        "person_not_found",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::NotFound);
    let history = vec![
        taro_acquired(),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2025-10-01",
            retirement("2025-09-30"),
        ),
    ];
    refuses(
        history,
        loss("2026-04-01", retirement("2026-03-31"), "2026-04-01"),
        "not_qualified",
    )
    .await;
    refuses(
        vec![child_recognized()],
        loss("2026-04-01", retirement("2026-03-31"), "2026-04-01"),
        "not_insured",
    )
    .await;
}

#[tokio::test]
async fn loss_notice_not_received_before_the_fact() {
    refuses(
        vec![taro_acquired()],
        loss("2026-04-01", retirement("2026-03-31"), "2026-03-30"),
        "received_before_event",
    )
    .await;
}

#[tokio::test]
async fn transfer_out_loses_the_same_day() {
    // 36条 ただし書: re-acquired the same day elsewhere → 喪失 that day.
    let reason = LossReason::TransferOut {
        transferred_on: d("2025-10-01"),
    };
    accepts(
        vec![taro_acquired()],
        loss("2025-10-01", reason.clone(), "2025-10-01"),
        vec![lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2025-10-01",
            reason,
        )],
    )
    .await;
}

// ---------------------------------------------------------------- 被扶養者

#[tokio::test]
async fn dependent_recognized_against_a_qualified_insured() {
    accepts(
        vec![],
        recognize(child(), Some(taro_standing("2025-05-01"))),
        vec![child_recognized()],
    )
    .await;
    let p = person(vec![child_recognized()]);
    assert!(p.is_dependent());
    assert!(!p.is_insured());
    assert_eq!(p.insured_person_id(), Some(TARO));
    assert_eq!(p.standing_on(d("2025-06-01")), None);
}

#[tokio::test]
async fn dependent_refused_without_a_qualified_insured() {
    given(vec![])
        .when_async(recognize(child(), None))
        .await
        .then_expect_error_message(
            "the insured person (被保険者) is not qualified on the recognition date 2025-05-01",
        );
    let mut other = taro_standing("2025-05-01");
    other.person_id = HANAKO;
    refuses(vec![], recognize(child(), Some(other)), "insured_mismatch").await;
    refuses(
        vec![],
        recognize(child(), Some(taro_standing("2025-04-01"))),
        "insured_standing_date_mismatch",
    )
    .await;
}

#[tokio::test]
async fn dependent_cannot_be_the_insured_themself() {
    let body = DependentRecognition {
        person_id: TARO,
        ..child()
    };
    refuses(
        vec![],
        recognize(body, Some(taro_standing("2025-05-01"))),
        "dependent_is_insured",
    )
    .await;
}

#[tokio::test]
async fn dependent_refused_while_qualified_or_at_75() {
    refuses(
        vec![child_recognized()],
        recognize(
            DependentRecognition {
                recognized_on: d("2025-06-01"),
                ..child()
            },
            Some(taro_standing("2025-06-01")),
        ),
        "qualification_already_active",
    )
    .await;
    // A parent born 1950-05-01 is 75 on 2025-05-01 (後期高齢者, 3条7項 ただし書).
    let parent = DependentRecognition {
        relationship: Relationship::Parent,
        birth_date: d("1950-05-01"),
        ..child()
    };
    refuses(
        vec![],
        recognize(parent, Some(taro_standing("2025-05-01"))),
        "aged_75_or_over",
    )
    .await;
    let unborn = DependentRecognition {
        birth_date: d("2025-05-02"),
        ..child()
    };
    refuses(
        vec![],
        recognize(unborn, Some(taro_standing("2025-05-01"))),
        "birth_after_event",
    )
    .await;
}

#[tokio::test]
async fn standing_on_reflects_the_insured_periods() {
    let p = person(vec![
        taro_acquired(),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2026-04-01",
            retirement("2026-03-31"),
        ),
    ]);
    assert_eq!(
        p.standing_on(d("2025-05-01")),
        Some(taro_standing("2025-05-01"))
    );
    assert_eq!(p.standing_on(d("2025-03-31")), None);
    assert_eq!(
        p.standing_on(d("2026-03-31")).map(|s| s.as_of),
        Some(d("2026-03-31"))
    );
    assert_eq!(p.standing_on(d("2026-04-01")), None);
    assert!(p.current_period().is_none());
    assert!(!p.is_insured());
}

#[tokio::test]
async fn dependent_removed_with_the_insured() {
    // The insured lost on 2026-04-01 → the dependent is removed on 2026-04-01.
    let reason = DependentRemovalReason::InsuredLostQualification {
        insured_lost_on: d("2026-04-01"),
    };
    accepts(
        vec![child_recognized()],
        PersonCommand::RemoveDependent(DependentRemoval {
            removed_on: d("2026-04-01"),
            reason: reason.clone(),
            received_on: d("2026-04-01"),
        }),
        vec![PersonEvent::DependentRemoved(DependentRemoved {
            insured_person_id: TARO,
            recognized_on: d("2025-05-01"),
            removed_on: d("2026-04-01"),
            reason: reason.clone(),
            received_on: d("2026-04-01"),
        })],
    )
    .await;
    refuses(
        vec![child_recognized()],
        PersonCommand::RemoveDependent(DependentRemoval {
            removed_on: d("2026-04-02"),
            reason,
            received_on: d("2026-04-02"),
        }),
        "removal_date_mismatch",
    )
    .await;
}

#[tokio::test]
async fn dependent_removal_rules() {
    let removal = |removed_on: &str, reason: DependentRemovalReason| {
        PersonCommand::RemoveDependent(DependentRemoval {
            removed_on: d(removed_on),
            reason,
            received_on: d(removed_on),
        })
    };
    // Own employment on 2033-04-01 → removed that day.
    let own = DependentRemovalReason::OwnInsuranceAcquired {
        acquired_on: d("2033-04-01"),
    };
    accepts(
        vec![child_recognized()],
        removal("2033-04-01", own.clone()),
        vec![PersonEvent::DependentRemoved(DependentRemoved {
            insured_person_id: TARO,
            recognized_on: d("2025-05-01"),
            removed_on: d("2033-04-01"),
            reason: own,
            received_on: d("2033-04-01"),
        })],
    )
    .await;
    refuses(
        vec![child_recognized()],
        removal("2025-05-01", DependentRemovalReason::IncomeExceeded),
        "removal_before_recognition",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        removal("2026-01-01", DependentRemovalReason::IncomeExceeded),
        "not_dependent",
    )
    .await;
    refuses(
        vec![child_recognized()],
        PersonCommand::RemoveDependent(DependentRemoval {
            removed_on: d("2026-01-01"),
            reason: DependentRemovalReason::IncomeExceeded,
            received_on: d("2025-12-31"),
        }),
        "received_before_event",
    )
    .await;
}

// ---------------------------------------------------------------- 標準報酬 決定・改定

fn determine(kind: DeterminationKind, month: &str, remuneration: i64) -> PersonCommand {
    PersonCommand::DetermineStandardRemuneration(StandardRemunerationDetermination {
        kind,
        effective_from: ym(month),
        monthly_remuneration: yen(remuneration),
        received_on: d("2025-07-08"),
    })
}

fn determined(
    kind: DeterminationKind,
    month: &str,
    remuneration: i64,
    standard: StandardMonthlyRemuneration,
    previous: StandardMonthlyRemuneration,
) -> PersonEvent {
    PersonEvent::StandardRemunerationDetermined(StandardRemunerationDetermined {
        kind,
        effective_from: ym(month),
        monthly_remuneration: yen(remuneration),
        standard_remuneration: standard,
        previous: Some(previous),
        received_on: d("2025-07-08"),
    })
}

#[tokio::test]
async fn regular_determination_in_september() {
    // 340,000: 330,000 ≤ x < 350,000 → grade 24, 340,000; previously grade 22.
    accepts(
        vec![taro_acquired()],
        determine(DeterminationKind::RegularDetermination, "R7.9", 340_000),
        vec![determined(
            DeterminationKind::RegularDetermination,
            "2025-09",
            340_000,
            smr(24, 340_000),
            smr(22, 300_000),
        )],
    )
    .await;
    refuses(
        vec![taro_acquired()],
        determine(DeterminationKind::RegularDetermination, "2025-10", 340_000),
        "regular_determination_not_september",
    )
    .await;
}

#[tokio::test]
async fn regular_determination_excluded_cases() {
    // Acquired 2025-06-01: no 定時決定 that year (41条3項).
    let june = QualificationAcquisition {
        acquired_on: d("2025-06-01"),
        received_on: d("2025-06-01"),
        ..taro()
    };
    refuses(
        vec![acquired(&june, smr(22, 300_000), d("2060-06-15"))],
        determine(DeterminationKind::RegularDetermination, "2025-09", 340_000),
        "regular_determination_excluded",
    )
    .await;
    // Revised by 月変 from August: no 定時決定 for September.
    refuses(
        vec![
            taro_acquired(),
            determined(
                DeterminationKind::InterimRevision,
                "2025-08",
                360_000,
                smr(25, 360_000),
                smr(22, 300_000),
            ),
        ],
        determine(DeterminationKind::RegularDetermination, "2025-09", 380_000),
        "regular_determination_excluded",
    )
    .await;
    // 任意継続: no 定時決定 (rules.md §3.7).
    refuses(
        taro_voluntary_history(),
        determine(DeterminationKind::RegularDetermination, "2022-09", 340_000),
        "not_applicable_to_category",
    )
    .await;
}

#[tokio::test]
async fn interim_revision_rules() {
    // Acquired April 2025: earliest 月変 effective July 2025 (3 months, then the next month).
    // 360,000: grade 25 (350,000 ≤ x < 370,000), 3 grades above 22.
    accepts(
        vec![taro_acquired()],
        determine(DeterminationKind::InterimRevision, "2025-07", 360_000),
        vec![determined(
            DeterminationKind::InterimRevision,
            "2025-07",
            360_000,
            smr(25, 360_000),
            smr(22, 300_000),
        )],
    )
    .await;
    refuses(
        vec![taro_acquired()],
        determine(DeterminationKind::InterimRevision, "2025-06", 360_000),
        "revision_too_early",
    )
    .await;
    // 310,000: grade 23, one grade only (保発第4号 needs 2).
    refuses(
        vec![taro_acquired()],
        determine(DeterminationKind::InterimRevision, "2025-08", 310_000),
        "grade_difference_insufficient",
    )
    .await;
}

#[tokio::test]
async fn determination_month_and_person_checks() {
    refuses(
        vec![taro_acquired()],
        determine(DeterminationKind::AtAcquisition, "2025-05", 300_000),
        "effective_month_mismatch",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        determine(DeterminationKind::AtAcquisition, "2025-03", 300_000),
        "not_qualified_in_month",
    )
    .await;
    refuses(
        vec![child_recognized()],
        determine(DeterminationKind::RegularDetermination, "2025-09", 300_000),
        "not_insured",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        determine(DeterminationKind::RegularDetermination, "2025-09", -1),
        "amount_out_of_range",
    )
    .await;
}

fn leave_started(started_on: &str, planned_end_on: &str) -> LeaveStarted {
    LeaveStarted {
        started_on: d(started_on),
        planned_end_on: d(planned_end_on),
        received_on: d(started_on),
    }
}

fn leave_ended(started_on: &str, ended_on: &str) -> LeaveEnded {
    LeaveEnded {
        started_on: d(started_on),
        ended_on: d(ended_on),
        received_on: d(ended_on),
    }
}

#[tokio::test]
async fn after_childcare_leave_revision() {
    // Leave ends 2025-11-30 → the day after is 12/1 → December, January, February →
    // effective from March 2026 (rules.md §2.5). One grade suffices: 280,000 is grade 21.
    let history = vec![
        hanako_acquired(),
        PersonEvent::ChildcareLeaveStarted(leave_started("2025-06-01", "2026-05-31")),
        PersonEvent::ChildcareLeaveEnded(leave_ended("2025-06-01", "2025-11-30")),
    ];
    accepts(
        history.clone(),
        determine(DeterminationKind::AfterChildcareLeave, "2026-03", 280_000),
        vec![determined(
            DeterminationKind::AfterChildcareLeave,
            "2026-03",
            280_000,
            smr(21, 280_000),
            smr(20, 260_000),
        )],
    )
    .await;
    refuses(
        history.clone(),
        determine(DeterminationKind::AfterChildcareLeave, "2026-02", 280_000),
        "effective_month_mismatch",
    )
    .await;
    // 265,000 is still grade 20.
    refuses(
        history,
        determine(DeterminationKind::AfterChildcareLeave, "2026-03", 265_000),
        "grade_difference_insufficient",
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        determine(DeterminationKind::AfterChildcareLeave, "2026-03", 280_000),
        "no_ended_leave",
    )
    .await;
}

#[tokio::test]
async fn after_maternity_revision_not_when_childcare_follows() {
    let history = vec![
        hanako_acquired(),
        PersonEvent::MaternityLeaveStarted(leave_started("2025-06-01", "2025-09-30")),
        PersonEvent::MaternityLeaveEnded(leave_ended("2025-06-01", "2025-09-30")),
        PersonEvent::ChildcareLeaveStarted(leave_started("2025-10-01", "2026-09-30")),
    ];
    // Ends 9/30 → 10/1 → Oct, Nov, Dec → January 2026.
    refuses(
        history,
        determine(DeterminationKind::AfterMaternityLeave, "2026-01", 280_000),
        "followed_by_childcare_leave",
    )
    .await;
}

// ---------------------------------------------------------------- 賞与

fn bonus(paid_on: &str, amount: i64) -> PersonCommand {
    PersonCommand::ReportBonus(BonusReport {
        paid_on: d(paid_on),
        amount: yen(amount),
        received_on: d(paid_on),
    })
}

fn bonus_reported(
    paid_on: &str,
    amount: i64,
    standard: i64,
    fiscal_year: i32,
    total: i64,
) -> PersonEvent {
    PersonEvent::BonusReported(BonusReported {
        paid_on: d(paid_on),
        amount: yen(amount),
        standard_bonus: yen(standard),
        fiscal_year,
        fiscal_year_total: yen(total),
        received_on: d(paid_on),
    })
}

#[tokio::test]
async fn bonus_floored_to_thousand() {
    // rules.md §2.6: 1,234,567 → 1,234,000.
    accepts(
        vec![taro_acquired()],
        bonus("2025-06-30", 1_234_567),
        vec![bonus_reported(
            "2025-06-30",
            1_234_567,
            1_234_000,
            2025,
            1_234_000,
        )],
    )
    .await;
}

#[tokio::test]
async fn bonus_fiscal_year_cap() {
    // rules.md §2.6: June 3,000,000 + December 3,000,000 + March 500,000 →
    // 3,000,000 / 2,730,000 / 0 (cap 5,730,000).
    let june = bonus_reported("2025-06-30", 3_000_000, 3_000_000, 2025, 3_000_000);
    accepts(
        vec![taro_acquired(), june.clone()],
        bonus("2025-12-10", 3_000_000),
        vec![bonus_reported(
            "2025-12-10",
            3_000_000,
            2_730_000,
            2025,
            5_730_000,
        )],
    )
    .await;
    let december = bonus_reported("2025-12-10", 3_000_000, 2_730_000, 2025, 5_730_000);
    accepts(
        vec![taro_acquired(), june.clone(), december.clone()],
        bonus("2026-03-15", 500_000),
        vec![bonus_reported("2026-03-15", 500_000, 0, 2025, 5_730_000)],
    )
    .await;
    // April starts a new 年度.
    accepts(
        vec![taro_acquired(), june, december],
        bonus("2026-04-10", 500_000),
        vec![bonus_reported(
            "2026-04-10",
            500_000,
            500_000,
            2026,
            500_000,
        )],
    )
    .await;
}

#[tokio::test]
async fn bonuses_of_one_month_are_added_before_flooring() {
    // 45条: the month's 賞与額 is floored. 1,500 → 1,000; + 1,500 = 3,000 → 3,000, so the
    // second payment adds 2,000.
    accepts(
        vec![
            taro_acquired(),
            bonus_reported("2025-07-01", 1_500, 1_000, 2025, 1_000),
        ],
        bonus("2025-07-20", 1_500),
        vec![bonus_reported("2025-07-20", 1_500, 2_000, 2025, 3_000)],
    )
    .await;
}

#[tokio::test]
async fn bonus_refusals() {
    refuses(
        vec![
            taro_acquired(),
            bonus_reported("2025-12-10", 1_000_000, 1_000_000, 2025, 1_000_000),
        ],
        bonus("2025-06-30", 1_000_000),
        "bonus_out_of_order",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        bonus("2025-03-31", 100_000),
        "not_qualified",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        bonus("2025-06-30", 0),
        "amount_out_of_range",
    )
    .await;
    refuses(
        vec![child_recognized()],
        bonus("2025-06-30", 100_000),
        "not_insured",
    )
    .await;
}

// ---------------------------------------------------------------- 氏名・住所

#[tokio::test]
async fn name_change() {
    let body = NameChange {
        changed_on: d("2025-10-10"),
        received_on: d("2025-10-15"),
        reason: NameChangeReason::Marriage,
        name: name("佐藤 花子"),
        kana: kana("サトウ ハナコ"),
    };
    accepts(
        vec![hanako_acquired()],
        PersonCommand::ChangeName(body.clone()),
        vec![PersonEvent::NameChanged(NameChanged {
            changed_on: d("2025-10-10"),
            received_on: d("2025-10-15"),
            reason: NameChangeReason::Marriage,
            previous_name: name("山田 花子"),
            previous_kana: kana("ヤマダ ハナコ"),
            name: name("佐藤 花子"),
            kana: kana("サトウ ハナコ"),
        })],
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        PersonCommand::ChangeName(NameChange {
            name: name("山田 花子"),
            kana: kana("ヤマダ ハナコ"),
            ..body.clone()
        }),
        "no_change",
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        PersonCommand::ChangeName(NameChange {
            changed_on: d("2025-03-01"),
            ..body.clone()
        }),
        "not_qualified",
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        PersonCommand::ChangeName(NameChange {
            received_on: d("2025-10-09"),
            ..body
        }),
        "received_before_event",
    )
    .await;
}

#[tokio::test]
async fn address_change() {
    let body = AddressChange {
        changed_on: d("2025-11-01"),
        received_on: d("2025-11-05"),
        resident_address: Some(address("神奈川県横浜市中区1-1")),
        contact_address: None,
    };
    accepts(
        vec![taro_acquired()],
        PersonCommand::ChangeAddress(body.clone()),
        vec![PersonEvent::AddressChanged(AddressChanged {
            changed_on: d("2025-11-01"),
            received_on: d("2025-11-05"),
            resident_address: Some(address("神奈川県横浜市中区1-1")),
            contact_address: None,
        })],
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::ChangeAddress(AddressChange {
            resident_address: None,
            ..body.clone()
        }),
        "no_change",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::ChangeAddress(AddressChange {
            resident_address: Some(address("東京都千代田区千代田1-1")),
            ..body
        }),
        "no_change",
    )
    .await;
}

// ---------------------------------------------------------------- 休業

fn start(started_on: &str, planned_end_on: &str) -> LeaveStart {
    LeaveStart {
        started_on: d(started_on),
        planned_end_on: d(planned_end_on),
        received_on: d(started_on),
    }
}

fn end(ended_on: &str) -> LeaveEnd {
    LeaveEnd {
        ended_on: d(ended_on),
        received_on: d(ended_on),
    }
}

#[tokio::test]
async fn maternity_leave_start_and_end() {
    accepts(
        vec![hanako_acquired()],
        PersonCommand::StartMaternityLeave(start("2025-08-01", "2025-11-10")),
        vec![PersonEvent::MaternityLeaveStarted(leave_started(
            "2025-08-01",
            "2025-11-10",
        ))],
    )
    .await;
    let open = vec![
        hanako_acquired(),
        PersonEvent::MaternityLeaveStarted(leave_started("2025-08-01", "2025-11-10")),
    ];
    accepts(
        open.clone(),
        PersonCommand::EndMaternityLeave(end("2025-11-05")),
        vec![PersonEvent::MaternityLeaveEnded(leave_ended(
            "2025-08-01",
            "2025-11-05",
        ))],
    )
    .await;
    refuses(
        open.clone(),
        PersonCommand::StartMaternityLeave(start("2025-09-01", "2025-12-01")),
        "leave_already_open",
    )
    .await;
    refuses(
        open,
        PersonCommand::EndMaternityLeave(end("2025-07-31")),
        "end_before_start",
    )
    .await;
}

#[tokio::test]
async fn maternity_leave_refusals() {
    refuses(
        vec![taro_acquired()],
        PersonCommand::StartMaternityLeave(start("2025-08-01", "2025-11-10")),
        "maternity_leave_not_applicable",
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        PersonCommand::StartMaternityLeave(start("2025-08-01", "2025-07-31")),
        "end_before_start",
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        PersonCommand::EndMaternityLeave(end("2025-11-05")),
        "no_open_leave",
    )
    .await;
    refuses(
        vec![hanako_acquired()],
        PersonCommand::StartMaternityLeave(start("2025-03-01", "2025-06-01")),
        "not_qualified",
    )
    .await;
}

#[tokio::test]
async fn childcare_leave_start_end_and_overlap() {
    accepts(
        vec![taro_acquired()],
        PersonCommand::StartChildcareLeave(start("2025-10-01", "2026-03-31")),
        vec![PersonEvent::ChildcareLeaveStarted(leave_started(
            "2025-10-01",
            "2026-03-31",
        ))],
    )
    .await;
    let history = vec![
        taro_acquired(),
        PersonEvent::ChildcareLeaveStarted(leave_started("2025-10-01", "2026-03-31")),
    ];
    accepts(
        history.clone(),
        PersonCommand::EndChildcareLeave(end("2026-01-31")),
        vec![PersonEvent::ChildcareLeaveEnded(leave_ended(
            "2025-10-01",
            "2026-01-31",
        ))],
    )
    .await;
    let mut ended = history;
    ended.push(PersonEvent::ChildcareLeaveEnded(leave_ended(
        "2025-10-01",
        "2026-01-31",
    )));
    refuses(
        ended,
        PersonCommand::StartChildcareLeave(start("2026-01-31", "2026-03-31")),
        "leave_overlaps_previous",
    )
    .await;
    refuses(
        taro_voluntary_history(),
        PersonCommand::StartChildcareLeave(start("2022-10-01", "2023-03-31")),
        "not_applicable_to_category",
    )
    .await;
}

#[tokio::test]
async fn loss_closes_open_leaves() {
    let p = person(vec![
        hanako_acquired(),
        PersonEvent::ChildcareLeaveStarted(leave_started("2025-10-01", "2026-09-30")),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2026-01-01",
            retirement("2025-12-31"),
        ),
    ]);
    let leave = &p.leaves(LeaveKind::Childcare)[0];
    assert_eq!(leave.ended_on, Some(d("2025-12-31")));
    assert!(leave.ended_by_loss);
}

// ---------------------------------------------------------------- 資格確認書

fn issue(valid_from: &str, valid_to: &str) -> CertificateIssue {
    CertificateIssue {
        certificate_id: CERT,
        issued_on: d("2025-04-10"),
        valid_from: d(valid_from),
        valid_to: d(valid_to),
        printed_name: name("山田 太郎"),
        printed_kana: kana("ヤマダ タロウ"),
    }
}

fn issued() -> PersonEvent {
    PersonEvent::CertificateIssued(CertificateIssued {
        certificate_id: CERT,
        issued_on: d("2025-04-10"),
        valid_from: d("2025-04-01"),
        valid_to: d("2030-03-31"),
        printed_name: name("山田 太郎"),
        printed_kana: kana("ヤマダ タロウ"),
    })
}

#[tokio::test]
async fn certificate_issued_for_up_to_five_years() {
    // 2025-04-01 + 5 years = 2030-04-01, so the last valid day is 2030-03-31 (rules.md §4.4).
    accepts(
        vec![taro_acquired()],
        PersonCommand::IssueCertificate(issue("2025-04-01", "2030-03-31")),
        vec![issued()],
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::IssueCertificate(issue("2025-04-01", "2030-04-01")),
        "certificate_validity_too_long",
    )
    .await;
}

#[tokio::test]
async fn certificate_issue_refusals() {
    refuses(
        vec![taro_acquired(), issued()],
        PersonCommand::IssueCertificate(issue("2025-04-01", "2026-03-31")),
        "certificate_already_issued",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::IssueCertificate(issue("2025-03-01", "2026-03-31")),
        "certificate_valid_before_qualification",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::IssueCertificate(issue("2025-04-01", "2025-03-31")),
        "end_before_start",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::IssueCertificate(CertificateIssue {
            issued_on: d("2024-12-01"),
            ..issue("2025-04-01", "2026-03-31")
        }),
        "not_in_force",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::IssueCertificate(CertificateIssue {
            issued_on: d("2025-03-31"),
            ..issue("2025-04-01", "2026-03-31")
        }),
        "not_qualified",
    )
    .await;
    // Born 1951-02-10: 75 on 2026-02-10, so the certificate must end by 2026-02-09.
    let old = QualificationAcquisition {
        birth_date: d("1951-02-10"),
        ..taro()
    };
    refuses(
        vec![acquired(&old, smr(22, 300_000), d("2026-02-10"))],
        PersonCommand::IssueCertificate(issue("2025-04-01", "2026-02-10")),
        "after_scheduled_loss",
    )
    .await;
}

#[tokio::test]
async fn certificate_collection() {
    let collect = |collected_on: &str, id: Uuid| {
        PersonCommand::CollectCertificate(CertificateCollection {
            certificate_id: id,
            collected_on: d(collected_on),
            reason: CertificateCollectionReason::QualificationLost,
        })
    };
    let collected = PersonEvent::CertificateCollected(CertificateCollected {
        certificate_id: CERT,
        issued_on: d("2025-04-10"),
        collected_on: d("2026-04-05"),
        reason: CertificateCollectionReason::QualificationLost,
    });
    // Collected after the loss.
    let history = vec![
        taro_acquired(),
        issued(),
        lost(
            EnrollmentCategory::Compulsory,
            "2025-04-01",
            "2026-04-01",
            retirement("2026-03-31"),
        ),
    ];
    accepts(
        history.clone(),
        collect("2026-04-05", CERT),
        vec![collected.clone()],
    )
    .await;
    let mut twice = history.clone();
    twice.push(collected);
    refuses(
        twice,
        collect("2026-04-06", CERT),
        "certificate_already_collected",
    )
    .await;
    let err = refuses(
        history.clone(),
        collect("2026-04-05", Uuid::from_u128(0xC2)),
        "certificate_not_found",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::NotFound);
    refuses(
        history,
        collect("2025-04-09", CERT),
        "collection_before_issue",
    )
    .await;
}

// ---------------------------------------------------------------- 口座・識別番号

fn account() -> PaymentAccount {
    PaymentAccount::new(
        "0001",
        "001",
        AccountType::Ordinary,
        "1234567",
        kana("ヤマダ タロウ"),
    )
    .expect("account")
}

const PROPOSER: &str = "shikaku1";
const CONFIRMER: &str = "shikaku2";
const CHANGE: Uuid = Uuid::from_u128(0xAC);

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 1, hour, 0, 0)
        .single()
        .expect("instant")
}

fn account_body() -> PaymentAccountRegistration {
    PaymentAccountRegistration {
        account: account(),
        source: AccountSource::Notification,
        received_on: d("2025-05-01"),
    }
}

fn propose_account(body: PaymentAccountRegistration) -> PersonCommand {
    PersonCommand::ProposePaymentAccountChange {
        change_id: CHANGE,
        body,
        proposed_by: PROPOSER.to_owned(),
        proposed_at: at(9),
    }
}

fn account_proposed() -> PersonEvent {
    PersonEvent::PaymentAccountChangeProposed(PaymentAccountChangeProposed {
        change_id: CHANGE,
        account: account(),
        source: AccountSource::Notification,
        received_on: d("2025-05-01"),
        proposed_by: PROPOSER.to_owned(),
        proposed_at: at(9),
    })
}

fn confirm_account(by: &str) -> PersonCommand {
    PersonCommand::ConfirmPaymentAccountChange(ChangeConfirmation {
        change_id: CHANGE,
        confirmed_by: by.to_owned(),
        confirmed_at: at(10),
    })
}

fn reject_account(by: &str, reason: &str) -> PersonCommand {
    PersonCommand::RejectPaymentAccountChange(ChangeRejection {
        change_id: CHANGE,
        rejected_by: by.to_owned(),
        rejected_at: at(10),
        reason: reason.to_owned(),
    })
}

fn account_registered() -> PersonEvent {
    PersonEvent::PaymentAccountRegistered(PaymentAccountRegistered {
        account: account(),
        source: AccountSource::Notification,
        received_on: d("2025-05-01"),
        confirmation: Some(Confirmation {
            change_id: CHANGE,
            proposed_by: PROPOSER.to_owned(),
            proposed_at: at(9),
            confirmed_by: CONFIRMER.to_owned(),
            confirmed_at: at(10),
        }),
    })
}

fn folded(events: Vec<PersonEvent>) -> Person {
    let mut person = Person::default();
    for e in events {
        person.apply(e);
    }
    person
}

#[tokio::test]
async fn payment_account_registration() {
    // proposed: nothing in force yet
    accepts(
        vec![taro_acquired()],
        propose_account(account_body()),
        vec![account_proposed()],
    )
    .await;
    let pending = folded(vec![taro_acquired(), account_proposed()]);
    assert_eq!(pending.payment_account(), None);
    assert_eq!(
        pending.pending_account_change().map(|p| &p.change),
        Some(&account_body())
    );
    // confirmed by another: in force
    accepts(
        vec![taro_acquired(), account_proposed()],
        confirm_account(CONFIRMER),
        vec![account_registered()],
    )
    .await;
    let confirmed = folded(vec![
        taro_acquired(),
        account_proposed(),
        account_registered(),
    ]);
    assert_eq!(
        confirmed.payment_account().map(|r| &r.account),
        Some(&account())
    );
    assert_eq!(confirmed.pending_account_change(), None);
    refuses(
        vec![taro_acquired(), account_proposed(), account_registered()],
        propose_account(account_body()),
        "no_change",
    )
    .await;
    refuses(
        vec![child_recognized()],
        propose_account(account_body()),
        "not_insured",
    )
    .await;
}

#[tokio::test]
async fn payment_account_change_needs_a_second_person() {
    let history = vec![taro_acquired(), account_proposed()];
    for command in [confirm_account(PROPOSER), reject_account(PROPOSER, "誤り")] {
        let err = refuses(history.clone(), command, "two_person_rule").await;
        assert_eq!(err.category(), ErrorCategory::Forbidden);
    }
    let err = refuses(
        history.clone(),
        propose_account(account_body()),
        "account_change_pending",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    let err = refuses(
        vec![taro_acquired()],
        confirm_account(CONFIRMER),
        "account_change_not_found",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::NotFound);
}

#[tokio::test]
async fn a_rejected_payment_account_change_never_takes_effect() {
    let rejected = PersonEvent::PaymentAccountChangeRejected(PaymentAccountChangeRejected {
        change_id: CHANGE,
        rejected_by: CONFIRMER.to_owned(),
        rejected_at: at(10),
        reason: "名義が違う".to_owned(),
    });
    let history = vec![taro_acquired(), account_proposed()];
    accepts(
        history.clone(),
        reject_account(CONFIRMER, " 名義が違う "),
        vec![rejected.clone()],
    )
    .await;
    refuses(
        history.clone(),
        reject_account(CONFIRMER, " "),
        "reason_required",
    )
    .await;
    let mut decided = history.clone();
    decided.push(rejected);
    let person = folded(decided.clone());
    assert_eq!(person.payment_account(), None);
    assert_eq!(person.pending_account_change(), None);
    for command in [confirm_account(CONFIRMER), reject_account(CONFIRMER, "再")] {
        let err = refuses(decided.clone(), command, "account_change_already_decided").await;
        assert_eq!(err.category(), ErrorCategory::Conflict);
    }
    let mut confirmed = history;
    confirmed.push(account_registered());
    refuses(
        confirmed,
        confirm_account(CONFIRMER),
        "account_change_already_decided",
    )
    .await;
}

#[tokio::test]
async fn identification_change_keeps_history() {
    let body = IdentificationChange {
        effective_on: d("2025-10-01"),
        identification: IdentificationNumber::new("5678", "200", "11", "00", "01")
            .expect("identification"),
        received_on: d("2025-10-03"),
        reason: Some(description("事業所間異動")),
    };
    let event = PersonEvent::IdentificationChanged(IdentificationChanged {
        effective_on: d("2025-10-01"),
        previous: ident("2345", "00", "01"),
        identification: body.identification.clone(),
        received_on: d("2025-10-03"),
        reason: Some(description("事業所間異動")),
    });
    accepts(
        vec![taro_acquired()],
        PersonCommand::ChangeIdentification(body.clone()),
        vec![event.clone()],
    )
    .await;
    let p = person(vec![taro_acquired(), event]);
    assert_eq!(p.identification_history().len(), 2);
    assert_eq!(
        p.identification_on(d("2025-09-30")),
        Some(&ident("2345", "00", "01"))
    );
    assert_eq!(p.identification(), Some(&body.identification));
    refuses(
        vec![taro_acquired()],
        PersonCommand::ChangeIdentification(IdentificationChange {
            identification: ident("2345", "00", "01"),
            ..body.clone()
        }),
        "no_change",
    )
    .await;
    refuses(
        vec![taro_acquired()],
        PersonCommand::ChangeIdentification(IdentificationChange {
            effective_on: d("2025-03-01"),
            ..body.clone()
        }),
        "not_qualified",
    )
    .await;
    refuses(
        vec![
            taro_acquired(),
            PersonEvent::IdentificationChanged(IdentificationChanged {
                effective_on: d("2025-12-01"),
                previous: ident("2345", "00", "01"),
                identification: ident("9999", "00", "01"),
                received_on: d("2025-12-01"),
                reason: None,
            }),
        ],
        PersonCommand::ChangeIdentification(body),
        "identification_change_out_of_order",
    )
    .await;
}

// ---------------------------------------------------------------- cross-cutting

#[tokio::test]
async fn every_non_creating_command_needs_an_existing_person() {
    let commands = vec![
        loss("2026-04-01", retirement("2026-03-31"), "2026-04-01"),
        PersonCommand::RemoveDependent(DependentRemoval {
            removed_on: d("2026-04-01"),
            reason: DependentRemovalReason::IncomeExceeded,
            received_on: d("2026-04-01"),
        }),
        determine(DeterminationKind::RegularDetermination, "2025-09", 300_000),
        bonus("2025-06-30", 100_000),
        PersonCommand::ChangeName(NameChange {
            changed_on: d("2025-10-10"),
            received_on: d("2025-10-15"),
            reason: NameChangeReason::Marriage,
            name: name("佐藤 花子"),
            kana: kana("サトウ ハナコ"),
        }),
        PersonCommand::ChangeAddress(AddressChange {
            changed_on: d("2025-11-01"),
            received_on: d("2025-11-05"),
            resident_address: Some(address("神奈川県横浜市中区1-1")),
            contact_address: None,
        }),
        PersonCommand::StartMaternityLeave(start("2025-08-01", "2025-11-10")),
        PersonCommand::EndMaternityLeave(end("2025-11-05")),
        PersonCommand::StartChildcareLeave(start("2025-08-01", "2025-11-10")),
        PersonCommand::EndChildcareLeave(end("2025-11-05")),
        PersonCommand::IssueCertificate(issue("2025-04-01", "2026-03-31")),
        PersonCommand::CollectCertificate(CertificateCollection {
            certificate_id: CERT,
            collected_on: d("2026-04-05"),
            reason: CertificateCollectionReason::Expired,
        }),
        propose_account(PaymentAccountRegistration {
            account: account(),
            source: AccountSource::PublicFundsReceiptAccount,
            received_on: d("2025-05-01"),
        }),
        PersonCommand::ChangeIdentification(IdentificationChange {
            effective_on: d("2025-10-01"),
            identification: ident("2345", "00", "01"),
            received_on: d("2025-10-01"),
            reason: None,
        }),
    ];
    assert_eq!(commands.len(), 14);
    for command in commands {
        refuses(vec![], command, "person_not_found").await;
    }
}

#[test]
fn event_types_are_stable() {
    let events = [
        (taro_acquired(), "QualificationAcquired"),
        (
            lost(
                EnrollmentCategory::Compulsory,
                "2025-04-01",
                "2026-04-01",
                retirement("2026-03-31"),
            ),
            "QualificationLost",
        ),
        (child_recognized(), "DependentRecognized"),
        (issued(), "CertificateIssued"),
        (
            PersonEvent::MaternityLeaveStarted(leave_started("2025-08-01", "2025-11-10")),
            "MaternityLeaveStarted",
        ),
        (account_proposed(), "PaymentAccountChangeProposed"),
        (account_registered(), "PaymentAccountRegistered"),
    ];
    for (event, expected) in events {
        assert_eq!(event.event_type(), expected);
        // QualificationAcquired is at 2.0 since the address split (crate::upcasters)
        let version = if expected == "QualificationAcquired" {
            "2.0"
        } else {
            "1.0"
        };
        assert_eq!(event.event_version(), version);
        assert!(PersonEvent::EVENT_TYPES.contains(&expected));
        let json = serde_json::to_value(&event).expect("serializes");
        assert!(json.get(expected).is_some(), "tagged by type: {json}");
        let back: PersonEvent = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, event);
    }
}

#[test]
fn command_bodies_reject_unknown_fields_and_read_wareki() {
    let json = serde_json::json!({
        "lost_on": "令和8年4月1日",
        "reason": {"kind": "retirement", "last_working_day": "R8.3.31"},
        "received_on": "2026-04-03"
    });
    let body: QualificationLoss = serde_json::from_value(json.clone()).expect("parses");
    assert_eq!(body.lost_on, d("2026-04-01"));
    assert_eq!(body.reason, retirement("2026-03-31"));
    let mut extra = json.clone();
    extra["note"] = serde_json::json!("x");
    assert!(serde_json::from_value::<QualificationLoss>(extra).is_err());
    let mut extra_in_reason = json;
    extra_in_reason["reason"]["foo"] = serde_json::json!(1);
    assert!(serde_json::from_value::<QualificationLoss>(extra_in_reason).is_err());
    let acquisition = serde_json::to_value(taro()).expect("serializes");
    assert_eq!(acquisition["acquired_on"], "2025-04-01");
    assert_eq!(acquisition["birth_date"], "1985-06-15");
    let back: QualificationAcquisition = serde_json::from_value(acquisition).expect("round trip");
    assert_eq!(back, taro());
}

#[test]
fn error_codes_are_snake_case_and_categorised() {
    let samples = [
        QualificationError::PersonNotFound,
        QualificationError::QualificationAlreadyActive {
            since: d("2025-04-01"),
        },
        QualificationError::LossDateMismatch {
            reason: "retirement",
            expected: d("2026-04-01"),
            given: d("2026-03-31"),
        },
    ];
    let categories: Vec<_> = samples.iter().map(QualificationError::category).collect();
    assert_eq!(
        categories,
        vec![
            ErrorCategory::NotFound,
            ErrorCategory::Conflict,
            ErrorCategory::Invalid
        ]
    );
    for err in samples {
        assert!(err
            .code()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()));
    }
}

#[test]
fn body_schemas_use_date_format() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(QualificationAcquisition::schema()).expect("schema");
    let text = schema.to_string();
    assert!(text.contains("\"format\":\"date\""), "{text}");
    assert!(text.contains("acquired_on"), "{text}");
}

// ---------------------------------------------------------------- 資格取得の取消 (37条2項)

fn first_premium_unpaid(due_date: &str) -> VoidReason {
    VoidReason::FirstPremiumUnpaid {
        due_date: d(due_date),
    }
}

fn void(reason: VoidReason, received_on: &str) -> PersonCommand {
    PersonCommand::VoidAcquisition(AcquisitionVoiding {
        reason,
        received_on: d(received_on),
    })
}

fn voided(
    category: EnrollmentCategory,
    started_on: &str,
    reason: VoidReason,
    received_on: &str,
) -> PersonEvent {
    PersonEvent::AcquisitionVoided(AcquisitionVoided {
        category,
        started_on: d(started_on),
        reason,
        received_on: d(received_on),
    })
}

#[tokio::test]
async fn an_unpaid_first_premium_voids_the_voluntary_continuation() {
    // 37条2項 (rules.md §3.7): 任継 from 2022-04-01, first premium due 2022-04-20 (set by the
    // society), unpaid → recorded 2022-04-21; the person is deemed never 任継.
    let event = voided(
        EnrollmentCategory::VoluntaryContinuation,
        "2022-04-01",
        first_premium_unpaid("2022-04-20"),
        "2022-04-21",
    );
    accepts(
        taro_voluntary_history(),
        void(first_premium_unpaid("2022-04-20"), "2022-04-21"),
        vec![event.clone()],
    )
    .await;
    let mut events = taro_voluntary_history();
    events.push(event);
    let p = person(events);
    // Only the 強制 period remains (lost 2022-04-01); nothing covers 2022-04-01 on.
    assert_eq!(p.periods().len(), 1);
    assert_eq!(p.periods()[0].ended_on, Some(d("2022-04-01")));
    assert!(p.current_period().is_none());
    assert!(!p.is_qualified_on(d("2022-04-01")));
    assert!(p.is_qualified_on(d("2022-03-31")));
    assert_eq!(p.voided_periods().len(), 1);
    assert_eq!(p.voided_periods()[0].started_on, d("2022-04-01"));
    // The 任継 資格取得時決定 is void with it: the 強制 one (2020-04, 300,000) is the last.
    assert_eq!(p.remuneration_history().len(), 1);
    assert_eq!(p.remuneration_history()[0].effective_from, ym("2020-04"));
    // Nothing left to void.
    refuses(
        {
            let mut again = taro_voluntary_history();
            again.push(voided(
                EnrollmentCategory::VoluntaryContinuation,
                "2022-04-01",
                first_premium_unpaid("2022-04-20"),
                "2022-04-21",
            ));
            again
        },
        void(first_premium_unpaid("2022-04-20"), "2022-04-22"),
        "not_qualified",
    )
    .await;
}

#[tokio::test]
async fn voiding_for_the_first_premium_is_refused_where_it_does_not_apply() {
    // A 強制 period: 37条2項 is a 任意継続 rule.
    refuses(
        vec![taro_acquired()],
        void(first_premium_unpaid("2025-04-20"), "2025-04-21"),
        "not_applicable_to_category",
    )
    .await;
    // Recorded on the due date itself: not yet unpaid "by" it.
    refuses(
        taro_voluntary_history(),
        void(first_premium_unpaid("2022-04-20"), "2022-04-20"),
        "received_before_event",
    )
    .await;
    // A due date before the 任継 started.
    refuses(
        taro_voluntary_history(),
        void(first_premium_unpaid("2022-03-31"), "2022-04-21"),
        "date_before_period_start",
    )
    .await;
    // The insured-voided reason on an insured person.
    refuses(
        taro_voluntary_history(),
        void(
            VoidReason::InsuredAcquisitionVoided {
                insured_person_id: TARO,
                insured_acquired_on: d("2022-04-01"),
            },
            "2022-04-21",
        ),
        "not_dependent",
    )
    .await;
}

/// Taro's child recognized under Taro's 任継 on 2022-04-01.
fn child_under_voluntary() -> PersonEvent {
    let PersonEvent::DependentRecognized(e) = child_recognized() else {
        unreachable!("child_recognized is a recognition")
    };
    PersonEvent::DependentRecognized(DependentRecognized {
        insured_category: EnrollmentCategory::VoluntaryContinuation,
        recognized_on: d("2022-04-01"),
        received_on: d("2022-04-15"),
        ..e
    })
}

#[tokio::test]
async fn a_dependent_of_a_voided_insured_is_voided_too() {
    let reason = VoidReason::InsuredAcquisitionVoided {
        insured_person_id: TARO,
        insured_acquired_on: d("2022-04-01"),
    };
    let event = voided(
        EnrollmentCategory::VoluntaryContinuation,
        "2022-04-01",
        reason.clone(),
        "2022-04-21",
    );
    accepts(
        vec![child_under_voluntary()],
        void(reason.clone(), "2022-04-21"),
        vec![event.clone()],
    )
    .await;
    let p = person(vec![child_under_voluntary(), event]);
    assert!(p.periods().is_empty());
    assert!(!p.is_dependent());
    // Another insured, or an insured acquisition after the recognition: refused.
    refuses(
        vec![child_under_voluntary()],
        void(
            VoidReason::InsuredAcquisitionVoided {
                insured_person_id: HANAKO,
                insured_acquired_on: d("2022-04-01"),
            },
            "2022-04-21",
        ),
        "insured_mismatch",
    )
    .await;
    refuses(
        vec![child_under_voluntary()],
        void(
            VoidReason::InsuredAcquisitionVoided {
                insured_person_id: TARO,
                insured_acquired_on: d("2022-04-02"),
            },
            "2022-04-21",
        ),
        "date_before_period_start",
    )
    .await;
    refuses(
        vec![child_under_voluntary()],
        void(first_premium_unpaid("2022-04-20"), "2022-04-21"),
        "not_insured",
    )
    .await;
}

#[test]
fn acquisition_voided_is_a_stable_event_type() {
    let event = voided(
        EnrollmentCategory::VoluntaryContinuation,
        "2022-04-01",
        first_premium_unpaid("2022-04-20"),
        "2022-04-21",
    );
    assert_eq!(event.event_type(), "AcquisitionVoided");
    assert_eq!(event.event_version(), "1.0");
    assert!(PersonEvent::EVENT_TYPES.contains(&"AcquisitionVoided"));
    let json = serde_json::to_value(&event).expect("serializes");
    assert_eq!(
        json["AcquisitionVoided"]["reason"],
        serde_json::json!({"kind": "first_premium_unpaid", "due_date": "2022-04-20"})
    );
    let back: PersonEvent = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, event);
    // A Person snapshot from before the field existed still reads (no voided periods).
    let mut state = serde_json::to_value(person(taro_voluntary_history())).expect("state");
    state
        .as_object_mut()
        .expect("object")
        .remove("voided_periods");
    let back: Person = serde_json::from_value(state).expect("old state");
    assert!(back.voided_periods().is_empty());
}
