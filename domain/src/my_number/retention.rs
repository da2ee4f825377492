//! Retention of the 個人番号: when it is due for 消去 (complete erasure).
//!
//! Rule: the society keeps the 個人番号 in the core system "資格喪失後10年間" under its
//! 文書保存規程 (digest.md §3, L1691–1692), then finds the persons past retention and erases
//! their numbers regularly (L1763–1764, L3419–3420), recording each erasure in the 管理簿
//! (L1770).
//!
//! Counting (a decision): the 10 years start on the 資格喪失日 itself, the day the qualification
//! is lost from its first moment (健康保険法36条: 喪失 "その日の翌日から", so the period starts at
//! 午前零時 and that day counts, 民法140条 ただし書). A period of years ends on the day before
//! its 応当日, or at the end of the month when the last month has no such day (民法143条2項).
//! So the number may be kept through that day and is **due on the 応当日**, the 10th
//! anniversary of the 資格喪失日 ([`Date::anniversary`], which gives 1 March for 29 February).
//! Example: 資格喪失日 2026-04-01 → kept to 2036-03-31, due 2036-04-01.
//!
//! The clock runs from the person's **latest** 資格喪失 (for a 被扶養者, the latest
//! 被扶養者削除), and a person qualified on the as-of date is never due: the seed does not say
//! whether the 10 years restart when someone rejoins (一般 → 任意継続 is a 喪失 followed by a
//! 取得, L1040–1041), so a rejoin restarts the clock (digest.md §3, gap note; design
//! §7.4 "Shred" step 2.2).

use crate::calendar::Date;

/// Years the 個人番号 is kept after 資格喪失 (digest.md §3, L1691–1692).
pub const RETENTION_YEARS: u32 = 10;

/// The first day the 個人番号 may be erased: the 10th anniversary of the latest 資格喪失日
/// (see the module documentation for the counting).
pub fn erasure_due_on(latest_loss_on: Date) -> Date {
    latest_loss_on.anniversary(RETENTION_YEARS)
}

/// True when the 個人番号 is due for 消去 on `as_of`: the person is not qualified now, has
/// lost a qualification, and `as_of` is on or after [`erasure_due_on`] of the latest loss.
/// A person never qualified (`latest_loss_on` is `None`) is never due by this rule.
pub fn is_due(latest_loss_on: Option<Date>, qualified_now: bool, as_of: Date) -> bool {
    if qualified_now {
        return false;
    }
    latest_loss_on.is_some_and(|lost_on| as_of >= erasure_due_on(lost_on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse;

    fn d(s: &str) -> Date {
        parse(s).expect("test date")
    }

    #[test]
    fn due_on_the_tenth_anniversary_of_the_loss() {
        // 資格喪失日 2026-04-01 (退職 3/31): kept 2026-04-01 .. 2036-03-31 (民法143条2項).
        assert_eq!(erasure_due_on(d("2026-04-01")), d("2036-04-01"));
        assert_eq!(erasure_due_on(d("令和7年10月16日")), d("2035-10-16"));
    }

    #[test]
    fn leap_day_loss_is_due_on_1_march() {
        // No 2034-02-29: the period ends at the end of February (民法143条2項 ただし書).
        assert_eq!(erasure_due_on(d("2024-02-29")), d("2034-03-01"));
        assert!(!is_due(Some(d("2024-02-29")), false, d("2034-02-28")));
        assert!(is_due(Some(d("2024-02-29")), false, d("2034-03-01")));
    }

    #[test]
    fn boundary_day_before_and_on_the_day() {
        let lost = Some(d("2026-04-01"));
        assert!(!is_due(lost, false, d("2036-03-31")));
        assert!(is_due(lost, false, d("2036-04-01")));
        assert!(is_due(lost, false, d("2040-01-01")));
    }

    #[test]
    fn never_due_while_qualified() {
        // Rejoined after an old loss: the clock restarts at the next loss.
        assert!(!is_due(Some(d("2010-04-01")), true, d("2036-04-01")));
    }

    #[test]
    fn rejoin_restarts_the_clock() {
        // Lost 2016-04-01, rejoined (任意継続) and lost again 2018-04-01: due 2028-04-01.
        let latest = Some(d("2018-04-01"));
        assert!(!is_due(latest, false, d("2026-04-01")));
        assert!(!is_due(latest, false, d("2028-03-31")));
        assert!(is_due(latest, false, d("2028-04-01")));
    }

    #[test]
    fn never_lost_is_never_due() {
        assert!(!is_due(None, false, d("2100-01-01")));
    }
}
