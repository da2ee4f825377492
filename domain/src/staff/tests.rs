//! Given-when-then tests of the [`StaffAccount`] aggregate (cqrs-es `TestFramework`), from
//! digest.md §0.2 and §4.2: the システム担当課 proposes, the データ保護担当者 confirms, nothing
//! takes effect unconfirmed, and no one decides on their own proposal or their own account.

use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use uuid::Uuid;

use super::*;

const CHANGE_1: Uuid = Uuid::from_u128(0xC1);
const CHANGE_2: Uuid = Uuid::from_u128(0xC2);

fn id(s: &str) -> StaffId {
    StaffId::parse(s).expect("staff id")
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0)
        .single()
        .expect("time")
}

fn reason(s: &str) -> Reason {
    Reason::parse(s).expect("reason")
}

fn details(roles: &[Role], my_number: bool) -> AccountDetails {
    AccountDetails {
        department: Department::parse("適用一課").expect("department"),
        roles: roles.to_vec(),
        my_number_permission: my_number,
        valid_from: crate::calendar::Date::fixed(2026, 4, 1),
        valid_to: None,
    }
}

fn propose(change_id: Uuid, change: AccountChange, by: &str) -> StaffAccountCommand {
    StaffAccountCommand::ProposeChange {
        staff_id: id("tanaka"),
        change_id,
        change,
        proposed_by: id(by),
        proposed_at: at(9),
    }
}

fn approve(change_id: Uuid, by: &str) -> StaffAccountCommand {
    StaffAccountCommand::ApproveChange {
        change_id,
        approved_by: id(by),
        approved_at: at(10),
    }
}

fn proposed(change_id: Uuid, change: AccountChange, by: &str) -> StaffAccountEvent {
    StaffAccountEvent::ChangeProposed(ChangeProposed {
        staff_id: id("tanaka"),
        change_id,
        change,
        proposed_by: by.to_owned(),
        proposed_at: at(9),
        bootstrap: false,
    })
}

fn approved(change_id: Uuid, by: &str) -> StaffAccountEvent {
    StaffAccountEvent::ChangeApproved(ChangeApproved {
        staff_id: id("tanaka"),
        change_id,
        approved_by: by.to_owned(),
        approved_at: at(10),
        bootstrap: false,
    })
}

fn created(change_id: Uuid, details: AccountDetails) -> StaffAccountEvent {
    StaffAccountEvent::AccountCreated(AccountCreated {
        staff_id: id("tanaka"),
        change_id,
        details,
        created_at: at(10),
    })
}

/// tanaka exists with the qualification role, created by admin1 and approved by dpo1.
fn existing() -> Vec<StaffAccountEvent> {
    let d = details(&[Role::Qualification], false);
    vec![
        proposed(CHANGE_1, AccountChange::Create(d.clone()), "admin1"),
        approved(CHANGE_1, "dpo1"),
        created(CHANGE_1, d),
    ]
}

fn given(events: Vec<StaffAccountEvent>) -> cqrs_es::test::AggregateTestExecutor<StaffAccount> {
    TestFramework::<StaffAccount>::with(()).given(events)
}

async fn refuses(events: Vec<StaffAccountEvent>, command: StaffAccountCommand, code: &str) {
    match given(events).when_async(command).await.inspect_result() {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => assert_eq!(err.code(), code, "{err}"),
    }
}

fn fold(events: Vec<StaffAccountEvent>) -> StaffAccount {
    let mut account = StaffAccount::default();
    for event in events {
        account.apply(event);
    }
    account
}

#[tokio::test]
async fn a_proposed_creation_is_recorded_with_roles_sorted_and_has_no_effect_yet() {
    let d = details(&[Role::Auditor, Role::Qualification, Role::Auditor], true);
    let normalized = details(&[Role::Qualification, Role::Auditor], true);
    given(vec![])
        .when_async(propose(CHANGE_1, AccountChange::Create(d), "admin1"))
        .await
        .then_expect_events(vec![proposed(
            CHANGE_1,
            AccountChange::Create(normalized.clone()),
            "admin1",
        )]);
    let account = fold(vec![proposed(
        CHANGE_1,
        AccountChange::Create(normalized),
        "admin1",
    )]);
    assert!(
        account.details().is_none(),
        "nothing takes effect before approval"
    );
    assert_eq!(account.pending().map(|p| p.change_id), Some(CHANGE_1));
}

#[tokio::test]
async fn approval_by_another_person_makes_the_creation_take_effect() {
    let d = details(&[Role::Qualification], false);
    given(vec![proposed(
        CHANGE_1,
        AccountChange::Create(d.clone()),
        "admin1",
    )])
    .when_async(approve(CHANGE_1, "dpo1"))
    .await
    .then_expect_events(vec![
        approved(CHANGE_1, "dpo1"),
        created(CHANGE_1, d.clone()),
    ]);
    let account = fold(existing());
    assert_eq!(account.details(), Some(&d));
    assert!(account.pending().is_none());
}

#[tokio::test]
async fn the_proposer_cannot_approve_or_reject_their_own_proposal() {
    let d = details(&[Role::Qualification], false);
    let events = vec![proposed(CHANGE_1, AccountChange::Create(d), "admin1")];
    refuses(
        events.clone(),
        approve(CHANGE_1, "admin1"),
        "two_person_rule",
    )
    .await;
    refuses(
        events,
        StaffAccountCommand::RejectChange {
            change_id: CHANGE_1,
            rejected_by: id("admin1"),
            reason: reason("誤り"),
            rejected_at: at(10),
        },
        "two_person_rule",
    )
    .await;
}

#[tokio::test]
async fn the_holder_cannot_approve_a_change_to_their_own_account() {
    let mut events = existing();
    events.push(proposed(
        CHANGE_2,
        AccountChange::Update(details(&[Role::Qualification], true)),
        "admin1",
    ));
    refuses(events, approve(CHANGE_2, "tanaka"), "own_account").await;
}

#[tokio::test]
async fn an_update_takes_effect_only_when_approved() {
    let new = details(&[Role::Qualification, Role::Benefits], true);
    let mut events = existing();
    events.push(proposed(
        CHANGE_2,
        AccountChange::Update(new.clone()),
        "admin1",
    ));
    let pending = fold(events.clone());
    assert_eq!(
        pending.details().map(|d| d.my_number_permission),
        Some(false)
    );
    given(events)
        .when_async(approve(CHANGE_2, "dpo1"))
        .await
        .then_expect_events(vec![
            approved(CHANGE_2, "dpo1"),
            StaffAccountEvent::AccountUpdated(AccountUpdated {
                staff_id: id("tanaka"),
                change_id: CHANGE_2,
                details: new,
                updated_at: at(10),
            }),
        ]);
}

#[tokio::test]
async fn a_rejected_change_has_no_effect_and_frees_the_account_for_another_proposal() {
    let mut events = existing();
    events.push(proposed(
        CHANGE_2,
        AccountChange::Revoke {
            reason: reason("退職"),
        },
        "admin1",
    ));
    let rejected = StaffAccountEvent::ChangeRejected(ChangeRejected {
        staff_id: id("tanaka"),
        change_id: CHANGE_2,
        rejected_by: "dpo1".to_owned(),
        rejected_at: at(10),
        reason: reason("退職日が未確定"),
    });
    given(events.clone())
        .when_async(StaffAccountCommand::RejectChange {
            change_id: CHANGE_2,
            rejected_by: id("dpo1"),
            reason: reason("退職日が未確定"),
            rejected_at: at(10),
        })
        .await
        .then_expect_events(vec![rejected.clone()]);
    events.push(rejected);
    let account = fold(events.clone());
    assert!(account.revocation().is_none());
    assert!(account.pending().is_none());
    given(events)
        .when_async(propose(
            Uuid::from_u128(0xC3),
            AccountChange::Revoke {
                reason: reason("退職"),
            },
            "admin1",
        ))
        .await
        .inspect_result()
        .expect("a new proposal after a rejection");
}

#[tokio::test]
async fn only_one_change_is_pending_at_a_time() {
    let mut events = existing();
    events.push(proposed(
        CHANGE_2,
        AccountChange::Revoke {
            reason: reason("退職"),
        },
        "admin1",
    ));
    refuses(
        events,
        propose(
            Uuid::from_u128(0xC3),
            AccountChange::Update(details(&[Role::Review], false)),
            "admin2",
        ),
        "change_pending",
    )
    .await;
}

#[tokio::test]
async fn approving_a_change_that_is_not_pending_is_not_found() {
    refuses(existing(), approve(CHANGE_2, "dpo1"), "change_not_found").await;
    refuses(vec![], approve(CHANGE_2, "dpo1"), "account_not_found").await;
}

#[tokio::test]
async fn a_revoked_account_cannot_change_or_come_back() {
    let mut events = existing();
    events.push(proposed(
        CHANGE_2,
        AccountChange::Revoke {
            reason: reason("退職"),
        },
        "admin1",
    ));
    let revoked = given(events.clone())
        .when_async(approve(CHANGE_2, "dpo1"))
        .await
        .inspect_result()
        .expect("revocation approved");
    assert_eq!(revoked.len(), 2);
    assert_eq!(revoked[1].type_name(), "AccountRevoked");
    events.extend(revoked);
    assert!(fold(events.clone()).revocation().is_some());
    refuses(
        events.clone(),
        propose(
            Uuid::from_u128(0xC3),
            AccountChange::Create(details(&[Role::Review], false)),
            "admin1",
        ),
        "account_revoked",
    )
    .await;
    refuses(
        events,
        propose(
            Uuid::from_u128(0xC3),
            AccountChange::Update(details(&[Role::Review], false)),
            "admin1",
        ),
        "account_revoked",
    )
    .await;
}

#[tokio::test]
async fn proposals_that_make_no_sense_are_refused() {
    refuses(
        vec![],
        propose(
            CHANGE_1,
            AccountChange::Update(details(&[Role::Review], false)),
            "admin1",
        ),
        "account_not_found",
    )
    .await;
    refuses(
        vec![],
        propose(
            CHANGE_1,
            AccountChange::Revoke {
                reason: reason("退職"),
            },
            "admin1",
        ),
        "account_not_found",
    )
    .await;
    refuses(
        existing(),
        propose(
            CHANGE_2,
            AccountChange::Create(details(&[Role::Review], false)),
            "admin1",
        ),
        "account_exists",
    )
    .await;
    refuses(
        existing(),
        propose(
            CHANGE_2,
            AccountChange::Update(details(&[Role::Qualification], false)),
            "admin1",
        ),
        "no_change",
    )
    .await;
    refuses(
        vec![],
        propose(
            CHANGE_1,
            AccountChange::Create(details(&[], false)),
            "admin1",
        ),
        "no_roles",
    )
    .await;
    let mut reversed = details(&[Role::Review], false);
    reversed.valid_to = Some(crate::calendar::Date::fixed(2026, 3, 31));
    refuses(
        vec![],
        propose(CHANGE_1, AccountChange::Create(reversed), "admin1"),
        "validity_reversed",
    )
    .await;
    let mut other = propose(
        CHANGE_2,
        AccountChange::Update(details(&[Role::Review], false)),
        "admin1",
    );
    if let StaffAccountCommand::ProposeChange { staff_id, .. } = &mut other {
        *staff_id = id("suzuki");
    }
    refuses(existing(), other, "staff_id_mismatch").await;
}

#[tokio::test]
async fn bootstrap_records_proposal_approval_and_creation_by_the_bootstrap_actor() {
    let d = details(&[Role::SystemAdmin], false);
    let events = given(vec![])
        .when_async(StaffAccountCommand::Bootstrap {
            staff_id: id("tanaka"),
            change_id: CHANGE_1,
            details: d.clone(),
            at: at(9),
        })
        .await
        .inspect_result()
        .expect("bootstrap");
    let types: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
    assert_eq!(
        types,
        ["ChangeProposed", "ChangeApproved", "AccountCreated"]
    );
    match (&events[0], &events[1]) {
        (StaffAccountEvent::ChangeProposed(p), StaffAccountEvent::ChangeApproved(a)) => {
            assert_eq!((p.proposed_by.as_str(), p.bootstrap), ("bootstrap", true));
            assert_eq!((a.approved_by.as_str(), a.bootstrap), ("bootstrap", true));
        }
        other => panic!("unexpected events {other:?}"),
    }
    assert_eq!(fold(events).details(), Some(&d));
    refuses(
        existing(),
        StaffAccountCommand::Bootstrap {
            staff_id: id("tanaka"),
            change_id: CHANGE_2,
            details: d,
            at: at(9),
        },
        "account_exists",
    )
    .await;
}

#[test]
fn stream_ids_are_uuid_v5_of_the_staff_id_and_stable() {
    let a = StaffAccount::stream_uuid(&id("tanaka"));
    assert_eq!(a.get_version_num(), 5);
    assert_eq!(a, StaffAccount::stream_uuid(&id("tanaka")));
    assert_ne!(a, StaffAccount::stream_uuid(&id("suzuki")));
    assert_eq!(
        a,
        Uuid::new_v5(&STAFF_ACCOUNT_NAMESPACE, b"tanaka"),
        "the namespace is part of the stream id and never changes"
    );
}

#[test]
fn the_date_in_japan_turns_at_15_00_utc() {
    let before = Utc.with_ymd_and_hms(2026, 3, 31, 14, 59, 59).single();
    let after = Utc.with_ymd_and_hms(2026, 3, 31, 15, 0, 0).single();
    assert_eq!(
        before.map(date_in_japan),
        Some(crate::calendar::Date::fixed(2026, 3, 31))
    );
    assert_eq!(
        after.map(date_in_japan),
        Some(crate::calendar::Date::fixed(2026, 4, 1))
    );
}

#[test]
fn a_change_body_reads_as_json_and_refuses_unknown_fields() {
    let change: AccountChange = serde_json::from_str(
        r#"{"kind":"create","department":"給付課","roles":["benefits"],"valid_from":"R8.4.1"}"#,
    )
    .expect("create");
    assert_eq!(change.kind(), "create");
    assert!(serde_json::from_str::<AccountChange>(
        r#"{"kind":"create","department":"給付課","roles":["benefits"],"valid_from":"2026-04-01","admin":true}"#
    )
    .is_err());
    assert!(serde_json::from_str::<AccountChange>(
        r#"{"kind":"create","department":"給付課","roles":["root"],"valid_from":"2026-04-01"}"#
    )
    .is_err());
    let revoke: AccountChange =
        serde_json::from_str(r#"{"kind":"revoke","reason":"退職"}"#).expect("revoke");
    assert_eq!(revoke.kind(), "revoke");
}
