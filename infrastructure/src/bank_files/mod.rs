//! Files a society exchanges with its banks (digest.md §5.3 金融機関): the 全銀協 総合振込
//! (general transfer) file that pays benefits and refunds (§2.3 3-⑤, §2.2 2-③), and premium
//! receipts read back from the bank (§1.3 保険料収納記録, §6.3) as the kenpo receipt CSV or the
//! 全銀協 振込入金通知 (credit notice).
//!
//! - [`kana`] — names → 全銀 half-width カナ, refusing what cannot be represented;
//! - [`transfer`] — [`transfer::TransferFile`] to and from bytes;
//! - [`receipts`] — [`receipts::parse_receipts_csv`], [`receipts::file_digest`],
//!   [`receipts::ReceiptLine`];
//! - [`notice`] — [`notice::parse_transfer_notice`];
//! - [`matching`] — [`matching::match_receipts`] by the quoted reference only;
//! - [`fixed`] — field values ([`fixed::Digits`], [`fixed::ZenginText`]) and record plumbing.
//!
//! Character code: コード区分 0 (JIS). Every character of a 全銀 text field is a JIS X 0201
//! single byte, which Shift_JIS keeps unchanged (half-width カナ 0xA1–0xDF), so files are written
//! and read byte for byte without a multi-byte encoder. `N` fields are right-aligned and
//! zero-padded, `C` fields left-aligned and space-padded.
//!
//! # 総合振込 (general transfer)
//!
//! 120-byte records, each followed by CR LF by default ([`transfer::LineEnding`]). Sources:
//! 全銀協制定ファイルフォーマット【総合振込】 <https://expydoc.com/doc/11700435/>, column positions
//! <https://expydoc.com/doc/8010391/>, <https://qiita.com/toruca/items/75e4b981933660842af8>,
//! and the public implementations `diva-osaka/Diva.Zengin` (`Diva.Zengin/Records/総合振込*.cs`),
//! `Kyash/zengin-go` (`internal/parsers.go`, `internal/fields.go`) and `yami20/zengin`
//! (`zengin.go`). Positions are 1-based bytes.
//!
//! | record | pos | len | field | here |
//! |---|---|---|---|---|
//! | ヘッダー | 1 | 1 | データ区分 `1` | |
//! | | 2 | 2 | 種別コード `21` (総合振込) | constant |
//! | | 4 | 1 | コード区分 `0` (JIS; written as Shift_JIS single bytes) | constant |
//! | | 5 | 10 | 振込依頼人コード (委託者コード, issued by the bank) | [`transfer::TransferHeader::requester_code`] |
//! | | 15 | 40 | 振込依頼人名 | [`transfer::TransferHeader::requester_name`] |
//! | | 55 | 4 | 振込指定日 MMDD | [`transfer::TransferHeader::transfer_date`] |
//! | | 59 | 4 | 仕向銀行番号 | [`transfer::TransferHeader::bank_code`] |
//! | | 63 | 15 | 仕向銀行名 | [`transfer::TransferHeader::bank_name`] |
//! | | 78 | 3 | 仕向支店番号 | [`transfer::TransferHeader::branch_code`] |
//! | | 81 | 15 | 仕向支店名 | [`transfer::TransferHeader::branch_name`] |
//! | | 96 | 1 | 預金種目 (依頼人) 1/2/9 | [`transfer::TransferHeader::deposit_type`] |
//! | | 97 | 7 | 口座番号 (依頼人) | [`transfer::TransferHeader::account_number`] |
//! | | 104 | 17 | ダミー (spaces) | |
//! | データ | 1 | 1 | データ区分 `2` | |
//! | | 2 | 4 | 被仕向銀行番号 | [`transfer::TransferRecord::bank_code`] |
//! | | 6 | 15 | 被仕向銀行名 | [`transfer::TransferRecord::bank_name`] |
//! | | 21 | 3 | 被仕向支店番号 | [`transfer::TransferRecord::branch_code`] |
//! | | 24 | 15 | 被仕向支店名 | [`transfer::TransferRecord::branch_name`] |
//! | | 39 | 4 | 手形交換所番号 (未使用: `0000`) | [`transfer::TransferRecord::clearing_house_code`] |
//! | | 43 | 1 | 預金種目 1/2/4/9 | [`transfer::TransferRecord::deposit_type`] |
//! | | 44 | 7 | 口座番号 | [`transfer::TransferRecord::account_number`] |
//! | | 51 | 30 | 受取人名 | [`transfer::TransferRecord::recipient_name`] |
//! | | 81 | 10 | 振込金額 | [`transfer::TransferRecord::amount`] |
//! | | 91 | 1 | 新規コード 0/1/2 | [`transfer::TransferRecord::new_code`] |
//! | | 92 | 10 | 顧客コード1 (or 92–111 EDI情報 20) | [`transfer::TransferRecord::reference`] |
//! | | 102 | 10 | 顧客コード2 | [`transfer::TransferRecord::reference`] |
//! | | 112 | 1 | 振込指定区分 7 (電信) / 8 (文書) / space | [`transfer::TransferRecord::transfer_method`] |
//! | | 113 | 1 | 識別表示 `Y` (EDI情報) / space | [`transfer::TransferRecord::reference`] |
//! | | 114 | 7 | ダミー (spaces) | |
//! | トレーラー | 1 | 1 | データ区分 `8` | |
//! | | 2 | 6 | 合計件数 | computed |
//! | | 8 | 12 | 合計金額 | computed |
//! | | 20 | 101 | ダミー | |
//! | エンド | 1 | 1 | データ区分 `9` | |
//! | | 2 | 119 | ダミー | |
//!
//!
//! # 振込入金通知 (credit notice)
//!
//! 200-byte records, CR LF optional. Sources: 阿波銀行
//! <http://www.awabank.co.jp/houjin/service/fb/zengin/tsuchi/> and `diva-osaka/Diva.Zengin`
//! (`Diva.Zengin/Records/振込入金通知*.cs`). Dates are 和暦 YYMMDD, read as 令和.
//!
//! | record | pos | len | field |
//! |---|---|---|---|
//! | ヘッダー | 1 | 1 | データ区分 `1` |
//! | | 2 | 2 | 種別コード `01` |
//! | | 4 | 1 | コード区分 `0` (JIS; EBCDIC `1` is refused) |
//! | | 5 | 6 | 作成日 (和暦 YYMMDD) |
//! | | 11 | 6 | 勘定日(自) |
//! | | 17 | 6 | 勘定日(至) |
//! | | 23 | 4 | 銀行コード |
//! | | 27 | 15 | 銀行名 |
//! | | 42 | 3 | 支店コード |
//! | | 45 | 15 | 支店名 |
//! | | 60 | 1 | 預金種目 |
//! | | 61 | 7 | 口座番号 |
//! | | 68 | 40 | 口座名 |
//! | | 108 | 93 | ダミー |
//! | データ | 1 | 1 | データ区分 `2` |
//! | | 2 | 6 | 照会番号 (bank-assigned) |
//! | | 8 | 6 | 勘定日 (和暦) |
//! | | 14 | 6 | 起算日 (和暦) |
//! | | 20 | 10 | 金額 |
//! | | 30 | 10 | うち他店券金額 |
//! | | 40 | 10 | 振込依頼人コード |
//! | | 50 | 48 | 振込依頼人名 |
//! | | 98 | 15 | 仕向銀行名 |
//! | | 113 | 15 | 仕向店名 |
//! | | 128 | 1 | 取消区分 (`1` 取消) |
//! | | 129 | 20 | EDI情報 |
//! | | 149 | 52 | ダミー |
//! | トレーラー | 1 | 1 | データ区分 `8` |
//! | | 2 | 6 | 振込合計件数 |
//! | | 8 | 12 | 振込合計金額 |
//! | | 20 | 6 | 取消合計件数 (may be blank) |
//! | | 26 | 12 | 取消合計金額 (may be blank) |
//! | | 38 | 163 | ダミー |
//! | エンド | 1 | 1 | データ区分 `9` |
//! | | 2 | 199 | ダミー |
//!
//!
//! # Receipt CSV
//!
//! The kenpo receipt CSV, version 1 (defined here; see [`receipts`] for encoding, quoting and
//! idempotency). Header line: `入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号`.
//!
//! | column | required | content |
//! |---|---|---|
//! | 入金日 | yes | date credited, 西暦 `YYYY-MM-DD` (和暦 is refused: the era would be a guess) |
//! | 金額 | yes | whole yen, digits only, 1 to 9,999,999,999 (the 全銀 N(10) range) |
//! | 振込依頼人名 | yes | payer name in カナ (full or half width); stored as 全銀 half-width カナ |
//! | 顧客番号 | no | the premium account reference the payer quoted (振込依頼人コード), 1–10 digits, stored zero-padded to 10 |
//! | 仕向銀行 | no | paying bank (name or code), at most 40 characters |
//! | 仕向支店 | no | paying branch (name or code), at most 40 characters |
//! | 取引番号 | yes | the bank's unique reference of the credit, 1–32 of `0-9 A-Z a-z - _` |
//!

pub mod error;
pub mod fixed;
pub mod kana;
pub mod matching;
pub mod notice;
pub mod receipts;
pub mod transfer;

pub use error::{BankFileError, LineError};
