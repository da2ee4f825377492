//! [`ParameterValue`]: a rate, an amount in yen or a grade-table version, and the checks each
//! key puts on it.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::error::ParameterError;
use super::key::{ParameterKey, ValueKind};
use crate::calendar::Date;
use crate::money::Yen;
use crate::standard_remuneration::{self, GRADE_TABLE_IN_FORCE_FROM};

/// Decimal places a rate may have (a rate per mille with three decimals, e.g. 0.098765).
pub const RATE_MAX_DECIMALS: u32 = 6;

/// The 標準報酬月額 grade tables kenpo has compiled in, by their first day.
pub const KNOWN_GRADE_TABLES: [Date; 1] = [GRADE_TABLE_IN_FORCE_FROM];

/// A parameter's value. Stored in events as `{"rate": "0.0985"}`, `{"yen": 500000}` or
/// `{"grade_table": "2016-04-01"}`; rates are exact decimals, never floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterValue {
    Rate(Decimal),
    Yen(Yen),
    GradeTable(Date),
}

impl ParameterValue {
    /// The kind of value.
    pub const fn kind(&self) -> ValueKind {
        match self {
            Self::Rate(_) => ValueKind::Rate,
            Self::Yen(_) => ValueKind::Yen,
            Self::GradeTable(_) => ValueKind::GradeTable,
        }
    }

    /// The value as text: "0.0985", "500000", "2016-04-01" (`ParameterRef::value`).
    pub fn to_text(&self) -> String {
        self.to_string()
    }

    /// The rate, if this is one.
    pub fn as_rate(&self) -> Option<Decimal> {
        match self {
            Self::Rate(r) => Some(*r),
            _ => None,
        }
    }

    /// The amount, if this is one.
    pub fn as_yen(&self) -> Option<Yen> {
        match self {
            Self::Yen(y) => Some(*y),
            _ => None,
        }
    }

    /// The grade table's first day, if this is one.
    pub fn as_grade_table(&self) -> Option<Date> {
        match self {
            Self::GradeTable(d) => Some(*d),
            _ => None,
        }
    }

    /// Read back a value of `kind` from its text ([`ParameterValue::to_text`]) without the
    /// entry checks: for values already recorded (a later, stricter check must not make a
    /// recorded value unreadable).
    pub fn from_text(kind: ValueKind, text: &str) -> Option<Self> {
        match kind {
            ValueKind::Rate => text.parse().ok().map(Self::Rate),
            ValueKind::Yen => text.parse().ok().map(|n| Self::Yen(Yen::new(n))),
            ValueKind::GradeTable => crate::calendar::parse(text).ok().map(Self::GradeTable),
        }
    }

    /// Read `raw` as a value of `key`'s kind and check it ([`ParameterValue::check`]).
    pub fn parse(key: ParameterKey, raw: &RawValue) -> Result<Self, ParameterError> {
        let wrong = || ParameterError::WrongKind {
            key,
            kind: key.kind(),
            given: raw.to_string(),
        };
        let value = match (key.kind(), raw) {
            (ValueKind::Rate, RawValue::Text(text)) => {
                let rate: Decimal = text.trim().parse().map_err(|_| wrong())?;
                Self::Rate(rate)
            }
            (ValueKind::Rate, RawValue::Integer(n)) => Self::Rate(Decimal::from(*n)),
            (ValueKind::Yen, RawValue::Integer(n)) => Self::Yen(Yen::new(*n)),
            (ValueKind::Yen, RawValue::Text(text)) => {
                let digits = text.trim().replace([',', '_'], "");
                let digits = digits.strip_suffix('円').unwrap_or(&digits);
                Self::Yen(Yen::new(digits.parse().map_err(|_| wrong())?))
            }
            (ValueKind::GradeTable, RawValue::Text(text)) => {
                Self::GradeTable(crate::calendar::parse(text).map_err(|_| wrong())?)
            }
            (ValueKind::GradeTable, RawValue::Integer(_)) => return Err(wrong()),
        };
        value.check(key)?;
        Ok(value)
    }

    /// Whether this value may be recorded for `key`: the kind matches; a rate is
    /// 0 ≤ r < 1 with at most [`RATE_MAX_DECIMALS`] decimals and within the key's statutory
    /// range; an amount is more than 0 (and a 標準報酬月額 where the key is one); a grade
    /// table is one kenpo knows.
    pub fn check(&self, key: ParameterKey) -> Result<(), ParameterError> {
        if self.kind() != key.kind() {
            return Err(ParameterError::WrongKind {
                key,
                kind: key.kind(),
                given: self.to_text(),
            });
        }
        match self {
            Self::Rate(rate) => check_rate(key, *rate),
            Self::Yen(amount) => check_yen(key, *amount),
            Self::GradeTable(first_day) => {
                if KNOWN_GRADE_TABLES.contains(first_day) {
                    Ok(())
                } else {
                    Err(ParameterError::UnknownGradeTable { given: *first_day })
                }
            }
        }
    }
}

/// The range a key's rate must lie in, `[low, high)` or `[low, high]`, with its source.
struct RateRange {
    low: Decimal,
    high: Decimal,
    high_inclusive: bool,
    source: &'static str,
}

fn rate_range(key: ParameterKey) -> RateRange {
    match key {
        // 30/1000–130/1000 (160条13項 applying 1項 to 健保組合; rules.md §3.2)
        ParameterKey::GeneralPremiumRate => RateRange {
            low: Decimal::new(3, 2),
            high: Decimal::new(13, 2),
            high_inclusive: true,
            source: "健保法160条13項 (30/1000–130/1000)",
        },
        // the 規約 may only raise the employer's share (162条)
        ParameterKey::EmployerShare => RateRange {
            low: Decimal::new(5, 1),
            high: Decimal::ONE,
            high_inclusive: false,
            source: "健保法161条1項・162条 (労使折半; the 規約 may raise the employer's share)",
        },
        _ => RateRange {
            low: Decimal::ZERO,
            high: Decimal::ONE,
            high_inclusive: false,
            source: "a rate is a fraction 0 ≤ r < 1",
        },
    }
}

fn check_rate(key: ParameterKey, rate: Decimal) -> Result<(), ParameterError> {
    let decimals = rate.normalize().scale();
    if decimals > RATE_MAX_DECIMALS {
        return Err(ParameterError::TooManyDecimals {
            key,
            given: rate,
            decimals,
        });
    }
    let range = rate_range(key);
    let below = rate < range.low;
    let above = if range.high_inclusive {
        rate > range.high
    } else {
        rate >= range.high
    };
    if below || above {
        return Err(ParameterError::RateOutOfRange {
            key,
            given: rate.normalize(),
            low: range.low,
            high: range.high,
            high_inclusive: range.high_inclusive,
            basis: range.source,
        });
    }
    Ok(())
}

fn check_yen(key: ParameterKey, amount: Yen) -> Result<(), ParameterError> {
    if amount.amount() <= 0 {
        return Err(ParameterError::NotPositive { key, given: amount });
    }
    let is_monthly_remuneration = matches!(
        key,
        ParameterKey::VoluntaryContinuationCap | ParameterKey::SicknessAllowanceBaseUnder12Months
    );
    if is_monthly_remuneration && standard_remuneration::grade_for(amount).amount != amount {
        return Err(ParameterError::NotAGradeAmount {
            key,
            given: amount,
            nearest: standard_remuneration::grade_for(amount).amount,
        });
    }
    Ok(())
}

impl fmt::Display for ParameterValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rate(rate) => write!(f, "{}", rate.normalize()),
            Self::Yen(amount) => write!(f, "{}", amount.amount()),
            Self::GradeTable(first_day) => write!(f, "{first_day}"),
        }
    }
}

/// A value as a client sends it: a JSON string ("0.0985", "500000", "2016-04-01") or a JSON
/// integer (500000). A JSON fraction (0.0985) is refused: it would pass through a float.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    Text(String),
    Integer(i64),
}

impl fmt::Display for RawValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => write!(f, "{text:?}"),
            Self::Integer(n) => write!(f, "{n}"),
        }
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RawValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a rate as a decimal string (\"0.0985\"), an amount in yen (500000) or a grade table's first day (\"2016-04-01\")",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Text(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawValue, E> {
                Ok(RawValue::Integer(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawValue, E> {
                i64::try_from(v)
                    .map(RawValue::Integer)
                    .map_err(|_| E::custom("the amount is too large"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawValue, E> {
                Err(E::custom(format!(
                    "give a rate as a decimal string, e.g. \"{v}\", not a JSON number: rates are kept exact"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
