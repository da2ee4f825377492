//! [`YearMonth`]: a calendar month (年月), e.g. 改定年月 (digest.md §1.1 #29).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use super::error::DateParseError;
use super::wareki::{normalize, parse_parts, small_number};
use super::Date;

/// A year and month (年月). Serialized as ISO 8601 `YYYY-MM`; deserialized from that or from
/// 和暦 `令和7年9月`, `令和元年5月`, `R7.9`, `R07.09`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// Parses a year-month in ISO (`2025-09`) or 和暦 (`令和7年9月`, `R7.9`, `R07.09`). A 和暦
/// month none of whose days is in the era (平成31年5月, 令和元年4月) is refused.
pub fn parse_year_month(s: &str) -> Result<YearMonth, DateParseError> {
    let text = normalize(s);
    let unrecognized = || DateParseError::UnrecognizedYearMonth {
        input: s.to_string(),
    };
    let no_such = || DateParseError::NoSuchDate {
        input: s.to_string(),
    };
    if let Some((y, m)) = text.split_once('-') {
        if y.len() != 4 || m.len() != 2 {
            return Err(unrecognized());
        }
        let year = small_number(y, 4).ok_or_else(unrecognized)?;
        let month = small_number(m, 2).ok_or_else(unrecognized)?;
        return YearMonth::new(year as i32, month).ok_or_else(no_such);
    }
    let parts = parse_parts(&text, false).ok_or_else(unrecognized)?;
    let ym =
        YearMonth::new(parts.era.gregorian_year(parts.year), parts.month).ok_or_else(no_such)?;
    let (first, last) = (ym.first_day().naive(), ym.last_day().naive());
    let era = parts.era;
    let overlaps = last >= era.first_day() && era.last_day().is_none_or(|end| first <= end);
    if !overlaps {
        return Err(DateParseError::OutsideEra {
            input: s.to_string(),
            era: era.kanji(),
            first: era.first_day(),
            last: era.last_day_text(),
        });
    }
    Ok(ym)
}

impl YearMonth {
    /// The month `year-month`; `None` unless `month` is 1 to 12 and the year is representable.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| YearMonth { year, month })
    }

    /// The month containing `date`.
    pub fn of(date: Date) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Gregorian year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// Month, 1 to 12.
    pub const fn month(self) -> u32 {
        self.month
    }

    /// First day of the month.
    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or(Date::from(NaiveDate::MIN))
    }

    /// Last day of the month.
    pub fn last_day(self) -> Date {
        self.add_months(1).first_day().previous_day()
    }

    /// `months` months later (negative: earlier).
    pub fn add_months(self, months: i32) -> YearMonth {
        let index = self.year * 12 + (self.month as i32 - 1) + months;
        YearMonth {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// Whole months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i32 {
        (later.year - self.year) * 12 + later.month as i32 - self.month as i32
    }
}

impl fmt::Display for YearMonth {
    /// ISO 8601, `2025-09`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_year_month(s)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = YearMonth;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a year and month as {}",
                    super::error::ACCEPTED_YEAR_MONTH_FORMS
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<YearMonth, E> {
                parse_year_month(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl utoipa::PartialSchema for YearMonth {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^\d{4}-\d{2}$"))
            .description(Some(
                "A year and month. Responses are always ISO 8601 (YYYY-MM); requests may also \
                 use 和暦: 令和7年9月, 令和元年5月, R7.9, R07.09.",
            ))
            .examples([serde_json::json!("2025-09")])
            .into()
    }
}

impl utoipa::ToSchema for YearMonth {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).expect("valid test month")
    }

    #[test]
    fn parses_iso_and_wareki() {
        assert_eq!(parse_year_month("2025-09"), Ok(ym(2025, 9)));
        assert_eq!(parse_year_month("R7.9"), Ok(ym(2025, 9)));
        assert_eq!(parse_year_month("R07.09"), Ok(ym(2025, 9)));
        assert_eq!(parse_year_month("令和7年9月"), Ok(ym(2025, 9)));
        assert_eq!(parse_year_month("令和元年5月"), Ok(ym(2019, 5)));
        assert_eq!(parse_year_month("平成31年4月"), Ok(ym(2019, 4)));
        assert_eq!(parse_year_month("平成元年1月"), Ok(ym(1989, 1)));
        assert_eq!(parse_year_month("S64.1"), Ok(ym(1989, 1)));
    }

    #[test]
    fn refuses_bad_months() {
        assert!(matches!(
            parse_year_month("平成31年5月"),
            Err(DateParseError::OutsideEra { .. })
        ));
        assert!(matches!(
            parse_year_month("令和元年4月"),
            Err(DateParseError::OutsideEra { .. })
        ));
        assert!(matches!(
            parse_year_month("2025-13"),
            Err(DateParseError::NoSuchDate { .. })
        ));
        assert!(matches!(
            parse_year_month("2025-9"),
            Err(DateParseError::UnrecognizedYearMonth { .. })
        ));
        assert!(matches!(
            parse_year_month("R7.9.1"),
            Err(DateParseError::UnrecognizedYearMonth { .. })
        ));
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(ym(2025, 11).add_months(3), ym(2026, 2));
        assert_eq!(ym(2025, 1).add_months(-1), ym(2024, 12));
        assert_eq!(
            ym(2024, 2).last_day(),
            Date::from_ymd(2024, 2, 29).expect("date")
        );
        assert_eq!(ym(2025, 4).months_until(ym(2026, 3)), 11);
    }

    #[test]
    fn serde_round_trip() {
        let value: YearMonth = serde_json::from_str("\"令和7年9月\"").expect("parses");
        assert_eq!(
            serde_json::to_string(&value).expect("serializes"),
            "\"2025-09\""
        );
    }
}
