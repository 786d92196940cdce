//! Every Markdown document a source comment or a document cites exists in the repository
//! (comments once cited design notes that were never committed).

use std::path::{Path, PathBuf};

/// Every `.rs` and `.md` file under `dir`, build output and hidden folders left out.
fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            files(&path, found);
        } else if name.ends_with(".rs") || name.ends_with(".md") {
            found.push(path);
        }
    }
}

/// The `NAME.md` documents `text` cites (upper-case names: `ARCHITECTURE.md`,
/// `docs/DATABASE_TRAPS.md`), with any folder written before them.
fn cited(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(".md") {
        let before = &text[..at];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let cited = &text[start..at + 3];
        let name = cited.rsplit('/').next().unwrap_or(cited);
        let stem = &name[..name.len() - 3];
        let upper = !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
        if upper {
            out.push(cited.trim_start_matches("./").to_string());
        }
    }
    out
}

#[test]
fn every_cited_document_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(root, &mut all);
    assert!(all.len() > 50, "found only {} files", all.len());
    let mut missing = Vec::new();
    // This file names documents as examples of what it looks for.
    let this = root.join(file!());
    for file in all.iter().filter(|f| **f != this) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for doc in cited(&text) {
            let name = doc.rsplit('/').next().unwrap_or(&doc);
            let candidates = [
                root.join(&doc),
                root.join("docs").join(name),
                root.join(name),
                file.parent().unwrap_or(root).join(&doc),
            ];
            if !candidates.iter().any(|c| c.exists()) {
                missing.push(format!(
                    "{} cites {doc}",
                    file.strip_prefix(root).unwrap_or(file).display()
                ));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "documents cited but not in the repository:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_scan_finds_citations() {
    assert_eq!(
        cited("see DESIGN.md §7 and (docs/DATABASE_TRAPS.md S7), not readme.md"),
        ["DESIGN.md", "docs/DATABASE_TRAPS.md"]
    );
}
