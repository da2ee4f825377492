//! 和暦 (Japanese era calendar) reading.
//!
//! Eras (元号) and their first and last days: 昭和 1926-12-25 to 1989-01-07, 平成 1989-01-08
//! to 2019-04-30, 令和 from 2019-05-01 (元号法; 元号を改める政令 of 昭和64年, 平成31年).
//! Year 1 of an era is written 元年. Earlier eras are not accepted: every person the society
//! can insure or recognize is younger than 75 (健康保険法3条1項, 3条7項 ただし書).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A 元号 (Japanese era) that 和暦 dates may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// 昭和 (S), 1926-12-25 to 1989-01-07.
    Showa,
    /// 平成 (H), 1989-01-08 to 2019-04-30.
    Heisei,
    /// 令和 (R), from 2019-05-01.
    Reiwa,
}

impl Era {
    const ALL: [Era; 3] = [Era::Showa, Era::Heisei, Era::Reiwa];

    /// The era's name in kanji.
    pub const fn kanji(self) -> &'static str {
        match self {
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The one-letter abbreviation used on forms (S, H, R).
    pub const fn letter(self) -> char {
        match self {
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// Gregorian year of the era's 元年 minus one: 令和 N年 = 2018 + N.
    const fn year_offset(self) -> i32 {
        match self {
            Era::Showa => 1925,
            Era::Heisei => 1988,
            Era::Reiwa => 2018,
        }
    }

    /// First day of the era.
    pub fn first_day(self) -> NaiveDate {
        let (y, m, d) = match self {
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        };
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    /// Last day of the era; `None` for the current era.
    pub fn last_day(self) -> Option<NaiveDate> {
        let (y, m, d) = match self {
            Era::Showa => (1989, 1, 7),
            Era::Heisei => (2019, 4, 30),
            Era::Reiwa => return None,
        };
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// Gregorian year of year `year` of this era.
    pub const fn gregorian_year(self, year: u32) -> i32 {
        self.year_offset() + year as i32
    }

    /// The last day as text, or "today" for the current era (used in messages).
    pub(crate) fn last_day_text(self) -> String {
        self.last_day()
            .map_or_else(|| "now".to_string(), |d| d.format("%Y-%m-%d").to_string())
    }

    /// True when `date` falls inside the era.
    pub fn contains(self, date: NaiveDate) -> bool {
        date >= self.first_day() && self.last_day().is_none_or(|last| date <= last)
    }

    fn from_kanji_prefix(s: &str) -> Option<(Era, &str)> {
        Era::ALL
            .into_iter()
            .find_map(|era| s.strip_prefix(era.kanji()).map(|rest| (era, rest)))
    }

    fn from_letter_prefix(s: &str) -> Option<(Era, &str)> {
        let mut chars = s.chars();
        let first = chars.next()?.to_ascii_uppercase();
        Era::ALL
            .into_iter()
            .find(|era| era.letter() == first)
            .map(|era| (era, chars.as_str()))
    }
}

/// A 和暦 text split into its parts, not yet checked against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WarekiParts {
    pub era: Era,
    pub year: u32,
    pub month: u32,
    pub day: Option<u32>,
}

/// Replaces full-width digits, Latin letters and punctuation (common on OCR'd or typed forms) by ASCII and
/// trims surrounding whitespace.
pub(crate) fn normalize(input: &str) -> String {
    input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '．' => '.',
            '－' | '‐' => '-',
            _ => c,
        })
        .collect()
}

/// Reads 1 or 2 ASCII digits as a number (no sign, no other characters).
pub(crate) fn small_number(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `令和7年4月1日`, `令和元年5月1日`, `R7.4.1`, `R07.04.01` (with `with_day`), or
/// `令和7年9月`, `R7.9` (without). Expects normalized text.
pub(crate) fn parse_parts(s: &str, with_day: bool) -> Option<WarekiParts> {
    if let Some((era, rest)) = Era::from_kanji_prefix(s) {
        let (year_text, rest) = rest.split_once('年')?;
        let year = if year_text == "元" {
            1
        } else {
            small_number(year_text, 2)?
        };
        let (month_text, rest) = rest.split_once('月')?;
        let month = small_number(month_text, 2)?;
        let day = if with_day {
            let (day_text, rest) = rest.split_once('日')?;
            if !rest.is_empty() {
                return None;
            }
            Some(small_number(day_text, 2)?)
        } else {
            if !rest.is_empty() {
                return None;
            }
            None
        };
        return (year >= 1).then_some(WarekiParts {
            era,
            year,
            month,
            day,
        });
    }
    let (era, rest) = Era::from_letter_prefix(s)?;
    let mut fields = rest.split('.');
    let year = small_number(fields.next()?, 2)?;
    let month = small_number(fields.next()?, 2)?;
    let day = if with_day {
        Some(small_number(fields.next()?, 2)?)
    } else {
        None
    };
    if fields.next().is_some() || year == 0 {
        return None;
    }
    Some(WarekiParts {
        era,
        year,
        month,
        day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_kanji_and_letter_forms() {
        let expected = WarekiParts {
            era: Era::Reiwa,
            year: 7,
            month: 4,
            day: Some(1),
        };
        assert_eq!(parse_parts("令和7年4月1日", true), Some(expected));
        assert_eq!(parse_parts("R7.4.1", true), Some(expected));
        assert_eq!(parse_parts("R07.04.01", true), Some(expected));
        assert_eq!(parse_parts("r7.4.1", true), Some(expected));
        assert_eq!(
            parse_parts("令和元年5月", false),
            Some(WarekiParts {
                era: Era::Reiwa,
                year: 1,
                month: 5,
                day: None
            })
        );
        assert_eq!(parse_parts("R0.4.1", true), None);
        assert_eq!(parse_parts("X7.4.1", true), None);
        assert_eq!(parse_parts("令和7年4月1日です", true), None);
        assert_eq!(parse_parts("R7.4", true), None);
        assert_eq!(parse_parts("R7.4.1.2", true), None);
    }

    #[test]
    fn era_boundaries() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert!(Era::Heisei.contains(d(2019, 4, 30)));
        assert!(!Era::Heisei.contains(d(2019, 5, 1)));
        assert!(Era::Reiwa.contains(d(2019, 5, 1)));
        assert!(Era::Showa.contains(d(1989, 1, 7)));
        assert!(!Era::Showa.contains(d(1989, 1, 8)));
        assert!(Era::Heisei.contains(d(1989, 1, 8)));
        assert!(!Era::Showa.contains(d(1926, 12, 24)));
        assert_eq!(Era::Reiwa.gregorian_year(7), 2025);
        assert_eq!(Era::Heisei.gregorian_year(31), 2019);
        assert_eq!(Era::Showa.gregorian_year(64), 1989);
    }

    #[test]
    fn normalizes_full_width_digits() {
        assert_eq!(normalize(" 令和７年４月１日 "), "令和7年4月1日");
        assert_eq!(normalize("Ｒ７．４．１"), "R7.4.1");
    }
}
