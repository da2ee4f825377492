//! Value objects of the staff account registry: [`StaffId`], [`Department`], [`Role`],
//! [`Reason`] and the account's [`AccountDetails`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::Date;
use crate::qualification::values::{check_text, string_value, ValueError};

string_value!(
    /// 職員ID: a staff user's own id (no shared ids, digest.md §4.2). 1 to 64 ASCII letters,
    /// digits, `.`, `_`, `-` or `@`, starting with a letter or digit. `bootstrap` is reserved
    /// for the actor of [`super::StaffAccountCommand::Bootstrap`].
    StaffId,
    "tanaka",
    "職員ID: 1 to 64 ASCII letters, digits, '.', '_', '-' or '@', starting with a letter or digit."
);

impl StaffId {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 64;

    /// The actor recorded for a bootstrap (initial set-up) change; never a staff id.
    pub const BOOTSTRAP_ACTOR: &'static str = "bootstrap";

    /// Validates a staff id (no trimming: an id is compared byte for byte with a token's `sub`).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        const FIELD: &str = "staff id (職員ID)";
        if s.is_empty() || s.len() > Self::MAX_CHARS {
            return Err(ValueError::new(
                FIELD,
                format!("must be 1 to {} characters", Self::MAX_CHARS),
            ));
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(ValueError::new(FIELD, "must start with a letter or digit"));
        }
        if let Some(bad) = s
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
        {
            return Err(ValueError::new(
                FIELD,
                format!("`{bad}` is not allowed; use ASCII letters, digits, '.', '_', '-', '@'"),
            ));
        }
        if s == Self::BOOTSTRAP_ACTOR {
            return Err(ValueError::new(FIELD, "`bootstrap` is reserved"));
        }
        Ok(StaffId(s.to_owned()))
    }
}

string_value!(
    /// 課: the department (work unit) a staff user belongs to, e.g. 適用一課, 給付課, IT推進課
    /// (digest.md §0.2). 1 to 50 characters.
    Department,
    "適用一課",
    "課 (department): 1 to 50 characters."
);

impl Department {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 50;

    /// Trims and validates a department name.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        check_text("department (課)", s, Self::MAX_CHARS).map(Department)
    }
}

string_value!(
    /// The reason for a revocation or a rejection (e.g. 退職, 異動), 1 to 200 characters.
    Reason,
    "退職",
    "Reason: 1 to 200 characters."
);

impl Reason {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 200;

    /// Trims and validates a reason.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        check_text("reason", s, Self::MAX_CHARS).map(Reason)
    }
}

/// A role (担当) a staff user may hold, as written in the ユーザ管理簿. The names are those
/// tokens carry (snake_case); a token's roles count only where the registry holds them too.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = StaffRole)]
pub enum Role {
    /// 適用課 (適用一課・適用二課): qualification commands.
    Qualification,
    /// 給付課: benefit commands.
    Benefits,
    /// 徴収課: premium commands.
    Premiums,
    /// 審査課: claim review.
    Review,
    /// システム担当 (IT推進課): proposes account changes.
    SystemAdmin,
    /// データ保護担当者: confirms (approves) account changes.
    DataProtection,
    /// 監査: read-only audit.
    Auditor,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 7] = [
        Role::Qualification,
        Role::Benefits,
        Role::Premiums,
        Role::Review,
        Role::SystemAdmin,
        Role::DataProtection,
        Role::Auditor,
    ];

    /// The snake_case name tokens carry.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Qualification => "qualification",
            Self::Benefits => "benefits",
            Self::Premiums => "premiums",
            Self::Review => "review",
            Self::SystemAdmin => "system_admin",
            Self::DataProtection => "data_protection",
            Self::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                ValueError::new(
                    "role",
                    format!("`{s}` is not a role; use one of {}", names.join(", ")),
                )
            })
    }
}

/// What the ユーザ管理簿 records for one staff user: 課, roles, 個人番号 取扱権限 and the
/// period in which the rights apply (from the assignment date to the transfer or retirement
/// date, digest.md §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDetails {
    /// 課.
    pub department: Department,
    /// Roles held (at least one). Stored sorted, without repeats.
    pub roles: Vec<Role>,
    /// 個人番号 取扱権限: whether the user may handle My Numbers at all (off unless granted).
    #[serde(default)]
    pub my_number_permission: bool,
    /// First day the rights apply (配属日).
    pub valid_from: Date,
    /// Last day the rights apply (異動・退職日の前日); open-ended when absent.
    #[serde(default)]
    pub valid_to: Option<Date>,
}

impl AccountDetails {
    /// The same details with roles sorted and repeats removed.
    pub fn normalized(mut self) -> Self {
        self.roles.sort_unstable();
        self.roles.dedup();
        self
    }

    /// True when `date` lies in `valid_from..=valid_to`.
    pub fn is_valid_on(&self, date: Date) -> bool {
        validity_covers(self.valid_from, self.valid_to, date)
    }
}

/// True when `date` lies in `valid_from..=valid_to` (an absent `valid_to` is open-ended).
pub fn validity_covers(valid_from: Date, valid_to: Option<Date>, date: Date) -> bool {
    valid_from <= date && valid_to.is_none_or(|to| date <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_ids() {
        for ok in ["tanaka", "clerk1", "t.suzuki", "a_b-c@kenpo", "9x"] {
            assert!(StaffId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", " tanaka", "tanaka ", "田中", "-x", "bootstrap", "a b"] {
            assert!(StaffId::parse(bad).is_err(), "{bad}");
        }
        assert!(StaffId::parse(&"a".repeat(64)).is_ok());
        assert!(StaffId::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_value(role).ok(),
                Some(serde_json::json!(role.as_str()))
            );
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn validity_is_inclusive_at_both_ends() {
        let from = Date::fixed(2026, 4, 1);
        let to = Some(Date::fixed(2027, 3, 31));
        assert!(!validity_covers(from, to, Date::fixed(2026, 3, 31)));
        assert!(validity_covers(from, to, from));
        assert!(validity_covers(from, to, Date::fixed(2027, 3, 31)));
        assert!(!validity_covers(from, to, Date::fixed(2027, 4, 1)));
        assert!(validity_covers(from, None, Date::fixed(2099, 1, 1)));
    }
}
