//! 受給資格 (entitlement) of a 給付 from the insured's 適用 history: insured on the day that
//! matters, or entitled after the loss of qualification (資格喪失後の給付, 健保法104条–106条;
//! rules.md §5.1–§5.4). Pure rules over an [`InsuredHistory`] (the 被保険者 periods with their
//! 加入区分), which the application builds from the Person stream. Each rule answers with the
//! [`Entitlement`] that makes the claim payable — recorded in the 算定根拠 by
//! [`Entitlement::record`] — or a refusal ([`BenefitCalcError`]) with a stable code.
//!
//! | rule | benefit | condition | rules.md |
//! |---|---|---|---|
//! | [`allowance`] | 傷病手当金 / 出産手当金 | a 強制 insured on every claimed day (99条, 102条); else 104条: ≥ 1 year of continuous insurance (任意継続 excluded) up to the day before the 資格喪失日, receiving or entitled at the loss, not working on the last day | §5.1, §5.2 |
//! | [`own_childbirth`] | 出産育児一時金 | insured on the birth date (101条, 任意継続 included); else 106条: ≥ 1 year as in 104条 and the birth within 6 months of the loss | §5.3 |
//! | [`family_event`] | 家族出産育児一時金 / 家族埋葬料 | the insured insured on the day (114条, 113条); a dependant's event after the insured's loss is not covered | §5.3, §5.4 |
//! | [`burial`] | 埋葬料・埋葬費 | insured on the date of death (100条); else 105条: death within 3 months of the loss, or while receiving the 104条 benefit, or within 3 months after it ended | §5.4 [U] |
//!
//! Counting (rules.md states the rules, not the counting; decided here and used the same way
//! by every rule):
//! - "1年以上" up to the day before the 資格喪失日 L, from the first day S of the 強制 insurance
//!   continuous up to it: met when L ≥ the 1st anniversary of S ([`Date::anniversary`],
//!   民法143条: a year from S runs out at the end of the day before its 応当日). Periods join
//!   only when one's 資格喪失日 is the next's 資格取得日 (36条: re-acquired the same day);
//!   a gap of one day breaks the continuity.
//! - 任意継続 periods never count (104条 かっこ書; rules.md §5.1). For a person who lost a
//!   任意継続 qualification, the year is counted up to the day before its 資格取得日 (104条:
//!   "任意継続被保険者の資格を喪失した者にあっては、その資格を取得した日"; rules.md §5.3
//!   "任継 period excluded via 104条 definition").
//! - Not stated in rules.md, decided here: 特例退職 periods are treated like 任意継続 ones (they
//!   do not count, and a 特例退職 insured gets 傷病手当金・出産手当金 only under 104条) — the
//!   特退 rules are not researched (rules.md §7 item 11) and a 特例退職被保険者 is, like a
//!   任継, no longer employed. A claim that needs otherwise is decided with an override.
//! - "6月以内" (106条) and "3月以内" (105条) are counted from the 資格喪失日 itself (the loss takes
//!   effect at the start of that day), ending the day before the 応当日 or at the end of a month
//!   without one (民法143条; the same reading as the calculations' `period_end_after_months`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calc::common::{days_inclusive, period_end_after_months, plain_step, DatePeriod};
use super::calc::BenefitCalcError;
use crate::basis::{Basis, Step};
use crate::calendar::Date;
use crate::qualification::EnrollmentCategory;

/// 6 months after the loss (健保法106条; rules.md §5.3).
pub const CHILDBIRTH_AFTER_LOSS_MONTHS: i32 = 6;
/// 3 months after the loss or after the 104条 benefit ended (健保法105条; rules.md §5.4).
pub const BURIAL_AFTER_LOSS_MONTHS: i32 = 3;

const SOURCE_104: &str = "健保法104条; rules.md §5.1, §5.2 [S] S2";
const SOURCE_105: &str = "健保法105条; rules.md §5.4 [S] S24 (105条 text [U])";
const SOURCE_106: &str = "健保法106条 (1年は104条の被保険者期間); rules.md §5.3 [S] S2";

/// One 被保険者 period: from the 資格取得日 to the 資格喪失日 (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsuredSpell {
    /// 加入区分.
    pub category: EnrollmentCategory,
    /// 資格取得年月日.
    pub acquired_on: Date,
    /// 資格喪失年月日, the first day no longer insured; none while insured.
    pub lost_on: Option<Date>,
}

impl InsuredSpell {
    /// Insured in this period on `date`.
    pub fn covers(&self, date: Date) -> bool {
        self.acquired_on <= date && self.lost_on.is_none_or(|lost| date < lost)
    }

    /// A period that counts for the year of 104条 and pays the allowances without 104条:
    /// 強制 only (任意継続 excluded by 104条; 特例退職 decided here, see the module).
    fn is_compulsory(&self) -> bool {
        self.category == EnrollmentCategory::Compulsory
    }
}

/// The insured's 被保険者 periods, oldest first (their 被扶養者 periods play no part).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsuredHistory {
    spells: Vec<InsuredSpell>,
}

/// What the year of 104条 is counted back from for one loss of qualification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Loss {
    /// 資格喪失日 of the qualification lost.
    lost_on: Date,
    /// The day the year is counted up to (excluded): the 資格喪失日 of the 強制 qualification,
    /// i.e. `lost_on`, or for a 任意継続 (特例退職) qualification its 資格取得日.
    reference_date: Date,
    /// First day of the 強制 insurance continuous up to the day before `reference_date`.
    continuous_since: Option<Date>,
}

impl Loss {
    /// The day on which one year of that insurance is complete (its 1st anniversary).
    fn one_year_on(&self) -> Option<Date> {
        self.continuous_since.map(|since| since.anniversary(1))
    }

    fn one_year(&self) -> bool {
        self.one_year_on()
            .is_some_and(|complete| complete <= self.reference_date)
    }

    fn less_than_one_year(&self, article: &'static str) -> BenefitCalcError {
        BenefitCalcError::InsuredLessThanOneYear {
            article,
            reference_date: self.reference_date,
            continuous_since: self.continuous_since,
        }
    }
}

impl InsuredHistory {
    /// The history from the periods in any order.
    pub fn new(mut spells: Vec<InsuredSpell>) -> Self {
        spells.sort_by_key(|s| s.acquired_on);
        Self { spells }
    }

    /// The periods, oldest first.
    pub fn spells(&self) -> &[InsuredSpell] {
        &self.spells
    }

    /// The period covering `date`.
    pub fn on(&self, date: Date) -> Option<&InsuredSpell> {
        self.spells.iter().rev().find(|s| s.covers(date))
    }

    /// The first day from `from` on which the person is not a 強制 insured; none when they are
    /// from `from` on with no loss recorded.
    fn compulsory_until(&self, from: Date) -> Option<Date> {
        let mut day = from;
        while let Some(spell) = self
            .spells
            .iter()
            .find(|s| s.is_compulsory() && s.covers(day))
        {
            day = spell.lost_on?;
        }
        Some(day)
    }

    /// The latest qualification (any 加入区分) lost on or before `date`.
    fn last_loss_by(&self, date: Date) -> Option<&InsuredSpell> {
        self.spells
            .iter()
            .filter(|s| s.lost_on.is_some_and(|lost| lost <= date))
            .max_by_key(|s| s.lost_on)
    }

    /// The latest 強制 qualification lost on or before `date`.
    fn last_compulsory_loss_by(&self, date: Date) -> Option<&InsuredSpell> {
        self.spells
            .iter()
            .filter(|s| s.is_compulsory() && s.lost_on.is_some_and(|lost| lost <= date))
            .max_by_key(|s| s.lost_on)
    }

    /// First day of the 強制 insurance continuous up to the day before `until` (periods joined
    /// where one's 資格喪失日 is the next's 資格取得日); none when no 強制 period ends on `until`.
    fn compulsory_since(&self, until: Date) -> Option<Date> {
        let mut since = None;
        let mut edge = until;
        while let Some(spell) = self
            .spells
            .iter()
            .find(|s| s.is_compulsory() && s.lost_on == Some(edge) && s.acquired_on < edge)
        {
            since = Some(spell.acquired_on);
            edge = spell.acquired_on;
        }
        since
    }

    /// The loss of `spell` as 104条 counts it.
    fn loss(&self, spell: &InsuredSpell) -> Option<Loss> {
        let lost_on = spell.lost_on?;
        let reference_date = if spell.is_compulsory() {
            lost_on
        } else {
            spell.acquired_on
        };
        Some(Loss {
            lost_on,
            reference_date,
            continuous_since: self.compulsory_since(reference_date),
        })
    }

    /// The 資格喪失日 after which some claimed day lies, when a 傷病手当金 / 出産手当金 claim
    /// needs 104条: a claimed day on which the person is not a 強制 insured, after the loss of a
    /// 強制 qualification. None when every claimed day is insured, or when there is no such
    /// loss (the claim is then simply not qualified).
    pub fn continuation_loss(&self, claimed: DatePeriod) -> Option<Date> {
        let uncovered = self.compulsory_until(claimed.from)?;
        if uncovered > claimed.to {
            return None;
        }
        self.last_compulsory_loss_by(uncovered)
            .and_then(|s| s.lost_on)
    }
}

/// What the claim states about the day the qualification was lost (104条): only for
/// 傷病手当金・出産手当金 claims with days after the 資格喪失日.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusAtLoss {
    /// On the last day insured (the day before the 資格喪失日) the insured was receiving the
    /// benefit or met its conditions: unable to work with the 待期 completed (傷病手当金), within
    /// the 出産手当金 period and not working (出産手当金).
    pub receiving_or_entitled: bool,
    /// The insured worked (出勤) on the last day insured: no continued benefit (rules.md §5.1).
    #[serde(default)]
    pub worked_on_last_day: bool,
}

/// The allowance claimed and the facts its 104条 test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowanceFacts {
    /// 傷病手当金 (99条): 発病・負傷日, and the 3rd day of the 待期 when it was completed in an
    /// earlier claim.
    Sickness {
        began_on: Date,
        waiting_period_completed_on: Option<Date>,
    },
    /// 出産手当金 (102条): its 102条1項 period — the first day, and the last once the birth is
    /// known.
    Maternity {
        period_from: Date,
        period_to: Option<Date>,
    },
}

impl AllowanceFacts {
    fn article(self) -> &'static str {
        match self {
            Self::Sickness { .. } => "健保法99条",
            Self::Maternity { .. } => "健保法102条",
        }
    }

    fn benefit(self) -> &'static str {
        match self {
            Self::Sickness { .. } => "傷病手当金",
            Self::Maternity { .. } => "出産手当金",
        }
    }
}

/// A 傷病手当金 / 出産手当金 claim as [`allowance`] needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowanceClaim<'a> {
    pub facts: AllowanceFacts,
    /// The days claimed.
    pub claimed: DatePeriod,
    /// Days of the claimed period worked (事業主証明).
    pub days_worked: &'a [Date],
    /// The claim's statement about the last day insured.
    pub at_loss: Option<StatusAtLoss>,
}

/// 105条: what the claim states about a 104条 continued benefit at the death.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContinuedBenefitAtDeath {
    /// Receiving the 104条 継続給付 on the date of death.
    pub receiving: bool,
    /// The last day of that benefit, when it had ended.
    pub last_day: Option<Date>,
}

/// 105条: which of its cases made the death after the loss covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "case", rename_all = "snake_case")]
pub enum BurialAfterLossCase {
    /// Death within 3 months of the 資格喪失日 (up to `window_end`).
    WithinThreeMonthsOfLoss { window_end: Date },
    /// Death while receiving the 104条 継続給付.
    WhileReceivingContinuedBenefit,
    /// Death within 3 months after the 104条 継続給付 ended on `last_day`.
    WithinThreeMonthsAfterContinuedBenefit { last_day: Date, window_end: Date },
}

/// Which rule made a claim payable, recorded in its 算定根拠 (`inputs.entitlement`, and for the
/// after-loss rules a first step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Entitlement {
    /// Insured on the day(s) that matter: the benefit's own article (99条, 102条, 101条, 100条;
    /// 114条, 113条 for a 被扶養者's event, the insured insured that day).
    Insured {
        article: &'static str,
        /// The day (the first day claimed, the birth or death date).
        on: Date,
        category: EnrollmentCategory,
    },
    /// 資格喪失後の継続給付 (104条).
    ContinuedBenefit {
        benefit: &'static str,
        /// 資格喪失日 of the 強制 qualification.
        lost_on: Date,
        /// The last day insured (the day before).
        last_day_insured: Date,
        /// First day of the continuous 強制 insurance up to it.
        continuous_since: Date,
        /// The day one year of it was complete.
        one_year_on: Date,
    },
    /// 資格喪失後の出産育児一時金 (106条).
    ChildbirthAfterLoss {
        /// 資格喪失日.
        lost_on: Date,
        /// The day the year is counted up to (excluded): the 資格喪失日, or a 任意継続's 資格取得日.
        reference_date: Date,
        continuous_since: Date,
        one_year_on: Date,
        birth_date: Date,
        /// Last day of the 6 months.
        window_end: Date,
    },
    /// 資格喪失後の埋葬料 (105条).
    BurialAfterLoss {
        lost_on: Date,
        date_of_death: Date,
        case: BurialAfterLossCase,
    },
}

impl Entitlement {
    /// The article the entitlement rests on.
    pub fn article(&self) -> &'static str {
        match self {
            Self::Insured { article, .. } => article,
            Self::ContinuedBenefit { .. } => "健保法104条",
            Self::ChildbirthAfterLoss { .. } => "健保法106条",
            Self::BurialAfterLoss { .. } => "健保法105条",
        }
    }

    /// True for the rules that pay after the loss of qualification (104条–106条).
    pub fn after_loss(&self) -> bool {
        !matches!(self, Self::Insured { .. })
    }

    /// The step that shows an after-loss entitlement in a 算定根拠; none for an insured one.
    /// Its value is the number of days it counts: of continuous insurance (104条, 106条), or
    /// from the 資格喪失日 to the death (105条).
    pub fn step(&self) -> Option<Step> {
        match *self {
            Self::Insured { .. } => None,
            Self::ContinuedBenefit {
                benefit,
                lost_on,
                last_day_insured,
                continuous_since,
                one_year_on,
            } => Some(plain_step(
                &format!("受給資格: 資格喪失後の継続給付 ({benefit}, 104条)"),
                format!(
                    "強制被保険者 {continuous_since}〜{last_day_insured} (1年は{one_year_on}の前日に満了); 資格喪失日 {lost_on}; 喪失時に受給中又は受給要件あり, 最終日の出勤なし"
                ),
                i64::from(days_inclusive(continuous_since, last_day_insured)),
                SOURCE_104,
            )),
            Self::ChildbirthAfterLoss {
                lost_on,
                reference_date,
                continuous_since,
                one_year_on,
                birth_date,
                window_end,
            } => Some(plain_step(
                "受給資格: 資格喪失後の出産 (106条)",
                format!(
                    "強制被保険者 {continuous_since}〜{} (1年は{one_year_on}の前日に満了); 資格喪失日 {lost_on}; 出産日 {birth_date} ≤ 6月の末日 {window_end}",
                    reference_date.previous_day()
                ),
                i64::from(days_inclusive(continuous_since, reference_date.previous_day())),
                SOURCE_106,
            )),
            Self::BurialAfterLoss {
                lost_on,
                date_of_death,
                case,
            } => {
                let why = match case {
                    BurialAfterLossCase::WithinThreeMonthsOfLoss { window_end } => {
                        format!("資格喪失日 {lost_on} から3月以内 ({window_end} まで)")
                    }
                    BurialAfterLossCase::WhileReceivingContinuedBenefit => {
                        "104条の継続給付を受けている間".to_owned()
                    }
                    BurialAfterLossCase::WithinThreeMonthsAfterContinuedBenefit {
                        last_day,
                        window_end,
                    } => format!(
                        "104条の継続給付 (最終日 {last_day}) を受けなくなった日後3月以内 ({window_end} まで)"
                    ),
                };
                Some(plain_step(
                    "受給資格: 資格喪失後の死亡 (105条)",
                    format!("死亡日 {date_of_death}: {why}; 資格喪失日 {lost_on}"),
                    i64::from(days_inclusive(lost_on, date_of_death)),
                    SOURCE_105,
                ))
            }
        }
    }

    /// Record the entitlement in `basis`: `inputs.entitlement`, and its step first.
    pub fn record(&self, basis: &mut Basis) {
        if let (Some(inputs), Ok(value)) =
            (basis.inputs.as_object_mut(), serde_json::to_value(self))
        {
            inputs.insert("entitlement".to_owned(), value);
        }
        if let Some(step) = self.step() {
            basis.steps.insert(0, step);
        }
    }
}

/// 傷病手当金 (99条) / 出産手当金 (102条) for the claimed days: a 強制 insured on every one, or
/// 104条 資格喪失後の継続給付 for the days after the loss (rules.md §5.1, §5.2). A claim whose
/// days straddle the loss needs 104条 for all of it; when refused, the days up to the last day
/// insured can be claimed on their own.
pub fn allowance(
    history: &InsuredHistory,
    claim: &AllowanceClaim<'_>,
) -> Result<Entitlement, BenefitCalcError> {
    let claimed = claim.claimed;
    let first_not_compulsory = history.compulsory_until(claimed.from);
    let Some(day) = first_not_compulsory.filter(|day| *day <= claimed.to) else {
        return Ok(Entitlement::Insured {
            article: claim.facts.article(),
            on: claimed.from,
            category: EnrollmentCategory::Compulsory,
        });
    };
    let spell = history.last_compulsory_loss_by(day).ok_or_else(|| {
        BenefitCalcError::NotQualified {
            reason: format!(
                "not a 被保険者 (強制) on {day}, and no 強制 qualification was lost before it (104条)"
            ),
        }
    })?;
    let loss = history
        .loss(spell)
        .ok_or_else(|| BenefitCalcError::invalid("a lost qualification without its date"))?;
    let (Some(continuous_since), Some(one_year_on)) = (loss.continuous_since, loss.one_year_on())
    else {
        return Err(loss.less_than_one_year("健保法104条"));
    };
    if !loss.one_year() {
        return Err(loss.less_than_one_year("健保法104条"));
    }
    let lost_on = loss.lost_on;
    let last_day = lost_on.previous_day();
    let at_loss = claim
        .at_loss
        .ok_or(BenefitCalcError::AtLossRequired { lost_on })?;
    if at_loss.worked_on_last_day || claim.days_worked.contains(&last_day) {
        return Err(BenefitCalcError::WorkedOnLastDay { last_day });
    }
    let not_receiving = |detail: String| BenefitCalcError::NotReceivingAtLoss { lost_on, detail };
    if !at_loss.receiving_or_entitled {
        return Err(not_receiving(format!(
            "the claim states that on {last_day} the insured neither received nor was entitled to {}",
            claim.facts.benefit()
        )));
    }
    match claim.facts {
        AllowanceFacts::Sickness {
            began_on,
            waiting_period_completed_on,
        } => {
            if began_on >= lost_on {
                return Err(not_receiving(format!(
                    "the sickness began on {began_on}, not before the loss"
                )));
            }
            if let Some(completed) = waiting_period_completed_on.filter(|c| *c > last_day) {
                return Err(not_receiving(format!(
                    "the 待期 was completed on {completed}, after the last day insured {last_day}"
                )));
            }
        }
        AllowanceFacts::Maternity {
            period_from,
            period_to,
        } => {
            if last_day < period_from || period_to.is_some_and(|to| last_day > to) {
                return Err(not_receiving(format!(
                    "the last day insured {last_day} is outside the 出産手当金 period {period_from}〜{}",
                    period_to.map_or_else(|| "(出産日後56日)".to_owned(), |d| d.to_string())
                )));
            }
        }
    }
    Ok(Entitlement::ContinuedBenefit {
        benefit: claim.facts.benefit(),
        lost_on,
        last_day_insured: last_day,
        continuous_since,
        one_year_on,
    })
}

/// Insured on `date` (entitled under `article`), or the last loss before it, for an
/// after-loss rule to judge.
enum InsuredOrLost {
    Insured(Entitlement),
    Lost(Loss),
}

fn insured_or_lost(
    history: &InsuredHistory,
    date: Date,
    article: &'static str,
    what: &str,
) -> Result<InsuredOrLost, BenefitCalcError> {
    if let Some(spell) = history.on(date) {
        return Ok(InsuredOrLost::Insured(Entitlement::Insured {
            article,
            on: date,
            category: spell.category,
        }));
    }
    let spell = history
        .last_loss_by(date)
        .ok_or_else(|| BenefitCalcError::NotQualified {
            reason: format!(
                "not insured on {what} {date}, and no qualification was lost before it"
            ),
        })?;
    history
        .loss(spell)
        .map(InsuredOrLost::Lost)
        .ok_or_else(|| BenefitCalcError::invalid("a lost qualification without its date"))
}

/// 出産育児一時金 for the insured's own birth: insured on the birth date (101条, 任意継続
/// included), or 106条 (rules.md §5.3).
pub fn own_childbirth(
    history: &InsuredHistory,
    birth: Date,
) -> Result<Entitlement, BenefitCalcError> {
    let loss = match insured_or_lost(history, birth, "健保法101条", "the birth date")? {
        InsuredOrLost::Insured(entitlement) => return Ok(entitlement),
        InsuredOrLost::Lost(loss) => loss,
    };
    let (Some(continuous_since), Some(one_year_on)) = (loss.continuous_since, loss.one_year_on())
    else {
        return Err(loss.less_than_one_year("健保法106条"));
    };
    if !loss.one_year() {
        return Err(loss.less_than_one_year("健保法106条"));
    }
    let window_end = period_end_after_months(loss.lost_on, CHILDBIRTH_AFTER_LOSS_MONTHS);
    if birth > window_end {
        return Err(BenefitCalcError::AfterLossPeriodExceeded {
            article: "健保法106条",
            months: CHILDBIRTH_AFTER_LOSS_MONTHS,
            lost_on: loss.lost_on,
            window_end,
            event_date: birth,
        });
    }
    Ok(Entitlement::ChildbirthAfterLoss {
        lost_on: loss.lost_on,
        reference_date: loss.reference_date,
        continuous_since,
        one_year_on,
        birth_date: birth,
        window_end,
    })
}

/// 家族出産育児一時金 (114条) / 家族埋葬料 (113条): the insured insured on the day of the
/// dependant's birth or death. After the insured's loss nothing is paid for a dependant's
/// event (rules.md §5.3: "a dependant's birth after the insured's loss is not covered"; §5.4:
/// 105条 covers the insured's own death only). Whether the person was the insured's 被扶養者
/// that day is checked against the dependant's own history by the caller.
pub fn family_event(
    history: &InsuredHistory,
    article: &'static str,
    on: Date,
) -> Result<Entitlement, BenefitCalcError> {
    if let Some(spell) = history.on(on) {
        return Ok(Entitlement::Insured {
            article,
            on,
            category: spell.category,
        });
    }
    match history.last_loss_by(on).and_then(|s| s.lost_on) {
        Some(lost_on) => Err(BenefitCalcError::FamilyBenefitAfterLoss {
            article,
            lost_on,
            event_date: on,
        }),
        None => Err(BenefitCalcError::NotQualified {
            reason: format!("the insured was not insured on {on}"),
        }),
    }
}

/// 埋葬料・埋葬費 (100条) for the insured's death: insured on the date of death, or 105条
/// (rules.md §5.4 [U]). The 104条 benefit the claim says the deceased was receiving must have
/// had its year of insurance (checked against the history).
pub fn burial(
    history: &InsuredHistory,
    death: Date,
    continued: ContinuedBenefitAtDeath,
) -> Result<Entitlement, BenefitCalcError> {
    let loss = match insured_or_lost(history, death, "健保法100条", "the date of death")? {
        InsuredOrLost::Insured(entitlement) => return Ok(entitlement),
        InsuredOrLost::Lost(loss) => loss,
    };
    let lost_on = loss.lost_on;
    let window_end = period_end_after_months(lost_on, BURIAL_AFTER_LOSS_MONTHS);
    let after_continued = continued
        .last_day
        .filter(|last| *last >= lost_on)
        .map(|last| {
            (
                last,
                period_end_after_months(last.next_day(), BURIAL_AFTER_LOSS_MONTHS),
            )
        });
    let case = if death <= window_end {
        BurialAfterLossCase::WithinThreeMonthsOfLoss { window_end }
    } else if continued.receiving {
        BurialAfterLossCase::WhileReceivingContinuedBenefit
    } else if let Some((last_day, window_end)) = after_continued.filter(|(_, end)| death <= *end) {
        BurialAfterLossCase::WithinThreeMonthsAfterContinuedBenefit {
            last_day,
            window_end,
        }
    } else {
        return Err(BenefitCalcError::AfterLossPeriodExceeded {
            article: "健保法105条",
            months: BURIAL_AFTER_LOSS_MONTHS,
            lost_on,
            window_end: after_continued.map_or(window_end, |(_, end)| end.max(window_end)),
            event_date: death,
        });
    };
    let rests_on_continued_benefit =
        !matches!(case, BurialAfterLossCase::WithinThreeMonthsOfLoss { .. });
    if rests_on_continued_benefit && !loss.one_year() {
        // a 104条 benefit needs the year: the claim's statement contradicts 適用
        return Err(loss.less_than_one_year("健保法105条 (104条の継続給付)"));
    }
    Ok(Entitlement::BurialAfterLoss {
        lost_on,
        date_of_death: death,
        case,
    })
}

#[cfg(test)]
mod tests;
