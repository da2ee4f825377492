//! The domain's `Sealer`, implemented with the person's data key (AES-256-GCM; the AAD binds
//! stream, version, event type and key id — infrastructure/src/crypto/seal.rs).

use kenpo_domain::my_number::{SealError, Sealed, SealedPlaintext, Sealer};
use kenpo_infrastructure::crypto::{self, DataKey, SealContext};
use uuid::Uuid;
use zeroize::Zeroize;

/// Seals with one person's data key for that person's My Number stream.
pub struct DekSealer {
    pub dek: DataKey,
    pub key_id: Uuid,
    pub stream_id: String,
}

impl Sealer for DekSealer {
    fn seal(
        &self,
        version: i64,
        event_type: &str,
        plaintext: &SealedPlaintext,
    ) -> Result<Sealed, SealError> {
        let context = SealContext {
            stream_id: &self.stream_id,
            version,
            event_type,
        };
        let mut bytes = plaintext.to_bytes();
        let sealed = crypto::seal(&self.dek, self.key_id, &context, &bytes);
        bytes.zeroize();
        Sealed::new(sealed.map_err(|e| SealError::Failed(e.to_string()))?)
    }
}

/// A sealer for commands that never seal (erasure, 枝番, 5情報): sealing is an error.
pub struct NoSealer;

impl Sealer for NoSealer {
    fn seal(&self, _: i64, _: &str, _: &SealedPlaintext) -> Result<Sealed, SealError> {
        Err(SealError::KeyUnavailable(
            "no data key was provided for this command".to_owned(),
        ))
    }
}

/// Open the sealed value of `stream_id` at `version` / `event_type` with the person's key.
pub fn open(
    dek: &DataKey,
    stream_id: &str,
    version: i64,
    event_type: &str,
    sealed: &Sealed,
) -> Result<SealedPlaintext, SealError> {
    let context = SealContext {
        stream_id,
        version,
        event_type,
    };
    let plain = crypto::open(dek, &context, sealed.as_str())
        .map_err(|e| SealError::Failed(e.to_string()))?;
    SealedPlaintext::from_bytes(&plain)
}
