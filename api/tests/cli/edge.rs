//! The HTTP edge of the real `kenpo serve`: connections that stall in the middle of their
//! request head are closed, an oversized body is answered 413 before authentication, the
//! request id is the server's own (the client's is kept apart), and the client address comes
//! from `X-Forwarded-For` only through a configured trusted proxy.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::bodies::acquisition;
use crate::{database_url, kenpo_binary};
use kenpo_api::application::staff::{bootstrap_account, BootstrapMode};
use kenpo_api::auth::{Role, SigningKey};
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{self as registry, AccountDetails, Department, StaffId};
use serde_json::Value;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

const SECRET: &str = "edge-test-signing-secret-of-32-bytes!";

/// A running `kenpo serve`, killed when dropped.
struct Serve {
    child: Child,
    address: String,
    home: std::path::PathBuf,
}

impl Serve {
    fn start(pool: &PgPool, env: &[(&str, &str)]) -> Serve {
        let home = std::env::temp_dir().join(format!("kenpo-edge-{}", Uuid::new_v4()));
        let mut child = Command::new(kenpo_binary())
            .arg("serve")
            .env("DATABASE_URL", database_url(pool))
            .env("KENPO_HOME", &home)
            .env("KENPO_LISTEN", "127.0.0.1:0")
            .env("KENPO_JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .envs(crate::TEST_KEYS)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut address = None;
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("kenpo is serving the API at http://") {
                address = rest.split('/').next().map(str::to_owned);
                break;
            }
        }
        let address = address.expect("kenpo serve did not start (its stderr is above)");
        // keep reading what it prints, or its next line would kill it (broken pipe)
        std::thread::spawn(move || lines.for_each(drop));
        Serve {
            child,
            address,
            home,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

async fn clerk(pool: &PgPool) -> String {
    let details = AccountDetails {
        department: Department::parse("適用一課").unwrap(),
        roles: vec![registry::Role::Qualification],
        my_number_permission: false,
        valid_from: Date::from_ymd(2000, 1, 1).unwrap(),
        valid_to: None,
    };
    bootstrap_account(
        pool,
        &kenpo_api::startup::upcasters(),
        StaffId::parse("clerk1").unwrap(),
        details,
        BootstrapMode::Force,
    )
    .await
    .unwrap();
    SigningKey::new(SECRET.as_bytes().to_vec())
        .unwrap()
        .mint(
            "clerk1",
            &[Role::Qualification],
            chrono::Duration::minutes(10),
        )
        .unwrap()
}

/// The problem+json `instance` and the `X-Request-Id` header name the same server id.
fn request_id_of(response: &reqwest::Response) -> Uuid {
    let header = response.headers()["x-request-id"].to_str().unwrap();
    let id = Uuid::parse_str(header).unwrap();
    assert_eq!(id.get_version_num(), 7, "a UUID v7 made by the server");
    id
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn kenpo_serve_closes_stalled_connections_and_limits_bodies_before_authentication(
    pool: PgPool,
) {
    let serve = Serve::start(&pool, &[("KENPO_HEADER_READ_TIMEOUT_SECS", "1")]);

    // connections that send half a request head and stall, one that sends nothing, and one
    // that is answered and then idles (keep-alive)
    let mut stalled = Vec::new();
    for n in 0..6 {
        let mut stream = tokio::net::TcpStream::connect(&serve.address)
            .await
            .unwrap();
        let sent: &[u8] = match n {
            0 => b"",
            1 => b"GET /healthz HTTP/1.1\r\nHost: kenpo\r\n\r\n",
            _ => b"GET /healthz HTTP/1.1\r\nHost: kenpo\r\nX-Slow: ",
        };
        stream.write_all(sent).await.unwrap();
        stalled.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for (n, stream) in stalled.iter_mut().enumerate() {
        let mut buf = [0_u8; 1024];
        // closed: the read ends at once (EOF, or a 408 answer then EOF, or a reset)
        let closed = loop {
            match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await {
                Err(_) => break false,
                Ok(Ok(0)) | Ok(Err(_)) => break true,
                Ok(Ok(_)) => continue,
            }
        };
        assert!(
            closed,
            "connection {n} is still open 2.5 s after it stalled"
        );
    }

    // 2 MiB announced, without a token: 413 problem+json at once, not 401 (the body is not
    // even waited for)
    let mut stream = tokio::net::TcpStream::connect(&serve.address)
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/acquisitions HTTP/1.1\r\nHost: kenpo\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b' '; 4096]).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").expect(&answer);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    let id = head
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .expect(head);
    let problem: Value = serde_json::from_str(body).expect(body);
    assert_eq!(problem["code"], "body_too_large");
    assert_eq!(problem["instance"], format!("urn:uuid:{id}"));
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_request_id_is_the_servers_and_a_forwarded_address_counts_only_from_a_trusted_proxy(
    pool: PgPool,
) {
    let token = clerk(&pool).await;
    let client = reqwest::Client::new();
    let forwarded_for = "198.51.100.1, 203.0.113.7, 127.0.0.1";
    for (trusted, expected_address) in [
        ("", "127.0.0.1"),
        ("10.0.0.0/8,127.0.0.1/32", "203.0.113.7"),
    ] {
        let serve = Serve::start(&pool, &[("KENPO_TRUSTED_PROXIES", trusted)]);
        let person_id = Uuid::now_v7();
        let response = client
            .post(serve.url("/api/v1/acquisitions"))
            .bearer_auth(&token)
            .header("x-request-id", "client-chosen-id")
            .header("x-forwarded-for", forwarded_for)
            .json(&acquisition(person_id, "500", "1"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let id = request_id_of(&response);
        let metadata: Value =
            sqlx::query_scalar("SELECT metadata FROM events ORDER BY position DESC LIMIT 1")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(metadata["request_id"], id.to_string(), "{metadata}");
        assert_eq!(metadata["client_request_id"], "client-chosen-id");
        assert_eq!(
            metadata["client_address"], expected_address,
            "trusted: {trusted:?}"
        );

        // a refusal names the same id in its header and its problem+json `instance`
        let response = client
            .get(serve.url("/api/v1/no-such-route"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        let id = request_id_of(&response);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["instance"], format!("urn:uuid:{id}"));
    }
}

/// The Ed25519 key of RFC 8037, appendix A: its PKCS#8 (v1) DER and its public JWK `x`.
const IDP_ED25519_PKCS8: &str =
    "302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const IDP_ED25519_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn kenpo_serve_with_an_identity_provider_accepts_its_tokens_and_refuses_hs256(pool: PgPool) {
    let dir = std::env::temp_dir().join(format!("kenpo-idp-{}", Uuid::new_v4()));
    std::fs::create_dir(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    let idp = [
        ("KENPO_OIDC_ISSUER", "https://idp.kenpo-kumiai.test"),
        ("KENPO_OIDC_AUDIENCE", "kenpo-api"),
        ("KENPO_OIDC_JWKS_FILE", jwks.to_str().unwrap()),
    ];

    // the set cannot be read: serve refuses to start
    let refused = Command::new(kenpo_binary())
        .arg("serve")
        .env("DATABASE_URL", database_url(&pool))
        .env("KENPO_HOME", dir.join("home"))
        .env("KENPO_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .envs(crate::TEST_KEYS)
        .envs(idp)
        .output()
        .unwrap();
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("identity provider"),
        "{refused:?}"
    );

    std::fs::write(
        &jwks,
        serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "rfc8037", "x": IDP_ED25519_X}]})
            .to_string(),
    )
    .unwrap();
    let serve = Serve::start(&pool, &idp);
    let development = clerk(&pool).await;
    let now = chrono::Utc::now().timestamp();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("rfc8037".to_owned());
    let from_idp = jsonwebtoken::encode(
        &header,
        &serde_json::json!({"iss": "https://idp.kenpo-kumiai.test", "aud": ["kenpo-api"],
                            "sub": "clerk1", "roles": ["qualification"], "exp": now + 600}),
        &jsonwebtoken::EncodingKey::from_ed_der(&hex::decode(IDP_ED25519_PKCS8).unwrap()),
    )
    .unwrap();
    let client = reqwest::Client::new();
    let members = |token: String| {
        client
            .get(serve.url("/api/v1/members?kana=ヤ"))
            .bearer_auth(token)
            .send()
    };
    let response = members(from_idp).await.unwrap();
    assert_eq!(response.status(), 200);
    let response = members(development).await.unwrap();
    assert_eq!(response.status(), 401);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "token_algorithm", "{problem}");
    drop(serve);
    std::fs::remove_dir_all(&dir).unwrap();
}
