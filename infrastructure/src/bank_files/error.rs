//! Errors of the bank file writers and readers.

use std::fmt;

use thiserror::Error;

use super::kana::KanaError;

/// One refused line of a CSV receipt file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the file (the header row is line 1).
    pub line: usize,
    /// The column, by its header name, or `行` for the whole line.
    pub column: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.column, self.message)
    }
}

fn list(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that can go wrong building, writing or reading a bank file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BankFileError {
    /// A text value cannot be written in 全銀 half-width カナ.
    #[error("{field}: {source}")]
    Kana {
        /// The field (Japanese name).
        field: &'static str,
        /// The refused character.
        source: KanaError,
    },
    /// A text value is longer than its fixed-length field.
    #[error("{field}: `{value}` is {len} bytes; the field holds {max}")]
    TooLong {
        /// The field (Japanese name).
        field: &'static str,
        /// The (converted) value.
        value: String,
        /// Its length in bytes.
        len: usize,
        /// The field width.
        max: usize,
    },
    /// A required text value is empty.
    #[error("{field}: must not be empty")]
    Empty {
        /// The field (Japanese name).
        field: &'static str,
    },
    /// A code is not exactly the required number of ASCII digits.
    #[error("{field}: `{value}` must be exactly {digits} digits (0-9)")]
    Digits {
        /// The field (Japanese name).
        field: &'static str,
        /// The value given.
        value: String,
        /// The required number of digits.
        digits: usize,
    },
    /// An amount or count is outside what its field can hold.
    #[error("{field}: {value} is outside the allowed range {min}..={max}")]
    OutOfRange {
        /// The field (Japanese name).
        field: &'static str,
        /// The value given.
        value: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value (what the field's digits can hold).
        max: i64,
    },
    /// A month/day pair is not a calendar date.
    #[error("{field}: {month:02}{day:02} is not a valid month and day (MMDD)")]
    InvalidMonthDay {
        /// The field (Japanese name).
        field: &'static str,
        /// Month.
        month: u32,
        /// Day.
        day: u32,
    },
    /// A value is valid on its own but not allowed where it is used.
    #[error("{field}: {message}")]
    NotAllowed {
        /// The field (Japanese name).
        field: &'static str,
        /// Why.
        message: String,
    },
    /// The file cannot be cut into fixed-length records.
    #[error("file layout: {0}")]
    Layout(String),
    /// A field of a fixed-length record is wrong.
    #[error("record {record} ({kind}), field {field}: {message}")]
    Record {
        /// 1-based record number in the file.
        record: usize,
        /// The record kind (ヘッダー, データ, トレーラー, エンド).
        kind: &'static str,
        /// The field (Japanese name).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The file is neither UTF-8 nor Shift_JIS.
    #[error("encoding: the file is neither valid UTF-8 nor valid Shift_JIS")]
    Encoding,
    /// Lines of a CSV file were refused; nothing of the file is accepted.
    #[error("{} line(s) refused, nothing imported: {}", .0.len(), list(.0))]
    Lines(Vec<LineError>),
}
