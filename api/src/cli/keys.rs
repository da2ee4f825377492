//! `kenpo keys ...`: the key-encryption keys (KEKs) that wrap the per-person My Number data
//! keys, and the blind-index keys (BIKs) of `my_number_index`.
//!
//! The key directory is `KENPO_KEY_DIR`, default `<KENPO_HOME>/keys` (`.kenpo/keys`). It holds
//! `kek-v<n>.key` and `bidx-v<n>.key` (mode 0600, directory 0700); or the keys come from
//! `KENPO_KEK_V<n>_B64` / `KENPO_BIDX_V<n>_B64` (`KENPO_BIDX_B64` = version 1) (see
//! `kenpo_infrastructure::crypto::FileKeyStore`). Keys never go into the database or the logs.
//!
//! Every command that opens the keys checks them against the database first
//! (`kenpo_infrastructure::crypto::key_check`): a missing or different key is refused with exit
//! code 78, and keys are created only for an empty database or by `kenpo keys init`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kenpo_infrastructure::crypto::key_check::{self, CheckedKeys, Mode};
use kenpo_infrastructure::crypto::{
    subject_keys, BlindIndexKey, FileKeyStore, KeyEncryptionKeys, KeyKind,
};
use sqlx::PgPool;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create the first keys (kek-v1.key, bidx-v1.key) for a database that has none.
    ///
    /// Refused when the database already records key check values (its keys exist: point
    /// KENPO_KEY_DIR at them). `kenpo serve` creates the keys by itself for an empty database;
    /// `init` is for creating them explicitly first, or for a database from before key check
    /// values whose blind-index key was never created.
    Init,
    /// Create a new key version and move everything under it.
    ///
    /// Without --blind-index: writes kek-v<n+1>.key into the key directory (KENPO_KEY_DIR,
    /// default <KENPO_HOME>/keys), makes it active, then re-wraps every person's data key in
    /// batches, one transaction each. No event is touched. If interrupted, `kenpo keys rewrap`
    /// finishes it.
    ///
    /// With --blind-index: writes bidx-v<m+1>.key, then re-indexes every my_number_index entry
    /// under it in batches (each person's number is opened with the KEKs and its HMAC under the
    /// new key replaces the old one). While it runs, lookups and duplicate detection search
    /// both versions. If interrupted, run the same command again: it continues the re-index
    /// instead of creating another version.
    ///
    /// Older versions are kept: old database backups need them. Destroy them with `kenpo keys
    /// destroy` only after the backup retention period.
    Rotate {
        /// Rotate the blind-index key instead of the key-encryption key.
        #[arg(long)]
        blind_index: bool,
        /// Rows re-wrapped or re-indexed per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: i64,
    },
    /// Re-wrap every data key that is not under the active KEK (finishes an interrupted
    /// rotation, or follows a new KENPO_KEK_V<n>_B64).
    Rewrap {
        /// Data keys re-wrapped per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: i64,
    },
    /// Destroy an old key version: refused while anything depends on it.
    ///
    /// Refused for the active version and while rows are still under that version (data keys
    /// for a KEK, index entries for a blind-index key). Otherwise records the destruction in
    /// the database and deletes the key file. Copies of the file in backups of the key
    /// directory must be destroyed too; a key from the environment must be unset by the
    /// operator. Restart running servers afterwards so that none keeps it in memory.
    Destroy {
        /// The KEK version to destroy.
        #[arg(
            long,
            conflicts_with = "blind_index_version",
            required_unless_present = "blind_index_version"
        )]
        kek_version: Option<u32>,
        /// The blind-index key version to destroy.
        #[arg(long)]
        blind_index_version: Option<u32>,
    },
}

pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Init => init().await,
        KeysCommand::Rotate {
            blind_index: false,
            batch,
        } => rotate(batch, true).await,
        KeysCommand::Rotate {
            blind_index: true,
            batch,
        } => rotate_blind_index(batch).await,
        KeysCommand::Rewrap { batch } => rotate(batch, false).await,
        KeysCommand::Destroy {
            kek_version,
            blind_index_version,
        } => match (kek_version, blind_index_version) {
            (Some(version), None) => destroy(KeyKind::Kek, version).await,
            (None, Some(version)) => destroy(KeyKind::BlindIndex, version).await,
            _ => anyhow::bail!("give exactly one of --kek-version and --blind-index-version"),
        },
    }
}

/// The key directory: `KENPO_KEY_DIR`, else `<KENPO_HOME>/keys`.
pub fn key_dir() -> PathBuf {
    std::env::var_os("KENPO_KEY_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::config::home().join("keys"))
}

/// Open the key store (KEKs and blind-index keys) of [`key_dir`] for the database of `pool`,
/// checked against it (`key_check`): refused (exit code 78) when a key the database depends on
/// is missing or different; keys are created only for an empty database. Says which files it
/// created and which versions it recorded (never their contents). For the server and every
/// command that seals, opens or indexes a 個人番号.
pub async fn key_store(pool: &PgPool) -> anyhow::Result<FileKeyStore> {
    Ok(open(pool, Mode::Start).await?.store)
}

async fn open(pool: &PgPool, mode: Mode) -> anyhow::Result<CheckedKeys> {
    let dir = key_dir();
    let checked = key_check::open_checked(pool, &dir, mode)
        .await
        .with_context(|| {
            format!(
                "checking the keys of {} against the database",
                dir.display()
            )
        })?;
    for path in &checked.created {
        tracing::info!(
            path = %path.display(),
            "created a new key file; back it up separately from the database"
        );
        eprintln!(
            "created key file {} (back it up, separately from the database)",
            path.display()
        );
    }
    // blind-index versions from before check values: adopted only once they give an entry
    let upcasters = crate::startup::upcasters();
    for (kind, version) in &checked.unverified {
        let matches = crate::application::my_number::service::index_entries_match(
            pool,
            &upcasters,
            &checked.store,
            *version,
        )
        .await
        .with_context(|| format!("checking {kind} version {version} against the index"))?;
        if !matches {
            return Err(key_check::KeyCheckError::IndexMismatch {
                version: *version,
                location: checked.store.location(*kind, *version),
            })
            .with_context(|| {
                format!(
                    "checking the keys of {} against the database",
                    dir.display()
                )
            });
        }
        key_check::record(pool, &checked.store, *kind, *version).await?;
    }
    for (kind, version) in &checked.recorded {
        tracing::info!(kind = kind.as_str(), version, "recorded a key check value");
    }
    for warning in &checked.warnings {
        tracing::warn!("{warning}");
        eprintln!("warning: {warning}");
    }
    Ok(checked)
}

async fn init() -> anyhow::Result<()> {
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let checked = open(&db.pool, Mode::Init).await?;
    println!(
        "keys ready in {}: {} key file(s) created, check values recorded in {}",
        checked.store.dir().display(),
        checked.created.len(),
        db.description
    );
    Ok(())
}

fn progress_bar(total: u64, what: &str) -> Option<ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} ({{per_sec}}, eta {{eta}})"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    })
}

async fn rotate_blind_index(batch: i64) -> anyhow::Result<()> {
    anyhow::ensure!(batch >= 1, "--batch must be at least 1");
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let mut store = key_store(&db.pool).await?;
    let kind = KeyKind::BlindIndex;

    let left = crate::application::my_number::service::count_to_reindex(&db.pool, &store).await?;
    let version = if left > 0 {
        let version = store.blind_index_version();
        eprintln!(
            "{left} index entries are still under an older blind-index key: continuing the \
             re-index under version {version} (no new version created)"
        );
        version
    } else {
        let version = store
            .rotate(kind)
            .context("creating the new blind-index key")?;
        key_check::record(&db.pool, &store, kind, version).await?;
        let location = store.location(kind, version);
        tracing::info!(version, path = %location, "created a new blind-index key");
        eprintln!("created blind-index key version {version} in {location}");
        version
    };

    let total = crate::application::my_number::service::count_to_reindex(&db.pool, &store).await?;
    let bar = progress_bar(total, "re-indexing 個人番号");
    let started = std::time::Instant::now();
    let progress = |done: u64| match &bar {
        Some(bar) => bar.set_position(done),
        None => eprintln!("re-indexed {done}/{total} entries"),
    };
    let upcasters = crate::startup::upcasters();
    let reindexed = crate::application::my_number::service::reindex_all(
        &db.pool, &upcasters, &store, &store, batch, &progress,
    )
    .await
    .context("re-indexing (run `kenpo keys rotate --blind-index` again to resume)")?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "re-indexed {reindexed} entries under blind-index key version {version} ({}) in \
         {seconds:.1} s; database: {}",
        store.location(kind, version),
        db.description
    );
    let older: Vec<String> = store
        .versions(kind)
        .into_iter()
        .filter(|v| *v < version)
        .map(|v| v.to_string())
        .collect();
    if !older.is_empty() {
        println!(
            "older blind-index key versions kept for database backups: {}; destroy them with \
             `kenpo keys destroy --blind-index-version N` after the backup retention period",
            older.join(", ")
        );
    }
    tracing::info!(
        reindexed,
        bidx_version = version,
        seconds,
        "blind index re-indexed"
    );
    Ok(())
}

async fn destroy(kind: KeyKind, version: u32) -> anyhow::Result<()> {
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let mut store = key_store(&db.pool).await?;
    let destroyed = key_check::destroy(&db.pool, &mut store, kind, version).await?;
    tracing::info!(
        kind = kind.as_str(),
        version,
        newly_recorded = destroyed.newly_recorded,
        "key version destroyed"
    );
    match (&destroyed.removed, &destroyed.unset) {
        (Some(path), _) => println!(
            "{kind} version {version} destroyed: {} deleted and the destruction recorded in {}. \
             Destroy every copy of that file in backups of the key directory too, and restart \
             running servers (they may still hold it in memory)",
            path.display(),
            db.description
        ),
        (None, Some(variable)) => println!(
            "{kind} version {version} destroyed in {}: unset {variable} everywhere it is set \
             (service definitions, secret stores, their backups) and restart the servers",
            db.description
        ),
        (None, None) => println!(
            "{kind} version {version} destroyed in {} (its key file was already gone); destroy \
             any copy of it in backups of the key directory",
            db.description
        ),
    }
    Ok(())
}

async fn rotate(batch: i64, new_kek: bool) -> anyhow::Result<()> {
    anyhow::ensure!(batch >= 1, "--batch must be at least 1");
    // Connect first: a rotation that cannot reach the database would leave a new KEK and no
    // re-wrapped key.
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let mut store = key_store(&db.pool).await?;

    let old_version = store.active_version();
    let version = if new_kek {
        store
            .rotate_kek()
            .context("creating the new key-encryption key")?
    } else {
        old_version
    };
    let where_key = store.location(KeyKind::Kek, version);
    if new_kek {
        key_check::record(&db.pool, &store, KeyKind::Kek, version).await?;
        tracing::info!(version, path = %where_key, "created a new key-encryption key");
        eprintln!("created KEK version {version} in {where_key}");
    }

    let total = subject_keys::count_to_rewrap(&db.pool, &store).await?;
    let bar = progress_bar(total, "re-wrapping data keys");
    let started = std::time::Instant::now();
    let progress = |done: u64| match &bar {
        Some(bar) => bar.set_position(done),
        None => eprintln!("re-wrapped {done}/{total} data keys"),
    };
    let rewrapped = subject_keys::rewrap_all(&db.pool, &store, batch, &progress)
        .await
        .context("re-wrapping the data keys (run `kenpo keys rewrap` to resume)")?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    let older: Vec<String> = store
        .kek_versions()
        .into_iter()
        .filter(|v| *v < version)
        .map(|v| v.to_string())
        .collect();
    println!(
        "re-wrapped {rewrapped} data keys under KEK version {version} ({where_key}) in {seconds:.1} s; database: {}",
        db.description
    );
    if !older.is_empty() {
        println!(
            "older KEK versions kept for database backups: {} in {}; destroy them only after \
             the backup retention period",
            older.join(", "),
            store.dir().display()
        );
    }
    tracing::info!(
        rewrapped,
        kek_version = version,
        previous_kek_version = old_version,
        seconds,
        "data keys re-wrapped"
    );
    Ok(())
}
