//! What every request handler shares.

use std::sync::Arc;

use kenpo_infrastructure::crypto::{BlindIndexKey, KeyEncryptionKeys};
use kenpo_infrastructure::event_store::Upcasters;
use sqlx::PgPool;

use crate::auth::SigningKey;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// Verifies bearer tokens: development HS256 tokens, or the identity provider's only.
    pub signing_key: SigningKey,
    pub upcasters: Arc<Upcasters>,
    /// Key-encryption keys that wrap each person's data key (outside the database).
    pub keks: Arc<dyn KeyEncryptionKeys>,
    /// The blind-index key (outside the database).
    pub bik: Arc<dyn BlindIndexKey>,
}
