//! The personal-data read log (issue 9, item 3): every GET that answers with personal data
//! writes exactly one row (route template, actor, persons, records) before it answers, never a
//! query value; the log is append-only; a read that cannot be logged answers 500 and no data;
//! the monthly review finds the three signals of bulk extraction.

use std::collections::BTreeSet;

use kenpo_api::application::benefits::claim;
use kenpo_api::auth::Role;
use kenpo_domain::basis::{Basis, Rounding, Step};
use kenpo_domain::benefits::claim::{
    BenefitClaimCommand, BenefitKind, CalculationRecord, ClaimDecision, ClaimReceipt,
    ClaimRegistration, Outcome, Payee,
};
use kenpo_domain::calendar::parse;
use kenpo_domain::money::Yen;
use kenpo_infrastructure::event_store::{self, EventMetadata};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::bodies::acquisition;
use crate::common::{json, service_pool, spawn_app, TestApp};

/// GET routes of the OpenAPI document that write no row here, and why: law figures (no
/// persons), the 個人番号 routes, whose every access is in the My Number access log, and the
/// event log's verification (positions, counts and hashes, no person).
/// (`/api/v1/openapi.json` is served outside the document.)
const EXEMPT: &[&str] = &[
    "/healthz",
    "/readyz",
    "/api/v1/openapi.json",
    "/api/v1/parameters",
    "/api/v1/parameters/{key}",
    "/api/v1/my-number/access-log",
    "/api/v1/my-number/review",
    "/api/v1/persons/{person_id}/my-number",
    "/api/v1/audit/verification",
];

#[derive(Debug, sqlx::FromRow)]
struct Row {
    staff_id: String,
    roles: Vec<String>,
    request_id: String,
    endpoint: String,
    person_ids: Vec<Uuid>,
    staff_ids: Vec<String>,
    row_count: i32,
}

async fn last_seq(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM personal_data_access_log")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn rows_after(app: &TestApp, seq: i64) -> Vec<Row> {
    sqlx::query_as(
        "SELECT staff_id, roles, request_id, endpoint, person_ids, staff_ids, row_count
           FROM personal_data_access_log WHERE seq > $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn insured(app: &TestApp, number: &str, name: &str, kana: &str) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "100", number);
    body["name"] = json!(name);
    body["kana"] = json!(kana);
    app.acquire(&body).await;
    id
}

/// A person insured 強制 from 2025-04-01, retired 2026-02-28, and 任意継続 from 2026-03-01.
async fn voluntary_insured(app: &TestApp) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "100", "2");
    body["name"] = json!("鈴木 花子");
    body["kana"] = json!("スズキ ハナコ");
    body["sex"] = json!("female");
    app.acquire(&body).await;
    app.person_command(
        id,
        "loss",
        &json!({ "lost_on": "2026-03-01",
                 "reason": { "kind": "retirement", "last_working_day": "2026-02-28" },
                 "received_on": "2026-03-03" }),
    )
    .await;
    body["category"] = json!("voluntary_continuation");
    body["acquired_on"] = json!("2026-03-01");
    body["reason"] = json!({ "kind": "voluntary_continuation" });
    body["received_on"] = json!("2026-03-05");
    body["identification"]["symbol"] = json!("900");
    app.acquire(&body).await;
    id
}

/// A stored erasure proof of every erased person, requested by dpo1.
async fn erasure_proof(app: &TestApp) -> Uuid {
    use kenpo_api::application::erasure_proof::{self, ProofRequest, Scope};
    let (signer, _) =
        kenpo_infrastructure::crypto::signing::FileSigningKey::open_or_create_with_env(
            &app.key_dir,
            None,
        )
        .unwrap();
    let request = ProofRequest {
        scope: Scope::All,
        requested_by: kenpo_domain::staff::StaffId::parse("dpo1").unwrap(),
        os_user: None,
        via: "test".to_owned(),
    };
    erasure_proof::run(&app.pool, app.keys.as_ref(), &signer, &request)
        .await
        .unwrap()
        .proof_id
}

/// A 出産育児一時金 claim decided to pay 500,000円 to the member's account (recorded through
/// the claims application service, as the payment-batch tests do).
async fn decided_claim(app: &TestApp, person: Uuid) -> Uuid {
    let claim_id = Uuid::now_v7();
    let amount = 500_000;
    let basis = Basis {
        inputs: json!({ "kind": "childbirth_lump_sum" }),
        parameters: vec![],
        steps: vec![Step {
            label: "支給額".into(),
            formula: format!("{amount}"),
            exact: amount.to_string(),
            rounding: Rounding::None,
            value: amount.to_string(),
            source: "rules.md §5.3".into(),
        }],
        result_yen: amount,
    };
    let commands = vec![
        BenefitClaimCommand::Receive(ClaimReceipt {
            claim_id,
            kind: BenefitKind::ChildbirthLumpSum,
            person_id: person,
            beneficiary_person_id: None,
            received_on: parse("2025-06-20").unwrap(),
            period: None,
            employer_certification: None,
            payee: Payee::MemberAccount,
            details: serde_json::Map::new(),
        }),
        BenefitClaimCommand::Register(ClaimRegistration {
            registered_on: parse("2025-06-23").unwrap(),
        }),
        BenefitClaimCommand::RecordCalculation(CalculationRecord {
            basis: basis.clone(),
            amount: Yen::new(amount),
            calculated_by: "kyufu1".to_owned(),
        }),
        BenefitClaimCommand::Decide(ClaimDecision {
            decided_on: parse("2025-07-01").unwrap(),
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

async fn created(app: &TestApp, path: &str, token: &str, body: &Value) -> Value {
    let (status, answer) = app.post_json(path, token, body).await;
    assert!(status == 201 || status == 200, "{path}: {status} {answer}");
    answer
}

/// How many records a read's answer held.
enum Rows {
    Fixed(i32),
    /// The length of the array at this JSON pointer of the answer.
    Len(&'static str),
}

/// Whose data an answer held, as the test expects it.
enum Persons {
    Exactly(Vec<Uuid>),
    /// Every `person_ids` of the records of a read-log page.
    OfLogRecords,
}

struct Case {
    template: &'static str,
    url: String,
    user: &'static str,
    roles: &'static [Role],
    persons: Persons,
    staff: Vec<&'static str>,
    /// Expect the staff ids of the array at this JSON pointer of the answer instead.
    staff_of: Option<&'static str>,
    rows: Rows,
}

fn case(
    template: &'static str,
    url: impl Into<String>,
    (user, roles): (&'static str, &'static [Role]),
    persons: Vec<Uuid>,
    rows: Rows,
) -> Case {
    Case {
        template,
        url: url.into(),
        user,
        roles,
        persons: Persons::Exactly(persons),
        staff: vec![],
        staff_of: None,
        rows,
    }
}

const CLERK: (&str, &[Role]) = ("clerk1", &[Role::Qualification]);
const KYUFU: (&str, &[Role]) = ("kyufu1", &[Role::Benefits]);
const AUDIT: (&str, &[Role]) = ("audit1", &[Role::Auditor]);
const DPO: (&str, &[Role]) = ("dpo1", &[Role::DataProtection]);

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn every_get_route_with_personal_data_logs_one_row_with_its_template_actor_persons_and_rows(
    pool: PgPool,
) {
    let mut app = spawn_app(pool).await;
    app.seed_statutory_parameters().await;
    for (key, value) in [
        ("general_premium_rate", "0.0950"),
        ("specific_premium_rate", "0.0400"),
        ("care_premium_rate", "0.0160"),
    ] {
        app.set_parameter(
            key,
            &json!({"effective_from": "2025-04-01", "value": value,
                    "source": "規約 (test)", "reason": "令和7年度"}),
        )
        .await;
    }
    let choshu = app.bootstrap_choshu().await;
    let kyufu = app.kyufu();

    // 山田 太郎: member with an account, a decided claim paid in a batch, a certificate, a
    // 個人番号 record (未登録), in a notice of his 事業所
    let taro = insured(&app, "1", "山田 太郎", "ヤマダ タロウ").await;
    app.bootstrap_clerk2().await;
    app.register_payee_account(
        taro,
        &json!({ "account": { "bank_code": "0005", "bank_name": "三菱UFJ銀行", "branch_code": "123",
                              "account_type": "ordinary", "account_number": "1111111",
                              "holder": "ヤマダ タロウ" },
                 "source": "notification", "received_on": "2025-05-01" }),
    )
    .await;
    let claim_id = decided_claim(&app, taro).await;
    let batch = created(
        &app,
        "/api/v1/payment-batches",
        &kyufu,
        &json!({ "instructed_on": "2025-07-10", "transfer_date": "2025-07-15",
                 "requester": { "code": "1234567890", "name": "ケンコウホケンクミアイ",
                                "bank_code": "0001", "bank_name": "ミズホ", "branch_code": "001",
                                "branch_name": "トウキョウ", "account_type": "ordinary",
                                "account_number": "7654321" } }),
    )
    .await;
    let batch_id = batch["batch_id"]
        .as_str()
        .or(batch["batch"]["batch_id"].as_str())
        .or(batch["stream_id"]
            .as_str()
            .and_then(|s| s.strip_prefix("payment_batch-")))
        .unwrap_or_else(|| panic!("{batch}"))
        .to_owned();
    // its transfer file is served once a second 給付課 member approved it
    app.bootstrap_kyufu2().await;
    app.approve_batch(&batch_id).await;
    let certificate_id = Uuid::now_v7();
    created(
        &app,
        "/api/v1/certificates",
        &kyufu,
        &json!({"certificate_id": certificate_id, "person_id": taro, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-03-31",
                "application": {"kind": "limit_application"}}),
    )
    .await;
    app.change_employer_account(
        "/api/v1/employers/1234/payment-account",
        &json!({ "effective_from": "2025-04-01",
                 "account": { "bank_code": "0005", "bank_name": "三菱UFJ銀行", "branch_code": "123",
                              "branch_name": "本店", "account_type": "current",
                              "account_number": "1234567", "holder": "ヤマダシヨウジ" },
                 "received_on": "令和7年3月25日" }),
    )
    .await;
    let mn = app.my_number_clerk_with_access().await;
    created(
        &app,
        &format!("/api/v1/persons/{taro}/my-number/not-registered"),
        &mn,
        &json!({"reason": {"kind": "could_not_obtain"}, "recorded_on": "2025-05-01"}),
    )
    .await;
    created(
        &app,
        "/api/v1/employer-notices",
        &choshu,
        &json!({"office_code": "1234", "month": "2025-05"}),
    )
    .await;
    // a signed erasure proof (nobody is erased yet: it covers no person)
    let proof_id = erasure_proof(&app).await;
    // 鈴木 花子: 任意継続 with a premium account; a receipt file with one unmatched line
    let hanako = voluntary_insured(&app).await;
    created(
        &app,
        "/api/v1/premium-accounts",
        &choshu,
        &json!({ "person_id": hanako, "first_premium_due_on": "2026-03-16", "holiday_shift": "none" }),
    )
    .await;
    let (status, import) = json(
        app.client
            .post(format!("{}/api/v1/premium-receipt-imports", app.base))
            .bearer_auth(&choshu)
            .header("content-type", "text/csv; charset=utf-8")
            .body(
                "入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号\n\
                 2026-03-13,5000,サトウ ジロウ,,,,TX-0001\n",
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{import}");
    let import_id = import["import_id"].as_str().unwrap().to_owned();
    let month = chrono::Utc::now()
        .with_timezone(&chrono_tz_free_jst())
        .format("%Y-%m")
        .to_string();

    let mut cases = vec![
        case(
            "/api/v1/members",
            "/api/v1/members?kana=ヤマダ",
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/members/{person_id}",
            format!("/api/v1/members/{taro}"),
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/members/{person_id}/history",
            format!("/api/v1/members/{taro}/history"),
            CLERK,
            vec![taro],
            Rows::Len("/events"),
        ),
        case(
            "/api/v1/claims",
            format!("/api/v1/claims?person_id={taro}"),
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/claims/{claim_id}",
            format!("/api/v1/claims/{claim_id}"),
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/certificates",
            format!("/api/v1/certificates?person_id={taro}"),
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/certificates/{certificate_id}",
            format!("/api/v1/certificates/{certificate_id}"),
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/payment-batches",
            "/api/v1/payment-batches",
            KYUFU,
            vec![],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/payment-batches/{batch_id}",
            format!("/api/v1/payment-batches/{batch_id}"),
            KYUFU,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/payment-batches/{batch_id}/transfer-file",
            format!("/api/v1/payment-batches/{batch_id}/transfer-file"),
            KYUFU,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/employers/{office_code}/payment-account",
            "/api/v1/employers/1234/payment-account",
            KYUFU,
            vec![],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/employer-notices",
            "/api/v1/employer-notices?office_code=1234",
            CLERK,
            vec![],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/employer-notices/{office_code}/{month}",
            "/api/v1/employer-notices/1234/2025-05",
            CLERK,
            vec![taro],
            Rows::Len("/lines"),
        ),
        case(
            "/api/v1/premium-accounts/{person_id}",
            format!("/api/v1/premium-accounts/{hanako}"),
            CLERK,
            vec![hanako],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/premium-receipt-imports/{import_id}",
            format!("/api/v1/premium-receipt-imports/{import_id}"),
            CLERK,
            vec![],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/premium-arrears",
            "/api/v1/premium-arrears",
            CLERK,
            vec![],
            Rows::Len("/accounts"),
        ),
        case(
            "/api/v1/premium-refunds",
            "/api/v1/premium-refunds",
            CLERK,
            vec![],
            Rows::Len("/refunds"),
        ),
        case(
            "/api/v1/erasures",
            "/api/v1/erasures",
            DPO,
            vec![],
            Rows::Fixed(0),
        ),
        case(
            "/api/v1/erasure-proofs",
            "/api/v1/erasure-proofs",
            DPO,
            vec![],
            Rows::Len("/records"),
        ),
        case(
            "/api/v1/erasure-proofs/{proof_id}",
            format!("/api/v1/erasure-proofs/{proof_id}"),
            AUDIT,
            vec![],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/streams/{stream_id}",
            format!("/api/v1/streams/person-{taro}"),
            CLERK,
            vec![taro],
            Rows::Len(""),
        ),
        case(
            "/api/v1/events",
            "/api/v1/events?limit=1000",
            AUDIT,
            vec![taro, hanako],
            Rows::Len("/events"),
        ),
        case(
            "/api/v1/persons/{person_id}/my-number/status",
            format!("/api/v1/persons/{taro}/my-number/status"),
            CLERK,
            vec![taro],
            Rows::Fixed(1),
        ),
        case(
            "/api/v1/access-log/review",
            format!("/api/v1/access-log/review?month={month}"),
            DPO,
            vec![],
            Rows::Len("/users"),
        ),
    ];
    // the review names the users who read: staff data
    cases.last_mut().unwrap().staff_of = Some("/users");
    let mut accounts = case(
        "/api/v1/accounts",
        "/api/v1/accounts",
        DPO,
        vec![],
        Rows::Len("/accounts"),
    );
    accounts.staff = vec![
        "admin1", "admin2", "audit1", "choshu1", "clerk1", "clerk2", "dpo1", "dpo2", "kyufu1",
        "kyufu2", "mn1",
    ];
    cases.push(accounts);
    let mut one_account = case(
        "/api/v1/accounts/{staff_id}",
        "/api/v1/accounts/clerk1",
        DPO,
        vec![],
        Rows::Fixed(1),
    );
    one_account.staff = vec!["clerk1"];
    cases.push(one_account);
    let mut log = case(
        "/api/v1/access-log",
        "/api/v1/access-log?staff_id=clerk1",
        AUDIT,
        vec![],
        Rows::Len("/records"),
    );
    log.persons = Persons::OfLogRecords;
    log.staff = vec!["clerk1"];
    cases.push(log);

    // every GET route of the document is either exempt or walked here
    let document = app.openapi().await;
    let gets: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| path.clone())
        .collect();
    for exempt in EXEMPT {
        assert!(
            gets.contains(*exempt),
            "{exempt} is not a GET route any more"
        );
    }
    let walked: BTreeSet<String> = cases.iter().map(|c| c.template.to_owned()).collect();
    let expected: BTreeSet<String> = gets
        .iter()
        .filter(|p| !EXEMPT.contains(&p.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        walked, expected,
        "a GET route is neither exempt nor checked for its log row"
    );

    for c in &cases {
        let before = last_seq(&app).await;
        let token = app.token(c.user, c.roles);
        let response = app.get(&c.url, &token).send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{}: {answer}", c.url);
        let rows = rows_after(&app, before).await;
        assert_eq!(rows.len(), 1, "{}: one row per read", c.url);
        let row = &rows[0];
        assert_eq!(row.endpoint, format!("GET {}", c.template), "{}", c.url);
        assert_eq!(row.staff_id, c.user);
        assert_eq!(
            row.roles,
            c.roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect::<Vec<_>>()
        );
        assert!(!row.request_id.is_empty());
        let persons: BTreeSet<Uuid> = row.person_ids.iter().copied().collect();
        let expected_persons: BTreeSet<Uuid> = match &c.persons {
            Persons::Exactly(p) => p.iter().copied().collect(),
            Persons::OfLogRecords => answer["records"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r["person_ids"].as_array().unwrap().clone())
                .map(|p| p.as_str().unwrap().parse().unwrap())
                .collect(),
        };
        assert_eq!(persons, expected_persons, "{}: persons", c.url);
        let staff: BTreeSet<&str> = row.staff_ids.iter().map(String::as_str).collect();
        let expected_staff: BTreeSet<&str> = match c.staff_of {
            Some(pointer) => answer
                .pointer(pointer)
                .and_then(Value::as_array)
                .unwrap()
                .iter()
                .map(|u| u["staff_id"].as_str().unwrap())
                .collect(),
            None => c.staff.iter().copied().collect(),
        };
        assert!(c.staff_of.is_none() || !expected_staff.is_empty());
        assert_eq!(staff, expected_staff, "{}: staff", c.url);
        let expected_rows = match c.rows {
            Rows::Fixed(n) => n,
            Rows::Len(pointer) => i32::try_from(
                answer
                    .pointer(pointer)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
            )
            .unwrap(),
        };
        assert_eq!(row.row_count, expected_rows, "{}: rows", c.url);
    }
}

fn chrono_tz_free_jst() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(9 * 3600).unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_search_by_name_leaves_the_name_nowhere_in_the_log(pool: PgPool) {
    let app = spawn_app(pool).await;
    let taro = insured(&app, "1", "山田 太郎", "ヤマダ タロウ").await;
    let (status, page) = app
        .get_json(
            "/api/v1/members?kana=ヤマダ%20タロ&birth_date=S55.4.1",
            &app.clerk(),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["members"][0]["person_id"], json!(taro));
    let logged: Vec<String> =
        sqlx::query_scalar("SELECT row_to_json(l)::text FROM personal_data_access_log l")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(logged.len(), 1);
    for text in ["ヤマダ", "タロ", "kana", "S55", "birth_date", "?"] {
        assert!(!logged[0].contains(text), "{text} in {}", logged[0]);
    }
    assert!(logged[0].contains(&taro.to_string()));
}

/// A row written as of `at` (JST wall time) by `staff`.
async fn crafted(pool: &PgPool, staff: &str, at: &str, persons: &[Uuid], rows: i32) {
    sqlx::query(
        "INSERT INTO personal_data_access_log (at, staff_id, roles, request_id, endpoint,
                                               person_ids, row_count)
         VALUES (($1::timestamp AT TIME ZONE 'Asia/Tokyo'), $2, '{qualification}', 'r',
                 'GET /api/v1/members', $3, $4)",
    )
    .bind(at)
    .bind(staff)
    .bind(persons)
    .bind(rows)
    .execute(pool)
    .await
    .unwrap();
}

fn persons(n: usize) -> Vec<Uuid> {
    (0..n).map(|_| Uuid::now_v7()).collect()
}

async fn review(app: &TestApp, query: &str) -> Value {
    let (status, review) = app
        .get_json(
            &format!("/api/v1/access-log/review?month=2025-11{query}"),
            &app.token("dpo1", &[Role::DataProtection]),
        )
        .await;
    assert_eq!(status, 200, "{review}");
    review
}

fn signals(review: &Value) -> Vec<(String, String, String, i64, i64)> {
    review["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["signal"].as_str().unwrap().to_owned(),
                s["staff_id"].as_str().unwrap().to_owned(),
                s["day"].as_str().unwrap().to_owned(),
                s["figure"].as_i64().unwrap(),
                s["threshold"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn signal(
    kind: &str,
    staff: &str,
    day: &str,
    figure: i64,
    threshold: i64,
) -> (String, String, String, i64, i64) {
    (
        kind.to_owned(),
        staff.to_owned(),
        day.to_owned(),
        figure,
        threshold,
    )
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_review_finds_the_three_signals_of_bulk_extraction_and_nothing_on_ordinary_reads(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    // ordinary: a clerk's office-hour reads on weekdays, 3 persons each, small answers
    for (day, hour) in [
        ("10", "09:00"),
        ("10", "19:59"),
        ("11", "08:00"),
        ("12", "14:30"),
    ] {
        crafted(
            &app.pool,
            "clerk1",
            &format!("2025-11-{day} {hour}"),
            &persons(3),
            3,
        )
        .await;
    }
    let ordinary = review(&app, "").await;
    assert_eq!(ordinary["signals"], json!([]), "{ordinary}");
    assert_eq!(
        ordinary["users"],
        json!([{"staff_id": "clerk1", "reads": 4, "persons": 12}])
    );
    assert_eq!(
        ordinary["thresholds"],
        json!({"persons_per_day": 100, "rows_per_read": 200,
               "office_hours_start": 8, "office_hours_end": 20})
    );

    // (a) 120 distinct persons in one JST day (two reads of 60; one person read twice counts once)
    let many = persons(120);
    crafted(&app.pool, "bulk1", "2025-11-11 10:00", &many[..60], 60).await;
    crafted(&app.pool, "bulk1", "2025-11-11 11:00", &many[59..], 61).await;
    // (b) one search answering 250 records
    crafted(&app.pool, "bulk2", "2025-11-12 12:00", &persons(2), 250).await;
    // (c) a Wednesday at 22:30 and a Saturday at 10:00 JST
    crafted(&app.pool, "late1", "2025-11-12 22:30", &persons(1), 1).await;
    crafted(&app.pool, "weekend1", "2025-11-15 10:00", &persons(1), 1).await;
    // outside the month (JST): 2025-12-01 00:30 JST is 2025-11-30 in UTC
    crafted(&app.pool, "late2", "2025-12-01 00:30", &persons(1), 1).await;

    let found = review(&app, "").await;
    assert_eq!(
        signals(&found),
        vec![
            signal("persons_per_day", "bulk1", "2025-11-11", 120, 100),
            signal("large_read", "bulk2", "2025-11-12", 250, 200),
            signal("outside_office_hours", "late1", "2025-11-12", 1, 0),
            signal("outside_office_hours", "weekend1", "2025-11-15", 1, 0),
        ],
        "{found}"
    );
    assert_eq!(found["signals"][1]["endpoint"], "GET /api/v1/members");

    // thresholds and hours given replace the defaults
    let relaxed = review(
        &app,
        "&persons_per_day=120&rows_per_read=250&office_hours_start=7&office_hours_end=23",
    )
    .await;
    assert_eq!(
        signals(&relaxed),
        vec![signal(
            "outside_office_hours",
            "weekend1",
            "2025-11-15",
            1,
            0
        )],
        "{relaxed}"
    );
    let (status, problem) = app
        .get_json(
            "/api/v1/access-log/review?month=2025-11&office_hours_start=20&office_hours_end=8",
            &app.token("dpo1", &[Role::DataProtection]),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );
    // a qualification clerk may not read the log
    let (status, _) = app
        .get_json("/api/v1/access-log/review?month=2025-11", &app.clerk())
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.get_json("/api/v1/access-log", &app.clerk()).await;
    assert_eq!(status, 403);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_read_that_cannot_be_logged_answers_500_and_no_personal_data(pool: PgPool) {
    let app = spawn_app(pool).await;
    let taro = insured(&app, "1", "山田 太郎", "ヤマダ タロウ").await;
    sqlx::query("REVOKE INSERT ON personal_data_access_log FROM kenpo_app")
        .execute(&app.pool)
        .await
        .unwrap();
    for path in [
        format!("/api/v1/members/{taro}"),
        "/api/v1/members?kana=ヤマダ".to_owned(),
        format!("/api/v1/streams/person-{taro}"),
    ] {
        let response = app.get(&path, &app.clerk()).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 500, "{path}");
        let body = response.text().await.unwrap();
        for personal in ["山田", "ヤマダ", "1980-04-01", "千代田", &taro.to_string()] {
            assert!(!body.contains(personal), "{path}: {personal} in {body}");
        }
        assert!(body.contains("internal_error"), "{body}");
    }
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM personal_data_access_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(logged, 0);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_read_log_is_append_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (status, _) = app.get_json("/api/v1/members", &app.clerk()).await;
    assert_eq!(status, 200);
    let service = service_pool(&app.pool).await;
    for statement in [
        "UPDATE personal_data_access_log SET staff_id = 'someone'",
        "DELETE FROM personal_data_access_log",
        "TRUNCATE personal_data_access_log",
    ] {
        // the application role has no such privilege
        let refused = sqlx::query(statement).execute(&service).await;
        assert!(refused.is_err(), "kenpo_app: {statement}");
        // and even the owner is refused by the triggers
        let refused = sqlx::query(statement).execute(&app.pool).await;
        let error = refused.expect_err(statement).to_string();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    service.close().await;
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM personal_data_access_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(logged, 1);
}
