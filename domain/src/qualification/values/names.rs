use super::{check_text, string_value, ValueError};

string_value!(
    /// 氏名: a person's name as written (kanji etc.), 1 to 100 characters (digest.md §1.1 #4).
    PersonName,
    "山田 太郎",
    "氏名: 1 to 100 characters."
);

impl PersonName {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 100;

    /// Trims and validates a name.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        check_text("name (氏名)", s, Self::MAX_CHARS).map(PersonName)
    }
}

string_value!(
    /// カナ氏名: the name in full-width katakana (the 振り仮名 of the 5情報, digest.md §0.1 and
    /// §1.1 #5). Allowed: katakana ァ–ヺ, the long-vowel mark ー, the middle dot ・ and
    /// full- or half-width spaces; 1 to 100 characters with at least one katakana.
    KanaName,
    "ヤマダ タロウ",
    "カナ氏名: full-width katakana, ー, ・ and spaces; 1 to 100 characters."
);

impl KanaName {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 100;

    fn is_katakana(c: char) -> bool {
        ('\u{30A1}'..='\u{30FA}').contains(&c)
    }

    /// Trims and validates a katakana name.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        const FIELD: &str = "kana name (カナ氏名)";
        let text = check_text(FIELD, s, Self::MAX_CHARS)?;
        if let Some(bad) = text
            .chars()
            .find(|&c| !(Self::is_katakana(c) || matches!(c, 'ー' | '・' | '\u{3000}' | ' ')))
        {
            return Err(ValueError::new(
                FIELD,
                format!("`{bad}` is not allowed; use full-width katakana, ー, ・ and spaces only"),
            ));
        }
        if !text.chars().any(Self::is_katakana) {
            return Err(ValueError::new(FIELD, "must contain katakana"));
        }
        Ok(KanaName(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_name() {
        assert_eq!(
            PersonName::parse("  山田 太郎 ").map(|n| n.to_string()),
            Ok("山田 太郎".into())
        );
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"あ".repeat(100)).is_ok());
        assert!(PersonName::parse(&"あ".repeat(101)).is_err());
        assert!(PersonName::parse("山田\n太郎").is_err());
    }

    #[test]
    fn kana_name() {
        for ok in [
            "ヤマダ タロウ",
            "ヤマダ　タロウ",
            "ジョン・スミス",
            "サトウ ユーコ",
            "ヴァン",
        ] {
            assert!(KanaName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["やまだ", "ﾔﾏﾀﾞ", "Yamada", "山田", "ー", "", "ヤマダ1"] {
            assert!(KanaName::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::from_str::<KanaName>("\"やまだ\"")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(json.contains("カナ氏名"), "{json}");
    }
}
