//! kenpo domain: the pure rules of the health insurance society's core. No I/O.
//!
//! - [`calendar`]: [`calendar::Date`] and [`calendar::YearMonth`], read from ISO 8601 or 和暦.
//! - [`money`]: [`money::Yen`], integer yen.
//! - [`standard_remuneration`]: the 標準報酬月額 grade table (健康保険法40条) and 標準賞与額 (45条).
//! - [`qualification`]: 適用 — the [`qualification::Person`] aggregate (資格取得・喪失, 被扶養者,
//!   標準報酬, 賞与, 休業, 資格確認書, 口座, 識別番号), its commands, events and errors.
//!
//! Rules cite their source (`/work/shared/domain/rules.md`, `digest.md`) in doc comments.

pub mod account_change;
pub mod basis;
pub mod benefits;
pub mod calendar;
pub mod employer_notices;
pub mod employers;
pub mod money;
pub mod my_number;
pub mod parameters;
pub mod premiums;
pub mod qualification;
pub mod refusal;
pub mod staff;
pub mod standard_remuneration;
pub mod upcasters;
