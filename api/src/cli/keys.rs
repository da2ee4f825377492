//! `kenpo keys ...`: the key-encryption keys that wrap the per-person My Number data keys.
//!
//! The key directory is `KENPO_KEY_DIR`, default `<KENPO_HOME>/keys` (`.kenpo/keys`). It holds
//! `kek-v<n>.key` and `bidx-v1.key` (mode 0600, directory 0700), created on first use; or the
//! keys come from `KENPO_KEK_V<n>_B64` / `KENPO_BIDX_B64` (see
//! `kenpo_infrastructure::crypto::FileKeyStore`). Keys never go into the database or the logs.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kenpo_infrastructure::crypto::{subject_keys, FileKeyStore, KeyEncryptionKeys};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new key-encryption key (KEK) version and re-wrap every data key under it.
    ///
    /// Writes kek-v<n+1>.key into the key directory (KENPO_KEY_DIR, default
    /// <KENPO_HOME>/keys), makes it active, then re-wraps every person's data key in batches,
    /// one transaction each. No event is touched. Older KEK files are kept: old database
    /// backups need them; destroy them only after the backup retention period. If the run is
    /// interrupted, `kenpo keys rewrap` finishes it.
    Rotate {
        /// Data keys re-wrapped per transaction.
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
}

pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate { batch } => rotate(batch, true).await,
        KeysCommand::Rewrap { batch } => rotate(batch, false).await,
    }
}

/// The key directory: `KENPO_KEY_DIR`, else `<KENPO_HOME>/keys`.
pub fn key_dir() -> PathBuf {
    std::env::var_os("KENPO_KEY_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::config::home().join("keys"))
}

/// Open the key store (KEKs and blind-index key) of [`key_dir`], creating the key files on
/// first use; logs the paths of files it created (never their contents). For the server and
/// every command that seals or opens a 個人番号.
pub fn key_store() -> anyhow::Result<(FileKeyStore, Vec<PathBuf>)> {
    let dir = key_dir();
    let (store, created) = FileKeyStore::open_or_create(&dir)
        .with_context(|| format!("opening the key store in {}", dir.display()))?;
    for path in &created {
        tracing::info!(
            path = %path.display(),
            "created a new key file; back it up separately from the database"
        );
    }
    Ok((store, created))
}

async fn rotate(batch: i64, new_kek: bool) -> anyhow::Result<()> {
    anyhow::ensure!(batch >= 1, "--batch must be at least 1");
    let (mut store, _) = key_store()?;
    // Connect first: a rotation that cannot reach the database would leave a new KEK and no
    // re-wrapped key.
    let db = crate::database::connect(2).await?;
    kenpo_infrastructure::migrate::run(&db.pool).await?;

    let old_version = store.active_version();
    let version = if new_kek {
        store
            .rotate_kek()
            .context("creating the new key-encryption key")?
    } else {
        old_version
    };
    let where_key = match store.kek_path(version) {
        Some(path) => path.display().to_string(),
        None => format!("environment variable KENPO_KEK_V{version}_B64"),
    };
    if new_kek {
        tracing::info!(version, path = %where_key, "created a new key-encryption key");
        eprintln!("created KEK version {version} in {where_key}");
    }

    let total = subject_keys::count_to_rewrap(&db.pool, &store).await?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} re-wrapping data keys [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
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
