//! The view of one notice, folded from its events.

use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::employer_notices::{
    EmployerNoticeEvent, NoticeIssued, NoticeStatus, NoticeTotals, ReceiptKind,
};
use kenpo_domain::money::Yen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A receipt (収納) against the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptView {
    pub amount: Yen,
    pub received_on: Date,
    pub reference: String,
    pub kind: ReceiptKind,
}

/// One version of the notice: the original (revision 1) or a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevisionView {
    pub revision: u32,
    /// 告知日 / 訂正告知日.
    pub on: Date,
    /// 訂正理由 (none for the original).
    pub reason: Option<String>,
    pub notice_amount: Yen,
}

/// The 納入告知 of one 事業所 for one month, as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployerNoticeView {
    pub notice_id: Uuid,
    /// `employer_notice-<uuid>`.
    pub stream_id: String,
    /// 事業所コード.
    pub office_code: String,
    /// 月分.
    pub month: YearMonth,
    pub status: NoticeStatus,
    /// 1 for the original notice, 2 after the first correction, …
    pub revision: u32,
    /// 告知日 of the original notice.
    pub issued_on: Date,
    /// 納期限 (翌月末日).
    pub due_on: Date,
    /// Totals of the notice in force.
    pub totals: NoticeTotals,
    /// Σ 収納額.
    pub received_total: Yen,
    /// 告知額 − Σ 収納額 (negative = 過納).
    pub outstanding: Yen,
    pub receipts: Vec<ReceiptView>,
    pub revisions: Vec<RevisionView>,
    /// Version of the notice's stream this view reflects.
    pub stream_version: i64,
}

impl EmployerNoticeView {
    /// The view a [`NoticeIssued`] (the stream's first event) creates.
    pub fn issued(notice_id: Uuid, version: i64, e: &NoticeIssued) -> Self {
        Self {
            notice_id,
            stream_id: format!(
                "{}-{notice_id}",
                kenpo_domain::employer_notices::STREAM_TYPE
            ),
            office_code: e.office_code.clone(),
            month: e.month,
            status: NoticeStatus::of(e.totals.notice_amount, Yen::ZERO),
            revision: 1,
            issued_on: e.issued_on,
            due_on: e.due_on,
            totals: e.totals.clone(),
            received_total: Yen::ZERO,
            outstanding: e.totals.notice_amount,
            receipts: Vec::new(),
            revisions: vec![RevisionView {
                revision: 1,
                on: e.issued_on,
                reason: None,
                notice_amount: e.totals.notice_amount,
            }],
            stream_version: version,
        }
    }

    /// Fold one later event (at stream `version`) into the view.
    pub fn apply(&mut self, version: i64, event: &EmployerNoticeEvent) {
        self.stream_version = version;
        match event {
            EmployerNoticeEvent::NoticeIssued(e) => {
                *self = Self::issued(self.notice_id, version, e);
            }
            EmployerNoticeEvent::NoticeReissued(e) => {
                self.revision = e.revision;
                self.totals = e.totals.clone();
                self.status = e.status;
                self.outstanding = e.totals.notice_amount - self.received_total;
                self.revisions.push(RevisionView {
                    revision: e.revision,
                    on: e.reissued_on,
                    reason: Some(e.reason.clone()),
                    notice_amount: e.totals.notice_amount,
                });
            }
            EmployerNoticeEvent::NoticeReceiptRecorded(e) => {
                self.received_total = e.received_total;
                self.outstanding = e.outstanding;
                self.status = e.status;
                self.receipts.push(ReceiptView {
                    amount: e.amount,
                    received_on: e.received_on,
                    reference: e.reference.clone(),
                    kind: e.kind,
                });
            }
        }
    }
}
