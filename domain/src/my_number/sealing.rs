//! Sealing: the domain's view of the encryption of a 個人番号 (design/my-number-security.md
//! §7.2). The infrastructure implements [`Sealer`] (AES-256-GCM under the person's DEK, the AAD
//! binding stream, version, event type and key id); the domain only sees the opaque [`Sealed`]
//! value and decides which version and event type it is bound to.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use super::number::{MyNumber, MY_NUMBER_DIGITS};

/// A sealed (encrypted) 個人番号 as carried in an event: the base64url text of design §7.2
/// (`0x01 fmt | alg | key_id | nonce | ciphertext‖tag`). Opaque to the domain; `Debug` shows
/// only its length.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(String);

impl Sealed {
    /// Wraps a sealed value produced by a [`Sealer`]. Refuses anything but non-empty base64url
    /// (RFC 4648 §5; `=` padding tolerated), so that plaintext cannot be passed off as sealed.
    pub fn new(value: impl Into<String>) -> Result<Sealed, SealError> {
        let value = value.into();
        let body = value.trim_end_matches('=');
        let is_base64url = !body.is_empty()
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !is_base64url {
            return Err(SealError::MalformedSealed);
        }
        Ok(Sealed(value))
    }

    /// The base64url text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Length of the base64url text.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false for a value built by [`Sealed::new`].
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed(<{} chars>)", self.0.len())
    }
}

impl utoipa::PartialSchema for Sealed {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A sealed (AES-256-GCM encrypted) 個人番号, base64url. Opaque; opened only by the \
                 server with the person's key, which retention erasure destroys.",
            ))
            .examples([serde_json::json!("AQG0eXBlLXZlcnNpb24tYm91bmQ")])
            .into()
    }
}

impl utoipa::ToSchema for Sealed {}

/// The plaintext inside a [`Sealed`] value: the current 個人番号 and, for a 変更, the
/// 変更前個人番号 (digest.md §1.4 ＜個人番号記録＞ #3: the previous number is My Number too and
/// is shredded with the current one, so it is sealed with it rather than stored apart).
///
/// No `Serialize`: the only encoding is the explicit [`SealedPlaintext::to_bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPlaintext {
    /// 個人番号.
    pub number: MyNumber,
    /// 変更前個人番号, for a 変更.
    pub previous: Option<MyNumber>,
}

impl SealedPlaintext {
    /// Length the plaintext is padded to before encryption, so that the ciphertext length does
    /// not reveal whether `previous` is present (design §7.2).
    pub const PADDED_LEN: usize = 64;

    /// The canonical JSON of design §7.2: `{"n":"<12 digits>","prev":null}` or
    /// `{"n":"<12 digits>","prev":"<12 digits>"}`, no whitespace.
    pub fn to_bytes(&self) -> Vec<u8> {
        let prev = match &self.previous {
            Some(previous) => format!("\"{}\"", previous.expose()),
            None => "null".to_string(),
        };
        format!("{{\"n\":\"{}\",\"prev\":{prev}}}", self.number.expose()).into_bytes()
    }

    /// [`SealedPlaintext::to_bytes`] padded with spaces (JSON whitespace) to
    /// [`SealedPlaintext::PADDED_LEN`] bytes.
    pub fn to_padded_bytes(&self) -> Vec<u8> {
        let mut bytes = self.to_bytes();
        if bytes.len() < Self::PADDED_LEN {
            bytes.resize(Self::PADDED_LEN, b' ');
        }
        bytes
    }

    /// Reads the canonical form back (after opening). Trailing padding of spaces or NUL bytes
    /// is ignored; anything else but the exact canonical form is refused, and the error never
    /// contains the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<SealedPlaintext, SealError> {
        let end = bytes
            .iter()
            .rposition(|b| *b != b' ' && *b != 0)
            .map_or(0, |i| i + 1);
        let rest = bytes
            .get(..end)
            .and_then(|b| b.strip_prefix(b"{\"n\":\""))
            .ok_or(SealError::MalformedPlaintext)?;
        let (number, rest) = take_number(rest)?;
        let rest = rest
            .strip_prefix(b"\",\"prev\":")
            .ok_or(SealError::MalformedPlaintext)?;
        let previous = if rest == b"null}" {
            None
        } else {
            let rest = rest
                .strip_prefix(b"\"")
                .ok_or(SealError::MalformedPlaintext)?;
            let (previous, rest) = take_number(rest)?;
            if rest != b"\"}" {
                return Err(SealError::MalformedPlaintext);
            }
            Some(previous)
        };
        Ok(SealedPlaintext { number, previous })
    }
}

/// The 12 ASCII digits at the start of `bytes`, checked by [`MyNumber::parse`].
fn take_number(bytes: &[u8]) -> Result<(MyNumber, &[u8]), SealError> {
    if bytes.len() < MY_NUMBER_DIGITS {
        return Err(SealError::MalformedPlaintext);
    }
    let (digits, rest) = bytes.split_at(MY_NUMBER_DIGITS);
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(SealError::MalformedPlaintext);
    }
    let text = std::str::from_utf8(digits).map_err(|_| SealError::MalformedPlaintext)?;
    let number = MyNumber::parse(text).map_err(|_| SealError::MalformedPlaintext)?;
    Ok((number, rest))
}

/// Sealing or opening failed. Implementations must never put a number, a key or plaintext in
/// the detail text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// The person's data key is missing (erased) or the key provider cannot be reached.
    #[error("the key to seal the 個人番号 is unavailable: {0}")]
    KeyUnavailable(String),
    /// Encryption failed for another reason.
    #[error("sealing the 個人番号 failed: {0}")]
    Failed(String),
    /// A sealed value that is not base64url.
    #[error("the sealed 個人番号 is not base64url")]
    MalformedSealed,
    /// Opened plaintext not in the canonical form of [`SealedPlaintext::to_bytes`].
    #[error("the sealed 個人番号 plaintext is malformed")]
    MalformedPlaintext,
}

/// Seals a 個人番号 for one event. The aggregate calls it inside `handle` with the stream
/// version the event will get and its event type, which the implementation binds into the
/// AAD (design §7.2 "Version binding"). An instance is bound to one person (its DEK, and the
/// stream id of the AAD), because `handle` does not know the aggregate id.
pub trait Sealer: Send + Sync {
    /// Seals `plaintext` for the event of type `event_type` at stream version `version`.
    fn seal(
        &self,
        version: i64,
        event_type: &str,
        plaintext: &SealedPlaintext,
    ) -> Result<Sealed, SealError>;
}

/// The services of [`super::MyNumberRecord`]: the [`Sealer`] for the person whose stream the
/// command runs on.
#[derive(Clone)]
pub struct SealerService(pub Arc<dyn Sealer>);

impl fmt::Debug for SealerService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealerService(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> MyNumber {
        MyNumber::parse(s).expect("test number")
    }

    #[test]
    fn canonical_json_without_previous() {
        let plain = SealedPlaintext {
            number: n("983205673214"),
            previous: None,
        };
        assert_eq!(
            plain.to_bytes(),
            br#"{"n":"983205673214","prev":null}"#.to_vec()
        );
    }

    #[test]
    fn canonical_json_with_previous() {
        let plain = SealedPlaintext {
            number: n("123456789018"),
            previous: Some(n("983205673214")),
        };
        assert_eq!(
            plain.to_bytes(),
            br#"{"n":"123456789018","prev":"983205673214"}"#.to_vec()
        );
        let parsed: serde_json::Value =
            serde_json::from_slice(&plain.to_bytes()).expect("valid JSON");
        assert_eq!(parsed["prev"], "983205673214");
    }

    #[test]
    fn padded_to_64_bytes_both_ways() {
        for previous in [None, Some(n("983205673214"))] {
            let plain = SealedPlaintext {
                number: n("123456789000"),
                previous,
            };
            let padded = plain.to_padded_bytes();
            assert_eq!(padded.len(), SealedPlaintext::PADDED_LEN);
            assert_eq!(SealedPlaintext::from_bytes(&padded), Ok(plain));
        }
    }

    #[test]
    fn round_trip() {
        let plain = SealedPlaintext {
            number: n("123456789018"),
            previous: Some(n("983205673214")),
        };
        assert_eq!(SealedPlaintext::from_bytes(&plain.to_bytes()), Ok(plain));
        let mut nul_padded = br#"{"n":"123456789018","prev":null}"#.to_vec();
        nul_padded.extend([0u8; 8]);
        assert!(SealedPlaintext::from_bytes(&nul_padded).is_ok());
    }

    #[test]
    fn from_bytes_refuses_anything_not_canonical() {
        for bytes in [
            &br#"{"n":"983205673210","prev":null}"#[..],
            br#"{"n":"98320567321","prev":null}"#,
            br#"{"prev":null,"n":"983205673214"}"#,
            br#"{ "n":"983205673214","prev":null}"#,
            br#"{"n":"983205673214","prev":"983205673210"}"#,
            br#"{"n":"983205673214","prev":null}x"#,
            br#"{"n":"983205673214"}"#,
            b"",
        ] {
            let err = SealedPlaintext::from_bytes(bytes).expect_err("refused");
            assert_eq!(err, SealError::MalformedPlaintext);
            assert!(!err.to_string().contains("9832"));
        }
    }

    #[test]
    fn debug_of_plaintext_is_redacted() {
        let plain = SealedPlaintext {
            number: n("983205673214"),
            previous: Some(n("123456789018")),
        };
        let debug = format!("{plain:?}");
        assert!(
            !debug.contains("9832") && !debug.contains("1234"),
            "{debug}"
        );
    }

    #[test]
    fn sealed_is_base64url_and_debug_shows_length_only() {
        let sealed = Sealed::new("AQE-abc_123").expect("base64url");
        assert_eq!(format!("{sealed:?}"), "Sealed(<11 chars>)");
        assert_eq!(
            serde_json::to_string(&sealed).expect("json"),
            "\"AQE-abc_123\""
        );
        assert_eq!(Sealed::new("AQE=").map(|s| s.len()), Ok(4));
        for bad in ["", "===", "{\"n\":1}", "AQE+/", "a b"] {
            assert_eq!(Sealed::new(bad), Err(SealError::MalformedSealed), "{bad:?}");
        }
    }
}
