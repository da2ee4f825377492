//! 国民の祝日 and 休日 (国民の祝日に関する法律), and the business days (営業日) of the society's
//! office, for moving a due date that falls on a day the office is closed.
//!
//! **Not stated in rules.md, decided here**: rules.md (§3.4, §3.7) gives the 任継 due date as
//! "the 10th of that month" and is silent on a 10th that falls on a closed day; neither
//! rules.md nor digest.md cites a rule for it. kenpo therefore keeps the calendar here as data
//! and lets a premium account opt into moving its due dates to the next business day
//! (`kenpo_domain::premiums::HolidayShift`, recorded on the account when it is opened).
//!
//! The calendar (for the years [`FIRST_YEAR`]..=[`LAST_YEAR`]):
//! - the 祝日 of 国民の祝日に関する法律 2条 as amended (Happy Monday days from 2000 and 2003,
//!   昭和の日 / みどりの日 from 2007, 山の日 from 2016, 天皇誕生日 moving from 12/23 to 2/23 in
//!   2020, スポーツの日 from 2020), kept as rules with their years of validity ([`RULES`]);
//! - the one-off 祝日 of special laws ([`SPECIAL_DAYS`]: 2019 御即位, the 2020 and 2021
//!   Olympic moves);
//! - 春分の日 and 秋分の日 by the usual approximation for 1980–2099
//!   (`floor(20.8431 + 0.242194 (Y − 1980) − floor((Y − 1980) / 4))`, resp. `23.2488`). The
//!   legal dates are those the 国立天文台 announces each February for the next year; the
//!   formula reproduces every announced date of 2000–2026 (tested) and is a prediction beyond;
//! - 振替休日 (3条2項): a 祝日 on a Sunday makes the nearest following day that is not a 祝日 a
//!   休日 (the pre-2007 wording, "the next day", gives the same days for 2000–2006);
//! - 国民の休日 (3条3項): a day that is not a 祝日 between two 祝日 (before 2007, not a Sunday);
//! - business days additionally exclude Saturdays, Sundays and 12/29–1/3 (the year-end closure
//!   of the office; also a decision here, not from rules.md).
//!
//! Computed with integer arithmetic only (the equinox coefficients scaled by 10⁶).

use chrono::{Datelike, Weekday};
use thiserror::Error;

use super::Date;

/// First year the calendar covers.
pub const FIRST_YEAR: i32 = 2000;
/// Last year the calendar covers (the equinox approximation holds to 2099).
pub const LAST_YEAR: i32 = 2099;

/// A year outside the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HolidayCalendarError {
    /// The holiday calendar covers 2000–2099 only.
    #[error("the holiday calendar covers {FIRST_YEAR} to {LAST_YEAR}, not {year}")]
    YearOutOfRange { year: i32 },
}

impl HolidayCalendarError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        "holiday_calendar_out_of_range"
    }
}

/// What kind of 休日 a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayKind {
    /// 国民の祝日 (2条, or a special law).
    National,
    /// 振替休日 (3条2項).
    Substitute,
    /// 国民の休日 (3条3項).
    Citizens,
}

/// One 休日.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name: &'static str,
    pub kind: HolidayKind,
}

/// How a 祝日's date is found in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// The same day every year.
    Fixed { month: u32, day: u32 },
    /// The n-th Monday of the month (ハッピーマンデー).
    NthMonday { month: u32, n: u32 },
    /// 春分日.
    VernalEquinox,
    /// 秋分日.
    AutumnalEquinox,
}

/// A 祝日 with the years its rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NationalHolidayRule {
    pub name: &'static str,
    pub rule: DateRule,
    pub from_year: i32,
    pub to_year: i32,
}

const fn rule(
    name: &'static str,
    rule: DateRule,
    from_year: i32,
    to_year: i32,
) -> NationalHolidayRule {
    NationalHolidayRule {
        name,
        rule,
        from_year,
        to_year,
    }
}

const fn fixed(month: u32, day: u32) -> DateRule {
    DateRule::Fixed { month, day }
}

const fn monday(month: u32, n: u32) -> DateRule {
    DateRule::NthMonday { month, n }
}

const END: i32 = LAST_YEAR;

/// The 祝日 of 国民の祝日に関する法律 2条, with the years each rule held (module doc).
pub const RULES: &[NationalHolidayRule] = &[
    rule("元日", fixed(1, 1), FIRST_YEAR, END),
    rule("成人の日", monday(1, 2), 2000, END),
    rule("建国記念の日", fixed(2, 11), FIRST_YEAR, END),
    rule("天皇誕生日", fixed(2, 23), 2020, END),
    rule("春分の日", DateRule::VernalEquinox, FIRST_YEAR, END),
    rule("みどりの日", fixed(4, 29), FIRST_YEAR, 2006),
    rule("昭和の日", fixed(4, 29), 2007, END),
    rule("憲法記念日", fixed(5, 3), FIRST_YEAR, END),
    rule("みどりの日", fixed(5, 4), 2007, END),
    rule("こどもの日", fixed(5, 5), FIRST_YEAR, END),
    rule("海の日", fixed(7, 20), FIRST_YEAR, 2002),
    rule("海の日", monday(7, 3), 2003, 2019),
    rule("海の日", monday(7, 3), 2022, END),
    rule("山の日", fixed(8, 11), 2016, 2019),
    rule("山の日", fixed(8, 11), 2022, END),
    rule("敬老の日", fixed(9, 15), FIRST_YEAR, 2002),
    rule("敬老の日", monday(9, 3), 2003, END),
    rule("秋分の日", DateRule::AutumnalEquinox, FIRST_YEAR, END),
    rule("体育の日", monday(10, 2), 2000, 2019),
    rule("スポーツの日", monday(10, 2), 2022, END),
    rule("文化の日", fixed(11, 3), FIRST_YEAR, END),
    rule("勤労感謝の日", fixed(11, 23), FIRST_YEAR, END),
    rule("天皇誕生日", fixed(12, 23), FIRST_YEAR, 2018),
];

/// 祝日 set by special laws for one year only: (year, month, day, name).
pub const SPECIAL_DAYS: &[(i32, u32, u32, &str)] = &[
    (2019, 5, 1, "天皇の即位の日"),
    (2019, 10, 22, "即位礼正殿の儀の行われる日"),
    (2020, 7, 23, "海の日"),
    (2020, 7, 24, "スポーツの日"),
    (2020, 8, 10, "山の日"),
    (2021, 7, 22, "海の日"),
    (2021, 7, 23, "スポーツの日"),
    (2021, 8, 8, "山の日"),
];

fn check_year(year: i32) -> Result<(), HolidayCalendarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(HolidayCalendarError::YearOutOfRange { year })
    }
}

/// Day of March (春分) or September (秋分) of the equinox in `year`, 1980–2099:
/// `floor(base + 0.242194 (Y − 1980) − floor((Y − 1980) / 4))` with `base` scaled by 10⁶.
fn equinox_day(year: i32, base_micro: i64) -> u32 {
    let y = i64::from(year - 1980);
    let day = (base_micro + 242_194 * y).div_euclid(1_000_000) - y.div_euclid(4);
    u32::try_from(day).unwrap_or(1)
}

/// 春分日 of `year` (March, module doc).
pub fn vernal_equinox(year: i32) -> Result<Date, HolidayCalendarError> {
    check_year(year)?;
    Date::from_ymd(year, 3, equinox_day(year, 20_843_100))
        .ok_or(HolidayCalendarError::YearOutOfRange { year })
}

/// 秋分日 of `year` (September, module doc).
pub fn autumnal_equinox(year: i32) -> Result<Date, HolidayCalendarError> {
    check_year(year)?;
    Date::from_ymd(year, 9, equinox_day(year, 23_248_800))
        .ok_or(HolidayCalendarError::YearOutOfRange { year })
}

fn nth_monday(year: i32, month: u32, n: u32) -> Option<Date> {
    let first = Date::from_ymd(year, month, 1)?;
    let offset = (7 - first.naive().weekday().num_days_from_monday()) % 7;
    Date::from_ymd(year, month, 1 + offset + 7 * (n - 1))
}

fn date_of(rule: DateRule, year: i32) -> Result<Option<Date>, HolidayCalendarError> {
    Ok(match rule {
        DateRule::Fixed { month, day } => Date::from_ymd(year, month, day),
        DateRule::NthMonday { month, n } => nth_monday(year, month, n),
        DateRule::VernalEquinox => Some(vernal_equinox(year)?),
        DateRule::AutumnalEquinox => Some(autumnal_equinox(year)?),
    })
}

fn is_sunday(date: Date) -> bool {
    date.naive().weekday() == Weekday::Sun
}

/// Every 休日 of `year` (祝日, 振替休日, 国民の休日) in date order.
pub fn holidays(year: i32) -> Result<Vec<Holiday>, HolidayCalendarError> {
    check_year(year)?;
    let mut national: Vec<Holiday> = Vec::new();
    for r in RULES
        .iter()
        .filter(|r| r.from_year <= year && year <= r.to_year)
    {
        if let Some(date) = date_of(r.rule, year)? {
            national.push(Holiday {
                date,
                name: r.name,
                kind: HolidayKind::National,
            });
        }
    }
    for &(y, month, day, name) in SPECIAL_DAYS.iter().filter(|s| s.0 == year) {
        if let Some(date) = Date::from_ymd(y, month, day) {
            national.push(Holiday {
                date,
                name,
                kind: HolidayKind::National,
            });
        }
    }
    national.sort_by_key(|h| h.date);
    let is_national = |date: Date| national.iter().any(|h| h.date == date);
    let mut extra: Vec<Holiday> = Vec::new();
    // 振替休日 (3条2項).
    for h in national.iter().filter(|h| is_sunday(h.date)) {
        let mut day = h.date.next_day();
        while is_national(day) {
            day = day.next_day();
        }
        if day.year() == year && !extra.iter().any(|e| e.date == day) {
            extra.push(Holiday {
                date: day,
                name: "振替休日",
                kind: HolidayKind::Substitute,
            });
        }
    }
    // 国民の休日 (3条3項): between two 祝日, not itself one (before 2007 not a Sunday either).
    for pair in national.windows(2) {
        let between = pair[0].date.next_day();
        if between.next_day() == pair[1].date
            && !is_national(between)
            && !extra.iter().any(|e| e.date == between)
            && (year >= 2007 || !is_sunday(between))
        {
            extra.push(Holiday {
                date: between,
                name: "国民の休日",
                kind: HolidayKind::Citizens,
            });
        }
    }
    national.extend(extra);
    national.sort_by_key(|h| h.date);
    Ok(national)
}

/// True when `date` is a 祝日 or 休日 (振替休日, 国民の休日).
pub fn is_holiday(date: Date) -> Result<bool, HolidayCalendarError> {
    Ok(holidays(date.year())?.iter().any(|h| h.date == date))
}

/// True from 12/29 to 1/3 (the office's year-end closure; a decision, module doc).
pub fn is_year_end_closure(date: Date) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

/// True when the office is open on `date`: not a Saturday or Sunday, not a 休日, not in the
/// year-end closure.
pub fn is_business_day(date: Date) -> Result<bool, HolidayCalendarError> {
    if matches!(date.naive().weekday(), Weekday::Sat | Weekday::Sun) || is_year_end_closure(date) {
        check_year(date.year())?;
        return Ok(false);
    }
    Ok(!is_holiday(date)?)
}

/// `date` itself when it is a business day, else the next business day.
pub fn next_business_day(date: Date) -> Result<Date, HolidayCalendarError> {
    let mut day = date;
    // The longest closed run is well under a month (e.g. 12/27 Sat to 1/4 Sun).
    for _ in 0..31 {
        if is_business_day(day)? {
            return Ok(day);
        }
        day = day.next_day();
    }
    Err(HolidayCalendarError::YearOutOfRange { year: day.year() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        super::super::parse(s).expect("test date")
    }

    fn dates(year: i32) -> Vec<String> {
        holidays(year)
            .expect("in range")
            .iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    #[test]
    fn the_holidays_of_2025() {
        // 内閣府「国民の祝日について」令和7年: 2/23 (日) → 2/24 振替; 5/4 (日) → 5/6 振替
        // (5/5 is a 祝日); 11/23 (日) → 11/24 振替. 19 days.
        assert_eq!(
            dates(2025),
            vec![
                "2025-01-01",
                "2025-01-13",
                "2025-02-11",
                "2025-02-23",
                "2025-02-24",
                "2025-03-20",
                "2025-04-29",
                "2025-05-03",
                "2025-05-04",
                "2025-05-05",
                "2025-05-06",
                "2025-07-21",
                "2025-08-11",
                "2025-09-15",
                "2025-09-23",
                "2025-10-13",
                "2025-11-03",
                "2025-11-23",
                "2025-11-24",
            ]
        );
        let kinds: Vec<HolidayKind> = holidays(2025)
            .expect("in range")
            .iter()
            .filter(|h| h.kind != HolidayKind::National)
            .map(|h| h.kind)
            .collect();
        assert_eq!(kinds, vec![HolidayKind::Substitute; 3]);
    }

    #[test]
    fn the_holidays_of_2026() {
        // 令和8年: 5/3 (日) → 5/6 振替 (5/4, 5/5 are 祝日); 9/21 敬老の日 (3rd Monday) and
        // 9/23 秋分の日 enclose 9/22 → 国民の休日. 18 days.
        assert_eq!(
            dates(2026),
            vec![
                "2026-01-01",
                "2026-01-12",
                "2026-02-11",
                "2026-02-23",
                "2026-03-20",
                "2026-04-29",
                "2026-05-03",
                "2026-05-04",
                "2026-05-05",
                "2026-05-06",
                "2026-07-20",
                "2026-08-11",
                "2026-09-21",
                "2026-09-22",
                "2026-09-23",
                "2026-10-12",
                "2026-11-03",
                "2026-11-23",
            ]
        );
        let citizens = holidays(2026)
            .expect("in range")
            .into_iter()
            .find(|h| h.kind == HolidayKind::Citizens)
            .expect("9/22");
        assert_eq!(citizens.date, d("2026-09-22"));
    }

    #[test]
    fn special_years_2019_to_2021() {
        // 2019: 4/30 and 5/2 国民の休日 around 5/1 (即位の日); 10/22 即位礼正殿の儀; no
        // 天皇誕生日. 2020: 7/23, 7/24, 8/10 (Olympics); 2021: 7/22, 7/23, 8/8 (日) → 8/9.
        let y2019 = dates(2019);
        for day in ["2019-04-30", "2019-05-01", "2019-05-02", "2019-10-22"] {
            assert!(y2019.contains(&day.to_owned()), "{day}");
        }
        assert!(!y2019.contains(&"2019-12-23".to_owned()));
        assert!(!y2019.contains(&"2019-02-23".to_owned()));
        let y2020 = dates(2020);
        for day in [
            "2020-02-23",
            "2020-02-24",
            "2020-07-23",
            "2020-07-24",
            "2020-08-10",
        ] {
            assert!(y2020.contains(&day.to_owned()), "{day}");
        }
        assert!(!y2020.contains(&"2020-07-20".to_owned()));
        assert!(!y2020.contains(&"2020-10-12".to_owned()));
        let y2021 = dates(2021);
        for day in ["2021-07-22", "2021-07-23", "2021-08-08", "2021-08-09"] {
            assert!(y2021.contains(&day.to_owned()), "{day}");
        }
    }

    #[test]
    fn equinoxes_match_the_announced_dates() {
        // 国立天文台 暦要項: (year, 春分, 秋分).
        let known = [
            (2000, 20, 23),
            (2012, 20, 22),
            (2016, 20, 22),
            (2023, 21, 23),
            (2024, 20, 22),
            (2025, 20, 23),
            (2026, 20, 23),
        ];
        for (year, spring, autumn) in known {
            assert_eq!(
                vernal_equinox(year).expect("in range").day(),
                spring,
                "{year}"
            );
            assert_eq!(
                autumnal_equinox(year).expect("in range").day(),
                autumn,
                "{year}"
            );
        }
        // 2092: 20.8431 + 0.242194 × 112 − 28 = 19.97 → 3/19.
        assert_eq!(vernal_equinox(2092).expect("in range"), d("2092-03-19"));
    }

    #[test]
    fn substitute_holiday_before_and_after_2007() {
        // 2009: 5/3 (日) → 5/6 (5/4, 5/5 祝日); 9/22 国民の休日 between 9/21 and 9/23.
        let y2009 = dates(2009);
        assert!(y2009.contains(&"2009-05-06".to_owned()));
        assert!(y2009.contains(&"2009-09-22".to_owned()));
        // 2003: 5/4 was a Sunday between two 祝日: no 国民の休日 before 2007.
        assert!(!dates(2003).contains(&"2003-05-04".to_owned()));
    }

    #[test]
    fn business_days_and_the_next_one() {
        // 2026-05-10 is a Sunday → Monday 5/11.
        assert_eq!(
            next_business_day(d("2026-05-10")).expect("ok"),
            d("2026-05-11")
        );
        // 2026-01-10 is a Saturday → Monday 1/12 is 成人の日 → Tuesday 1/13.
        assert_eq!(
            next_business_day(d("2026-01-10")).expect("ok"),
            d("2026-01-13")
        );
        // 2027-04-10 is a Saturday → Monday 4/12.
        assert_eq!(
            next_business_day(d("2027-04-10")).expect("ok"),
            d("2027-04-12")
        );
        // A business day stays: 2026-04-10 (Friday).
        assert_eq!(
            next_business_day(d("2026-04-10")).expect("ok"),
            d("2026-04-10")
        );
        // Year end: 2026-12-28 (Mon) open; 12/29–1/3 closed; 2027-01-04 (Mon) open.
        assert!(is_business_day(d("2026-12-28")).expect("ok"));
        assert_eq!(
            next_business_day(d("2026-12-29")).expect("ok"),
            d("2027-01-04")
        );
        // Golden week 2026: 5/2 (土) → 5/3–5/6 休日 → 5/7 (木).
        assert_eq!(
            next_business_day(d("2026-05-02")).expect("ok"),
            d("2026-05-07")
        );
        // Silver week 2026: 9/19 (土) … 9/23 → 9/24.
        assert_eq!(
            next_business_day(d("2026-09-19")).expect("ok"),
            d("2026-09-24")
        );
    }

    #[test]
    fn years_outside_the_calendar_are_refused() {
        let err = holidays(2100).expect_err("out of range");
        assert_eq!(err, HolidayCalendarError::YearOutOfRange { year: 2100 });
        assert_eq!(err.code(), "holiday_calendar_out_of_range");
        assert!(next_business_day(d("1999-05-10")).is_err());
        assert!(next_business_day(d("2099-12-30")).is_err());
    }
}
