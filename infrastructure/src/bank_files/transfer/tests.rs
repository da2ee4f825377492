use super::*;
use kenpo_domain::qualification::values::KanaName;

fn text<const N: usize>(s: &str) -> ZenginText<N> {
    ZenginText::convert("test", s).expect("valid text")
}

fn header() -> TransferHeader {
    TransferHeader {
        requester_code: RequesterCode::new("振込依頼人コード", "1234567890").expect("code"),
        requester_name: text("カントウアイテイーソフトウエアケンコウホケンクミアイ"),
        transfer_date: MonthDay::new(7, 25).expect("date"),
        bank_code: BankCode::new("仕向銀行番号", "0001").expect("code"),
        bank_name: text("ミズホ"),
        branch_code: BranchCode::new("仕向支店番号", "211").expect("code"),
        branch_name: text("アオヤマ"),
        deposit_type: DepositType::Current,
        account_number: AccountNumber::new("口座番号", "7654321").expect("code"),
    }
}

fn record(name: &str, amount: i64) -> TransferRecord {
    TransferRecord {
        bank_code: BankCode::new("被仕向銀行番号", "0005").expect("code"),
        bank_name: text("ミツビシユ-エフジエイ"),
        branch_code: BranchCode::new("被仕向支店番号", "191").expect("code"),
        branch_name: text("アイチケンチヨウ"),
        clearing_house_code: None,
        deposit_type: DepositType::Ordinary,
        account_number: AccountNumber::new("口座番号", "0012345").expect("code"),
        recipient_name: text(name),
        amount: TransferAmount::new(Yen::new(amount)).expect("amount"),
        new_code: NewCode::First,
        reference: RecipientReference::CustomerCodes {
            code1: Some(CustomerCode::new("顧客コード1", "0000000042").expect("code")),
            code2: None,
        },
        transfer_method: Some(TransferMethod::Telegraphic),
    }
}

fn file() -> TransferFile {
    let mut edi = record("サトウ ハナコ", 1_234_567);
    edi.reference = RecipientReference::Edi(text("KYUFU-2024-0001"));
    edi.transfer_method = None;
    edi.deposit_type = DepositType::Savings;
    edi.clearing_house_code = Some(ClearingHouseCode::new("手形交換所番号", "1234").expect("c"));
    TransferFile::new(header(), vec![record("ヤマダ タロウ", 50_000), edi]).expect("file")
}

/// Bytes `from..=to` (1-based, inclusive, as the layout tables number them) of a record.
fn at(record: &[u8], from: usize, to: usize) -> &[u8] {
    &record[from - 1..to]
}

/// `s` (written directly in half-width カナ) as Shift_JIS by encoding_rs, space-padded.
fn sjis(s: &str, width: usize) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(s);
    assert!(!unmappable);
    let mut v = bytes.into_owned();
    v.resize(width, b' ');
    v
}

fn records(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .chunks(RECORD_LEN + 2)
        .map(|r| &r[..RECORD_LEN])
        .collect()
}

#[test]
fn round_trip_with_and_without_crlf() {
    let f = file();
    assert_eq!(TransferFile::parse(&f.to_bytes()), Ok(f.clone()));
    assert_eq!(
        TransferFile::parse(&f.to_bytes_with(LineEnding::None)),
        Ok(f.clone())
    );
    // The last CR LF may be missing.
    let bytes = f.to_bytes();
    assert_eq!(TransferFile::parse(&bytes[..bytes.len() - 2]), Ok(f));
}

#[test]
fn record_lengths_and_line_endings() {
    let f = file();
    let crlf = f.to_bytes();
    assert_eq!(crlf.len(), 5 * 122);
    for r in crlf.chunks(122) {
        assert_eq!(&r[120..], b"\r\n");
        assert!(!r[..120].contains(&b'\r') && !r[..120].contains(&b'\n'));
    }
    assert_eq!(f.to_bytes_with(LineEnding::None).len(), 5 * 120);
}

#[test]
fn header_field_positions_follow_the_layout() {
    // Positions from the 全銀協 layout (expydoc.com/doc/8010391 column table): 1, 2–3, 4,
    // 5–14, 15–54, 55–58, 59–62, 63–77, 78–80, 81–95, 96, 97–103, 104–120.
    let bytes = file().to_bytes();
    let h = records(&bytes)[0];
    assert_eq!(at(h, 1, 1), b"1");
    assert_eq!(at(h, 2, 3), b"21");
    assert_eq!(at(h, 4, 4), b"0");
    assert_eq!(at(h, 5, 14), b"1234567890");
    assert_eq!(at(h, 15, 54), sjis("ｶﾝﾄｳｱｲﾃｲ-ｿﾌﾄｳｴｱｹﾝｺｳﾎｹﾝｸﾐｱｲ", 40));
    assert_eq!(at(h, 55, 58), b"0725");
    assert_eq!(at(h, 59, 62), b"0001");
    assert_eq!(at(h, 63, 77), sjis("ﾐｽﾞﾎ", 15));
    assert_eq!(at(h, 78, 80), b"211");
    assert_eq!(at(h, 81, 95), sjis("ｱｵﾔﾏ", 15));
    assert_eq!(at(h, 96, 96), b"2");
    assert_eq!(at(h, 97, 103), b"7654321");
    assert_eq!(at(h, 104, 120), [b' '; 17].as_slice());
}

#[test]
fn data_field_positions_follow_the_layout() {
    // Widths from the 全銀協 layout (expydoc.com/doc/11700435): 1, 4, 15, 3, 15, 4, 1, 7, 30,
    // 10, 1, 10, 10, 1, 1, 7 → positions 1, 2–5, 6–20, 21–23, 24–38, 39–42, 43, 44–50,
    // 51–80, 81–90, 91, 92–101, 102–111, 112, 113, 114–120.
    let bytes = file().to_bytes();
    let all = records(&bytes);
    let d = all[1];
    assert_eq!(at(d, 1, 1), b"2");
    assert_eq!(at(d, 2, 5), b"0005");
    assert_eq!(at(d, 6, 20), sjis("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", 15));
    assert_eq!(at(d, 21, 23), b"191");
    assert_eq!(at(d, 24, 38), sjis("ｱｲﾁｹﾝﾁﾖｳ", 15));
    assert_eq!(at(d, 39, 42), b"0000");
    assert_eq!(at(d, 43, 43), b"1");
    assert_eq!(at(d, 44, 50), b"0012345");
    assert_eq!(at(d, 51, 80), sjis("ﾔﾏﾀﾞ ﾀﾛｳ", 30));
    assert_eq!(at(d, 81, 90), b"0000050000");
    assert_eq!(at(d, 91, 91), b"1");
    assert_eq!(at(d, 92, 101), b"0000000042");
    assert_eq!(at(d, 102, 111), [b' '; 10].as_slice());
    assert_eq!(at(d, 112, 112), b"7");
    assert_eq!(at(d, 113, 113), b" ");
    assert_eq!(at(d, 114, 120), [b' '; 7].as_slice());

    let e = all[2];
    assert_eq!(at(e, 39, 42), b"1234");
    assert_eq!(at(e, 43, 43), b"4");
    assert_eq!(at(e, 81, 90), b"0001234567");
    assert_eq!(at(e, 92, 111), b"KYUFU-2024-0001     ");
    assert_eq!(at(e, 112, 112), b" ");
    assert_eq!(at(e, 113, 113), b"Y");
}

#[test]
fn trailer_and_end_records() {
    // トレーラー: 1 区分 8, 2–7 合計件数 N(6), 8–19 合計金額 N(12), 20–120 ダミー.
    let f = file();
    assert_eq!(f.total_count(), 2);
    assert_eq!(f.total_amount(), Yen::new(1_284_567));
    let bytes = f.to_bytes();
    let all = records(&bytes);
    let t = all[3];
    assert_eq!(at(t, 1, 1), b"8");
    assert_eq!(at(t, 2, 7), b"000002");
    assert_eq!(at(t, 8, 19), b"000001284567");
    assert_eq!(at(t, 20, 120), [b' '; 101].as_slice());
    let e = all[4];
    assert_eq!(at(e, 1, 1), b"9");
    assert_eq!(at(e, 2, 120), [b' '; 119].as_slice());
}

#[test]
fn half_width_kana_are_single_shift_jis_bytes() {
    let bytes = file().to_bytes();
    // The name ﾔﾏﾀﾞ ﾀﾛｳ is 8 bytes, each kana in 0xA1–0xDF.
    let name = at(records(&bytes)[1], 51, 58);
    assert_eq!(name, b"\xD4\xCF\xC0\xDE \xC0\xDB\xB3");
    assert!(name
        .iter()
        .all(|&b| b == b' ' || (0xA1..=0xDF).contains(&b)));
    // encoding_rs reads the whole file as Shift_JIS without error and gives the kana back.
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert!(text.contains("ﾔﾏﾀﾞ ﾀﾛｳ"));
    // … and encodes it back to the same bytes.
    let (again, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    assert_eq!(again.as_ref(), bytes.as_slice());
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(file().to_bytes(), file().to_bytes());
    let f = file();
    assert_eq!(f.to_bytes(), f.to_bytes());
    let reparsed = TransferFile::parse(&f.to_bytes()).expect("parses");
    assert_eq!(reparsed.to_bytes(), f.to_bytes());
}

#[test]
fn amounts_must_fit_the_field() {
    assert!(TransferAmount::new(Yen::new(9_999_999_999)).is_ok());
    for bad in [0, -1, 10_000_000_000] {
        assert!(matches!(
            TransferAmount::new(Yen::new(bad)),
            Err(BankFileError::OutOfRange {
                field: "振込金額",
                ..
            })
        ));
    }
    // The 12-digit total: 101 payments of 9,999,999,999 exceed 999,999,999,999.
    let big = record("ヤマダ タロウ", 9_999_999_999);
    let err = TransferFile::new(header(), vec![big; 101]).unwrap_err();
    assert!(
        matches!(
            err,
            BankFileError::OutOfRange {
                field: "合計金額",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn file_rules() {
    assert!(TransferFile::new(header(), vec![]).is_err());
    let mut h = header();
    h.deposit_type = DepositType::Savings;
    assert!(TransferFile::new(h, vec![record("ヤマダ", 1)]).is_err());
    let mut r = record("ヤマダ", 1);
    r.recipient_name = ZenginText::default();
    assert_eq!(
        TransferFile::new(header(), vec![r]),
        Err(BankFileError::Empty {
            field: "受取人名"
        })
    );
    assert!(MonthDay::new(2, 29).is_ok());
    assert!(MonthDay::new(2, 30).is_err());
    assert!(MonthDay::new(13, 1).is_err());
}

#[test]
fn parse_errors_name_record_and_field() {
    let good = file().to_bytes();
    let record_start = |n: usize| (n - 1) * 122;

    let mut bad_total = good.clone();
    bad_total[record_start(4) + 18] = b'9';
    let err = TransferFile::parse(&bad_total).unwrap_err().to_string();
    assert!(
        err.contains("record 4") && err.contains("合計金額"),
        "{err}"
    );

    let mut bad_count = good.clone();
    bad_count[record_start(4) + 6] = b'3';
    let err = TransferFile::parse(&bad_count).unwrap_err().to_string();
    assert!(
        err.contains("record 4") && err.contains("合計件数"),
        "{err}"
    );

    let mut bad_amount = good.clone();
    bad_amount[record_start(3) + 85] = b'X';
    let err = TransferFile::parse(&bad_amount).unwrap_err().to_string();
    assert!(
        err.contains("record 3") && err.contains("振込金額"),
        "{err}"
    );

    let mut bad_kana = good.clone();
    bad_kana[record_start(2) + 52] = 0xA6; // ｦ is not in the 全銀 set
    let err = TransferFile::parse(&bad_kana).unwrap_err().to_string();
    assert!(
        err.contains("record 2") && err.contains("受取人名"),
        "{err}"
    );

    let mut bad_kind = good.clone();
    bad_kind[2] = b'2'; // 種別コード 22
    let err = TransferFile::parse(&bad_kind).unwrap_err().to_string();
    assert!(
        err.contains("record 1") && err.contains("種別コード"),
        "{err}"
    );

    let no_end = &good[..record_start(5)];
    let err = TransferFile::parse(no_end).unwrap_err().to_string();
    assert!(err.contains("record 5") && err.contains("エンド"), "{err}");

    let mut extra = good.clone();
    extra.extend_from_slice(&good[record_start(5)..]);
    assert!(TransferFile::parse(&extra).is_err());
    assert!(TransferFile::parse(&good[..100]).is_err());
}

#[test]
fn payment_to_a_registered_account() {
    let account = PaymentAccount::new(
        "0001",
        "001",
        AccountType::Ordinary,
        "1234567",
        KanaName::parse("キョウコ ヴァン").expect("kana"),
    )
    .expect("account");
    let r = TransferRecord::to_account(&account, Yen::new(420_000)).expect("record");
    assert_eq!(r.recipient_name.as_str(), "ｷﾖｳｺ ｳﾞｱﾝ");
    assert_eq!(r.deposit_type, DepositType::Ordinary);
    let dotted = PaymentAccount::new(
        "0001",
        "001",
        AccountType::Ordinary,
        "1234567",
        KanaName::parse("ジョン・スミス").expect("kana"),
    )
    .expect("account");
    let err = TransferRecord::to_account(&dotted, Yen::new(1)).unwrap_err();
    assert!(err.to_string().contains("position 4"), "{err}");
}
