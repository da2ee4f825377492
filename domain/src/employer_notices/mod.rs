//! 納入告知 (employer premium notices): the [`EmployerNotice`] aggregate, one stream per
//! 事業所 and 月分, for the premiums of its ordinary (強制) insured (健保法156条, 164条1項,
//! 167条; rules.md §3.1, §3.3, §3.4, §3.6).
//!
//! - `Issue` records the notice once per 事業所 and month ([`NoticeIssued`]): a line per
//!   insured person (標準報酬月額, 標準賞与額, 喪失月, 産休・育休免除, 介護, rate, full amounts
//!   and the insured's deductions), the totals (納入告知額 = Σ 全額 1円未満切捨て, 被保険者負担分,
//!   事業主負担分) and the 算定根拠. The figures come from
//!   [`crate::premiums::employer::employer_notice`]; [`NoticeDraft::from_calculation`] turns
//!   its result into the recorded form.
//! - `Reissue` (訂正) records a corrected notice with a reason ([`NoticeReissued`]); the
//!   original stays in the stream.
//! - `RecordReceipt` (収納) records a payment against the notice ([`NoticeReceiptRecorded`]):
//!   partial, exact or over; the notice is 完納 (paid) once Σ received ≥ 納入告知額.

mod aggregate;
mod commands;
mod error;
mod events;
mod values;

#[cfg(test)]
mod tests;

use uuid::Uuid;

use crate::calendar::{Date, YearMonth};

pub use aggregate::EmployerNotice;
pub use commands::{EmployerNoticeCommand, NoticeIssue, NoticeReceipt, NoticeReissue};
pub use error::{EmployerNoticeError, ErrorCategory};
pub use events::{EmployerNoticeEvent, NoticeIssued, NoticeReceiptRecorded, NoticeReissued};
pub use values::{NoticeDraft, NoticeLine, NoticeStatus, NoticeTotals, ReceiptKind};

/// Stream type (the aggregate's `TYPE`): stream ids are `employer_notice-<uuid>`.
pub const STREAM_TYPE: &str = "employer_notice";

/// Namespace of the UUID v5 of a notice (`"<事業所コード>:<YYYY-MM>"`).
pub const NOTICE_NAMESPACE: Uuid = Uuid::from_u128(0x6b65_6e70_6f00_4e6f_7469_6365_0000_0001);

/// The id of the notice of `office_code` for `month`: UUID v5 of `"office:YYYY-MM"`, so that
/// a notice can be found, and issued only once, from its 事業所 and month alone.
pub fn notice_id(office_code: &str, month: YearMonth) -> Uuid {
    Uuid::new_v5(
        &NOTICE_NAMESPACE,
        format!("{office_code}:{month}").as_bytes(),
    )
}

/// 納期限: the last day of the month after the 月分 (健保法164条1項: 毎月の保険料は翌月末日まで;
/// rules.md §3.4).
pub fn due_on(month: YearMonth) -> Date {
    month.add_months(1).last_day()
}
