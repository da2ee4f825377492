//! Money: integer yen (円). ARCHITECTURE.md: "Money is integer yen".

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// An amount of money in whole yen (円). Never a float; rounding rules live with the rule
/// that needs them (for example [`Yen::floor_to`] for the 1,000-yen floor of 健康保険法45条).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Yen(i64);

impl Yen {
    /// Zero yen.
    pub const ZERO: Yen = Yen(0);

    /// Wraps an amount in yen.
    pub const fn new(amount: i64) -> Self {
        Yen(amount)
    }

    /// The amount in yen.
    pub const fn amount(self) -> i64 {
        self.0
    }

    /// True for an amount below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Rounds down (切捨て) to a multiple of `unit` yen. Amounts are floored towards
    /// negative infinity, so `floor_to(1_000)` of 1,234,567 is 1,234,000.
    /// `unit` must be positive; a non-positive unit returns the amount unchanged.
    pub const fn floor_to(self, unit: i64) -> Self {
        if unit <= 0 {
            return self;
        }
        Yen(self.0.div_euclid(unit) * unit)
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Yen) -> Yen {
        Ord::min(self, other)
    }

    /// The larger of two amounts.
    pub fn max(self, other: Yen) -> Yen {
        Ord::max(self, other)
    }
}

impl From<i64> for Yen {
    fn from(amount: i64) -> Self {
        Yen(amount)
    }
}

impl fmt::Display for Yen {
    /// `1,234,000円`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{grouped}円")
    }
}

impl Add for Yen {
    type Output = Yen;
    fn add(self, rhs: Yen) -> Yen {
        Yen(self.0 + rhs.0)
    }
}

impl AddAssign for Yen {
    fn add_assign(&mut self, rhs: Yen) {
        self.0 += rhs.0;
    }
}

impl Sub for Yen {
    type Output = Yen;
    fn sub(self, rhs: Yen) -> Yen {
        Yen(self.0 - rhs.0)
    }
}

impl SubAssign for Yen {
    fn sub_assign(&mut self, rhs: Yen) {
        self.0 -= rhs.0;
    }
}

impl Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        iter.fold(Yen::ZERO, Add::add)
    }
}

impl utoipa::PartialSchema for Yen {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some("An amount in whole yen (円)."))
            .examples([serde_json::json!(300000)])
            .into()
    }
}

impl utoipa::ToSchema for Yen {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_to_thousand() {
        assert_eq!(Yen::new(1_234_567).floor_to(1_000), Yen::new(1_234_000));
        assert_eq!(Yen::new(999).floor_to(1_000), Yen::ZERO);
        assert_eq!(Yen::new(5_000).floor_to(1_000), Yen::new(5_000));
    }

    #[test]
    fn displays_with_separators() {
        assert_eq!(Yen::new(1_234_000).to_string(), "1,234,000円");
        assert_eq!(Yen::new(58_000).to_string(), "58,000円");
        assert_eq!(Yen::new(0).to_string(), "0円");
        assert_eq!(Yen::new(-1_000).to_string(), "-1,000円");
    }

    #[test]
    fn serializes_as_integer() {
        assert_eq!(
            serde_json::to_string(&Yen::new(300_000)).ok(),
            Some("300000".to_string())
        );
        let parsed: Result<Yen, _> = serde_json::from_str("58000");
        assert_eq!(parsed.ok(), Some(Yen::new(58_000)));
    }
}
