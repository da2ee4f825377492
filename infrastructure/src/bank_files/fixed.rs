//! Fixed-length record building blocks shared by the 全銀 formats: validated field values,
//! a record writer, a record reader and the cutting of a file into records.
//!
//! Padding (全銀協制定ファイルフォーマット【総合振込】, <https://expydoc.com/doc/11700435/>):
//! "数字項目は右詰とし、残りを「0」とする"; "カナ、英大文字項目等は左詰とし残りをスペースとする".

use std::fmt;

use super::error::BankFileError;
use super::kana::{check_zengin_text, jis_x0201_byte, jis_x0201_char, to_zengin_kana};

/// A code of exactly `N` ASCII digits (金融機関コード, 支店コード, 口座番号, …). Leading zeros
/// are significant, so it is kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits<const N: usize>(String);

impl<const N: usize> Digits<N> {
    /// Validates `value` as exactly `N` digits; `field` names it in the error.
    pub fn new(field: &'static str, value: &str) -> Result<Self, BankFileError> {
        if value.len() == N && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Digits(value.to_string()))
        } else {
            Err(BankFileError::Digits {
                field,
                value: value.to_string(),
                digits: N,
            })
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const N: usize> fmt::Display for Digits<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text of at most `N` bytes in the 全銀 half-width character set (see [`super::kana`]),
/// stored without trailing spaces (they are padding in a fixed-length field).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ZenginText<const N: usize>(String);

impl<const N: usize> ZenginText<N> {
    /// Converts `value` (full-width katakana, hiragana, …) with [`to_zengin_kana`] and checks
    /// that it fits `N` bytes. `field` names it in errors.
    pub fn convert(field: &'static str, value: &str) -> Result<Self, BankFileError> {
        let converted =
            to_zengin_kana(value).map_err(|source| BankFileError::Kana { field, source })?;
        Self::fit(field, converted)
    }

    /// Accepts `value` only if it already is 全銀 half-width text of at most `N` bytes.
    pub fn new(field: &'static str, value: &str) -> Result<Self, BankFileError> {
        check_zengin_text(value).map_err(|source| BankFileError::Kana { field, source })?;
        Self::fit(field, value.to_string())
    }

    fn fit(field: &'static str, value: String) -> Result<Self, BankFileError> {
        let value = value.trim_end_matches(' ').to_string();
        // Every character of the set is one byte (JIS X 0201).
        let len = value.chars().count();
        if len > N {
            return Err(BankFileError::TooLong {
                field,
                value,
                len,
                max: N,
            });
        }
        Ok(ZenginText(value))
    }

    /// The text, without padding.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const N: usize> fmt::Display for ZenginText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes one fixed-length record.
pub(crate) struct RecordWriter {
    buf: Vec<u8>,
}

impl RecordWriter {
    pub(crate) fn new(len: usize) -> Self {
        RecordWriter {
            buf: Vec::with_capacity(len),
        }
    }

    /// ASCII digits or other ASCII already of the right width.
    pub(crate) fn ascii(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// A number right-aligned and zero-padded to `width` digits. Callers have checked the
    /// range, so the number never has more digits than `width`.
    pub(crate) fn number(&mut self, n: u64, width: usize) -> &mut Self {
        self.ascii(&format!("{n:0width$}"))
    }

    /// Text left-aligned and space-padded to `width` bytes.
    pub(crate) fn text(&mut self, s: &str, width: usize) -> &mut Self {
        let mut written = 0;
        for c in s.chars().take(width) {
            // ZenginText guarantees every character has a JIS X 0201 byte.
            self.buf.push(jis_x0201_byte(c).unwrap_or(b' '));
            written += 1;
        }
        self.spaces(width - written)
    }

    pub(crate) fn spaces(&mut self, n: usize) -> &mut Self {
        self.buf.extend(std::iter::repeat_n(b' ', n));
        self
    }

    pub(crate) fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

/// Cuts a file into records of `len` bytes, each optionally followed by CR LF. The choice is
/// made from the file: when byte `len` is CR and byte `len + 1` is LF, every record must be
/// followed by CR LF (the last one may omit it); otherwise none may be.
pub(crate) fn split_records(bytes: &[u8], len: usize) -> Result<Vec<&[u8]>, BankFileError> {
    if bytes.is_empty() {
        return Err(BankFileError::Layout("the file is empty".into()));
    }
    let crlf = bytes.len() > len + 1 && bytes[len] == b'\r' && bytes[len + 1] == b'\n';
    let stride = if crlf { len + 2 } else { len };
    let mut records = Vec::with_capacity(bytes.len() / stride + 1);
    let mut at = 0;
    while at < bytes.len() {
        let number = records.len() + 1;
        let rest = &bytes[at..];
        if rest.len() < len {
            return Err(BankFileError::Layout(format!(
                "record {number} has {} bytes; every record has {len}",
                rest.len()
            )));
        }
        let last_without_crlf = rest.len() == len;
        if crlf && !last_without_crlf && rest.get(len..len + 2) != Some(&b"\r\n"[..]) {
            return Err(BankFileError::Layout(format!(
                "record {number} is not followed by CR LF like record 1 (records are {len} bytes)"
            )));
        }
        if rest[..len].contains(&b'\r') || rest[..len].contains(&b'\n') {
            return Err(BankFileError::Layout(format!(
                "record {number} contains a line break; records are {len} bytes, \
                 all followed by CR LF or none"
            )));
        }
        records.push(&rest[..len]);
        at += if last_without_crlf { len } else { stride };
    }
    Ok(records)
}

/// Reads the fields of one fixed-length record; every error names the record and field.
pub(crate) struct RecordReader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) record: usize,
    pub(crate) kind: &'static str,
}

impl<'a> RecordReader<'a> {
    pub(crate) fn error(&self, field: &'static str, message: impl Into<String>) -> BankFileError {
        BankFileError::Record {
            record: self.record,
            kind: self.kind,
            field,
            message: message.into(),
        }
    }

    /// `start` is the 1-based position from the layout tables.
    fn slice(&self, start: usize, len: usize) -> &'a [u8] {
        &self.bytes[start - 1..start - 1 + len]
    }

    fn shown(&self, start: usize, len: usize) -> String {
        self.slice(start, len)
            .iter()
            .map(|&b| jis_x0201_char(b).unwrap_or('\u{FFFD}'))
            .collect()
    }

    pub(crate) fn is_blank(&self, start: usize, len: usize) -> bool {
        self.slice(start, len).iter().all(|&b| b == b' ')
    }

    /// Exactly `len` ASCII digits.
    pub(crate) fn digits(
        &self,
        field: &'static str,
        start: usize,
        len: usize,
    ) -> Result<&'a str, BankFileError> {
        let raw = self.slice(start, len);
        if raw.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(raw).map_err(|_| self.error(field, "not ASCII"))
        } else {
            Err(self.error(
                field,
                format!("`{}` is not {len} digits", self.shown(start, len)),
            ))
        }
    }

    pub(crate) fn number(
        &self,
        field: &'static str,
        start: usize,
        len: usize,
    ) -> Result<u64, BankFileError> {
        let digits = self.digits(field, start, len)?;
        digits
            .parse()
            .map_err(|_| self.error(field, format!("`{digits}` is not a number")))
    }

    /// Text in the strict 全銀 set (files this system writes).
    pub(crate) fn text<const N: usize>(
        &self,
        field: &'static str,
        start: usize,
    ) -> Result<ZenginText<N>, BankFileError> {
        let shown = self.shown(start, N);
        ZenginText::new(field, &shown).map_err(|e| self.error(field, e.to_string()))
    }

    /// Any JIS X 0201 text (files banks write), trailing spaces removed.
    pub(crate) fn loose_text(
        &self,
        field: &'static str,
        start: usize,
        len: usize,
    ) -> Result<String, BankFileError> {
        let mut out = String::with_capacity(len);
        for (i, &b) in self.slice(start, len).iter().enumerate() {
            match jis_x0201_char(b) {
                Some(c) => out.push(c),
                None => {
                    return Err(self.error(
                        field,
                        format!("byte 0x{b:02X} at position {} is not JIS X 0201", start + i),
                    ))
                }
            }
        }
        Ok(out.trim_end_matches(' ').to_string())
    }

    /// The one-byte データ区分 must be `expected`.
    pub(crate) fn expect_kind(&self, expected: u8) -> Result<(), BankFileError> {
        if self.bytes.first() == Some(&expected) {
            Ok(())
        } else {
            Err(self.error(
                "データ区分",
                format!(
                    "`{}` found, `{}` expected",
                    self.shown(1, 1),
                    char::from(expected)
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_and_text_validation() {
        assert!(Digits::<4>::new("金融機関コード", "0001").is_ok());
        assert!(Digits::<4>::new("金融機関コード", "001").is_err());
        assert!(Digits::<4>::new("金融機関コード", "00a1").is_err());
        assert!(Digits::<4>::new("金融機関コード", "０００１").is_err());
        assert_eq!(
            ZenginText::<30>::convert("受取人名", "ヤマダ タロウ ").map(|t| t.as_str().to_string()),
            Ok("ﾔﾏﾀﾞ ﾀﾛｳ".into())
        );
        // 濁点 counts as its own byte: ガ is two bytes.
        assert!(ZenginText::<2>::convert("受取人名", "ガ").is_ok());
        let err = ZenginText::<2>::convert("受取人名", "ガガ").unwrap_err();
        assert!(
            matches!(err, BankFileError::TooLong { len: 4, max: 2, .. }),
            "{err}"
        );
        assert!(ZenginText::<10>::new("受取人名", "ヤマダ").is_err());
    }

    #[test]
    fn split_with_and_without_crlf() {
        let a = [b'1'; 4];
        let plain = [a, a].concat();
        assert_eq!(split_records(&plain, 4).map(|r| r.len()), Ok(2));
        let crlf = [&a[..], b"\r\n", &a[..], b"\r\n"].concat();
        assert_eq!(split_records(&crlf, 4).map(|r| r.len()), Ok(2));
        let last_without = [&a[..], b"\r\n", &a[..]].concat();
        assert_eq!(split_records(&last_without, 4).map(|r| r.len()), Ok(2));
        let mixed = [&a[..], b"\r\n", &a[..], &a[..]].concat();
        assert!(split_records(&mixed, 4).is_err());
        assert!(split_records(&a[..3], 4).is_err());
        assert!(split_records(&[], 4).is_err());
    }
}
