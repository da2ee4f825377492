//! 給付関係の証 read model: one row per certificate (限度額適用認定証, 高齢受給者証,
//! 特定疾病療養受療証), folded inline by the certificate commands and rebuilt by the same code.

pub mod query;
mod store;
mod view;

use kenpo_domain::benefits::certificates::MedicalCertificateEvent;
use kenpo_infrastructure::event_store::StoredEvent;
use sqlx::PgConnection;
use uuid::Uuid;

pub use view::{CertificateStatus, CertificateView};

use crate::ProjectionError;

/// Stream type of the events this read model folds (`MedicalCertificate::TYPE`).
pub const STREAM_TYPE: &str = "medical_certificate";

/// A certificate event with its stream coordinates.
#[derive(Debug, Clone)]
pub struct CertificateEventAt {
    pub certificate_id: Uuid,
    pub version: i64,
    pub event: MedicalCertificateEvent,
}

impl CertificateEventAt {
    /// Read a stored event of a certificate stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let Some(id) = stored
            .stream_id
            .strip_prefix("medical_certificate-")
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            return Ok(None);
        };
        Ok(Some(Self {
            certificate_id: id,
            version: stored.version,
            event: stored.domain_event()?,
        }))
    }
}

/// Fold `events` (in log order) into the `medical_certificates` table.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[CertificateEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.certificate_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut views = store::load(conn, &ids).await?;
    for e in events {
        match (&e.event, views.get_mut(&e.certificate_id)) {
            (MedicalCertificateEvent::MedicalCertificateIssued(issued), _) => {
                views.insert(e.certificate_id, CertificateView::issued(e.version, issued));
            }
            (event, Some(view)) => view.apply(e.version, event),
            (_, None) => {}
        }
    }
    let touched: Vec<&CertificateView> = ids.iter().filter_map(|id| views.get(id)).collect();
    store::save(conn, &touched).await
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE medical_certificates")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
