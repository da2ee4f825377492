//! Keys that cannot fork silently (issue 8, item 2): the database records a key check value
//! (KCV, `key_check_values`) for every key version, and a store is opened only when it holds
//! every version the database still depends on, each matching its KCV.
//!
//! - Keys are created only for an empty database (no data key, no index entry, no KCV), or by
//!   `kenpo keys init` (kinds with no key and nothing depending on them, while no KCV exists).
//! - A version with data depending on it (`subject_keys.kek_version`,
//!   `my_number_index.bidx_version`) and the newest recorded version of each kind must be
//!   present; every present version with a KCV must match it. A present version without a
//!   KCV is recorded (first use); a KEK version that data keys depend on is recorded only after
//!   it has opened one of them (databases from before KCVs).
//! - A destroyed version (`key_destructions`) is no longer asked for.
//!
//! Refusals are [`KeyCheckError`]s with [`KeyCheckError::exit_code`] 78 (`EX_CONFIG`): the
//! message names the kind, the version and where the key was expected, never the key.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sqlx::PgPool;
use uuid::Uuid;

use super::{CryptoError, FileKeyStore, KeyEncryptionKeys, KeyKind};

/// The exit code of a refused start (`EX_CONFIG` of sysexits.h).
pub const EXIT_CONFIG: u8 = 78;

/// Why the keys were refused, or what failed while checking them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyCheckError {
    /// A version the database depends on is not present.
    #[error(
        "{kind} version {version} is needed ({needed_by}) but is not present: expected \
         {location}. Restore the key directory (KENPO_KEY_DIR) or the environment variable \
         from its backup; kenpo does not create new keys over a database that depends on the \
         old ones"
    )]
    Missing {
        kind: KeyKind,
        version: u32,
        needed_by: String,
        location: String,
    },
    /// No key of a kind at all, and the database is not empty.
    #[error(
        "{cause}, and the database is not empty, so no new {kind} is created. Restore the key \
         directory (KENPO_KEY_DIR) or the environment variables from their backup; if nothing \
         in the database needs a {kind} yet, run `kenpo keys init`"
    )]
    NoKey { kind: KeyKind, cause: CryptoError },
    /// A present key is not the one the database recorded.
    #[error(
        "{kind} version {version} at {location} is not the key the database recorded for that \
         version (key check value differs): wrong key directory or environment? Point \
         KENPO_KEY_DIR at the right keys; never replace a key that data depends on"
    )]
    Mismatch {
        kind: KeyKind,
        version: u32,
        location: String,
    },
    /// A KEK version present without a KCV does not open the data keys wrapped under it.
    #[error(
        "{kind} version {version} at {location} does not open the data keys wrapped under that \
         version: it is another key. Point KENPO_KEY_DIR at the right keys"
    )]
    DoesNotOpen {
        kind: KeyKind,
        version: u32,
        location: String,
    },
    /// A blind-index key version present without a KCV does not give the index entries under
    /// it (checked by the caller, which can open a number: [`CheckedKeys::unverified`]).
    #[error(
        "blind-index key version {version} at {location} does not give the index entries under \
         that version: it is another key. Point KENPO_KEY_DIR at the right keys"
    )]
    IndexMismatch { version: u32, location: String },
    /// Data depends on a version that was destroyed (a database restored from before the
    /// destruction?).
    #[error(
        "{kind} version {version} was destroyed ({destroyed_at}), yet {needed_by}: this data \
         cannot be opened any more (a database backup from before the destruction?)"
    )]
    DependsOnDestroyed {
        kind: KeyKind,
        version: u32,
        destroyed_at: String,
        needed_by: String,
    },
    /// `kenpo keys init` over a database that already has keys.
    #[error(
        "the database already records key check values ({recorded}): its keys exist. Point \
         KENPO_KEY_DIR at them; `kenpo keys init` is only for a database without keys"
    )]
    AlreadyInitialised { recorded: String },
    /// `kenpo keys destroy` refused.
    #[error("{kind} version {version} cannot be destroyed: {reason}")]
    DestroyRefused {
        kind: KeyKind,
        version: u32,
        reason: String,
    },
    /// Reading or writing a key failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The database failed.
    #[error("reading or recording the key check values: {0}")]
    Database(#[from] sqlx::Error),
}

impl KeyCheckError {
    /// [`EXIT_CONFIG`] when the key configuration is refused (missing, different or destroyed
    /// key, key files with a wrong mode); `None` for other failures.
    pub fn exit_code(&self) -> Option<u8> {
        match self {
            KeyCheckError::Missing { .. }
            | KeyCheckError::NoKey { .. }
            | KeyCheckError::Mismatch { .. }
            | KeyCheckError::DoesNotOpen { .. }
            | KeyCheckError::IndexMismatch { .. }
            | KeyCheckError::DependsOnDestroyed { .. }
            | KeyCheckError::AlreadyInitialised { .. } => Some(EXIT_CONFIG),
            KeyCheckError::Crypto(
                CryptoError::InsecurePermissions { .. }
                | CryptoError::InvalidKeyFile { .. }
                | CryptoError::InvalidEnvKey { .. },
            ) => Some(EXIT_CONFIG),
            _ => None,
        }
    }
}

/// How the keys are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Serve or any command: create keys only for an empty database.
    Start,
    /// `kenpo keys init`: refused when the database records KCVs; creates the kinds that have
    /// no key and nothing depending on them.
    Init,
}

/// An opened and checked store.
#[derive(Debug)]
pub struct CheckedKeys {
    pub store: FileKeyStore,
    /// Key files created (tell the operator where; never their contents).
    pub created: Vec<PathBuf>,
    /// Versions whose KCV was recorded now (first use).
    pub recorded: Vec<(KeyKind, u32)>,
    /// Blind-index key versions present without a KCV while index entries are under them (a
    /// database from before KCVs): not recorded, because only a caller that can open a number
    /// can tell whether the key gives those entries. Check one entry, then [`record`] the
    /// version (or refuse with [`KeyCheckError::IndexMismatch`]).
    pub unverified: Vec<(KeyKind, u32)>,
    /// Things the operator should fix that do not stop the start (a destroyed key still
    /// present).
    pub warnings: Vec<String>,
}

/// What the database says about the keys.
#[derive(Debug, Default)]
struct Recorded {
    kcvs: BTreeMap<(KeyKind, u32), Vec<u8>>,
    destroyed: BTreeMap<(KeyKind, u32), String>,
    /// Versions with data depending on them, with how many rows.
    used: BTreeMap<(KeyKind, u32), i64>,
}

impl Recorded {
    async fn load(pool: &PgPool) -> Result<Recorded, sqlx::Error> {
        let mut recorded = Recorded::default();
        let kcvs: Vec<(String, i32, Vec<u8>)> =
            sqlx::query_as("SELECT kind, version, kcv FROM key_check_values")
                .fetch_all(pool)
                .await?;
        for (kind, version, kcv) in kcvs {
            if let (Some(kind), Ok(version)) = (KeyKind::parse(&kind), u32::try_from(version)) {
                recorded.kcvs.insert((kind, version), kcv);
            }
        }
        let destroyed: Vec<(String, i32, String)> = sqlx::query_as(
            "SELECT kind, version, to_char(destroyed_at, 'YYYY-MM-DD HH24:MI:SS TZ')
             FROM key_destructions",
        )
        .fetch_all(pool)
        .await?;
        for (kind, version, at) in destroyed {
            if let (Some(kind), Ok(version)) = (KeyKind::parse(&kind), u32::try_from(version)) {
                recorded.destroyed.insert((kind, version), at);
            }
        }
        let used: Vec<(String, i32, i64)> = sqlx::query_as(
            "SELECT 'kek', kek_version, count(*) FROM subject_keys GROUP BY kek_version
             UNION ALL
             SELECT 'bidx', bidx_version, count(*) FROM my_number_index GROUP BY bidx_version",
        )
        .fetch_all(pool)
        .await?;
        for (kind, version, rows) in used {
            if let (Some(kind), Ok(version)) = (KeyKind::parse(&kind), u32::try_from(version)) {
                recorded.used.insert((kind, version), rows);
            }
        }
        Ok(recorded)
    }

    fn is_empty(&self) -> bool {
        self.kcvs.is_empty() && self.used.is_empty()
    }

    fn has_data(&self, kind: KeyKind) -> bool {
        self.used.keys().any(|(k, _)| *k == kind)
    }

    /// The versions of `kind` that must be present, with why.
    fn required(&self, kind: KeyKind) -> BTreeMap<u32, String> {
        let mut required = BTreeMap::new();
        for ((k, version), rows) in &self.used {
            if *k == kind {
                let what = match kind {
                    KeyKind::Kek => "data keys in subject_keys are wrapped under it",
                    KeyKind::BlindIndex => "entries of my_number_index are indexed under it",
                };
                required.insert(*version, format!("{rows} {what}"));
            }
        }
        let newest = self
            .kcvs
            .keys()
            .filter(|(k, v)| *k == kind && !self.destroyed.contains_key(&(kind, *v)))
            .map(|(_, v)| *v)
            .max();
        if let Some(newest) = newest {
            required
                .entry(newest)
                .or_insert_with(|| "it is the newest version the database recorded".to_owned());
        }
        required
    }
}

/// Open the keys of `dir` (and of the process environment) for the database of `pool`, and
/// check them against it (see the module documentation).
pub async fn open_checked(
    pool: &PgPool,
    dir: &Path,
    mode: Mode,
) -> Result<CheckedKeys, KeyCheckError> {
    let recorded = Recorded::load(pool).await?;
    let create: Vec<KeyKind> = match mode {
        Mode::Start if recorded.is_empty() => KeyKind::ALL.to_vec(),
        Mode::Start => Vec::new(),
        Mode::Init => {
            if !recorded.kcvs.is_empty() {
                return Err(KeyCheckError::AlreadyInitialised {
                    recorded: describe_versions(recorded.kcvs.keys()),
                });
            }
            KeyKind::ALL
                .into_iter()
                .filter(|kind| !recorded.has_data(*kind))
                .collect()
        }
    };
    let (store, created) = match FileKeyStore::open(dir, &create) {
        Ok(opened) => opened,
        Err(cause @ CryptoError::MissingKey { .. }) => {
            let kind = missing_kind(&cause);
            return Err(KeyCheckError::NoKey { kind, cause });
        }
        Err(other) => return Err(other.into()),
    };
    check(pool, store, created, &recorded).await
}

/// Check an opened store against the database and record the KCVs of new versions (tests
/// open their store themselves and check it here).
pub async fn check_store(pool: &PgPool, store: FileKeyStore) -> Result<CheckedKeys, KeyCheckError> {
    let recorded = Recorded::load(pool).await?;
    check(pool, store, Vec::new(), &recorded).await
}

fn missing_kind(error: &CryptoError) -> KeyKind {
    match error {
        CryptoError::MissingKey { kind, .. } if *kind == KeyKind::Kek.describe() => KeyKind::Kek,
        _ => KeyKind::BlindIndex,
    }
}

async fn check(
    pool: &PgPool,
    store: FileKeyStore,
    created: Vec<PathBuf>,
    recorded: &Recorded,
) -> Result<CheckedKeys, KeyCheckError> {
    let mut recorded_now = Vec::new();
    let mut unverified = Vec::new();
    let mut warnings = Vec::new();
    for kind in KeyKind::ALL {
        for (version, needed_by) in recorded.required(kind) {
            if let Some(at) = recorded.destroyed.get(&(kind, version)) {
                return Err(KeyCheckError::DependsOnDestroyed {
                    kind,
                    version,
                    destroyed_at: at.clone(),
                    needed_by,
                });
            }
            if !store.has(kind, version) {
                return Err(KeyCheckError::Missing {
                    kind,
                    version,
                    needed_by,
                    location: store.location(kind, version),
                });
            }
        }
        for version in store.versions(kind) {
            let location = store.location(kind, version);
            let Some(kcv) = store.check_value(kind, version) else {
                continue;
            };
            match recorded.kcvs.get(&(kind, version)) {
                Some(expected) if expected.as_slice() != kcv.as_slice() => {
                    return Err(KeyCheckError::Mismatch {
                        kind,
                        version,
                        location,
                    });
                }
                Some(_) => {}
                None if kind == KeyKind::BlindIndex
                    && recorded.used.contains_key(&(kind, version)) =>
                {
                    unverified.push((kind, version));
                }
                None => {
                    if kind == KeyKind::Kek && recorded.used.contains_key(&(kind, version)) {
                        opens_a_data_key(pool, &store, version).await?;
                    }
                    if record(pool, &store, kind, version).await? {
                        recorded_now.push((kind, version));
                    }
                }
            }
            if recorded.destroyed.contains_key(&(kind, version)) {
                warnings.push(format!(
                    "{kind} version {version} was destroyed but is still present at {location}: \
                     delete it (and its copies in backups of the key directory)"
                ));
            }
        }
    }
    Ok(CheckedKeys {
        store,
        created,
        recorded: recorded_now,
        unverified,
        warnings,
    })
}

/// A KEK version recorded before KCVs existed must open a data key wrapped under it.
async fn opens_a_data_key(
    pool: &PgPool,
    store: &FileKeyStore,
    version: u32,
) -> Result<(), KeyCheckError> {
    let row: Option<(Uuid, Uuid, Vec<u8>)> = sqlx::query_as(
        "SELECT person_id, key_id, wrapped_dek FROM subject_keys WHERE kek_version = $1 LIMIT 1",
    )
    .bind(db_version(version)?)
    .fetch_optional(pool)
    .await?;
    if let Some((person_id, key_id, wrapped)) = row {
        if store.unwrap(person_id, key_id, version, &wrapped).is_err() {
            return Err(KeyCheckError::DoesNotOpen {
                kind: KeyKind::Kek,
                version,
                location: store.location(KeyKind::Kek, version),
            });
        }
    }
    Ok(())
}

/// Record the KCV of `version` of `kind` (first use, or just created by a rotation). `false`
/// when it was recorded already (and matches); [`KeyCheckError::Mismatch`] when another
/// process recorded a different key for that version.
pub async fn record(
    pool: &PgPool,
    store: &FileKeyStore,
    kind: KeyKind,
    version: u32,
) -> Result<bool, KeyCheckError> {
    let location = store.location(kind, version);
    let kcv = store
        .check_value(kind, version)
        .ok_or_else(|| KeyCheckError::Missing {
            kind,
            version,
            needed_by: "its check value is being recorded".to_owned(),
            location: location.clone(),
        })?;
    let inserted = sqlx::query(
        "INSERT INTO key_check_values (kind, version, kcv) VALUES ($1, $2, $3)
         ON CONFLICT (kind, version) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(db_version(version)?)
    .bind(kcv.as_slice())
    .execute(pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(true);
    }
    let existing: Vec<u8> =
        sqlx::query_scalar("SELECT kcv FROM key_check_values WHERE kind = $1 AND version = $2")
            .bind(kind.as_str())
            .bind(db_version(version)?)
            .fetch_one(pool)
            .await?;
    if existing.as_slice() != kcv.as_slice() {
        return Err(KeyCheckError::Mismatch {
            kind,
            version,
            location,
        });
    }
    Ok(false)
}

/// What [`destroy`] did.
#[derive(Debug)]
pub struct Destroyed {
    /// The key file deleted (file mode); `None` when the key comes from the environment or
    /// its file was gone already.
    pub removed: Option<PathBuf>,
    /// The environment variable the operator must unset, when the key comes from there.
    pub unset: Option<String>,
    /// Whether the destruction was recorded now (`false`: recorded by an earlier run).
    pub newly_recorded: bool,
}

/// `kenpo keys destroy`: refused while anything depends on `version` of `kind` (rows under
/// it, or it is the active or newest recorded version); otherwise records the destruction
/// (`key_destructions`) and deletes the key file. Pass a store checked by [`open_checked`].
pub async fn destroy(
    pool: &PgPool,
    store: &mut FileKeyStore,
    kind: KeyKind,
    version: u32,
) -> Result<Destroyed, KeyCheckError> {
    let refused = |reason: String| KeyCheckError::DestroyRefused {
        kind,
        version,
        reason,
    };
    let recorded = Recorded::load(pool).await?;
    let already = recorded.destroyed.contains_key(&(kind, version));
    if !already {
        if store.active(kind) == version {
            return Err(refused(format!(
                "it is the active version (new data uses it); rotate first (`kenpo keys rotate{}`)",
                if kind == KeyKind::BlindIndex {
                    " --blind-index"
                } else {
                    ""
                }
            )));
        }
        if let Some(rows) = recorded.used.get(&(kind, version)) {
            let what = match kind {
                KeyKind::Kek => {
                    "data keys are still wrapped under it; run `kenpo keys rotate` (or \
                     `kenpo keys rewrap`) first"
                }
                KeyKind::BlindIndex => {
                    "entries of my_number_index are still indexed under it; run `kenpo keys \
                     rotate --blind-index` first (a re-run finishes an interrupted re-index)"
                }
            };
            return Err(refused(format!("{rows} {what}")));
        }
        if recorded.required(kind).contains_key(&version) {
            return Err(refused(
                "it is the newest version the database recorded; rotate first".to_owned(),
            ));
        }
        if !recorded.kcvs.contains_key(&(kind, version)) {
            return Err(refused(format!(
                "the database records no such version (recorded: {})",
                describe_versions(recorded.kcvs.keys())
            )));
        }
    }
    let newly_recorded = !already
        && sqlx::query(
            "INSERT INTO key_destructions (kind, version) VALUES ($1, $2)
             ON CONFLICT (kind, version) DO NOTHING",
        )
        .bind(kind.as_str())
        .bind(db_version(version)?)
        .execute(pool)
        .await?
        .rows_affected()
            == 1;
    let from_env = store.key_path(kind, version).is_none();
    let removed = store.remove(kind, version)?;
    Ok(Destroyed {
        removed,
        unset: from_env.then(|| kind.env_variable(version)),
        newly_recorded,
    })
}

fn describe_versions<'a>(versions: impl Iterator<Item = &'a (KeyKind, u32)>) -> String {
    let listed: BTreeSet<String> = versions
        .map(|(kind, version)| format!("{} v{version}", kind.as_str()))
        .collect();
    if listed.is_empty() {
        "none".to_owned()
    } else {
        listed.into_iter().collect::<Vec<_>>().join(", ")
    }
}

fn db_version(version: u32) -> Result<i32, CryptoError> {
    i32::try_from(version)
        .ok()
        .filter(|v| *v >= 1)
        .ok_or(CryptoError::InvalidKekVersion(i64::from(version)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::key_store::tests::TempDir;
    use crate::crypto::subject_keys;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[sqlx::test(migrator = "crate::migrate::MIGRATOR")]
    async fn keys_are_created_only_for_an_empty_database_and_must_match_it(
        pool: PgPool,
    ) -> TestResult {
        let temp = TempDir::new();
        let first = open_checked(&pool, &temp.0, Mode::Start).await?;
        assert_eq!(first.created.len(), 2);
        assert_eq!(
            first.recorded,
            vec![(KeyKind::Kek, 1), (KeyKind::BlindIndex, 1)]
        );
        let mut conn = pool.acquire().await?;
        subject_keys::get_or_create(&mut conn, &first.store, Uuid::new_v4()).await?;

        // the same keys again: nothing created, nothing recorded
        let again = open_checked(&pool, &temp.0, Mode::Start).await?;
        assert!(again.created.is_empty() && again.recorded.is_empty());

        // an empty directory over a database with data: refused, nothing created
        let empty = TempDir::new();
        let error = open_checked(&pool, &empty.0, Mode::Start)
            .await
            .err()
            .ok_or("opened")?;
        assert!(matches!(error, KeyCheckError::NoKey { .. }), "{error}");
        assert_eq!(error.exit_code(), Some(EXIT_CONFIG));
        assert!(!empty.0.exists());

        // other keys: refused by their check value
        let other = TempDir::new();
        FileKeyStore::open_or_create_with_env(&other.0, Vec::new())?;
        let error = open_checked(&pool, &other.0, Mode::Start)
            .await
            .err()
            .ok_or("opened")?;
        assert!(
            matches!(
                error,
                KeyCheckError::Mismatch {
                    kind: KeyKind::Kek,
                    version: 1,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(error.exit_code(), Some(EXIT_CONFIG));

        // init over a database with keys: refused
        let error = open_checked(&pool, &empty.0, Mode::Init)
            .await
            .err()
            .ok_or("initialised")?;
        assert!(
            matches!(error, KeyCheckError::AlreadyInitialised { .. }),
            "{error}"
        );
        Ok(())
    }
}
