//! 振込データ (payment batches) over real HTTP against a real PostgreSQL: a batch of the decided
//! claims with their payees resolved, its 総合振込 file parsed back, downloads byte-identical,
//! no claim in two batches, bank results that pay each claim once, a failed payment paid by a
//! later batch, roles, refusals that write nothing, and a rebuild equal to the live table.
//!
//! Persons are made through the 適用 API; decided claims are recorded through the claims
//! application service (`benefits::claim::execute` in a command transaction: the claim's events
//! and the `benefit_claims` read model), with the amounts given rather than calculated.
//!
//! Amounts (rules.md §5.3, §5.4): 出産育児一時金 500,000円 per child for births from 2023-04-01
//! (488,000 + 産科医療補償 12,000), so twins = 2 × 500,000 = 1,000,000円; 家族埋葬料 50,000円.

mod common;

use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::application::benefits::claim;
use kenpo_api::auth::Role;
use kenpo_domain::basis::{Basis, Rounding, Step};
use kenpo_domain::benefits::claim::{
    BenefitClaimCommand, BenefitKind, CalculationRecord, ClaimDecision, ClaimReceipt,
    ClaimRegistration, Outcome, Payee,
};
use kenpo_domain::calendar::{parse, Date};
use kenpo_domain::money::Yen;
use kenpo_infrastructure::bank_files::transfer::{
    DepositType, RecipientReference, TransferFile, TransferMethod,
};
use kenpo_infrastructure::event_store::{self, EventMetadata};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

fn d(s: &str) -> Date {
    parse(s).unwrap()
}

/// The society as 振込依頼人 (full-width カナ; written half-width in the file).
fn requester() -> Value {
    json!({
        "code": "1234567890",
        "name": "ケンコウホケンクミアイ",
        "bank_code": "0001",
        "bank_name": "ミズホ",
        "branch_code": "001",
        "branch_name": "トウキョウ",
        "account_type": "ordinary",
        "account_number": "7654321"
    })
}

fn batch_request(instructed_on: &str, transfer_date: &str) -> Value {
    json!({
        "instructed_on": instructed_on,
        "transfer_date": transfer_date,
        "requester": requester()
    })
}

/// Three insured: 山田 太郎 (account 届出), 鈴木 花子 (account from the 公金受取口座) and
/// 佐藤 次郎 (no account).
struct People {
    taro: Uuid,
    hanako: Uuid,
    jiro: Uuid,
}

async fn insured(app: &TestApp, number: &str, name: &str, kana: &str) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "100", number);
    body["name"] = json!(name);
    body["kana"] = json!(kana);
    app.acquire(&body).await;
    id
}

async fn register_account(app: &TestApp, person: Uuid, account: Value, source: &str) {
    app.register_payee_account(
        person,
        &json!({ "account": account, "source": source, "received_on": "2025-05-01" }),
    )
    .await;
}

async fn people(app: &TestApp) -> People {
    app.bootstrap_clerk2().await;
    let taro = insured(app, "1", "山田 太郎", "ヤマダ タロウ").await;
    let hanako = insured(app, "2", "鈴木 花子", "スズキ ハナコ").await;
    let jiro = insured(app, "3", "佐藤 次郎", "サトウ ジロウ").await;
    register_account(
        app,
        taro,
        json!({ "bank_code": "0005", "bank_name": "三菱UFJ銀行", "branch_code": "123",
                "account_type": "ordinary", "account_number": "1111111", "holder": "ヤマダ タロウ" }),
        "notification",
    )
    .await;
    register_account(
        app,
        hanako,
        json!({ "bank_code": "0009", "branch_code": "456", "account_type": "savings",
                "account_number": "2222222", "holder": "スズキ ハナコ" }),
        "public_funds_receipt_account",
    )
    .await;
    People { taro, hanako, jiro }
}

/// A claim as the claims API would have it after 受付, 受付登録, 給付金計算 and 支給決定 of
/// `amount`, decided on `decided_on`.
async fn decided_claim(
    app: &TestApp,
    person: Uuid,
    kind: BenefitKind,
    payee: Payee,
    amount: i64,
    decided_on: &str,
) -> Uuid {
    let claim_id = Uuid::now_v7();
    let basis = Basis {
        inputs: json!({ "kind": kind.code() }),
        parameters: vec![],
        steps: vec![Step {
            label: "支給額".into(),
            formula: format!("{amount}"),
            exact: amount.to_string(),
            rounding: Rounding::None,
            value: amount.to_string(),
            source: "rules.md §5.3, §5.4".into(),
        }],
        result_yen: amount,
    };
    let commands = vec![
        BenefitClaimCommand::Receive(ClaimReceipt {
            claim_id,
            kind,
            person_id: person,
            beneficiary_person_id: kind.is_family().then(Uuid::now_v7),
            received_on: d("2025-06-20"),
            period: None,
            employer_certification: None,
            payee,
            details: serde_json::Map::new(),
        }),
        BenefitClaimCommand::Register(ClaimRegistration {
            registered_on: d("2025-06-23"),
        }),
        BenefitClaimCommand::RecordCalculation(CalculationRecord {
            basis: basis.clone(),
            amount: Yen::new(amount),
            calculated_by: "kyufu1".to_owned(),
        }),
        BenefitClaimCommand::Decide(ClaimDecision {
            decided_on: d(decided_on),
            outcome: Outcome::Pay {
                amount: Yen::new(amount),
            },
            basis,
            override_reason: None,
            decided_by: "kyufu2".to_owned(),
        }),
    ];
    let upcasters = kenpo_api::startup::upcasters();
    let metadata = EventMetadata::system("kyufu1");
    let mut tx = event_store::begin_command(&app.pool).await.unwrap();
    for command in commands {
        claim::execute(&mut tx, &upcasters, claim_id, command, None, &metadata)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    claim_id
}

fn employer() -> Payee {
    serde_json::from_value(json!({ "type": "employer_account", "office_code": "1234" })).unwrap()
}

async fn create_batch(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    app.post_json("/api/v1/payment-batches", token, body).await
}

async fn post_result(app: &TestApp, batch: &str, body: &Value) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/payment-batches/{batch}/results"),
        &app.kyufu(),
        body,
    )
    .await
}

async fn claim_status(app: &TestApp, claim: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM benefit_claims WHERE claim_id = $1")
        .bind(claim)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Event types of a claim's stream, in order.
async fn claim_events(app: &TestApp, claim: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT event_type FROM events WHERE stream_id = $1 ORDER BY version")
        .bind(format!("benefit_claim-{claim}"))
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn download(app: &TestApp, batch: &str, token: &str) -> (u16, String, String, Vec<u8>) {
    let response = app
        .get(
            &format!("/api/v1/payment-batches/{batch}/transfer-file"),
            token,
        )
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let bytes = response.bytes().await.unwrap().to_vec();
    (status, content_type, disposition, bytes)
}

fn claim_ids(batch: &Value) -> Vec<String> {
    batch["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["claim_id"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_batch_pays_the_resolved_claims_and_its_file_parses_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.bootstrap_kyufu2().await;
    let p = people(&app).await;
    // 家族出産育児一時金 for 太郎's dependent, to his registered account.
    let family_birth = decided_claim(
        &app,
        p.taro,
        BenefitKind::FamilyChildbirthLumpSum,
        Payee::MemberAccount,
        500_000,
        "2025-07-01",
    )
    .await;
    // 出産育児一時金 for 花子's twins (2 × 500,000), to her 公金受取口座.
    let twins = decided_claim(
        &app,
        p.hanako,
        BenefitKind::ChildbirthLumpSum,
        Payee::PublicFundsAccount,
        1_000_000,
        "2025-07-02",
    )
    .await;
    // Unresolved: the employer's account, a 公金受取口座 太郎 has not registered, 次郎 without
    // any account.
    let to_employer = decided_claim(
        &app,
        p.taro,
        BenefitKind::FamilyBurial,
        employer(),
        50_000,
        "2025-07-01",
    )
    .await;
    let no_public = decided_claim(
        &app,
        p.taro,
        BenefitKind::ChildbirthLumpSum,
        Payee::PublicFundsAccount,
        500_000,
        "2025-07-01",
    )
    .await;
    let no_account = decided_claim(
        &app,
        p.jiro,
        BenefitKind::ChildbirthLumpSum,
        Payee::MemberAccount,
        500_000,
        "2025-07-01",
    )
    .await;
    let before = app.event_count().await;

    let token = app.kyufu();
    let mut request = batch_request("2025-07-10", "2025-07-15");
    request["batch_id"] = json!(Uuid::now_v7());
    let response = app
        .post("/api/v1/payment-batches", &token, &request)
        .header("idempotency-key", "batch-2025-07-10")
        .send()
        .await
        .unwrap();
    let (status, created) = json(response).await;
    assert_eq!(status, 201, "{created}");
    let batch_id = created["batch_id"].as_str().unwrap().to_owned();
    assert_eq!(batch_id, request["batch_id"].as_str().unwrap());
    let batch = &created["batch"];
    // 500,000 + 1,000,000 = 1,500,000 in 2 payments, decided 7/1 before 7/2.
    assert_eq!(batch["count"], 2);
    assert_eq!(batch["total_amount"], 1_500_000);
    assert_eq!(batch["outstanding_amount"], 1_500_000);
    assert_eq!(batch["status"], "instructed");
    assert_eq!(batch["transfer_date"], "2025-07-15");
    assert_eq!(
        claim_ids(batch),
        vec![family_birth.to_string(), twins.to_string()]
    );
    assert_eq!(batch["payments"][0]["line"], 1);
    assert_eq!(batch["payments"][0]["status"], "instructed");
    assert_eq!(batch["payments"][1]["account"]["account_number"], "2222222");
    let unresolved: Vec<(String, String)> = created["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["claim_id"].as_str().unwrap().to_owned(),
                u["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(unresolved.len(), 3, "{created}");
    for (claim, code) in [
        (to_employer, "employer_account_not_registered"),
        (no_public, "no_public_funds_account"),
        (no_account, "no_registered_account"),
    ] {
        assert!(
            unresolved.contains(&(claim.to_string(), code.to_owned())),
            "{claim} {code}: {unresolved:?}"
        );
        assert_eq!(claim_status(&app, claim).await, "decided");
    }
    // the batch's event and one PaymentInstructed per included claim
    assert_eq!(app.event_count().await, before + 3);
    for claim in [family_birth, twins] {
        assert_eq!(claim_status(&app, claim).await, "payment_instructed");
        assert_eq!(
            claim_events(&app, claim).await.last().unwrap(),
            "PaymentInstructed"
        );
    }
    let instructed: Value = sqlx::query_scalar(
        "SELECT payload FROM events WHERE stream_id = $1 AND event_type = 'PaymentInstructed'",
    )
    .bind(format!("benefit_claim-{twins}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        instructed["PaymentInstructed"]["batch_id"],
        batch_id.as_str()
    );
    assert_eq!(instructed["PaymentInstructed"]["amount"], 1_000_000);
    assert_eq!(
        instructed["PaymentInstructed"]["instructed_on"],
        "2025-07-10"
    );

    // The same request with the same key answers as the first time and writes nothing.
    let (status, replay) = json(
        app.post("/api/v1/payment-batches", &token, &request)
            .header("idempotency-key", "batch-2025-07-10")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(replay, created);
    assert_eq!(app.event_count().await, before + 3);

    // The read model as made: not approved, never downloaded.
    let (status, one) = app
        .get_json(&format!("/api/v1/payment-batches/{batch_id}"), &token)
        .await;
    assert_eq!(status, 200);
    assert_eq!(one, created["batch"]);
    assert_eq!(one["created_by"], "kyufu1");
    assert_eq!(one["approved_by"], Value::Null);
    assert_eq!(one["downloads"], json!([]));

    // Four eyes: no file before the approval (409, a problem, no bytes of the file, nothing
    // written); the maker cannot approve (403 two_person_rule, nothing written); kyufu2 can.
    let (status, content_type, _, problem) = download(&app, &batch_id, &token).await;
    assert_eq!(status, 409);
    assert_eq!(content_type, "application/problem+json");
    let problem: Value = serde_json::from_slice(&problem).unwrap();
    assert_eq!(problem["code"], "batch_not_approved");
    let approval = format!("/api/v1/payment-batches/{batch_id}/approval");
    let (status, problem) = app.post_json(&approval, &token, &json!({})).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["code"], "two_person_rule");
    assert_eq!(app.event_count().await, before + 3);
    let approved = app.approve_batch(&batch_id).await;
    assert_eq!(approved["batch"]["approved_by"], "kyufu2");
    assert!(approved["batch"]["approved_at"].is_string(), "{approved}");
    let (status, problem) = app.post_json(&approval, &app.kyufu2(), &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("batch_already_approved")),
        "{problem}"
    );
    assert_eq!(app.event_count().await, before + 4);

    // The file: twice the same bytes, and it reads back to the same payees and amounts.
    let (status, content_type, disposition, bytes) = download(&app, &batch_id, &token).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/octet-stream");
    assert_eq!(
        disposition,
        format!("attachment; filename=\"sogo-furikomi-20250715-{batch_id}.txt\"")
    );
    let (_, _, _, again) = download(&app, &batch_id, &token).await;
    assert_eq!(bytes, again);
    // header, 2 data records, trailer, end: 5 × (120 + CR LF)
    assert_eq!(bytes.len(), 5 * 122);
    let file = TransferFile::parse(&bytes).unwrap();
    let header = file.header();
    assert_eq!(header.requester_code.as_str(), "1234567890");
    assert_eq!(header.requester_name.as_str(), "ｹﾝｺｳﾎｹﾝｸﾐｱｲ");
    assert_eq!(
        (header.transfer_date.month(), header.transfer_date.day()),
        (7, 15)
    );
    assert_eq!(header.bank_code.as_str(), "0001");
    assert_eq!(header.account_number.as_str(), "7654321");
    assert_eq!(file.total_count(), 2);
    assert_eq!(file.total_amount(), Yen::new(1_500_000));
    let records = file.records();
    let taro = &records[0];
    assert_eq!(taro.bank_code.as_str(), "0005");
    assert_eq!(taro.branch_code.as_str(), "123");
    assert_eq!(taro.deposit_type, DepositType::Ordinary);
    assert_eq!(taro.account_number.as_str(), "1111111");
    assert_eq!(taro.recipient_name.as_str(), "ﾔﾏﾀﾞ ﾀﾛｳ");
    assert_eq!(taro.amount.yen(), Yen::new(500_000));
    assert_eq!(taro.transfer_method, Some(TransferMethod::Telegraphic));
    let hanako = &records[1];
    assert_eq!(hanako.bank_code.as_str(), "0009");
    assert_eq!(hanako.deposit_type, DepositType::Savings);
    assert_eq!(hanako.account_number.as_str(), "2222222");
    assert_eq!(hanako.recipient_name.as_str(), "ｽｽﾞｷ ﾊﾅｺ");
    assert_eq!(hanako.amount.yen(), Yen::new(1_000_000));
    for (line, record) in (1..).zip(records) {
        match &record.reference {
            RecipientReference::CustomerCodes { code1: Some(c), .. } => {
                assert_eq!(c.as_str(), format!("{line:010}"))
            }
            other => panic!("line {line}: {other:?}"),
        }
    }
    // 振込金額 at bytes 81–90 of the first data record (after the 122-byte header line)
    assert_eq!(&bytes[122 + 80..122 + 90], b"0000500000");

    // Each download is an event of the batch, shown in its view: who, when, the bytes' digest.
    assert_eq!(app.event_count().await, before + 6);
    let (_, viewed) = app
        .get_json(&format!("/api/v1/payment-batches/{batch_id}"), &token)
        .await;
    let downloads = viewed["downloads"].as_array().unwrap();
    assert_eq!(downloads.len(), 2, "{viewed}");
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    for d in downloads {
        assert_eq!(d["downloaded_by"], "kyufu1");
        assert!(d["downloaded_at"].is_string(), "{d}");
        assert_eq!(d["file_sha256"], digest.as_str());
        assert_eq!(d["file_bytes"], 610);
    }
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT event_type FROM events WHERE stream_id = $1 ORDER BY position")
            .bind(format!("payment_batch-{batch_id}"))
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        [
            "BatchCreated",
            "BatchApproved",
            "TransferFileDownloaded",
            "TransferFileDownloaded"
        ]
    );

    // A second batch finds nothing new: the first batch's claims are instructed, the others
    // still unresolved.
    let (status, problem) =
        create_batch(&app, &token, &batch_request("2025-07-11", "2025-07-16")).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "nothing_to_pay");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("employer_account_not_registered"));
    assert_eq!(app.event_count().await, before + 6);

    // A claim decided later goes into the next batch, alone.
    let later = decided_claim(
        &app,
        p.hanako,
        BenefitKind::ChildbirthLumpSum,
        Payee::PublicFundsAccount,
        500_000,
        "2025-07-11",
    )
    .await;
    let (status, second) =
        create_batch(&app, &token, &batch_request("2025-07-12", "2025-07-17")).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(claim_ids(&second["batch"]), vec![later.to_string()]);
    assert_eq!(second["batch"]["total_amount"], 500_000);

    // The read model: the list, the filter by claim.
    let (status, list) = app.get_json("/api/v1/payment-batches", &token).await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 2);
    // newest 支払指示年月日 first, without the payments
    assert_eq!(list["batches"][0]["batch_id"], second["batch_id"]);
    assert!(list["batches"][0].get("payments").is_none());
    let (_, by_claim) = app
        .get_json(&format!("/api/v1/payment-batches?claim_id={twins}"), &token)
        .await;
    assert_eq!(by_claim["total"], 1);
    assert_eq!(by_claim["batches"][0]["batch_id"], batch_id.as_str());
}

/// One batch of 太郎's 500,000 and 花子's 1,000,000 (decided 7/1 and 7/2), made on 7/10 for a
/// transfer on 7/15.
async fn batch_of_two(app: &TestApp) -> (String, Uuid, Uuid) {
    let p = people(app).await;
    let first = decided_claim(
        app,
        p.taro,
        BenefitKind::FamilyChildbirthLumpSum,
        Payee::MemberAccount,
        500_000,
        "2025-07-01",
    )
    .await;
    let second = decided_claim(
        app,
        p.hanako,
        BenefitKind::ChildbirthLumpSum,
        Payee::PublicFundsAccount,
        1_000_000,
        "2025-07-02",
    )
    .await;
    let (status, created) = create_batch(
        app,
        &app.kyufu(),
        &batch_request("2025-07-10", "2025-07-15"),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    (
        created["batch_id"].as_str().unwrap().to_owned(),
        first,
        second,
    )
}

fn result_body(date: &str, results: Value) -> Value {
    json!({ "result_date": date, "results": results })
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_bank_result_twice_pays_each_claim_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (batch, taro, hanako) = batch_of_two(&app).await;
    let before = app.event_count().await;
    let body = result_body(
        "2025-07-16",
        json!([
            { "claim_id": taro, "outcome": { "type": "paid", "bank_reference": "20250715-000001" } },
            { "claim_id": hanako, "outcome": { "type": "failed", "reason": "口座なし" } }
        ]),
    );
    let (status, recorded) = post_result(&app, &batch, &body).await;
    assert_eq!(status, 200, "{recorded}");
    assert_eq!(recorded["settled"].as_array().unwrap().len(), 2);
    assert_eq!(recorded["already_recorded"], json!([]));
    // BankResultRecorded + ClaimPaid + PaymentFailed
    assert_eq!(app.event_count().await, before + 3);
    assert_eq!(claim_status(&app, taro).await, "paid");
    assert_eq!(claim_status(&app, hanako).await, "payment_failed");
    let paid: Value = sqlx::query_scalar(
        "SELECT payload FROM events WHERE stream_id = $1 AND event_type = 'ClaimPaid'",
    )
    .bind(format!("benefit_claim-{taro}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // paid on the 振込指定日, the amount instructed, the bank's reference
    assert_eq!(paid["ClaimPaid"]["paid_on"], "2025-07-15");
    assert_eq!(paid["ClaimPaid"]["amount"], 500_000);
    assert_eq!(paid["ClaimPaid"]["bank_reference"], "20250715-000001");
    assert_eq!(paid["ClaimPaid"]["batch_id"], batch.as_str());
    let view = &recorded["batch"];
    assert_eq!(view["status"], "settled");
    assert_eq!(view["paid_count"], 1);
    assert_eq!(view["paid_amount"], 500_000);
    assert_eq!(view["failed_count"], 1);
    assert_eq!(view["failed_amount"], 1_000_000);
    assert_eq!(view["outstanding_amount"], 0);
    assert_eq!(view["payments"][0]["status"], "paid");
    assert_eq!(view["payments"][0]["bank_reference"], "20250715-000001");
    assert_eq!(view["payments"][1]["status"], "failed");
    assert_eq!(view["payments"][1]["failure_reason"], "口座なし");

    // The same result again: nothing recorded, each claim paid once.
    let (status, again) = post_result(&app, &batch, &body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["settled"], json!([]));
    assert_eq!(again["position"], Value::Null);
    assert_eq!(
        again["already_recorded"],
        json!([taro.to_string(), hanako.to_string()])
    );
    assert_eq!(app.event_count().await, before + 3);
    let paid_events = claim_events(&app, taro)
        .await
        .into_iter()
        .filter(|t| t == "ClaimPaid")
        .count();
    assert_eq!(paid_events, 1);

    // A contradicting answer for a settled claim is refused and writes nothing.
    let (status, problem) = post_result(
        &app,
        &batch,
        &result_body(
            "2025-07-17",
            json!([{ "claim_id": taro, "outcome": { "type": "failed", "reason": "名義相違" } }]),
        ),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "result_conflicts");
    assert_eq!(app.event_count().await, before + 3);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_result_in_parts_and_a_failed_payment_in_a_later_batch(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.kyufu();
    let (batch, taro, hanako) = batch_of_two(&app).await;
    // First part: 花子's transfer failed.
    let (status, part) = post_result(
        &app,
        &batch,
        &result_body(
            "2025-07-15",
            json!([{ "claim_id": hanako, "outcome": { "type": "failed", "reason": "口座解約済" } }]),
        ),
    )
    .await;
    assert_eq!(status, 200, "{part}");
    assert_eq!(part["batch"]["status"], "partially_settled");
    assert_eq!(part["batch"]["outstanding_amount"], 500_000);

    // The failed claim goes into the next batch, for the same amount; 太郎's outstanding one
    // does not.
    let (status, next) =
        create_batch(&app, &token, &batch_request("2025-07-16", "2025-07-18")).await;
    assert_eq!(status, 201, "{next}");
    assert_eq!(claim_ids(&next["batch"]), vec![hanako.to_string()]);
    assert_eq!(next["batch"]["total_amount"], 1_000_000);
    assert_eq!(claim_status(&app, hanako).await, "payment_instructed");
    let next_id = next["batch_id"].as_str().unwrap().to_owned();

    // A result for the old batch cannot pay a claim it no longer holds outstanding.
    let (status, problem) = post_result(
        &app,
        &batch,
        &result_body(
            "2025-07-19",
            json!([{ "claim_id": hanako, "outcome": { "type": "paid", "bank_reference": "X-1" } }]),
        ),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "result_conflicts");

    // The later batch pays it; the first batch's second part pays 太郎.
    let (status, paid) = post_result(
        &app,
        &next_id,
        &result_body(
            "2025-07-18",
            json!([{ "claim_id": hanako, "outcome": { "type": "paid", "bank_reference": "20250718-000007" } }]),
        ),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(claim_status(&app, hanako).await, "paid");
    let (status, rest) = post_result(
        &app,
        &batch,
        &result_body(
            "2025-07-16",
            json!([{ "claim_id": taro, "outcome": { "type": "paid", "bank_reference": "20250715-000001" } }]),
        ),
    )
    .await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["batch"]["status"], "settled");
    assert_eq!(claim_status(&app, taro).await, "paid");
    assert_eq!(
        claim_events(&app, hanako).await[4..],
        [
            "PaymentInstructed",
            "PaymentFailed",
            "PaymentInstructed",
            "ClaimPaid"
        ]
    );

    // Nothing is left to pay.
    let (status, problem) =
        create_batch(&app, &token, &batch_request("2025-07-20", "2025-07-22")).await;
    assert_eq!(status, 409);
    assert_eq!(problem["code"], "nothing_to_pay");

    // batches by claim: 花子's claim is in both
    let (_, by_claim) = app
        .get_json(
            &format!("/api/v1/payment-batches?claim_id={hanako}"),
            &token,
        )
        .await;
    assert_eq!(by_claim["total"], 2);
    let (_, settled) = app
        .get_json("/api/v1/payment-batches?status=settled", &token)
        .await;
    assert_eq!(settled["total"], 2);

    // The read model rebuilt from the log equals the live one.
    let live: Vec<(Uuid, String, Value, i64)> = sqlx::query_as(
        "SELECT batch_id, status, view, stream_version FROM payment_batches ORDER BY batch_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    app.rebuild_projections(5).await;
    let rebuilt: Vec<(Uuid, String, Value, i64)> = sqlx::query_as(
        "SELECT batch_id, status, view, stream_version FROM payment_batches ORDER BY batch_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rebuilt, live);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn two_batch_requests_at_once_never_share_a_claim(pool: PgPool) {
    let app = spawn_app(pool).await;
    let p = people(&app).await;
    let mut claims = Vec::new();
    for _ in 0..5 {
        claims.push(
            decided_claim(
                &app,
                p.taro,
                BenefitKind::ChildbirthLumpSum,
                Payee::MemberAccount,
                500_000,
                "2025-07-01",
            )
            .await,
        );
    }
    let token = app.kyufu();
    let body = batch_request("2025-07-10", "2025-07-15");
    let (a, b) = tokio::join!(
        create_batch(&app, &token, &body),
        create_batch(&app, &token, &body)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.1, b.1);
    let (created, refused) = if a.0 == 201 { (a.1, b.1) } else { (b.1, a.1) };
    assert_eq!(refused["code"], "nothing_to_pay");
    assert_eq!(created["batch"]["count"], 5);
    // 5 × 500,000
    assert_eq!(created["batch"]["total_amount"], 2_500_000);
    for claim in claims {
        let instructions = claim_events(&app, claim)
            .await
            .into_iter()
            .filter(|t| t == "PaymentInstructed")
            .count();
        assert_eq!(instructions, 1);
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn roles_other_than_benefits_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.bootstrap_kyufu2().await;
    let (batch, taro, _) = batch_of_two(&app).await;
    let before = app.event_count().await;
    let clerk = app.clerk();
    let auditor = app.token("audit1", &[Role::Auditor]);
    for token in [&clerk, &auditor] {
        let (status, problem) =
            create_batch(&app, token, &batch_request("2025-07-10", "2025-07-15")).await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(problem["code"], "forbidden");
        let (status, _) = app.post_json(&format!("/api/v1/payment-batches/{batch}/results"),
                token,
                &result_body(
                    "2025-07-16",
                    json!([{ "claim_id": taro, "outcome": { "type": "paid", "bank_reference": "R" } }]),
                )).await;
        assert_eq!(status, 403);
        let (status, problem) = app
            .post_json(
                &format!("/api/v1/payment-batches/{batch}/approval"),
                token,
                &json!({}),
            )
            .await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(problem["code"], "forbidden");
    }
    assert_eq!(app.event_count().await, before);
    app.approve_batch(&batch).await;
    // 適用 staff do not read batches (they hold bank accounts); 監査 does.
    for path in [
        "/api/v1/payment-batches".to_owned(),
        format!("/api/v1/payment-batches/{batch}"),
        format!("/api/v1/payment-batches/{batch}/transfer-file"),
    ] {
        let response = app.get(&path, &clerk).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let response = app.get(&path, &auditor).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bad_input_is_a_problem_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let p = people(&app).await;
    let claim = decided_claim(
        &app,
        p.taro,
        BenefitKind::ChildbirthLumpSum,
        Payee::MemberAccount,
        500_000,
        "2025-07-01",
    )
    .await;
    let token = app.kyufu();
    let before = app.event_count().await;
    let good = batch_request("2025-07-10", "2025-07-15");
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let with_requester = |field: &str, value: Value| {
        let mut body = good.clone();
        body["requester"][field] = value;
        body
    };
    let mut no_date = good.clone();
    no_date.as_object_mut().unwrap().remove("transfer_date");
    let cases = [
        (no_date, 422, "invalid_body"),
        (
            with("transfer_date", json!("2025-07-09")),
            422,
            "date_out_of_order",
        ),
        (
            with("transfer_date", json!("2025-02-30")),
            422,
            "invalid_body",
        ),
        (with("kinds", json!([])), 422, "invalid_body"),
        (with("kinds", json!(["dental"])), 422, "invalid_body"),
        (with("surprise", json!(1)), 422, "invalid_body"),
        (with_requester("code", json!("12345")), 422, "invalid_body"),
        (
            with_requester("account_type", json!("savings")),
            422,
            "invalid_body",
        ),
        // kanji cannot be written in 全銀 カナ
        (
            with_requester("name", json!("健康保険組合")),
            422,
            "invalid_requester",
        ),
        // 16 half-width characters do not fit the 15 of 仕向銀行名 once ﾞ is split off
        (
            with_requester("bank_name", json!("ミズホギンコウトウキョウホンテン")),
            422,
            "invalid_body",
        ),
        (
            with_requester("bank_name", json!("ミズホギンコウトウキョウブ")),
            422,
            "invalid_requester",
        ),
        // only claims of other kinds: nothing to pay
        (with("kinds", json!(["burial"])), 409, "nothing_to_pay"),
        // only claims decided by 6/30: nothing to pay
        (
            with("decided_up_to", json!("2025-06-30")),
            409,
            "nothing_to_pay",
        ),
    ];
    for (body, status, code) in cases {
        let (got, problem) = create_batch(&app, &token, &body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body} → {problem}"
        );
        assert_eq!(app.event_count().await, before, "{body}");
    }
    let response = app
        .client
        .post(format!("{}/api/v1/payment-batches", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"transfer_date\":")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(claim_status(&app, claim).await, "decided");
    assert_eq!(app.event_count().await, before);

    // Results: unknown batch, claim not in the batch, bad bodies.
    let (status, created) = create_batch(&app, &token, &good).await;
    assert_eq!(status, 201, "{created}");
    let batch = created["batch_id"].as_str().unwrap().to_owned();
    let before = app.event_count().await;
    let paid = |id: Uuid| json!([{ "claim_id": id, "outcome": { "type": "paid", "bank_reference": "R-1" } }]);
    let cases = [
        (
            Uuid::now_v7().to_string(),
            result_body("2025-07-16", paid(claim)),
            404,
            "batch_not_found",
        ),
        (
            batch.clone(),
            result_body("2025-07-16", paid(Uuid::now_v7())),
            422,
            "claim_not_in_batch",
        ),
        (
            batch.clone(),
            result_body("2025-07-16", json!([])),
            422,
            "empty_result",
        ),
        (
            batch.clone(),
            result_body("2025-07-09", paid(claim)),
            422,
            "date_out_of_order",
        ),
        (
            batch.clone(),
            result_body(
                "2025-07-16",
                json!([{ "claim_id": claim, "outcome": { "type": "paid" } }]),
            ),
            422,
            "invalid_body",
        ),
        (
            batch.clone(),
            result_body(
                "2025-07-16",
                json!([{ "claim_id": claim, "outcome": { "type": "failed", "reason": "" } }]),
            ),
            422,
            "invalid_body",
        ),
        (
            batch.clone(),
            result_body(
                "2025-07-16",
                json!([
                    { "claim_id": claim, "outcome": { "type": "paid", "bank_reference": "R-1" } },
                    { "claim_id": claim, "outcome": { "type": "paid", "bank_reference": "R-1" } }
                ]),
            ),
            422,
            "duplicate_result",
        ),
        (
            "not-a-uuid".to_owned(),
            result_body("2025-07-16", paid(claim)),
            404,
            "not_found",
        ),
    ];
    for (batch, body, status, code) in cases {
        let (got, problem) = post_result(&app, &batch, &body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body} → {problem}"
        );
        assert_eq!(app.event_count().await, before);
    }
    assert_eq!(claim_status(&app, claim).await, "payment_instructed");
    let (status, problem) = app
        .get_json(
            &format!("/api/v1/payment-batches/{}/transfer-file", Uuid::now_v7()),
            &token,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("batch_not_found"))
    );
    let (status, problem) = app
        .get_json("/api/v1/payment-batches?status=lost", &token)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_openapi_document_lists_the_batch_routes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = app.openapi().await;
    for (path, method) in [
        ("/api/v1/payment-batches", "post"),
        ("/api/v1/payment-batches", "get"),
        ("/api/v1/payment-batches/{batch_id}", "get"),
        ("/api/v1/payment-batches/{batch_id}/transfer-file", "get"),
        ("/api/v1/payment-batches/{batch_id}/results", "post"),
        ("/api/v1/payment-batches/{batch_id}/approval", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert!(
        doc["paths"]["/api/v1/payment-batches/{batch_id}/transfer-file"]["get"]["responses"]["200"]
            ["content"]["application/octet-stream"]
            .is_object()
    );
}
