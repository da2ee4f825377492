//! Errors of the crypto module.
//!
//! No message ever contains key material, a sealed value's plaintext or an environment
//! variable's value: only paths, variable names, versions and ids (person and key ids are
//! random UUIDs, not personal data).

use std::path::PathBuf;

use uuid::Uuid;

/// What can go wrong when sealing, opening, wrapping or loading keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// The plaintext is longer than the fixed padded size allows.
    #[error("the value to seal is longer than {max} bytes")]
    PlaintextTooLong { max: usize },
    /// The seal context cannot be encoded (stream id or event type longer than 65535 bytes,
    /// negative version).
    #[error("invalid seal context: {0}")]
    InvalidContext(&'static str),
    /// AES-GCM refused to encrypt (never expected for the sizes used here).
    #[error("encryption failed")]
    Encrypt,
    /// The sealed value is not well-formed (not base64url, wrong length, bad padding).
    #[error("malformed sealed value: {0}")]
    Malformed(&'static str),
    /// The sealed value uses a format or algorithm this build does not know.
    #[error("unsupported sealed value (format {format}, algorithm {algorithm})")]
    UnsupportedFormat { format: u8, algorithm: u8 },
    /// Authentication failed: wrong data key, another stream / version / event type / key id,
    /// or the sealed value was altered.
    #[error("the sealed value could not be opened: wrong key or context, or it was altered")]
    Integrity,
    /// A wrapped data key could not be unwrapped: wrong KEK, or the row was altered.
    #[error(
        "the data key {key_id} of person {person_id} could not be unwrapped with KEK version \
         {kek_version}: wrong key-encryption key, or the row was altered"
    )]
    Unwrap {
        person_id: Uuid,
        key_id: Uuid,
        kek_version: u32,
    },
    /// No key-encryption key of that version is available.
    #[error("key-encryption key version {0} is not available")]
    UnknownKekVersion(u32),
    /// A key-encryption key version outside 1..=i32::MAX.
    #[error("invalid key-encryption key version {0}")]
    InvalidKekVersion(i64),
    /// A subject key row is not in the expected shape.
    #[error("the subject key row of person {person_id} is corrupt: {reason}")]
    CorruptRow {
        person_id: Uuid,
        reason: &'static str,
    },
    /// The subject key row disappeared between insert and read (erased concurrently).
    #[error("the subject key of person {0} disappeared while it was being created")]
    SubjectKeyVanished(Uuid),
    /// Reading or writing a key file or the key directory failed.
    #[error("key store {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A key file or the key directory can be read (file) or written (directory) by group or
    /// other.
    #[error(
        "{} has mode {mode:04o}: key files must not be accessible by group or other (chmod 600), \
         the key directory must not be writable by them (chmod 700)",
        path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },
    /// A key file does not hold exactly 32 bytes as 64 hex digits.
    #[error("{} does not hold a key (expected 64 hex digits)", path.display())]
    InvalidKeyFile { path: PathBuf },
    /// An environment variable meant to hold a key is malformed (the value is never shown).
    #[error("environment variable {variable}: {reason}")]
    InvalidEnvKey {
        variable: String,
        reason: &'static str,
    },
    /// The next key file already exists (another rotation ran at the same time).
    #[error("{} already exists: another key rotation ran at the same time", path.display())]
    KeyFileExists { path: PathBuf },
    /// Rotation creates key files; keys given in the environment are rotated by the operator.
    #[error(
        "the keys come from the environment: set {variable} (32 random bytes, base64) next to \
         the current ones, restart, then run `{then}`"
    )]
    RotationNeedsKeyFiles {
        variable: String,
        then: &'static str,
    },
    /// No key of a kind is present and creating one was not allowed.
    #[error("there is no {kind}: expected {expected}")]
    MissingKey {
        kind: &'static str,
        expected: String,
    },
    /// No key of that kind and version is available.
    #[error("{kind} version {version} is not available")]
    UnknownVersion { kind: &'static str, version: u32 },
    /// The active version of a kind cannot be removed.
    #[error("{kind} version {version} is the active version")]
    ActiveKey { kind: &'static str, version: u32 },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<crate::secret_file::SecretFileError> for CryptoError {
    fn from(error: crate::secret_file::SecretFileError) -> Self {
        use crate::secret_file::SecretFileError;
        match error {
            SecretFileError::Io { path, source } => CryptoError::Io { path, source },
            SecretFileError::InsecurePermissions { path, mode } => {
                CryptoError::InsecurePermissions { path, mode }
            }
            SecretFileError::NotAFile { path } | SecretFileError::TooLarge { path, .. } => {
                CryptoError::InvalidKeyFile { path }
            }
        }
    }
}
