//! Conversion of names to the half-width カナ (半角カナ) character set that 全銀 records accept,
//! and the single-byte code (JIS X 0201, which Shift_JIS keeps as-is) used to write it.
//!
//! # Character set
//!
//! Only these characters are written into a text (`C`) field:
//!
//! | kind | characters |
//! |---|---|
//! | カナ | `ｱ`–`ﾝ` (U+FF71–U+FF9D), without `ｦ` and without the small forms `ｧｨｩｪｫｬｭｮｯ` |
//! | 濁点・半濁点 | `ﾞ` `ﾟ`, each one byte after the kana it marks (`ガ` → `ｶﾞ`) |
//! | 英大文字・数字 | `A`–`Z`, `0`–`9` |
//! | 記号 | space, `(` `)` `-` `.` `/` |
//!
//! Sources: the 全銀協制定ファイルフォーマット【総合振込】 copy at
//! <https://expydoc.com/doc/11700435/> ("C は半角文字(カタカナ、英大文字・数字)"); PCA's
//! 全銀協使用可能文字 page <https://pca.jp/area_support/manual/kk/Z1sanko/z1_zengin.html>
//! (振込先名カナ: カナ without ヲ and small kana, 濁点, 半濁点, A–Z, 0–9, space, `( ) - .`;
//! `¥ 「 」 ヲ` only in EDI情報; `,` should not be used); MUFG Biz FAQ
//! <https://biz.corporate.bk.mufg.jp/faq/show/811> (`,-.()/` and space; `・` not usable);
//! jinjer <https://jinjer-kyuyo.zendesk.com/hc/ja/articles/900002885563> (長音 `ー` and `,` not
//! usable, small kana must be written large). The narrowest common set is used, plus `/`.
//!
//! # Conversions (everything else is refused with its position)
//!
//! - full-width katakana and hiragana → half-width katakana, 濁点/半濁点 as separate marks;
//!   `ヴ` → `ｳﾞ`; combining or spacing (半)濁点 (U+3099/309A/309B/309C) → `ﾞ`/`ﾟ`;
//! - small kana (`ァィゥェォッャュョヮヵヶ`, full or half width) → the large form, as 全銀
//!   requires (`キョウコ` → `ｷﾖｳｺ`);
//! - 長音 `ー`/`ｰ` and dash-like characters (`－ ‐ −`) → `-`. The half-width `ｰ` is not in the
//!   全銀 set (jinjer above); the common practice is the hyphen (e.g.
//!   <https://qiita.com/nwsoyogi/items/d01e4122667b2d1ab4ad>), so `サトウ ユーコ` → `ｻﾄｳ ﾕ-ｺ`;
//! - full-width or ideographic space → one half-width space;
//! - full-width letters, digits and `（）－．／` → ASCII; lower-case letters → upper case
//!   (banks upper-case them, MUFG FAQ above).
//!
//! `ヲ`, `ヰ`, `ヱ`, `・`, kanji, `¥`, `,` and anything else are refused: a name must reach the
//! bank exactly as the account is held, never with a character silently dropped or guessed.

use thiserror::Error;

/// Why a name cannot be written in 全銀 half-width カナ.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KanaError {
    /// A character has no representation in the 全銀 character set.
    #[error(
        "character `{ch}` (U+{code:04X}) at position {position} cannot be written in 全銀 \
         half-width kana",
        code = u32::from(*ch)
    )]
    Unrepresentable {
        /// The character.
        ch: char,
        /// 1-based character position in the input.
        position: usize,
    },
}

/// Half-width katakana for the 46 base sounds, indexed like the full-width table below.
const FULL_BASE: &str =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
const HALF_BASE: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
const FULL_DAKUTEN: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
const HALF_DAKUTEN: &str = "ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ";
const FULL_HANDAKUTEN: &str = "パピプペポ";
const HALF_HANDAKUTEN: &str = "ﾊﾋﾌﾍﾎ";
/// Small kana (full and half width) and the large half-width form 全銀 requires.
const SMALL: &[(char, char)] = &[
    ('ァ', 'ｱ'),
    ('ィ', 'ｲ'),
    ('ゥ', 'ｳ'),
    ('ェ', 'ｴ'),
    ('ォ', 'ｵ'),
    ('ッ', 'ﾂ'),
    ('ャ', 'ﾔ'),
    ('ュ', 'ﾕ'),
    ('ョ', 'ﾖ'),
    ('ヮ', 'ﾜ'),
    ('ヵ', 'ｶ'),
    ('ヶ', 'ｹ'),
    ('ｧ', 'ｱ'),
    ('ｨ', 'ｲ'),
    ('ｩ', 'ｳ'),
    ('ｪ', 'ｴ'),
    ('ｫ', 'ｵ'),
    ('ｯ', 'ﾂ'),
    ('ｬ', 'ﾔ'),
    ('ｭ', 'ﾕ'),
    ('ｮ', 'ﾖ'),
];

/// 濁点 (voiced sound mark), half width.
pub const DAKUTEN: char = 'ﾞ';
/// 半濁点 (semi-voiced sound mark), half width.
pub const HANDAKUTEN: char = 'ﾟ';

fn lookup(full: &str, half: &str, c: char) -> Option<char> {
    full.chars()
        .position(|f| f == c)
        .and_then(|i| half.chars().nth(i))
}

/// Hiragana → katakana (the blocks are 0x60 apart); other characters unchanged.
fn to_katakana(c: char) -> char {
    if ('\u{3041}'..='\u{3096}').contains(&c) {
        char::from_u32(u32::from(c) + 0x60).unwrap_or(c)
    } else {
        c
    }
}

/// Whether `c` may appear in a 全銀 text field (see the module table).
pub fn is_zengin_char(c: char) -> bool {
    matches!(c, ' ' | '0'..='9' | 'A'..='Z' | '(' | ')' | '-' | '.' | '/')
        || ('\u{FF71}'..='\u{FF9F}').contains(&c)
}

/// Converts one character; pushes zero, one or two characters onto `out`.
fn convert_char(c: char, out: &mut String) -> bool {
    let c = to_katakana(c);
    if is_zengin_char(c) {
        out.push(c);
        return true;
    }
    if let Some(h) = lookup(FULL_BASE, HALF_BASE, c) {
        out.push(h);
    } else if let Some(h) = lookup(FULL_DAKUTEN, HALF_DAKUTEN, c) {
        out.push(h);
        out.push(DAKUTEN);
    } else if let Some(h) = lookup(FULL_HANDAKUTEN, HALF_HANDAKUTEN, c) {
        out.push(h);
        out.push(HANDAKUTEN);
    } else if let Some(&(_, h)) = SMALL.iter().find(|(s, _)| *s == c) {
        out.push(h);
    } else {
        match c {
            'ヴ' => out.push_str("ｳﾞ"),
            '\u{3099}' | '\u{309B}' => out.push(DAKUTEN),
            '\u{309A}' | '\u{309C}' => out.push(HANDAKUTEN),
            'ー' | 'ｰ' | '－' | '‐' | '−' => out.push('-'),
            '\u{3000}' => out.push(' '),
            'a'..='z' => out.push(c.to_ascii_uppercase()),
            // Full-width ASCII block: ０-９, Ａ-Ｚ, ａ-ｚ, （）．／.
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '（' | '）' | '．' | '／' => {
                let ascii = char::from_u32(u32::from(c) - 0xFEE0)
                    .map(|a| a.to_ascii_uppercase())
                    .filter(|a| is_zengin_char(*a));
                match ascii {
                    Some(a) => out.push(a),
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    true
}

/// Converts a name (full- or half-width katakana, hiragana, letters, digits) to 全銀 half-width
/// カナ. Refuses, naming the position, any character that cannot be represented.
///
/// ```
/// use kenpo_infrastructure::bank_files::kana::to_zengin_kana;
/// assert_eq!(to_zengin_kana("ヤマダ　タロウ").as_deref(), Ok("ﾔﾏﾀﾞ ﾀﾛｳ"));
/// assert!(to_zengin_kana("山田").is_err());
/// ```
pub fn to_zengin_kana(input: &str) -> Result<String, KanaError> {
    let mut out = String::with_capacity(input.len());
    for (i, ch) in input.chars().enumerate() {
        if !convert_char(ch, &mut out) {
            return Err(KanaError::Unrepresentable {
                ch,
                position: i + 1,
            });
        }
    }
    Ok(out)
}

/// Checks that `text` is already in the 全銀 set, without converting anything.
pub fn check_zengin_text(text: &str) -> Result<(), KanaError> {
    match text.chars().enumerate().find(|(_, c)| !is_zengin_char(*c)) {
        Some((i, ch)) => Err(KanaError::Unrepresentable {
            ch,
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// The JIS X 0201 byte for a character (ASCII as itself, half-width カナ U+FF61–U+FF9F as
/// 0xA1–0xDF). Shift_JIS encodes these characters with exactly these single bytes.
pub fn jis_x0201_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E => u8::try_from(code).ok(),
        0xFF61..=0xFF9F => u8::try_from(code - 0xFF61 + 0xA1).ok(),
        _ => None,
    }
}

/// The character for a JIS X 0201 byte (the inverse of [`jis_x0201_byte`]).
pub fn jis_x0201_char(b: u8) -> Option<char> {
    match b {
        0x20..=0x7E => Some(char::from(b)),
        0xA1..=0xDF => char::from_u32(u32::from(b) - 0xA1 + 0xFF61),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_names_from_the_brief() {
        assert_eq!(to_zengin_kana("ヤマダ タロウ").as_deref(), Ok("ﾔﾏﾀﾞ ﾀﾛｳ"));
        assert_eq!(to_zengin_kana("キョウコ").as_deref(), Ok("ｷﾖｳｺ"));
    }

    #[test]
    fn dakuten_and_handakuten_are_separate_marks() {
        assert_eq!(to_zengin_kana("ガギグゲゴ").as_deref(), Ok("ｶﾞｷﾞｸﾞｹﾞｺﾞ"));
        assert_eq!(to_zengin_kana("パピプペポ").as_deref(), Ok("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"));
        assert_eq!(to_zengin_kana("ヴァン").as_deref(), Ok("ｳﾞｱﾝ"));
        // Decomposed (NFD) input: base kana + combining mark.
        assert_eq!(to_zengin_kana("カ\u{3099}").as_deref(), Ok("ｶﾞ"));
    }

    #[test]
    fn small_kana_become_large() {
        assert_eq!(
            to_zengin_kana("ァィゥェォッャュョヮ").as_deref(),
            Ok("ｱｲｳｴｵﾂﾔﾕﾖﾜ")
        );
        assert_eq!(to_zengin_kana("ｷｮｳｺ").as_deref(), Ok("ｷﾖｳｺ"));
        assert_eq!(to_zengin_kana("ハットリ").as_deref(), Ok("ﾊﾂﾄﾘ"));
    }

    #[test]
    fn long_vowel_spaces_letters_and_symbols() {
        assert_eq!(to_zengin_kana("サトウ ユーコ").as_deref(), Ok("ｻﾄｳ ﾕ-ｺ"));
        assert_eq!(to_zengin_kana("ｻﾄｳ ﾕｰｺ").as_deref(), Ok("ｻﾄｳ ﾕ-ｺ"));
        assert_eq!(
            to_zengin_kana("ヤマダ\u{3000}タロウ").as_deref(),
            Ok("ﾔﾏﾀﾞ ﾀﾛｳ")
        );
        assert_eq!(to_zengin_kana("ＡＢｃ１２3").as_deref(), Ok("ABC123"));
        assert_eq!(
            to_zengin_kana("カ)ヤマダ（ユ）.-/").as_deref(),
            Ok("ｶ)ﾔﾏﾀﾞ(ﾕ).-/")
        );
        assert_eq!(to_zengin_kana("やまだ").as_deref(), Ok("ﾔﾏﾀﾞ"));
    }

    #[test]
    fn refuses_unrepresentable_characters_with_position() {
        assert_eq!(
            to_zengin_kana("ジョン・スミス"),
            Err(KanaError::Unrepresentable {
                ch: '・',
                position: 4
            })
        );
        assert_eq!(
            to_zengin_kana("山田"),
            Err(KanaError::Unrepresentable {
                ch: '山',
                position: 1
            })
        );
        for bad in ["ヲ", "ヰ", "ヱ", "ｦ", "¥", ",", "*", "&", "@", "\t", "é"] {
            assert!(to_zengin_kana(bad).is_err(), "{bad}");
        }
        let message = to_zengin_kana("ABC,D").map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("position 4"), "{message}");
    }

    #[test]
    fn every_output_character_is_in_the_set_and_one_byte() {
        let all = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン\
                   ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォッャュョ ー";
        let out = to_zengin_kana(all).expect("converts");
        assert!(check_zengin_text(&out).is_ok());
        assert!(out.chars().all(|c| jis_x0201_byte(c).is_some()));
    }

    #[test]
    fn jis_x0201_matches_shift_jis() {
        // Every half-width katakana is one Shift_JIS byte 0xA1–0xDF, as encoding_rs agrees.
        for b in 0xA1u8..=0xDF {
            let c = jis_x0201_char(b).expect("kana byte");
            let text = c.to_string();
            let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(&text);
            assert!(!bad);
            assert_eq!(sjis.as_ref(), [b]);
            assert_eq!(jis_x0201_byte(c), Some(b));
        }
        assert_eq!(jis_x0201_byte('ｱ'), Some(0xB1));
        assert_eq!(jis_x0201_byte('ﾞ'), Some(0xDE));
        assert_eq!(jis_x0201_byte('ﾟ'), Some(0xDF));
        assert_eq!(jis_x0201_byte('ア'), None);
        assert_eq!(jis_x0201_char(0x80), None);
    }
}
