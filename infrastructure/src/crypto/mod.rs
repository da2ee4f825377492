//! Encryption of 個人番号 (My Number) values: one data key per person, wrapped by a
//! key-encryption key that never enters the database (ARCHITECTURE "My Number", design
//! `my-number-security.md` §7.1–7.3).
//!
//! ```text
//! outside PostgreSQL: KEK v1..vN (AES-256, FileKeyStore: KENPO_KEY_DIR or KENPO_KEK_V<n>_B64)
//!                     BIK v1..vM (HMAC-SHA256, bidx-v<m>.key or KENPO_BIDX_V<m>_B64)
//! in PostgreSQL:      subject_keys.wrapped_dek = AES-256-GCM(KEK, DEK), one row per person
//!                     event payloads: seal(DEK, key_id, stream ‖ version ‖ event type, value)
//!                     my_number_index (bidx, bidx_version) = HMAC(BIK v, number)
//!                     key_check_values: HMAC(key, "kenpo/kcv/<kind>/<n>") per key version
//! ```
//!
//! [`key_check`] refuses to start over a database whose keys are missing or different, so the
//! keys cannot fork silently.
//!
//! Deleting a person's `subject_keys` row makes every value sealed with their data key
//! unreadable (crypto-shredding); backups become unreadable when the KEK versions that wrapped
//! the row are destroyed.
//!
//! Nothing here logs; no error, `Debug` output or panic message contains key material or a
//! plaintext value.

mod data_key;
mod error;
pub mod key_check;
mod key_store;
mod seal;
pub mod signing;
pub mod subject_keys;

pub use data_key::{DataKey, KEY_LEN};
pub use error::CryptoError;
pub use key_store::{FileKeyStore, KeyKind, KeySource};
pub use seal::{open, seal, sealed_key_id, SealContext, MAX_PLAINTEXT_LEN, PADDED_LEN, SEALED_LEN};

use uuid::Uuid;

/// The key-encryption keys (KEKs): versioned AES-256 keys kept outside the database that wrap
/// the per-person data keys. Implemented by [`FileKeyStore`]; a KMS or Vault transit can
/// implement it later.
pub trait KeyEncryptionKeys: Send + Sync {
    /// The version new data keys are wrapped under.
    fn active_version(&self) -> u32;
    /// AES-256-GCM wrap of the DEK under the active KEK; the AAD binds person id, key id and
    /// KEK version (`"kenpo/dek/1" ‖ person_id ‖ key_id ‖ version u32be`). Returns the
    /// version used and `0x01 ‖ nonce[12] ‖ ciphertext‖tag` (61 bytes).
    fn wrap(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        dek: &DataKey,
    ) -> Result<(u32, Vec<u8>), CryptoError>;
    /// Unwrap a DEK wrapped by [`KeyEncryptionKeys::wrap`] under `kek_version`. Fails with
    /// [`CryptoError::Unwrap`] for another person id, key id or version, or an altered blob.
    fn unwrap(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        kek_version: u32,
        wrapped: &[u8],
    ) -> Result<DataKey, CryptoError>;
}

/// The blind-index key (BIK, ブラインドインデックス鍵): finds equal 個人番号 without storing
/// them in clear. Versioned: new entries use the active (newest) version; while a rotation
/// re-indexes, entries exist under older versions too, so lookups try every version
/// ([`BlindIndexKey::blind_indexes`]).
pub trait BlindIndexKey: Send + Sync {
    /// `HMAC-SHA256(BIK, "kenpo/mynumber/bidx/1" ‖ message)` under the active version. Pass
    /// the normalised 12 digits.
    fn blind_index(&self, message: &[u8]) -> [u8; 32];
    /// The BIK version [`BlindIndexKey::blind_index`] uses (for `my_number_index.bidx_version`).
    fn blind_index_version(&self) -> u32 {
        1
    }
    /// The active version and the blind index under it, read together (a rotation may make
    /// a newer version active between two separate calls).
    fn blind_index_active(&self, message: &[u8]) -> (u32, [u8; 32]) {
        (self.blind_index_version(), self.blind_index(message))
    }
    /// The blind index under every version held (for lookups and duplicate detection while a
    /// rotation is re-indexing), oldest version first.
    fn blind_indexes(&self, message: &[u8]) -> Vec<(u32, [u8; 32])> {
        vec![self.blind_index_active(message)]
    }
}

const WRAP_FORMAT_V1: u8 = 0x01;
const WRAP_AAD_LABEL: &[u8] = b"kenpo/dek/1";
const WRAP_NONCE_LEN: usize = 12;
/// Length of a wrapped data key: format byte, nonce, 32-byte key, 16-byte tag.
pub const WRAPPED_DEK_LEN: usize = 1 + WRAP_NONCE_LEN + KEY_LEN + 16;
const BIDX_LABEL: &[u8] = b"kenpo/mynumber/bidx/1";

fn wrap_aad(person_id: Uuid, key_id: Uuid, kek_version: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(WRAP_AAD_LABEL.len() + 16 + 16 + 4);
    aad.extend_from_slice(WRAP_AAD_LABEL);
    aad.extend_from_slice(person_id.as_bytes());
    aad.extend_from_slice(key_id.as_bytes());
    aad.extend_from_slice(&kek_version.to_be_bytes());
    aad
}

/// AES-256-GCM wrap of `dek` under `kek` (shared by every [`KeyEncryptionKeys`] that holds
/// raw KEK bytes).
pub(crate) fn wrap_with(
    kek: &data_key::Secret32,
    kek_version: u32,
    person_id: Uuid,
    key_id: Uuid,
    dek: &DataKey,
) -> Result<Vec<u8>, CryptoError> {
    use aes_gcm::aead::AeadInPlace;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
    use rand::RngCore;

    let mut nonce = [0_u8; WRAP_NONCE_LEN];
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| CryptoError::Random)?;
    let mut buffer = zeroize::Zeroizing::new(Vec::with_capacity(KEY_LEN + 16));
    buffer.extend_from_slice(dek.expose_secret());
    Aes256Gcm::new(kek.bytes().into())
        .encrypt_in_place(
            &Nonce::from(nonce),
            &wrap_aad(person_id, key_id, kek_version),
            &mut *buffer,
        )
        .map_err(|_| CryptoError::Encrypt)?;
    let mut wrapped = Vec::with_capacity(WRAPPED_DEK_LEN);
    wrapped.push(WRAP_FORMAT_V1);
    wrapped.extend_from_slice(&nonce);
    wrapped.extend_from_slice(&buffer);
    Ok(wrapped)
}

pub(crate) fn unwrap_with(
    kek: &data_key::Secret32,
    kek_version: u32,
    person_id: Uuid,
    key_id: Uuid,
    wrapped: &[u8],
) -> Result<DataKey, CryptoError> {
    use aes_gcm::aead::AeadInPlace;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

    let failed = || CryptoError::Unwrap {
        person_id,
        key_id,
        kek_version,
    };
    if wrapped.len() != WRAPPED_DEK_LEN || wrapped[0] != WRAP_FORMAT_V1 {
        return Err(failed());
    }
    let nonce: [u8; WRAP_NONCE_LEN] = wrapped[1..1 + WRAP_NONCE_LEN]
        .try_into()
        .map_err(|_| failed())?;
    let mut buffer = zeroize::Zeroizing::new(wrapped[1 + WRAP_NONCE_LEN..].to_vec());
    Aes256Gcm::new(kek.bytes().into())
        .decrypt_in_place(
            &Nonce::from(nonce),
            &wrap_aad(person_id, key_id, kek_version),
            &mut *buffer,
        )
        .map_err(|_| failed())?;
    DataKey::from_slice(&buffer).ok_or_else(failed)
}

/// The blind index of `message` under `bik`: HMAC-SHA256 over the label and the message.
pub(crate) fn blind_index_with(bik: &data_key::Secret32, message: &[u8]) -> [u8; 32] {
    hmac_with(bik, &[BIDX_LABEL, message])
}

/// The key check value of `key`: HMAC-SHA256 of a fixed label naming the kind and version.
pub(crate) fn check_value_with(key: &data_key::Secret32, label: &[u8]) -> [u8; 32] {
    hmac_with(key, &[label])
}

/// HMAC-SHA256 with a 32-byte key. The key is zero-padded to the 64-byte block, which is
/// exactly what HMAC does with short keys, so construction is infallible.
fn hmac_with(key: &data_key::Secret32, parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    let mut block = zeroize::Zeroizing::new([0_u8; 64]);
    block[..KEY_LEN].copy_from_slice(key.bytes());
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(block.as_ref().into());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::data_key::Secret32;
    use super::*;

    #[test]
    fn wrap_round_trip_and_binding() -> Result<(), CryptoError> {
        let kek = Secret32::generate()?;
        let dek = DataKey::generate()?;
        let (person, key) = (Uuid::new_v4(), Uuid::new_v4());
        let wrapped = wrap_with(&kek, 1, person, key, &dek)?;
        assert_eq!(wrapped.len(), WRAPPED_DEK_LEN);
        let unwrapped = unwrap_with(&kek, 1, person, key, &wrapped)?;
        assert_eq!(unwrapped.expose_secret(), dek.expose_secret());
        for (p, k, v) in [
            (Uuid::new_v4(), key, 1),
            (person, Uuid::new_v4(), 1),
            (person, key, 2),
        ] {
            assert!(matches!(
                unwrap_with(&kek, v, p, k, &wrapped),
                Err(CryptoError::Unwrap { .. })
            ));
        }
        assert!(unwrap_with(&Secret32::generate()?, 1, person, key, &wrapped).is_err());
        let mut tampered = wrapped.clone();
        tampered[20] ^= 1;
        assert!(unwrap_with(&kek, 1, person, key, &tampered).is_err());
        assert!(unwrap_with(&kek, 1, person, key, &wrapped[..40]).is_err());
        Ok(())
    }

    #[test]
    fn blind_index_is_hmac_sha256_over_label_and_message() -> Result<(), Box<dyn std::error::Error>>
    {
        use hmac::{Hmac, Mac};
        let bik = Secret32::generate()?;
        let mut expected = Hmac::<sha2::Sha256>::new_from_slice(bik.bytes())?;
        expected.update(b"kenpo/mynumber/bidx/1123456789018");
        let expected: [u8; 32] = expected.finalize().into_bytes().into();
        assert_eq!(blind_index_with(&bik, b"123456789018"), expected);
        assert_ne!(
            blind_index_with(&bik, b"123456789018"),
            blind_index_with(&Secret32::generate()?, b"123456789018")
        );
        Ok(())
    }
}
