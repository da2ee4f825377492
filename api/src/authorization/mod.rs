//! Who may call which route (アクセス権限表): one table, [`TABLE`], read by the router's
//! guard ([`guard::admit`]), the OpenAPI document (`x-roles`, [`openapi::RolesInDocument`]),
//! `kenpo access-table` (docs/access.md) and the access matrix test.
//!
//! Every route is listed with its method and path template exactly as served, and either
//! [`Admits::Public`] or the roles it admits, in the order the acting role is chosen: a user
//! holding several admitted roles acts under the first of them (it is recorded in the
//! events' metadata). A route served without an entry is refused (deny by default).
//!
//! The guard runs before the handler, so a refused request is answered 403 `forbidden`
//! before its body is read. Checks that depend on data stay in the handlers and are named in
//! each entry's note: the stream kind ([`crate::application::stream_access`]), one's own
//! account, the 個人番号 取扱権限 and access switched on
//! ([`crate::application::my_number::guard`]).
//!
//! ## The `review` role (審査課)
//!
//! 審査課 is one of the society's work units (source L816, 使用部署 L1055; domain digest lines
//! 39 and 486). Its duty, レセプト審査, runs in separate systems (レセプトシステム etc.) that are
//! linked to the 基幹システム without 個人番号: they "use 識別番号 and 証記号番号+枝番 from the
//! 適用ファイル" and do not touch the 個人番号管理ファイル (L809–812; digest lines 774–778 and
//! 997). 個人番号の重複登録の審査 is not its duty either: it is a function of the 個人番号管理
//! システム itself, which refuses a number registered for another person (L191, L2012–2013;
//! digest line 581). So `review` reads members (the 適用 read model, by 識別番号) and benefit
//! claims, the raw streams of those two kinds and the parameters; it has no command, no
//! 個人番号 route (not even a record's status), no premium, certificate, bank-account or
//! employer data.

pub mod guard;
pub mod markdown;
pub mod openapi;
mod table;

use crate::application::my_number::access_log::Action;
use crate::auth::Role;

pub use table::TABLE;

/// Who a route admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admits {
    /// Anyone, without a token (health checks, the OpenAPI document).
    Public,
    /// A staff user holding one of these roles; the first one held is the acting role.
    Roles(&'static [Role]),
}

/// One route of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `GET` or `POST` (a `HEAD` request is checked as `GET`).
    pub method: &'static str,
    /// The path template as served, e.g. `/api/v1/claims/{claim_id}/decision`.
    pub path: &'static str,
    pub admits: Admits,
    /// The duty in one line, with the finer checks the handler makes.
    pub note: &'static str,
    /// A refusal of this route is also written to the 個人番号 access log as this action
    /// (every refusal on a 個人番号 route is logged).
    pub my_number_action: Option<Action>,
}

impl Rule {
    /// The role names admitted, or `["public"]`.
    pub fn role_names(&self) -> Vec<&'static str> {
        match self.admits {
            Admits::Public => vec!["public"],
            Admits::Roles(roles) => roles.iter().map(|r| r.as_str()).collect(),
        }
    }
}

/// The entry for `method` and the matched path template; `None` = not in the table.
pub fn rule(method: &str, path: &str) -> Option<&'static Rule> {
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    TABLE
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_listed_once_with_a_note_and_roles() {
        let mut seen = std::collections::HashSet::new();
        for r in TABLE {
            assert!(
                seen.insert((r.method, r.path)),
                "{} {} is listed twice",
                r.method,
                r.path
            );
            assert!(matches!(r.method, "GET" | "POST"), "{}", r.method);
            assert!(!r.note.is_empty(), "{} {} has a note", r.method, r.path);
            if let Admits::Roles(roles) = r.admits {
                assert!(!roles.is_empty(), "{} {} admits someone", r.method, r.path);
            }
        }
    }

    #[test]
    fn lookup_is_by_method_and_template_and_head_is_get() {
        assert!(rule("GET", "/healthz").is_some());
        assert!(rule("HEAD", "/healthz").is_some());
        assert!(rule("POST", "/healthz").is_none());
        assert!(rule("GET", "/api/v1/claims/0190").is_none());
        assert!(rule("POST", "/api/v1/claims/{claim_id}/decision").is_some());
    }

    #[test]
    fn review_reads_members_and_claims_only() {
        let admitted: Vec<(&str, &str)> = TABLE
            .iter()
            .filter(|r| matches!(r.admits, Admits::Roles(roles) if roles.contains(&Role::Review)))
            .map(|r| (r.method, r.path))
            .collect();
        for (method, path) in &admitted {
            assert_eq!(*method, "GET", "{path}");
            assert!(
                path.starts_with("/api/v1/members")
                    || path.starts_with("/api/v1/claims")
                    || path.starts_with("/api/v1/parameters")
                    || *path == "/api/v1/streams/{stream_id}"
                    || *path == "/api/v1/accounts/{staff_id}",
                "{path}"
            );
        }
    }
}
