//! 総合振込 (general transfer) file in the 全銀協 fixed-length format: the file a society hands
//! its bank to pay benefits (digest.md §2.3 3-⑤) and refunds (§2.2 2-③).
//!
//! Layout (positions are 1-based bytes; `N` right-aligned zero-padded digits, `C` left-aligned
//! space-padded half-width text), every record 120 bytes:
//!
//! - 全銀協制定ファイルフォーマット【総合振込】 (a bank's copy of the 全銀協 layout):
//!   <https://expydoc.com/doc/11700435/>: field order and widths of the ヘッダー and データ
//!   records, 手形交換所番号 "未使用(0とする)", 預金種目 1/2/4/9, "120バイト(改行コード(CRLF)を
//!   つける場合は後付けで122バイト)";
//! - the same positions as byte columns: <https://expydoc.com/doc/8010391/> (ヘッダー 1, 2–3, 4,
//!   5–14, 15–54, 55–58, 59–62, 63–77, 78–80, 81–95, 96, 97–103, 104–120) and
//!   <https://qiita.com/toruca/items/75e4b981933660842af8>;
//! - public implementations: `diva-osaka/Diva.Zengin` `Diva.Zengin/Records/総合振込Header.cs`,
//!   `総合振込Data.cs` (新規コード 0/1/2, 顧客コード1/2 or EDI情報, 振込指定区分 7/8, 識別表示
//!   `Y`/space, ダミー 7) and `Kyash/zengin-go` `internal/parsers.go` (data offsets 1, 5, 20, 23,
//!   38, 42, 43, 50, 80, 90, 91–111, 111, 112; trailer 合計件数 6 at 1, 合計金額 12 at 7, 0-based);
//!   `yami20/zengin` `zengin.go` writes the same trailer (`8%06d%012d%101s`) and end record
//!   (`9` + 119 spaces) and joins records with CR LF.
//!
//! The field table is in the [module docs of `bank_files`](super).
//!
//! Decisions: one header…trailer group per file; absent 顧客コード are written as spaces (the
//! field is optional) and a `0000` 手形交換所番号 reads back as `None`; each record is followed
//! by CR LF unless [`LineEnding::None`] is chosen (banks accept either: 宮崎銀行
//! <https://www.miyagin.co.jp/kfkdown-zengin-help> "改行コード無し または CR+LF").

use chrono::{Datelike, NaiveDate};
use kenpo_domain::money::Yen;
use kenpo_domain::qualification::values::{AccountType, PaymentAccount};

use super::error::BankFileError;
use super::fixed::{split_records, Digits, RecordReader, RecordWriter, ZenginText};

/// Length of every 総合振込 record, without line ending.
pub const RECORD_LEN: usize = 120;
/// 種別コード of 総合振込.
pub const KIND_CODE: &str = "21";
/// コード区分 0 = JIS (single-byte JIS X 0201, identical in Shift_JIS).
pub const CODE_DIVISION_JIS: &str = "0";

/// 金融機関コード (統一金融機関番号), 4 digits.
pub type BankCode = Digits<4>;
/// 支店コード (統一店番号), 3 digits.
pub type BranchCode = Digits<3>;
/// 口座番号, 7 digits.
pub type AccountNumber = Digits<7>;
/// 振込依頼人コード (委託者コード), 10 digits issued by the bank.
pub type RequesterCode = Digits<10>;
/// 顧客コード (the requester's own recipient reference), 10 digits.
pub type CustomerCode = Digits<10>;
/// 手形交換所番号, 4 digits (unused in 総合振込).
pub type ClearingHouseCode = Digits<4>;

/// 預金種目 (deposit type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepositType {
    /// 1 普通預金.
    Ordinary,
    /// 2 当座預金.
    Current,
    /// 4 貯蓄預金 (only for recipients).
    Savings,
    /// 9 その他.
    Other,
}

impl DepositType {
    /// The one-digit code.
    pub fn code(self) -> u8 {
        match self {
            DepositType::Ordinary => b'1',
            DepositType::Current => b'2',
            DepositType::Savings => b'4',
            DepositType::Other => b'9',
        }
    }

    /// The type for a one-digit code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            b'1' => Some(DepositType::Ordinary),
            b'2' => Some(DepositType::Current),
            b'4' => Some(DepositType::Savings),
            b'9' => Some(DepositType::Other),
            _ => None,
        }
    }
}

impl From<AccountType> for DepositType {
    fn from(t: AccountType) -> Self {
        match t {
            AccountType::Ordinary => DepositType::Ordinary,
            AccountType::Current => DepositType::Current,
            AccountType::Savings => DepositType::Savings,
        }
    }
}

/// 振込指定日: month and day (MMDD); the layout carries no year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonthDay {
    month: u32,
    day: u32,
}

impl MonthDay {
    /// Validates a month and day (29 February is allowed: the year is not in the file).
    pub fn new(month: u32, day: u32) -> Result<Self, BankFileError> {
        // 2000 is a leap year, so every month/day pair of some year is accepted.
        match NaiveDate::from_ymd_opt(2000, month, day) {
            Some(_) => Ok(MonthDay { month, day }),
            None => Err(BankFileError::InvalidMonthDay {
                field: "振込指定日",
                month,
                day,
            }),
        }
    }

    /// The month and day of a date.
    pub fn from_date(date: NaiveDate) -> Self {
        MonthDay {
            month: date.month(),
            day: date.day(),
        }
    }

    /// Month (1–12).
    pub fn month(self) -> u32 {
        self.month
    }

    /// Day (1–31).
    pub fn day(self) -> u32 {
        self.day
    }
}

/// 振込金額: 1 to 9,999,999,999 yen (N(10)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferAmount(u64);

impl TransferAmount {
    /// Largest amount the 10-digit field holds.
    pub const MAX: u64 = 9_999_999_999;

    /// Refuses zero, negative amounts and amounts that do not fit the field.
    pub fn new(amount: Yen) -> Result<Self, BankFileError> {
        let yen = amount.amount();
        match u64::try_from(yen) {
            Ok(v @ 1..=Self::MAX) => Ok(TransferAmount(v)),
            _ => Err(BankFileError::OutOfRange {
                field: "振込金額",
                value: yen,
                min: 1,
                max: Self::MAX as i64,
            }),
        }
    }

    /// The amount.
    pub fn yen(self) -> Yen {
        // MAX is far below i64::MAX.
        Yen::new(i64::try_from(self.0).unwrap_or(i64::MAX))
    }
}

/// 新規コード.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NewCode {
    /// 0 その他.
    #[default]
    Other,
    /// 1 第1回振込分 (first transfer to this recipient).
    First,
    /// 2 変更分 (recipient details changed).
    Changed,
}

impl NewCode {
    fn code(self) -> u8 {
        match self {
            NewCode::Other => b'0',
            NewCode::First => b'1',
            NewCode::Changed => b'2',
        }
    }
}

/// 振込指定区分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferMethod {
    /// 7 電信振込 (telegraphic, same day).
    Telegraphic,
    /// 8 文書振込.
    Document,
}

/// The 20 bytes at positions 92–111 and the 識別表示 at 113.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecipientReference {
    /// 識別表示 space: 顧客コード1 and 顧客コード2, each optional (written as spaces).
    CustomerCodes {
        /// 顧客コード1.
        code1: Option<CustomerCode>,
        /// 顧客コード2.
        code2: Option<CustomerCode>,
    },
    /// 識別表示 `Y`: EDI情報 passed to the recipient (e.g. a claim number).
    Edi(ZenginText<20>),
}

impl Default for RecipientReference {
    fn default() -> Self {
        RecipientReference::CustomerCodes {
            code1: None,
            code2: None,
        }
    }
}

/// ヘッダー・レコード: the paying society and its account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransferHeader {
    /// 振込依頼人コード.
    pub requester_code: RequesterCode,
    /// 振込依頼人名 (the society's name in カナ).
    pub requester_name: ZenginText<40>,
    /// 振込指定日.
    pub transfer_date: MonthDay,
    /// 仕向銀行番号.
    pub bank_code: BankCode,
    /// 仕向銀行名.
    pub bank_name: ZenginText<15>,
    /// 仕向支店番号.
    pub branch_code: BranchCode,
    /// 仕向支店名.
    pub branch_name: ZenginText<15>,
    /// 預金種目 (依頼人): 普通, 当座 or その他.
    pub deposit_type: DepositType,
    /// 口座番号 (依頼人).
    pub account_number: AccountNumber,
}

/// データ・レコード: one payment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransferRecord {
    /// 被仕向銀行番号.
    pub bank_code: BankCode,
    /// 被仕向銀行名 (optional: may be empty).
    pub bank_name: ZenginText<15>,
    /// 被仕向支店番号.
    pub branch_code: BranchCode,
    /// 被仕向支店名 (optional: may be empty).
    pub branch_name: ZenginText<15>,
    /// 手形交換所番号 (unused; `None` is written as `0000`).
    pub clearing_house_code: Option<ClearingHouseCode>,
    /// 預金種目.
    pub deposit_type: DepositType,
    /// 口座番号.
    pub account_number: AccountNumber,
    /// 受取人名 (the account holder's name in カナ).
    pub recipient_name: ZenginText<30>,
    /// 振込金額.
    pub amount: TransferAmount,
    /// 新規コード.
    pub new_code: NewCode,
    /// 顧客コード1/2 or EDI情報.
    pub reference: RecipientReference,
    /// 振込指定区分 (`None` is written as a space).
    pub transfer_method: Option<TransferMethod>,
}

impl TransferRecord {
    /// A payment to a registered 給付金支給先口座: converts the holder's カナ name. Bank and
    /// branch names are left empty (they are optional and the account keeps them in kanji).
    pub fn to_account(account: &PaymentAccount, amount: Yen) -> Result<Self, BankFileError> {
        Ok(TransferRecord {
            bank_code: BankCode::new("被仕向銀行番号", account.bank_code())?,
            bank_name: ZenginText::default(),
            branch_code: BranchCode::new("被仕向支店番号", account.branch_code())?,
            branch_name: ZenginText::default(),
            clearing_house_code: None,
            deposit_type: account.account_type().into(),
            account_number: AccountNumber::new("口座番号", account.account_number())?,
            recipient_name: ZenginText::convert("受取人名", account.holder().as_str())?,
            amount: TransferAmount::new(amount)?,
            new_code: NewCode::Other,
            reference: RecipientReference::default(),
            transfer_method: Some(TransferMethod::Telegraphic),
        })
    }
}

/// What follows each 120-byte record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    /// CR LF after every record, the last included (122 bytes a record).
    #[default]
    CrLf,
    /// Records back to back (120 bytes each).
    None,
}

/// A whole 総合振込 file: one header, its payments, and (when written) trailer and end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransferFile {
    header: TransferHeader,
    records: Vec<TransferRecord>,
}

/// Largest 合計件数 (N(6)).
pub const MAX_RECORDS: usize = 999_999;
/// Largest 合計金額 (N(12)).
pub const MAX_TOTAL: u64 = 999_999_999_999;

impl TransferFile {
    /// Checks what no single field can: at least one and at most 999,999 payments, a total
    /// within 12 digits, non-empty names, and a requester 預金種目 of 1, 2 or 9.
    pub fn new(
        header: TransferHeader,
        records: Vec<TransferRecord>,
    ) -> Result<Self, BankFileError> {
        if header.requester_name.is_empty() {
            return Err(BankFileError::Empty {
                field: "振込依頼人名",
            });
        }
        if header.deposit_type == DepositType::Savings {
            return Err(BankFileError::NotAllowed {
                field: "預金種目 (依頼人)",
                message: "the requester's account must be 1 普通, 2 当座 or 9 その他".into(),
            });
        }
        if records.is_empty() {
            return Err(BankFileError::NotAllowed {
                field: "データ・レコード",
                message: "a transfer file needs at least one payment".into(),
            });
        }
        if records.len() > MAX_RECORDS {
            return Err(BankFileError::OutOfRange {
                field: "合計件数",
                value: i64::try_from(records.len()).unwrap_or(i64::MAX),
                min: 1,
                max: MAX_RECORDS as i64,
            });
        }
        if records.iter().any(|r| r.recipient_name.is_empty()) {
            return Err(BankFileError::Empty {
                field: "受取人名"
            });
        }
        let total: u64 = records.iter().map(|r| r.amount.0).sum();
        if total > MAX_TOTAL {
            return Err(BankFileError::OutOfRange {
                field: "合計金額",
                value: i64::try_from(total).unwrap_or(i64::MAX),
                min: 1,
                max: MAX_TOTAL as i64,
            });
        }
        Ok(TransferFile { header, records })
    }

    /// The header.
    pub fn header(&self) -> &TransferHeader {
        &self.header
    }

    /// The payments, in file order.
    pub fn records(&self) -> &[TransferRecord] {
        &self.records
    }

    /// 合計件数.
    pub fn total_count(&self) -> usize {
        self.records.len()
    }

    /// 合計金額.
    pub fn total_amount(&self) -> Yen {
        let sum: u64 = self.records.iter().map(|r| r.amount.0).sum();
        Yen::new(i64::try_from(sum).unwrap_or(i64::MAX))
    }

    /// The file bytes with CR LF after every record. The same file always gives the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(LineEnding::CrLf)
    }

    /// The file bytes with the chosen line ending.
    pub fn to_bytes_with(&self, ending: LineEnding) -> Vec<u8> {
        let mut records = Vec::with_capacity(self.records.len() + 3);
        records.push(write_header(&self.header));
        records.extend(self.records.iter().map(write_record));
        let total: u64 = self.records.iter().map(|r| r.amount.0).sum();
        records.push(write_trailer(self.records.len() as u64, total));
        records.push(
            RecordWriter::new(RECORD_LEN)
                .ascii("9")
                .spaces(119)
                .finish(),
        );
        let mut out = Vec::with_capacity(records.len() * (RECORD_LEN + 2));
        for record in records {
            out.extend_from_slice(&record);
            if ending == LineEnding::CrLf {
                out.extend_from_slice(b"\r\n");
            }
        }
        out
    }

    /// Reads a file back (with or without CR LF), checking every field and the trailer totals.
    pub fn parse(bytes: &[u8]) -> Result<Self, BankFileError> {
        let raw = split_records(bytes, RECORD_LEN)?;
        let reader = |i: usize, kind| RecordReader {
            bytes: raw[i],
            record: i + 1,
            kind,
        };
        let header = read_header(&reader(0, "ヘッダー"))?;
        let mut records = Vec::new();
        let mut i = 1;
        while i < raw.len() && raw[i].first() == Some(&b'2') {
            records.push(read_record(&reader(i, "データ"))?);
            i += 1;
        }
        if i >= raw.len() {
            return Err(BankFileError::Layout(format!(
                "record {}: the トレーラー record (データ区分 8) is missing",
                i + 1
            )));
        }
        let trailer = reader(i, "トレーラー");
        trailer.expect_kind(b'8')?;
        let count = trailer.number("合計件数", 2, 6)?;
        let total = trailer.number("合計金額", 8, 12)?;
        let actual_total: u64 = records.iter().map(|r| r.amount.0).sum();
        if count != records.len() as u64 {
            return Err(trailer.error(
                "合計件数",
                format!("{count} stated, {} データ records found", records.len()),
            ));
        }
        if total != actual_total {
            return Err(trailer.error(
                "合計金額",
                format!("{total} stated, the データ records sum to {actual_total}"),
            ));
        }
        if i + 1 >= raw.len() {
            return Err(BankFileError::Layout(format!(
                "record {}: the エンド record (データ区分 9) is missing",
                i + 2
            )));
        }
        reader(i + 1, "エンド").expect_kind(b'9')?;
        if raw.len() > i + 2 {
            return Err(BankFileError::Layout(format!(
                "record {}: nothing may follow the エンド record",
                i + 3
            )));
        }
        TransferFile::new(header, records)
    }
}

fn write_header(h: &TransferHeader) -> Vec<u8> {
    RecordWriter::new(RECORD_LEN)
        .ascii("1")
        .ascii(KIND_CODE)
        .ascii(CODE_DIVISION_JIS)
        .ascii(h.requester_code.as_str())
        .text(h.requester_name.as_str(), 40)
        .number(u64::from(h.transfer_date.month), 2)
        .number(u64::from(h.transfer_date.day), 2)
        .ascii(h.bank_code.as_str())
        .text(h.bank_name.as_str(), 15)
        .ascii(h.branch_code.as_str())
        .text(h.branch_name.as_str(), 15)
        .ascii(&char::from(h.deposit_type.code()).to_string())
        .ascii(h.account_number.as_str())
        .spaces(17)
        .finish()
}

fn write_record(r: &TransferRecord) -> Vec<u8> {
    let mut w = RecordWriter::new(RECORD_LEN);
    w.ascii("2")
        .ascii(r.bank_code.as_str())
        .text(r.bank_name.as_str(), 15)
        .ascii(r.branch_code.as_str())
        .text(r.branch_name.as_str(), 15)
        .ascii(
            r.clearing_house_code
                .as_ref()
                .map_or("0000", |c| c.as_str()),
        )
        .ascii(&char::from(r.deposit_type.code()).to_string())
        .ascii(r.account_number.as_str())
        .text(r.recipient_name.as_str(), 30)
        .number(r.amount.0, 10)
        .ascii(&char::from(r.new_code.code()).to_string());
    let identification = match &r.reference {
        RecipientReference::CustomerCodes { code1, code2 } => {
            for code in [code1, code2] {
                match code {
                    Some(c) => w.ascii(c.as_str()),
                    None => w.spaces(10),
                };
            }
            " "
        }
        RecipientReference::Edi(text) => {
            w.text(text.as_str(), 20);
            "Y"
        }
    };
    w.ascii(match r.transfer_method {
        Some(TransferMethod::Telegraphic) => "7",
        Some(TransferMethod::Document) => "8",
        None => " ",
    })
    .ascii(identification)
    .spaces(7)
    .finish()
}

fn write_trailer(count: u64, total: u64) -> Vec<u8> {
    RecordWriter::new(RECORD_LEN)
        .ascii("8")
        .number(count, 6)
        .number(total, 12)
        .spaces(101)
        .finish()
}

fn deposit_type(
    r: &RecordReader<'_>,
    field: &'static str,
    pos: usize,
) -> Result<DepositType, BankFileError> {
    let code = r.bytes[pos - 1];
    DepositType::from_code(code)
        .ok_or_else(|| r.error(field, format!("`{}` is not 1, 2, 4 or 9", char::from(code))))
}

fn read_header(r: &RecordReader<'_>) -> Result<TransferHeader, BankFileError> {
    r.expect_kind(b'1')?;
    let kind = r.digits("種別コード", 2, 2)?;
    if kind != KIND_CODE {
        return Err(r.error(
            "種別コード",
            format!("`{kind}` found, `21` (総合振込) expected"),
        ));
    }
    let division = r.digits("コード区分", 4, 1)?;
    if division != CODE_DIVISION_JIS {
        return Err(r.error(
            "コード区分",
            format!("`{division}` found, `0` (JIS) expected"),
        ));
    }
    let month = r.number("振込指定日", 55, 2)?;
    let day = r.number("振込指定日", 57, 2)?;
    let transfer_date = MonthDay::new(month as u32, day as u32)
        .map_err(|e| r.error("振込指定日", e.to_string()))?;
    let code = |field, pos, len| r.digits(field, pos, len);
    let wrap = |field: &'static str| move |e: BankFileError| r.error(field, e.to_string());
    Ok(TransferHeader {
        requester_code: RequesterCode::new("振込依頼人コード", code("振込依頼人コード", 5, 10)?)
            .map_err(wrap("振込依頼人コード"))?,
        requester_name: r.text("振込依頼人名", 15)?,
        transfer_date,
        bank_code: BankCode::new("仕向銀行番号", code("仕向銀行番号", 59, 4)?)
            .map_err(wrap("仕向銀行番号"))?,
        bank_name: r.text("仕向銀行名", 63)?,
        branch_code: BranchCode::new("仕向支店番号", code("仕向支店番号", 78, 3)?)
            .map_err(wrap("仕向支店番号"))?,
        branch_name: r.text("仕向支店名", 81)?,
        deposit_type: deposit_type(r, "預金種目", 96)?,
        account_number: AccountNumber::new("口座番号", code("口座番号", 97, 7)?)
            .map_err(wrap("口座番号"))?,
    })
}

fn read_record(r: &RecordReader<'_>) -> Result<TransferRecord, BankFileError> {
    r.expect_kind(b'2')?;
    let wrap = |field: &'static str| move |e: BankFileError| r.error(field, e.to_string());
    let clearing_house_code = if r.is_blank(39, 4) {
        None
    } else {
        match r.digits("手形交換所番号", 39, 4)? {
            "0000" => None,
            c => Some(ClearingHouseCode::new("手形交換所番号", c).map_err(wrap("手形交換所番号"))?),
        }
    };
    let amount = r.number("振込金額", 81, 10)?;
    let amount = TransferAmount::new(Yen::new(i64::try_from(amount).unwrap_or(0)))
        .map_err(wrap("振込金額"))?;
    let new_code = match r.bytes[90] {
        b'0' => NewCode::Other,
        b'1' => NewCode::First,
        b'2' => NewCode::Changed,
        other => {
            return Err(r.error(
                "新規コード",
                format!("`{}` is not 0, 1 or 2", char::from(other)),
            ))
        }
    };
    let reference = match r.bytes[112] {
        b'Y' => RecipientReference::Edi(r.text("EDI情報", 92)?),
        b' ' => {
            let customer =
                |field: &'static str, pos| -> Result<Option<CustomerCode>, BankFileError> {
                    if r.is_blank(pos, 10) {
                        Ok(None)
                    } else {
                        CustomerCode::new(field, r.digits(field, pos, 10)?)
                            .map(Some)
                            .map_err(wrap(field))
                    }
                };
            RecipientReference::CustomerCodes {
                code1: customer("顧客コード1", 92)?,
                code2: customer("顧客コード2", 102)?,
            }
        }
        other => {
            return Err(r.error(
                "識別表示",
                format!("`{}` is neither `Y` nor a space", char::from(other)),
            ))
        }
    };
    let transfer_method = match r.bytes[111] {
        b'7' => Some(TransferMethod::Telegraphic),
        b'8' => Some(TransferMethod::Document),
        b' ' => None,
        other => {
            return Err(r.error(
                "振込指定区分",
                format!("`{}` is not 7, 8 or a space", char::from(other)),
            ))
        }
    };
    Ok(TransferRecord {
        bank_code: BankCode::new("被仕向銀行番号", r.digits("被仕向銀行番号", 2, 4)?)
            .map_err(wrap("被仕向銀行番号"))?,
        bank_name: r.text("被仕向銀行名", 6)?,
        branch_code: BranchCode::new("被仕向支店番号", r.digits("被仕向支店番号", 21, 3)?)
            .map_err(wrap("被仕向支店番号"))?,
        branch_name: r.text("被仕向支店名", 24)?,
        clearing_house_code,
        deposit_type: deposit_type(r, "預金種目", 43)?,
        account_number: AccountNumber::new("口座番号", r.digits("口座番号", 44, 7)?)
            .map_err(wrap("口座番号"))?,
        recipient_name: r.text("受取人名", 51)?,
        amount,
        new_code,
        reference,
        transfer_method,
    })
}

#[cfg(test)]
mod tests;
