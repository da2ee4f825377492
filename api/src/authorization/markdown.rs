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

/// The markers around the generated table in docs/access.md.
pub const BEGIN: &str = "<!-- access-table:begin -->\n";
pub const END: &str = "<!-- access-table:end -->";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_access_md_holds_exactly_what_kenpo_access_table_prints() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/access.md");
        let page = std::fs::read_to_string(path).expect("docs/access.md");
        let block = page
            .split_once(BEGIN)
            .and_then(|(_, rest)| rest.split_once(END))
            .map(|(block, _)| block)
            .expect("docs/access.md has the access-table markers");
        assert!(
            block == table(),
            "docs/access.md is stale: regenerate its table with\n  \
             cargo run -q -p kenpo-api -- access-table\nand paste the output between the \
             access-table markers"
        );
    }
}
