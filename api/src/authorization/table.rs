//! The table itself: every route the API serves, in the order of the router.

use super::{Admits, Rule};
use crate::application::my_number::access_log::Action;
use crate::application::my_number::guard::{ENTRY_ROLES, READ_ROLES};
use crate::auth::Role;

const QUALIFICATION: Admits = Admits::Roles(&[Role::Qualification]);
const BENEFITS: Admits = Admits::Roles(&[Role::Benefits]);
const PREMIUMS: Admits = Admits::Roles(&[Role::Premiums]);
const SYSTEM_ADMIN: Admits = Admits::Roles(&[Role::SystemAdmin]);
const DATA_PROTECTION: Admits = Admits::Roles(&[Role::DataProtection]);
const EVERY_ROLE: Admits = Admits::Roles(&[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::Review,
    Role::SystemAdmin,
    Role::DataProtection,
    Role::Auditor,
]);
/// The read models of members and claims: every role with a duty on persons, `review`
/// (審査課) included (see the module's doc); not `system_admin`.
const MEMBER_AND_CLAIM_READERS: Admits = Admits::Roles(&[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::Review,
    Role::DataProtection,
    Role::Auditor,
]);
/// The other read models of persons' data: as above without `review`.
const PERSON_DATA_READERS: Admits = Admits::Roles(&[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::DataProtection,
    Role::Auditor,
]);
/// Bank accounts and transfer files: the 給付課 and audit.
const BANK_READERS: Admits = Admits::Roles(&[Role::Benefits, Role::Auditor]);
/// Switching 個人番号 access on and off: whether the user may is the 個人番号 取扱権限 of the
/// ユーザ管理簿 (checked in the handler), for every role but `review` (審査課 is blocked from
/// the 個人番号管理ファイル, L809–812).
const ACCESS_SWITCHERS: &[Role] = &[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::SystemAdmin,
    Role::DataProtection,
    Role::Auditor,
];
const fn public(method: &'static str, path: &'static str, note: &'static str) -> Rule {
    Rule {
        method,
        path,
        admits: Admits::Public,
        note,
        my_number_action: None,
    }
}

const fn get(path: &'static str, admits: Admits, note: &'static str) -> Rule {
    Rule {
        method: "GET",
        path,
        admits,
        note,
        my_number_action: None,
    }
}

const fn post(path: &'static str, admits: Admits, note: &'static str) -> Rule {
    Rule {
        method: "POST",
        path,
        admits,
        note,
        my_number_action: None,
    }
}

/// A 個人番号 route: its refusals are written to the 個人番号 access log as `action`.
const fn my_number(
    method: &'static str,
    path: &'static str,
    roles: &'static [Role],
    action: Action,
    note: &'static str,
) -> Rule {
    Rule {
        method,
        path,
        admits: Admits::Roles(roles),
        note,
        my_number_action: Some(action),
    }
}

const ENTRY: &str = "needs 個人番号 取扱権限 and access switched on; refusals logged";
const PERSON_COMMAND: &str = "適用 command";
const PREMIUM_COMMAND: &str = "徴収 command";

/// Every route the API serves.
pub const TABLE: &[Rule] = &[
    public("GET", "/healthz", "liveness"),
    public("GET", "/readyz", "readiness (database reachable)"),
    public("GET", "/api/v1/openapi.json", "this API's OpenAPI document"),
    // 適用
    post("/api/v1/acquisitions", QUALIFICATION, "資格取得"),
    post("/api/v1/dependents", QUALIFICATION, "被扶養者認定"),
    post("/api/v1/persons/{person_id}/loss", QUALIFICATION, "資格喪失"),
    post("/api/v1/persons/{person_id}/dependent-removal", QUALIFICATION, "被扶養者削除"),
    post("/api/v1/persons/{person_id}/standard-remuneration", QUALIFICATION, "標準報酬の決定"),
    post("/api/v1/persons/{person_id}/bonuses", QUALIFICATION, "賞与支払届"),
    post("/api/v1/persons/{person_id}/name-changes", QUALIFICATION, "氏名変更"),
    post("/api/v1/persons/{person_id}/address-changes", QUALIFICATION, "住所変更"),
    post("/api/v1/persons/{person_id}/maternity-leave/start", QUALIFICATION, PERSON_COMMAND),
    post("/api/v1/persons/{person_id}/maternity-leave/end", QUALIFICATION, PERSON_COMMAND),
    post("/api/v1/persons/{person_id}/childcare-leave/start", QUALIFICATION, PERSON_COMMAND),
    post("/api/v1/persons/{person_id}/childcare-leave/end", QUALIFICATION, PERSON_COMMAND),
    post("/api/v1/persons/{person_id}/certificates", QUALIFICATION, "資格確認書等の交付"),
    post("/api/v1/persons/{person_id}/certificate-collections", QUALIFICATION, "資格確認書等の回収"),
    post("/api/v1/persons/{person_id}/payment-account", QUALIFICATION, "propose a person's bank account for payments (in force once another person confirms it)"),
    post("/api/v1/persons/{person_id}/payment-account/changes/{change_id}/confirmation", QUALIFICATION, "confirm a proposed payee account: never its proposer"),
    post("/api/v1/persons/{person_id}/payment-account/changes/{change_id}/rejection", QUALIFICATION, "reject a proposed payee account: never its proposer"),
    post("/api/v1/persons/{person_id}/identification-changes", QUALIFICATION, "識別番号・記号番号の変更"),
    get("/api/v1/members", MEMBER_AND_CLAIM_READERS, "member search (適用 read model)"),
    get("/api/v1/members/{person_id}", MEMBER_AND_CLAIM_READERS, "one member (適用 read model)"),
    get("/api/v1/members/{person_id}/history", MEMBER_AND_CLAIM_READERS, "a member's history"),
    // ユーザ管理簿
    get("/api/v1/accounts", Admits::Roles(&[Role::SystemAdmin, Role::DataProtection]), "the ユーザ管理簿"),
    get("/api/v1/accounts/{staff_id}", EVERY_ROLE, "one's own account; another's needs system_admin or data_protection (checked in the handler)"),
    post("/api/v1/accounts/changes", SYSTEM_ADMIN, "propose an account change"),
    post("/api/v1/accounts/changes/{change_id}/approval", DATA_PROTECTION, "approve a change (never one's own proposal)"),
    post("/api/v1/accounts/changes/{change_id}/rejection", DATA_PROTECTION, "reject a change"),
    // 個人番号
    my_number("POST", "/api/v1/my-number/access", ACCESS_SWITCHERS, Action::Elevate, "switch 個人番号 access on: needs 個人番号 取扱権限 (and multi-factor sign-in with an identity provider)"),
    my_number("POST", "/api/v1/my-number/access/end", ACCESS_SWITCHERS, Action::EndElevation, "switch 個人番号 access off"),
    my_number("POST", "/api/v1/my-number/lookups", READ_ROLES, Action::Lookup, ENTRY),
    get("/api/v1/my-number/access-log", DATA_PROTECTION, "the 個人番号 access log"),
    get("/api/v1/my-number/review", DATA_PROTECTION, "the monthly review of the access log"),
    get("/api/v1/access-log", Admits::Roles(&[Role::DataProtection, Role::Auditor]), "the personal-data read log"),
    get("/api/v1/access-log/review", Admits::Roles(&[Role::DataProtection, Role::Auditor]), "the monthly review of the read log, with bulk-extraction signals"),
    get("/api/v1/erasures", Admits::Roles(&[Role::DataProtection, Role::Auditor]), "the erasure 管理簿"),
    get("/api/v1/erasure-proofs", Admits::Roles(&[Role::DataProtection, Role::Auditor]), "signed proofs of erasure (kenpo audit erasure-proof)"),
    get("/api/v1/erasure-proofs/{proof_id}", Admits::Roles(&[Role::DataProtection, Role::Auditor]), "one signed proof of erasure, its report as signed"),
    get("/api/v1/audit/verification", Admits::Roles(&[Role::Auditor]), "verify the event log: hash chain and signed checkpoints (no personal data)"),
    my_number("POST", "/api/v1/persons/{person_id}/my-number", ENTRY_ROLES, Action::Register, ENTRY),
    my_number("GET", "/api/v1/persons/{person_id}/my-number", READ_ROLES, Action::Read, ENTRY),
    get("/api/v1/persons/{person_id}/my-number/status", PERSON_DATA_READERS, "a 個人番号 record's status, never the number"),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/change", ENTRY_ROLES, Action::Change, ENTRY),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/deletion", ENTRY_ROLES, Action::Delete, ENTRY),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/not-registered", ENTRY_ROLES, Action::NotRegistered, ENTRY),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/branch-number", ENTRY_ROLES, Action::BranchNumber, ENTRY),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/branch-number/change", ENTRY_ROLES, Action::BranchNumber, ENTRY),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/five-info", ENTRY_ROLES, Action::FiveInfo, ENTRY),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/entries/{entry_id}/confirmation", ENTRY_ROLES, Action::Confirm, "ダブルチェック: key the pending number again; never the person who entered it; needs 個人番号 取扱権限 and access switched on"),
    my_number("POST", "/api/v1/persons/{person_id}/my-number/entries/{entry_id}/withdrawal", ENTRY_ROLES, Action::WithdrawEntry, ENTRY),
    // 保険者パラメータ
    get("/api/v1/parameters", EVERY_ROLE, "parameters (no personal data)"),
    post("/api/v1/parameters/{key}", SYSTEM_ADMIN, "record a parameter value"),
    get("/api/v1/parameters/{key}", EVERY_ROLE, "a parameter in force (no personal data)"),
    post("/api/v1/parameters/{key}/corrections", SYSTEM_ADMIN, "correct a parameter value"),
    // 給付: payments
    post("/api/v1/payment-batches", BENEFITS, "create a payment batch"),
    get("/api/v1/payment-batches", BANK_READERS, "payment batches"),
    get("/api/v1/payment-batches/{batch_id}", BANK_READERS, "one payment batch"),
    get("/api/v1/payment-batches/{batch_id}/transfer-file", BANK_READERS, "the 全銀 transfer file (bank accounts)"),
    post("/api/v1/payment-batches/{batch_id}/approval", BENEFITS, "振込データ承認: never the batch's maker; the transfer file is served only after it"),
    post("/api/v1/payment-batches/{batch_id}/results", BENEFITS, "record a transfer result"),
    post("/api/v1/employers/{office_code}/payment-account", BENEFITS, "propose an employer's bank account (in force once another person confirms it)"),
    get("/api/v1/employers/{office_code}/payment-account", BANK_READERS, "an employer's bank account"),
    post("/api/v1/employers/{office_code}/payment-account/closure", BENEFITS, "propose closing an employer's bank account (in force once another person confirms it)"),
    post("/api/v1/employers/{office_code}/payment-account/changes/{change_id}/confirmation", BENEFITS, "confirm a proposed employer account change: never its proposer"),
    post("/api/v1/employers/{office_code}/payment-account/changes/{change_id}/rejection", BENEFITS, "reject a proposed employer account change: never its proposer"),
    // 給付: claims and certificates
    post("/api/v1/claims", BENEFITS, "receive a claim"),
    get("/api/v1/claims", MEMBER_AND_CLAIM_READERS, "claim search"),
    get("/api/v1/claims/{claim_id}", MEMBER_AND_CLAIM_READERS, "one claim"),
    post("/api/v1/claims/{claim_id}/registration", BENEFITS, "register a claim"),
    post("/api/v1/claims/{claim_id}/calculation", BENEFITS, "calculate a benefit"),
    post("/api/v1/claims/{claim_id}/decision", BENEFITS, "支給決定: never the person who calculated"),
    post("/api/v1/claims/{claim_id}/notice", BENEFITS, "send the decision notice"),
    post("/api/v1/claims/{claim_id}/correction", BENEFITS, "correct a claim: never the person who calculated"),
    post("/api/v1/claims/{claim_id}/withdrawal", BENEFITS, "withdraw a claim"),
    post("/api/v1/certificates", BENEFITS, "issue a medical certificate record"),
    get("/api/v1/certificates", PERSON_DATA_READERS, "medical certificates"),
    get("/api/v1/certificates/{certificate_id}", PERSON_DATA_READERS, "one medical certificate"),
    post("/api/v1/certificates/{certificate_id}/collection", BENEFITS, "collect a certificate"),
    // 徴収
    post("/api/v1/premium-accounts", PREMIUMS, "open a premium account"),
    get("/api/v1/premium-accounts/{person_id}", PERSON_DATA_READERS, "a premium account"),
    post("/api/v1/premium-accounts/{person_id}/assessments", PREMIUMS, "assess a premium"),
    post("/api/v1/premium-accounts/{person_id}/prepayments", PREMIUMS, "record a prepayment"),
    post("/api/v1/premium-accounts/{person_id}/receipts", PREMIUMS, "record a receipt"),
    post("/api/v1/premium-accounts/{person_id}/arrears-detection", PREMIUMS, PREMIUM_COMMAND),
    post("/api/v1/premium-accounts/{person_id}/loss-for-non-payment", PREMIUMS, "資格喪失 for non-payment"),
    post("/api/v1/premium-accounts/{person_id}/closing", PREMIUMS, "close a premium account"),
    post("/api/v1/premium-accounts/{person_id}/receipt-reversals", PREMIUMS, PREMIUM_COMMAND),
    post("/api/v1/premium-accounts/{person_id}/first-premium-unpaid", PREMIUMS, PREMIUM_COMMAND),
    post("/api/v1/premium-accounts/{person_id}/prepayment-shortfall", PREMIUMS, PREMIUM_COMMAND),
    post("/api/v1/premium-accounts/{person_id}/refunds/claim", PREMIUMS, "還付請求"),
    post("/api/v1/premium-accounts/{person_id}/refunds/decision", PREMIUMS, "還付決定"),
    post("/api/v1/premium-accounts/{person_id}/refunds/payment", PREMIUMS, "還付支払"),
    post("/api/v1/premium-receipt-imports", PREMIUMS, "import receipts"),
    get("/api/v1/premium-receipt-imports/{import_id}", PERSON_DATA_READERS, "an import's report"),
    get("/api/v1/premium-arrears", PERSON_DATA_READERS, "arrears"),
    get("/api/v1/premium-refunds", PERSON_DATA_READERS, "refunds"),
    post("/api/v1/employer-notices", PREMIUMS, "issue an employer notice"),
    get("/api/v1/employer-notices", PERSON_DATA_READERS, "employer notices"),
    get("/api/v1/employer-notices/{office_code}/{month}", PERSON_DATA_READERS, "one employer notice"),
    post("/api/v1/employer-notices/{office_code}/{month}/reissue", PREMIUMS, "reissue a notice"),
    post("/api/v1/employer-notices/{office_code}/{month}/receipts", PREMIUMS, "record an employer's payment"),
    post("/api/v1/assessment-runs", PREMIUMS, "the monthly assessment run"),
    // audit
    get("/api/v1/events", Admits::Roles(&[Role::Auditor, Role::SystemAdmin]), "the global feed, narrowed to the stream kinds the roles may read (stream_access::STREAM_READERS)"),
    get("/api/v1/streams/{stream_id}", EVERY_ROLE, "one stream, narrowed by its kind (stream_access::STREAM_READERS; 403 stream_kind_forbidden)"),
];
