//! Staff roles (課・担当) that authorise commands and queries.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role held by a staff user. Tokens carry these as snake_case strings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Role {
    /// 適用課 (適用一課・適用二課): qualification commands.
    Qualification,
    /// 給付課: benefit commands.
    Benefits,
    /// 徴収課: premium commands.
    Premiums,
    /// 審査課: claim review.
    Review,
    /// システム担当 (IT推進課): staff accounts and parameters.
    #[value(alias = "system-admin")]
    SystemAdmin,
    /// データ保護担当: approvals and access-log review.
    #[value(alias = "data-protection")]
    DataProtection,
    /// 監査: read-only audit.
    Auditor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Qualification => "qualification",
            Self::Benefits => "benefits",
            Self::Premiums => "premiums",
            Self::Review => "review",
            Self::SystemAdmin => "system_admin",
            Self::DataProtection => "data_protection",
            Self::Auditor => "auditor",
        }
    }
}
