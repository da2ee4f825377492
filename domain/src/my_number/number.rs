//! [`MyNumber`]: a 個人番号 that passed its check digit, and [`MyNumberError`].
//!
//! The value never leaves this type by accident: no `Display`, no `Serialize`, a redacted
//! `Debug`, and error messages (including serde's) that never repeat the input. The only way
//! out is [`MyNumber::expose`], for the blind index (HMAC) and sealing
//! (design/my-number-security.md §7.4 steps 3–4).

use std::fmt;

use serde::{Deserialize, Deserializer};
use thiserror::Error;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// Number of digits of a 個人番号: 11 base digits and one check digit (rules.md §1;
/// digest.md §0.1 "12-digit national number with a check digit").
pub const MY_NUMBER_DIGITS: usize = 12;

/// Weights of the 11 base digits, left to right: the 算式 of 平成26年総務省令第85号5条
/// (Qn = n + 1 for 1 ≤ n ≤ 6, n − 5 for 7 ≤ n ≤ 11, n counted from the lowest digit) read
/// from the highest digit (rules.md §1).
const CHECK_WEIGHTS: [u32; MY_NUMBER_DIGITS - 1] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// A 個人番号 (My Number) could not be read. Messages never contain the input, nor any digit
/// derived from it (design/my-number-security.md §7.4 step 3, §7.5 invariant 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MyNumberError {
    /// Not 12 digits once spaces and hyphens are removed.
    #[error("a 個人番号 (My Number) has 12 digits, got {digits}")]
    WrongLength {
        /// How many digits were given (a count only, never the digits).
        digits: usize,
    },
    /// A character other than a digit, a space or a hyphen.
    #[error("a 個人番号 (My Number) may contain only the digits 0-9, with optional spaces or hyphens between them")]
    NotDigits,
    /// The 12th digit is not the 検査用数字 of the first 11 (rules.md §1).
    #[error("the 個人番号 (My Number) check digit (検査用数字, 平成26年総務省令第85号5条) does not match; check the number against the 個人番号カード or 通知カード")]
    CheckDigitMismatch,
}

impl MyNumberError {
    /// Stable snake_case code, for API problem documents.
    pub const fn code(&self) -> &'static str {
        match self {
            MyNumberError::WrongLength { .. } => "my_number_wrong_length",
            MyNumberError::NotDigits => "my_number_not_digits",
            MyNumberError::CheckDigitMismatch => "my_number_check_digit_mismatch",
        }
    }
}

/// 個人番号 (My Number): 12 ASCII digits whose last digit is the 検査用数字 of the first 11
/// (番号法施行令8条, 平成26年総務省令第85号5条; rules.md §1). Leading zeros are kept.
///
/// The check digit is a typo guard, not proof that the number was issued (rules.md §1), and not
/// proof that it belongs to this person: duplicate and 5情報 checks are the application's
/// (digest.md §4.4–4.6).
#[derive(Clone, PartialEq, Eq)]
pub struct MyNumber(String);

impl MyNumber {
    /// Reads a 個人番号: 12 digits, half- or full-width (０–９), with optional spaces or hyphens
    /// (half- or full-width) anywhere, which are dropped. The result holds 12 ASCII digits.
    pub fn parse(input: &str) -> Result<MyNumber, MyNumberError> {
        let mut digits = String::with_capacity(MY_NUMBER_DIGITS);
        let mut count = 0usize;
        for c in input.trim().chars() {
            if let Some(digit) = ascii_digit(c) {
                count += 1;
                if count <= MY_NUMBER_DIGITS {
                    digits.push(digit);
                }
            } else if !is_separator(c) {
                return Err(MyNumberError::NotDigits);
            }
        }
        if count != MY_NUMBER_DIGITS {
            return Err(MyNumberError::WrongLength { digits: count });
        }
        let bytes = digits.as_bytes();
        let (base, check) = bytes.split_at(MY_NUMBER_DIGITS - 1);
        if check.first().map(|b| b - b'0') != Some(check_digit(base)) {
            return Err(MyNumberError::CheckDigitMismatch);
        }
        Ok(MyNumber(digits))
    }

    /// The 12 ASCII digits. Only for the blind index (HMAC) and for sealing
    /// (design/my-number-security.md §7.4): never log, display or store the result.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The digit `c` stands for, as ASCII, for `0-9` and the full-width `０-９`.
fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

/// Spaces and the hyphen-like characters people type between groups of digits (half- and
/// full-width; ー and ｰ because Japanese input methods often give them for a hyphen).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}'
            | '-'
            | '\u{FF0D}' // －
            | '\u{2010}' // ‐
            | '\u{2011}' // ‑
            | '\u{2012}' // ‒
            | '\u{2013}' // –
            | '\u{2014}' // —
            | '\u{2015}' // ―
            | '\u{2212}' // −
            | '\u{30FC}' // ー
            | '\u{FF70}' // ｰ
    )
}

/// 検査用数字 of 11 ASCII base digits (rules.md §1): Σ weight × digit mod 11; a remainder of
/// 0 or 1 gives 0, otherwise 11 − remainder.
fn check_digit(base: &[u8]) -> u8 {
    let sum: u32 = base
        .iter()
        .zip(CHECK_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => (11 - r) as u8,
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for MyNumber {
    /// Through [`MyNumber::parse`]; every error is a custom message that does not repeat the
    /// value (serde's default `invalid value: string "…"` / `invalid type: integer …` would).
    /// `deserialize_any`, so that a JSON number reaches the visitor (with `deserialize_str`,
    /// serde_json reports a number itself, echoing it).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MyNumberVisitor)
    }
}

struct MyNumberVisitor;

/// Message for anything that is not a string: never the value itself.
const NOT_A_STRING: &str = "a 個人番号 (My Number) must be given as a string of 12 digits";

impl serde::de::Visitor<'_> for MyNumberVisitor {
    type Value = MyNumber;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 個人番号 (My Number) as a string of 12 digits")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MyNumber, E> {
        MyNumber::parse(v).map_err(E::custom)
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<MyNumber, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::custom(MyNumberError::NotDigits)),
        }
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_char<E: serde::de::Error>(self, _: char) -> Result<MyNumber, E> {
        Err(E::custom(NOT_A_STRING))
    }
}

impl utoipa::PartialSchema for MyNumber {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "個人番号 (My Number): 12 digits, the last being the check digit (検査用数字, \
                 平成26年総務省令第85号5条). Spaces, hyphens and full-width digits are accepted \
                 and removed. Never echoed in responses or error messages.",
            ))
            .examples([serde_json::json!("123456789018")])
            .into()
    }
}

impl utoipa::ToSchema for MyNumber {}

#[cfg(test)]
mod tests {
    use super::*;

    /// All valid numbers of rules.md §1's worked examples.
    const VALID: [&str; 3] = ["983205673214", "123456789018", "123456789000"];

    fn all_messages(err: &MyNumberError) -> [String; 2] {
        [err.to_string(), format!("{err:?}")]
    }

    #[test]
    fn worked_examples_of_rules_md_are_valid() {
        // rules.md §1: 98320567321 → Σ 238, mod 11 = 7, check 4; 12345678901 → Σ 212,
        // mod 11 = 3, check 8; 12345678900 → Σ 210, mod 11 = 1 → 0.
        for number in VALID {
            let parsed = MyNumber::parse(number).expect("valid worked example");
            assert_eq!(parsed.expose(), number);
        }
    }

    #[test]
    fn check_digit_of_worked_examples() {
        assert_eq!(check_digit(b"98320567321"), 4);
        assert_eq!(check_digit(b"12345678901"), 8);
        assert_eq!(check_digit(b"12345678900"), 0);
    }

    #[test]
    fn remainder_zero_gives_check_digit_zero() {
        // 00000000000: Σ 0, mod 11 = 0 → 0 (rules.md §1 "≤ 1 の場合は 0").
        assert_eq!(check_digit(b"00000000000"), 0);
        assert!(MyNumber::parse("000000000000").is_ok());
    }

    #[test]
    fn negative_example_of_rules_md_is_refused() {
        // rules.md §1: 983205673210 is invalid, the check digit should be 4.
        assert_eq!(
            MyNumber::parse("983205673210"),
            Err(MyNumberError::CheckDigitMismatch)
        );
    }

    #[test]
    fn every_wrong_check_digit_is_refused() {
        for check in (0..=9).filter(|d| *d != 4) {
            let input = format!("98320567321{check}");
            assert_eq!(
                MyNumber::parse(&input),
                Err(MyNumberError::CheckDigitMismatch),
                "check digit {check}"
            );
        }
    }

    #[test]
    fn separators_and_full_width_digits_are_normalised() {
        for input in [
            "9832 0567 3214",
            "9832-0567-3214",
            " 983205673214 ",
            "９８３２０５６７３２１４",
            "９８３２－０５６７－３２１４",
            "9832\u{3000}0567\u{3000}3214",
            "9832ー0567ー3214",
        ] {
            let parsed = MyNumber::parse(input).expect("normalised");
            assert_eq!(parsed.expose(), "983205673214", "{input:?}");
        }
    }

    #[test]
    fn wrong_length_counts_digits_only() {
        assert_eq!(
            MyNumber::parse("98320567321"),
            Err(MyNumberError::WrongLength { digits: 11 })
        );
        assert_eq!(
            MyNumber::parse("9832-0567-32145"),
            Err(MyNumberError::WrongLength { digits: 13 })
        );
        assert_eq!(
            MyNumber::parse(""),
            Err(MyNumberError::WrongLength { digits: 0 })
        );
        assert_eq!(
            MyNumber::parse(" - "),
            Err(MyNumberError::WrongLength { digits: 0 })
        );
    }

    #[test]
    fn other_characters_are_refused() {
        for input in [
            "98320567321a",
            "9832.0567.3214",
            "983205673214\n1",
            "+983205673214",
        ] {
            assert_eq!(
                MyNumber::parse(input),
                Err(MyNumberError::NotDigits),
                "{input:?}"
            );
        }
    }

    #[test]
    fn errors_never_contain_the_input() {
        let cases = [
            "983205673210",
            "98320567321",
            "9832056732145",
            "98320567321x",
            "123456789019",
        ];
        for input in cases {
            let err = MyNumber::parse(input).expect_err("refused");
            for message in all_messages(&err) {
                assert!(!message.contains(input), "{message}");
                assert!(!message.contains("98320567321"), "{message}");
                assert!(!message.contains("1234567890"), "{message}");
            }
        }
    }

    #[test]
    fn debug_is_redacted_and_there_is_no_display() {
        let number = MyNumber::parse("983205673214").expect("valid");
        let debug = format!("{number:?}");
        assert_eq!(debug, "MyNumber(<redacted>)");
        let nested = format!("{:?}", Some(&number));
        assert!(!nested.contains("9832"), "{nested}");
    }

    #[test]
    fn deserializes_through_parse() {
        let number: MyNumber = serde_json::from_str("\"9832-0567-3214\"").expect("valid JSON");
        assert_eq!(number.expose(), "983205673214");
    }

    #[test]
    fn deserialize_errors_never_echo_the_value() {
        for json in [
            "\"983205673210\"",
            "\"98320567321\"",
            "\"98320567321x\"",
            "983205673214",
            "983205673210",
            "9832056732140000000000000",
            "98320567321.4",
            "true",
            "[\"983205673214\"]",
        ] {
            let err = serde_json::from_str::<MyNumber>(json).expect_err("refused");
            let message = err.to_string();
            assert!(!message.contains("98320567321"), "{json}: {message}");
        }
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(
            MyNumberError::WrongLength { digits: 3 }.code(),
            "my_number_wrong_length"
        );
        assert_eq!(MyNumberError::NotDigits.code(), "my_number_not_digits");
        assert_eq!(
            MyNumberError::CheckDigitMismatch.code(),
            "my_number_check_digit_mismatch"
        );
    }
}
