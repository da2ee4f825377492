//! 顧客番号 (customer number) of a premium account: the reference a 任意継続 / 特例退職 member
//! quotes when paying (振込依頼人コード of a 全銀 振込入金通知, 顧客番号 of the receipt CSV).
//!
//! It is **derived from the event log**, not drawn from a counter kept elsewhere: the global
//! position of the account's `AccountOpened` event (ADR 0001: a position is never reused and
//! never changes), zero-padded to 9 digits, followed by a Luhn check digit — 10 digits, the
//! width of the 全銀 field. A rebuild from position 0 therefore gives every account the same
//! number again. The check digit catches every single-digit slip and most transpositions a
//! payer makes when typing the number at a bank counter, so a mistyped number does not credit
//! another member's account (it is reported as unmatched instead).
//!
//! Limit: positions above 999,999,999 have no number (`None`); the scheme must be widened
//! before the log reaches a billion events.

/// Largest position that has a number.
pub const MAX_POSITION: i64 = 999_999_999;

/// The 顧客番号 of the account opened at `position`.
pub fn customer_number(position: i64) -> Option<String> {
    if !(1..=MAX_POSITION).contains(&position) {
        return None;
    }
    let body = format!("{position:09}");
    let check = check_digit(&body);
    Some(format!("{body}{check}"))
}

/// Luhn check digit of a string of ASCII digits.
fn check_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// True when `number` is 10 ASCII digits whose last one is the Luhn check digit of the
/// first nine.
pub fn is_well_formed(number: &str) -> bool {
    number.len() == 10
        && number.bytes().all(|b| b.is_ascii_digit())
        && check_digit(&number[..9]).to_string() == number[9..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_of_known_values() {
        // position 42 → "000000042": from the right 2×2 = 4, then 4, then zeros → sum 8 →
        // check digit (10 − 8) mod 10 = 2.
        assert_eq!(customer_number(42).as_deref(), Some("0000000422"));
        // 123456789: from the right 9×2=18→9, 8, 7×2=14→5, 6, 5×2=10→1, 4, 3×2=6, 2, 1×2=2
        // → 9+8+5+6+1+4+6+2+2 = 43 → check 7.
        assert_eq!(customer_number(123_456_789).as_deref(), Some("1234567897"));
        assert!(is_well_formed("1234567897"));
        assert!(!is_well_formed("1234567898"));
        // a transposition of two neighbouring digits is caught
        assert!(!is_well_formed("2134567897"));
        assert_eq!(customer_number(0), None);
        assert_eq!(customer_number(MAX_POSITION + 1), None);
    }
}
