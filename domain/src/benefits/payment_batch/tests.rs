//! Given-when-then tests of the [`PaymentBatch`] aggregate (cqrs-es `TestFramework`).
//! Amounts: 埋葬料 50,000円 (健保法100条1項; rules.md §5.4) and 出産育児一時金 500,000円
//! (488,000 + 産科医療補償 12,000, births from 2023-04-01; rules.md §5.3).

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::benefits::claim::{BankReference, BenefitKind, Payee};
use crate::calendar::{parse, Date};
use crate::money::Yen;
use crate::qualification::{AccountType, Description, KanaName, PaymentAccount};

const BATCH: Uuid = Uuid::from_u128(0xB1);
const BURIAL: Uuid = Uuid::from_u128(0xC1);
const BIRTH: Uuid = Uuid::from_u128(0xC2);
const TARO: Uuid = Uuid::from_u128(0x1);
const HANAKO: Uuid = Uuid::from_u128(0x2);
/// The 給付課 member who makes batches, and the one who approves them (two-person rule).
const MAKER: &str = "kyufu01";
const APPROVER: &str = "kyufu02";

fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

fn yen(n: i64) -> Yen {
    Yen::new(n)
}

fn requester() -> TransferRequester {
    serde_json::from_value(json!({
        "code": "1234567890",
        "name": "ケンコウホケンクミアイ",
        "bank_code": "0001",
        "bank_name": "ミズホ",
        "branch_code": "001",
        "account_type": "ordinary",
        "account_number": "7654321"
    }))
    .expect("requester")
}

fn account(holder: &str, number: &str) -> PaymentAccount {
    PaymentAccount::new(
        "0005",
        "123",
        AccountType::Ordinary,
        number,
        KanaName::parse(holder).expect("kana"),
    )
    .expect("account")
}

fn order(claim_id: Uuid, person_id: Uuid, kind: BenefitKind, amount: i64) -> PaymentOrder {
    PaymentOrder {
        claim_id,
        person_id,
        kind,
        payee: Payee::MemberAccount,
        account: account(
            if person_id == TARO {
                "ヤマダ タロウ"
            } else {
                "スズキ ハナコ"
            },
            if person_id == TARO {
                "1111111"
            } else {
                "2222222"
            },
        ),
        amount: yen(amount),
    }
}

fn creation() -> BatchCreation {
    BatchCreation {
        batch_id: BATCH,
        instructed_on: d("2025-07-10"),
        transfer_date: d("2025-07-15"),
        requester: requester(),
        payments: vec![
            order(BURIAL, TARO, BenefitKind::Burial, 50_000),
            order(BIRTH, HANAKO, BenefitKind::ChildbirthLumpSum, 500_000),
        ],
        created_by: MAKER.to_owned(),
    }
}

fn payment(line: u32, o: PaymentOrder) -> BatchPayment {
    BatchPayment {
        line,
        claim_id: o.claim_id,
        person_id: o.person_id,
        kind: o.kind,
        payee: o.payee,
        account: o.account,
        amount: o.amount,
    }
}

fn created() -> PaymentBatchEvent {
    let c = creation();
    let mut orders = c.payments.into_iter();
    let first = orders.next().expect("first");
    let second = orders.next().expect("second");
    PaymentBatchEvent::BatchCreated(Box::new(BatchCreated {
        batch_id: BATCH,
        instructed_on: d("2025-07-10"),
        transfer_date: d("2025-07-15"),
        requester: requester(),
        payments: vec![payment(1, first), payment(2, second)],
        count: 2,
        // 50,000 + 500,000 = 550,000
        total_amount: yen(550_000),
        created_by: Some(MAKER.to_owned()),
    }))
}

fn paid(reference: &str) -> TransferOutcome {
    TransferOutcome::Paid {
        bank_reference: BankReference::parse(reference).expect("reference"),
    }
}

fn failed(reason: &str) -> TransferOutcome {
    TransferOutcome::Failed {
        reason: Description::parse(reason).expect("reason"),
    }
}

fn result(date: &str, results: Vec<(Uuid, TransferOutcome)>) -> PaymentBatchCommand {
    PaymentBatchCommand::RecordBankResult(BankResult {
        result_date: d(date),
        results: results
            .into_iter()
            .map(|(claim_id, outcome)| ClaimTransferResult { claim_id, outcome })
            .collect(),
    })
}

fn settled(
    claim_id: Uuid,
    line: u32,
    amount: i64,
    outcome: TransferOutcome,
    on: &str,
) -> SettledTransfer {
    SettledTransfer {
        claim_id,
        line,
        amount: yen(amount),
        outcome,
        settled_on: d(on),
    }
}

async fn accepts(
    events: Vec<PaymentBatchEvent>,
    command: PaymentBatchCommand,
    expected: Vec<PaymentBatchEvent>,
) {
    TestFramework::<PaymentBatch>::with(())
        .given(events)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

async fn refuses(events: Vec<PaymentBatchEvent>, command: PaymentBatchCommand, code: &str) {
    match TestFramework::<PaymentBatch>::with(())
        .given(events)
        .when_async(command)
        .await
        .inspect_result()
    {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => assert_eq!(err.code(), code, "{err}"),
    }
}

// ---------------------------------------------------------------- 承認 and downloads

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().expect("timestamp")
}

fn approve(by: &str) -> PaymentBatchCommand {
    PaymentBatchCommand::Approve(BatchApproval {
        approved_by: by.to_owned(),
        approved_at: at("2025-07-11T01:00:00Z"),
    })
}

fn approved() -> PaymentBatchEvent {
    PaymentBatchEvent::BatchApproved(BatchApproved {
        approved_by: APPROVER.to_owned(),
        approved_at: at("2025-07-11T01:00:00Z"),
    })
}

fn download() -> TransferFileDownload {
    TransferFileDownload {
        downloaded_by: APPROVER.to_owned(),
        downloaded_at: at("2025-07-11T02:00:00Z"),
        client_address: Some("10.0.0.7".to_owned()),
        terminal_id: Some("T-001".to_owned()),
        file_sha256: "ab".repeat(32),
        file_bytes: 610,
    }
}

/// 作成者 ≠ 承認者: the maker cannot approve; another member can, once.
#[tokio::test]
async fn a_batch_is_approved_once_by_another_than_its_maker() {
    refuses(vec![created()], approve(MAKER), "two_person_rule").await;
    accepts(vec![created()], approve(APPROVER), vec![approved()]).await;
    refuses(
        vec![created(), approved()],
        approve("kyufu03"),
        "batch_already_approved",
    )
    .await;
    refuses(vec![], approve(APPROVER), "batch_not_found").await;
    // a batch made before makers were recorded cannot be checked
    let PaymentBatchEvent::BatchCreated(mut legacy) = created() else {
        unreachable!("created builds a BatchCreated")
    };
    legacy.created_by = None;
    refuses(
        vec![PaymentBatchEvent::BatchCreated(legacy)],
        approve(APPROVER),
        "batch_not_attributed",
    )
    .await;
}

/// The file is served only once approved; each download is an event.
#[tokio::test]
async fn downloads_are_recorded_only_once_approved() {
    refuses(
        vec![created()],
        PaymentBatchCommand::RecordDownload(download()),
        "batch_not_approved",
    )
    .await;
    let d = download();
    accepts(
        vec![created(), approved()],
        PaymentBatchCommand::RecordDownload(d.clone()),
        vec![PaymentBatchEvent::TransferFileDownloaded(
            TransferFileDownloaded {
                downloaded_by: d.downloaded_by,
                downloaded_at: d.downloaded_at,
                client_address: d.client_address,
                terminal_id: d.terminal_id,
                file_sha256: d.file_sha256,
                file_bytes: 610,
            },
        )],
    )
    .await;
}

// ---------------------------------------------------------------- 作成

#[tokio::test]
async fn creates_a_batch_with_numbered_lines_and_totals() {
    accepts(
        vec![],
        PaymentBatchCommand::Create(creation()),
        vec![created()],
    )
    .await;
}

#[tokio::test]
async fn a_batch_is_created_once() {
    refuses(
        vec![created()],
        PaymentBatchCommand::Create(creation()),
        "batch_already_created",
    )
    .await;
}

#[tokio::test]
async fn refuses_an_empty_batch() {
    let mut body = creation();
    body.payments.clear();
    refuses(vec![], PaymentBatchCommand::Create(body), "no_payments").await;
}

#[tokio::test]
async fn refuses_a_claim_twice() {
    let mut body = creation();
    body.payments
        .push(order(BURIAL, TARO, BenefitKind::Burial, 50_000));
    refuses(vec![], PaymentBatchCommand::Create(body), "duplicate_claim").await;
}

#[tokio::test]
async fn refuses_amounts_outside_the_transfer_field() {
    for amount in [0, -1, 10_000_000_000] {
        let mut body = creation();
        body.payments[0].amount = yen(amount);
        refuses(vec![], PaymentBatchCommand::Create(body), "invalid_amount").await;
    }
}

#[tokio::test]
async fn refuses_a_total_beyond_the_trailer_field() {
    // 101 payments of 9,999,999,999 = 1,009,999,999,899 > 999,999,999,999
    let mut body = creation();
    body.payments = (0..101_u128)
        .map(|i| {
            order(
                Uuid::from_u128(0x1000 + i),
                TARO,
                BenefitKind::Burial,
                9_999_999_999,
            )
        })
        .collect();
    refuses(vec![], PaymentBatchCommand::Create(body), "total_too_large").await;
}

#[tokio::test]
async fn refuses_a_transfer_date_before_the_instruction() {
    let mut body = creation();
    body.transfer_date = d("2025-07-09");
    refuses(
        vec![],
        PaymentBatchCommand::Create(body),
        "date_out_of_order",
    )
    .await;
}

// ---------------------------------------------------------------- 振込結果

#[tokio::test]
async fn records_paid_and_failed_in_line_order() {
    accepts(
        vec![created()],
        result(
            "2025-07-16",
            vec![(BIRTH, failed("口座なし")), (BURIAL, paid("R-0001"))],
        ),
        vec![PaymentBatchEvent::BankResultRecorded(BankResultRecorded {
            result_date: d("2025-07-16"),
            settled: vec![
                settled(BURIAL, 1, 50_000, paid("R-0001"), "2025-07-16"),
                settled(BIRTH, 2, 500_000, failed("口座なし"), "2025-07-16"),
            ],
        })],
    )
    .await;
}

fn burial_paid() -> PaymentBatchEvent {
    PaymentBatchEvent::BankResultRecorded(BankResultRecorded {
        result_date: d("2025-07-15"),
        settled: vec![settled(BURIAL, 1, 50_000, paid("R-0001"), "2025-07-15")],
    })
}

#[tokio::test]
async fn the_same_result_twice_records_nothing() {
    accepts(
        vec![created(), burial_paid()],
        result("2025-07-15", vec![(BURIAL, paid("R-0001"))]),
        vec![],
    )
    .await;
}

#[tokio::test]
async fn a_later_result_settles_only_what_is_new() {
    accepts(
        vec![created(), burial_paid()],
        result(
            "2025-07-18",
            vec![(BURIAL, paid("R-0001")), (BIRTH, paid("R-0002"))],
        ),
        vec![PaymentBatchEvent::BankResultRecorded(BankResultRecorded {
            result_date: d("2025-07-18"),
            settled: vec![settled(BIRTH, 2, 500_000, paid("R-0002"), "2025-07-18")],
        })],
    )
    .await;
}

#[tokio::test]
async fn a_contradicting_result_is_refused() {
    refuses(
        vec![created(), burial_paid()],
        result("2025-07-16", vec![(BURIAL, failed("名義相違"))]),
        "result_conflicts",
    )
    .await;
    refuses(
        vec![created(), burial_paid()],
        result("2025-07-16", vec![(BURIAL, paid("R-9999"))]),
        "result_conflicts",
    )
    .await;
}

#[tokio::test]
async fn results_refused_for_bad_input() {
    refuses(
        vec![],
        result("2025-07-16", vec![(BURIAL, paid("R"))]),
        "batch_not_found",
    )
    .await;
    refuses(
        vec![created()],
        result("2025-07-16", vec![]),
        "empty_result",
    )
    .await;
    refuses(
        vec![created()],
        result("2025-07-16", vec![(Uuid::from_u128(0xFF), paid("R"))]),
        "claim_not_in_batch",
    )
    .await;
    refuses(
        vec![created()],
        result("2025-07-16", vec![(BURIAL, paid("R")), (BURIAL, paid("R"))]),
        "duplicate_result",
    )
    .await;
    refuses(
        vec![created()],
        result("2025-07-09", vec![(BURIAL, paid("R"))]),
        "date_out_of_order",
    )
    .await;
}

// ---------------------------------------------------------------- state and serde

#[test]
fn status_and_outstanding_follow_the_results() {
    let mut batch = PaymentBatch::default();
    assert_eq!(batch.status(), None);
    batch.apply(created());
    assert_eq!(batch.status(), Some(BatchStatus::Instructed));
    // 50,000 + 500,000
    assert_eq!(batch.outstanding_amount(), yen(550_000));
    batch.apply(burial_paid());
    assert_eq!(batch.status(), Some(BatchStatus::PartiallySettled));
    assert_eq!(batch.outstanding_amount(), yen(500_000));
    assert_eq!(
        batch.settlement(BURIAL).map(|s| s.outcome.code()),
        Some("paid")
    );
    batch.apply(PaymentBatchEvent::BankResultRecorded(BankResultRecorded {
        result_date: d("2025-07-16"),
        settled: vec![settled(BIRTH, 2, 500_000, failed("口座なし"), "2025-07-16")],
    }));
    assert_eq!(batch.status(), Some(BatchStatus::Settled));
    assert_eq!(batch.outstanding_amount(), Yen::ZERO);
}

#[test]
fn events_round_trip_with_stable_names() {
    for event in [created(), burial_paid()] {
        let json = serde_json::to_value(&event).expect("serialize");
        let back: PaymentBatchEvent = serde_json::from_value(json.clone()).expect("deserialize");
        assert_eq!(back, event);
        assert_eq!(json.as_object().map(|o| o.len()), Some(1));
        assert!(PaymentBatchEvent::EVENT_TYPES.contains(&event.event_type().as_str()));
        assert_eq!(event.event_version(), "1.0");
    }
}

#[test]
fn requester_fields_are_checked() {
    let good = json!({
        "code": "1234567890", "name": "ケンコウホケンクミアイ", "bank_code": "0001",
        "branch_code": "001", "account_type": "current", "account_number": "7654321"
    });
    assert!(serde_json::from_value::<TransferRequester>(good.clone()).is_ok());
    for (field, bad) in [
        ("code", json!("123")),
        ("bank_code", json!("01")),
        ("branch_code", json!("1")),
        ("account_number", json!("12345678")),
        ("name", json!(" ")),
        ("account_type", json!("savings")),
    ] {
        let mut body = good.clone();
        body[field] = bad;
        assert!(
            serde_json::from_value::<TransferRequester>(body).is_err(),
            "{field} should be refused"
        );
    }
    let mut unknown = good;
    unknown["extra"] = json!(1);
    assert!(serde_json::from_value::<TransferRequester>(unknown).is_err());
}
