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
//! | `KENPO_OIDC_ISSUER` | the identity provider's issuer (`iss`); set, only its tokens are accepted | — (development tokens, HS256) |
//! | `KENPO_OIDC_AUDIENCE` | required in `aud` | — (required with an issuer) |
//! | `KENPO_OIDC_JWKS_URL` | the IdP's JWK set, `http://` on a loopback address | — (this or the file) |
//! | `KENPO_OIDC_JWKS_FILE` | the IdP's JWK set, a file | — |
//! | `KENPO_OIDC_STAFF_CLAIM` | claim holding the 職員ID | `sub` |
//! | `KENPO_OIDC_ROLES_CLAIM` | claim holding the roles | `roles` |
//! | `KENPO_OIDC_MFA` | what shows multi-factor authentication: `amr:<v,…>` or `acr:<v,…>` | `amr:mfa,otp,hwk,swk` |
//! | `KENPO_OIDC_JWKS_MIN_REFRESH_S` | least seconds between two reads of the JWK set for an unknown `kid` | `30` |
//!
//! The HTTP edge (timeouts, limits, trusted proxies) is configured in [`crate::edge`].

use std::path::{Path, PathBuf};

use anyhow::Context;
use kenpo_infrastructure::secret_file;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::auth::oidc::{JwksSource, MfaRule};
use crate::auth::{OidcConfig, SigningKey};

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

/// The `KENPO_OIDC_*` variables.
const OIDC_VARIABLES: &[&str] = &[
    "KENPO_OIDC_ISSUER",
    "KENPO_OIDC_AUDIENCE",
    "KENPO_OIDC_JWKS_URL",
    "KENPO_OIDC_JWKS_FILE",
    "KENPO_OIDC_STAFF_CLAIM",
    "KENPO_OIDC_ROLES_CLAIM",
    "KENPO_OIDC_MFA",
    "KENPO_OIDC_JWKS_MIN_REFRESH_S",
];

fn variable(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The identity provider, when `KENPO_OIDC_ISSUER` is set. Any other `KENPO_OIDC_*` without
/// an issuer is refused (a half-configured IdP must not fall back to development tokens).
pub fn identity_provider() -> anyhow::Result<Option<OidcConfig>> {
    let Some(issuer) = variable("KENPO_OIDC_ISSUER") else {
        if let Some(name) = OIDC_VARIABLES.iter().find(|name| variable(name).is_some()) {
            anyhow::bail!("{name} is set but KENPO_OIDC_ISSUER is not: configure the identity provider completely or not at all");
        }
        return Ok(None);
    };
    let audience = variable("KENPO_OIDC_AUDIENCE")
        .context("KENPO_OIDC_AUDIENCE is required with KENPO_OIDC_ISSUER")?;
    let jwks = match (
        variable("KENPO_OIDC_JWKS_URL"),
        variable("KENPO_OIDC_JWKS_FILE"),
    ) {
        (Some(url), None) => {
            jwks_url_is_local(&url)?;
            JwksSource::Url(url)
        }
        (None, Some(path)) => JwksSource::File(PathBuf::from(path)),
        _ => anyhow::bail!(
            "set exactly one of KENPO_OIDC_JWKS_URL and KENPO_OIDC_JWKS_FILE with KENPO_OIDC_ISSUER"
        ),
    };
    let mfa = match variable("KENPO_OIDC_MFA") {
        Some(rule) => MfaRule::parse(&rule).map_err(|e| anyhow::anyhow!("KENPO_OIDC_MFA: {e}"))?,
        None => MfaRule::default(),
    };
    let min_refresh = match variable("KENPO_OIDC_JWKS_MIN_REFRESH_S") {
        Some(seconds) => seconds
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .context("KENPO_OIDC_JWKS_MIN_REFRESH_S must be 1 to 3600 seconds")?,
        None => 30,
    };
    Ok(Some(OidcConfig {
        issuer,
        audience,
        jwks,
        staff_claim: variable("KENPO_OIDC_STAFF_CLAIM").unwrap_or_else(|| "sub".to_owned()),
        roles_claim: variable("KENPO_OIDC_ROLES_CLAIM").unwrap_or_else(|| "roles".to_owned()),
        mfa,
        min_refresh: std::time::Duration::from_secs(min_refresh),
    }))
}

/// This build has no TLS client: a JWK set URL must be `http://` on a loopback address (a
/// local proxy in front of the IdP); otherwise use `KENPO_OIDC_JWKS_FILE`.
fn jwks_url_is_local(url: &str) -> anyhow::Result<()> {
    let host = url
        .strip_prefix("http://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .map(|authority| {
            authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host)
        })
        .map(|host| match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        });
    let local = host.is_some_and(|host| {
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    if !local {
        anyhow::bail!("KENPO_OIDC_JWKS_URL must be http:// on a loopback address (this build has no TLS client): put a local proxy in front of the identity provider, or keep the JWK set in KENPO_OIDC_JWKS_FILE");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::jwks_url_is_local;

    #[test]
    fn only_a_loopback_jwks_url_is_accepted() {
        assert!(jwks_url_is_local("http://127.0.0.1:8081/jwks").is_ok());
        assert!(jwks_url_is_local("http://localhost/jwks").is_ok());
        assert!(jwks_url_is_local("http://[::1]:9/jwks").is_ok());
        assert!(jwks_url_is_local("https://idp.example.jp/jwks").is_err());
        assert!(jwks_url_is_local("http://idp.example.jp/jwks").is_err());
        assert!(jwks_url_is_local("http://127.0.0.1.evil.example/jwks").is_err());
        assert!(jwks_url_is_local("http://127.0.0.1@evil.example/jwks").is_err());
    }
}
