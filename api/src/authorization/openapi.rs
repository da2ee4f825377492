//! The table in the OpenAPI document: every operation gets `x-roles` (the admitted role
//! names, or `["public"]`) and its description ends with them.

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::Operation;
use utoipa::Modify;

use super::{Admits, Rule};

/// The [`Modify`] that writes the table into the document.
pub struct RolesInDocument;

/// The sentence an operation's description ends with.
pub fn roles_sentence(rule: &Rule) -> String {
    match rule.admits {
        Admits::Public => "Roles: public (no token).".to_owned(),
        Admits::Roles(_) => format!("Roles: {}.", rule.role_names().join(", ")),
    }
}

fn annotate(operation: &mut Operation, rule: &Rule) {
    let names = serde_json::Value::from(rule.role_names());
    operation
        .extensions
        .get_or_insert_with(Extensions::default)
        .insert("x-roles".to_owned(), names);
    let sentence = roles_sentence(rule);
    operation.description = Some(match operation.description.take() {
        Some(text) if !text.trim().is_empty() => format!("{}\n\n{sentence}", text.trim_end()),
        _ => sentence,
    });
    if rule.admits == Admits::Public {
        // no bearer token needed: an empty requirement list overrides the document's
        operation.security = Some(Vec::new());
    }
}

impl Modify for RolesInDocument {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in [("GET", item.get.as_mut()), ("POST", item.post.as_mut())] {
                if let (Some(operation), Some(rule)) = (operation, super::rule(method, path)) {
                    annotate(operation, rule);
                }
            }
        }
    }
}
