//! Premium receipts (保険料 収納, digest.md §1.3 保険料収納記録, §6.3) read from the bank: the
//! kenpo receipt CSV defined here, and the 全銀協 振込入金通知 fixed-length file
//! ([`super::notice`]). Both give [`ReceiptLine`]s, which [`super::matching`] ties to premium
//! accounts.
//!
//! # kenpo receipt CSV, version 1
//!
//! A bank's own CSV exports differ from bank to bank, so the society converts (or has the bank
//! deliver) this one documented shape:
//!
//! - encoding: UTF-8 (with or without BOM) or Shift_JIS; a file that is valid UTF-8 is read as
//!   UTF-8, anything else must be valid Shift_JIS;
//! - lines end in LF or CR LF; blank lines are ignored; fields are separated by `,` and may be
//!   quoted with `"` (`""` inside quotes is one `"`); a field cannot span lines;
//! - line 1 is this header, exactly: `入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号`.
//!
//! The columns are tabled in the [module docs of `bank_files`](super).
//!
//! # Idempotent import
//!
//! - [`file_digest`] (SHA-256 of the raw bytes) identifies a file: importing a file whose digest
//!   was already imported changes nothing;
//! - each line carries [`ReceiptLine::bank_reference`] (the 取引番号, unique within the account
//!   the bank exports): a line whose reference was imported before, from any file, is skipped.
//!   Two lines of one file with the same 取引番号 refuse the file;
//! - nothing is partially accepted: [`parse_receipts_csv`] returns every line or every error
//!   ([`BankFileError::Lines`], each with its line number and column).

use std::collections::HashMap;

use chrono::NaiveDate;
use kenpo_domain::money::Yen;
use sha2::{Digest, Sha256};

use super::error::{BankFileError, LineError};
use super::fixed::Digits;
use super::kana::to_zengin_kana;

/// The header line of the kenpo receipt CSV, version 1.
pub const CSV_HEADER: [&str; 7] = [
    "入金日",
    "金額",
    "振込依頼人名",
    "顧客番号",
    "仕向銀行",
    "仕向支店",
    "取引番号",
];

/// Largest amount of one receipt (全銀 N(10)).
pub const MAX_AMOUNT: i64 = 9_999_999_999;

/// Whether a line credits or (振込入金通知 取消区分 1) cancels an earlier credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptKind {
    /// A credit to the society's account.
    Payment,
    /// The bank cancels an earlier notified credit; never matched automatically.
    Cancellation,
}

/// One premium payment received by the bank.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptLine {
    /// Line (CSV) or record (振込入金通知) number in the source file, 1-based.
    pub source_line: usize,
    /// 入金日 (勘定日).
    pub received_on: NaiveDate,
    /// 金額.
    pub amount: Yen,
    /// 振込依頼人名 in 全銀 half-width カナ.
    pub remitter_name: String,
    /// 顧客番号 / 振込依頼人コード: the premium account reference, zero-padded to 10 digits.
    pub remitter_code: Option<Digits<10>>,
    /// 仕向銀行 (paying bank), if given.
    pub remitter_bank: Option<String>,
    /// 仕向支店 (paying branch), if given.
    pub remitter_branch: Option<String>,
    /// The bank's unique reference: the idempotency key of this line.
    pub bank_reference: String,
    /// Credit or cancellation.
    pub kind: ReceiptKind,
}

/// SHA-256 of a file's bytes, lower-case hex: the idempotency key of an import.
pub fn file_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Decodes a text file: UTF-8 (a BOM is dropped) when valid, else Shift_JIS.
pub fn decode_text(bytes: &[u8]) -> Result<String, BankFileError> {
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        // A BOM promises UTF-8.
        return std::str::from_utf8(body)
            .map(str::to_string)
            .map_err(|_| BankFileError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(BankFileError::Encoding)
}

/// Splits one CSV line into fields (RFC 4180 quoting, no line breaks inside fields).
fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => {
                quoted = false;
                match chars.peek() {
                    None | Some(',') => {}
                    Some(other) => return Err(format!("`{other}` after a closing quote")),
                }
            }
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            (false, '"') => return Err("a quote inside an unquoted field".into()),
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed on this line".into());
    }
    fields.push(field);
    Ok(fields)
}

fn parse_date(value: &str) -> Result<NaiveDate, String> {
    let well_formed = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(format!("`{value}` is not a 西暦 date YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| format!("`{value}` is not a date"))
}

fn parse_amount(value: &str) -> Result<Yen, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) || value.len() > 10 {
        return Err(format!(
            "`{value}` is not a whole-yen amount (digits only, no separators, at most 10 digits)"
        ));
    }
    match value.parse::<i64>() {
        Ok(n @ 1..=MAX_AMOUNT) => Ok(Yen::new(n)),
        _ => Err(format!("`{value}` must be between 1 and {MAX_AMOUNT} yen")),
    }
}

fn parse_code(value: &str) -> Result<Option<Digits<10>>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{value}` is not 1 to 10 digits"));
    }
    Digits::new("顧客番号", &format!("{value:0>10}"))
        .map(Some)
        .map_err(|e| e.to_string())
}

fn parse_free_text(value: &str) -> Result<Option<String>, String> {
    if value.is_empty() {
        Ok(None)
    } else if value.chars().count() > 40 || value.chars().any(char::is_control) {
        Err(format!(
            "`{value}` must be at most 40 characters without control characters"
        ))
    } else {
        Ok(Some(value.to_string()))
    }
}

fn parse_reference(value: &str) -> Result<String, String> {
    let ok = (1..=32).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!("`{value}` must be 1 to 32 of 0-9 A-Z a-z - _"))
    }
}

/// Parses one data line; pushes every problem of the line onto `errors`.
fn parse_line(
    number: usize,
    fields: &[String],
    errors: &mut Vec<LineError>,
) -> Option<ReceiptLine> {
    let mut error = |column: &'static str, message: String| {
        errors.push(LineError {
            line: number,
            column,
            message,
        })
    };
    if fields.len() != CSV_HEADER.len() {
        error(
            "行",
            format!(
                "{} columns found, {} expected",
                fields.len(),
                CSV_HEADER.len()
            ),
        );
        return None;
    }
    let field = |i: usize| fields[i].trim();
    let date = parse_date(field(0)).map_err(|m| error("入金日", m)).ok();
    let amount = parse_amount(field(1)).map_err(|m| error("金額", m)).ok();
    let name = match field(2) {
        "" => {
            error("振込依頼人名", "must not be empty".into());
            None
        }
        name => to_zengin_kana(name)
            .map_err(|e| error("振込依頼人名", e.to_string()))
            .ok(),
    };
    let code = parse_code(field(3)).map_err(|m| error("顧客番号", m)).ok();
    let bank = parse_free_text(field(4))
        .map_err(|m| error("仕向銀行", m))
        .ok();
    let branch = parse_free_text(field(5))
        .map_err(|m| error("仕向支店", m))
        .ok();
    let reference = parse_reference(field(6))
        .map_err(|m| error("取引番号", m))
        .ok();
    Some(ReceiptLine {
        source_line: number,
        received_on: date?,
        amount: amount?,
        remitter_name: name?,
        remitter_code: code?,
        remitter_bank: bank?,
        remitter_branch: branch?,
        bank_reference: reference?,
        kind: ReceiptKind::Payment,
    })
}

/// Parses a kenpo receipt CSV (see the module docs). Either every line is returned, or every
/// refused line is reported and nothing is returned.
pub fn parse_receipts_csv(bytes: &[u8]) -> Result<Vec<ReceiptLine>, BankFileError> {
    let text = decode_text(bytes)?;
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
    let header_ok = lines
        .next()
        .and_then(|(_, l)| split_csv_line(l).ok())
        .is_some_and(|h| h.iter().map(|f| f.trim()).eq(CSV_HEADER));
    if !header_ok {
        return Err(BankFileError::Lines(vec![LineError {
            line: 1,
            column: "行",
            message: format!("the header must be `{}`", CSV_HEADER.join(",")),
        }]));
    }
    let mut errors = Vec::new();
    let mut receipts = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (number, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields = match split_csv_line(line) {
            Ok(fields) => fields,
            Err(message) => {
                errors.push(LineError {
                    line: number,
                    column: "行",
                    message,
                });
                continue;
            }
        };
        if let Some(receipt) = parse_line(number, &fields, &mut errors) {
            if let Some(&first) = seen.get(&receipt.bank_reference) {
                errors.push(LineError {
                    line: number,
                    column: "取引番号",
                    message: format!(
                        "`{}` already appears on line {first}",
                        receipt.bank_reference
                    ),
                });
            } else {
                seen.insert(receipt.bank_reference.clone(), number);
            }
            receipts.push(receipt);
        }
    }
    if !errors.is_empty() {
        return Err(BankFileError::Lines(errors));
    }
    if receipts.is_empty() {
        return Err(BankFileError::Lines(vec![LineError {
            line: 2,
            column: "行",
            message: "the file has no receipt lines".into(),
        }]));
    }
    Ok(receipts)
}

#[cfg(test)]
mod tests;
