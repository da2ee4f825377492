use super::*;

const HEADER: &str = "入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号";

fn csv(lines: &[&str]) -> String {
    let mut s = String::from(HEADER);
    for l in lines {
        s.push_str("\r\n");
        s.push_str(l);
    }
    s.push_str("\r\n");
    s
}

fn sample() -> String {
    csv(&[
        "2024-07-31,25400,ヤマダ タロウ,123,ミズホ,アオヤマ,TX-0001",
        "\"2024-07-31\",\"18000\",\"ｻﾄｳ ﾊﾅｺ\",\"\",\"\",\"\",\"TX-0002\"",
    ])
}

#[test]
fn parses_utf8_lines() {
    let lines = parse_receipts_csv(sample().as_bytes()).expect("parses");
    assert_eq!(lines.len(), 2);
    let first = &lines[0];
    assert_eq!(first.source_line, 2);
    assert_eq!(
        first.received_on,
        NaiveDate::from_ymd_opt(2024, 7, 31).expect("date")
    );
    assert_eq!(first.amount, Yen::new(25_400));
    assert_eq!(first.remitter_name, "ﾔﾏﾀﾞ ﾀﾛｳ");
    assert_eq!(
        first.remitter_code.as_ref().map(Digits::as_str),
        Some("0000000123")
    );
    assert_eq!(first.remitter_bank.as_deref(), Some("ミズホ"));
    assert_eq!(first.bank_reference, "TX-0001");
    assert_eq!(first.kind, ReceiptKind::Payment);
    assert_eq!(lines[1].remitter_code, None);
    assert_eq!(lines[1].remitter_bank, None);
    assert_eq!(lines[1].remitter_name, "ｻﾄｳ ﾊﾅｺ");
}

#[test]
fn accepts_bom_and_shift_jis() {
    let utf8 = parse_receipts_csv(sample().as_bytes()).expect("utf-8");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), sample().as_bytes()].concat();
    assert_eq!(parse_receipts_csv(&with_bom), Ok(utf8.clone()));
    let text = sample();
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&sjis).is_err(),
        "the sample must not be valid UTF-8"
    );
    assert_eq!(parse_receipts_csv(&sjis), Ok(utf8));
    // LF line endings too.
    let lf = sample().replace("\r\n", "\n");
    assert_eq!(parse_receipts_csv(lf.as_bytes()).map(|l| l.len()), Ok(2));
}

#[test]
fn refuses_undecodable_bytes() {
    assert_eq!(
        parse_receipts_csv(b"\xFF\xFF\xFF"),
        Err(BankFileError::Encoding)
    );
    let bom_then_sjis = [b"\xEF\xBB\xBF".as_slice(), b"\x82\xA0"].concat();
    assert_eq!(
        parse_receipts_csv(&bom_then_sjis),
        Err(BankFileError::Encoding)
    );
}

#[test]
fn collects_every_bad_line_and_accepts_nothing() {
    let text = csv(&[
        "2024-07-31,25400,ヤマダ タロウ,123,,,TX-1",
        "R6.7.31,1,000,ヤマダ,,,,TX-2",
        "2024-02-30,0,山田,12345678901,,,TX 3",
        "2024-07-31,100,ヤマダ,,,,TX-1",
        "\"2024-07-31,100,ヤマダ,,,,TX-5",
    ]);
    let Err(BankFileError::Lines(errors)) = parse_receipts_csv(text.as_bytes()) else {
        panic!("expected line errors");
    };
    let at =
        |line: usize, column: &str| errors.iter().any(|e| e.line == line && e.column == column);
    assert!(at(3, "行"), "{errors:?}"); // 8 columns: the amount has a comma
    assert!(at(4, "入金日"), "{errors:?}");
    assert!(at(4, "金額"), "{errors:?}");
    assert!(at(4, "振込依頼人名"), "{errors:?}");
    assert!(at(4, "顧客番号"), "{errors:?}");
    assert!(at(4, "取引番号"), "{errors:?}");
    assert!(at(5, "取引番号"), "{errors:?}"); // duplicate of line 2
    assert!(at(6, "行"), "{errors:?}"); // unclosed quote
    assert!(!errors.iter().any(|e| e.line == 2), "{errors:?}");
    let message = BankFileError::Lines(errors).to_string();
    assert!(message.contains("line 4, 振込依頼人名"), "{message}");
    assert!(message.contains("nothing imported"), "{message}");
}

#[test]
fn header_is_required() {
    let err = parse_receipts_csv("2024-07-31,1,ﾔﾏﾀﾞ,,,,TX-1\n".as_bytes()).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let empty = parse_receipts_csv(format!("{HEADER}\n\n").as_bytes()).unwrap_err();
    assert!(empty.to_string().contains("no receipt lines"), "{empty}");
}

#[test]
fn quoting() {
    assert_eq!(
        split_csv_line(r#"a,"b,c","d""e",,"""#),
        Ok(vec![
            "a".into(),
            "b,c".into(),
            "d\"e".into(),
            String::new(),
            String::new()
        ])
    );
    assert!(split_csv_line(r#""a"b"#).is_err());
    assert!(split_csv_line(r#"a"b"#).is_err());
}

#[test]
fn digest_identifies_the_file() {
    let a = file_digest(sample().as_bytes());
    assert_eq!(a.len(), 64);
    assert_eq!(a, file_digest(sample().as_bytes()));
    assert_ne!(
        a,
        file_digest(sample().replace("25400", "25401").as_bytes())
    );
    assert_eq!(
        file_digest(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}
