//! The table as Markdown, for people: `kenpo access-table` prints it and docs/access.md
//! holds its output (a test keeps the two equal).

use super::{Admits, TABLE};

/// The table as a Markdown table: method, path, roles, note.
pub fn table() -> String {
    let mut out = String::from("| Method | Path | Roles | Note |\n|---|---|---|---|\n");
    for rule in TABLE {
        let roles = match rule.admits {
            Admits::Public => "public".to_owned(),
            Admits::Roles(_) => rule
                .role_names()
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            rule.method,
            rule.path,
            roles,
            rule.note.replace('|', "\\|")
        ));
    }
    out
}
