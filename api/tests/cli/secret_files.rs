//! Secret files outside the database: the token signing secret is held to the same rules as
//! the key files (issue 8, item 7).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::kenpo_binary;

fn token(secret_file: &std::path::Path) -> std::process::Output {
    Command::new(kenpo_binary())
        .args(["token", "--user", "tanaka", "--role", "qualification"])
        .env_remove("KENPO_JWT_SECRET")
        .env("KENPO_JWT_SECRET_FILE", secret_file)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn a_signing_secret_readable_by_others_is_refused_and_a_new_one_is_private() {
    let dir = std::env::temp_dir().join(format!("kenpo-jwt-{}", uuid::Uuid::new_v4()));
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();

    // created on first use: mode 0600, and no temporary file left beside it
    let path = dir.join("jwt-signing.key");
    let first = token(&path);
    assert!(first.status.success(), "{first:?}");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);

    // a secret that others may read is not used
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let refused = token(&path);
    assert!(!refused.status.success(), "a 0644 secret was used");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("chmod 600"), "{stderr}");
    assert!(refused.stdout.is_empty(), "a token was minted");
    let secret = fs::read_to_string(&path).unwrap();
    assert!(!stderr.contains(secret.trim()), "the secret was printed");

    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kenpo_token_is_refused_when_an_identity_provider_is_configured() {
    let dir = std::env::temp_dir().join(format!("kenpo-jwt-{}", uuid::Uuid::new_v4()));
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let path = dir.join("jwt-signing.key");
    let refused = Command::new(kenpo_binary())
        .args(["token", "--user", "tanaka", "--role", "qualification"])
        .env_remove("KENPO_JWT_SECRET")
        .env("KENPO_JWT_SECRET_FILE", &path)
        .env("KENPO_OIDC_ISSUER", "https://idp.kenpo-kumiai.test")
        .env("KENPO_OIDC_AUDIENCE", "kenpo-api")
        .env("KENPO_OIDC_JWKS_FILE", dir.join("jwks.json"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!refused.status.success(), "{refused:?}");
    assert!(refused.stdout.is_empty(), "no token: {refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("development only") && stderr.contains("KENPO_OIDC_ISSUER"),
        "{stderr}"
    );
    // and no development secret was made for it
    assert!(!path.exists());
    // half a configuration is refused too, rather than falling back to development tokens
    let half = Command::new(kenpo_binary())
        .args(["token", "--user", "tanaka", "--role", "qualification"])
        .env_remove("KENPO_JWT_SECRET")
        .env_remove("KENPO_OIDC_ISSUER")
        .env("KENPO_JWT_SECRET_FILE", &path)
        .env("KENPO_OIDC_AUDIENCE", "kenpo-api")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!half.status.success(), "{half:?}");
    assert!(String::from_utf8_lossy(&half.stderr).contains("KENPO_OIDC_ISSUER"));
    fs::remove_dir_all(&dir).unwrap();
}
