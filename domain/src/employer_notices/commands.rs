//! Commands on an [`super::EmployerNotice`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::values::{NoticeDraft, NoticeLine, NoticeTotals};
use crate::basis::Basis;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// A command on the [`super::EmployerNotice`] aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum EmployerNoticeCommand {
    /// 納入告知: issue the notice of a 事業所 for a month (once).
    Issue(NoticeIssue),
    /// 訂正: a corrected notice, with its reason; the original stays recorded.
    Reissue(NoticeReissue),
    /// 収納: a payment received against the notice.
    RecordReceipt(NoticeReceipt),
}

/// Body of [`EmployerNoticeCommand::Issue`], built by the application from the members of the
/// 事業所 and the parameters in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeIssue {
    /// 事業所コード.
    pub office_code: String,
    /// 月分.
    pub month: YearMonth,
    /// 告知日.
    pub issued_on: Date,
    pub lines: Vec<NoticeLine>,
    pub totals: NoticeTotals,
    pub basis: Basis,
}

impl NoticeIssue {
    /// The command for a calculated draft.
    pub fn new(office_code: String, month: YearMonth, issued_on: Date, draft: NoticeDraft) -> Self {
        Self {
            office_code,
            month,
            issued_on,
            lines: draft.lines,
            totals: draft.totals,
            basis: draft.basis,
        }
    }
}

/// Body of [`EmployerNoticeCommand::Reissue`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeReissue {
    /// 訂正告知日.
    pub reissued_on: Date,
    /// Why the notice is corrected (e.g. 標準報酬月額の遡及訂正).
    pub reason: String,
    pub lines: Vec<NoticeLine>,
    pub totals: NoticeTotals,
    pub basis: Basis,
}

/// Body of [`EmployerNoticeCommand::RecordReceipt`] (the HTTP request body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeReceipt {
    /// 収納額 (whole yen, > 0).
    pub amount: Yen,
    /// 収納日 (ISO or 和暦).
    pub received_on: Date,
    /// The payment's reference (振込 / 口座振替 id), unique within the notice.
    #[schema(example = "ZENGIN-20260531-000123")]
    pub reference: String,
}
