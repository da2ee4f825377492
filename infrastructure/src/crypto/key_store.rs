//! The local default key store: KEKs and blind-index keys in files of a private directory,
//! or in environment variables (design §7.1 "Local default").
//!
//! # Files
//!
//! `dir` (mode 0700) holds `kek-v<n>.key` (one per KEK version) and `bidx-v<n>.key` (one per
//! blind-index key version): 32 random bytes each, as 64 hex digits, mode 0600. A key file
//! readable by group or other, or a key directory writable by them, is refused. Keep the
//! directory outside PGDATA and outside database backups; back it up separately, with its own
//! retention (destroying a key version's file, and every copy of it, is what makes erased
//! numbers unreadable, and unfindable, in old database backups).
//!
//! Keys are created only when asked ([`FileKeyStore::open_with_env`]'s `create`): whether that
//! is allowed depends on the database (see [`super::key_check`]), so that a wrong or empty key
//! directory never silently forks the keys.
//!
//! # Environment (CI, containers)
//!
//! - `KENPO_KEK_V<n>_B64` (n ≥ 1, standard base64 of 32 bytes): if at least one is set, the
//!   KEKs come **only** from the environment: no `kek-v*.key` file is read or created, the
//!   highest n is the active version, and rotation refuses (the operator adds
//!   `KENPO_KEK_V<n+1>_B64`, restarts, and runs `kenpo keys rewrap`).
//! - `KENPO_BIDX_V<n>_B64` (and `KENPO_BIDX_B64`, which is version 1): the blind-index keys,
//!   with the same rule (only from the environment when one is set; the highest is active).
//!
//! When both kinds come from the environment the directory is neither created nor read.
//!
//! # Rotation while a server runs
//!
//! A store in file mode picks up versions written by another process: `wrap` and
//! `blind_index` move to `<kind>-v<active+1>.key` as soon as that file exists (one `stat` per
//! call), and `unwrap` of an unknown version reads its file. A running server therefore wraps
//! new data keys under the new KEK, and indexes new numbers under the new blind-index key,
//! from the moment `kenpo keys rotate` has written it.

use std::collections::BTreeMap;
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
    blind_index_with, check_value_with, unwrap_with, wrap_with, BlindIndexKey, CryptoError,
    DataKey, KeyEncryptionKeys, KEY_LEN,
};
use crate::secret_file;

const KEY_FILE_SUFFIX: &str = ".key";
const ENV_SUFFIX: &str = "_B64";
/// `KENPO_BIDX_B64`: blind-index key version 1 (the name from before versions).
const BIDX_V1_ENV: &str = "KENPO_BIDX_B64";

/// Where a kind of key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Files in the key directory.
    Files,
    /// Environment variables.
    Environment,
}

/// The two kinds of key kept outside the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    /// Key-encryption key (KEK): wraps the per-person data keys.
    Kek,
    /// Blind-index key (BIK): HMAC key of `my_number_index`.
    BlindIndex,
}

impl KeyKind {
    /// Both kinds.
    pub const ALL: [KeyKind; 2] = [KeyKind::Kek, KeyKind::BlindIndex];

    /// The name in the database (`key_check_values.kind`): `kek` or `bidx`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Kek => "kek",
            KeyKind::BlindIndex => "bidx",
        }
    }

    /// Parse [`KeyKind::as_str`].
    pub fn parse(text: &str) -> Option<KeyKind> {
        KeyKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// For messages: "key-encryption key" / "blind-index key".
    pub fn describe(self) -> &'static str {
        match self {
            KeyKind::Kek => "key-encryption key",
            KeyKind::BlindIndex => "blind-index key",
        }
    }

    fn file_prefix(self) -> &'static str {
        match self {
            KeyKind::Kek => "kek-v",
            KeyKind::BlindIndex => "bidx-v",
        }
    }

    fn env_prefix(self) -> &'static str {
        match self {
            KeyKind::Kek => "KENPO_KEK_V",
            KeyKind::BlindIndex => "KENPO_BIDX_V",
        }
    }

    /// The environment variable of `version`.
    pub fn env_variable(self, version: u32) -> String {
        format!("{}{version}{ENV_SUFFIX}", self.env_prefix())
    }

    fn file_name(self, version: u32) -> String {
        format!("{}{version}{KEY_FILE_SUFFIX}", self.file_prefix())
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// The versions of one kind of key.
struct Ring {
    source: KeySource,
    active: u32,
    keys: BTreeMap<u32, Secret32>,
}

/// KEKs and blind-index keys from a key directory or the environment (see the module
/// documentation). Implements [`KeyEncryptionKeys`] and [`BlindIndexKey`]; always holds at
/// least one key of each kind. `Debug` shows the directory, sources and versions, never a key.
pub struct FileKeyStore {
    dir: PathBuf,
    keks: RwLock<Ring>,
    biks: RwLock<Ring>,
}

impl fmt::Debug for FileKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keks = self.read(KeyKind::Kek);
        let biks = self.read(KeyKind::BlindIndex);
        f.debug_struct("FileKeyStore")
            .field("dir", &self.dir)
            .field("kek_source", &keks.source)
            .field("kek_versions", &keks.keys.keys().collect::<Vec<_>>())
            .field("active_kek_version", &keks.active)
            .field("bik_source", &biks.source)
            .field("bik_versions", &biks.keys.keys().collect::<Vec<_>>())
            .field("active_bik_version", &biks.active)
            .finish_non_exhaustive()
    }
}

/// The key variables of the process environment (never their values in an error).
fn process_key_env() -> Result<Vec<(String, String)>, CryptoError> {
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
    Ok(env)
}

impl FileKeyStore {
    /// Open the key directory `dir` with the keys of the process environment, creating
    /// `kek-v1.key` and `bidx-v1.key` (32 random bytes, hex, mode 0600; the directory with
    /// mode 0700) when there are none. For throw-away stores (tests, benchmarks) only: a
    /// store for a database that may hold data is opened through [`super::key_check`], which
    /// creates keys only for an empty database. Returns the store and the paths of the files
    /// it created (to tell the operator where they are; never print their contents).
    pub fn open_or_create(dir: &Path) -> Result<(FileKeyStore, Vec<PathBuf>), CryptoError> {
        Self::open_with_env(dir, process_key_env()?, &KeyKind::ALL)
    }

    /// [`FileKeyStore::open_or_create`] with the environment given as (name, value) pairs.
    pub fn open_or_create_with_env<I>(
        dir: &Path,
        env: I,
    ) -> Result<(FileKeyStore, Vec<PathBuf>), CryptoError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        Self::open_with_env(dir, env, &KeyKind::ALL)
    }

    /// Open the keys of `dir` and of the process environment, creating version 1 only of the
    /// kinds in `create` that have no key at all. A kind without any key that may not be
    /// created is [`CryptoError::MissingKey`], and nothing is written.
    pub fn open(
        dir: &Path,
        create: &[KeyKind],
    ) -> Result<(FileKeyStore, Vec<PathBuf>), CryptoError> {
        Self::open_with_env(dir, process_key_env()?, create)
    }

    /// [`FileKeyStore::open`] with the environment given as (name, value) pairs instead of
    /// read from the process (for tests and embedding). Names that are not key variables are
    /// ignored.
    pub fn open_with_env<I>(
        dir: &Path,
        env: I,
        create: &[KeyKind],
    ) -> Result<(FileKeyStore, Vec<PathBuf>), CryptoError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut from_env: BTreeMap<KeyKind, BTreeMap<u32, Secret32>> = BTreeMap::new();
        for (name, value) in env {
            let value = Zeroizing::new(value);
            if let Some((kind, version)) = key_variable(&name)? {
                let key = decode_env_key(&name, &value)?;
                if from_env
                    .entry(kind)
                    .or_default()
                    .insert(version, key)
                    .is_some()
                {
                    return Err(CryptoError::InvalidEnvKey {
                        variable: name,
                        reason: "version 1 of the blind-index key is set twice (KENPO_BIDX_B64 \
                                 and KENPO_BIDX_V1_B64): keep one",
                    });
                }
            }
        }

        // Check the directory's mode whenever it is used; create it only to write a key.
        let dir_used = KeyKind::ALL.iter().any(|kind| !from_env.contains_key(kind));
        if dir_used && dir.exists() {
            ensure_dir(dir)?;
        }

        let mut created = Vec::new();
        let keks = open_ring(dir, KeyKind::Kek, &mut from_env, create, &mut created)?;
        let biks = open_ring(
            dir,
            KeyKind::BlindIndex,
            &mut from_env,
            create,
            &mut created,
        )?;
        let store = FileKeyStore {
            dir: dir.to_owned(),
            keks: RwLock::new(keks),
            biks: RwLock::new(biks),
        };
        Ok((store, created))
    }

    /// Create version n+1 of `kind` (`<kind>-v<n+1>.key`, n = the highest version known here
    /// or on disk) and make it active. Older versions stay until they are destroyed. Existing
    /// data is still under the old version: re-wrap ([`super::subject_keys::rewrap_all`]) or
    /// re-index next. Refused when the keys of that kind come from the environment.
    pub fn rotate(&mut self, kind: KeyKind) -> Result<u32, CryptoError> {
        let known = self
            .read(kind)
            .keys
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0);
        if self.source(kind) == KeySource::Environment {
            return Err(CryptoError::RotationNeedsKeyFiles {
                variable: kind.env_variable(known + 1),
                then: match kind {
                    KeyKind::Kek => "kenpo keys rewrap",
                    KeyKind::BlindIndex => "kenpo keys rotate --blind-index",
                },
            });
        }
        let on_disk = versions_on_disk(&self.dir, kind)?
            .into_iter()
            .next_back()
            .unwrap_or(0);
        let next = known.max(on_disk) + 1;
        let path = self.dir.join(kind.file_name(next));
        if !create_key_file(&path)? {
            return Err(CryptoError::KeyFileExists { path });
        }
        let key = load_key_file(&path)?;
        let mut ring = self.write(kind);
        ring.keys.insert(next, key);
        ring.active = next;
        Ok(next)
    }

    /// [`FileKeyStore::rotate`] of the KEKs.
    pub fn rotate_kek(&mut self) -> Result<u32, CryptoError> {
        self.rotate(KeyKind::Kek)
    }

    /// The key directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the keys of `kind` come from.
    pub fn source(&self, kind: KeyKind) -> KeySource {
        self.read(kind).source
    }

    /// Where the KEKs come from.
    pub fn kek_source(&self) -> KeySource {
        self.source(KeyKind::Kek)
    }

    /// Where the blind-index keys come from.
    pub fn bik_source(&self) -> KeySource {
        self.source(KeyKind::BlindIndex)
    }

    /// The active (newest) version of `kind`, after picking up newer files.
    pub fn active(&self, kind: KeyKind) -> u32 {
        self.pick_up_newer(kind);
        self.read(kind).active
    }

    /// The versions of `kind` loaded, oldest first.
    pub fn versions(&self, kind: KeyKind) -> Vec<u32> {
        self.read(kind).keys.keys().copied().collect()
    }

    /// The KEK versions loaded, oldest first.
    pub fn kek_versions(&self) -> Vec<u32> {
        self.versions(KeyKind::Kek)
    }

    /// The file of `version` of `kind` (whether or not it exists); `None` when that kind
    /// comes from the environment.
    pub fn key_path(&self, kind: KeyKind, version: u32) -> Option<PathBuf> {
        (self.source(kind) == KeySource::Files).then(|| self.dir.join(kind.file_name(version)))
    }

    /// The file of KEK `version`; `None` when the KEKs come from the environment.
    pub fn kek_path(&self, version: u32) -> Option<PathBuf> {
        self.key_path(KeyKind::Kek, version)
    }

    /// Where `version` of `kind` is (or was expected): its file, or its environment variable.
    pub fn location(&self, kind: KeyKind, version: u32) -> String {
        match self.key_path(kind, version) {
            Some(path) => path.display().to_string(),
            None => format!("environment variable {}", kind.env_variable(version)),
        }
    }

    /// Whether `version` of `kind` is here (loading its file if it appeared since).
    pub fn has(&self, kind: KeyKind, version: u32) -> bool {
        self.load_version(kind, version).is_ok()
    }

    /// The key check value of `version` of `kind`: `HMAC-SHA256(key, "kenpo/kcv/<kind>/<n>")`.
    /// It identifies the key without revealing anything of it; `None` when the version is not
    /// here.
    pub fn check_value(&self, kind: KeyKind, version: u32) -> Option<[u8; 32]> {
        self.load_version(kind, version).ok()?;
        let ring = self.read(kind);
        let key = ring.keys.get(&version)?;
        let label = format!("kenpo/kcv/{}/{version}", kind.as_str());
        Some(check_value_with(key, label.as_bytes()))
    }

    /// Forget `version` of `kind` and delete its file (file mode). Returns the path deleted,
    /// `None` when the key comes from the environment (the operator unsets the variable) or
    /// the file was already gone. The caller checks first that nothing depends on it.
    pub fn remove(&mut self, kind: KeyKind, version: u32) -> Result<Option<PathBuf>, CryptoError> {
        let path = self.key_path(kind, version);
        let mut ring = self.write(kind);
        if ring.active == version {
            return Err(CryptoError::ActiveKey {
                kind: kind.describe(),
                version,
            });
        }
        if ring.source == KeySource::Environment {
            return Ok(None);
        }
        ring.keys.remove(&version);
        drop(ring);
        let Some(path) = path else {
            return Ok(None);
        };
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(CryptoError::Io { path, source }),
        }
        // the removal itself must survive a crash
        if let Ok(dir) = fs::File::open(&self.dir) {
            dir.sync_all().map_err(io_error(&self.dir))?;
        }
        Ok(Some(path))
    }

    /// `HMAC-SHA256` of `message` under `version` of the blind-index key; `None` when that
    /// version is not here.
    pub fn blind_index_under(&self, version: u32, message: &[u8]) -> Option<[u8; 32]> {
        self.load_version(KeyKind::BlindIndex, version).ok()?;
        let ring = self.read(KeyKind::BlindIndex);
        ring.keys
            .get(&version)
            .map(|key| blind_index_with(key, message))
    }

    fn ring(&self, kind: KeyKind) -> &RwLock<Ring> {
        match kind {
            KeyKind::Kek => &self.keks,
            KeyKind::BlindIndex => &self.biks,
        }
    }

    fn read(&self, kind: KeyKind) -> RwLockReadGuard<'_, Ring> {
        self.ring(kind)
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self, kind: KeyKind) -> RwLockWriteGuard<'_, Ring> {
        self.ring(kind)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Make `version` of `kind` available: loaded already, or read from its file.
    fn load_version(&self, kind: KeyKind, version: u32) -> Result<(), CryptoError> {
        if self.read(kind).keys.contains_key(&version) {
            return Ok(());
        }
        let unknown = || CryptoError::UnknownVersion {
            kind: kind.describe(),
            version,
        };
        let path = self.dir.join(kind.file_name(version));
        if self.source(kind) != KeySource::Files || version == 0 || !path.exists() {
            return Err(unknown());
        }
        let key = load_key_file(&path)?;
        self.write(kind).keys.entry(version).or_insert(key);
        Ok(())
    }

    /// Load `<kind>-v<active+1>.key`, … written by another process since this store was
    /// opened. A file that cannot be read is left for the next call (the rotation that wrote
    /// it reports the problem).
    fn pick_up_newer(&self, kind: KeyKind) {
        if self.source(kind) != KeySource::Files {
            return;
        }
        loop {
            let next = self.read(kind).active + 1;
            let path = self.dir.join(kind.file_name(next));
            if !path.exists() {
                return;
            }
            let Ok(key) = load_key_file(&path) else {
                return;
            };
            let mut ring = self.write(kind);
            ring.keys.entry(next).or_insert(key);
            ring.active = ring.active.max(next);
        }
    }
}

impl KeyEncryptionKeys for FileKeyStore {
    fn active_version(&self) -> u32 {
        self.read(KeyKind::Kek).active
    }

    fn wrap(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        dek: &DataKey,
    ) -> Result<(u32, Vec<u8>), CryptoError> {
        self.pick_up_newer(KeyKind::Kek);
        let keks = self.read(KeyKind::Kek);
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
        self.load_version(KeyKind::Kek, kek_version)
            .map_err(|error| match error {
                CryptoError::UnknownVersion { .. } => CryptoError::UnknownKekVersion(kek_version),
                other => other,
            })?;
        let keks = self.read(KeyKind::Kek);
        let kek = keks
            .keys
            .get(&kek_version)
            .ok_or(CryptoError::UnknownKekVersion(kek_version))?;
        unwrap_with(kek, kek_version, person_id, key_id, wrapped)
    }
}

impl BlindIndexKey for FileKeyStore {
    fn blind_index(&self, message: &[u8]) -> [u8; 32] {
        self.blind_index_active(message).1
    }

    fn blind_index_version(&self) -> u32 {
        self.active(KeyKind::BlindIndex)
    }

    fn blind_index_active(&self, message: &[u8]) -> (u32, [u8; 32]) {
        self.pick_up_newer(KeyKind::BlindIndex);
        let biks = self.read(KeyKind::BlindIndex);
        match biks.keys.get(&biks.active) {
            Some(key) => (biks.active, blind_index_with(key, message)),
            // never: a store always holds its active version
            None => (0, [0; 32]),
        }
    }

    fn blind_indexes(&self, message: &[u8]) -> Vec<(u32, [u8; 32])> {
        self.pick_up_newer(KeyKind::BlindIndex);
        self.read(KeyKind::BlindIndex)
            .keys
            .iter()
            .map(|(version, key)| (*version, blind_index_with(key, message)))
            .collect()
    }
}

/// The keys of `kind`: from the environment when any was given there, else the files of `dir`
/// (version 1 created when there is none and `create` allows it).
fn open_ring(
    dir: &Path,
    kind: KeyKind,
    from_env: &mut BTreeMap<KeyKind, BTreeMap<u32, Secret32>>,
    create: &[KeyKind],
    created: &mut Vec<PathBuf>,
) -> Result<Ring, CryptoError> {
    let (source, mut keys) = match from_env.remove(&kind) {
        Some(keys) => (KeySource::Environment, keys),
        None => (KeySource::Files, BTreeMap::new()),
    };
    if source == KeySource::Files {
        for version in versions_on_disk(dir, kind)? {
            keys.insert(version, load_key_file(&dir.join(kind.file_name(version)))?);
        }
        if keys.is_empty() && create.contains(&kind) {
            ensure_dir(dir)?;
            let path = dir.join(kind.file_name(1));
            if create_key_file(&path)? {
                created.push(path.clone());
            }
            keys.insert(1, load_key_file(&path)?);
        }
    }
    let Some(active) = keys.keys().next_back().copied() else {
        return Err(CryptoError::MissingKey {
            kind: kind.describe(),
            expected: format!(
                "{} (or the environment variable {})",
                dir.join(kind.file_name(1)).display(),
                kind.env_variable(1)
            ),
        });
    };
    Ok(Ring {
        source,
        active,
        keys,
    })
}

fn is_key_variable(name: &str) -> bool {
    name == BIDX_V1_ENV
        || KeyKind::ALL
            .iter()
            .any(|kind| name.starts_with(kind.env_prefix()) && name.ends_with(ENV_SUFFIX))
}

/// `Some((kind, n))` for `KENPO_KEK_V<n>_B64`, `KENPO_BIDX_V<n>_B64` and `KENPO_BIDX_B64`
/// (version 1), `None` for other names, an error for a bad `<n>`.
fn key_variable(name: &str) -> Result<Option<(KeyKind, u32)>, CryptoError> {
    if name == BIDX_V1_ENV {
        return Ok(Some((KeyKind::BlindIndex, 1)));
    }
    for kind in KeyKind::ALL {
        let prefix = kind.env_prefix();
        if !(name.starts_with(prefix) && name.ends_with(ENV_SUFFIX)) {
            continue;
        }
        let digits = name
            .get(prefix.len()..name.len().saturating_sub(ENV_SUFFIX.len()))
            .unwrap_or_default();
        return parse_version(digits)
            .map(|version| Some((kind, version)))
            .ok_or_else(|| CryptoError::InvalidEnvKey {
                variable: name.to_owned(),
                reason: "expected KENPO_KEK_V<n>_B64 or KENPO_BIDX_V<n>_B64 with a version n ≥ 1",
            });
    }
    Ok(None)
}

fn parse_version(digits: &str) -> Option<u32> {
    let version: u32 = digits.parse().ok()?;
    (version >= 1 && version.to_string() == digits && i32::try_from(version).is_ok())
        .then_some(version)
}

pub(crate) fn decode_env_key(name: &str, value: &str) -> Result<Secret32, CryptoError> {
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

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CryptoError + '_ {
    move |source| CryptoError::Io {
        path: path.to_owned(),
        source,
    }
}

pub(crate) fn ensure_dir(dir: &Path) -> Result<(), CryptoError> {
    Ok(secret_file::ensure_private_dir(dir)?)
}

/// The versions of `kind` with a file in `dir` (none when `dir` does not exist).
fn versions_on_disk(dir: &Path, kind: KeyKind) -> Result<Vec<u32>, CryptoError> {
    let mut versions = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(versions),
        Err(source) => {
            return Err(CryptoError::Io {
                path: dir.to_owned(),
                source,
            })
        }
    };
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let version = name
            .to_str()
            .and_then(|name| name.strip_prefix(kind.file_prefix()))
            .and_then(|rest| rest.strip_suffix(KEY_FILE_SUFFIX))
            .and_then(parse_version);
        if let Some(version) = version {
            versions.push(version);
        }
    }
    versions.sort_unstable();
    Ok(versions)
}

/// Read a key file ([`secret_file::read_secret_file`]: a regular file, not accessible by group
/// or other) holding 64 hex digits.
pub(crate) fn load_key_file(path: &Path) -> Result<Secret32, CryptoError> {
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
pub(crate) fn create_key_file(path: &Path) -> Result<bool, CryptoError> {
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
    fn creation_when_asked_makes_private_key_files_then_they_are_reused() -> TestResult {
        let temp = TempDir::new();
        let dir = temp.0.join("keys");
        let (store, created) = FileKeyStore::open_with_env(&dir, no_env(), &KeyKind::ALL)?;
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

        let (again, created) = FileKeyStore::open_with_env(&dir, no_env(), &[])?;
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
    fn without_create_an_empty_directory_is_refused_and_nothing_is_written() -> TestResult {
        let temp = TempDir::new();
        let dir = temp.0.join("keys");
        let error = FileKeyStore::open_with_env(&dir, no_env(), &[])
            .err()
            .ok_or("opened")?;
        assert!(
            matches!(&error, CryptoError::MissingKey { expected, .. } if expected.contains("kek-v1.key")),
            "{error}"
        );
        assert!(!dir.exists(), "nothing is created");

        // only the blind-index key may be created: the missing KEK is still refused
        let error = FileKeyStore::open_with_env(&dir, no_env(), &[KeyKind::BlindIndex])
            .err()
            .ok_or("opened")?;
        assert!(matches!(error, CryptoError::MissingKey { .. }), "{error}");
        Ok(())
    }

    #[test]
    fn blind_index_key_versions_rotate_and_are_removed() -> TestResult {
        let temp = TempDir::new();
        let (mut store, _) = FileKeyStore::open_or_create_with_env(&temp.0, no_env())?;
        let (running, _) = FileKeyStore::open_with_env(&temp.0, no_env(), &[])?;
        let number = b"123456789018";
        let v1 = store.blind_index(number);
        assert_eq!(store.blind_index_active(number), (1, v1));
        let kcv1 = store.check_value(KeyKind::BlindIndex, 1).ok_or("no kcv")?;
        assert_ne!(kcv1, v1);
        assert_ne!(Some(kcv1), store.check_value(KeyKind::Kek, 1));

        assert_eq!(store.rotate(KeyKind::BlindIndex)?, 2);
        assert!(temp.0.join("bidx-v2.key").exists());
        let (version, v2) = store.blind_index_active(number);
        assert_eq!(version, 2);
        assert_ne!(v1, v2);
        assert_eq!(store.blind_indexes(number), vec![(1, v1), (2, v2)]);
        assert_eq!(store.blind_index_under(1, number), Some(v1));
        // a running server indexes new numbers under the new version at once
        assert_eq!(running.blind_index_active(number), (2, v2));
        assert_eq!(running.blind_indexes(number).len(), 2);

        assert!(matches!(
            store.remove(KeyKind::BlindIndex, 2),
            Err(CryptoError::ActiveKey { .. })
        ));
        assert_eq!(
            store.remove(KeyKind::BlindIndex, 1)?,
            Some(temp.0.join("bidx-v1.key"))
        );
        assert!(!temp.0.join("bidx-v1.key").exists());
        assert_eq!(store.blind_indexes(number), vec![(2, v2)]);
        let (reopened, created) = FileKeyStore::open_with_env(&temp.0, no_env(), &[])?;
        assert!(created.is_empty());
        assert_eq!(reopened.versions(KeyKind::BlindIndex), vec![2]);
        assert_eq!(reopened.blind_index(number), v2);
        Ok(())
    }

    #[test]
    fn blind_index_keys_from_the_environment() -> TestResult {
        let temp = TempDir::new();
        let dir = temp.0.join("never-created");
        let kek = ("KENPO_KEK_V1_B64".to_owned(), STANDARD.encode([1_u8; 32]));
        let env = vec![
            kek.clone(),
            ("KENPO_BIDX_B64".to_owned(), STANDARD.encode([7_u8; 32])),
            ("KENPO_BIDX_V2_B64".to_owned(), STANDARD.encode([8_u8; 32])),
        ];
        let (mut store, created) = FileKeyStore::open_with_env(&dir, env, &[])?;
        assert!(created.is_empty() && !dir.exists());
        assert_eq!(store.bik_source(), KeySource::Environment);
        assert_eq!(store.versions(KeyKind::BlindIndex), vec![1, 2]);
        assert_eq!(store.blind_index_version(), 2);
        assert_eq!(
            store.location(KeyKind::BlindIndex, 1),
            "environment variable KENPO_BIDX_V1_B64"
        );
        let error = store.rotate(KeyKind::BlindIndex).err().ok_or("rotated")?;
        assert!(error.to_string().contains("KENPO_BIDX_V3_B64"), "{error}");
        // from the environment: nothing to delete, the operator unsets it
        assert_eq!(store.remove(KeyKind::BlindIndex, 1)?, None);

        let twice = vec![
            kek,
            ("KENPO_BIDX_B64".to_owned(), STANDARD.encode([7_u8; 32])),
            ("KENPO_BIDX_V1_B64".to_owned(), STANDARD.encode([7_u8; 32])),
        ];
        assert!(matches!(
            FileKeyStore::open_with_env(&dir, twice, &[]),
            Err(CryptoError::InvalidEnvKey { .. })
        ));
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
        assert!(
            matches!(&error, CryptoError::RotationNeedsKeyFiles { variable, .. } if variable == "KENPO_KEK_V4_B64"),
            "{error}"
        );

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
