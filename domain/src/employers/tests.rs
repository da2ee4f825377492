//! Given-when-then tests of the [`Employer`] aggregate (cqrs-es `TestFramework`): an account
//! registered, changed from a later day with the earlier one kept for the days before, closed,
//! registered again; refusals of entries out of order, of the same account, of a closure with
//! nothing to close or without a reason.

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};

use super::*;
use crate::calendar::Date;
use crate::qualification::{AccountType, KanaName};

type Given = TestFramework<Employer>;

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).expect("date")
}

fn office() -> OfficeCode {
    OfficeCode::parse("1234").expect("office code")
}

fn account(number: &str) -> PaymentAccount {
    PaymentAccount::new(
        "0005",
        "123",
        AccountType::Current,
        number,
        KanaName::parse("ヤマダシヨウジ").expect("kana"),
    )
    .expect("account")
}

fn register(from: Date, number: &str) -> EmployerCommand {
    EmployerCommand::RegisterAccount(AccountRegistration {
        office_code: office(),
        effective_from: from,
        account: account(number),
        received_on: date(2025, 3, 20),
    })
}

fn registered(from: Date, number: &str) -> EmployerEvent {
    EmployerEvent::EmployerAccountRegistered(EmployerAccountRegistered {
        office_code: office(),
        effective_from: from,
        account: account(number),
        received_on: date(2025, 3, 20),
    })
}

fn close(from: Date, reason: &str) -> EmployerCommand {
    EmployerCommand::CloseAccount(AccountClosure {
        office_code: office(),
        effective_from: from,
        received_on: date(2025, 9, 1),
        reason: reason.to_owned(),
    })
}

fn closed(from: Date) -> EmployerEvent {
    EmployerEvent::EmployerAccountClosed(EmployerAccountClosed {
        office_code: office(),
        effective_from: from,
        received_on: date(2025, 9, 1),
        reason: "事業所廃止".to_owned(),
    })
}

fn folded(events: Vec<EmployerEvent>) -> Employer {
    let mut employer = Employer::default();
    for e in events {
        employer.apply(e);
    }
    employer
}

fn refused(events: Vec<EmployerEvent>, command: EmployerCommand) -> EmployerError {
    folded(events)
        .decide(command)
        .expect_err("the command should be refused")
}

#[test]
fn a_first_account_is_registered() {
    Given::with(())
        .given_no_previous_events()
        .when(register(date(2025, 4, 1), "1234567"))
        .then_expect_events(vec![registered(date(2025, 4, 1), "1234567")]);
    let employer = folded(vec![registered(date(2025, 4, 1), "1234567")]);
    assert_eq!(employer.office_code(), Some(&office()));
    assert_eq!(employer.version(), 1);
    assert_eq!(employer.account_on(date(2025, 3, 31)), None);
    assert_eq!(
        employer.account_on(date(2025, 4, 1)),
        Some(&account("1234567"))
    );
}

#[test]
fn a_change_takes_over_from_its_day_and_the_old_account_stays_for_the_days_before() {
    Given::with(())
        .given(vec![registered(date(2025, 4, 1), "1234567")])
        .when(register(date(2025, 8, 1), "7654321"))
        .then_expect_events(vec![registered(date(2025, 8, 1), "7654321")]);
    let employer = folded(vec![
        registered(date(2025, 4, 1), "1234567"),
        registered(date(2025, 8, 1), "7654321"),
    ]);
    assert_eq!(
        employer.account_on(date(2025, 7, 31)),
        Some(&account("1234567"))
    );
    assert_eq!(
        employer.account_on(date(2025, 8, 1)),
        Some(&account("7654321"))
    );
    let versions: Vec<(Date, i64)> = employer
        .entries()
        .map(|e| (e.effective_from, e.version))
        .collect();
    assert_eq!(versions, vec![(date(2025, 4, 1), 1), (date(2025, 8, 1), 2)]);
}

#[test]
fn a_closed_account_is_paid_to_until_the_day_before_and_can_be_registered_again() {
    Given::with(())
        .given(vec![registered(date(2025, 4, 1), "1234567")])
        .when(close(date(2025, 10, 1), "  事業所廃止 "))
        .then_expect_events(vec![closed(date(2025, 10, 1))]);
    let history = vec![
        registered(date(2025, 4, 1), "1234567"),
        closed(date(2025, 10, 1)),
    ];
    let employer = folded(history.clone());
    assert_eq!(
        employer.account_on(date(2025, 9, 30)),
        Some(&account("1234567"))
    );
    assert_eq!(employer.account_on(date(2025, 10, 1)), None);
    let entry = employer.entry_on(date(2025, 10, 1)).expect("the closure");
    assert_eq!(entry.reason.as_deref(), Some("事業所廃止"));
    // the same account again after a closure is a new registration
    Given::with(())
        .given(history)
        .when(register(date(2026, 4, 1), "1234567"))
        .then_expect_events(vec![registered(date(2026, 4, 1), "1234567")]);
}

#[test]
fn an_entry_on_or_before_the_latest_is_refused() {
    let history = vec![
        registered(date(2025, 4, 1), "1234567"),
        registered(date(2025, 8, 1), "7654321"),
    ];
    for day in [date(2025, 8, 1), date(2025, 5, 1)] {
        let error = refused(history.clone(), register(day, "1111111"));
        assert_eq!(
            error,
            EmployerError::NotAfterLatest {
                office_code: office(),
                latest: date(2025, 8, 1),
                given: day,
            }
        );
        assert_eq!(error.code(), "effective_from_not_after_latest");
        assert_eq!(error.category(), ErrorCategory::Conflict);
        let error = refused(history.clone(), close(day, "事業所廃止"));
        assert_eq!(error.code(), "effective_from_not_after_latest");
    }
}

#[test]
fn the_account_in_force_again_is_no_change() {
    let error = refused(
        vec![registered(date(2025, 4, 1), "1234567")],
        register(date(2025, 8, 1), "1234567"),
    );
    assert_eq!(
        error,
        EmployerError::SameAccount {
            office_code: office(),
            since: date(2025, 4, 1),
        }
    );
    assert_eq!(error.code(), "no_change");
}

#[test]
fn nothing_to_close_without_an_account_or_when_closed() {
    let error = refused(vec![], close(date(2025, 10, 1), "事業所廃止"));
    assert_eq!(
        error,
        EmployerError::NothingToClose {
            office_code: office(),
            closed_from: None,
        }
    );
    assert_eq!(error.code(), "no_account_to_close");
    let error = refused(
        vec![
            registered(date(2025, 4, 1), "1234567"),
            closed(date(2025, 10, 1)),
        ],
        close(date(2025, 11, 1), "事業所廃止"),
    );
    assert_eq!(error.code(), "no_account_to_close");
    assert!(
        error.to_string().contains("closed from 2025-10-01"),
        "{error}"
    );
}

#[test]
fn a_closure_needs_a_reason() {
    let history = vec![registered(date(2025, 4, 1), "1234567")];
    for reason in ["", "   ", &"あ".repeat(REASON_MAX_CHARS + 1)] {
        let error = refused(history.clone(), close(date(2025, 10, 1), reason));
        assert_eq!(error, EmployerError::ReasonRequired);
        assert_eq!(error.code(), "reason_required");
        assert_eq!(error.category(), ErrorCategory::Invalid);
    }
    assert!(folded(history)
        .decide(close(date(2025, 10, 1), &"あ".repeat(REASON_MAX_CHARS)))
        .is_ok());
}

#[test]
fn a_command_for_another_office_is_refused() {
    let mut command = register(date(2025, 8, 1), "7654321");
    if let EmployerCommand::RegisterAccount(body) = &mut command {
        body.office_code = OfficeCode::parse("5678").expect("office code");
    }
    let error = refused(vec![registered(date(2025, 4, 1), "1234567")], command);
    assert_eq!(error.code(), "office_code_mismatch");
}

#[test]
fn each_office_has_its_own_stream_and_events_keep_their_names() {
    let other = OfficeCode::parse("5678").expect("office code");
    assert_eq!(
        Employer::stream_uuid(&office()),
        Employer::stream_uuid(&office())
    );
    assert_ne!(
        Employer::stream_uuid(&office()),
        Employer::stream_uuid(&other)
    );
    assert_eq!(Employer::stream_uuid(&office()).get_version_num(), 5);
    for event in [
        registered(date(2025, 4, 1), "1234567"),
        closed(date(2025, 10, 1)),
    ] {
        assert!(EmployerEvent::EVENT_TYPES.contains(&event.event_type().as_str()));
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(&event).expect("serializes");
        assert_eq!(
            serde_json::from_value::<EmployerEvent>(json).expect("reads back"),
            event
        );
    }
}
