//! The public surface of `dbconform` is the hand-kept list `tests/public_api.txt`: a change
//! to it must be deliberate (see the file's header for how to update it).
//!
//! Two checks:
//!
//! - `facade_names_match_the_list` (stable toolchain, instant): the names `src/lib.rs`
//!   publishes (its `pub use` and `pub mod` items not marked `#[doc(hidden)]`) are the
//!   list's top-level names.
//! - `surface_matches_the_list` (nightly toolchain): rustdoc's JSON output of `dbconform`,
//!   `dbconform-core`, `dbconform-runtime` and `dbconform-derive` (the same that
//!   `cargo doc` renders: hidden items left out), walked from `dbconform`'s root through
//!   every re-export, gives every public path with its kind: modules, types, their public
//!   fields, variants (and variant fields), inherent methods, trait methods and the traits
//!   each type implements. It must equal the list. Skipped with a message without a
//!   nightly toolchain, except in CI (`CI` set), where it fails instead.
//!
//! With `DBCONFORM_BLESS_PUBLIC_API=1` the nightly check rewrites the list's entries (the
//! header is kept) instead of failing: review the diff, then commit it.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const LIST: &str = "tests/public_api.txt";
const BLESS: &str = "DBCONFORM_BLESS_PUBLIC_API";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The list's header (comment and blank lines before the first entry) and its entries.
fn read_list() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(root().join(LIST)).expect("tests/public_api.txt");
    let mut header = String::new();
    let mut entries = Vec::new();
    for line in text.lines() {
        if entries.is_empty() && (line.starts_with('#') || line.trim().is_empty()) {
            header.push_str(line);
            header.push('\n');
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            entries.push(line.to_string());
        }
    }
    (header, entries)
}

/// What differs between the list and `actual`, one `-`/`+` line each.
fn difference(listed: &[String], actual: &[String]) -> Vec<String> {
    let listed_set: BTreeSet<&String> = listed.iter().collect();
    let actual_set: BTreeSet<&String> = actual.iter().collect();
    let mut lines: Vec<String> = listed_set
        .difference(&actual_set)
        .map(|l| format!("- {l}   (listed, no longer public)"))
        .collect();
    lines.extend(
        actual_set
            .difference(&listed_set)
            .map(|l| format!("+ {l}   (public, not listed)")),
    );
    lines
}

// ---------------------------------------------------------------------------------------
// The stable check: the names src/lib.rs publishes.

/// The names of the `pub use` and `pub mod` items at the top level of `source` that are
/// not `#[doc(hidden)]`.
fn published_names(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut depth = 0usize;
    let mut hidden = false;
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if depth == 0 {
            if trimmed.starts_with("#[doc(hidden)]") {
                hidden = true;
            } else if trimmed.starts_with("pub use ") {
                // The whole item, up to its `;`.
                let mut item = trimmed.to_string();
                while !item.ends_with(';') {
                    item.push(' ');
                    item.push_str(lines.next().expect("a `pub use` ends with `;`").trim());
                }
                if !hidden {
                    let tree = item.trim_start_matches("pub use ").trim_end_matches(';');
                    use_tree_names(tree, &mut names);
                }
                hidden = false;
                continue;
            } else if let Some(rest) = trimmed.strip_prefix("pub mod ") {
                if !hidden {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.insert(name);
                }
                hidden = false;
            } else if !(trimmed.starts_with("#[")
                || trimmed.starts_with("///")
                || trimmed.starts_with("//")
                || trimmed.is_empty())
            {
                hidden = false;
            }
        }
        // Brace depth outside strings and comments is enough for this file.
        let code = trimmed.split("//").next().unwrap_or_default();
        for c in code.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    names
}

/// The names a use tree (`a::{B, c::D as E, self}`) brings in.
fn use_tree_names(tree: &str, names: &mut BTreeSet<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let prefix = &tree[..open];
        let inner = &tree[open + 1..tree.rfind('}').expect("a `{` is closed")];
        // Split at the commas of this level.
        let mut depth = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
            if part == "self" {
                let module = prefix.trim_end_matches("::");
                names.insert(module.rsplit("::").next().unwrap_or(module).to_string());
            } else {
                use_tree_names(part, names);
            }
        }
    } else if let Some((_, alias)) = tree.split_once(" as ") {
        names.insert(alias.trim().to_string());
    } else {
        names.insert(tree.rsplit("::").next().unwrap_or(tree).trim().to_string());
    }
}

#[test]
fn facade_names_match_the_list() {
    let source = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let published: Vec<String> = published_names(&source).into_iter().collect();
    let (_, entries) = read_list();
    let listed: Vec<String> = entries
        .iter()
        .filter_map(|e| e.split_whitespace().next())
        .map(|path| path.trim_end_matches(':'))
        .filter_map(|path| path.strip_prefix("dbconform::"))
        .filter(|rest| !rest.contains("::") && !rest.contains('.'))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let differences = difference(&listed, &published);
    assert!(
        differences.is_empty(),
        "the names src/lib.rs publishes differ from {LIST}'s top-level names; a change to the \
         public surface must be deliberate: update the list (see its header)\n{}",
        differences.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The nightly check: the whole surface, from rustdoc's JSON output.

/// One crate's rustdoc JSON.
struct Doc {
    json: Value,
    /// Path (`["dbconform_core", "plan", "Plan"]`) → id, for the crate's own items.
    by_path: BTreeMap<Vec<String>, String>,
}

impl Doc {
    fn load(file: &Path) -> Doc {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let json: Value = serde_json::from_str(&text).expect("rustdoc JSON");
        let mut by_path = BTreeMap::new();
        for (id, summary) in json["paths"].as_object().expect("paths") {
            if summary["crate_id"].as_u64() == Some(0) && json["index"].get(id).is_some() {
                by_path.insert(strings(&summary["path"]), id.clone());
            }
        }
        // Items `paths` lists under an id of their own (a derive macro): by their place in
        // the module tree.
        let mut doc = Doc { json, by_path };
        let root = doc.json["root"].clone();
        let name = doc.json["index"][id_key(&root)]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        doc.add_paths(&root, vec![name]);
        doc
    }

    fn add_paths(&mut self, module: &Value, path: Vec<String>) {
        let items = self.json["index"][id_key(module)]["inner"]["module"]["items"].clone();
        for child in items.as_array().into_iter().flatten() {
            let Some(item) = self.item(child) else {
                continue;
            };
            let Some(name) = item["name"].as_str() else {
                continue; // a `use`
            };
            let mut child_path = path.clone();
            child_path.push(name.to_string());
            let is_module = item["inner"].get("module").is_some();
            self.by_path
                .entry(child_path.clone())
                .or_insert_with(|| id_key(child));
            if is_module {
                self.add_paths(child, child_path);
            }
        }
    }

    fn item(&self, id: &Value) -> Option<&Value> {
        self.json["index"].get(id_key(id))
    }

    fn crate_name_of(&self, id: &Value) -> Option<(String, Vec<String>)> {
        let summary = self.json["paths"].get(id_key(id))?;
        let crate_id = summary["crate_id"].as_u64()?.to_string();
        let name = if crate_id == "0" {
            self.json["index"][id_key(&self.json["root"])]["name"]
                .as_str()?
                .to_string()
        } else {
            self.json["external_crates"][&crate_id]["name"]
                .as_str()?
                .to_string()
        };
        Some((name, strings(&summary["path"])))
    }

    /// The canonical path of `id` (`core::fmt::Display`), for trait names.
    fn path_of(&self, id: &Value) -> Option<String> {
        let summary = self.json["paths"].get(id_key(id))?;
        Some(strings(&summary["path"]).join("::"))
    }
}

fn id_key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every crate's JSON, by crate name.
struct Docs(BTreeMap<String, Doc>);

impl Docs {
    fn walk(&self, krate: &str, id: &Value, path: &str, out: &mut BTreeSet<String>, depth: usize) {
        assert!(depth < 32, "re-exports nest too deep at {path}");
        let doc = &self.0[krate];
        let Some(item) = doc.item(id) else {
            // Not in this crate's documentation: another crate's item.
            match doc.crate_name_of(id) {
                Some((name, original)) if name != krate && self.0.contains_key(&name) => {
                    let other = &self.0[&name];
                    match other.by_path.get(&original) {
                        Some(other_id) => {
                            let other_id = Value::String(other_id.clone());
                            self.walk(&name, &other_id, path, out, depth + 1)
                        }
                        None => {
                            out.insert(format!("{path} (re-export of {})", original.join("::")));
                        }
                    }
                }
                Some((_, original)) => {
                    out.insert(format!("{path} (re-export of {})", original.join("::")));
                }
                None => {
                    out.insert(format!("{path} (re-export)"));
                }
            }
            return;
        };
        let inner = item["inner"].as_object().expect("an item's inner");
        let (kind, details) = inner.iter().next().expect("an item kind");
        match kind.as_str() {
            "module" => {
                out.insert(format!("{path} (mod)"));
                for child in details["items"].as_array().into_iter().flatten() {
                    let Some(child_item) = doc.item(child) else {
                        continue;
                    };
                    let name = match child_item["inner"].get("use") {
                        Some(u) => u["name"].as_str().unwrap_or_default().to_string(),
                        None => child_item["name"].as_str().unwrap_or_default().to_string(),
                    };
                    let child_path = format!("{path}::{name}");
                    self.walk(krate, child, &child_path, out, depth + 1);
                }
            }
            "use" if details["is_glob"].as_bool() == Some(true) => {
                // `pub use module::*` inside a module (the runtime's `testing` gathers the
                // backends' throwaway databases so): the target module's items stand in the
                // module holding the glob, under their own names.
                let parent = path.rsplit_once("::").map_or(path, |(parent, _)| parent);
                let target = details.get("id").filter(|id| !id.is_null());
                let items = target
                    .and_then(|t| doc.item(t))
                    .and_then(|m| m["inner"].get("module"))
                    .and_then(|m| m["items"].as_array().cloned())
                    .unwrap_or_else(|| {
                        panic!("{path}: a glob re-export of something not a module of this crate")
                    });
                for child in &items {
                    let Some(child_item) = doc.item(child) else {
                        continue;
                    };
                    let name = match child_item["inner"].get("use") {
                        Some(u) => u["name"].as_str().unwrap_or_default().to_string(),
                        None => child_item["name"].as_str().unwrap_or_default().to_string(),
                    };
                    self.walk(krate, child, &format!("{parent}::{name}"), out, depth + 1);
                }
            }
            "use" => match details.get("id").filter(|id| !id.is_null()) {
                Some(target) => self.walk(krate, target, path, out, depth + 1),
                None => {
                    out.insert(format!("{path} (re-export of {})", details["source"]));
                }
            },
            "struct" => {
                out.insert(format!("{path} (struct)"));
                let fields = match &details["kind"] {
                    Value::Object(k) => match (k.get("plain"), k.get("tuple")) {
                        (Some(plain), _) => plain["fields"].as_array().cloned().unwrap_or_default(),
                        (_, Some(Value::Array(tuple))) => tuple.clone(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                self.fields(doc, &fields, path, out);
                self.impls(doc, details, path, out);
            }
            "enum" => {
                out.insert(format!("{path} (enum)"));
                for variant in details["variants"].as_array().into_iter().flatten() {
                    let Some(v) = doc.item(variant) else {
                        continue;
                    };
                    let name = v["name"].as_str().unwrap_or_default();
                    let vpath = format!("{path}::{name}");
                    out.insert(format!("{vpath} (variant)"));
                    let kind = &v["inner"]["variant"]["kind"];
                    let fields = match kind {
                        Value::Object(k) => match (k.get("struct"), k.get("tuple")) {
                            (Some(s), _) => s["fields"].as_array().cloned().unwrap_or_default(),
                            (_, Some(Value::Array(tuple))) => tuple.clone(),
                            _ => Vec::new(),
                        },
                        _ => Vec::new(),
                    };
                    self.fields(doc, &fields, &vpath, out);
                }
                self.impls(doc, details, path, out);
            }
            "union" => {
                out.insert(format!("{path} (union)"));
                self.impls(doc, details, path, out);
            }
            "trait" => {
                out.insert(format!("{path} (trait)"));
                for member in details["items"].as_array().into_iter().flatten() {
                    if let Some(m) = doc.item(member) {
                        let name = m["name"].as_str().unwrap_or_default();
                        let what = m["inner"]
                            .as_object()
                            .and_then(|i| i.keys().next().cloned());
                        out.insert(format!(
                            "{path}::{name} (trait {})",
                            what.unwrap_or_default()
                        ));
                    }
                }
            }
            "function" => {
                out.insert(format!("{path} (fn)"));
            }
            "proc_macro" => {
                let what = details["kind"].as_str().unwrap_or("proc macro");
                out.insert(format!("{path} ({what})"));
            }
            other => {
                out.insert(format!("{path} ({other})"));
            }
        }
    }

    fn fields(&self, doc: &Doc, fields: &[Value], path: &str, out: &mut BTreeSet<String>) {
        for (position, field) in fields.iter().enumerate() {
            if field.is_null() {
                continue; // a private field of a tuple struct
            }
            let name = doc
                .item(field)
                .and_then(|f| f["name"].as_str())
                .map(str::to_string)
                .unwrap_or_else(|| position.to_string());
            out.insert(format!("{path}.{name} (field)"));
        }
    }

    /// Inherent methods and associated items, and the traits implemented (not the
    /// blanket and auto-trait impls rustdoc adds).
    fn impls(&self, doc: &Doc, details: &Value, path: &str, out: &mut BTreeSet<String>) {
        for id in details["impls"].as_array().into_iter().flatten() {
            let Some(item) = doc.item(id) else { continue };
            let imp = &item["inner"]["impl"];
            if imp["is_synthetic"].as_bool() == Some(true) || !imp["blanket_impl"].is_null() {
                continue;
            }
            match imp.get("trait").filter(|t| !t.is_null()) {
                Some(tr) => {
                    let name = doc
                        .path_of(&tr["id"])
                        .unwrap_or_else(|| tr["path"].as_str().unwrap_or_default().to_string());
                    let negative = if imp["is_negative"].as_bool() == Some(true) {
                        "!"
                    } else {
                        ""
                    };
                    out.insert(format!("{path}: impl {negative}{name}"));
                }
                None => {
                    for member in imp["items"].as_array().into_iter().flatten() {
                        if let Some(m) = doc.item(member) {
                            let name = m["name"].as_str().unwrap_or_default();
                            let what = match m["inner"].as_object().and_then(|i| i.keys().next()) {
                                Some(k) if k == "function" => "method".to_string(),
                                Some(k) => k.clone(),
                                None => String::new(),
                            };
                            out.insert(format!("{path}::{name} ({what})"));
                        }
                    }
                }
            }
        }
    }
}

/// Whether `cargo +nightly` runs.
fn nightly_available() -> bool {
    Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// rustdoc's JSON for each crate of the facade, built with nightly into a target directory
/// of its own (kept between runs).
fn rustdoc_json() -> Docs {
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("public-api");
    let mut docs = BTreeMap::new();
    for (package, krate) in [
        ("dbconform-core", "dbconform_core"),
        ("dbconform-runtime", "dbconform_runtime"),
        ("dbconform-derive", "dbconform_derive"),
        ("dbconform", "dbconform"),
    ] {
        let mut command = Command::new("cargo");
        command
            .current_dir(root())
            .args([
                "+nightly", "rustdoc", "--quiet", "--locked", "--lib", "-p", package,
            ])
            .args([
                "--all-features",
                "-Z",
                "unstable-options",
                "--output-format",
                "json",
            ])
            .env("CARGO_TARGET_DIR", &target);
        // The outer cargo's settings are for the stable build of this test.
        for var in [
            "RUSTC",
            "RUSTDOC",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "RUSTUP_TOOLCHAIN",
            "RUSTFLAGS",
            "RUSTDOCFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_ENCODED_RUSTDOCFLAGS",
            "CARGO_BUILD_RUSTC",
            "CARGO_BUILD_RUSTDOC",
        ] {
            command.env_remove(var);
        }
        let output = command.output().expect("cargo +nightly rustdoc");
        assert!(
            output.status.success(),
            "cargo +nightly rustdoc -p {package} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        docs.insert(
            krate.to_string(),
            Doc::load(&target.join("doc").join(format!("{krate}.json"))),
        );
    }
    Docs(docs)
}

#[test]
fn surface_matches_the_list() {
    if !nightly_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no nightly toolchain (`cargo +nightly`): the public surface check needs it in CI"
        );
        eprintln!(
            "skipping the public surface check: no nightly toolchain (`rustup toolchain install nightly`)"
        );
        return;
    }
    let docs = rustdoc_json();
    let facade = &docs.0["dbconform"];
    let mut surface = BTreeSet::new();
    docs.walk(
        "dbconform",
        &facade.json["root"],
        "dbconform",
        &mut surface,
        0,
    );
    let actual: Vec<String> = surface.into_iter().collect();
    let (header, listed) = read_list();
    if std::env::var_os(BLESS).is_some() {
        let mut text = header;
        for line in &actual {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(root().join(LIST), text).unwrap();
        return;
    }
    let differences = difference(&listed, &actual);
    assert!(
        differences.is_empty(),
        "the public surface differs from {LIST}; a change to it must be deliberate: \
         run `{BLESS}=1 cargo test --all-features --test public_api`, review the diff and \
         commit it (see the list's header)\n{}",
        differences.join("\n")
    );
}
