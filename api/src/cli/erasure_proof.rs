//! `kenpo audit erasure-proof` and `kenpo audit verify-proof`: a signed proof that no trace of
//! erased persons' 個人番号 is left in the database, and its offline check
//! (`crate::application::erasure_proof`, docs/data-protection.md "Proof of erasure").

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use kenpo_infrastructure::crypto::signing::{self, FileSigningKey, Signer};
use uuid::Uuid;

use crate::application::erasure_proof::{self, Outcome, ProofRequest, Scope};
use crate::application::retention::jst_today;

#[derive(Debug, Args)]
pub struct ProofArgs {
    /// Only this erased person (refused when the erasure 管理簿 has no erasure of theirs).
    #[arg(long, conflicts_with = "since")]
    person: Option<Uuid>,
    /// Only persons erased on or after this day (00:00 in Japan; ISO or 和暦). Without
    /// --person and --since: every erased person.
    #[arg(long, value_parser = parse_date)]
    since: Option<kenpo_domain::calendar::Date>,
    /// Who asks for the proof: the 職員ID of a ユーザ管理簿 account active today with the
    /// data_protection or auditor role. Written into the signed report with the OS user.
    #[arg(long)]
    by: String,
    /// Write the signed proof (JSON) to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed proof: a file written by `kenpo audit erasure-proof` or the answer of
    /// GET /api/v1/erasure-proofs/{proof_id}.
    file: PathBuf,
    /// The public key to trust: 64 hex digits or a file holding them (sign-ed25519.pub).
    /// Default: sign-ed25519.pub in the key directory (KENPO_KEY_DIR).
    #[arg(long)]
    public_key: Option<String>,
}

fn parse_date(text: &str) -> Result<kenpo_domain::calendar::Date, String> {
    kenpo_domain::calendar::parse(text).map_err(|e| e.to_string())
}

/// Scan, sign, store, print; exit code 1 when traces were found, 2 when the scan was incomplete.
pub async fn prove(args: ProofArgs) -> anyhow::Result<()> {
    let today = jst_today();
    let scope = match (args.person, args.since) {
        (Some(person_id), _) => Scope::Person { person_id },
        (None, Some(since)) => {
            erasure_proof::check_since(since.naive(), today)?;
            Scope::Since {
                since: since.naive(),
            }
        }
        (None, None) => Scope::All,
    };
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let requested_by = erasure_proof::authorize_requester(&db.pool, &args.by, today).await?;
    let keys = super::keys::key_store(&db.pool).await?;
    let (signer, created) = FileSigningKey::open_or_create(&super::keys::key_dir())
        .context("opening the signing key")?;
    if let Some(path) = created {
        eprintln!(
            "created signing key {} (back it up with the other keys; give {} to the auditors)",
            path.display(),
            path.with_file_name(signing::PUBLIC_KEY_FILE).display()
        );
    }
    let request = ProofRequest {
        scope,
        requested_by,
        os_user: std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok(),
        via: "cli".to_owned(),
    };
    let proof = erasure_proof::run(&db.pool, &keys, &signer, &request)
        .await
        .with_context(|| format!("proving erasure in {}", db.description))?;
    let text = serde_json::to_string_pretty(&proof)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, format!("{text}\n"))
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => println!("{text}"),
    }
    eprintln!(
        "erasure proof {}: {} ({} erased persons; signed by {}; stored in erasure_proofs)",
        proof.proof_id,
        proof.result.as_str(),
        proof.person_ids.len(),
        signer.key_id()
    );
    db.pool.close().await;
    match proof.result {
        Outcome::Clean => Ok(()),
        Outcome::TracesFound => std::process::exit(1),
        Outcome::Incomplete => std::process::exit(2),
    }
}

/// Check a proof's signature offline against the trusted public key; exit code 1 when it fails.
pub fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let trusted = match &args.public_key {
        Some(given) => signing::parse_public_key(given).map_or_else(
            || {
                let path = PathBuf::from(given);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading the public key {}", path.display()))?;
                signing::parse_public_key(&text)
                    .with_context(|| format!("{} holds no Ed25519 public key", path.display()))
            },
            Ok,
        )?,
        None => {
            let path = super::keys::key_dir().join(signing::PUBLIC_KEY_FILE);
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "reading the public key {} (or give --public-key)",
                    path.display()
                )
            })?;
            signing::parse_public_key(&text)
                .with_context(|| format!("{} holds no Ed25519 public key", path.display()))?
        }
    };
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let proof: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", args.file.display()))?;
    match erasure_proof::verify(&proof, &trusted) {
        Ok(report) => {
            println!(
                "OK: erasure proof {} signed by {}; result {}; {} erased persons; requested by {} at {}",
                report.proof_id,
                report.signing_key_id,
                report.result.as_str(),
                report.persons.len(),
                report.requested_by.staff_id,
                report.finished_at
            );
            Ok(())
        }
        Err(e) => {
            println!("NOT VERIFIED: {e}");
            std::process::exit(1);
        }
    }
}
