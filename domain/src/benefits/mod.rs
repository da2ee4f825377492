//! 給付 (benefits): calculations, entitlement (incl. 資格喪失後の給付), claims from receipt to
//! payment, certificates.

pub mod calc;
pub mod certificates;
pub mod claim;
pub mod eligibility;
pub mod payment_batch;
