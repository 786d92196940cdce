//! The examples in the rendered documentation use only paths a user can write: the crates
//! `dbconform_core` and `dbconform_runtime` are re-exported by `dbconform`, and their items
//! are documented there, so a visible `dbconform_core::...` in an example cannot be
//! imported by its reader. (Hidden `# ` lines may name them: they make the example compile
//! where it is defined.)

use std::path::Path;

/// `(file, line)` of every visible example line naming an inner crate.
fn inner_paths(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            inner_paths(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut in_example = false;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let Some(doc) = trimmed
                .strip_prefix("///")
                .or_else(|| trimmed.strip_prefix("//!"))
            else {
                in_example = false;
                continue;
            };
            let doc = doc.strip_prefix(' ').unwrap_or(doc);
            if doc.starts_with("```") {
                in_example = !in_example;
                continue;
            }
            let hidden = doc.starts_with("# ") || doc == "#";
            if in_example
                && !hidden
                && (doc.contains("dbconform_core::") || doc.contains("dbconform_runtime::"))
            {
                found.push(format!("{}:{}: {doc}", path.display(), i + 1));
            }
        }
    }
}

#[test]
fn examples_use_dbconform_paths_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in [
        "src",
        "dbconform-core/src",
        "dbconform-runtime/src",
        "dbconform-derive/src",
    ] {
        inner_paths(&root.join(dir), &mut found);
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
