//! Access tokens of the society's identity provider (IdP, 認証基盤; OpenID Connect).
//!
//! When an IdP is configured ([`crate::config::identity_provider`]) these are the only tokens
//! the API accepts: signed with RS256, ES256 or EdDSA by a key of the IdP's JWK set (never
//! HS256, never `none`), issued by the configured issuer for the configured audience, within
//! `exp`/`nbf` give or take [`LEEWAY_SECONDS`]. The JWK set is fetched once at start and again
//! when a token names a key id (`kid`) not in the cache (a key rotated at the IdP), at most once
//! per [`OidcConfig::min_refresh`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::role::Role;
use super::token::Claims;
use crate::problem::ApiError;

/// The clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;
/// The largest JWK set read (bytes).
const JWKS_LIMIT: usize = 1 << 20;
/// The `amr` values (RFC 8176) that show multi-factor authentication by default.
pub const DEFAULT_MFA_AMR: &[&str] = &["mfa", "otp", "hwk", "swk"];

/// Where the IdP's JWK set is read.
#[derive(Debug, Clone)]
pub enum JwksSource {
    /// `http://` on a loopback address (this build has no TLS client: put a local proxy in
    /// front of the IdP, or use a file).
    Url(String),
    /// A file kept up to date by operations; read again like the URL.
    File(PathBuf),
}

/// What shows that the user authenticated with more than one factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaRule {
    /// The `amr` claim holds one of these values.
    Amr(Vec<String>),
    /// The `acr` claim is one of these values.
    Acr(Vec<String>),
}

impl Default for MfaRule {
    fn default() -> Self {
        Self::Amr(DEFAULT_MFA_AMR.iter().map(|v| (*v).to_owned()).collect())
    }
}

impl MfaRule {
    /// `amr:v1,v2` or `acr:v1,v2`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (claim, values) = text
            .split_once(':')
            .ok_or_else(|| format!("'{text}' is not amr:<values> or acr:<values>"))?;
        let values: Vec<String> = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        if values.is_empty() {
            return Err(format!("'{text}' names no value"));
        }
        match claim.trim() {
            "amr" => Ok(Self::Amr(values)),
            "acr" => Ok(Self::Acr(values)),
            other => Err(format!("unknown claim '{other}': use amr or acr")),
        }
    }

    fn satisfied_by(&self, claims: &Map<String, Value>) -> bool {
        match self {
            Self::Amr(wanted) => claims
                .get("amr")
                .and_then(Value::as_array)
                .is_some_and(|amr| {
                    amr.iter()
                        .filter_map(Value::as_str)
                        .any(|v| wanted.iter().any(|w| w == v))
                }),
            Self::Acr(wanted) => claims
                .get("acr")
                .and_then(Value::as_str)
                .is_some_and(|acr| wanted.iter().any(|w| w == acr)),
        }
    }
}

/// The configured identity provider.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Required `iss`.
    pub issuer: String,
    /// Required in `aud`.
    pub audience: String,
    pub jwks: JwksSource,
    /// The claim holding the staff user id (職員ID); default `sub`.
    pub staff_claim: String,
    /// The claim holding the roles (an array of strings, or one space-separated string);
    /// default `roles`.
    pub roles_claim: String,
    pub mfa: MfaRule,
    /// The JWK set is fetched again for an unknown `kid` at most this often.
    pub min_refresh: Duration,
}

/// Why an IdP token was refused. Each has a stable problem code ([`OidcError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's algorithm is not accepted: the identity provider's tokens are RS256, ES256 or EdDSA")]
    Algorithm,
    #[error("the token's key (kid) is not one of the identity provider's keys")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by another issuer")]
    Issuer,
    #[error("the token is for another audience")]
    Audience,
    #[error("the token lacks a required claim ({0})")]
    Claims(String),
    #[error("the identity provider's keys cannot be read: {0}")]
    Unavailable(String),
}

impl OidcError {
    /// The problem code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "token_malformed",
            Self::Algorithm => "token_algorithm",
            Self::UnknownKey => "token_unknown_key",
            Self::Signature => "token_signature",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::Issuer => "token_issuer",
            Self::Audience => "token_audience",
            Self::Claims(_) => "token_claims",
            Self::Unavailable(_) => "identity_provider_unavailable",
        }
    }
}

impl From<OidcError> for ApiError {
    fn from(error: OidcError) -> Self {
        let status = match error {
            OidcError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        };
        ApiError::new(
            status,
            error.code(),
            "Authentication required",
            error.to_string(),
        )
    }
}

/// A verified IdP token.
#[derive(Debug, Clone)]
pub struct Verified {
    /// `sub` is the staff id from the configured claim, `roles` those of the roles claim that
    /// kenpo knows (others are ignored).
    pub claims: Claims,
    /// Whether the token shows multi-factor authentication ([`MfaRule`]).
    pub multi_factor: bool,
}

/// The IdP: its configuration and a cache of its keys.
pub struct IdentityProvider {
    config: OidcConfig,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, Jwk>>,
    /// When the JWK set was last read; held while reading it, so one request reads for all.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
    fetches: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProvider")
            .field("issuer", &self.config.issuer)
            .field("audience", &self.config.audience)
            .finish_non_exhaustive()
    }
}

const ACCEPTED: [Algorithm; 3] = [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

impl IdentityProvider {
    pub fn new(config: OidcConfig) -> Result<Self, OidcError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Unavailable(e.to_string()))?;
        Ok(Self {
            config,
            client,
            keys: RwLock::new(HashMap::new()),
            last_fetch: tokio::sync::Mutex::new(None),
            fetches: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// Read the JWK set now (at start); the number of usable keys.
    pub async fn load(&self) -> Result<usize, OidcError> {
        let mut last = self.last_fetch.lock().await;
        self.refresh(&mut last).await
    }

    /// How many times the JWK set was read.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn refresh(&self, last: &mut Option<Instant>) -> Result<usize, OidcError> {
        *last = Some(Instant::now());
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let bytes = match &self.config.jwks {
            JwksSource::Url(url) => {
                let response = self
                    .client
                    .get(url)
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| OidcError::Unavailable(e.without_url().to_string()))?;
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| OidcError::Unavailable(e.without_url().to_string()))?;
                bytes.to_vec()
            }
            JwksSource::File(path) => tokio::fs::read(path)
                .await
                .map_err(|e| OidcError::Unavailable(format!("{}: {e}", path.display())))?,
        };
        if bytes.len() > JWKS_LIMIT {
            return Err(OidcError::Unavailable(
                "the JWK set is too large".to_owned(),
            ));
        }
        let keys = parse_jwks(&bytes)?;
        let usable = keys.len();
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys;
        tracing::info!(keys = usable, "read the identity provider's keys");
        Ok(usable)
    }

    fn cached(&self, kid: &str) -> Option<Jwk> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    /// The key `kid`, reading the JWK set again when it is unknown (rate-limited).
    async fn key(&self, kid: &str) -> Result<Jwk, OidcError> {
        if let Some(jwk) = self.cached(kid) {
            return Ok(jwk);
        }
        let mut last = self.last_fetch.lock().await;
        // another request may have read the set while this one waited
        if let Some(jwk) = self.cached(kid) {
            return Ok(jwk);
        }
        if last.is_some_and(|at| at.elapsed() < self.config.min_refresh) {
            return Err(OidcError::UnknownKey);
        }
        self.refresh(&mut last).await?;
        self.cached(kid).ok_or(OidcError::UnknownKey)
    }

    /// Verify `token`: algorithm, key, signature, issuer, audience, expiry; then the claims
    /// kenpo reads.
    pub async fn verify(&self, token: &str) -> Result<Verified, OidcError> {
        let header = decode_header(token).map_err(|_| OidcError::Malformed)?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(OidcError::Algorithm);
        }
        let kid = header.kid.as_deref().ok_or(OidcError::UnknownKey)?;
        let jwk = self.key(kid).await?;
        if !fits(&jwk, header.alg) {
            return Err(OidcError::Algorithm);
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| OidcError::Signature)?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let claims = decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => OidcError::Signature,
                ErrorKind::ExpiredSignature => OidcError::Expired,
                ErrorKind::ImmatureSignature => OidcError::NotYetValid,
                ErrorKind::InvalidIssuer => OidcError::Issuer,
                ErrorKind::InvalidAudience => OidcError::Audience,
                ErrorKind::MissingRequiredClaim(claim) => OidcError::Claims(claim.clone()),
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    OidcError::Algorithm
                }
                ErrorKind::InvalidEcdsaKey
                | ErrorKind::InvalidRsaKey(_)
                | ErrorKind::InvalidKeyFormat => OidcError::Signature,
                _ => OidcError::Malformed,
            })?
            .claims;
        let staff = claims
            .get(&self.config.staff_claim)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .ok_or_else(|| OidcError::Claims(self.config.staff_claim.clone()))?
            .to_owned();
        let roles = roles(claims.get(&self.config.roles_claim));
        let multi_factor = self.config.mfa.satisfied_by(&claims);
        Ok(Verified {
            claims: Claims {
                sub: staff,
                roles,
                iss: self.config.issuer.clone(),
                iat: claims.get("iat").and_then(Value::as_i64).unwrap_or(0),
                exp: claims.get("exp").and_then(Value::as_i64).unwrap_or(0),
            },
            multi_factor,
        })
    }
}

/// The roles kenpo knows among an array of strings or a space-separated string.
fn roles(value: Option<&Value>) -> Vec<Role> {
    let names: Vec<&str> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(text)) => text.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let mut roles = Vec::new();
    for name in names {
        if let Ok(role) = serde_json::from_value::<Role>(Value::String(name.to_owned())) {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
    }
    roles
}

/// Whether the key is of the family `alg` needs (and, when it names one, for `alg`).
fn fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let declared = match jwk.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::RS256) => alg == Algorithm::RS256,
        Some(KeyAlgorithm::ES256) => alg == Algorithm::ES256,
        Some(KeyAlgorithm::EdDSA) => alg == Algorithm::EdDSA,
        Some(_) => false,
    };
    let family = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => alg == Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) => {
            alg == Algorithm::ES256 && ec.curve == EllipticCurve::P256
        }
        AlgorithmParameters::OctetKeyPair(okp) => {
            alg == Algorithm::EdDSA && okp.curve == EllipticCurve::Ed25519
        }
        AlgorithmParameters::OctetKey(_) => false,
    };
    declared && family
}

/// The signing keys of a JWK set by `kid`: keys without a `kid`, symmetric keys, encryption
/// keys and keys kenpo cannot read are left out.
fn parse_jwks(bytes: &[u8]) -> Result<HashMap<String, Jwk>, OidcError> {
    #[derive(serde::Deserialize)]
    struct Set {
        keys: Vec<Value>,
    }
    let set: Set = serde_json::from_slice(bytes).map_err(|_| {
        OidcError::Unavailable("the JWK set is not a JSON {\"keys\": [...]}".to_owned())
    })?;
    Ok(set
        .keys
        .into_iter()
        .filter_map(|key| serde_json::from_value::<Jwk>(key).ok())
        .filter(|jwk| !matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)))
        .filter(|jwk| {
            !matches!(
                jwk.common.public_key_use,
                Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
            )
        })
        .filter_map(|jwk| jwk.common.key_id.clone().map(|kid| (kid, jwk)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mfa_rule_reads_amr_or_acr() {
        let default = MfaRule::default();
        let claims = |v: Value| v.as_object().unwrap().clone();
        assert!(default.satisfied_by(&claims(serde_json::json!({"amr": ["pwd", "otp"]}))));
        assert!(!default.satisfied_by(&claims(serde_json::json!({"amr": ["pwd"]}))));
        assert!(!default.satisfied_by(&claims(serde_json::json!({}))));
        let acr = MfaRule::parse("acr: urn:society:mfa ").unwrap();
        assert_eq!(acr, MfaRule::Acr(vec!["urn:society:mfa".to_owned()]));
        assert!(acr.satisfied_by(&claims(serde_json::json!({"acr": "urn:society:mfa"}))));
        assert!(!acr.satisfied_by(&claims(serde_json::json!({"acr": "1"}))));
        assert!(MfaRule::parse("amr:").is_err());
        assert!(MfaRule::parse("xyz:mfa").is_err());
    }

    #[test]
    fn roles_unknown_to_kenpo_are_ignored() {
        assert_eq!(
            roles(Some(&serde_json::json!(["review", "hr_admin", "auditor"]))),
            vec![Role::Review, Role::Auditor]
        );
        assert_eq!(
            roles(Some(&serde_json::json!("qualification offline_access"))),
            vec![Role::Qualification]
        );
        assert!(roles(None).is_empty());
    }

    #[test]
    fn symmetric_and_encryption_keys_are_left_out_of_the_set() {
        let set = serde_json::json!({"keys": [
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "sig", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty": "XYZ", "kid": "odd"}
        ]});
        let keys = parse_jwks(set.to_string().as_bytes()).unwrap();
        assert_eq!(keys.keys().collect::<Vec<_>>(), vec!["sig"]);
        let sig = &keys["sig"];
        assert!(fits(sig, Algorithm::EdDSA));
        assert!(!fits(sig, Algorithm::RS256));
        // an RSA key (RFC 7517, appendix A.1) is for RS256 only, and only for the alg it names
        let rsa = |alg: Option<&str>| {
            let mut jwk = serde_json::json!({"kty": "RSA", "kid": "r", "e": "AQAB",
                "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
            if let Some(alg) = alg {
                jwk["alg"] = alg.into();
            }
            serde_json::from_value::<Jwk>(jwk).unwrap()
        };
        assert!(fits(&rsa(None), Algorithm::RS256));
        assert!(fits(&rsa(Some("RS256")), Algorithm::RS256));
        assert!(!fits(&rsa(Some("PS256")), Algorithm::RS256));
        assert!(!fits(&rsa(None), Algorithm::ES256));
    }
}
