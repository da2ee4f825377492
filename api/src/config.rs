//! Configuration from the environment, with an embedded default for development.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `DATABASE_URL` | PostgreSQL to use, as the application role | a private cluster in `./.kenpo/pgdata` (`KENPO_PG_DATA`, `KENPO_PG_PORT`, `KENPO_PG_BIN`), as `kenpo_service` |
//! | `KENPO_OWNER_DATABASE_URL` | the same database as the owner role (migrations, rebuild) | `DATABASE_URL` (embedded: `kenpo_owner`) |
//! | `KENPO_MIGRATE` | `kenpo serve` migrates first (as `--migrate`) | `false` |
//! | `KENPO_HOME` | where the embedded default keeps its secrets | `./.kenpo` |
//! | `KENPO_JWT_SECRET_FILE` | file holding the token signing secret | `KENPO_HOME/secrets/jwt-signing.key`, created on first use (mode 0600) |
//! | `KENPO_JWT_SECRET` | the token signing secret itself (≥ 32 bytes) | — |
//! | `KENPO_LISTEN` | address to serve on | `127.0.0.1:8080` |
//!
//! The HTTP edge (timeouts, limits, trusted proxies) is configured in [`crate::edge`].

use std::path::{Path, PathBuf};

use anyhow::Context;
use kenpo_infrastructure::secret_file;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::auth::SigningKey;

/// Where the embedded default lives.
pub fn home() -> PathBuf {
    std::env::var_os("KENPO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".kenpo"))
}

/// The longest token signing secret file read (a secret is 64 hex digits when kenpo makes it).
const SIGNING_SECRET_LIMIT: u64 = 4096;

/// The token signing key: `KENPO_JWT_SECRET`, else the file `KENPO_JWT_SECRET_FILE`, else the
/// embedded default's file, created with a fresh random secret when missing. The file is
/// created and read by [`secret_file`], like the key files: written whole or not at all
/// (fsync, then a link into place), and refused when group or other may read it.
pub fn signing_key() -> anyhow::Result<SigningKey> {
    if let Ok(secret) = std::env::var("KENPO_JWT_SECRET") {
        return SigningKey::new(secret.into_bytes()).context("KENPO_JWT_SECRET");
    }
    let path = std::env::var_os("KENPO_JWT_SECRET_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join("secrets").join("jwt-signing.key"));
    if !path.exists() && create_signing_secret(&path)? {
        tracing::info!(path = %path.display(), "created a new token signing secret");
    }
    let secret = secret_file::read_secret_file(&path, SIGNING_SECRET_LIMIT)
        .context("reading the token signing secret")?;
    let text = String::from_utf8_lossy(&secret);
    SigningKey::new(text.trim().as_bytes().to_vec())
        .with_context(|| format!("the secret in {}", path.display()))
}

/// Create the secret file with 32 random bytes as hex; `false` when another process created it
/// first (then that one is used).
fn create_signing_secret(path: &Path) -> anyhow::Result<bool> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        secret_file::ensure_private_dir(dir)
            .context("preparing the directory of the token signing secret")?;
    }
    let mut bytes = Zeroizing::new([0_u8; 32]);
    rand::thread_rng().fill_bytes(&mut bytes[..]);
    let text = Zeroizing::new(hex::encode(&bytes[..]));
    secret_file::create_secret_file(path, text.as_bytes())
        .context("creating the token signing secret")
}
