//! Configuration from the environment, with an embedded default for development.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `DATABASE_URL` | PostgreSQL to use | a private cluster in `./.kenpo/pgdata` (`KENPO_PG_DATA`, `KENPO_PG_PORT`, `KENPO_PG_BIN`) |
//! | `KENPO_HOME` | where the embedded default keeps its secrets | `./.kenpo` |
//! | `KENPO_JWT_SECRET_FILE` | file holding the token signing secret | `KENPO_HOME/secrets/jwt-signing.key`, created on first use (mode 0600) |
//! | `KENPO_JWT_SECRET` | the token signing secret itself (≥ 32 bytes) | — |
//! | `KENPO_LISTEN` | address to serve on | `127.0.0.1:8080` |

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::RngCore;

use crate::auth::SigningKey;

/// Where the embedded default lives.
pub fn home() -> PathBuf {
    std::env::var_os("KENPO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".kenpo"))
}

/// The token signing key: `KENPO_JWT_SECRET`, else the file `KENPO_JWT_SECRET_FILE`, else the
/// embedded default's file, created with a fresh random secret when missing.
pub fn signing_key() -> anyhow::Result<SigningKey> {
    if let Ok(secret) = std::env::var("KENPO_JWT_SECRET") {
        return SigningKey::new(secret.into_bytes()).context("KENPO_JWT_SECRET");
    }
    let path = std::env::var_os("KENPO_JWT_SECRET_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join("secrets").join("jwt-signing.key"));
    if !path.exists() {
        create_secret_file(&path)?;
        tracing::info!(path = %path.display(), "created a new token signing secret");
    }
    let secret = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let secret = String::from_utf8_lossy(&secret).trim().as_bytes().to_vec();
    SigningKey::new(secret).with_context(|| format!("the secret in {}", path.display()))
}

fn create_secret_file(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("restricting {}", dir.display()))?;
        }
    }
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(hex::encode(bytes).as_bytes())?;
    Ok(())
}
