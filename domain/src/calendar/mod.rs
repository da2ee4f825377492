//! Calendar values: [`Date`] (年月日) and [`YearMonth`] (年月, e.g. 改定年月).
//!
//! Stored and serialized as ISO 8601 (`2025-04-01`, `2025-09`); parsed from ISO or from the
//! 和暦 (Japanese era) forms written on paper notices (`令和7年4月1日`, `R7.4.1`, `H31.4.30`,
//! `令和元年5月1日`). digest.md §1 type notation: "forms use 和暦; store ISO".

mod date;
mod error;
pub mod holidays;
mod wareki;
mod year_month;

pub use date::{parse, Date};
pub use error::DateParseError;
pub use wareki::Era;
pub use year_month::{parse_year_month, YearMonth};
