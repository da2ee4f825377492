//! Authentication (bearer JWT) and authorisation (roles).

mod role;
mod staff;
mod token;

pub use role::Role;
pub use staff::Staff;
pub use token::{Claims, SigningKey, TokenError, ISSUER};
