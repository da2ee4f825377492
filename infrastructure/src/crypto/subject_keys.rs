//! Per-person data keys in `subject_keys` (migration `20261125000003_subject_keys.sql`): one
//! row per person with a My Number stream, holding only the data key wrapped by a KEK.
//! Deleting the row (the retention job) crypto-shreds the person's My Number values.
//!
//! Unwrapped data keys are returned to the caller and never cached here: use one for a request
//! or a batch, then drop it (it zeroizes itself).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{CryptoError, DataKey, KeyEncryptionKeys};

type Row = (Uuid, i32, Vec<u8>);

/// The person's key id and data key, creating (random DEK, random v4 key id, wrapped under
/// the active KEK) and storing them on first use. Race-safe: `INSERT … ON CONFLICT DO
/// NOTHING`, then the row that won is read and unwrapped, so two concurrent callers get the
/// same key. Pass a transaction (`&mut *tx`) to create the key atomically with the event that
/// uses it.
pub async fn get_or_create(
    conn: &mut PgConnection,
    keks: &dyn KeyEncryptionKeys,
    person_id: Uuid,
) -> Result<(Uuid, DataKey), CryptoError> {
    if let Some(found) = get(&mut *conn, keks, person_id).await? {
        return Ok(found);
    }
    let dek = DataKey::generate()?;
    let key_id = Uuid::new_v4();
    let (kek_version, wrapped) = keks.wrap(person_id, key_id, &dek)?;
    let inserted = sqlx::query(
        "INSERT INTO subject_keys (person_id, key_id, kek_version, wrapped_dek)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (person_id) DO NOTHING",
    )
    .bind(person_id)
    .bind(key_id)
    .bind(db_version(kek_version)?)
    .bind(&wrapped)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok((key_id, dek));
    }
    get(conn, keks, person_id)
        .await?
        .ok_or(CryptoError::SubjectKeyVanished(person_id))
}

/// The person's key id and data key, or `None` when the person has none (never registered,
/// or erased by the retention job).
pub async fn get(
    conn: &mut PgConnection,
    keks: &dyn KeyEncryptionKeys,
    person_id: Uuid,
) -> Result<Option<(Uuid, DataKey)>, CryptoError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT key_id, kek_version, wrapped_dek FROM subject_keys WHERE person_id = $1",
    )
    .bind(person_id)
    .fetch_optional(conn)
    .await?;
    let Some((key_id, kek_version, wrapped)) = row else {
        return Ok(None);
    };
    let dek = keks.unwrap(
        person_id,
        key_id,
        kek_version_of(person_id, kek_version)?,
        &wrapped,
    )?;
    Ok(Some((key_id, dek)))
}

/// How many data keys are wrapped under a KEK older than the active one (what
/// [`rewrap_all`] has left to do).
pub async fn count_to_rewrap(
    pool: &PgPool,
    keks: &dyn KeyEncryptionKeys,
) -> Result<u64, CryptoError> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM subject_keys WHERE kek_version < $1")
        .bind(db_version(keks.active_version())?)
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Re-wrap every data key wrapped under a KEK version older than the active one, `batch`
/// rows per transaction (rows locked `FOR UPDATE`, so a concurrent run or retention job never
/// sees a half-done row). Touches no event and no data key: only `kek_version`, `wrapped_dek`
/// and `rewrapped_at` change. Resumable: an interrupted run leaves whole batches done, and the
/// next run continues with the rest. Rows already under a newer version than this process
/// knows are left alone. Calls `progress` with the running total after each batch; returns
/// how many rows it re-wrapped.
pub async fn rewrap_all(
    pool: &PgPool,
    keks: &dyn KeyEncryptionKeys,
    batch: i64,
    progress: &dyn Fn(u64),
) -> Result<u64, CryptoError> {
    let batch = batch.max(1);
    let mut done = 0_u64;
    loop {
        let active = db_version(keks.active_version())?;
        let mut tx = pool.begin().await?;
        let rows: Vec<(Uuid, Uuid, i32, Vec<u8>)> = sqlx::query_as(
            "SELECT person_id, key_id, kek_version, wrapped_dek FROM subject_keys
             WHERE kek_version < $1
             ORDER BY kek_version, person_id
             LIMIT $2
             FOR UPDATE",
        )
        .bind(active)
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(done);
        }
        let mut in_batch = 0_u64;
        for (person_id, key_id, old_version, wrapped) in rows {
            let dek = keks.unwrap(
                person_id,
                key_id,
                kek_version_of(person_id, old_version)?,
                &wrapped,
            )?;
            let (new_version, rewrapped) = keks.wrap(person_id, key_id, &dek)?;
            in_batch += sqlx::query(
                "UPDATE subject_keys
                 SET kek_version = $3, wrapped_dek = $4, rewrapped_at = now()
                 WHERE person_id = $1 AND kek_version = $2",
            )
            .bind(person_id)
            .bind(old_version)
            .bind(db_version(new_version)?)
            .bind(&rewrapped)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        done += in_batch;
        progress(done);
    }
}

fn db_version(version: u32) -> Result<i32, CryptoError> {
    i32::try_from(version)
        .ok()
        .filter(|v| *v >= 1)
        .ok_or(CryptoError::InvalidKekVersion(i64::from(version)))
}

fn kek_version_of(person_id: Uuid, version: i32) -> Result<u32, CryptoError> {
    u32::try_from(version).map_err(|_| CryptoError::CorruptRow {
        person_id,
        reason: "negative kek_version",
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::Mutex;

    use super::*;
    use crate::crypto::key_store::tests::TempDir;
    use crate::crypto::{open, seal, FileKeyStore, SealContext};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn store(temp: &TempDir) -> Result<FileKeyStore, CryptoError> {
        Ok(FileKeyStore::open_or_create_with_env(&temp.0, Vec::new())?.0)
    }

    fn key_hex(temp: &TempDir, file: &str) -> Result<String, std::io::Error> {
        Ok(std::fs::read_to_string(temp.0.join(file))?
            .trim()
            .to_owned())
    }

    #[sqlx::test(migrator = "crate::migrate::MIGRATOR")]
    async fn get_or_create_is_idempotent(pool: PgPool) -> TestResult {
        let temp = TempDir::new();
        let keks = store(&temp)?;
        let person = Uuid::new_v4();
        let mut conn = pool.acquire().await?;
        assert!(get(&mut conn, &keks, person).await?.is_none());
        let (key_id, dek) = get_or_create(&mut conn, &keks, person).await?;
        let (again_id, again) = get_or_create(&mut conn, &keks, person).await?;
        assert_eq!(key_id, again_id);
        assert_eq!(dek.expose_secret(), again.expose_secret());
        let (got_id, got) = get(&mut conn, &keks, person).await?.ok_or("no key")?;
        assert_eq!((got_id, got.expose_secret()), (key_id, dek.expose_secret()));

        let (other_id, other) = get_or_create(&mut conn, &keks, Uuid::new_v4()).await?;
        assert_ne!(other_id, key_id);
        assert_ne!(other.expose_secret(), dek.expose_secret());

        let (version, wrapped): (i32, Vec<u8>) = sqlx::query_as(
            "SELECT kek_version, wrapped_dek FROM subject_keys WHERE person_id = $1",
        )
        .bind(person)
        .fetch_one(&mut *conn)
        .await?;
        assert_eq!(version, 1);
        assert!(!wrapped.windows(32).any(|w| w == dek.expose_secret()));

        // Crypto-shredding: without the row the key is gone.
        sqlx::query("DELETE FROM subject_keys WHERE person_id = $1")
            .bind(person)
            .execute(&mut *conn)
            .await?;
        assert!(get(&mut conn, &keks, person).await?.is_none());
        Ok(())
    }

    #[sqlx::test(migrator = "crate::migrate::MIGRATOR")]
    async fn concurrent_get_or_create_makes_one_row(pool: PgPool) -> TestResult {
        let temp = TempDir::new();
        let keks = Arc::new(store(&temp)?);
        for _ in 0..10 {
            let person = Uuid::new_v4();
            let barrier = Arc::new(tokio::sync::Barrier::new(2));
            let mut tasks = Vec::new();
            for _ in 0..2 {
                let (pool, keks, barrier) = (pool.clone(), keks.clone(), barrier.clone());
                tasks.push(tokio::spawn(async move {
                    let mut tx = pool.begin().await?;
                    barrier.wait().await;
                    let (key_id, dek) = get_or_create(&mut tx, &*keks, person).await?;
                    tx.commit().await?;
                    Ok::<_, CryptoError>((key_id, *dek.expose_secret()))
                }));
            }
            let mut results = Vec::new();
            for task in tasks {
                results.push(task.await??);
            }
            assert_eq!(results[0], results[1]);
            let rows: i64 =
                sqlx::query_scalar("SELECT count(*) FROM subject_keys WHERE person_id = $1")
                    .bind(person)
                    .fetch_one(&pool)
                    .await?;
            assert_eq!(rows, 1);
        }
        Ok(())
    }

    #[sqlx::test(migrator = "crate::migrate::MIGRATOR")]
    async fn rotation_rewraps_every_key_and_old_values_still_open(pool: PgPool) -> TestResult {
        let temp = TempDir::new();
        let mut keks = store(&temp)?;
        let kek_v1 = key_hex(&temp, "kek-v1.key")?;
        let bik = key_hex(&temp, "bidx-v1.key")?;

        let mut before = Vec::new();
        let mut conn = pool.acquire().await?;
        for i in 0..25_i64 {
            let person = Uuid::new_v4();
            let (key_id, dek) = get_or_create(&mut conn, &keks, person).await?;
            let stream_id = format!("my_number-{person}");
            let context = SealContext {
                stream_id: &stream_id,
                version: i + 1,
                event_type: "MyNumberRegistered",
            };
            let sealed = seal(&dek, key_id, &context, b"123456789018")?;
            before.push((person, key_id, *dek.expose_secret(), stream_id, sealed));
        }
        drop(conn);

        assert_eq!(keks.rotate_kek()?, 2);
        let kek_v2 = key_hex(&temp, "kek-v2.key")?;
        assert_eq!(count_to_rewrap(&pool, &keks).await?, 25);
        let seen = Mutex::new(Vec::new());
        let record = |done: u64| {
            if let Ok(mut seen) = seen.lock() {
                seen.push(done);
            }
        };
        let rewrapped = rewrap_all(&pool, &keks, 7, &record).await?;
        assert_eq!(rewrapped, 25);
        assert_eq!(*seen.lock().map_err(|_| "poisoned")?, vec![7, 14, 21, 25]);
        assert_eq!(count_to_rewrap(&pool, &keks).await?, 0);

        let versions: Vec<(i32, bool)> =
            sqlx::query_as("SELECT kek_version, rewrapped_at IS NOT NULL FROM subject_keys")
                .fetch_all(&pool)
                .await?;
        assert_eq!(versions.len(), 25);
        assert!(versions.iter().all(|row| *row == (2, true)));

        // Every data key is unchanged and opens what was sealed before the rotation, also in a
        // process that opens the key directory afresh.
        let (reopened, _) = FileKeyStore::open_or_create_with_env(&temp.0, Vec::new())?;
        let mut conn = pool.acquire().await?;
        for (i, (person, key_id, dek_bytes, stream_id, sealed)) in before.iter().enumerate() {
            let (got_id, dek) = get(&mut conn, &reopened, *person).await?.ok_or("no key")?;
            assert_eq!(got_id, *key_id);
            assert_eq!(dek.expose_secret(), dek_bytes);
            let context = SealContext {
                stream_id,
                version: i64::try_from(i)? + 1,
                event_type: "MyNumberRegistered",
            };
            assert_eq!(&open(&dek, &context, sealed)?[..], b"123456789018");
        }

        // Resumable and idempotent: nothing left to do.
        assert_eq!(rewrap_all(&pool, &keks, 7, &|_| {}).await?, 0);

        // No key material anywhere in the database: scan every column of every table as text
        // (bytea shows as hex) for the KEKs, the blind-index key and every data key.
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
             FROM information_schema.tables
             WHERE table_type = 'BASE TABLE'
               AND table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_all(&mut *conn)
        .await?;
        assert!(tables.iter().any(|t| t.ends_with(".subject_keys")));
        let mut secrets = vec![kek_v1, kek_v2, bik];
        secrets.extend(before.iter().map(|entry| hex::encode(entry.2)));
        for table in &tables {
            let dump: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {table} t"))
                .fetch_all(&mut *conn)
                .await?;
            for row in &dump {
                for secret in &secrets {
                    assert!(!row.contains(secret.as_str()), "key material in {table}");
                }
                assert!(!row.contains("123456789018"), "plaintext in {table}");
            }
        }
        Ok(())
    }

    #[sqlx::test(migrator = "crate::migrate::MIGRATOR")]
    async fn a_wrong_kek_is_an_error_and_rewrap_stops_without_damage(pool: PgPool) -> TestResult {
        let temp = TempDir::new();
        let keks = store(&temp)?;
        let person = Uuid::new_v4();
        let mut conn = pool.acquire().await?;
        get_or_create(&mut conn, &keks, person).await?;

        // Another key directory: same version number, different KEK.
        let other_temp = TempDir::new();
        let mut other = store(&other_temp)?;
        assert!(matches!(
            get(&mut conn, &other, person).await,
            Err(CryptoError::Unwrap { person_id, kek_version: 1, .. }) if person_id == person
        ));
        other.rotate_kek()?;
        assert!(matches!(
            rewrap_all(&pool, &other, 10, &|_| {}).await,
            Err(CryptoError::Unwrap { .. })
        ));
        // The row is untouched and still opens with the right KEK.
        assert!(get(&mut conn, &keks, person).await?.is_some());
        Ok(())
    }
}
