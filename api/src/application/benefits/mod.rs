//! 給付 (benefits) application services: claims from 受付 to decision with the calculation
//! made by the server from the claim, 適用 and the parameter registry; and the benefit
//! certificates. Each command is one transaction (`command::run`): the 適用 streams read are
//! locked for share, the claim's or certificate's events are appended and folded into the
//! `benefit_claims` / `medical_certificates` read models before commit.

pub mod calculation;
pub mod certificate;
pub mod claim;
pub mod details;
pub mod eligibility;
