//! Given-when-then tests of the [`MyNumberRecord`] aggregate (cqrs-es `TestFramework`). A fake
//! [`Sealer`] returns `sealed-v<version>-<event type>` (never the number) and records each call,
//! so the tests see which version and event type a value was bound to (design §7.2 "Version
//! binding": the first event of a stream is version 1).

use std::sync::{Arc, Mutex};

use cqrs_es::event_sink::EventSink;
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use uuid::Uuid;

use super::*;
use crate::calendar::{parse, Date};
use crate::qualification::{Description, ErrorCategory};

// ---------------------------------------------------------------- fixtures

/// Valid numbers from rules.md §1's worked examples.
const FIRST: &str = "983205673214";
const SECOND: &str = "123456789018";
const THIRD: &str = "123456789000";

const KEY: Uuid = Uuid::from_u128(0xDE);

fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

fn n(s: &str) -> MyNumber {
    MyNumber::parse(s).expect("test number")
}

fn branch(s: &str) -> BranchNumber {
    BranchNumber::parse(s).expect("test branch number")
}

fn description(s: &str) -> Description {
    Description::parse(s).expect("description")
}

/// What the fake sealer produces for `version` and `event_type`.
fn sealed(version: i64, event_type: &str) -> Sealed {
    Sealed::new(format!("sealed-v{version}-{event_type}")).expect("base64url")
}

/// One call of [`FakeSealer::seal`].
#[derive(Debug, Clone, PartialEq)]
struct SealCall {
    version: i64,
    event_type: String,
    plaintext: Vec<u8>,
}

/// Deterministic sealer: the sealed value names the version and event type, not the number.
#[derive(Default)]
struct FakeSealer {
    calls: Mutex<Vec<SealCall>>,
}

impl FakeSealer {
    fn calls(&self) -> Vec<SealCall> {
        self.calls.lock().expect("calls").clone()
    }
}

impl Sealer for FakeSealer {
    fn seal(
        &self,
        version: i64,
        event_type: &str,
        plaintext: &SealedPlaintext,
    ) -> Result<Sealed, SealError> {
        self.calls
            .lock()
            .map_err(|_| SealError::Failed("poisoned".to_string()))?
            .push(SealCall {
                version,
                event_type: event_type.to_string(),
                plaintext: plaintext.to_bytes(),
            });
        Sealed::new(format!("sealed-v{version}-{event_type}"))
    }
}

/// A sealer whose key provider is down.
struct FailingSealer;

impl Sealer for FailingSealer {
    fn seal(&self, _: i64, _: &str, _: &SealedPlaintext) -> Result<Sealed, SealError> {
        Err(SealError::KeyUnavailable(
            "key provider unreachable".to_string(),
        ))
    }
}

fn call(version: i64, event_type: &str, plaintext: &str) -> SealCall {
    SealCall {
        version,
        event_type: event_type.to_string(),
        plaintext: plaintext.as_bytes().to_vec(),
    }
}

fn registered(version: i64, on: &str) -> MyNumberEvent {
    MyNumberEvent::MyNumberRegistered(MyNumberRegistered {
        sealed: sealed(version, MyNumberEvent::REGISTERED),
        source: MyNumberSource::Employer,
        registered_on: d(on),
        entry_id: None,
    })
}

fn changed(version: i64, on: &str) -> MyNumberEvent {
    MyNumberEvent::MyNumberChanged(MyNumberChanged {
        sealed: sealed(version, MyNumberEvent::CHANGED),
        reason: MyNumberChangeReason::Correction,
        changed_on: d(on),
        entry_id: None,
    })
}

fn deleted(on: &str) -> MyNumberEvent {
    MyNumberEvent::MyNumberDeleted(MyNumberDeleted {
        reason: MyNumberDeletionReason::RegisteredInError,
        deleted_on: d(on),
    })
}

fn not_registered(on: &str) -> MyNumberEvent {
    MyNumberEvent::MyNumberNotRegistered(MyNumberNotRegistered {
        reason: NotRegisteredReason::LivingAbroad,
        recorded_on: d(on),
    })
}

fn branch_assigned(number: &str, on: &str) -> MyNumberEvent {
    MyNumberEvent::InsuredBranchNumberAssigned(InsuredBranchNumberAssigned {
        branch_number: branch(number),
        assigned_on: d(on),
    })
}

fn five_info_verified(on: &str) -> MyNumberEvent {
    MyNumberEvent::FiveInfoVerified(FiveInfoVerified { checked_on: d(on) })
}

fn erased(on: &str) -> MyNumberEvent {
    MyNumberEvent::MyNumberErased(MyNumberErased {
        key_id: KEY,
        ledger_seq: 42,
        legal_basis: "文書保存規程: 資格喪失後10年".to_string(),
        erased_on: d(on),
    })
}

fn register(number: &str, on: &str) -> MyNumberCommand {
    MyNumberCommand::Register {
        number: n(number),
        source: MyNumberSource::Employer,
        registered_on: d(on),
    }
}

fn change(number: &str, previous: &str, on: &str) -> MyNumberCommand {
    MyNumberCommand::Change {
        number: n(number),
        previous: n(previous),
        reason: MyNumberChangeReason::Correction,
        changed_on: d(on),
    }
}

fn delete(on: &str) -> MyNumberCommand {
    MyNumberCommand::Delete {
        deleted_on: d(on),
        reason: MyNumberDeletionReason::RegisteredInError,
    }
}

fn record_not_registered(on: &str) -> MyNumberCommand {
    MyNumberCommand::RecordNotRegistered {
        reason: NotRegisteredReason::LivingAbroad,
        recorded_on: d(on),
    }
}

fn assign_branch(number: &str, on: &str) -> MyNumberCommand {
    MyNumberCommand::AssignBranchNumber {
        branch_number: branch(number),
        assigned_on: d(on),
    }
}

fn change_branch(number: &str, on: &str) -> MyNumberCommand {
    MyNumberCommand::ChangeBranchNumber {
        branch_number: branch(number),
        reason: Some(description("中間サーバー等で再採番")),
        changed_on: d(on),
    }
}

fn five_info(matched: bool, mismatched: Vec<FiveInfoField>, on: &str) -> MyNumberCommand {
    MyNumberCommand::RecordFiveInfoVerification {
        matched,
        mismatched,
        checked_on: d(on),
    }
}

fn erase(on: &str) -> MyNumberCommand {
    MyNumberCommand::Erase {
        key_id: KEY,
        ledger_seq: 42,
        legal_basis: "  文書保存規程: 資格喪失後10年 ".to_string(),
        erased_on: d(on),
    }
}

fn record(events: Vec<MyNumberEvent>) -> MyNumberRecord {
    let mut record = MyNumberRecord::default();
    for event in events {
        record.apply(event);
    }
    record
}

/// Runs `command` after `events`; asserts the events recorded and returns the sealer's calls.
async fn accepts(
    events: Vec<MyNumberEvent>,
    command: MyNumberCommand,
    expected: Vec<MyNumberEvent>,
) -> Vec<SealCall> {
    let sealer = Arc::new(FakeSealer::default());
    TestFramework::<MyNumberRecord>::with(SealerService(sealer.clone()))
        .given(events)
        .when_async(command)
        .await
        .then_expect_events(expected);
    sealer.calls()
}

/// Runs `command` and asserts it is refused with error `code`, without sealing anything, and
/// that the message does not contain any test number.
async fn refuses(
    events: Vec<MyNumberEvent>,
    command: MyNumberCommand,
    code: &str,
) -> MyNumberRecordError {
    let sealer = Arc::new(FakeSealer::default());
    let result = TestFramework::<MyNumberRecord>::with(SealerService(sealer.clone()))
        .given(events)
        .when_async(command)
        .await
        .inspect_result();
    match result {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => {
            assert_eq!(err.code(), code, "{err}");
            assert_no_number(&err.to_string());
            assert_no_number(&format!("{err:?}"));
            assert!(sealer.calls().is_empty(), "sealed before refusing");
            err
        }
    }
}

fn assert_no_number(text: &str) {
    for number in [FIRST, SECOND, THIRD] {
        assert!(!text.contains(number), "{text}");
        assert!(!text.contains(&number[..8]), "{text}");
    }
}

// ---------------------------------------------------------------- 登録

#[tokio::test]
async fn register_seals_for_version_1_on_a_new_stream() {
    let calls = accepts(
        vec![],
        register(FIRST, "2025-04-01"),
        vec![registered(1, "2025-04-01")],
    )
    .await;
    assert_eq!(
        calls,
        vec![call(
            1,
            "MyNumberRegistered",
            r#"{"n":"983205673214","prev":null}"#
        )]
    );
}

#[tokio::test]
async fn register_seals_for_the_version_after_earlier_events() {
    // Two events before: the registration is the stream's 3rd event.
    let calls = accepts(
        vec![
            branch_assigned("000000012345", "2025-04-01"),
            five_info_verified("2025-04-02"),
        ],
        register(SECOND, "2025-04-03"),
        vec![registered(3, "2025-04-03")],
    )
    .await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].version, 3);
    assert_eq!(calls[0].event_type, "MyNumberRegistered");
}

#[tokio::test]
async fn register_refused_while_a_number_is_registered() {
    let err = refuses(
        vec![registered(1, "2025-04-01")],
        register(SECOND, "2025-05-01"),
        "my_number_already_registered",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Conflict));
}

#[tokio::test]
async fn register_refused_after_a_change_too() {
    refuses(
        vec![registered(1, "2025-04-01"), changed(2, "2025-05-01")],
        register(THIRD, "2025-06-01"),
        "my_number_already_registered",
    )
    .await;
}

#[tokio::test]
async fn register_again_after_deletion() {
    let calls = accepts(
        vec![registered(1, "2025-04-01"), deleted("2025-05-01")],
        register(SECOND, "2025-05-01"),
        vec![registered(3, "2025-05-01")],
    )
    .await;
    assert_eq!(calls[0].version, 3);
}

#[tokio::test]
async fn register_after_deletion_refused_when_dated_before_it() {
    refuses(
        vec![registered(1, "2025-04-01"), deleted("2025-05-01")],
        register(SECOND, "2025-04-30"),
        "my_number_date_out_of_order",
    )
    .await;
}

#[tokio::test]
async fn register_after_not_registered_clears_the_reason() {
    let events = vec![not_registered("2025-04-01"), registered(2, "2025-06-01")];
    accepts(
        events[..1].to_vec(),
        register(FIRST, "2025-06-01"),
        events[1..].to_vec(),
    )
    .await;
    let state = record(events);
    assert!(state.has_number());
    assert_eq!(state.not_registered(), None);
}

#[tokio::test]
async fn register_refused_after_erasure() {
    let err = refuses(
        vec![
            registered(1, "2015-04-01"),
            deleted("2016-04-01"),
            erased("2026-04-01"),
        ],
        register(FIRST, "2026-05-01"),
        "my_number_erased",
    )
    .await;
    assert_eq!(
        err,
        MyNumberRecordError::Erased {
            erased_on: d("2026-04-01")
        }
    );
}

#[tokio::test]
async fn sealing_failure_is_internal_not_a_refusal() {
    let result = TestFramework::<MyNumberRecord>::with(SealerService(Arc::new(FailingSealer)))
        .given_no_previous_events()
        .when_async(register(FIRST, "2025-04-01"))
        .await
        .inspect_result();
    let err = result.expect_err("sealing failed");
    assert_eq!(err.code(), "my_number_seal_failed");
    assert_eq!(err.category(), None);
    assert_no_number(&err.to_string());
}

// ---------------------------------------------------------------- 変更

#[tokio::test]
async fn change_seals_new_and_previous_for_the_next_version() {
    let calls = accepts(
        vec![registered(1, "2025-04-01")],
        change(SECOND, FIRST, "2025-06-01"),
        vec![changed(2, "2025-06-01")],
    )
    .await;
    assert_eq!(
        calls,
        vec![call(
            2,
            "MyNumberChanged",
            r#"{"n":"123456789018","prev":"983205673214"}"#
        )]
    );
}

#[tokio::test]
async fn change_after_change() {
    let calls = accepts(
        vec![
            registered(1, "2025-04-01"),
            branch_assigned("7", "2025-04-02"),
            changed(3, "2025-06-01"),
        ],
        change(THIRD, SECOND, "2025-06-01"),
        vec![changed(4, "2025-06-01")],
    )
    .await;
    assert_eq!(calls[0].version, 4);
}

#[tokio::test]
async fn change_refused_when_nothing_is_registered() {
    let err = refuses(
        vec![],
        change(SECOND, FIRST, "2025-06-01"),
        "my_number_not_registered",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::NotFound));
}

#[tokio::test]
async fn change_refused_after_deletion() {
    refuses(
        vec![registered(1, "2025-04-01"), deleted("2025-05-01")],
        change(SECOND, FIRST, "2025-06-01"),
        "my_number_not_registered",
    )
    .await;
}

#[tokio::test]
async fn change_refused_when_the_number_is_the_previous_one() {
    let err = refuses(
        vec![registered(1, "2025-04-01")],
        change(FIRST, "9832-0567-3214", "2025-06-01"),
        "my_number_unchanged",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Invalid));
}

#[tokio::test]
async fn change_refused_when_dated_before_the_registration() {
    refuses(
        vec![registered(1, "2025-04-01")],
        change(SECOND, FIRST, "2025-03-31"),
        "my_number_date_out_of_order",
    )
    .await;
}

#[tokio::test]
async fn change_refused_after_erasure() {
    refuses(
        vec![registered(1, "2015-04-01"), erased("2026-04-01")],
        change(SECOND, FIRST, "2026-05-01"),
        "my_number_erased",
    )
    .await;
}

// ---------------------------------------------------------------- 削除

#[tokio::test]
async fn delete_a_registered_number() {
    let calls = accepts(
        vec![registered(1, "2025-04-01")],
        delete("2025-05-01"),
        vec![deleted("2025-05-01")],
    )
    .await;
    assert!(calls.is_empty(), "a deletion seals nothing");
}

#[tokio::test]
async fn delete_refused_when_nothing_is_registered() {
    refuses(vec![], delete("2025-05-01"), "my_number_not_registered").await;
    refuses(
        vec![registered(1, "2025-04-01"), deleted("2025-05-01")],
        delete("2025-06-01"),
        "my_number_not_registered",
    )
    .await;
}

#[tokio::test]
async fn delete_refused_when_dated_before_the_change() {
    refuses(
        vec![registered(1, "2025-04-01"), changed(2, "2025-06-01")],
        delete("2025-05-31"),
        "my_number_date_out_of_order",
    )
    .await;
}

#[tokio::test]
async fn delete_refused_after_erasure() {
    refuses(
        vec![registered(1, "2015-04-01"), erased("2026-04-01")],
        delete("2026-05-01"),
        "my_number_erased",
    )
    .await;
}

// ---------------------------------------------------------------- 未登録

#[tokio::test]
async fn not_registered_reason_on_a_new_stream() {
    accepts(
        vec![],
        record_not_registered("2025-04-01"),
        vec![not_registered("2025-04-01")],
    )
    .await;
}

#[tokio::test]
async fn not_registered_reason_after_deletion() {
    let events = vec![
        registered(1, "2025-04-01"),
        deleted("2025-05-01"),
        not_registered("2025-05-02"),
    ];
    accepts(
        events[..2].to_vec(),
        record_not_registered("2025-05-02"),
        events[2..].to_vec(),
    )
    .await;
    let state = record(events);
    assert_eq!(
        state.not_registered(),
        Some((&NotRegisteredReason::LivingAbroad, d("2025-05-02")))
    );
}

#[tokio::test]
async fn not_registered_refused_while_a_number_is_registered() {
    refuses(
        vec![registered(1, "2025-04-01")],
        record_not_registered("2025-05-01"),
        "my_number_already_registered",
    )
    .await;
}

#[tokio::test]
async fn not_registered_refused_after_erasure() {
    refuses(
        vec![erased("2026-04-01")],
        record_not_registered("2026-05-01"),
        "my_number_erased",
    )
    .await;
}

// ---------------------------------------------------------------- 被保険者枝番

#[tokio::test]
async fn assign_branch_number() {
    accepts(
        vec![],
        assign_branch("000000012345", "2025-04-01"),
        vec![branch_assigned("000000012345", "2025-04-01")],
    )
    .await;
}

#[tokio::test]
async fn assign_branch_number_refused_when_assigned() {
    let err = refuses(
        vec![branch_assigned("1", "2025-04-01")],
        assign_branch("2", "2025-05-01"),
        "my_number_branch_number_already_assigned",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Conflict));
}

#[tokio::test]
async fn change_branch_number_records_the_previous_one() {
    let events = vec![
        branch_assigned("000000012345", "2025-04-01"),
        MyNumberEvent::InsuredBranchNumberChanged(InsuredBranchNumberChanged {
            previous: branch("000000012345"),
            branch_number: branch("000000067890"),
            reason: Some(description("中間サーバー等で再採番")),
            changed_on: d("2025-07-01"),
        }),
    ];
    accepts(
        events[..1].to_vec(),
        change_branch("000000067890", "2025-07-01"),
        events[1..].to_vec(),
    )
    .await;
    let state = record(events);
    assert_eq!(state.branch_number(), Some(&branch("000000067890")));
    assert_eq!(state.branch_number_since(), Some(d("2025-07-01")));
}

#[tokio::test]
async fn change_branch_number_refused_when_none_is_assigned() {
    let err = refuses(
        vec![registered(1, "2025-04-01")],
        change_branch("2", "2025-05-01"),
        "my_number_branch_number_not_assigned",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::NotFound));
}

#[tokio::test]
async fn change_branch_number_refused_when_unchanged() {
    refuses(
        vec![branch_assigned("0012", "2025-04-01")],
        change_branch(" 0012 ", "2025-05-01"),
        "my_number_branch_number_unchanged",
    )
    .await;
}

#[tokio::test]
async fn change_branch_number_refused_when_dated_before_the_assignment() {
    refuses(
        vec![branch_assigned("1", "2025-04-01")],
        change_branch("2", "2025-03-31"),
        "my_number_date_out_of_order",
    )
    .await;
}

#[tokio::test]
async fn branch_number_commands_are_accepted_after_erasure() {
    // digest.md §1.8: the 識別番号 ↔ 被保険者枝番 link survives the shredding.
    accepts(
        vec![registered(1, "2015-04-01"), erased("2026-04-01")],
        assign_branch("1", "2026-04-02"),
        vec![branch_assigned("1", "2026-04-02")],
    )
    .await;
    let calls = accepts(
        vec![
            registered(1, "2015-04-01"),
            branch_assigned("1", "2015-04-02"),
            erased("2026-04-01"),
        ],
        MyNumberCommand::ChangeBranchNumber {
            branch_number: branch("2"),
            reason: None,
            changed_on: d("2026-04-02"),
        },
        vec![MyNumberEvent::InsuredBranchNumberChanged(
            InsuredBranchNumberChanged {
                previous: branch("1"),
                branch_number: branch("2"),
                reason: None,
                changed_on: d("2026-04-02"),
            },
        )],
    )
    .await;
    assert!(calls.is_empty());
}

// ---------------------------------------------------------------- 5情報照合

#[tokio::test]
async fn five_info_all_matched() {
    accepts(
        vec![],
        five_info(true, vec![], "2025-04-01"),
        vec![five_info_verified("2025-04-01")],
    )
    .await;
}

#[tokio::test]
async fn five_info_mismatch_is_recorded_sorted_without_repeats() {
    let events = vec![MyNumberEvent::FiveInfoMismatchRecorded(
        FiveInfoMismatchRecorded {
            mismatched: vec![FiveInfoField::NameKana, FiveInfoField::ResidentAddress],
            checked_on: d("2025-04-01"),
        },
    )];
    accepts(
        vec![registered(1, "2025-03-01")],
        five_info(
            false,
            vec![
                FiveInfoField::ResidentAddress,
                FiveInfoField::NameKana,
                FiveInfoField::ResidentAddress,
            ],
            "2025-04-01",
        ),
        events.clone(),
    )
    .await;
    let state = record([vec![registered(1, "2025-03-01")], events].concat());
    let check = state.last_five_info_check().expect("check recorded");
    assert!(!check.matched());
    // digest.md §4.5: recording a mismatch does not register or remove a number by itself.
    assert!(state.has_number());
}

#[tokio::test]
async fn five_info_refused_when_matched_and_mismatched_contradict() {
    refuses(
        vec![],
        five_info(true, vec![FiveInfoField::Sex], "2025-04-01"),
        "my_number_five_info_inconsistent",
    )
    .await;
    refuses(
        vec![],
        five_info(false, vec![], "2025-04-01"),
        "my_number_five_info_inconsistent",
    )
    .await;
}

#[tokio::test]
async fn five_info_refused_after_erasure() {
    refuses(
        vec![erased("2026-04-01")],
        five_info(true, vec![], "2026-04-02"),
        "my_number_erased",
    )
    .await;
}

// ---------------------------------------------------------------- 消去

#[tokio::test]
async fn erase_records_the_ledger_entry_trimmed() {
    let calls = accepts(
        vec![registered(1, "2015-04-01"), changed(2, "2016-04-01")],
        erase("2026-04-01"),
        vec![erased("2026-04-01")],
    )
    .await;
    assert!(calls.is_empty(), "an erasure seals nothing");
}

#[tokio::test]
async fn erase_refused_when_already_erased() {
    refuses(
        vec![registered(1, "2015-04-01"), erased("2026-04-01")],
        erase("2026-04-02"),
        "my_number_erased",
    )
    .await;
}

#[tokio::test]
async fn erase_refused_with_a_bad_ledger_seq_or_legal_basis() {
    let err = refuses(
        vec![registered(1, "2015-04-01")],
        MyNumberCommand::Erase {
            key_id: KEY,
            ledger_seq: 0,
            legal_basis: "文書保存規程".to_string(),
            erased_on: d("2026-04-01"),
        },
        "my_number_invalid_ledger_seq",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Invalid));
    refuses(
        vec![registered(1, "2015-04-01")],
        MyNumberCommand::Erase {
            key_id: KEY,
            ledger_seq: 1,
            legal_basis: "   ".to_string(),
            erased_on: d("2026-04-01"),
        },
        "my_number_invalid_value",
    )
    .await;
}

// ---------------------------------------------------------------- state and version binding

#[tokio::test]
async fn each_sealing_uses_the_version_its_event_gets() {
    // Commands handled one after another as the application would (load, handle, append):
    // the version passed to the sealer is the event's stream version.
    let sealer = Arc::new(FakeSealer::default());
    let services = SealerService(sealer.clone());
    let mut state = MyNumberRecord::default();
    let mut stream = Vec::new();
    for command in [
        register(FIRST, "2025-04-01"),
        assign_branch("1", "2025-04-02"),
        change(SECOND, FIRST, "2025-05-01"),
        delete("2025-06-01"),
        register(THIRD, "2025-06-02"),
    ] {
        let sink = EventSink::<MyNumberRecord>::default();
        state
            .handle(command, &services, &sink)
            .await
            .expect("accepted");
        stream.extend(sink.collect().await);
        assert_eq!(state.version(), stream.len() as i64);
    }
    let sealed_at: Vec<(i64, String)> = sealer
        .calls()
        .into_iter()
        .map(|c| (c.version, c.event_type))
        .collect();
    assert_eq!(
        sealed_at,
        vec![
            (1, "MyNumberRegistered".to_string()),
            (3, "MyNumberChanged".to_string()),
            (5, "MyNumberRegistered".to_string()),
        ]
    );
    for (version, event) in (1..).zip(&stream) {
        if let Some(sealed_value) = event.sealed() {
            assert_eq!(*sealed_value, sealed(version, &event.event_type()));
        }
    }
    assert_eq!(
        state.latest_sealed(),
        Some((5, &sealed(5, "MyNumberRegistered"), "MyNumberRegistered"))
    );
}

#[test]
fn queries_follow_the_stream() {
    let new = MyNumberRecord::default();
    assert_eq!(new.version(), 0);
    assert!(!new.has_number() && !new.is_erased());
    assert_eq!(new.latest_sealed(), None);

    let after_change = record(vec![
        registered(1, "2025-04-01"),
        branch_assigned("1", "2025-04-02"),
        changed(3, "2025-05-01"),
    ]);
    assert_eq!(after_change.version(), 3);
    assert!(after_change.has_number());
    assert_eq!(
        after_change.latest_sealed(),
        Some((3, &sealed(3, "MyNumberChanged"), "MyNumberChanged"))
    );
    assert_eq!(after_change.source(), Some(MyNumberSource::Employer));
    assert_eq!(after_change.registered_on(), Some(d("2025-04-01")));

    let after_delete = record(vec![registered(1, "2025-04-01"), deleted("2025-05-01")]);
    assert!(!after_delete.has_number());
    assert_eq!(after_delete.latest_sealed(), None);
    assert_eq!(
        after_delete.deletion(),
        Some((&MyNumberDeletionReason::RegisteredInError, d("2025-05-01")))
    );

    let after_erasure = record(vec![
        registered(1, "2015-04-01"),
        branch_assigned("1", "2015-04-02"),
        erased("2026-04-01"),
    ]);
    assert_eq!(after_erasure.version(), 3);
    assert!(after_erasure.is_erased() && !after_erasure.has_number());
    assert_eq!(after_erasure.latest_sealed(), None);
    assert_eq!(after_erasure.branch_number(), Some(&branch("1")));
    let erasure = after_erasure.erasure().expect("erasure recorded");
    assert_eq!((erasure.key_id, erasure.ledger_seq), (KEY, 42));
}

#[test]
fn event_types_are_stable_and_version_1_0() {
    let events = [
        registered(1, "2025-04-01"),
        changed(2, "2025-04-01"),
        deleted("2025-04-01"),
        not_registered("2025-04-01"),
        branch_assigned("1", "2025-04-01"),
        MyNumberEvent::InsuredBranchNumberChanged(InsuredBranchNumberChanged {
            previous: branch("1"),
            branch_number: branch("2"),
            reason: None,
            changed_on: d("2025-04-01"),
        }),
        five_info_verified("2025-04-01"),
        MyNumberEvent::FiveInfoMismatchRecorded(FiveInfoMismatchRecorded {
            mismatched: vec![FiveInfoField::Sex],
            checked_on: d("2025-04-01"),
        }),
        erased("2026-04-01"),
        entry_recorded(1, registration_entry("2025-04-01")),
        withdrawn(),
    ];
    let types: Vec<String> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, MyNumberEvent::EVENT_TYPES.map(String::from).to_vec());
    assert_eq!(
        types,
        [
            "MyNumberRegistered",
            "MyNumberChanged",
            "MyNumberDeleted",
            "MyNumberNotRegistered",
            "InsuredBranchNumberAssigned",
            "InsuredBranchNumberChanged",
            "FiveInfoVerified",
            "FiveInfoMismatchRecorded",
            "MyNumberErased",
            "MyNumberEntryRecorded",
            "MyNumberEntryWithdrawn",
        ]
    );
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_string(event).expect("serialize");
        let back: MyNumberEvent = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(&back, event);
    }
    assert_eq!(MyNumberRecord::TYPE, "my_number");
}

#[tokio::test]
async fn no_number_in_events_state_or_debug() {
    // Events as stored, the aggregate snapshot and the commands' Debug never hold a number.
    let sealer = Arc::new(FakeSealer::default());
    let services = SealerService(sealer.clone());
    let mut state = MyNumberRecord::default();
    let mut texts = Vec::new();
    for command in [
        register(FIRST, "2025-04-01"),
        change(SECOND, FIRST, "2025-05-01"),
    ] {
        texts.push(format!("{command:?}"));
        let sink = EventSink::<MyNumberRecord>::default();
        state
            .handle(command, &services, &sink)
            .await
            .expect("accepted");
        for event in sink.collect().await {
            texts.push(serde_json::to_string(&event).expect("serialize"));
            texts.push(format!("{event:?}"));
        }
    }
    texts.push(serde_json::to_string(&state).expect("snapshot"));
    texts.push(format!("{state:?}"));
    for text in texts {
        assert_no_number(&text);
    }
}

#[test]
fn error_codes_are_prefixed_and_messages_never_hold_a_number() {
    let errors = [
        MyNumberRecordError::Erased {
            erased_on: d("2026-04-01"),
        },
        MyNumberRecordError::AlreadyRegistered {
            since: d("2025-04-01"),
        },
        MyNumberRecordError::NotRegistered,
        MyNumberRecordError::Unchanged,
        MyNumberRecordError::DateOutOfOrder {
            what: "change (変更年月日)",
            date: d("2025-03-31"),
            since: d("2025-04-01"),
        },
        MyNumberRecordError::BranchNumberAlreadyAssigned {
            since: d("2025-04-01"),
        },
        MyNumberRecordError::BranchNumberNotAssigned,
        MyNumberRecordError::BranchNumberUnchanged,
        MyNumberRecordError::FiveInfoInconsistent { detail: "x" },
        MyNumberRecordError::InvalidValue(
            BranchNumber::parse("x").expect_err("invalid branch number"),
        ),
        MyNumberRecordError::InvalidLedgerSeq { ledger_seq: -1 },
        MyNumberRecordError::SealFailed(SealError::Failed("backend".to_string())),
    ];
    let mut codes: Vec<&str> = errors.iter().map(MyNumberRecordError::code).collect();
    for code in &codes {
        assert!(code.starts_with("my_number_"), "{code}");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len(), "codes are distinct");
    for err in &errors {
        assert_no_number(&err.to_string());
    }
}

// ---------------------------------------------------------------- double entry (ダブルチェック)

const ENTRY: Uuid = Uuid::from_u128(0xE1);

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2025-04-03T10:00:00+09:00")
        .expect("instant")
        .to_utc()
}

fn registration_entry(on: &str) -> NumberEntry {
    NumberEntry::Registration {
        source: MyNumberSource::Employer,
        registered_on: d(on),
    }
}

fn enter(number: &str, entry: NumberEntry, previous: Option<&str>) -> MyNumberCommand {
    MyNumberCommand::EnterNumber {
        entry_id: ENTRY,
        number: n(number),
        entry,
        previous: previous.map(n),
        entered_by: "mn1".to_string(),
        entered_at: at(),
    }
}

fn entry_recorded(version: i64, entry: NumberEntry) -> MyNumberEvent {
    MyNumberEvent::MyNumberEntryRecorded(MyNumberEntryRecorded {
        entry_id: ENTRY,
        sealed: sealed(version, MyNumberEvent::ENTRY_RECORDED),
        entry,
        entered_by: "mn1".to_string(),
        entered_at: at(),
    })
}

fn confirm(number: &str, entered: &str, previous: Option<&str>, by: &str) -> MyNumberCommand {
    MyNumberCommand::ConfirmEntry {
        entry_id: ENTRY,
        number: n(number),
        entered: n(entered),
        previous: previous.map(n),
        confirmed_by: by.to_string(),
    }
}

fn withdrawn() -> MyNumberEvent {
    MyNumberEvent::MyNumberEntryWithdrawn(MyNumberEntryWithdrawn {
        entry_id: ENTRY,
        reason: description("用紙の読み違い"),
        withdrawn_by: "mn2".to_string(),
    })
}

#[tokio::test]
async fn an_entry_is_sealed_and_pending_not_registered() {
    let calls = accepts(
        vec![],
        enter(FIRST, registration_entry("2025-04-01"), None),
        vec![entry_recorded(1, registration_entry("2025-04-01"))],
    )
    .await;
    assert_eq!(
        calls,
        vec![call(
            1,
            "MyNumberEntryRecorded",
            r#"{"n":"983205673214","prev":null}"#
        )]
    );
    let record = record(vec![entry_recorded(1, registration_entry("2025-04-01"))]);
    assert!(
        !record.has_number(),
        "nothing registered before confirmation"
    );
    let pending = record.pending_entry().expect("pending");
    assert_eq!(
        (pending.entry_id, pending.entered_by.as_str()),
        (ENTRY, "mn1")
    );
    assert_eq!(pending.sealed().0, 1);
}

#[tokio::test]
async fn a_second_person_keying_the_same_number_registers_the_entry() {
    let calls = accepts(
        vec![entry_recorded(1, registration_entry("2025-04-01"))],
        confirm(FIRST, FIRST, None, "mn2"),
        vec![MyNumberEvent::MyNumberRegistered(MyNumberRegistered {
            sealed: sealed(2, MyNumberEvent::REGISTERED),
            source: MyNumberSource::Employer,
            registered_on: d("2025-04-01"),
            entry_id: Some(ENTRY),
        })],
    )
    .await;
    assert_eq!(
        calls,
        vec![call(
            2,
            "MyNumberRegistered",
            r#"{"n":"983205673214","prev":null}"#
        )]
    );
    let mut record = record(vec![entry_recorded(1, registration_entry("2025-04-01"))]);
    record.apply(MyNumberEvent::MyNumberRegistered(MyNumberRegistered {
        sealed: sealed(2, MyNumberEvent::REGISTERED),
        source: MyNumberSource::Employer,
        registered_on: d("2025-04-01"),
        entry_id: Some(ENTRY),
    }));
    assert!(record.has_number() && record.pending_entry().is_none());
}

#[tokio::test]
async fn a_confirmed_change_seals_the_previous_number_with_the_new() {
    let entry = NumberEntry::Change {
        reason: MyNumberChangeReason::Correction,
        changed_on: d("2025-05-01"),
    };
    let calls = accepts(
        vec![
            registered(1, "2025-04-01"),
            entry_recorded(2, entry.clone()),
        ],
        confirm(SECOND, SECOND, Some(FIRST), "mn2"),
        vec![MyNumberEvent::MyNumberChanged(MyNumberChanged {
            sealed: sealed(3, MyNumberEvent::CHANGED),
            reason: MyNumberChangeReason::Correction,
            changed_on: d("2025-05-01"),
            entry_id: Some(ENTRY),
        })],
    )
    .await;
    assert_eq!(
        calls[0].plaintext,
        br#"{"n":"123456789018","prev":"983205673214"}"#.to_vec()
    );
}

#[tokio::test]
async fn the_person_who_entered_cannot_confirm() {
    let err = refuses(
        vec![entry_recorded(1, registration_entry("2025-04-01"))],
        confirm(FIRST, FIRST, None, "mn1"),
        "two_person_rule",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Forbidden));
}

#[tokio::test]
async fn a_different_number_is_a_mismatch_and_the_entry_stays_pending() {
    let err = refuses(
        vec![entry_recorded(1, registration_entry("2025-04-01"))],
        confirm(SECOND, FIRST, None, "mn2"),
        "my_number_double_check_mismatch",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Invalid));
    let record = record(vec![entry_recorded(1, registration_entry("2025-04-01"))]);
    assert!(record.pending(ENTRY).is_ok());
}

#[tokio::test]
async fn one_pending_entry_per_person() {
    let mut second = enter(SECOND, registration_entry("2025-04-01"), None);
    if let MyNumberCommand::EnterNumber { entry_id, .. } = &mut second {
        *entry_id = Uuid::from_u128(0xE2);
    }
    let err = refuses(
        vec![entry_recorded(1, registration_entry("2025-04-01"))],
        second,
        "my_number_entry_pending",
    )
    .await;
    assert_eq!(err.category(), Some(ErrorCategory::Conflict));
}

#[tokio::test]
async fn an_entry_is_checked_as_its_registration_or_change_would_be() {
    refuses(
        vec![registered(1, "2025-04-01")],
        enter(SECOND, registration_entry("2025-05-01"), None),
        "my_number_already_registered",
    )
    .await;
    let change = NumberEntry::Change {
        reason: MyNumberChangeReason::Correction,
        changed_on: d("2025-05-01"),
    };
    refuses(
        vec![],
        enter(SECOND, change.clone(), None),
        "my_number_not_registered",
    )
    .await;
    refuses(
        vec![registered(1, "2025-04-01")],
        enter(FIRST, change, Some(FIRST)),
        "my_number_unchanged",
    )
    .await;
}

#[tokio::test]
async fn unknown_confirmed_and_withdrawn_entries_are_refused() {
    refuses(
        vec![],
        confirm(FIRST, FIRST, None, "mn2"),
        "my_number_entry_not_found",
    )
    .await;
    let confirmed = MyNumberEvent::MyNumberRegistered(MyNumberRegistered {
        sealed: sealed(2, MyNumberEvent::REGISTERED),
        source: MyNumberSource::Employer,
        registered_on: d("2025-04-01"),
        entry_id: Some(ENTRY),
    });
    let withdraw = || MyNumberCommand::WithdrawEntry {
        entry_id: ENTRY,
        reason: description("重複入力"),
        withdrawn_by: "mn1".to_string(),
    };
    for closed in [confirmed, withdrawn()] {
        let given = vec![entry_recorded(1, registration_entry("2025-04-01")), closed];
        refuses(
            given.clone(),
            confirm(FIRST, FIRST, None, "mn2"),
            "my_number_entry_not_pending",
        )
        .await;
        refuses(given, withdraw(), "my_number_entry_not_pending").await;
    }
}

#[tokio::test]
async fn a_pending_entry_can_be_withdrawn_and_then_entered_anew() {
    accepts(
        vec![entry_recorded(1, registration_entry("2025-04-01"))],
        MyNumberCommand::WithdrawEntry {
            entry_id: ENTRY,
            reason: description("用紙の読み違い"),
            withdrawn_by: "mn2".to_string(),
        },
        vec![withdrawn()],
    )
    .await;
    let record = record(vec![
        entry_recorded(1, registration_entry("2025-04-01")),
        withdrawn(),
    ]);
    assert!(record.pending_entry().is_none() && !record.has_number());
    let mut again = enter(SECOND, registration_entry("2025-04-01"), None);
    if let MyNumberCommand::EnterNumber { entry_id, .. } = &mut again {
        *entry_id = Uuid::from_u128(0xE3);
    }
    let calls = accepts(
        vec![
            entry_recorded(1, registration_entry("2025-04-01")),
            withdrawn(),
        ],
        again,
        vec![MyNumberEvent::MyNumberEntryRecorded(
            MyNumberEntryRecorded {
                entry_id: Uuid::from_u128(0xE3),
                sealed: sealed(3, MyNumberEvent::ENTRY_RECORDED),
                entry: registration_entry("2025-04-01"),
                entered_by: "mn1".to_string(),
                entered_at: at(),
            },
        )],
    )
    .await;
    assert_eq!(calls[0].version, 3);
}

#[tokio::test]
async fn erasure_drops_a_pending_entry() {
    let record = record(vec![
        entry_recorded(1, registration_entry("2025-04-01")),
        erased("2036-04-01"),
    ]);
    assert!(record.pending_entry().is_none());
    refuses(
        vec![
            entry_recorded(1, registration_entry("2025-04-01")),
            erased("2036-04-01"),
        ],
        confirm(FIRST, FIRST, None, "mn2"),
        "my_number_erased",
    )
    .await;
}
