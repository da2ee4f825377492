//! Sealing one My Number value with a person's data key (design §7.2).
//!
//! ```text
//! sealed = base64url-no-pad( 0x01 format | 0x01 alg=AES-256-GCM | key_id[16] | nonce[12] | ciphertext‖tag[16] )
//! AAD    = "kenpo/mynumber/1" 0x00 | len(stream_id) u16be | stream_id | version u64be
//!          | len(event_type) u16be | event_type | key_id[16]
//! plain  = value ‖ 0x80 ‖ 0x00… to exactly 64 bytes (ISO/IEC 7816-4 padding)
//! ```
//!
//! The stream id is text in the event store, so it is length-prefixed like the event type:
//! without the prefix two different (stream id, version) pairs could give the same AAD.
//! Padding hides the length of the value (e.g. whether `prev` is present); a value may be at
//! most [`MAX_PLAINTEXT_LEN`] = 63 bytes, and every sealed value is [`SEALED_LEN`] characters.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{CryptoError, DataKey};

const FORMAT_V1: u8 = 0x01;
const ALG_AES_256_GCM: u8 = 0x01;
const AAD_LABEL: &[u8] = b"kenpo/mynumber/1\x00";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 2 + 16 + NONCE_LEN;
/// Size of every plaintext after padding.
pub const PADDED_LEN: usize = 64;
/// Longest value [`seal`] accepts (one byte goes to the padding marker).
pub const MAX_PLAINTEXT_LEN: usize = PADDED_LEN - 1;
const SEALED_BYTES: usize = HEADER_LEN + PADDED_LEN + TAG_LEN;
/// Length in characters of every sealed value (base64url without padding of 110 bytes).
pub const SEALED_LEN: usize = (SEALED_BYTES * 4).div_ceil(3);

/// Where a sealed value belongs: it opens only with the same stream id, version and event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealContext<'a> {
    pub stream_id: &'a str,
    pub version: i64,
    pub event_type: &'a str,
}

impl SealContext<'_> {
    fn aad(&self, key_id: Uuid) -> Result<Vec<u8>, CryptoError> {
        let stream_len = u16::try_from(self.stream_id.len())
            .map_err(|_| CryptoError::InvalidContext("stream id longer than 65535 bytes"))?;
        let type_len = u16::try_from(self.event_type.len())
            .map_err(|_| CryptoError::InvalidContext("event type longer than 65535 bytes"))?;
        let version = u64::try_from(self.version)
            .map_err(|_| CryptoError::InvalidContext("negative version"))?;
        let mut aad = Vec::with_capacity(
            AAD_LABEL.len() + 2 + self.stream_id.len() + 8 + 2 + self.event_type.len() + 16,
        );
        aad.extend_from_slice(AAD_LABEL);
        aad.extend_from_slice(&stream_len.to_be_bytes());
        aad.extend_from_slice(self.stream_id.as_bytes());
        aad.extend_from_slice(&version.to_be_bytes());
        aad.extend_from_slice(&type_len.to_be_bytes());
        aad.extend_from_slice(self.event_type.as_bytes());
        aad.extend_from_slice(key_id.as_bytes());
        Ok(aad)
    }
}

/// Seal `plaintext` (at most 63 bytes) with `dek`, whose id is `key_id`, for `context`.
/// AES-256-GCM with a random 96-bit nonce; the result is base64url text of fixed length.
pub fn seal(
    dek: &DataKey,
    key_id: Uuid,
    context: &SealContext<'_>,
    plaintext: &[u8],
) -> Result<String, CryptoError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(CryptoError::PlaintextTooLong {
            max: MAX_PLAINTEXT_LEN,
        });
    }
    let aad = context.aad(key_id)?;
    let mut nonce = [0_u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| CryptoError::Random)?;

    let mut buffer = Zeroizing::new(Vec::with_capacity(PADDED_LEN + TAG_LEN));
    buffer.extend_from_slice(plaintext);
    buffer.push(0x80);
    buffer.resize(PADDED_LEN, 0);
    let cipher = Aes256Gcm::new(dek.expose_secret().into());
    cipher
        .encrypt_in_place(&Nonce::from(nonce), &aad, &mut *buffer)
        .map_err(|_| CryptoError::Encrypt)?;

    let mut sealed = Vec::with_capacity(SEALED_BYTES);
    sealed.push(FORMAT_V1);
    sealed.push(ALG_AES_256_GCM);
    sealed.extend_from_slice(key_id.as_bytes());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&buffer);
    Ok(URL_SAFE_NO_PAD.encode(sealed))
}

/// Open a value sealed by [`seal`]. The key id is read from the sealed header and
/// authenticated (it is part of the AAD), so a value sealed under another key id, for another
/// stream, version or event type, or altered in any byte, fails with
/// [`CryptoError::Integrity`]. Compare [`sealed_key_id`] with the person's current key id
/// first to tell "sealed under an erased key" from tampering.
pub fn open(
    dek: &DataKey,
    context: &SealContext<'_>,
    sealed: &str,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let bytes = decode(sealed)?;
    let key_id = header_key_id(&bytes)?;
    let aad = context.aad(key_id)?;
    let nonce: [u8; NONCE_LEN] = bytes[18..HEADER_LEN]
        .try_into()
        .map_err(|_| CryptoError::Malformed("nonce"))?;
    let mut buffer = Zeroizing::new(bytes[HEADER_LEN..].to_vec());
    let cipher = Aes256Gcm::new(dek.expose_secret().into());
    cipher
        .decrypt_in_place(&Nonce::from(nonce), &aad, &mut *buffer)
        .map_err(|_| CryptoError::Integrity)?;
    unpad(&mut buffer)?;
    Ok(buffer)
}

/// The key id in a sealed value's header (not authenticated until [`open`] succeeds).
pub fn sealed_key_id(sealed: &str) -> Result<Uuid, CryptoError> {
    header_key_id(&decode(sealed)?)
}

fn decode(sealed: &str) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() != SEALED_LEN {
        return Err(CryptoError::Malformed("wrong length"));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(sealed)
        .map_err(|_| CryptoError::Malformed("not base64url"))?;
    if bytes.len() != SEALED_BYTES {
        return Err(CryptoError::Malformed("wrong length"));
    }
    if bytes[0] != FORMAT_V1 || bytes[1] != ALG_AES_256_GCM {
        return Err(CryptoError::UnsupportedFormat {
            format: bytes[0],
            algorithm: bytes[1],
        });
    }
    Ok(bytes)
}

fn header_key_id(bytes: &[u8]) -> Result<Uuid, CryptoError> {
    bytes
        .get(2..18)
        .and_then(|id| Uuid::from_slice(id).ok())
        .ok_or(CryptoError::Malformed("key id"))
}

/// Remove ISO/IEC 7816-4 padding (only ever run on authenticated plaintext).
fn unpad(buffer: &mut Vec<u8>) -> Result<(), CryptoError> {
    let marker = buffer
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(CryptoError::Malformed("padding"))?;
    if buffer[marker] != 0x80 {
        return Err(CryptoError::Malformed("padding"));
    }
    buffer.truncate(marker);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const NUMBER: &[u8] = br#"{"n":"123456789018","prev":null}"#;

    fn context() -> SealContext<'static> {
        SealContext {
            stream_id: "my-number-0193a5c0-0000-7000-8000-000000000001",
            version: 3,
            event_type: "MyNumberRegistered",
        }
    }

    #[test]
    fn round_trip() -> TestResult {
        let dek = DataKey::generate()?;
        let key_id = Uuid::new_v4();
        let sealed = seal(&dek, key_id, &context(), NUMBER)?;
        assert_eq!(sealed.len(), SEALED_LEN);
        assert!(!sealed.contains("123456789018"));
        assert_eq!(sealed_key_id(&sealed)?, key_id);
        assert_eq!(&open(&dek, &context(), &sealed)?[..], NUMBER);
        // Empty and maximal values too.
        for value in [&b""[..], &[0_u8; MAX_PLAINTEXT_LEN][..], &[0x80; 5][..]] {
            let sealed = seal(&dek, key_id, &context(), value)?;
            assert_eq!(&open(&dek, &context(), &sealed)?[..], value);
        }
        // Random nonces: sealing twice gives different values.
        assert_ne!(sealed, seal(&dek, key_id, &context(), NUMBER)?);
        Ok(())
    }

    #[test]
    fn another_context_or_key_does_not_open() -> TestResult {
        let dek = DataKey::generate()?;
        let sealed = seal(&dek, Uuid::new_v4(), &context(), NUMBER)?;
        let others = [
            SealContext {
                stream_id: "my-number-0193a5c0-0000-7000-8000-000000000002",
                ..context()
            },
            SealContext {
                version: 4,
                ..context()
            },
            SealContext {
                event_type: "MyNumberChanged",
                ..context()
            },
        ];
        for other in &others {
            assert!(matches!(
                open(&dek, other, &sealed),
                Err(CryptoError::Integrity)
            ));
        }
        let another_dek = DataKey::generate()?;
        assert!(matches!(
            open(&another_dek, &context(), &sealed),
            Err(CryptoError::Integrity)
        ));
        Ok(())
    }

    #[test]
    fn another_key_id_in_the_header_does_not_open() -> TestResult {
        let dek = DataKey::generate()?;
        let sealed = seal(&dek, Uuid::new_v4(), &context(), NUMBER)?;
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed)?;
        bytes[2..18].copy_from_slice(Uuid::new_v4().as_bytes());
        let relabelled = URL_SAFE_NO_PAD.encode(&bytes);
        assert!(matches!(
            open(&dek, &context(), &relabelled),
            Err(CryptoError::Integrity)
        ));
        Ok(())
    }

    #[test]
    fn any_tampered_byte_fails() -> TestResult {
        let dek = DataKey::generate()?;
        let sealed = seal(&dek, Uuid::new_v4(), &context(), NUMBER)?;
        let bytes = URL_SAFE_NO_PAD.decode(&sealed)?;
        for i in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[i] ^= 0x01;
            let result = open(&dek, &context(), &URL_SAFE_NO_PAD.encode(&tampered));
            match i {
                0 | 1 => assert!(
                    matches!(result, Err(CryptoError::UnsupportedFormat { .. })),
                    "byte {i}"
                ),
                _ => assert!(matches!(result, Err(CryptoError::Integrity)), "byte {i}"),
            }
        }
        let mut truncated = sealed.clone();
        truncated.pop();
        assert!(matches!(
            open(&dek, &context(), &truncated),
            Err(CryptoError::Malformed(_))
        ));
        Ok(())
    }

    #[test]
    fn sealed_length_does_not_depend_on_the_value() -> TestResult {
        let dek = DataKey::generate()?;
        let key_id = Uuid::new_v4();
        for len in 0..=MAX_PLAINTEXT_LEN {
            let sealed = seal(&dek, key_id, &context(), &vec![b'7'; len])?;
            assert_eq!(sealed.len(), SEALED_LEN, "value of {len} bytes");
        }
        let too_long = seal(&dek, key_id, &context(), &[b'7'; PADDED_LEN]);
        assert!(matches!(
            too_long,
            Err(CryptoError::PlaintextTooLong { max: 63 })
        ));
        Ok(())
    }

    #[test]
    fn stream_id_and_version_cannot_be_traded() -> TestResult {
        // Without the length prefix "a" + version 0x61.. could collide with "aa" + …
        let dek = DataKey::generate()?;
        let key_id = Uuid::new_v4();
        let one = SealContext {
            stream_id: "a",
            version: 0x6100_0000_0000_0001,
            event_type: "E",
        };
        let sealed = seal(&dek, key_id, &one, b"x")?;
        let two = SealContext {
            stream_id: "aa",
            version: 1,
            event_type: "E",
        };
        assert!(open(&dek, &two, &sealed).is_err());
        assert!(matches!(
            seal(&dek, key_id, &SealContext { version: -1, ..one }, b"x"),
            Err(CryptoError::InvalidContext(_))
        ));
        Ok(())
    }

    #[test]
    fn errors_never_show_the_value() -> TestResult {
        let dek = DataKey::generate()?;
        let sealed = seal(&dek, Uuid::new_v4(), &context(), NUMBER)?;
        let errors = [
            open(&DataKey::generate()?, &context(), &sealed).err(),
            seal(&dek, Uuid::new_v4(), &context(), &[b'1'; 70]).err(),
            open(&dek, &context(), "123456789018").err(),
        ];
        for error in errors.into_iter().flatten() {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("123456789018"), "{shown}");
            assert!(!shown.contains("111111"), "{shown}");
        }
        Ok(())
    }
}
