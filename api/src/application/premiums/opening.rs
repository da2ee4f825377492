//! 口座開設: open the premium account of a person who is now a 任意継続 or 特例退職 被保険者.

use kenpo_domain::calendar::Date;
use kenpo_domain::premiums::{AccountOpening, DueRule, HolidayShift, PremiumAccountCommand};
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, Recorded};
use super::insured;
use crate::problem::ApiError;

/// 任継: each month is due on the 10th of that month (164条1項 ただし書; rules.md §3.4).
pub const DEFAULT_DUE_DAY: u32 = 10;

/// Body of `POST /api/v1/premium-accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenAccount {
    /// The insured person; must be qualified now as 任意継続 or 特例退職 (適用).
    pub person_id: Uuid,
    /// 初回保険料の納付期日, set by the society (37条2項; rules.md §3.7). It applies to the
    /// month of acquisition and to any later month whose own due date falls before it.
    pub first_premium_due_on: Date,
    /// Day of the month each month is due (1–28); default 10 (任継, 164条1項).
    #[serde(default)]
    pub due_day_of_month: Option<u32>,
}

/// Body of `POST /api/v1/premium-accounts`: [`OpenAccount`] and the holiday rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenAccountRequest {
    /// The insured person; must be qualified now as 任意継続 or 特例退職 (適用).
    pub person_id: Uuid,
    /// 初回保険料の納付期日, set by the society (37条2項; rules.md §3.7).
    pub first_premium_due_on: Date,
    /// Day of the month each month is due (1–28); default 10 (任継, 164条1項).
    #[serde(default)]
    pub due_day_of_month: Option<u32>,
    /// `next_business_day`: a due date on a Saturday, Sunday, 国民の祝日・休日 or 12/29–1/3
    /// moves to the next business day (a decision, not from rules.md; docs/premiums.md);
    /// `none` keeps the date as the rule gives it. Default `next_business_day`.
    #[serde(default)]
    pub holiday_shift: Option<HolidayShift>,
}

impl OpenAccountRequest {
    /// The opening and its holiday rule.
    pub fn split(self) -> (OpenAccount, HolidayShift) {
        (
            OpenAccount {
                person_id: self.person_id,
                first_premium_due_on: self.first_premium_due_on,
                due_day_of_month: self.due_day_of_month,
            },
            self.holiday_shift.unwrap_or(HolidayShift::NextBusinessDay),
        )
    }
}

/// Open the account: the category and 資格取得日 come from the person's current period, the
/// 標準報酬月額 from their record ([`insured::standard_remuneration_at_loss`]). Due dates on
/// closed days move to the next business day, the default of `POST /premium-accounts`
/// ([`open_with_holiday_shift`] to choose).
pub async fn open(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    body: OpenAccount,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    open_with_holiday_shift(
        conn,
        upcasters,
        body,
        HolidayShift::NextBusinessDay,
        expected,
        metadata,
    )
    .await
}

/// [`open`] with the account's [`HolidayShift`].
pub async fn open_with_holiday_shift(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    body: OpenAccount,
    holiday_shift: HolidayShift,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let person = insured::load_person(conn, upcasters, body.person_id, true).await?;
    let period = person.current_period().ok_or_else(|| {
        ApiError::conflict(
            "not_voluntary_or_special_retiree",
            "the person is not qualified now: only a current 任意継続 or 特例退職 被保険者 has a premium account",
        )
    })?;
    let category = period
        .insured_category()
        .filter(|c| insured::pays_directly(*c))
        .ok_or_else(|| {
            ApiError::conflict(
                "not_voluntary_or_special_retiree",
                "the person's current qualification is not 任意継続 or 特例退職: their premiums are collected through the employer",
            )
        })?;
    let acquired_on = period.started_on;
    if body.first_premium_due_on < acquired_on {
        return Err(ApiError::invalid(
            "first_premium_due_before_acquisition",
            format!(
                "first_premium_due_on {} is before the 資格取得日 {acquired_on}",
                body.first_premium_due_on
            ),
        ));
    }
    let standard_remuneration =
        insured::standard_remuneration_at_loss(&person, category, acquired_on);
    account::execute(
        conn,
        upcasters,
        body.person_id,
        PremiumAccountCommand::Open(AccountOpening {
            person_id: body.person_id,
            category,
            acquired_on,
            standard_remuneration,
            due_rule: DueRule {
                day_of_month: body.due_day_of_month.unwrap_or(DEFAULT_DUE_DAY),
                first_premium_due_on: body.first_premium_due_on,
                holiday_shift,
            },
        }),
        expected,
        metadata,
    )
    .await
}
