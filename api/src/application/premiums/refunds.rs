//! 還付 (refund) of what the account holds for the member: over-payments and what was paid for
//! months a loss cancelled (unexpired 前納 included; rules.md §3.4, §3.7; digest.md §2.2
//! 2-①〜③). Claim, decision (amount from the credit, with its basis), payment.

use kenpo_domain::basis::{Basis, Rounding, Step};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::Decimal;
use kenpo_domain::premiums::{PremiumAccountCommand, RefundDecision};
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, Recorded};
use crate::problem::ApiError;

/// Source cited in a refund's basis.
pub const REFUND_SOURCE: &str =
    "健保法164条2項 (過納分), 156条3項・165条 (資格喪失後の月分・前納の未経過分); \
     rules.md §3.4, §3.7; digest.md §2.2 2-②";

/// Body of `POST /api/v1/premium-accounts/{person_id}/refunds/decision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideRefund {
    /// 還付額決定日.
    pub decided_on: Date,
    /// 還付額; default the whole credit the account holds. More than the credit is refused.
    #[serde(default)]
    pub amount: Option<Yen>,
}

/// The basis of a refund of `amount` out of `credit`.
pub fn refund_basis(
    credit: Yen,
    amount: Yen,
    lost_on: Option<Date>,
    totals: (Yen, Yen, Yen),
) -> Basis {
    let (assessed, received, refunded) = totals;
    let formula = if amount == credit {
        format!(
            "過誤納額 {} (収納済で月分に充当されていない額)",
            credit.amount()
        )
    } else {
        format!("過誤納額 {} のうち {}", credit.amount(), amount.amount())
    };
    Basis {
        inputs: serde_json::json!({
            "credit": credit,
            "lost_on": lost_on,
            "total_assessed": assessed,
            "total_received": received,
            "total_refunded": refunded,
        }),
        parameters: Vec::new(),
        steps: vec![Step::new(
            "還付額",
            formula,
            Decimal::from(credit.amount()),
            Rounding::None,
            Decimal::from(amount.amount()),
            REFUND_SOURCE,
        )],
        result_yen: amount.amount(),
    }
}

/// 還付額決定: the amount is the account's credit (or the part of it asked for).
pub async fn decide(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    body: DecideRefund,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let loaded = account::load_existing(conn, upcasters, person_id).await?;
    let a = &loaded.aggregate;
    let credit = a.credit();
    let amount = body.amount.unwrap_or(credit);
    let basis = refund_basis(
        credit,
        amount,
        a.lost_on(),
        (a.total_assessed(), a.total_received(), a.total_refunded()),
    );
    account::execute_loaded(
        conn,
        loaded,
        PremiumAccountCommand::DecideRefund(RefundDecision {
            amount,
            decided_on: body.decided_on,
            basis,
        }),
        expected,
        metadata,
    )
    .await
}
