//! [`Date`]: a calendar date (年月日) in Japan time.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

use super::error::DateParseError;
use super::wareki::{normalize, parse_parts, small_number};
use super::YearMonth;

/// A calendar date (年月日) in Japan time (ARCHITECTURE.md: "Calendar dates are `NaiveDate` in
/// Japan time"). Serialized as ISO 8601 `YYYY-MM-DD`; deserialized from ISO or from 和暦
/// (`令和7年4月1日`, `令和元年5月1日`, `R7.4.1`, `R07.04.01`, `H31.4.30`, `S64.1.7`).
///
/// Arithmetic saturates at chrono's last representable date, hundreds of thousands of years
/// after any date this service handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

/// Parses a date written in ISO 8601 (`2025-04-01`) or in 和暦 (`令和7年4月1日`,
/// `令和元年5月1日`, `R7.4.1`, `R07.04.01`; eras 令和 R, 平成 H, 昭和 S). Full-width digits are
/// accepted. A 和暦 date outside its era (平成31年5月1日) is refused.
pub fn parse(s: &str) -> Result<Date, DateParseError> {
    let text = normalize(s);
    if let Some(date) = parse_iso(&text) {
        return date.map(Date).ok_or_else(|| DateParseError::NoSuchDate {
            input: s.to_string(),
        });
    }
    let parts = parse_parts(&text, true).ok_or_else(|| DateParseError::UnrecognizedDate {
        input: s.to_string(),
    })?;
    let day = parts.day.unwrap_or(1);
    let date = NaiveDate::from_ymd_opt(parts.era.gregorian_year(parts.year), parts.month, day)
        .ok_or_else(|| DateParseError::NoSuchDate {
            input: s.to_string(),
        })?;
    if !parts.era.contains(date) {
        return Err(DateParseError::OutsideEra {
            input: s.to_string(),
            era: parts.era.kanji(),
            first: parts.era.first_day(),
            last: parts.era.last_day_text(),
        });
    }
    Ok(Date(date))
}

/// `Some(Some(date))` for a valid ISO date, `Some(None)` for ISO shape but no such day,
/// `None` when the text is not ISO-shaped.
fn parse_iso(text: &str) -> Option<Option<NaiveDate>> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let year = small_number(y, 4)?;
    let month = small_number(m, 2)?;
    let day = small_number(d, 2)?;
    Some(NaiveDate::from_ymd_opt(year as i32, month, day))
}

impl Date {
    /// A date known at compile time; fails compilation if it does not exist.
    pub const fn fixed(year: i32, month: u32, day: u32) -> Date {
        match NaiveDate::from_ymd_opt(year, month, day) {
            Some(date) => Date(date),
            None => panic!("no such date"),
        }
    }

    /// The date `year-month-day`, or `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// The underlying chrono date.
    pub const fn naive(self) -> NaiveDate {
        self.0
    }

    /// Gregorian year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// Month, 1 to 12.
    pub fn month(self) -> u32 {
        self.0.month()
    }

    /// Day of month, 1 to 31.
    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// The next day (翌日).
    pub fn next_day(self) -> Date {
        self.add_days(1)
    }

    /// The previous day (前日).
    pub fn previous_day(self) -> Date {
        Date(self.0.checked_sub_days(Days::new(1)).unwrap_or(self.0))
    }

    /// `days` days later.
    pub fn add_days(self, days: u64) -> Date {
        Date(
            self.0
                .checked_add_days(Days::new(days))
                .unwrap_or(NaiveDate::MAX),
        )
    }

    /// `months` months later, clamped to the end of a shorter month (chrono's rule:
    /// 1/31 + 1 month = 2/28). For the 民法143条 reading of a period use [`Date::anniversary`].
    pub fn add_months(self, months: u32) -> Date {
        Date(
            self.0
                .checked_add_months(Months::new(months))
                .unwrap_or(NaiveDate::MAX),
        )
    }

    /// The day `years` years later with the same month and day (応当日); when that day does
    /// not exist (29 February in a common year) the first day of the next month.
    ///
    /// This is the day a period of `years` years starting on `self` has run out (民法143条2項:
    /// a period ends the day before the 応当日, or at the end of the month when there is none),
    /// and the birthday on which a person born on `self` is `years` old.
    /// 29 February birthdays give 1 March [inference: 民法143条2項 applied to birthdays].
    pub fn anniversary(self, years: u32) -> Date {
        let year = self.0.year().saturating_add(years as i32);
        match self.0.with_year(year) {
            Some(d) => Date(d),
            None => Date::from_ymd(year, self.0.month(), 1)
                .map_or(Date(NaiveDate::MAX), |first| first.add_months(1)),
        }
    }

    /// Completed years of age on `date` for a person born on `self` (counting a birthday as
    /// reached on the day itself, as the 75歳 rule does: rules.md §4.2).
    pub fn age_on(self, date: Date) -> u32 {
        if date < self {
            return 0;
        }
        let mut age = (date.year() - self.year()).max(0) as u32;
        while age > 0 && self.anniversary(age) > date {
            age -= 1;
        }
        age
    }

    /// The month this date is in.
    pub fn year_month(self) -> YearMonth {
        YearMonth::of(self)
    }

    /// First day of this date's month.
    pub fn first_of_month(self) -> Date {
        Date(self.0.with_day(1).unwrap_or(self.0))
    }

    /// The 年度 (fiscal year, 4/1 to 3/31) this date is in, named by the year in which it
    /// starts: 2026-03-31 is in 年度 2025 (健康保険法45条1項 for the 標準賞与額 cap, rules.md §2.6).
    pub fn fiscal_year(self) -> i32 {
        if self.month() >= 4 {
            self.year()
        } else {
            self.year() - 1
        }
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

impl fmt::Display for Date {
    /// ISO 8601, `2025-04-01`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl FromStr for Date {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl TryFrom<String> for Date {
    type Error = DateParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        parse(&s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a date as {}", super::error::ACCEPTED_DATE_FORMS)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl utoipa::PartialSchema for Date {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some(
                "A calendar date. Responses are always ISO 8601 (YYYY-MM-DD); requests may also \
                 use 和暦: 令和7年4月1日, 令和元年5月1日, R7.4.1, R07.04.01, H31.4.30, S64.1.7.",
            ))
            .examples([serde_json::json!("2025-04-01")])
            .into()
    }
}

impl utoipa::ToSchema for Date {}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).expect("valid test date")
    }

    #[test]
    fn parses_iso_and_wareki_forms() {
        assert_eq!(parse("2025-04-01"), Ok(d(2025, 4, 1)));
        assert_eq!(parse("令和7年4月1日"), Ok(d(2025, 4, 1)));
        assert_eq!(parse("令和元年5月1日"), Ok(d(2019, 5, 1)));
        assert_eq!(parse("R7.4.1"), Ok(d(2025, 4, 1)));
        assert_eq!(parse("R07.04.01"), Ok(d(2025, 4, 1)));
        assert_eq!(parse("H31.4.30"), Ok(d(2019, 4, 30)));
        assert_eq!(parse("平成31年4月30日"), Ok(d(2019, 4, 30)));
        assert_eq!(parse("S64.1.7"), Ok(d(1989, 1, 7)));
        assert_eq!(parse("昭和64年1月7日"), Ok(d(1989, 1, 7)));
        assert_eq!(parse("平成元年1月8日"), Ok(d(1989, 1, 8)));
        assert_eq!(parse("昭和50年10月20日"), Ok(d(1975, 10, 20)));
        assert_eq!(parse("令和７年４月１日"), Ok(d(2025, 4, 1)));
        assert_eq!(parse(" 2025-04-01 "), Ok(d(2025, 4, 1)));
    }

    #[test]
    fn refuses_dates_outside_their_era() {
        for text in [
            "平成31年5月1日",
            "H31.5.1",
            "令和元年4月30日",
            "S64.1.8",
            "平成元年1月7日",
            "昭和元年12月24日",
        ] {
            match parse(text) {
                Err(DateParseError::OutsideEra { .. }) => {}
                other => panic!("{text}: expected OutsideEra, got {other:?}"),
            }
        }
        let message = parse("平成31年5月1日").map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "`平成31年5月1日` is outside the 平成 era (1989-01-08 to 2019-04-30); write it in \
             the era in force on that day"
        );
    }

    #[test]
    fn refuses_unknown_forms_and_impossible_days() {
        assert!(matches!(
            parse("2025/04/01"),
            Err(DateParseError::UnrecognizedDate { .. })
        ));
        assert!(matches!(
            parse("2025-4-1"),
            Err(DateParseError::UnrecognizedDate { .. })
        ));
        assert!(matches!(
            parse("T7.4.1"),
            Err(DateParseError::UnrecognizedDate { .. })
        ));
        assert!(matches!(
            parse(""),
            Err(DateParseError::UnrecognizedDate { .. })
        ));
        assert!(matches!(
            parse("2025-02-29"),
            Err(DateParseError::NoSuchDate { .. })
        ));
        assert!(matches!(
            parse("R7.2.29"),
            Err(DateParseError::NoSuchDate { .. })
        ));
        let message = parse("April 1").map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("2025-04-01"), "{message}");
        assert!(message.contains("令和7年4月1日"), "{message}");
        assert!(message.contains("R07.04.01"), "{message}");
    }

    #[test]
    fn serde_reads_wareki_and_writes_iso() {
        let date: Date = serde_json::from_str("\"令和元年5月1日\"").expect("parses");
        assert_eq!(date, d(2019, 5, 1));
        assert_eq!(
            serde_json::to_string(&date).expect("serializes"),
            "\"2019-05-01\""
        );
        let err = serde_json::from_str::<Date>("\"H31.5.1\"")
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("平成"), "{err}");
    }

    #[test]
    fn anniversaries_and_ages() {
        // 民法143条: 2 years from 2022-04-01 run out at the end of 2024-03-31 (rules.md §3.7).
        assert_eq!(d(2022, 4, 1).anniversary(2), d(2024, 4, 1));
        assert_eq!(d(1950, 6, 15).anniversary(75), d(2025, 6, 15));
        assert_eq!(d(1952, 2, 29).anniversary(75), d(2027, 3, 1));
        assert_eq!(d(1952, 2, 29).anniversary(76), d(2028, 2, 29));
        assert_eq!(d(1950, 6, 15).age_on(d(2025, 6, 14)), 74);
        assert_eq!(d(1950, 6, 15).age_on(d(2025, 6, 15)), 75);
        assert_eq!(d(2000, 1, 1).age_on(d(1999, 1, 1)), 0);
    }

    #[test]
    fn fiscal_year_starts_in_april() {
        assert_eq!(d(2025, 4, 1).fiscal_year(), 2025);
        assert_eq!(d(2026, 3, 31).fiscal_year(), 2025);
        assert_eq!(d(2025, 3, 31).fiscal_year(), 2024);
    }

    #[test]
    fn schema_is_string_date() {
        let schema = serde_json::to_value(<Date as utoipa::PartialSchema>::schema())
            .expect("schema serializes");
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["format"], "date");
        assert_eq!(schema["examples"][0], "2025-04-01");
    }
}
