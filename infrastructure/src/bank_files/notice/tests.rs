use super::*;

/// A record from layout-ordered pieces (half-width text as Shift_JIS by encoding_rs), each
/// padded to its layout width: numbers are given already zero-padded.
fn record(pieces: &[(&str, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (text, width) in pieces {
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!unmappable);
        assert!(bytes.len() <= *width, "{text} wider than {width}");
        out.extend_from_slice(&bytes);
        out.resize(out.len() + width - bytes.len(), b' ');
    }
    assert_eq!(out.len(), RECORD_LEN);
    out
}

fn header(account: &str) -> Vec<u8> {
    record(&[
        ("1", 1),
        ("01", 2),
        ("0", 1),
        ("060801", 6), // R6.08.01 = 2024-08-01
        ("060731", 6),
        ("060731", 6),
        ("0172", 4),
        ("ｱﾜ", 15),
        ("101", 3),
        ("ﾎﾝﾃﾝ", 15),
        ("1", 1),
        (account, 7),
        ("ｹﾝｺｳﾎｹﾝｸﾐｱｲ", 40),
        ("", 93),
    ])
}

fn data(inquiry: &str, amount: &str, code: &str, name: &str, cancel: &str) -> Vec<u8> {
    record(&[
        ("2", 1),
        (inquiry, 6),
        ("060731", 6),
        ("060731", 6),
        (amount, 10),
        ("0000000000", 10),
        (code, 10),
        (name, 48),
        ("ﾐｽﾞﾎ", 15),
        ("ｱｵﾔﾏ", 15),
        (cancel, 1),
        ("", 20),
        ("", 52),
    ])
}

fn trailer(count: &str, total: &str, cancel_count: &str, cancel_total: &str) -> Vec<u8> {
    record(&[
        ("8", 1),
        (count, 6),
        (total, 12),
        (cancel_count, 6),
        (cancel_total, 12),
        ("", 163),
    ])
}

fn end() -> Vec<u8> {
    record(&[("9", 1), ("", 199)])
}

fn file(records: &[Vec<u8>]) -> Vec<u8> {
    records
        .iter()
        .flat_map(|r| [r.as_slice(), b"\r\n"].concat())
        .collect()
}

fn sample() -> Vec<u8> {
    file(&[
        header("1234567"),
        data("000001", "0000025400", "0000000123", "ﾔﾏﾀﾞ ﾀﾛｳ", "0"),
        data("000002", "0000018000", "0000000000", "ｻﾄｳ ﾊﾅｺ", " "),
        data("000003", "0000005000", "0000000456", "ｽｽﾞｷ ｲﾁﾛｳ", "1"),
        trailer("000002", "000000043400", "000001", "000000005000"),
        header("7654321"),
        data("", "0000001000", "", "ﾀﾅｶ", " "),
        trailer("000001", "000000001000", "", ""),
        end(),
    ])
}

#[test]
fn parses_accounts_and_entries() {
    let notice = parse_transfer_notice(&sample()).expect("parses");
    assert_eq!(notice.accounts.len(), 2);
    let (account, entries) = &notice.accounts[0];
    assert_eq!(
        account.created_on,
        NaiveDate::from_ymd_opt(2024, 8, 1).expect("d")
    );
    assert_eq!(account.bank_code.as_str(), "0172");
    assert_eq!(account.account_number.as_str(), "1234567");
    assert_eq!(account.account_name, "ｹﾝｺｳﾎｹﾝｸﾐｱｲ");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].record, 2);
    assert_eq!(entries[0].amount, Yen::new(25_400));
    assert_eq!(entries[0].remitter_name, "ﾔﾏﾀﾞ ﾀﾛｳ");
    assert_eq!(
        entries[0].remitter_code.as_ref().map(Digits::as_str),
        Some("0000000123")
    );
    assert_eq!(entries[1].remitter_code, None);
    assert!(entries[2].cancelled);
    assert_eq!(notice.accounts[1].1[0].inquiry_number, None);
    // Without CR LF too.
    let plain: Vec<u8> = sample()
        .chunks(RECORD_LEN + 2)
        .flat_map(|r| r[..RECORD_LEN].to_vec())
        .collect();
    assert_eq!(
        parse_transfer_notice(&plain).map(|n| n.accounts),
        Ok(notice.accounts)
    );
}

#[test]
fn receipt_lines_carry_stable_references() {
    let notice = parse_transfer_notice(&sample()).expect("parses");
    let lines = notice.receipt_lines();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0].bank_reference,
        "0172-101-1-1234567-20240731-000001"
    );
    assert_eq!(lines[0].kind, ReceiptKind::Payment);
    assert_eq!(lines[2].kind, ReceiptKind::Cancellation);
    assert!(lines[2].bank_reference.ends_with("-取消"));
    assert!(lines[3].bank_reference.ends_with("#7"));
    assert_eq!(
        lines,
        parse_transfer_notice(&sample())
            .expect("again")
            .receipt_lines()
    );
}

#[test]
fn trailer_totals_are_checked() {
    let bad = file(&[
        header("1234567"),
        data("000001", "0000025400", "0000000123", "ﾔﾏﾀﾞ", "0"),
        trailer("000001", "000000025401", "", ""),
        end(),
    ]);
    let err = parse_transfer_notice(&bad).unwrap_err().to_string();
    assert!(
        err.contains("record 3") && err.contains("振込合計金額"),
        "{err}"
    );
}

#[test]
fn refuses_bad_dates_kinds_and_structure() {
    let mut pre_reiwa = data("000001", "0000000001", "", "ﾔﾏﾀﾞ", "0");
    pre_reiwa[7..13].copy_from_slice(b"010430"); // R01.04.30 did not exist
    let err = parse_transfer_notice(&file(&[
        header("1234567"),
        pre_reiwa,
        trailer("000001", "000000000001", "", ""),
        end(),
    ]))
    .unwrap_err()
    .to_string();
    assert!(err.contains("record 2") && err.contains("勘定日"), "{err}");

    let mut ebcdic = header("1234567");
    ebcdic[3] = b'1';
    let err = parse_transfer_notice(&file(&[
        ebcdic,
        trailer("000000", "000000000000", "", ""),
        end(),
    ]))
    .unwrap_err()
    .to_string();
    assert!(err.contains("コード区分"), "{err}");

    let no_end = file(&[header("1234567"), trailer("000000", "000000000000", "", "")]);
    assert!(parse_transfer_notice(&no_end)
        .unwrap_err()
        .to_string()
        .contains("エンド"));
    assert!(parse_transfer_notice(&file(&[end()])).is_err());
}
