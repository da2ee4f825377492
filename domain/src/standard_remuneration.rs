//! 標準報酬月額 (standard monthly remuneration) and 標準賞与額 (standard bonus amount).
//!
//! Grade table: 健康保険法40条1項, 50 grades, in force since 2016-04-01 (rules.md §2.1, §0).
//! 標準賞与額: 健康保険法45条 (rules.md §2.6).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::Date;
use crate::money::Yen;

/// First day the 50-grade table below is in force (grades 48–50 added; rules.md §0).
pub const GRADE_TABLE_IN_FORCE_FROM: Date = Date::fixed(2016, 4, 1);

/// Number of grades (等級) of the health insurance table.
pub const GRADE_COUNT: u8 = 50;

/// (等級, 標準報酬月額, 報酬月額 from (以上)) for each grade; a grade runs from its `from` up to
/// (未満) the next grade's `from`. Grade 1 has no lower bound, grade 50 no upper bound.
/// 健康保険法40条1項 (rules.md §2.1).
const GRADES: [(u8, i64, i64); 50] = [
    (1, 58_000, 0),
    (2, 68_000, 63_000),
    (3, 78_000, 73_000),
    (4, 88_000, 83_000),
    (5, 98_000, 93_000),
    (6, 104_000, 101_000),
    (7, 110_000, 107_000),
    (8, 118_000, 114_000),
    (9, 126_000, 122_000),
    (10, 134_000, 130_000),
    (11, 142_000, 138_000),
    (12, 150_000, 146_000),
    (13, 160_000, 155_000),
    (14, 170_000, 165_000),
    (15, 180_000, 175_000),
    (16, 190_000, 185_000),
    (17, 200_000, 195_000),
    (18, 220_000, 210_000),
    (19, 240_000, 230_000),
    (20, 260_000, 250_000),
    (21, 280_000, 270_000),
    (22, 300_000, 290_000),
    (23, 320_000, 310_000),
    (24, 340_000, 330_000),
    (25, 360_000, 350_000),
    (26, 380_000, 370_000),
    (27, 410_000, 395_000),
    (28, 440_000, 425_000),
    (29, 470_000, 455_000),
    (30, 500_000, 485_000),
    (31, 530_000, 515_000),
    (32, 560_000, 545_000),
    (33, 590_000, 575_000),
    (34, 620_000, 605_000),
    (35, 650_000, 635_000),
    (36, 680_000, 665_000),
    (37, 710_000, 695_000),
    (38, 750_000, 730_000),
    (39, 790_000, 770_000),
    (40, 830_000, 810_000),
    (41, 880_000, 855_000),
    (42, 930_000, 905_000),
    (43, 980_000, 955_000),
    (44, 1_030_000, 1_005_000),
    (45, 1_090_000, 1_055_000),
    (46, 1_150_000, 1_115_000),
    (47, 1_210_000, 1_175_000),
    (48, 1_270_000, 1_235_000),
    (49, 1_330_000, 1_295_000),
    (50, 1_390_000, 1_355_000),
];

/// A 標準報酬月額 (standard monthly remuneration): its 等級 (grade) and amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct StandardMonthlyRemuneration {
    /// 等級, 1 to 50.
    pub grade: u8,
    /// 標準報酬月額.
    pub amount: Yen,
}

/// The grade of a 報酬月額 (monthly remuneration): the row with `from ≤ x < to`; below
/// 63,000 is grade 1 (58,000), 1,355,000 and above grade 50 (1,390,000).
/// 健康保険法40条1項 (rules.md §2.1).
pub fn grade_for(monthly_remuneration: Yen) -> StandardMonthlyRemuneration {
    let x = monthly_remuneration.amount();
    let (grade, amount, _) = GRADES
        .iter()
        .rev()
        .find(|(_, _, from)| x >= *from)
        .copied()
        .unwrap_or(GRADES[0]);
    StandardMonthlyRemuneration {
        grade,
        amount: Yen::new(amount),
    }
}

/// The row of grade `grade` (1 to 50), or `None`.
pub fn grade(grade: u8) -> Option<StandardMonthlyRemuneration> {
    GRADES
        .iter()
        .find(|(g, _, _)| *g == grade)
        .map(|(g, amount, _)| StandardMonthlyRemuneration {
            grade: *g,
            amount: Yen::new(*amount),
        })
}

/// Whether a 随時改定 (43条) is warranted by the size of the change: the new grade must be at
/// least 2 grades from the current one (昭和36年1月26日 保発第4号; rules.md §2.5), except at the
/// ends of the table, where one grade suffices (保発第4号 記2(1), modelled as virtual grades 0
/// below 53,000 and 51 from 1,415,000): current grade 49 rising with an average ≥ 1,415,000;
/// grade 50 whose 報酬 was ≥ 1,415,000 falling to 49; grade 1 whose 報酬 was < 53,000 rising
/// to 2; grade 2 falling below 53,000. The 固定的賃金 and direction tests of 保発第4号 are
/// facts of the notice, not checked here.
pub fn interim_revision_change_is_significant(
    current: StandardMonthlyRemuneration,
    current_remuneration: Yen,
    new_remuneration: Yen,
) -> bool {
    const TOP: Yen = Yen::new(1_415_000);
    const BOTTOM: Yen = Yen::new(53_000);
    let new = grade_for(new_remuneration);
    if current.grade.abs_diff(new.grade) >= 2 {
        return true;
    }
    match (current.grade, new.grade) {
        (49, 50) => new_remuneration >= TOP,
        (50, 49) => current_remuneration >= TOP,
        (1, 2) => current_remuneration < BOTTOM,
        (2, 1) => new_remuneration < BOTTOM,
        _ => false,
    }
}

/// Fiscal-year (年度, 4/1 to 3/31) cap on the sum of 標準賞与額: 5,730,000 yen since
/// 2016-04-01 (健康保険法45条1項; rules.md §0, §2.6).
pub const ANNUAL_STANDARD_BONUS_CAP: Yen = Yen::new(5_730_000);

/// 標準賞与額 for one month's 賞与 (健康保険法45条1項; rules.md §2.6): the month's total
/// 賞与額 with 1,000円未満切捨て, cut so that the 年度 total does not exceed
/// [`ANNUAL_STANDARD_BONUS_CAP`]. `already_in_fiscal_year` is the sum of the 標準賞与額 of the
/// earlier months of the same 年度; once it reaches the cap the result is 0.
pub fn standard_bonus(bonus_in_month: Yen, already_in_fiscal_year: Yen) -> Yen {
    let floored = bonus_in_month.floor_to(1_000).max(Yen::ZERO);
    let room = (ANNUAL_STANDARD_BONUS_CAP - already_in_fiscal_year).max(Yen::ZERO);
    floored.min(room)
}

/// The 年度 (fiscal year) a 賞与 paid on `paid_on` counts in (4/1 to 3/31).
pub fn bonus_fiscal_year(paid_on: Date) -> i32 {
    paid_on.fiscal_year()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grade table copied verbatim from rules.md §2.1 (等級 | 標準報酬月額 | from | to | 厚年),
    /// so the test does not depend on the code's own table.
    const RULES_TABLE: &str = "\
| 1 | 58,000 | — | 63,000 |  |
| 2 | 68,000 | 63,000 | 73,000 |  |
| 3 | 78,000 | 73,000 | 83,000 |  |
| 4 | 88,000 | 83,000 | 93,000 | 1 |
| 5 | 98,000 | 93,000 | 101,000 | 2 |
| 6 | 104,000 | 101,000 | 107,000 | 3 |
| 7 | 110,000 | 107,000 | 114,000 | 4 |
| 8 | 118,000 | 114,000 | 122,000 | 5 |
| 9 | 126,000 | 122,000 | 130,000 | 6 |
| 10 | 134,000 | 130,000 | 138,000 | 7 |
| 11 | 142,000 | 138,000 | 146,000 | 8 |
| 12 | 150,000 | 146,000 | 155,000 | 9 |
| 13 | 160,000 | 155,000 | 165,000 | 10 |
| 14 | 170,000 | 165,000 | 175,000 | 11 |
| 15 | 180,000 | 175,000 | 185,000 | 12 |
| 16 | 190,000 | 185,000 | 195,000 | 13 |
| 17 | 200,000 | 195,000 | 210,000 | 14 |
| 18 | 220,000 | 210,000 | 230,000 | 15 |
| 19 | 240,000 | 230,000 | 250,000 | 16 |
| 20 | 260,000 | 250,000 | 270,000 | 17 |
| 21 | 280,000 | 270,000 | 290,000 | 18 |
| 22 | 300,000 | 290,000 | 310,000 | 19 |
| 23 | 320,000 | 310,000 | 330,000 | 20 |
| 24 | 340,000 | 330,000 | 350,000 | 21 |
| 25 | 360,000 | 350,000 | 370,000 | 22 |
| 26 | 380,000 | 370,000 | 395,000 | 23 |
| 27 | 410,000 | 395,000 | 425,000 | 24 |
| 28 | 440,000 | 425,000 | 455,000 | 25 |
| 29 | 470,000 | 455,000 | 485,000 | 26 |
| 30 | 500,000 | 485,000 | 515,000 | 27 |
| 31 | 530,000 | 515,000 | 545,000 | 28 |
| 32 | 560,000 | 545,000 | 575,000 | 29 |
| 33 | 590,000 | 575,000 | 605,000 | 30 |
| 34 | 620,000 | 605,000 | 635,000 | 31 |
| 35 | 650,000 | 635,000 | 665,000 | 32 |
| 36 | 680,000 | 665,000 | 695,000 |  |
| 37 | 710,000 | 695,000 | 730,000 |  |
| 38 | 750,000 | 730,000 | 770,000 |  |
| 39 | 790,000 | 770,000 | 810,000 |  |
| 40 | 830,000 | 810,000 | 855,000 |  |
| 41 | 880,000 | 855,000 | 905,000 |  |
| 42 | 930,000 | 905,000 | 955,000 |  |
| 43 | 980,000 | 955,000 | 1,005,000 |  |
| 44 | 1,030,000 | 1,005,000 | 1,055,000 |  |
| 45 | 1,090,000 | 1,055,000 | 1,115,000 |  |
| 46 | 1,150,000 | 1,115,000 | 1,175,000 |  |
| 47 | 1,210,000 | 1,175,000 | 1,235,000 |  |
| 48 | 1,270,000 | 1,235,000 | 1,295,000 |  |
| 49 | 1,330,000 | 1,295,000 | 1,355,000 |  |
| 50 | 1,390,000 | 1,355,000 | — |  |
";

    fn yen(text: &str) -> Option<i64> {
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        digits.parse().ok()
    }

    /// (grade, amount, from, to) rows parsed from [`RULES_TABLE`].
    fn rules_rows() -> Vec<(u8, i64, Option<i64>, Option<i64>)> {
        RULES_TABLE
            .lines()
            .map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                (
                    cells[1].parse().expect("grade"),
                    yen(cells[2]).expect("amount"),
                    yen(cells[3]),
                    yen(cells[4]),
                )
            })
            .collect()
    }

    #[test]
    fn table_has_fifty_rows() {
        let rows = rules_rows();
        assert_eq!(rows.len(), 50);
        assert_eq!(rows[0].2, None);
        assert_eq!(rows[49].3, None);
    }

    #[test]
    fn every_grade_boundary() {
        for (grade_no, amount, from, to) in rules_rows() {
            let expect = StandardMonthlyRemuneration {
                grade: grade_no,
                amount: Yen::new(amount),
            };
            if let Some(from) = from {
                assert_eq!(grade_for(Yen::new(from)), expect, "from {from}");
                let below = grade_for(Yen::new(from - 1));
                assert_eq!(below.grade, grade_no - 1, "from-1 {}", from - 1);
            }
            if let Some(to) = to {
                assert_eq!(grade_for(Yen::new(to - 1)), expect, "to-1 {}", to - 1);
                assert_eq!(grade_for(Yen::new(to)).grade, grade_no + 1, "to {to}");
            }
            assert_eq!(grade(grade_no), Some(expect));
        }
    }

    #[test]
    fn table_ends() {
        assert_eq!(grade_for(Yen::ZERO).amount, Yen::new(58_000));
        assert_eq!(grade_for(Yen::new(-5)).grade, 1);
        assert_eq!(grade_for(Yen::new(62_999)).grade, 1);
        assert_eq!(grade_for(Yen::new(1_355_000)).amount, Yen::new(1_390_000));
        assert_eq!(grade_for(Yen::new(10_000_000)).grade, 50);
        assert_eq!(grade(0), None);
        assert_eq!(grade(51), None);
    }

    #[test]
    fn each_standard_amount_falls_in_its_own_band() {
        // Lets a clerk enter a 任意継続 standard amount (健康保険法47条) as the 報酬月額.
        for (grade_no, amount, _, _) in rules_rows() {
            assert_eq!(grade_for(Yen::new(amount)).grade, grade_no);
        }
    }

    #[test]
    fn interim_revision_needs_two_grades_except_at_the_ends() {
        let g = |n| grade(n).expect("grade exists");
        // 300,000 is grade 22; 330,000 is grade 24 (2 grades): significant.
        assert!(interim_revision_change_is_significant(
            g(22),
            Yen::new(300_000),
            Yen::new(330_000)
        ));
        // 310,000 is grade 23 (1 grade): not significant.
        assert!(!interim_revision_change_is_significant(
            g(22),
            Yen::new(300_000),
            Yen::new(310_000)
        ));
        // Grade 49 → 1,415,000 (grade 50, virtual 51): significant; 1,414,999: not.
        assert!(interim_revision_change_is_significant(
            g(49),
            Yen::new(1_300_000),
            Yen::new(1_415_000)
        ));
        assert!(!interim_revision_change_is_significant(
            g(49),
            Yen::new(1_300_000),
            Yen::new(1_414_999)
        ));
        // Grade 50 paid 1,415,000 falling to grade 49: significant; paid 1,400,000: not.
        assert!(interim_revision_change_is_significant(
            g(50),
            Yen::new(1_415_000),
            Yen::new(1_300_000)
        ));
        assert!(!interim_revision_change_is_significant(
            g(50),
            Yen::new(1_400_000),
            Yen::new(1_300_000)
        ));
        // Grade 1 paid 52,999 rising to grade 2: significant; paid 53,000: not.
        assert!(interim_revision_change_is_significant(
            g(1),
            Yen::new(52_999),
            Yen::new(63_000)
        ));
        assert!(!interim_revision_change_is_significant(
            g(1),
            Yen::new(53_000),
            Yen::new(63_000)
        ));
        // Grade 2 falling to 52,999: significant; to 53,000 (grade 1): not.
        assert!(interim_revision_change_is_significant(
            g(2),
            Yen::new(65_000),
            Yen::new(52_999)
        ));
        assert!(!interim_revision_change_is_significant(
            g(2),
            Yen::new(65_000),
            Yen::new(53_000)
        ));
    }

    #[test]
    fn standard_bonus_floors_to_thousand() {
        // rules.md §2.6: 1,234,567 → 1,234,000.
        assert_eq!(
            standard_bonus(Yen::new(1_234_567), Yen::ZERO),
            Yen::new(1_234_000)
        );
        assert_eq!(standard_bonus(Yen::new(999), Yen::ZERO), Yen::ZERO);
    }

    #[test]
    fn standard_bonus_fiscal_year_cap() {
        // rules.md §2.6: June 3,000,000 + December 3,000,000 + March 500,000 in one 年度 →
        // 3,000,000 / 2,730,000 / 0.
        let june = standard_bonus(Yen::new(3_000_000), Yen::ZERO);
        assert_eq!(june, Yen::new(3_000_000));
        let december = standard_bonus(Yen::new(3_000_000), june);
        assert_eq!(december, Yen::new(2_730_000));
        let march = standard_bonus(Yen::new(500_000), june + december);
        assert_eq!(march, Yen::ZERO);
    }
}
