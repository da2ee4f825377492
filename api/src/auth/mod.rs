//! Authentication (bearer JWT) and authorisation (roles).

pub mod oidc;
mod role;
mod staff;
mod token;

pub use oidc::{IdentityProvider, OidcConfig};
pub use role::Role;
pub use staff::{authenticate, Staff};
pub use token::{Claims, SigningKey, TokenError, ISSUER};
