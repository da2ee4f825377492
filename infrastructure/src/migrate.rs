//! Database migrations (the SQL files in `migrations/`), embedded in the binary.
//!
//! Migrations run under the **owner** role (the one that owns the tables): `kenpo migrate`,
//! `kenpo serve --migrate`, and the embedded default at every start. The service itself runs
//! as a member of the application role `kenpo_app` (migration 20261207000001), which may not
//! alter the schema; before it serves it checks with [`ensure_current`] that nothing is pending.

use sqlx::PgPool;

/// Every migration of kenpo, applied by `kenpo migrate` (see the module docs).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Apply every pending migration. `pool` must connect as the owner of the schema.
pub async fn run(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// Why the schema is not ready for the service.
#[derive(Debug, thiserror::Error)]
pub enum SchemaCheckError {
    #[error(
        "the database has {} pending migration(s) ({}): kenpo serve does not migrate unless \
         told to; apply them with the owner role: `kenpo migrate` (KENPO_OWNER_DATABASE_URL, \
         else DATABASE_URL), or start with `kenpo serve --migrate` (KENPO_MIGRATE=true)",
        pending.len(),
        pending.join(", ")
    )]
    Pending { pending: Vec<String> },

    #[error(
        "cannot read the applied migrations (_sqlx_migrations) of the database: {source}; if \
         DATABASE_URL is the application role, the migration 20261207000001_application_role \
         (which grants it SELECT there) is not applied yet: run `kenpo migrate` with the owner \
         role (KENPO_OWNER_DATABASE_URL)"
    )]
    Unreadable {
        #[source]
        source: sqlx::Error,
    },
}

/// The migrations of [`MIGRATOR`] not (successfully) applied to the database, as
/// `<version>_<description>`.
pub async fn pending(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    let applied: Vec<i64> = if exists {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await?
    } else {
        Vec::new()
    };
    Ok(MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
        .map(|m| format!("{}_{}", m.version, m.description.replace(' ', "_")))
        .collect())
}

/// `Ok` when every migration of this binary is applied, else what the operator must do.
pub async fn ensure_current(pool: &PgPool) -> Result<(), SchemaCheckError> {
    let pending = pending(pool)
        .await
        .map_err(|source| SchemaCheckError::Unreadable { source })?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(SchemaCheckError::Pending { pending })
    }
}
