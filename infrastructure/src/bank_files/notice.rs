//! 振込入金通知 (transfer credit notice, 種別コード 01): the 全銀協 fixed-length file in which a
//! bank reports the transfers credited to the society's account — premiums paid by 任意継続 and
//! 特例退職 members (digest.md §1.3, §6.3).
//!
//! Layout, 200-byte records (positions 1-based; `N` zero-padded digits, `C` space-padded
//! half-width text). Sources: 阿波銀行 振込入金通知(全銀協制定フォーマット)
//! <http://www.awabank.co.jp/houjin/service/fb/zengin/tsuchi/> (header fields and widths, data
//! fields up to 振込依頼人コード, 和暦 YYMMDD dates, コード区分 0 JIS / 1 EBCDIC) and the public
//! implementation `diva-osaka/Diva.Zengin` `Diva.Zengin/Records/振込入金通知Header.cs`,
//! `振込入金通知DataA.cs`, `振込入金通知Trailer.cs`, `振込入金通知End.cs` (all fields and
//! widths; each record sums to 200).
//!
//! The field table is in the [module docs of `bank_files`](super).
//!
//! Decisions, to confirm with the society's bank: a file may hold several accounts (header …
//! trailer groups) before one エンド record; 振込合計 counts the records without 取消区分 1 and
//! 取消合計 those with it; 和暦 years are read as 令和 (from 2019-05-01; earlier dates are refused
//! because the era is not in the file); text is read as any JIS X 0201 byte (banks write it).

use chrono::NaiveDate;
use kenpo_domain::money::Yen;

use super::error::BankFileError;
use super::fixed::{split_records, Digits, RecordReader};
use super::receipts::{file_digest, ReceiptKind, ReceiptLine};
use super::transfer::{AccountNumber, BankCode, BranchCode, DepositType};

/// Length of every 振込入金通知 record, without line ending.
pub const RECORD_LEN: usize = 200;
/// 種別コード of 振込入金通知.
pub const KIND_CODE: &str = "01";

/// The account a group of notices is for (ヘッダー・レコード).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeAccount {
    /// 作成日.
    pub created_on: NaiveDate,
    /// 勘定日(自).
    pub period_from: NaiveDate,
    /// 勘定日(至).
    pub period_to: NaiveDate,
    /// 銀行コード.
    pub bank_code: BankCode,
    /// 銀行名.
    pub bank_name: String,
    /// 支店コード.
    pub branch_code: BranchCode,
    /// 支店名.
    pub branch_name: String,
    /// 預金種目.
    pub deposit_type: DepositType,
    /// 口座番号.
    pub account_number: AccountNumber,
    /// 口座名.
    pub account_name: String,
}

/// One credit (データ・レコード).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeEntry {
    /// Record number in the file.
    pub record: usize,
    /// 照会番号, if the bank gave one.
    pub inquiry_number: Option<Digits<6>>,
    /// 勘定日.
    pub booked_on: NaiveDate,
    /// 起算日.
    pub value_date: NaiveDate,
    /// 金額.
    pub amount: Yen,
    /// うち他店券金額.
    pub other_bank_cheques: Yen,
    /// 振込依頼人コード (`None` when blank or all zeros).
    pub remitter_code: Option<Digits<10>>,
    /// 振込依頼人名.
    pub remitter_name: String,
    /// 仕向銀行名.
    pub remitter_bank: String,
    /// 仕向店名.
    pub remitter_branch: String,
    /// 取消区分 1: this record cancels an earlier notice.
    pub cancelled: bool,
    /// EDI情報.
    pub edi: String,
}

/// A parsed 振込入金通知 file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferNotice {
    /// SHA-256 of the file bytes.
    pub file_digest: String,
    /// Each account with its credits.
    pub accounts: Vec<(NoticeAccount, Vec<NoticeEntry>)>,
}

impl TransferNotice {
    /// The credits as [`ReceiptLine`]s. The idempotency key is
    /// `bank-branch-type-account-勘定日-照会番号`; a record without 照会番号 falls back to the
    /// file digest and record number, which only protects against importing the same file twice.
    pub fn receipt_lines(&self) -> Vec<ReceiptLine> {
        let mut lines = Vec::new();
        for (account, entries) in &self.accounts {
            for e in entries {
                let reference = match &e.inquiry_number {
                    Some(n) => format!(
                        "{}-{}-{}-{}-{}-{}",
                        account.bank_code,
                        account.branch_code,
                        char::from(account.deposit_type.code()),
                        account.account_number,
                        e.booked_on.format("%Y%m%d"),
                        n
                    ),
                    None => format!("{}#{}", &self.file_digest[..16], e.record),
                };
                let optional = |s: &str| (!s.is_empty()).then(|| s.to_string());
                lines.push(ReceiptLine {
                    source_line: e.record,
                    received_on: e.booked_on,
                    amount: e.amount,
                    remitter_name: e.remitter_name.clone(),
                    remitter_code: e.remitter_code.clone(),
                    remitter_bank: optional(&e.remitter_bank),
                    remitter_branch: optional(&e.remitter_branch),
                    bank_reference: if e.cancelled {
                        format!("{reference}-取消")
                    } else {
                        reference
                    },
                    kind: if e.cancelled {
                        ReceiptKind::Cancellation
                    } else {
                        ReceiptKind::Payment
                    },
                });
            }
        }
        lines
    }
}

/// 令和 starts on 2019-05-01 (令和元年).
fn reiwa(
    r: &RecordReader<'_>,
    field: &'static str,
    pos: usize,
) -> Result<NaiveDate, BankFileError> {
    let yy = r.number(field, pos, 2)?;
    let mm = r.number(field, pos + 2, 2)?;
    let dd = r.number(field, pos + 4, 2)?;
    let date = i32::try_from(yy)
        .ok()
        .filter(|&y| y >= 1)
        .and_then(|y| NaiveDate::from_ymd_opt(2018 + y, mm as u32, dd as u32))
        .filter(|d| *d >= NaiveDate::from_ymd_opt(2019, 5, 1).unwrap_or(NaiveDate::MIN));
    date.ok_or_else(|| {
        r.error(
            field,
            format!("{yy:02}{mm:02}{dd:02} is not a 令和 date (YYMMDD from R01.05.01)"),
        )
    })
}

fn yen(
    r: &RecordReader<'_>,
    field: &'static str,
    pos: usize,
    len: usize,
) -> Result<Yen, BankFileError> {
    let n = r.number(field, pos, len)?;
    i64::try_from(n)
        .map(Yen::new)
        .map_err(|_| r.error(field, "too large"))
}

fn code<const N: usize>(
    r: &RecordReader<'_>,
    field: &'static str,
    pos: usize,
) -> Result<Digits<N>, BankFileError> {
    Digits::new(field, r.digits(field, pos, N)?).map_err(|e| r.error(field, e.to_string()))
}

fn read_header(r: &RecordReader<'_>) -> Result<NoticeAccount, BankFileError> {
    r.expect_kind(b'1')?;
    let kind = r.digits("種別コード", 2, 2)?;
    if kind != KIND_CODE {
        return Err(r.error(
            "種別コード",
            format!("`{kind}` found, `01` (振込入金通知) expected"),
        ));
    }
    let division = r.digits("コード区分", 4, 1)?;
    if division != "0" {
        return Err(r.error(
            "コード区分",
            format!("`{division}` found, only `0` (JIS) is read"),
        ));
    }
    let type_code = r.bytes[59];
    Ok(NoticeAccount {
        created_on: reiwa(r, "作成日", 5)?,
        period_from: reiwa(r, "勘定日(自)", 11)?,
        period_to: reiwa(r, "勘定日(至)", 17)?,
        bank_code: code(r, "銀行コード", 23)?,
        bank_name: r.loose_text("銀行名", 27, 15)?,
        branch_code: code(r, "支店コード", 42)?,
        branch_name: r.loose_text("支店名", 45, 15)?,
        deposit_type: DepositType::from_code(type_code).ok_or_else(|| {
            r.error(
                "預金種目",
                format!("`{}` is not 1, 2, 4 or 9", char::from(type_code)),
            )
        })?,
        account_number: code(r, "口座番号", 61)?,
        account_name: r.loose_text("口座名", 68, 40)?,
    })
}

fn read_entry(r: &RecordReader<'_>) -> Result<NoticeEntry, BankFileError> {
    r.expect_kind(b'2')?;
    let inquiry_number = if r.is_blank(2, 6) {
        None
    } else {
        Some(code(r, "照会番号", 2)?).filter(|c: &Digits<6>| c.as_str() != "000000")
    };
    let remitter_code = if r.is_blank(40, 10) {
        None
    } else {
        Some(code(r, "振込依頼人コード", 40)?).filter(|c: &Digits<10>| c.as_str() != "0000000000")
    };
    let cancelled = match r.bytes[127] {
        b'1' => true,
        b'0' | b' ' => false,
        other => {
            return Err(r.error(
                "取消区分",
                format!("`{}` is not 1, 0 or a space", char::from(other)),
            ))
        }
    };
    Ok(NoticeEntry {
        record: r.record,
        inquiry_number,
        booked_on: reiwa(r, "勘定日", 8)?,
        value_date: reiwa(r, "起算日", 14)?,
        amount: yen(r, "金額", 20, 10)?,
        other_bank_cheques: yen(r, "うち他店券金額", 30, 10)?,
        remitter_code,
        remitter_name: r.loose_text("振込依頼人名", 50, 48)?,
        remitter_bank: r.loose_text("仕向銀行名", 98, 15)?,
        remitter_branch: r.loose_text("仕向店名", 113, 15)?,
        cancelled,
        edi: r.loose_text("EDI情報", 129, 20)?,
    })
}

fn check_trailer(r: &RecordReader<'_>, entries: &[NoticeEntry]) -> Result<(), BankFileError> {
    r.expect_kind(b'8')?;
    let sum = |cancelled: bool| -> (u64, i64) {
        entries
            .iter()
            .filter(|e| e.cancelled == cancelled)
            .fold((0, 0), |(n, s), e| (n + 1, s + e.amount.amount()))
    };
    let checks = [
        ("振込合計件数", 2, 6, sum(false).0 as i64, false),
        ("振込合計金額", 8, 12, sum(false).1, false),
        ("取消合計件数", 20, 6, sum(true).0 as i64, true),
        ("取消合計金額", 26, 12, sum(true).1, true),
    ];
    for (field, pos, len, actual, optional) in checks {
        if optional && r.is_blank(pos, len) {
            continue;
        }
        let stated = r.number(field, pos, len)?;
        if i64::try_from(stated).ok() != Some(actual) {
            return Err(r.error(
                field,
                format!("{stated} stated, the データ records give {actual}"),
            ));
        }
    }
    Ok(())
}

/// Reads a 振込入金通知 file (200-byte records, with or without CR LF), checking every trailer.
pub fn parse_transfer_notice(bytes: &[u8]) -> Result<TransferNotice, BankFileError> {
    let raw = split_records(bytes, RECORD_LEN)?;
    let reader = |i: usize, kind| RecordReader {
        bytes: raw[i],
        record: i + 1,
        kind,
    };
    let mut accounts = Vec::new();
    let mut i = 0;
    loop {
        match raw.get(i).and_then(|r| r.first()) {
            Some(b'1') => {}
            Some(b'9') if !accounts.is_empty() => break,
            _ => {
                return Err(reader(i.min(raw.len() - 1), "ヘッダー")
                    .error("データ区分", "a ヘッダー record (1) is expected here"))
            }
        }
        let account = read_header(&reader(i, "ヘッダー"))?;
        i += 1;
        let mut entries = Vec::new();
        while raw.get(i).and_then(|r| r.first()) == Some(&b'2') {
            entries.push(read_entry(&reader(i, "データ"))?);
            i += 1;
        }
        if i >= raw.len() {
            return Err(BankFileError::Layout(format!(
                "record {}: the トレーラー record (データ区分 8) is missing",
                i + 1
            )));
        }
        check_trailer(&reader(i, "トレーラー"), &entries)?;
        i += 1;
        accounts.push((account, entries));
        if i >= raw.len() {
            return Err(BankFileError::Layout(format!(
                "record {}: the エンド record (データ区分 9) is missing",
                i + 1
            )));
        }
    }
    if raw.len() > i + 1 {
        return Err(BankFileError::Layout(format!(
            "record {}: nothing may follow the エンド record",
            i + 2
        )));
    }
    Ok(TransferNotice {
        file_digest: file_digest(bytes),
        accounts,
    })
}

#[cfg(test)]
mod tests;
