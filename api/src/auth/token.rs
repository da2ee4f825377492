//! Bearer tokens (JWT): HS256 tokens minted by `kenpo token` for development, or, when an
//! identity provider is configured, only the IdP's tokens ([`super::oidc`]).

use std::sync::Arc;

use chrono::{Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::oidc::IdentityProvider;
use super::role::Role;

/// Issuer written into and required of every token.
pub const ISSUER: &str = "kenpo";

/// The claims of a kenpo token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// Staff user id (職員ID).
    pub sub: String,
    /// Roles held by the user.
    pub roles: Vec<Role>,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// What verifies bearer tokens: the HMAC secret that signs development tokens (read from
/// configuration; never logged, never stored in the database or the repository), or the
/// society's identity provider, which then is the only source of tokens: HS256 is refused.
#[derive(Clone)]
pub struct SigningKey {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Secret(Vec<u8>),
    IdentityProvider(Arc<IdentityProvider>),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the signing secret must be at least 32 bytes")]
    SecretTooShort,
    #[error("the token is invalid: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("an identity provider is configured: tokens come from it, kenpo neither mints nor accepts HS256 tokens")]
    IdentityProviderConfigured,
}

impl SigningKey {
    pub fn new(secret: Vec<u8>) -> Result<Self, TokenError> {
        if secret.len() < 32 {
            return Err(TokenError::SecretTooShort);
        }
        Ok(Self {
            kind: Kind::Secret(secret),
        })
    }

    /// Tokens of the identity provider `idp` only.
    pub fn identity_provider(idp: Arc<IdentityProvider>) -> Self {
        Self {
            kind: Kind::IdentityProvider(idp),
        }
    }

    /// The identity provider, when tokens come from one.
    pub fn idp(&self) -> Option<&Arc<IdentityProvider>> {
        match &self.kind {
            Kind::Secret(_) => None,
            Kind::IdentityProvider(idp) => Some(idp),
        }
    }

    fn secret(&self) -> Result<&[u8], TokenError> {
        match &self.kind {
            Kind::Secret(secret) => Ok(secret),
            Kind::IdentityProvider(_) => Err(TokenError::IdentityProviderConfigured),
        }
    }

    /// Mint a token for `user` with `roles`, valid for `ttl`.
    pub fn mint(&self, user: &str, roles: &[Role], ttl: Duration) -> Result<String, TokenError> {
        let now = Utc::now();
        let claims = Claims {
            sub: user.to_owned(),
            roles: roles.to_vec(),
            iss: ISSUER.to_owned(),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.secret()?),
        )?)
    }

    /// Verify signature, issuer and expiry of a development (HS256) token; refused when an
    /// identity provider is configured.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let secret = self.secret()?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        Ok(decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)?.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_verifies_and_another_key_refuses_it() {
        let key = SigningKey::new(vec![7; 32]).unwrap();
        let token = key
            .mint("u1", &[Role::Qualification], Duration::minutes(5))
            .unwrap();
        let claims = key.verify(&token).unwrap();
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.roles, vec![Role::Qualification]);
        let other = SigningKey::new(vec![8; 32]).unwrap();
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let key = SigningKey::new(vec![7; 32]).unwrap();
        let token = key
            .mint("u1", &[Role::Qualification], Duration::minutes(-10))
            .unwrap();
        assert!(key.verify(&token).is_err());
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(SigningKey::new(vec![1; 8]).is_err());
    }
}
