//! Finding a 個人番号 written in clear: 12 digits (or 4-4-4 with a space or hyphen between the
//! groups, half- or full-width) whose last digit is the check digit (検査用数字,
//! `kenpo_domain::my_number::MyNumber::parse`). Used by the whole-database sweep of the erasure
//! proof; it counts occurrences and never returns or prints what it found.
//!
//! What is not a candidate, so that ids and digests do not raise false alarms:
//! - the digits of a UUID (its last group can be 12 decimal digits): UUIDs are masked first;
//! - a digit group touching an ASCII letter or digit (hex digests, base64 text, longer numbers);
//! - the fraction or integer part of a decimal (`0.123456789018`).

use kenpo_domain::my_number::MyNumber;

/// How many valid 個人番号 appear in clear in `text`.
pub fn count_in_clear(text: &str) -> usize {
    let mut chars: Vec<char> = text.chars().map(normalise).collect();
    mask_uuids(&mut chars);
    let len = chars.len();
    let mut count = 0;
    let mut i = 0;
    while i < len {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut runs: Vec<usize> = Vec::new();
        let mut digits = String::new();
        loop {
            let run_start = i;
            while i < len && chars[i].is_ascii_digit() {
                digits.push(chars[i]);
                i += 1;
            }
            runs.push(i - run_start);
            if i + 1 < len && is_separator(chars[i]) && chars[i + 1].is_ascii_digit() {
                i += 1;
                continue;
            }
            break;
        }
        let before = start.checked_sub(1).map(|p| chars[p]);
        let decimal_before = before == Some('.') && start >= 2 && chars[start - 2].is_ascii_digit();
        let decimal_after = i + 1 < len && chars[i] == '.' && chars[i + 1].is_ascii_digit();
        let bounded = !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric())
            && !decimal_before
            && !decimal_after;
        let shaped = runs == [12] || runs == [4, 4, 4];
        if bounded && shaped && MyNumber::parse(&digits).is_ok() {
            count += 1;
        }
    }
    count
}

/// [`count_in_clear`] of bytes (a `bytea` value): read as UTF-8, invalid bytes standing apart.
pub fn count_in_clear_bytes(bytes: &[u8]) -> usize {
    count_in_clear(&String::from_utf8_lossy(bytes))
}

/// Full-width digits to ASCII, full-width space and hyphen to ASCII.
fn normalise(c: char) -> char {
    match c {
        '０'..='９' => {
            char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
        }
        '\u{3000}' => ' ',
        '\u{FF0D}' => '-',
        _ => c,
    }
}

fn is_separator(c: char) -> bool {
    c == ' ' || c == '-'
}

/// Overwrite every UUID (8-4-4-4-12 hex digits, not inside a longer hex run) with `x`.
fn mask_uuids(chars: &mut [char]) {
    const LEN: usize = 36;
    if chars.len() < LEN {
        return;
    }
    let mut i = 0;
    while i + LEN <= chars.len() {
        let window = &chars[i..i + LEN];
        let shaped = window.iter().enumerate().all(|(k, c)| match k {
            8 | 13 | 18 | 23 => *c == '-',
            _ => c.is_ascii_hexdigit(),
        });
        let alone = (i == 0 || !chars[i - 1].is_ascii_hexdigit())
            && chars.get(i + LEN).is_none_or(|c| !c.is_ascii_hexdigit());
        if shaped && alone {
            chars[i..i + LEN].iter_mut().for_each(|c| *c = 'x');
            i += LEN;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // valid numbers from rules.md §1 (worked by hand there): 123456789018, 983205673214
    #[test]
    fn finds_a_number_in_every_written_form() {
        assert_eq!(count_in_clear("123456789018"), 1);
        assert_eq!(count_in_clear(r#"{"n":"983205673214"}"#), 1);
        assert_eq!(count_in_clear(r#"{"n":983205673214}"#), 1);
        assert_eq!(count_in_clear("番号は1234 5678 9018です"), 1);
        assert_eq!(count_in_clear("1234-5678-9018"), 1);
        assert_eq!(count_in_clear("１２３４　５６７８　９０１８"), 1);
        assert_eq!(count_in_clear("a 123456789018, b 983205673214"), 2);
        assert_eq!(count_in_clear_bytes(b"\x00\xff123456789018\x01"), 1);
    }

    #[test]
    fn ignores_wrong_check_digits_other_shapes_ids_and_digests() {
        assert_eq!(count_in_clear("123456789019"), 0, "wrong check digit");
        assert_eq!(count_in_clear("1234567890180"), 0, "13 digits");
        assert_eq!(count_in_clear("1123456789018"), 0, "inside a longer number");
        assert_eq!(count_in_clear("12 3456 789018"), 0, "not grouped 4-4-4");
        assert_eq!(
            count_in_clear("1234-5678-9018-1234"),
            0,
            "a longer grouped number"
        );
        assert_eq!(count_in_clear("ab123456789018"), 0, "inside hex or base64");
        assert_eq!(count_in_clear("123456789018cd"), 0, "inside hex or base64");
        assert_eq!(count_in_clear("0.123456789018"), 0, "a fraction");
        assert_eq!(count_in_clear("123456789018.5"), 0, "a decimal");
        assert_eq!(
            count_in_clear(r#"{"id":"0190f3c2-5b4e-7a10-8c3d-123456789018"}"#),
            0,
            "the last group of a UUID"
        );
        assert_eq!(
            count_in_clear("0190f3c2-5b4e-7a10-8c3d-123456789018 and 123456789018"),
            1,
            "a UUID is masked, the number next to it is not"
        );
        assert_eq!(count_in_clear("2026-11-25T01:00:03.120Z 03-1234-5678"), 0);
    }
}
