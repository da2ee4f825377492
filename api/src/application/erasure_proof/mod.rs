//! Proof of erasure on demand (消去証明, issue 10 item 5): for the erased persons in scope (one
//! person, those erased since a day, or all of the erasure 管理簿), look everywhere kenpo could
//! still compute a trace of their 個人番号 — a data key, a sealed value that still opens, a
//! blind-index entry, idempotency fingerprints and sealed answers, and, in every table and
//! column of the schema, a 12-digit number with a valid check digit in clear — and write a
//! report signed with the Ed25519 signing key (`kenpo_infrastructure::crypto::signing`),
//! stored in the append-only `erasure_proofs` and listed for the データ保護担当者.
//!
//! # The signed bytes
//!
//! The report ([`Report`]) is serialised once, compactly, with `serde_json`, and that text is
//! what is signed (Ed25519 over its UTF-8 bytes), stored (`erasure_proofs.report`, text) and
//! handed out (the `report` string of a [`SignedProof`]). A verifier never re-serialises: it
//! checks the signature over the string's bytes exactly as given, then reads the JSON inside
//! ([`verify`]). The report names the signing key's id, so a signature by another key fails.
//!
//! A report never holds a 個人番号, a digest or a sealed value: findings name the table, the
//! column and the row (by primary key of ids or numbers, else `ctid`), never a value.

pub mod clear;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use futures::TryStreamExt;
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{Role, StaffId};
use kenpo_infrastructure::crypto::signing::{self, Signer};
use kenpo_infrastructure::crypto::{self, DataKey, KeyEncryptionKeys, SealContext, SEALED_LEN};
use kenpo_projections::staff_accounts::{query, NotActive};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};
use utoipa::ToSchema;
use uuid::Uuid;

/// The report format's name, first field of every report.
pub const FORMAT: &str = "kenpo-erasure-proof-v1";

/// The roles whose holders may ask for a proof: the データ保護担当者 and 監査.
pub const REQUESTER_ROLES: [Role; 2] = [Role::DataProtection, Role::Auditor];

/// Persons per round of the per-person checks.
const CHUNK: usize = 1000;
/// Row locators listed per finding (the count covers them all).
const LOCATORS_LISTED: usize = 20;

/// What the scan cannot see, written into every report as it is.
pub const LIMITS: [&str; 6] = [
    "Backups, WAL archives, replicas and dumps of the database are not scanned: a backup taken \
     before an erasure still holds the wrapped data key and the sealed value until the KEK \
     version that wrapped the key is destroyed (kenpo keys destroy; docs/operations.md).",
    "Files outside the database are not scanned: server and proxy logs, the key directory and its \
     backups, exported files (全銀 files, reports), mail and paper.",
    "A 個人番号 written in clear is found only as 12 digits with a valid check digit, alone or \
     grouped 4-4-4 with a space or hyphen (half- or full-width); a number spelled otherwise \
     (other groupings, words, images, encodings such as base64 or hex of the digits) is not.",
    "A digest of a number made without a key kenpo holds (plain SHA-256 of the digits, say) \
     cannot be told from other bytes once the number is erased: the scan looks for keyed \
     digests by the person they belong to (blind index, idempotency fingerprints).",
    "Columns of types that cannot hold 12 digits in a row (boolean, uuid, date, time, timestamp, \
     interval, smallint, integer) and tables the connecting role may not read are not swept; \
     the latter are listed and make the result incomplete.",
    "The scan reads one snapshot of the database; rows written after it started are not seen.",
];

/// Which erased persons a proof covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// One person of the erasure 管理簿.
    Person { person_id: Uuid },
    /// Persons erased on or after this day (00:00 in Japan).
    Since { since: NaiveDate },
    /// Every person of the erasure 管理簿.
    All,
}

/// A check's or the report's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing found.
    Clean,
    /// At least one trace found (listed in the findings).
    TracesFound,
    /// Nothing found, but part of the database could not be read.
    Incomplete,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clean => "clean",
            Outcome::TracesFound => "traces_found",
            Outcome::Incomplete => "incomplete",
        }
    }

    fn worst(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
        outcomes
            .into_iter()
            .fold(Outcome::Clean, |acc, o| match (acc, o) {
                (Outcome::TracesFound, _) | (_, Outcome::TracesFound) => Outcome::TracesFound,
                (Outcome::Incomplete, _) | (_, Outcome::Incomplete) => Outcome::Incomplete,
                _ => Outcome::Clean,
            })
    }
}

/// Who asked for the proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedBy {
    /// 職員ID of a ユーザ管理簿 account active that day with `data_protection` or `auditor`.
    pub staff_id: String,
    /// The operating-system user that ran the command (`$USER`), when known.
    pub os_user: Option<String>,
    /// How it was asked for (`cli`).
    pub via: String,
}

/// Which database was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseIdentity {
    /// `current_database()`.
    pub name: String,
    /// The cluster's system identifier (`pg_control_system()`), when readable.
    pub system_identifier: Option<String>,
    pub server_version: String,
    /// The schema swept (`current_schema()`).
    pub schema: String,
}

/// An erased person in scope, as the 管理簿 records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasedPerson {
    pub person_id: Uuid,
    /// The data key the erasure destroyed.
    pub key_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// One trace: where, never what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub table: String,
    pub column: String,
    /// Rows with the trace.
    pub row_count: u64,
    /// The first rows (primary key of ids or numbers, else `ctid=…`).
    pub rows: Vec<String>,
    /// What was found.
    pub what: String,
}

/// One check of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    /// What it looks for.
    pub description: String,
    /// What it read (tables, columns, row counts).
    pub scanned: Value,
    pub result: Outcome,
    pub findings: Vec<Finding>,
}

/// The signed report (format [`FORMAT`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: String,
    pub proof_id: Uuid,
    pub scope: Scope,
    pub requested_by: RequestedBy,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub database: DatabaseIdentity,
    /// Id of the key that signs this report (`ed25519:` + 16 hex digits of its public key's
    /// SHA-256).
    pub signing_key_id: String,
    pub persons: Vec<ErasedPerson>,
    pub checks: Vec<Check>,
    /// What the scan cannot see ([`LIMITS`]).
    pub limits: Vec<String>,
    pub result: Outcome,
}

/// The signature of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignatureBlock {
    /// `ed25519`.
    pub algorithm: String,
    pub key_id: String,
    /// The Ed25519 public key, 64 hex digits (trust it only when it is the one you hold).
    pub public_key: String,
    /// The signature over the bytes of `report`, standard base64.
    pub value: String,
}

/// A stored proof: the signed report text and its signature, with the columns it is listed by.
/// Written to `--out`, answered by `GET /erasure-proofs/{proof_id}`, checked by
/// `kenpo audit verify-proof`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedProof {
    pub proof_id: Uuid,
    pub created_at: DateTime<Utc>,
    /// 職員ID of who asked for it.
    pub requested_by: String,
    pub scope: Scope,
    pub result: Outcome,
    /// The erased persons it covers.
    pub person_ids: Vec<Uuid>,
    /// The report (JSON, format `kenpo-erasure-proof-v1`) exactly as signed.
    pub report: String,
    pub signature: SignatureBlock,
}

/// What is asked for.
#[derive(Debug, Clone)]
pub struct ProofRequest {
    pub scope: Scope,
    /// Checked by [`authorize_requester`] before.
    pub requested_by: StaffId,
    pub os_user: Option<String>,
    pub via: String,
}

/// Errors of a proof run: nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("person {0} has no erasure in the 管理簿 (erasure_ledger): unknown or not erased; a proof covers erased persons only")]
    NotErased(Uuid),
    #[error("--since {since} is after today in Japan ({today})")]
    SinceInFuture { since: NaiveDate, today: NaiveDate },
    #[error("--by {by}: {why}")]
    RequesterRefused { by: String, why: String },
    #[error("the report could not be serialised: {0}")]
    Serialise(#[from] serde_json::Error),
}

/// Why a proof does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("not a signed erasure proof: {0}")]
    Malformed(String),
    #[error("the signature does not verify with the trusted public key: the report was changed or signed by another key")]
    BadSignature,
    #[error("the report names signing key {report} but the trusted key is {trusted}")]
    WrongKey { report: String, trusted: String },
    #[error("the envelope's {0} differs from the signed report's")]
    EnvelopeMismatch(&'static str),
}

/// The 職員ID `by` when its ユーザ管理簿 account is active on `today` (a date in Japan) and holds
/// `data_protection` or `auditor`; refused otherwise, saying why.
pub async fn authorize_requester(
    executor: impl sqlx::PgExecutor<'_>,
    by: &str,
    today: Date,
) -> Result<StaffId, ProofError> {
    let refused = |why: String| ProofError::RequesterRefused {
        by: by.to_owned(),
        why,
    };
    let staff_id = StaffId::parse(by).map_err(|e| {
        refused(format!(
            "{e} (--by takes the 職員ID of a ユーザ管理簿 account)"
        ))
    })?;
    let account = query::standing(executor, staff_id.as_str())
        .await
        .map_err(|e| refused(e.to_string()))?
        .ok_or(NotActive::Unknown)
        .and_then(|account| account.active_on(today).map(|()| account))
        .map_err(|why| refused(format!("{why}; see `kenpo accounts list`")))?;
    if !account.roles.iter().any(|r| REQUESTER_ROLES.contains(r)) {
        return Err(refused(
            "the account holds neither data_protection (データ保護担当者) nor auditor (監査)"
                .to_owned(),
        ));
    }
    Ok(staff_id)
}

/// Refuse a `--since` day after `today` (a date in Japan).
pub fn check_since(since: NaiveDate, today: Date) -> Result<(), ProofError> {
    if since > today.naive() {
        return Err(ProofError::SinceInFuture {
            since,
            today: today.naive(),
        });
    }
    Ok(())
}

/// Scan, sign with `signer`, store in `erasure_proofs`; the stored proof. `keks` are the
/// key-encryption keys kenpo holds (a data key row found for an erased person is unwrapped
/// with them, and its sealed values are tried). Refused, storing nothing, when a person scope
/// names no erased person.
pub async fn run(
    pool: &PgPool,
    keks: &dyn KeyEncryptionKeys,
    signer: &dyn Signer,
    request: &ProofRequest,
) -> Result<SignedProof, ProofError> {
    // microseconds, as PostgreSQL keeps them: the stored proof is the one returned
    let now = || Utc::now().trunc_subsecs(6);
    let started_at = now();
    let proof_id = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let persons = erased_persons(&mut tx, &request.scope).await?;
    if let Scope::Person { person_id } = request.scope {
        if persons.is_empty() {
            return Err(ProofError::NotErased(person_id));
        }
    }
    let database = database_identity(&mut tx).await?;
    let mut checks = person_checks(&mut tx, keks, &persons).await?;
    checks.push(sweep(&mut tx).await?);
    tx.commit().await?;

    let result = Outcome::worst(checks.iter().map(|c| c.result));
    let report = Report {
        format: FORMAT.to_owned(),
        proof_id,
        scope: request.scope.clone(),
        requested_by: RequestedBy {
            staff_id: request.requested_by.to_string(),
            os_user: request.os_user.clone(),
            via: request.via.clone(),
        },
        started_at,
        finished_at: now(),
        database,
        signing_key_id: signer.key_id().to_owned(),
        persons,
        checks,
        limits: LIMITS.iter().map(|l| (*l).to_owned()).collect(),
        result,
    };
    let text = serde_json::to_string(&report)?;
    let signature = signer.sign(text.as_bytes());
    let proof = SignedProof {
        proof_id,
        created_at: report.finished_at,
        requested_by: report.requested_by.staff_id.clone(),
        scope: report.scope.clone(),
        result,
        person_ids: report.persons.iter().map(|p| p.person_id).collect(),
        report: text,
        signature: SignatureBlock {
            algorithm: signing::ALGORITHM.to_owned(),
            key_id: signer.key_id().to_owned(),
            public_key: hex::encode(signer.public_key()),
            value: signing::encode_signature(&signature),
        },
    };
    store(pool, &proof).await?;
    Ok(proof)
}

async fn store(pool: &PgPool, proof: &SignedProof) -> Result<(), ProofError> {
    sqlx::query(
        "INSERT INTO erasure_proofs (proof_id, created_at, requested_by, scope, result,
                                     person_ids, report, key_id, public_key, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(proof.proof_id)
    .bind(proof.created_at)
    .bind(&proof.requested_by)
    .bind(serde_json::to_value(&proof.scope)?)
    .bind(proof.result.as_str())
    .bind(&proof.person_ids)
    .bind(&proof.report)
    .bind(&proof.signature.key_id)
    .bind(&proof.signature.public_key)
    .bind(&proof.signature.value)
    .execute(pool)
    .await?;
    Ok(())
}

/// Check `proof` (as stored, written to a file or answered by the API) against the public key
/// the verifier trusts: the signature over the exact bytes of `report`, the key the report
/// names, and that the envelope's id and result are the signed ones. The report on success.
pub fn verify(proof: &Value, trusted_public_key: &[u8; 32]) -> Result<Report, VerifyError> {
    let text = proof["report"]
        .as_str()
        .ok_or_else(|| VerifyError::Malformed("no report text".to_owned()))?;
    let signature = proof["signature"]["value"]
        .as_str()
        .and_then(signing::parse_signature)
        .ok_or_else(|| VerifyError::Malformed("no Ed25519 signature".to_owned()))?;
    if !signing::verify(trusted_public_key, text.as_bytes(), &signature) {
        return Err(VerifyError::BadSignature);
    }
    let report: Report =
        serde_json::from_str(text).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    if report.format != FORMAT {
        return Err(VerifyError::Malformed(format!(
            "format {} is not {FORMAT}",
            report.format
        )));
    }
    let trusted = signing::key_id(trusted_public_key);
    if report.signing_key_id != trusted {
        return Err(VerifyError::WrongKey {
            report: report.signing_key_id,
            trusted,
        });
    }
    if proof["proof_id"].as_str() != Some(report.proof_id.to_string().as_str()) {
        return Err(VerifyError::EnvelopeMismatch("proof_id"));
    }
    if proof["result"].as_str() != Some(report.result.as_str()) {
        return Err(VerifyError::EnvelopeMismatch("result"));
    }
    Ok(report)
}

async fn erased_persons(
    conn: &mut PgConnection,
    scope: &Scope,
) -> Result<Vec<ErasedPerson>, sqlx::Error> {
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT DISTINCT ON (person_id) person_id, key_id, erased_at FROM erasure_ledger",
    );
    match scope {
        Scope::Person { person_id } => {
            q.push(" WHERE person_id = ").push_bind(*person_id);
        }
        Scope::Since { since } => {
            q.push(" WHERE erased_at >= (")
                .push_bind(*since)
                .push("::date::timestamp AT TIME ZONE 'Asia/Tokyo')");
        }
        Scope::All => {}
    }
    q.push(" ORDER BY person_id, ledger_seq DESC");
    let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = q.build_query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(person_id, key_id, erased_at)| ErasedPerson {
            person_id,
            key_id,
            erased_at,
        })
        .collect())
}

async fn database_identity(conn: &mut PgConnection) -> Result<DatabaseIdentity, sqlx::Error> {
    let (name, server_version, schema): (String, String, String) = sqlx::query_as(
        "SELECT current_database()::text, current_setting('server_version'), current_schema()::text",
    )
    .fetch_one(&mut *conn)
    .await?;
    // readable by PUBLIC by default; an administrator may have revoked it
    let system_identifier: Option<String> = match sqlx::query_scalar::<_, String>(
        "SELECT system_identifier::text FROM pg_control_system()",
    )
    .fetch_one(&mut *conn)
    .await
    {
        Ok(id) => Some(id),
        Err(sqlx::Error::Database(_)) => None,
        Err(e) => return Err(e),
    };
    Ok(DatabaseIdentity {
        name,
        system_identifier,
        server_version,
        schema,
    })
}

/// Findings collected per (table, column, what).
#[derive(Default)]
struct Findings(BTreeMap<(String, String, String), (u64, Vec<String>)>);

impl Findings {
    fn add(&mut self, table: &str, column: &str, what: &str, row: String) {
        let entry = self
            .0
            .entry((table.to_owned(), column.to_owned(), what.to_owned()))
            .or_default();
        entry.0 += 1;
        if entry.1.len() < LOCATORS_LISTED {
            entry.1.push(row);
        }
    }

    fn into_check(self, name: &str, description: &str, scanned: Value) -> Check {
        let findings: Vec<Finding> = self
            .0
            .into_iter()
            .map(|((table, column, what), (row_count, rows))| Finding {
                table,
                column,
                row_count,
                rows,
                what,
            })
            .collect();
        Check {
            name: name.to_owned(),
            description: description.to_owned(),
            scanned,
            result: if findings.is_empty() {
                Outcome::Clean
            } else {
                Outcome::TracesFound
            },
            findings,
        }
    }
}

/// The checks by person: data keys, sealed values, blind index, idempotency records, status.
async fn person_checks(
    conn: &mut PgConnection,
    keks: &dyn KeyEncryptionKeys,
    persons: &[ErasedPerson],
) -> Result<Vec<Check>, sqlx::Error> {
    let mut keys = Findings::default();
    let mut sealed = Findings::default();
    let mut index = Findings::default();
    let mut idempotency = Findings::default();
    let mut status = Findings::default();
    let (mut events_read, mut sealed_values, mut keys_tried) = (0_u64, 0_u64, 0_u64);
    let mut status_rows = 0_u64;
    for chunk in persons.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|p| p.person_id).collect();
        let streams: Vec<String> = ids.iter().map(|id| format!("my_number-{id}")).collect();
        // every sealed value of the persons' My Number streams, with the key id it names
        let rows: Vec<(i64, String, i64, String, Value)> = sqlx::query_as(
            "SELECT position, stream_id, version, event_type, payload FROM events
              WHERE stream_id = ANY($1) ORDER BY position",
        )
        .bind(&streams)
        .fetch_all(&mut *conn)
        .await?;
        events_read += rows.len() as u64;
        let mut found: Vec<(Uuid, i64, String, i64, String, String)> = Vec::new();
        for (position, stream_id, version, event_type, payload) in rows {
            let Some(person) = stream_id
                .strip_prefix("my_number-")
                .and_then(|id| Uuid::parse_str(id).ok())
            else {
                continue;
            };
            let mut values = Vec::new();
            sealed_strings(&payload, &mut values);
            for value in values {
                found.push((
                    person,
                    position,
                    stream_id.clone(),
                    version,
                    event_type.clone(),
                    value,
                ));
            }
        }
        sealed_values += found.len() as u64;
        let mut key_ids: BTreeSet<Uuid> = chunk.iter().map(|p| p.key_id).collect();
        key_ids.extend(
            found
                .iter()
                .filter_map(|f| crypto::sealed_key_id(&f.5).ok()),
        );
        let key_ids: Vec<Uuid> = key_ids.into_iter().collect();

        // data keys: none may be left for an erased person, nor under a destroyed key id
        let key_rows: Vec<(Uuid, Uuid, i32, Vec<u8>)> = sqlx::query_as(
            "SELECT person_id, key_id, kek_version, wrapped_dek FROM subject_keys
              WHERE person_id = ANY($1) OR key_id = ANY($2) ORDER BY person_id",
        )
        .bind(&ids)
        .bind(&key_ids)
        .fetch_all(&mut *conn)
        .await?;
        let mut deks: BTreeMap<Uuid, Vec<DataKey>> = BTreeMap::new();
        for (person_id, key_id, kek_version, wrapped) in key_rows {
            let dek = u32::try_from(kek_version)
                .ok()
                .and_then(|v| keks.unwrap(person_id, key_id, v, &wrapped).ok());
            let what = if dek.is_some() {
                "a data key of an erased person or key: it unwraps with a key-encryption key kenpo holds"
            } else {
                "a data key of an erased person or key: it does not unwrap with any key-encryption key kenpo holds"
            };
            keys.add(
                "subject_keys",
                "wrapped_dek",
                what,
                format!("person_id={person_id},key_id={key_id}"),
            );
            if let Some(dek) = dek {
                keys_tried += 1;
                deks.entry(person_id).or_default().push(dek);
            }
        }
        for (person, position, stream_id, version, event_type, value) in &found {
            let context = SealContext {
                stream_id,
                version: *version,
                event_type,
            };
            let opens = deks
                .get(person)
                .is_some_and(|ks| ks.iter().any(|k| crypto::open(k, &context, value).is_ok()));
            if opens {
                sealed.add(
                    "events",
                    "payload",
                    "a sealed 個人番号 that still opens with a data key kenpo holds",
                    format!("position={position}"),
                );
            }
        }

        // blind-index entries under any key version
        let index_rows: Vec<(Uuid, i32)> = sqlx::query_as(
            "SELECT person_id, bidx_version FROM my_number_index WHERE person_id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
        for (person_id, version) in index_rows {
            index.add(
                "my_number_index",
                "bidx",
                "a blind-index entry (HMAC of the number under a blind-index key kenpo holds)",
                format!("person_id={person_id},bidx_version={version}"),
            );
        }

        // idempotency records: keyed fingerprints of requests, answers sealed under the BIK
        let idem_rows: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT ctid::text, subject_person FROM idempotency_keys WHERE subject_person = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
        for (ctid, person_id) in idem_rows {
            idempotency.add(
                "idempotency_keys",
                "fingerprint,response_sealed",
                "an idempotency record of the person (a fingerprint of the request and its answer, keyed by a blind-index key kenpo holds)",
                format!("subject_person={person_id},ctid={ctid}"),
            );
        }

        // the status read model: erased, no pending entry
        let status_of: Vec<(Uuid, String, bool)> = sqlx::query_as(
            "SELECT person_id, status, pending_entry_id IS NOT NULL FROM my_number_status
              WHERE person_id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
        status_rows += status_of.len() as u64;
        for (person_id, state, pending) in status_of {
            if state != "erased" {
                status.add(
                    "my_number_status",
                    "status",
                    "the status read model does not say erased",
                    format!("person_id={person_id}"),
                );
            }
            if pending {
                status.add(
                    "my_number_status",
                    "pending_entry_id",
                    "the status read model still shows a pending entry",
                    format!("person_id={person_id}"),
                );
            }
        }
    }
    let n = persons.len();
    Ok(vec![
        keys.into_check(
            "data_keys",
            "No data key (subject_keys row) is left for an erased person or under a destroyed key id: without it no sealed value of the person can be opened (crypto-shredding).",
            json!({"table": "subject_keys", "persons": n, "keys_that_unwrap": keys_tried}),
        ),
        sealed.into_check(
            "sealed_values",
            "Every sealed value in the persons' My Number streams is tried with every data key kenpo can unwrap for the person; none may open.",
            json!({"table": "events", "column": "payload", "streams": n, "events": events_read, "sealed_values": sealed_values}),
        ),
        index.into_check(
            "blind_index",
            "No blind-index entry (HMAC-SHA256 of the number under a blind-index key kenpo holds) is left for an erased person, under any key version.",
            json!({"table": "my_number_index", "columns": ["person_id", "bidx", "bidx_version"], "persons": n}),
        ),
        idempotency.into_check(
            "idempotency_records",
            "No idempotency record of an erased person is left: its fingerprint would let a holder of the blind-index key test guesses of the number, and its sealed answer opens with that key.",
            json!({"table": "idempotency_keys", "columns": ["subject_person", "fingerprint", "response_sealed"], "persons": n}),
        ),
        status.into_check(
            "status_read_model",
            "The status read model says erased and holds no pending entry for every erased person.",
            json!({"table": "my_number_status", "persons": n, "rows": status_rows}),
        ),
    ])
}

/// Every string in `value` that has the shape of a sealed value (its length and header).
fn sealed_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.len() == SEALED_LEN && crypto::sealed_key_id(s).is_ok() => {
            out.push(s.clone())
        }
        Value::Array(items) => items.iter().for_each(|v| sealed_strings(v, out)),
        Value::Object(fields) => fields.values().for_each(|v| sealed_strings(v, out)),
        _ => {}
    }
}

/// Types whose values cannot hold 12 digits in a row, or hold only ids: not swept.
const NOT_SWEPT_TYPES: [&str; 10] = [
    "bool",
    "uuid",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "int2",
    "int4",
];
/// Types a row locator may show (ids and numbers, never text).
const LOCATOR_TYPES: [&str; 6] = ["uuid", "int2", "int4", "int8", "date", "timestamptz"];
/// The SQL pre-filter: 12 digits, or 4-4-4 with one separator; [`clear::count_in_clear`] decides.
const PREFILTER: &str = "[0-9０-９]{4}[ 　－-]?[0-9０-９]{4}[ 　－-]?[0-9０-９]{4}";

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Every table and column of the schema, found in the catalog (new tables are covered without
/// a change here): no 個人番号 in clear anywhere.
async fn sweep(conn: &mut PgConnection) -> Result<Check, sqlx::Error> {
    let columns: Vec<(String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT c.relname::text, a.attname::text, t.typname::text,
                has_table_privilege(c.oid, 'SELECT'),
                coalesce(a.attnum = ANY(i.indkey::int2[]), false)
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           JOIN pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          ORDER BY c.relname, a.attnum",
    )
    .fetch_all(&mut *conn)
    .await?;
    struct Table {
        readable: bool,
        swept: Vec<(String, bool)>,
        primary_key: Vec<(String, String)>,
    }
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, type_name, readable, in_key) in columns {
        let entry = tables.entry(table).or_insert(Table {
            readable,
            swept: Vec::new(),
            primary_key: Vec::new(),
        });
        if in_key {
            entry.primary_key.push((column.clone(), type_name.clone()));
        }
        if !NOT_SWEPT_TYPES.contains(&type_name.as_str()) {
            entry.swept.push((column, type_name == "bytea"));
        }
    }
    let mut findings = Findings::default();
    let mut scanned = Vec::new();
    let mut unreadable = Vec::new();
    for (name, table) in &tables {
        if !table.readable {
            unreadable.push(name.clone());
            continue;
        }
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}", quote_ident(name)))
            .fetch_one(&mut *conn)
            .await?;
        scanned.push(json!({
            "table": name,
            "rows": rows,
            "columns": table.swept.iter().map(|(c, _)| c).collect::<Vec<_>>(),
        }));
        if table.swept.is_empty() || rows == 0 {
            continue;
        }
        let locatable = !table.primary_key.is_empty()
            && table
                .primary_key
                .iter()
                .all(|(_, t)| LOCATOR_TYPES.contains(&t.as_str()));
        let locator = if locatable {
            let parts: Vec<String> = table
                .primary_key
                .iter()
                .map(|(c, _)| {
                    format!(
                        "{} || {}::text",
                        quote_literal(&format!("{c}=")),
                        quote_ident(c)
                    )
                })
                .collect();
            format!("concat_ws(',', {})", parts.join(", "))
        } else {
            "NULL::text".to_owned()
        };
        let mut select = vec!["ctid::text".to_owned(), locator];
        let mut filter = Vec::new();
        for (column, bytea) in &table.swept {
            let q = quote_ident(column);
            if *bytea {
                select.push(format!("encode({q}, 'hex')"));
                filter.push(format!("encode({q}, 'escape') ~ $1"));
            } else {
                select.push(format!("{q}::text"));
                filter.push(format!("{q}::text ~ $1"));
            }
        }
        let sql = format!(
            "SELECT {} FROM {} WHERE {}",
            select.join(", "),
            quote_ident(name),
            filter.join(" OR ")
        );
        let mut stream = sqlx::query(&sql).bind(PREFILTER).fetch(&mut *conn);
        while let Some(row) = stream.try_next().await? {
            let ctid: String = row.try_get(0)?;
            let key: Option<String> = row.try_get(1)?;
            for (k, (column, bytea)) in table.swept.iter().enumerate() {
                let Some(value): Option<String> = row.try_get(k + 2)? else {
                    continue;
                };
                let count = if *bytea {
                    hex::decode(&value)
                        .map(|b| clear::count_in_clear_bytes(&b))
                        .unwrap_or(0)
                } else {
                    clear::count_in_clear(&value)
                };
                if count == 0 {
                    continue;
                }
                let in_key = table.primary_key.iter().any(|(c, _)| c == column);
                let row_locator = match (&key, in_key) {
                    (Some(key), false) => key.clone(),
                    _ => format!("ctid={ctid}"),
                };
                findings.add(
                    name,
                    column,
                    "a 12-digit number with a valid 個人番号 check digit, in clear",
                    row_locator,
                );
            }
        }
    }
    let mut check = findings.into_check(
        "numbers_in_clear",
        "Every table of the schema (from the catalog) and every column of a type that can hold 12 digits in a row: no 12-digit number with a valid 個人番号 check digit in clear (alone or grouped 4-4-4), of anyone.",
        json!({
            "tables": scanned,
            "types_not_swept": NOT_SWEPT_TYPES,
            "tables_not_readable": unreadable,
        }),
    );
    if check.result == Outcome::Clean && !unreadable.is_empty() {
        check.result = Outcome::Incomplete;
    }
    Ok(check)
}

/// A listed proof (without the report text).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProofRow {
    pub proof_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub requested_by: String,
    /// `{"kind": "person", "person_id"}`, `{"kind": "since", "since"}` or `{"kind": "all"}`.
    #[schema(value_type = Object)]
    pub scope: Value,
    /// `clean`, `traces_found` or `incomplete`.
    pub result: String,
    pub person_ids: Vec<Uuid>,
    /// The signing key's id.
    pub key_id: String,
}

/// Filters of the list; every one given must match.
#[derive(Debug, Clone, Default)]
pub struct ProofFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub person_id: Option<Uuid>,
}

fn filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ProofFilter) {
    q.push(" WHERE true");
    if let Some(from) = f.from {
        q.push(" AND created_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND created_at < ").push_bind(to);
    }
    if let Some(person) = f.person_id {
        q.push(" AND ").push_bind(person).push(" = ANY(person_ids)");
    }
}

/// Stored proofs matching `f`, oldest first, with the total count.
pub async fn page(
    conn: &mut PgConnection,
    f: &ProofFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ProofRow>, i64), sqlx::Error> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM erasure_proofs");
    filter(&mut count, f);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut rows = QueryBuilder::new(
        "SELECT proof_id, created_at, requested_by, scope, result, person_ids, key_id
           FROM erasure_proofs",
    );
    filter(&mut rows, f);
    rows.push(" ORDER BY created_at, proof_id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let records = rows.build_query_as::<ProofRow>().fetch_all(conn).await?;
    Ok((records, total))
}

/// One stored proof with its signed report.
pub async fn get(
    conn: &mut PgConnection,
    proof_id: Uuid,
) -> Result<Option<SignedProof>, sqlx::Error> {
    type StoredRow = (
        Uuid,
        DateTime<Utc>,
        String,
        Value,
        String,
        Vec<Uuid>,
        String,
        String,
        String,
        String,
    );
    let row: Option<StoredRow> = sqlx::query_as(
        "SELECT proof_id, created_at, requested_by, scope, result, person_ids, report, key_id,
                public_key, signature FROM erasure_proofs WHERE proof_id = $1",
    )
    .bind(proof_id)
    .fetch_optional(conn)
    .await?;
    let Some((
        proof_id,
        created_at,
        requested_by,
        scope,
        result,
        person_ids,
        report,
        key_id,
        public_key,
        value,
    )) = row
    else {
        return Ok(None);
    };
    let decode = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
    Ok(Some(SignedProof {
        proof_id,
        created_at,
        requested_by,
        scope: serde_json::from_value(scope).map_err(decode)?,
        result: serde_json::from_value(Value::String(result)).map_err(decode)?,
        person_ids,
        report,
        signature: SignatureBlock {
            algorithm: signing::ALGORITHM.to_owned(),
            key_id,
            public_key,
            value,
        },
    }))
}
