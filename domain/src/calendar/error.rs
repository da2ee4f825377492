use chrono::NaiveDate;
use thiserror::Error;

/// Accepted date forms, quoted in every parse error so a clerk knows what to type.
pub(crate) const ACCEPTED_DATE_FORMS: &str = "ISO 8601 `2025-04-01`, or 和暦 `令和7年4月1日`, \
     `令和元年5月1日`, `R7.4.1`, `R07.04.01` (eras 令和 R, 平成 H, 昭和 S)";

/// Accepted year-month forms.
pub(crate) const ACCEPTED_YEAR_MONTH_FORMS: &str =
    "ISO 8601 `2025-09`, or 和暦 `令和7年9月`, `令和元年5月`, `R7.9`, `R07.09` (eras 令和 R, 平成 H, 昭和 S)";

/// Why a date (年月日) or year-month (年月) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateParseError {
    /// The text is in none of the accepted forms.
    #[error("`{input}` is not a date; accepted forms are {ACCEPTED_DATE_FORMS}")]
    UnrecognizedDate { input: String },
    /// The text is in none of the accepted year-month forms.
    #[error("`{input}` is not a year and month; accepted forms are {ACCEPTED_YEAR_MONTH_FORMS}")]
    UnrecognizedYearMonth { input: String },
    /// The form is right but the day does not exist (2025-02-30, 令和7年13月1日).
    #[error("`{input}` is not a calendar date or month (no such day or month)")]
    NoSuchDate { input: String },
    /// A 和暦 date or month outside its era (平成31年5月1日 is 令和元年5月1日).
    #[error("`{input}` is outside the {era} era ({first} to {last}); write it in the era in force on that day")]
    OutsideEra {
        input: String,
        era: &'static str,
        first: NaiveDate,
        last: String,
    },
}
