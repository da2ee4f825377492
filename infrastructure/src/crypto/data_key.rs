//! 32-byte secrets: per-person data keys, and (privately) KEKs and blind-index keys.

use std::fmt;

use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::CryptoError;

/// Length of every key in this module (AES-256, HMAC-SHA256 key).
pub const KEY_LEN: usize = 32;

/// 32 secret bytes on the heap (moves do not copy them), zeroized on drop, never printed.
pub(crate) struct Secret32(Box<[u8; KEY_LEN]>);

impl Secret32 {
    pub(crate) fn generate() -> Result<Self, CryptoError> {
        let mut secret = Secret32(Box::new([0_u8; KEY_LEN]));
        OsRng
            .try_fill_bytes(&mut secret.0[..])
            .map_err(|_| CryptoError::Random)?;
        Ok(secret)
    }

    /// Copies `bytes` (which must be exactly 32 long) into a new secret.
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        let mut secret = Secret32(Box::new([0_u8; KEY_LEN]));
        secret.0.copy_from_slice(bytes);
        Some(secret)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl Drop for Secret32 {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One person's data key (DEK): 32 random bytes from the operating system, used with
/// AES-256-GCM to seal that person's My Number values. Zeroized on drop, not `Clone`,
/// `Debug` prints `DataKey(<redacted>)`. Stored only wrapped by a KEK
/// ([`super::KeyEncryptionKeys`]), in `subject_keys`.
pub struct DataKey(Secret32);

impl DataKey {
    /// Length of a data key in bytes.
    pub const LEN: usize = KEY_LEN;

    /// A fresh random data key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(DataKey(Secret32::generate()?))
    }

    /// A data key from exactly 32 bytes (e.g. after unwrapping); `None` for any other length.
    /// The caller should zeroize its copy.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Secret32::from_slice(bytes).map(DataKey)
    }

    /// The key bytes. Only for wrapping and for tests; never log or store them.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        self.0.bytes()
    }
}

impl ZeroizeOnDrop for DataKey {}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_keys_are_random_and_redacted() -> Result<(), CryptoError> {
        let a = DataKey::generate()?;
        let b = DataKey::generate()?;
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(format!("{a:?}"), "DataKey(<redacted>)");
        assert_eq!(format!("{:?}", Some(&a)), "Some(DataKey(<redacted>))");
        assert!(DataKey::from_slice(&[0; 31]).is_none());
        let c = DataKey::from_slice(a.expose_secret()).ok_or(CryptoError::Random)?;
        assert_eq!(a.expose_secret(), c.expose_secret());
        Ok(())
    }
}
