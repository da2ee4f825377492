//! Matching premium receipts to premium accounts (保険料 収納 消込).
//!
//! Only the reference the payer quoted (顧客番号 / 振込依頼人コード) matches a receipt
//! automatically. Names never do: members share names, and a wrong match credits the wrong
//! person (digest.md §4.7, preventing wrong-person linkage). Everything else goes to a clerk.

use std::collections::HashMap;

use super::fixed::Digits;
use super::receipts::{ReceiptKind, ReceiptLine};

/// Why a receipt was not matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// The payer quoted no reference.
    NoReference,
    /// The reference is not a known premium account.
    UnknownReference(String),
    /// The bank cancelled an earlier credit: a clerk reverses it.
    Cancellation,
}

/// The outcome for one receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptMatch<'a, K> {
    /// The receipt belongs to `account`.
    Matched {
        /// The receipt.
        line: &'a ReceiptLine,
        /// The premium account (the caller's key, e.g. an 識別番号).
        account: K,
    },
    /// Left for manual review.
    Unmatched {
        /// The receipt.
        line: &'a ReceiptLine,
        /// Why.
        reason: Unmatched,
    },
}

/// Matches each receipt by its reference against `accounts` (reference → account key).
pub fn match_receipts<'a, K: Clone>(
    lines: &'a [ReceiptLine],
    accounts: &HashMap<Digits<10>, K>,
) -> Vec<ReceiptMatch<'a, K>> {
    lines
        .iter()
        .map(|line| {
            let unmatched = |reason| ReceiptMatch::Unmatched { line, reason };
            if line.kind == ReceiptKind::Cancellation {
                return unmatched(Unmatched::Cancellation);
            }
            match &line.remitter_code {
                None => unmatched(Unmatched::NoReference),
                Some(code) => match accounts.get(code) {
                    Some(account) => ReceiptMatch::Matched {
                        line,
                        account: account.clone(),
                    },
                    None => unmatched(Unmatched::UnknownReference(code.to_string())),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank_files::receipts::parse_receipts_csv;

    #[test]
    fn matches_by_reference_only() {
        let csv = "入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号\n\
                   2024-07-31,25400,ヤマダ タロウ,123,,,A1\n\
                   2024-07-31,25400,ヤマダ タロウ,,,,A2\n\
                   2024-07-31,25400,ヤマダ タロウ,999,,,A3\n";
        let lines = parse_receipts_csv(csv.as_bytes()).expect("parses");
        let accounts: HashMap<_, _> = [(
            Digits::new("顧客番号", "0000000123").expect("code"),
            "member-1",
        )]
        .into_iter()
        .collect();
        let result = match_receipts(&lines, &accounts);
        assert!(matches!(
            result[0],
            ReceiptMatch::Matched {
                account: "member-1",
                ..
            }
        ));
        assert!(matches!(
            result[1],
            ReceiptMatch::Unmatched {
                reason: Unmatched::NoReference,
                ..
            }
        ));
        assert!(matches!(
            &result[2],
            ReceiptMatch::Unmatched { reason: Unmatched::UnknownReference(r), .. } if r == "0000000999"
        ));
        let mut cancel = lines[0].clone();
        cancel.kind = ReceiptKind::Cancellation;
        let one = [cancel];
        assert!(matches!(
            match_receipts(&one, &accounts)[0],
            ReceiptMatch::Unmatched {
                reason: Unmatched::Cancellation,
                ..
            }
        ));
    }
}
