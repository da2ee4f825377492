//! Authentication (bearer JWT) and authorisation (roles).

pub mod oidc;
mod role;
mod staff;
mod token;

pub use role::Role;
pub use staff::Staff;
pub use oidc::{IdentityProvider, OidcConfig};
pub use token::{Claims, SigningKey, TokenError, ISSUER};
