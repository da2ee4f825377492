//! Given-when-then tests of the [`Employer`] aggregate (cqrs-es `TestFramework`): an account
//! registered, changed from a later day with the earlier one kept for the days before, closed,
//! registered again; refusals of entries out of order, of the same account, of a closure with
//! nothing to close or without a reason.

use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use uuid::Uuid;

use super::*;
use crate::account_change::{
    AccountChangeError, ChangeConfirmation, ChangeRejection, Confirmation,
};
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

const PROPOSER: &str = "kyufu1";
const CONFIRMER: &str = "kyufu2";

fn change_id() -> Uuid {
    Uuid::from_u128(0xc4a9)
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 21, hour, 0, 0)
        .single()
        .expect("instant")
}

fn registration(from: Date, number: &str) -> EmployerAccountChange {
    EmployerAccountChange::Register(AccountRegistration {
        office_code: office(),
        effective_from: from,
        account: account(number),
        received_on: date(2025, 3, 20),
    })
}

fn closure(from: Date, reason: &str) -> EmployerAccountChange {
    EmployerAccountChange::Close(AccountClosure {
        office_code: office(),
        effective_from: from,
        received_on: date(2025, 9, 1),
        reason: reason.to_owned(),
    })
}

fn propose(change: EmployerAccountChange) -> EmployerCommand {
    EmployerCommand::ProposeChange {
        change_id: change_id(),
        change,
        proposed_by: PROPOSER.to_owned(),
        proposed_at: at(9),
    }
}

fn proposed(change: EmployerAccountChange) -> EmployerEvent {
    EmployerEvent::EmployerAccountChangeProposed(EmployerAccountChangeProposed {
        office_code: office(),
        change_id: change_id(),
        change,
        proposed_by: PROPOSER.to_owned(),
        proposed_at: at(9),
    })
}

fn confirm(by: &str) -> EmployerCommand {
    EmployerCommand::ConfirmChange {
        office_code: office(),
        confirmation: ChangeConfirmation {
            change_id: change_id(),
            confirmed_by: by.to_owned(),
            confirmed_at: at(10),
        },
    }
}

fn reject(by: &str, reason: &str) -> EmployerCommand {
    EmployerCommand::RejectChange {
        office_code: office(),
        rejection: ChangeRejection {
            change_id: change_id(),
            rejected_by: by.to_owned(),
            rejected_at: at(10),
            reason: reason.to_owned(),
        },
    }
}

/// `entry` as recorded when the change takes effect on confirmation by [`CONFIRMER`].
fn confirmed(entry: EmployerEvent) -> EmployerEvent {
    let confirmation = Some(Confirmation {
        change_id: change_id(),
        proposed_by: PROPOSER.to_owned(),
        proposed_at: at(9),
        confirmed_by: CONFIRMER.to_owned(),
        confirmed_at: at(10),
    });
    match entry {
        EmployerEvent::EmployerAccountRegistered(mut e) => {
            e.confirmation = confirmation;
            EmployerEvent::EmployerAccountRegistered(e)
        }
        EmployerEvent::EmployerAccountClosed(mut e) => {
            e.confirmation = confirmation;
            EmployerEvent::EmployerAccountClosed(e)
        }
        other => other,
    }
}

/// Given `history`, `change` is proposed (the register in force does not change), and takes
/// effect as `entry` when a second person confirms it.
fn takes_effect(history: Vec<EmployerEvent>, change: EmployerAccountChange, entry: EmployerEvent) {
    Given::with(())
        .given(history.clone())
        .when(propose(change.clone()))
        .then_expect_events(vec![proposed(change.clone())]);
    let mut pending = history.clone();
    pending.push(proposed(change.clone()));
    let before = folded(history);
    let after_proposal = folded(pending.clone());
    assert_eq!(
        after_proposal.entries().collect::<Vec<_>>(),
        before.entries().collect::<Vec<_>>(),
        "a proposal changes nothing in force"
    );
    assert_eq!(
        after_proposal.pending_change().map(|p| &p.change),
        Some(&change)
    );
    Given::with(())
        .given(pending)
        .when(confirm(CONFIRMER))
        .then_expect_events(vec![confirmed(entry)]);
}

fn register(from: Date, number: &str) -> EmployerCommand {
    propose(registration(from, number))
}

fn registered(from: Date, number: &str) -> EmployerEvent {
    EmployerEvent::EmployerAccountRegistered(EmployerAccountRegistered {
        office_code: office(),
        effective_from: from,
        account: account(number),
        received_on: date(2025, 3, 20),
        confirmation: None,
    })
}

fn close(from: Date, reason: &str) -> EmployerCommand {
    propose(closure(from, reason))
}

fn closed(from: Date) -> EmployerEvent {
    EmployerEvent::EmployerAccountClosed(EmployerAccountClosed {
        office_code: office(),
        effective_from: from,
        received_on: date(2025, 9, 1),
        reason: "事業所廃止".to_owned(),
        confirmation: None,
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
    takes_effect(
        vec![],
        registration(date(2025, 4, 1), "1234567"),
        registered(date(2025, 4, 1), "1234567"),
    );
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
    takes_effect(
        vec![registered(date(2025, 4, 1), "1234567")],
        registration(date(2025, 8, 1), "7654321"),
        registered(date(2025, 8, 1), "7654321"),
    );
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
    takes_effect(
        vec![registered(date(2025, 4, 1), "1234567")],
        closure(date(2025, 10, 1), "  事業所廃止 "),
        closed(date(2025, 10, 1)),
    );
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
    takes_effect(
        history,
        registration(date(2026, 4, 1), "1234567"),
        registered(date(2026, 4, 1), "1234567"),
    );
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
    let mut change = registration(date(2025, 8, 1), "7654321");
    if let EmployerAccountChange::Register(body) = &mut change {
        body.office_code = OfficeCode::parse("5678").expect("office code");
    }
    let error = refused(
        vec![registered(date(2025, 4, 1), "1234567")],
        propose(change),
    );
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
        confirmed(registered(date(2025, 4, 1), "1234567")),
        proposed(closure(date(2025, 10, 1), "事業所廃止")),
        EmployerEvent::EmployerAccountChangeRejected(EmployerAccountChangeRejected {
            office_code: office(),
            change_id: change_id(),
            rejected_by: CONFIRMER.to_owned(),
            rejected_at: at(10),
            reason: "口座名義が違う".to_owned(),
        }),
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

#[test]
fn the_proposer_cannot_confirm_or_reject_and_nothing_is_recorded() {
    let history = vec![
        registered(date(2025, 4, 1), "1234567"),
        proposed(registration(date(2025, 8, 1), "7654321")),
    ];
    for command in [confirm(PROPOSER), reject(PROPOSER, "誤り")] {
        let error = refused(history.clone(), command);
        assert_eq!(
            error,
            EmployerError::AccountChange(AccountChangeError::DeciderIsProposer {
                staff_id: PROPOSER.to_owned(),
            })
        );
        assert_eq!(error.code(), "two_person_rule");
        assert_eq!(error.category(), ErrorCategory::Forbidden);
    }
    // until confirmed, the account in force stays the earlier one
    assert_eq!(
        folded(history).account_on(date(2025, 8, 1)),
        Some(&account("1234567"))
    );
}

#[test]
fn a_rejected_change_never_takes_effect_and_is_decided_once() {
    let history = vec![
        registered(date(2025, 4, 1), "1234567"),
        proposed(registration(date(2025, 8, 1), "7654321")),
    ];
    let rejected = EmployerEvent::EmployerAccountChangeRejected(EmployerAccountChangeRejected {
        office_code: office(),
        change_id: change_id(),
        rejected_by: CONFIRMER.to_owned(),
        rejected_at: at(10),
        reason: "口座名義が違う".to_owned(),
    });
    Given::with(())
        .given(history.clone())
        .when(reject(CONFIRMER, " 口座名義が違う "))
        .then_expect_events(vec![rejected.clone()]);
    let error = refused(history.clone(), reject(CONFIRMER, "  "));
    assert_eq!(error.code(), "reason_required");
    let mut decided = history.clone();
    decided.push(rejected);
    let employer = folded(decided.clone());
    assert_eq!(employer.pending_change(), None);
    assert_eq!(
        employer.account_on(date(2025, 9, 1)),
        Some(&account("1234567"))
    );
    for command in [confirm(CONFIRMER), reject(CONFIRMER, "再度")] {
        let error = refused(decided.clone(), command);
        assert_eq!(error.code(), "account_change_already_decided");
        assert_eq!(error.category(), ErrorCategory::Conflict);
    }
    let mut confirmed_history = history;
    confirmed_history.push(confirmed(registered(date(2025, 8, 1), "7654321")));
    let error = refused(confirmed_history, confirm(CONFIRMER));
    assert_eq!(error.code(), "account_change_already_decided");
}

#[test]
fn an_unknown_change_is_not_found_and_one_change_is_pending_at_a_time() {
    let error = refused(
        vec![registered(date(2025, 4, 1), "1234567")],
        confirm(CONFIRMER),
    );
    assert_eq!(error.code(), "account_change_not_found");
    assert_eq!(error.category(), ErrorCategory::NotFound);
    let error = refused(
        vec![
            registered(date(2025, 4, 1), "1234567"),
            proposed(registration(date(2025, 8, 1), "7654321")),
        ],
        close(date(2025, 10, 1), "事業所廃止"),
    );
    assert_eq!(
        error,
        EmployerError::AccountChange(AccountChangeError::Pending {
            change_id: change_id()
        })
    );
    assert_eq!(error.code(), "account_change_pending");
    assert_eq!(error.category(), ErrorCategory::Conflict);
}
