use super::{check_text, string_value, ValueError};

string_value!(
    /// An address (住所): 住民票住所 or 連絡先住所 (digest.md §1.1 #24, #25), 1 to 200
    /// characters, postcode included in the text when known.
    Address,
    "〒100-0001 東京都千代田区千代田1-1",
    "住所: 1 to 200 characters."
);

impl Address {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 200;

    /// Trims and validates an address.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        check_text("address (住所)", s, Self::MAX_CHARS).map(Address)
    }
}

string_value!(
    /// 電話番号 (digest.md §1.1 #26): a domestic number of 10 or 11 digits starting with 0,
    /// optionally grouped by single hyphens (`03-1234-5678`, `090-1234-5678`).
    PhoneNumber,
    "03-1234-5678",
    "電話番号: 10 or 11 digits starting with 0, optionally separated by hyphens."
);

impl PhoneNumber {
    /// Validates a phone number.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        const FIELD: &str = "phone number (電話番号)";
        let text = s.trim();
        if !text.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(ValueError::new(
                FIELD,
                "must contain only digits and hyphens",
            ));
        }
        if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
            return Err(ValueError::new(
                FIELD,
                "hyphens must separate groups of digits",
            ));
        }
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if !(10..=11).contains(&digits) || !text.starts_with('0') {
            return Err(ValueError::new(
                FIELD,
                format!("must be 10 or 11 digits starting with 0, got {digits} digits"),
            ));
        }
        Ok(PhoneNumber(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        for ok in [
            "03-1234-5678",
            "0312345678",
            "090-1234-5678",
            "0120-123-456",
        ] {
            assert!(PhoneNumber::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "03-1234-567",
            "3-1234-56789",
            "03--12345678",
            "-0312345678",
            "03(1234)5678",
            "０３１２３４５６７８",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses() {
        assert!(Address::parse("東京都千代田区千代田1-1").is_ok());
        assert!(Address::parse(" ").is_err());
        assert!(Address::parse(&"あ".repeat(201)).is_err());
    }
}
