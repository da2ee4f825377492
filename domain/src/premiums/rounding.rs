//! 端数処理 (rounding) rules of 徴収, each a named function so that a rule the society has
//! not confirmed can be changed in one place. All take an exact [`Decimal`] amount of yen
//! (never a float: rules.md §3.3 warns that a float `frac > 0.5` test mis-rounds exact 50銭
//! cases such as 110,000 × 9.21% ÷ 2 = 5,065.50) and return whole [`Yen`].
//!
//! Amounts here are never negative; a negative input is rounded as its magnitude and negated.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::basis::Rounding;
use crate::money::Yen;

/// Source of the 50銭 rules: 通貨の単位及び貨幣の発行等に関する法律3条; 日本年金機構「保険料の
/// 計算方法について」 (rules.md §3.3, S7, S14).
pub const FIFTY_SEN_SOURCE: &str =
    "通貨の単位及び貨幣の発行等に関する法律3条; 日本年金機構 保険料の計算方法 (rules.md §3.3)";

/// Source of the employer-total floor: rules.md §3.3 (S7, S14: 1円未満切捨て on the total).
pub const EMPLOYER_TOTAL_SOURCE: &str =
    "納入告知額は1円未満切捨て (日本年金機構 S7; 健保組合 S14; rules.md §3.3)";

/// Source (and caveat) of the 任継 rounding: rules.md §3.7 and §7 item 3 mark it [U].
pub const VOLUNTARY_SOURCE: &str =
    "[U] 任継保険料の1円未満の端数: 規約・告示で要確認; 切捨てで実装 \
     (rules.md §3.7, §7-3; 公開ツール S2 nini_keizoku_core.js も切捨て)";

/// Source (and caveat) of the 前納 rounding: rules.md §3.7 and §7 item 4.
pub const PREPAYMENT_SOURCE: &str = "健保法165条, 施行令49条 (年4分複利現価法); 端数は四捨五入 \
     [U: 政令の文言未読, 協会けんぽ埼玉 H27 前納額表で再現] (rules.md §3.7, §7-4)";

fn to_yen(value: Decimal) -> Yen {
    // The value is already integral; amounts of premiums are far inside i64.
    Yen::new(value.to_i64().unwrap_or(i64::MAX))
}

fn magnitude_rounded(amount: Decimal, round: impl Fn(Decimal) -> Decimal) -> Yen {
    if amount.is_sign_negative() {
        Yen::ZERO - to_yen(round(-amount))
    } else {
        to_yen(round(amount))
    }
}

/// 50銭以下切捨て・50銭超切上げ: the insured's share **deducted from wages or bonus**
/// (12,345.50 → 12,345; 12,345.51 → 12,346). Rules.md §3.3.
pub fn fifty_sen_down(amount: Decimal) -> Yen {
    magnitude_rounded(amount, |a| {
        a.round_dp_with_strategy(0, RoundingStrategy::MidpointTowardZero)
    })
}

/// 50銭未満切捨て・50銭以上切上げ: the insured's share **paid in cash** to the employer
/// (12,345.49 → 12,345; 12,345.50 → 12,346). Rules.md §3.3.
pub fn fifty_sen_up(amount: Decimal) -> Yen {
    magnitude_rounded(amount, |a| {
        a.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// 1円未満切捨て.
pub fn floor_yen(amount: Decimal) -> Yen {
    magnitude_rounded(amount, |a| a.trunc())
}

/// 1円未満四捨五入.
pub fn half_up_yen(amount: Decimal) -> Yen {
    fifty_sen_up(amount)
}

/// The employer's 納入告知額: 1円未満切捨て once on the 事業所 total (rules.md §3.3).
pub fn employer_total(amount: Decimal) -> Yen {
    floor_yen(amount)
}

/// The [`Rounding`] recorded for [`employer_total`].
pub const EMPLOYER_TOTAL_ROUNDING: Rounding = Rounding::FloorYen;

/// The monthly premium of a 任意継続被保険者. **[U]** (rules.md §3.7, §7 item 3): no source
/// for the rounding of the full amount was read; implemented as 1円未満切捨て pending the
/// society's 規約・告示. Change this function (and [`VOLUNTARY_ROUNDING`]) if it decides
/// otherwise.
pub fn voluntary_premium(amount: Decimal) -> Yen {
    floor_yen(amount)
}

/// The [`Rounding`] recorded for [`voluntary_premium`].
pub const VOLUNTARY_ROUNDING: Rounding = Rounding::FloorYen;

/// The 前納額: 四捨五入 to the yen of the discounted total (rules.md §3.7; the 政令's own
/// wording was not read, §7 item 4 [U]).
pub fn prepayment_total(amount: Decimal) -> Yen {
    half_up_yen(amount)
}

/// The [`Rounding`] recorded for [`prepayment_total`].
pub const PREPAYMENT_ROUNDING: Rounding = Rounding::HalfUpYen;

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn fifty_sen_boundaries_for_wage_deduction() {
        // rules.md §3.3 (日本年金機構 S7): 12,345.50 → 12,345; 12,345.51 → 12,346.
        assert_eq!(fifty_sen_down(dec("12345.50")), Yen::new(12_345));
        assert_eq!(fifty_sen_down(dec("12345.51")), Yen::new(12_346));
        assert_eq!(fifty_sen_down(dec("12345.49")), Yen::new(12_345));
        assert_eq!(fifty_sen_down(dec("12345.501")), Yen::new(12_346));
        assert_eq!(fifty_sen_down(dec("12345")), Yen::new(12_345));
        // 110,000 × 9.21% ÷ 2 = 10,131 ÷ 2 = 5,065.50 exactly → 5,065 (rules.md §3.3).
        assert_eq!(
            fifty_sen_down(dec("110000") * dec("0.0921") / dec("2")),
            Yen::new(5_065)
        );
    }

    #[test]
    fn fifty_sen_boundaries_for_cash() {
        // rules.md §3.3: cash payment, < 0.50 down, ≥ 0.50 up.
        assert_eq!(fifty_sen_up(dec("12345.49")), Yen::new(12_345));
        assert_eq!(fifty_sen_up(dec("12345.50")), Yen::new(12_346));
        assert_eq!(fifty_sen_up(dec("12345.51")), Yen::new(12_346));
    }

    #[test]
    fn floors_and_half_up() {
        assert_eq!(floor_yen(dec("30272.99")), Yen::new(30_272));
        assert_eq!(voluntary_premium(dec("30272.99")), Yen::new(30_272));
        assert_eq!(employer_total(dec("1.999")), Yen::new(1));
        assert_eq!(prepayment_total(dec("100.5")), Yen::new(101));
        assert_eq!(prepayment_total(dec("100.4999")), Yen::new(100));
        assert_eq!(floor_yen(dec("-2.5")), Yen::new(-2));
    }
}
