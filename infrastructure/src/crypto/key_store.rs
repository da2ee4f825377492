//! The local default key store: KEKs and the blind-index key in files of a private directory,
//! or in environment variables (design §7.1 "Local default").
//!
//! # Files
//!
//! `dir` (mode 0700, created if missing) holds `kek-v<n>.key` (one per KEK version) and
//! `bidx-v1.key`: 32 random bytes each, as 64 hex digits, mode 0600, created on first use.
//! A key file readable by group or other, or a key directory writable by them, is refused.
//! Keep the directory outside PGDATA and outside database backups; back it up separately, with
//! its own retention (destroying a KEK version's file, and every copy of it, is what makes
//! erased numbers unreadable in old database backups).
//!
//! # Environment (CI, containers)
//!
//! - `KENPO_KEK_V<n>_B64` (n ≥ 1, standard base64 of 32 bytes): if at least one is set, the
//!   KEKs come **only** from the environment: no `kek-v*.key` file is read or created, the
//!   highest n is the active version, and [`FileKeyStore::rotate_kek`] refuses (the operator
//!   adds `KENPO_KEK_V<n+1>_B64`, restarts, and runs `kenpo keys rewrap`).
//! - `KENPO_BIDX_B64` (standard base64 of 32 bytes): the blind-index key version 1, replacing
//!   `bidx-v1.key`.
//!
//! When both come from the environment the directory is neither created nor read.
//!
//! # Rotation while a server runs
//!
//! A store in file mode picks up KEK versions written by another process: `wrap` moves to
//! `kek-v<active+1>.key` as soon as that file exists (one `stat` per wrap), and `unwrap` of an
//! unknown version reads its file. A running server therefore wraps new data keys under the
//! new KEK from the moment `kenpo keys rotate` has written it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::data_key::Secret32;
use super::{
    blind_index_with, unwrap_with, wrap_with, BlindIndexKey, CryptoError, DataKey,
    KeyEncryptionKeys, KEY_LEN,
};
use crate::secret_file;

const KEK_ENV_PREFIX: &str = "KENPO_KEK_V";
const KEK_ENV_SUFFIX: &str = "_B64";
const BIDX_ENV: &str = "KENPO_BIDX_B64";
const KEK_FILE_PREFIX: &str = "kek-v";
const BIDX_FILE: &str = "bidx-v1.key";
const KEY_FILE_SUFFIX: &str = ".key";

/// Where a kind of key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Files in the key directory.
    Files,
    /// Environment variables.
    Environment,
}

struct Keks {
    active: u32,
    keys: BTreeMap<u32, Secret32>,
}

/// KEKs and the blind-index key from a key directory or the environment (see the module
/// documentation). Implements [`KeyEncryptionKeys`] and [`BlindIndexKey`]. `Debug` shows
/// the directory, sources and versions, never a key.
pub struct FileKeyStore {
    dir: PathBuf,
    kek_source: KeySource,
    bik_source: KeySource,
    keks: RwLock<Keks>,
    bik: Secret32,
}

impl fmt::Debug for FileKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keks = self.read();
        f.debug_struct("FileKeyStore")
            .field("dir", &self.dir)
            .field("kek_source", &self.kek_source)
            .field("kek_versions", &keks.keys.keys().collect::<Vec<_>>())
            .field("active_kek_version", &keks.active)
            .field("bik_source", &self.bik_source)
            .finish_non_exhaustive()
    }
}

impl FileKeyStore {
    /// Open the key directory `dir` (created with mode 0700 if missing), creating
    /// `kek-v1.key` and `bidx-v1.key` (32 random bytes, hex, mode 0600) when there are none,
    /// unless the keys come from `KENPO_KEK_V<n>_B64` / `KENPO_BIDX_B64`. Refuses key files
    /// readable by group or other. Returns the store and the paths of the files it created
    /// (to tell the operator where they are; never print their contents).
    pub fn open_or_create(dir: &Path) -> Result<(FileKeyStore, Vec<PathBuf>), CryptoError> {
        let mut env = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str().filter(|name| is_key_variable(name)) else {
                continue;
            };
            let value = value
                .into_string()
                .map_err(|_| CryptoError::InvalidEnvKey {
                    variable: name.to_owned(),
                    reason: "not UTF-8",
                })?;
            env.push((name.to_owned(), value));
        }
        Self::open_or_create_with_env(dir, env)
    }

    /// [`FileKeyStore::open_or_create`] with the environment given as (name, value) pairs
    /// instead of read from the process (for tests and embedding). Names that are not
    /// `KENPO_KEK_V<n>_B64` or `KENPO_BIDX_B64` are ignored.
    pub fn open_or_create_with_env<I>(
        dir: &Path,
        env: I,
    ) -> Result<(FileKeyStore, Vec<PathBuf>), CryptoError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut env_keks = BTreeMap::new();
        let mut env_bik = None;
        for (name, value) in env {
            let value = Zeroizing::new(value);
            if name == BIDX_ENV {
                env_bik = Some(decode_env_key(&name, &value)?);
            } else if let Some(version) = kek_variable_version(&name)? {
                env_keks.insert(version, decode_env_key(&name, &value)?);
            }
        }

        let mut created = Vec::new();
        if env_keks.is_empty() || env_bik.is_none() {
            ensure_dir(dir)?;
        }

        let (kek_source, keys) = if env_keks.is_empty() {
            let mut versions = kek_versions_on_disk(dir)?;
            if versions.is_empty() {
                let path = kek_path(dir, 1);
                if create_key_file(&path)? {
                    created.push(path);
                }
                versions.insert(1);
            }
            let mut keys = BTreeMap::new();
            for version in versions {
                keys.insert(version, load_key_file(&kek_path(dir, version))?);
            }
            (KeySource::Files, keys)
        } else {
            (KeySource::Environment, env_keks)
        };
        let active = keys.keys().next_back().copied().unwrap_or(1);

        let (bik_source, bik) = match env_bik {
            Some(bik) => (KeySource::Environment, bik),
            None => {
                let path = dir.join(BIDX_FILE);
                if !path.exists() && create_key_file(&path)? {
                    created.push(path.clone());
                }
                (KeySource::Files, load_key_file(&path)?)
            }
        };

        let store = FileKeyStore {
            dir: dir.to_owned(),
            kek_source,
            bik_source,
            keks: RwLock::new(Keks { active, keys }),
            bik,
        };
        Ok((store, created))
    }

    /// Create KEK version n+1 (`kek-v<n+1>.key`, n = the highest version known here or on
    /// disk) and make it active. Older versions stay for unwrapping until they are destroyed.
    /// Existing data keys are still wrapped under the old version: run
    /// [`super::subject_keys::rewrap_all`] next. Refused when the KEKs come from the
    /// environment.
    pub fn rotate_kek(&mut self) -> Result<u32, CryptoError> {
        let known = self.read().keys.keys().next_back().copied().unwrap_or(0);
        if self.kek_source == KeySource::Environment {
            return Err(CryptoError::RotationNeedsKeyFiles { next: known + 1 });
        }
        let on_disk = kek_versions_on_disk(&self.dir)?
            .into_iter()
            .next_back()
            .unwrap_or(0);
        let next = known.max(on_disk) + 1;
        let path = kek_path(&self.dir, next);
        if !create_key_file(&path)? {
            return Err(CryptoError::KeyFileExists { path });
        }
        let key = load_key_file(&path)?;
        let mut keks = self.write();
        keks.keys.insert(next, key);
        keks.active = next;
        Ok(next)
    }

    /// The key directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the KEKs come from.
    pub fn kek_source(&self) -> KeySource {
        self.kek_source
    }

    /// Where the blind-index key comes from.
    pub fn bik_source(&self) -> KeySource {
        self.bik_source
    }

    /// The KEK versions loaded, oldest first.
    pub fn kek_versions(&self) -> Vec<u32> {
        self.read().keys.keys().copied().collect()
    }

    /// The file of KEK `version` (whether or not it exists); `None` when the KEKs come from
    /// the environment.
    pub fn kek_path(&self, version: u32) -> Option<PathBuf> {
        (self.kek_source == KeySource::Files).then(|| kek_path(&self.dir, version))
    }

    fn read(&self) -> RwLockReadGuard<'_, Keks> {
        self.keks.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Keks> {
        self.keks.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Load `kek-v<active+1>.key`, … written by another process since this store was opened.
    fn pick_up_newer_keks(&self) -> Result<(), CryptoError> {
        if self.kek_source != KeySource::Files {
            return Ok(());
        }
        loop {
            let next = self.read().active + 1;
            let path = kek_path(&self.dir, next);
            if !path.exists() {
                return Ok(());
            }
            let key = load_key_file(&path)?;
            let mut keks = self.write();
            keks.keys.entry(next).or_insert(key);
            keks.active = keks.active.max(next);
        }
    }
}

impl KeyEncryptionKeys for FileKeyStore {
    fn active_version(&self) -> u32 {
        self.read().active
    }

    fn wrap(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        dek: &DataKey,
    ) -> Result<(u32, Vec<u8>), CryptoError> {
        self.pick_up_newer_keks()?;
        let keks = self.read();
        let kek = keks
            .keys
            .get(&keks.active)
            .ok_or(CryptoError::UnknownKekVersion(keks.active))?;
        let wrapped = wrap_with(kek, keks.active, person_id, key_id, dek)?;
        Ok((keks.active, wrapped))
    }

    fn unwrap(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        kek_version: u32,
        wrapped: &[u8],
    ) -> Result<DataKey, CryptoError> {
        if !self.read().keys.contains_key(&kek_version) {
            let path = kek_path(&self.dir, kek_version);
            if self.kek_source != KeySource::Files || kek_version == 0 || !path.exists() {
                return Err(CryptoError::UnknownKekVersion(kek_version));
            }
            let key = load_key_file(&path)?;
            self.write().keys.entry(kek_version).or_insert(key);
        }
        let keks = self.read();
        let kek = keks
            .keys
            .get(&kek_version)
            .ok_or(CryptoError::UnknownKekVersion(kek_version))?;
        unwrap_with(kek, kek_version, person_id, key_id, wrapped)
    }
}

impl BlindIndexKey for FileKeyStore {
    fn blind_index(&self, message: &[u8]) -> [u8; 32] {
        blind_index_with(&self.bik, message)
    }
}

fn is_key_variable(name: &str) -> bool {
    name == BIDX_ENV || (name.starts_with(KEK_ENV_PREFIX) && name.ends_with(KEK_ENV_SUFFIX))
}

/// `Some(n)` for `KENPO_KEK_V<n>_B64`, `None` for other names, an error for a bad `<n>`.
fn kek_variable_version(name: &str) -> Result<Option<u32>, CryptoError> {
    if !is_key_variable(name) || name == BIDX_ENV {
        return Ok(None);
    }
    let digits = name
        .get(KEK_ENV_PREFIX.len()..name.len().saturating_sub(KEK_ENV_SUFFIX.len()))
        .unwrap_or_default();
    parse_version(digits)
        .map(Some)
        .ok_or_else(|| CryptoError::InvalidEnvKey {
            variable: name.to_owned(),
            reason: "expected KENPO_KEK_V<n>_B64 with a version n ≥ 1",
        })
}

fn parse_version(digits: &str) -> Option<u32> {
    let version: u32 = digits.parse().ok()?;
    (version >= 1 && version.to_string() == digits && i32::try_from(version).is_ok())
        .then_some(version)
}

fn decode_env_key(name: &str, value: &str) -> Result<Secret32, CryptoError> {
    let invalid = |reason| CryptoError::InvalidEnvKey {
        variable: name.to_owned(),
        reason,
    };
    let bytes = Zeroizing::new(
        STANDARD
            .decode(value.trim())
            .map_err(|_| invalid("not standard base64"))?,
    );
    Secret32::from_slice(&bytes).ok_or_else(|| invalid("must be 32 bytes (44 base64 characters)"))
}

fn kek_path(dir: &Path, version: u32) -> PathBuf {
    dir.join(format!("{KEK_FILE_PREFIX}{version}{KEY_FILE_SUFFIX}"))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CryptoError + '_ {
    move |source| CryptoError::Io {
        path: path.to_owned(),
        source,
    }
}

fn ensure_dir(dir: &Path) -> Result<(), CryptoError> {
    Ok(secret_file::ensure_private_dir(dir)?)
}

fn kek_versions_on_disk(dir: &Path) -> Result<BTreeSet<u32>, CryptoError> {
    let mut versions = BTreeSet::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let version = name
            .to_str()
            .and_then(|name| name.strip_prefix(KEK_FILE_PREFIX))
            .and_then(|rest| rest.strip_suffix(KEY_FILE_SUFFIX))
            .and_then(parse_version);
        if let Some(version) = version {
            versions.insert(version);
        }
    }
    Ok(versions)
}

/// Read a key file ([`secret_file::read_secret_file`]: a regular file, not accessible by group
/// or other) holding 64 hex digits.
fn load_key_file(path: &Path) -> Result<Secret32, CryptoError> {
    let text = secret_file::read_secret_file(path, 256)?;
    let invalid = || CryptoError::InvalidKeyFile {
        path: path.to_owned(),
    };
    let hex_digits = std::str::from_utf8(&text).map_err(|_| invalid())?.trim();
    let mut bytes = Zeroizing::new([0_u8; KEY_LEN]);
    hex::decode_to_slice(hex_digits, &mut bytes[..]).map_err(|_| invalid())?;
    Secret32::from_slice(&bytes[..]).ok_or_else(invalid)
}

/// Write 32 fresh random bytes as hex to `path` (mode 0600) with
/// [`secret_file::create_secret_file`]: never a partial file, never over an existing one.
/// `Ok(false)` when `path` already existed (nothing written).
fn create_key_file(path: &Path) -> Result<bool, CryptoError> {
    let key = Secret32::generate()?;
    let mut text = Zeroizing::new(hex::encode(key.bytes()));
    text.push('\n');
    Ok(secret_file::create_secret_file(path, text.as_bytes())?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A fresh directory below the system temp dir, removed on drop.
    pub(crate) struct TempDir(pub(crate) PathBuf);

    impl TempDir {
        pub(crate) fn new() -> Self {
            TempDir(std::env::temp_dir().join(format!("kenpo-keys-{}", Uuid::new_v4())))
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> std::io::Result<u32> {
        use std::os::unix::fs::PermissionsExt;
        Ok(fs::metadata(path)?.permissions().mode() & 0o7777)
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }

    #[test]
    fn first_use_creates_private_key_files_then_reuses_them() -> TestResult {
        let temp = TempDir::new();
        let dir = temp.0.join("keys");
        let (store, created) = FileKeyStore::open_or_create_with_env(&dir, no_env())?;
        assert_eq!(
            created,
            vec![dir.join("kek-v1.key"), dir.join("bidx-v1.key")]
        );
        assert_eq!(store.active_version(), 1);
        assert_eq!(store.kek_source(), KeySource::Files);
        #[cfg(unix)]
        {
            assert_eq!(mode(&dir)?, 0o700);
            assert_eq!(mode(&dir.join("kek-v1.key"))?, 0o600);
            assert_eq!(mode(&dir.join("bidx-v1.key"))?, 0o600);
        }
        let text = fs::read_to_string(dir.join("kek-v1.key"))?;
        assert_eq!(text.trim().len(), 64);
        assert!(fs::read_dir(&dir)?.count() == 2, "no temporary file left");

        let (again, created) = FileKeyStore::open_or_create_with_env(&dir, no_env())?;
        assert!(created.is_empty());
        let (person, key_id, dek) = (Uuid::new_v4(), Uuid::new_v4(), DataKey::generate()?);
        let (version, wrapped) = store.wrap(person, key_id, &dek)?;
        assert_eq!(
            again
                .unwrap(person, key_id, version, &wrapped)?
                .expose_secret(),
            dek.expose_secret()
        );
        assert_eq!(
            again.blind_index(b"123456789018"),
            store.blind_index(b"123456789018")
        );
        let shown = format!("{store:?}");
        assert!(!shown.contains(text.trim()), "{shown}");
        Ok(())
    }

    #[test]
    fn wrap_unwrap_round_trip_and_binding() -> TestResult {
        let temp = TempDir::new();
        let (store, _) = FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        let (person, key_id, dek) = (Uuid::new_v4(), Uuid::new_v4(), DataKey::generate()?);
        let (version, wrapped) = store.wrap(person, key_id, &dek)?;
        assert_eq!(version, 1);
        let unwrapped = store.unwrap(person, key_id, version, &wrapped)?;
        assert_eq!(unwrapped.expose_secret(), dek.expose_secret());
        assert!(!wrapped
            .windows(KEY_LEN)
            .any(|window| window == dek.expose_secret()));
        assert!(matches!(
            store.unwrap(Uuid::new_v4(), key_id, version, &wrapped),
            Err(CryptoError::Unwrap { .. })
        ));
        assert!(matches!(
            store.unwrap(person, Uuid::new_v4(), version, &wrapped),
            Err(CryptoError::Unwrap { .. })
        ));
        assert!(matches!(
            store.unwrap(person, key_id, 7, &wrapped),
            Err(CryptoError::UnknownKekVersion(7))
        ));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn key_files_readable_by_others_are_refused() -> TestResult {
        let temp = TempDir::new();
        FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        for (file, bad) in [("kek-v1.key", 0o644), ("bidx-v1.key", 0o640)] {
            let path = temp.0.join(file);
            chmod(&path, bad)?;
            let error = FileKeyStore::open_or_create_with_env(&temp.0, no_env())
                .err()
                .ok_or("opened")?;
            assert!(
                matches!(&error, CryptoError::InsecurePermissions { path: p, mode } if *p == path && *mode == bad),
                "{error}"
            );
            assert!(error.to_string().contains("chmod 600"));
            chmod(&path, 0o600)?;
        }
        chmod(&temp.0, 0o777)?;
        let error = FileKeyStore::open_or_create_with_env(&temp.0, no_env())
            .err()
            .ok_or("opened")?;
        assert!(matches!(error, CryptoError::InsecurePermissions { .. }));
        chmod(&temp.0, 0o700)?;
        FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        Ok(())
    }

    #[test]
    fn a_damaged_key_file_is_refused_without_showing_it() -> TestResult {
        let temp = TempDir::new();
        FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        let path = temp.0.join("kek-v1.key");
        let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeX";
        fs::write(&path, secret)?;
        let error = FileKeyStore::open_or_create_with_env(&temp.0, no_env())
            .err()
            .ok_or("opened")?;
        assert!(matches!(error, CryptoError::InvalidKeyFile { .. }));
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        Ok(())
    }

    #[test]
    fn rotation_adds_a_version_and_keeps_the_old_ones() -> TestResult {
        let temp = TempDir::new();
        let (mut store, _) = FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        let (running, _) = FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        let (person, key_id, dek) = (Uuid::new_v4(), Uuid::new_v4(), DataKey::generate()?);
        let (v1, wrapped_v1) = store.wrap(person, key_id, &dek)?;

        assert_eq!(store.rotate_kek()?, 2);
        assert_eq!(store.active_version(), 2);
        assert_eq!(store.kek_versions(), vec![1, 2]);
        assert_eq!(store.kek_path(2), Some(temp.0.join("kek-v2.key")));
        #[cfg(unix)]
        assert_eq!(mode(&temp.0.join("kek-v2.key"))?, 0o600);
        let (v2, wrapped_v2) = store.wrap(person, key_id, &dek)?;
        assert_eq!((v1, v2), (1, 2));
        assert!(store.unwrap(person, key_id, 1, &wrapped_v1).is_ok());

        // A store opened before the rotation (a running server) picks the new version up.
        assert_eq!(running.active_version(), 1);
        assert!(running.unwrap(person, key_id, 2, &wrapped_v2).is_ok());
        let (v, _) = running.wrap(person, key_id, &dek)?;
        assert_eq!(v, 2);

        let (reopened, created) = FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        assert!(created.is_empty());
        assert_eq!(reopened.active_version(), 2);
        assert!(reopened.unwrap(person, key_id, 1, &wrapped_v1).is_ok());
        Ok(())
    }

    #[test]
    fn keys_from_the_environment() -> TestResult {
        let temp = TempDir::new();
        let dir = temp.0.join("never-created");
        let k1 = STANDARD.encode([1_u8; 32]);
        let k3 = STANDARD.encode([3_u8; 32]);
        let bik = STANDARD.encode([9_u8; 32]);
        let env = vec![
            ("KENPO_KEK_V1_B64".to_owned(), k1.clone()),
            ("KENPO_KEK_V3_B64".to_owned(), format!("{k3}\n")),
            ("KENPO_BIDX_B64".to_owned(), bik),
            ("KENPO_HOME".to_owned(), "ignored".to_owned()),
        ];
        let (mut store, created) = FileKeyStore::open_or_create_with_env(&dir, env)?;
        assert!(created.is_empty());
        assert!(!dir.exists());
        assert_eq!(store.kek_source(), KeySource::Environment);
        assert_eq!(store.bik_source(), KeySource::Environment);
        assert_eq!(store.kek_versions(), vec![1, 3]);
        assert_eq!(store.active_version(), 3);
        assert_eq!(store.kek_path(3), None);
        let error = store.rotate_kek().err().ok_or("rotated")?;
        assert!(matches!(
            error,
            CryptoError::RotationNeedsKeyFiles { next: 4 }
        ));

        // Only the KEKs from the environment: the blind-index key file is created.
        let env = vec![("KENPO_KEK_V1_B64".to_owned(), k1)];
        let (store, created) = FileKeyStore::open_or_create_with_env(&dir, env)?;
        assert_eq!(created, vec![dir.join("bidx-v1.key")]);
        assert_eq!(store.bik_source(), KeySource::Files);

        for (name, value) in [
            ("KENPO_KEK_V0_B64", STANDARD.encode([1_u8; 32])),
            ("KENPO_KEK_Vx_B64", STANDARD.encode([1_u8; 32])),
            ("KENPO_KEK_V1_B64", "c2VjcmV0LXZhbHVl".to_owned()),
            ("KENPO_BIDX_B64", "not base64 secret!".to_owned()),
        ] {
            let error =
                FileKeyStore::open_or_create_with_env(&dir, [(name.to_owned(), value.clone())])
                    .err()
                    .ok_or("opened")?;
            let shown = format!("{error} {error:?}");
            assert!(
                matches!(error, CryptoError::InvalidEnvKey { .. }),
                "{shown}"
            );
            assert!(shown.contains(name) && !shown.contains(&value), "{shown}");
        }
        Ok(())
    }
}
