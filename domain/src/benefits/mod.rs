//! 給付 (benefits): calculations, claims from receipt to payment, certificates.

pub mod calc;
pub mod certificates;
pub mod claim;
pub mod payment_batch;
