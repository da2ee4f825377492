//! The signing key (署名鍵) of audit artefacts: Ed25519 signatures over the hash chain's
//! checkpoints and over erasure proofs (ADR 0005 §3, issue 10). Like the KEKs and blind-index
//! keys, the private key never enters the database: it lives in the key directory or in the
//! environment, behind the [`Signer`] trait, so a KMS can hold it later.
//!
//! # Where the key comes from
//!
//! - `KENPO_SIGNING_KEY_B64` (standard base64 of a 32-byte Ed25519 seed): when set, the key
//!   comes only from the environment and no file is read or written.
//! - Otherwise `<key dir>/sign-ed25519.key` (64 hex digits, mode 0600, the same rules as the
//!   other key files), created on first use by [`FileSigningKey::open_or_create`]. A new signing
//!   key forks nothing: it only signs new artefacts under a new key id. Verifiers trust a key by
//!   its public key ([`key_id`]); keep the public key of every signing key ever used (the file
//!   `sign-ed25519.pub` written next to it) with the auditors.
//!
//! Nothing here logs; no error or `Debug` output contains the seed.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use sha2::{Digest, Sha256};

use super::data_key::Secret32;
use super::key_store::{create_key_file, decode_env_key, ensure_dir, load_key_file};
use super::CryptoError;
use crate::secret_file;

/// The signing key's file in the key directory.
pub const SIGNING_KEY_FILE: &str = "sign-ed25519.key";
/// The public key's file next to it (64 hex digits; not secret).
pub const PUBLIC_KEY_FILE: &str = "sign-ed25519.pub";
/// The environment variable that holds the seed instead of the file.
pub const SIGNING_KEY_ENV: &str = "KENPO_SIGNING_KEY_B64";
/// The algorithm's name, as written into signed artefacts.
pub const ALGORITHM: &str = "ed25519";

/// Signs audit artefacts. Implemented by [`FileSigningKey`]; a KMS can implement it later.
pub trait Signer: Send + Sync {
    /// The key's id: [`key_id`] of its public key.
    fn key_id(&self) -> &str;
    /// The Ed25519 public key (32 bytes).
    fn public_key(&self) -> [u8; 32];
    /// The Ed25519 signature of `message` (64 bytes).
    fn sign(&self, message: &[u8]) -> [u8; 64];
}

/// The id of an Ed25519 public key: `ed25519:` and the first 16 hex digits of its SHA-256.
pub fn key_id(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    format!("{ALGORITHM}:{}", hex::encode(&digest[..8]))
}

/// Whether `signature` is `public_key`'s Ed25519 signature of `message`.
pub fn verify(public_key: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(message, signature)
        .is_ok()
}

/// The signing key of the key directory or of `KENPO_SIGNING_KEY_B64`.
pub struct FileSigningKey {
    pair: Ed25519KeyPair,
    public_key: [u8; 32],
    key_id: String,
    source: PathBuf,
}

impl fmt::Debug for FileSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileSigningKey")
            .field("key_id", &self.key_id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl FileSigningKey {
    /// The key of `KENPO_SIGNING_KEY_B64` when set, else of `dir`'s `sign-ed25519.key`, created
    /// (with the directory, mode 0700, and `sign-ed25519.pub`) when missing. Returns the key
    /// and the path of the file it created, if any (tell the operator; never print it).
    pub fn open_or_create(dir: &Path) -> Result<(FileSigningKey, Option<PathBuf>), CryptoError> {
        let env = std::env::var(SIGNING_KEY_ENV).ok();
        Self::open_or_create_with_env(dir, env.as_deref())
    }

    /// [`FileSigningKey::open_or_create`] with the variable's value given (for tests).
    pub fn open_or_create_with_env(
        dir: &Path,
        env_value: Option<&str>,
    ) -> Result<(FileSigningKey, Option<PathBuf>), CryptoError> {
        if let Some(value) = env_value {
            let seed = decode_env_key(SIGNING_KEY_ENV, value)?;
            let key = Self::from_seed(&seed, PathBuf::from(format!("${SIGNING_KEY_ENV}")))?;
            return Ok((key, None));
        }
        let path = dir.join(SIGNING_KEY_FILE);
        let mut created = None;
        if !path.exists() {
            ensure_dir(dir)?;
            if create_key_file(&path)? {
                created = Some(path.clone());
            }
        }
        let seed = load_key_file(&path)?;
        let key = Self::from_seed(&seed, path)?;
        let public = dir.join(PUBLIC_KEY_FILE);
        if !public.exists() {
            let text = format!("{}\n", hex::encode(key.public_key));
            secret_file::create_secret_file(&public, text.as_bytes())?;
        }
        Ok((key, created))
    }

    fn from_seed(seed: &Secret32, source: PathBuf) -> Result<FileSigningKey, CryptoError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed.bytes()).map_err(|_| {
            CryptoError::InvalidKeyFile {
                path: source.clone(),
            }
        })?;
        let mut public_key = [0_u8; 32];
        public_key.copy_from_slice(pair.public_key().as_ref());
        Ok(FileSigningKey {
            pair,
            key_id: key_id(&public_key),
            public_key,
            source,
        })
    }

    /// Where the key came from: its file, or `$KENPO_SIGNING_KEY_B64`.
    pub fn source(&self) -> &Path {
        &self.source
    }
}

impl Signer for FileSigningKey {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut signature = [0_u8; 64];
        signature.copy_from_slice(self.pair.sign(message).as_ref());
        signature
    }
}

/// Decode a public key given as 64 hex digits (the `.pub` file's contents, trimmed).
pub fn parse_public_key(text: &str) -> Option<[u8; 32]> {
    let mut key = [0_u8; 32];
    hex::decode_to_slice(text.trim(), &mut key).ok()?;
    Some(key)
}

/// Decode a signature given as standard base64 (as signed artefacts carry it).
pub fn parse_signature(text: &str) -> Option<[u8; 64]> {
    let bytes = STANDARD.decode(text.trim()).ok()?;
    bytes.try_into().ok()
}

/// Encode a signature as standard base64.
pub fn encode_signature(signature: &[u8; 64]) -> String {
    STANDARD.encode(signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::key_store::tests::TempDir;

    #[test]
    fn a_created_key_signs_and_reopens_with_the_same_id() {
        let dir = TempDir::new();
        let keys = dir.0.join("keys");
        let (key, created) = FileSigningKey::open_or_create_with_env(&keys, None).unwrap();
        assert_eq!(created, Some(keys.join(SIGNING_KEY_FILE)));
        let signature = key.sign(b"position 42");
        assert!(verify(&key.public_key(), b"position 42", &signature));
        assert!(!verify(&key.public_key(), b"position 43", &signature));

        let (again, created) = FileSigningKey::open_or_create_with_env(&keys, None).unwrap();
        assert_eq!(created, None);
        assert_eq!(again.key_id(), key.key_id());
        let public = std::fs::read_to_string(keys.join(PUBLIC_KEY_FILE)).unwrap();
        assert_eq!(parse_public_key(&public), Some(key.public_key()));
    }

    #[test]
    fn the_rfc_8032_test_vector_signs_as_published() {
        // RFC 8032 §7.1, TEST 1: the empty message under this secret key
        let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        let env = STANDARD.encode(hex::decode(seed).unwrap());
        let dir = TempDir::new();
        let (key, created) = FileSigningKey::open_or_create_with_env(&dir.0, Some(&env)).unwrap();
        assert_eq!(created, None);
        assert!(!dir.0.join(SIGNING_KEY_FILE).exists());
        assert_eq!(
            hex::encode(key.public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(key.sign(b"")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        let signature = parse_signature(&encode_signature(&key.sign(b""))).unwrap();
        assert!(verify(&key.public_key(), b"", &signature));
    }

    #[test]
    fn a_malformed_environment_key_names_the_variable_not_the_value() {
        let dir = TempDir::new();
        let error =
            FileSigningKey::open_or_create_with_env(&dir.0, Some("bm90LWEta2V5")).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(SIGNING_KEY_ENV), "{message}");
        assert!(!message.contains("bm90LWEta2V5"), "{message}");
    }
}
