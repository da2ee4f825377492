//! 徴収 (premium collection) of 任意継続 / 特例退職 insured: the premium account of each such
//! person (`kenpo_domain::premiums::PremiumAccount`, one `premium_account-<person uuid>`
//! stream), commands on it, the receipt import from bank files, and the inline read models
//! (`kenpo_projections::premium_ledger`).
//!
//! Every function here runs inside the caller's command transaction (ADR 0001): it loads what
//! it needs, decides, appends and projects, and returns; the caller commits. A refusal (a
//! domain rule, a missing parameter) is returned before anything is written and leaves the
//! transaction usable; a database error does not.
//!
//! - [`account`]: run one command on an account and project it ([`account::execute`]);
//! - [`insured`]: what 徴収 reads from the 適用 record (period, 標準報酬月額 at loss, birth date);
//! - [`opening`]: 口座開設 from the Person aggregate (category, 標準報酬月額 at loss);
//! - [`assessment`]: the month's premium from the parameters in force
//!   ([`assessment::assess_month`], also called by the monthly bulk run) and 前納;
//! - [`loss`]: 保険料未納による資格喪失 (38条3号) across 徴収 and 適用, and closing after any
//!   other loss;
//! - [`first_premium`]: 初回保険料の未納 (37条2項): the 任継 acquisition voided across 徴収 and
//!   適用;
//! - [`reversal`]: 収納取消 of one recorded receipt;
//! - [`shortfall`]: the 前納 shortfall after a rate rise;
//! - [`refunds`]: 還付 (claim, decision with its basis, payment);
//! - [`receipt_import`]: 保険料収納 from the receipt CSV or a 全銀 振込入金通知.

pub mod account;
pub mod assessment;
pub mod first_premium;
pub mod insured;
pub mod loss;
pub mod opening;
pub mod receipt_import;
pub mod refunds;
pub mod reversal;
pub mod shortfall;

pub use account::{execute, Recorded};
pub use assessment::assess_month;
