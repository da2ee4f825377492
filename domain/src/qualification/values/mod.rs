//! Value objects of the 適用 domain. Each is parsed by a constructor returning `Result`, and
//! serde deserialization goes through that constructor, so a command body that deserialized
//! holds only valid values.

mod codes;
mod contact;
mod identification;
mod names;
mod payment_account;

pub use codes::{
    AffiliationCode, Description, EmployeeNumber, EnrollmentCategory, Relationship, Sex,
};
pub use contact::{Address, PhoneNumber};
pub use identification::{IdentificationNumber, RelationshipCode};
pub use names::{KanaName, PersonName};
pub use payment_account::{AccountType, PaymentAccount};

use thiserror::Error;

/// A value that does not meet its format: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {field}: {problem}")]
pub struct ValueError {
    /// The value's name, e.g. `kana_name (カナ氏名)`.
    pub field: &'static str,
    /// What is wrong, in English.
    pub problem: String,
}

impl ValueError {
    pub(crate) fn new(field: &'static str, problem: impl Into<String>) -> Self {
        ValueError {
            field,
            problem: problem.into(),
        }
    }
}

/// Checks that `s` is made of `min` to `max` ASCII digits.
pub(crate) fn check_digits(
    field: &'static str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<(), ValueError> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::new(field, "must contain only the digits 0-9"));
    }
    if s.len() < min || s.len() > max {
        let expected = if min == max {
            format!("exactly {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(ValueError::new(
            field,
            format!("must be {expected} digits, got {}", s.len()),
        ));
    }
    Ok(())
}

/// Trims `s` and checks it is non-empty, at most `max` characters and free of control
/// characters.
pub(crate) fn check_text(field: &'static str, s: &str, max: usize) -> Result<String, ValueError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(ValueError::new(field, "must not be empty"));
    }
    let count = trimmed.chars().count();
    if count > max {
        return Err(ValueError::new(
            field,
            format!("must be at most {max} characters, got {count}"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValueError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_string())
}

/// Declares a string value object: a newtype over `String` whose only constructor is
/// `parse`, with serde (through `TryFrom<String>`), `Display`, `AsRef<str>` and an OpenAPI
/// string schema.
macro_rules! string_value {
    ($(#[$meta:meta])* $name:ident, $example:expr, $description:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::qualification::values::ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::qualification::values::ValueError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .examples([serde_json::json!($example)])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

pub(crate) use string_value;
