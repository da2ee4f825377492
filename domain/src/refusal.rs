//! [`Refusal`]: what every domain error has in common — a stable code and a
//! [`RefusalCategory`] saying how the API answers it. The API maps any refusal with one
//! function (`kenpo_api::problem::refusal`) instead of one per area.

use std::fmt::Display;

use serde::{Deserialize, Serialize};

/// How a refusal maps onto HTTP: `Invalid` → 422, `Conflict` → 409, `NotFound` → 404,
/// `Forbidden` → 403, `Internal` → 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCategory {
    /// The command contradicts a rule whatever the state (a wrong date for the reason given).
    Invalid,
    /// The command conflicts with the current state (a second active qualification).
    Conflict,
    /// The thing the command refers to does not exist.
    NotFound,
    /// The actor may not do this (the two-person rule on staff accounts).
    Forbidden,
    /// Not a refusal but an internal failure the caller cannot fix (a sealing failure of the
    /// 個人番号 record): the message is logged, never shown.
    Internal,
}

/// A command refused by an aggregate (or a value refused by a rule). The message
/// ([`Display`]) is English with the Japanese term and never carries a 個人番号.
pub trait Refusal: Display {
    /// The stable snake_case code for API problem documents.
    fn code(&self) -> &'static str;
    /// How the refusal maps onto HTTP.
    fn category(&self) -> RefusalCategory;
}

/// Implements [`Refusal`] for a domain error by its inherent `code` and `category` methods
/// (which stay, so callers need not import the trait).
macro_rules! refusal_by_inherent_methods {
    ($error:ty) => {
        impl $crate::refusal::Refusal for $error {
            fn code(&self) -> &'static str {
                <$error>::code(self)
            }

            fn category(&self) -> $crate::refusal::RefusalCategory {
                <$error>::category(self)
            }
        }
    };
}
pub(crate) use refusal_by_inherent_methods;
