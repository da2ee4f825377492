//! Date rules for the 70–74 and 75 age boundaries that certificates follow.

use crate::calendar::Date;

/// The first day of 高齢受給者 status (70–74): the 1st of the month after the month in which
/// the person reaches 70; for a birthday on the 1st of a month, the 1st of the birthday month
/// (rules.md §5.8, §4.2 "70歳"; \[S\] S28).
///
/// Reading: a person reaches an age at the end of the day before the birthday (年齢計算ニ関スル
/// 法律 [general knowledge]), so someone born on the 1st reaches 70 on the last day of the
/// previous month, and "the month after" is the birthday month. The rule is therefore "the 1st
/// of the month after the month containing the day before the 70th birthday", which gives both
/// cases of rules.md §5.8 at once. A 29 February birthday in a common year falls on 1 March
/// ([`Date::anniversary`]): 70 is reached on 28 February and the start is 1 March.
pub fn elderly_co_payment_start(birth_date: Date) -> Date {
    birth_date
        .anniversary(70)
        .previous_day()
        .year_month()
        .add_months(1)
        .first_day()
}

/// The last day a person can hold a certificate of this society: the day before the 75th
/// birthday, since the society records 資格喪失日 = 75歳の誕生日 and the person moves to
/// 後期高齢者医療 (rules.md §4.2 "75歳"; rules.md §5.8 "70–74").
pub fn last_day_before_75th_birthday(birth_date: Date) -> Date {
    birth_date.anniversary(75).previous_day()
}

/// True when `date` is in the 70–74 band for a person born on `birth_date` (from
/// [`elderly_co_payment_start`]).
pub fn is_elderly_on(birth_date: Date, date: Date) -> bool {
    date >= elderly_co_payment_start(birth_date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse;

    fn d(s: &str) -> Date {
        parse(s).expect("test date")
    }

    #[test]
    fn elderly_start_is_the_month_after_the_70th_birthday_month() {
        // Born 1956-04-02: 70th birthday 2026-04-02, reached 2026-04-01 (April) → 2026-05-01.
        assert_eq!(elderly_co_payment_start(d("1956-04-02")), d("2026-05-01"));
        // Born 1956-06-15: birthday month June 2026 → 2026-07-01.
        assert_eq!(elderly_co_payment_start(d("S31.6.15")), d("2026-07-01"));
        // Born 1956-04-30 (end of month): April → 2026-05-01.
        assert_eq!(elderly_co_payment_start(d("1956-04-30")), d("2026-05-01"));
        // Born 1956-12-15: December 2026 → the next year, 2027-01-01.
        assert_eq!(elderly_co_payment_start(d("1956-12-15")), d("2027-01-01"));
    }

    #[test]
    fn first_of_month_birthdays_start_in_the_birthday_month() {
        // rules.md §5.8: "1st-of-month birthdays: the birthday month".
        // Born 1956-04-01: 70 reached 2026-03-31 (March) → 2026-04-01, the birthday itself.
        assert_eq!(elderly_co_payment_start(d("1956-04-01")), d("2026-04-01"));
        // Born 1956-01-01: 70 reached 2025-12-31 → 2026-01-01 (across the year end).
        assert_eq!(elderly_co_payment_start(d("1956-01-01")), d("2026-01-01"));
        // Born 1956-03-01: 70 reached 2026-02-28 (common year) → 2026-03-01.
        assert_eq!(elderly_co_payment_start(d("1956-03-01")), d("2026-03-01"));
        // Born 1958-03-01: 2028 is a leap year, 70 reached 2028-02-29 → 2028-03-01.
        assert_eq!(elderly_co_payment_start(d("1958-03-01")), d("2028-03-01"));
        // Born 1956-04-02, the day after a 1st: not a 1st-of-month birthday → 2026-05-01.
        assert_eq!(elderly_co_payment_start(d("1956-04-02")), d("2026-05-01"));
    }

    #[test]
    fn leap_day_birthdays() {
        // Born 1956-02-29; 2026 has no 29 February: birthday 2026-03-01, 70 reached 2026-02-28
        // (February) → 2026-03-01.
        assert_eq!(elderly_co_payment_start(d("1956-02-29")), d("2026-03-01"));
        // Born 1960-02-29; 2030 is common too → 2030-03-01.
        assert_eq!(elderly_co_payment_start(d("1960-02-29")), d("2030-03-01"));
    }

    #[test]
    fn last_day_is_the_day_before_the_75th_birthday() {
        // Born 1956-06-15: 75th birthday 2031-06-15 (資格喪失日) → last day 2031-06-14.
        assert_eq!(
            last_day_before_75th_birthday(d("1956-06-15")),
            d("2031-06-14")
        );
        // Born 1956-04-01: 75th birthday 2031-04-01 → 2031-03-31.
        assert_eq!(
            last_day_before_75th_birthday(d("1956-04-01")),
            d("2031-03-31")
        );
        // Born 1956-02-29: 2031 has no 29 February → birthday 2031-03-01, last day 2031-02-28.
        assert_eq!(
            last_day_before_75th_birthday(d("1956-02-29")),
            d("2031-02-28")
        );
    }

    #[test]
    fn elderly_band_boundary() {
        assert!(!is_elderly_on(d("1956-04-02"), d("2026-04-30")));
        assert!(is_elderly_on(d("1956-04-02"), d("2026-05-01")));
    }
}
