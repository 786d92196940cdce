//! Generic code never names a dialect: what differs between databases is asked of a
//! `Dialect` hook (or lives in a backend's folder), so that a new dialect cannot compile
//! and silently inherit another one's rules (issue 17).
//!
//! The test reads the sources of `dbconform-core/src`, `dbconform-runtime/src` and `src/`
//! outside the per-dialect folders (`dbconform-core/src/dialect/<name>/`) and per-backend
//! folders (`dbconform-runtime/src/backend/<name>/`), and fails on any string literal that
//! is a dialect's name (`"postgres"`, `"sqlite"`, `"MySQL"`, ...). Comments, doc comments,
//! `feature = "..."` in `cfg` attributes and items behind `#[cfg(test)]` (test modules
//! inline or in their own files) are not generic code and are skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The names no literal in generic code may spell (compared ignoring ASCII case, so
/// display names such as `"SQLite"` count too).
const NAMES: &[&str] = &["postgres", "postgresql", "sqlite", "mysql", "mariadb"];

/// The directories scanned, from the repository root, and the folder whose
/// subdirectories each belong to one dialect or backend and are not scanned.
const ROOTS: &[(&str, Option<&str>)] = &[
    ("dbconform-core/src", Some("dbconform-core/src/dialect")),
    (
        "dbconform-runtime/src",
        Some("dbconform-runtime/src/backend"),
    ),
    ("src", None),
];

/// Files allowed to name a dialect, with the literal and why. Keep it short: every entry
/// is a place a new dialect must edit. Today there is none: registration goes through
/// `dialect::all()` (a list of statics, no names) and URL schemes through
/// `Dialect::url_schemes`. An entry that no longer matches anything fails the test.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// A string literal in code: its line and its text between the quotes, unescaped as
/// little as needed (escapes are kept as written).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Literal {
    line: usize,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Str(Literal),
    Punct(char),
}

/// The tokens of a Rust source file that matter here: identifiers, string literals and
/// punctuation, without comments (doc comments included), numbers, char literals and
/// lifetimes.
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let count_lines =
        |from: usize, to: usize| chars[from..to].iter().filter(|&&c| c == '\n').count();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let start = i;
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            line += count_lines(start, i);
        } else if c == '"' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            let end = i.min(chars.len());
            out.push(Token::Str(Literal {
                line,
                text: chars[start..end].iter().collect(),
            }));
            line += count_lines(start, end);
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\'', '"') or a lifetime ('a): only the first must be
            // skipped whole, or its quote would open a string.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // A raw string (r"..", r#".."#, br".."): up to the quote and as many hashes.
            let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
            if matches!(word.as_str(), "r" | "br" | "cr") && chars.get(i + hashes) == Some(&'"') {
                let start = i + hashes + 1;
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let rest: String = chars[start..].iter().collect();
                let len = rest
                    .find(&close)
                    .map_or(rest.len(), |n| rest[..n].chars().count());
                out.push(Token::Str(Literal {
                    line,
                    text: chars[start..start + len].iter().collect(),
                }));
                line += count_lines(start, start + len);
                i = (start + len + 1 + hashes).min(chars.len());
            } else {
                out.push(Token::Ident(word));
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// What one file holds that matters here: the string literals of its generic code, and
/// the files of the modules it declares behind `#[cfg(test)]` (`mod tests;`), relative
/// to the file's module directory, or to its own directory with a `#[path]`.
#[derive(Debug, Default)]
struct Scanned {
    literals: Vec<Literal>,
    test_modules: Vec<(String, Option<String>)>,
}

fn scan(source: &str) -> Scanned {
    let tokens = tokens(source);
    let mut scanned = Scanned::default();
    let mut i = 0;
    let punct = |i: usize, c: char| tokens.get(i) == Some(&Token::Punct(c));
    let ident = |i: usize, word: &str| matches!(tokens.get(i), Some(Token::Ident(w)) if w == word);
    while i < tokens.len() {
        // `#[cfg(test)]`: the item it gates is test code, skipped whole.
        if punct(i, '#')
            && punct(i + 1, '[')
            && ident(i + 2, "cfg")
            && punct(i + 3, '(')
            && ident(i + 4, "test")
            && punct(i + 5, ')')
            && punct(i + 6, ']')
        {
            i += 7;
            let mut path = None;
            // Further attributes, a `#[path = "..."]` among them.
            while punct(i, '#') && punct(i + 1, '[') {
                if ident(i + 2, "path")
                    && punct(i + 3, '=')
                    && let Some(Token::Str(literal)) = tokens.get(i + 4)
                {
                    path = Some(literal.text.clone());
                }
                let mut depth = 0;
                i += 1;
                loop {
                    match tokens.get(i) {
                        Some(Token::Punct('[')) => depth += 1,
                        Some(Token::Punct(']')) => depth -= 1,
                        None => break,
                        _ => {}
                    }
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            // The item: up to its `;`, or to the end of its first `{ ... }` block.
            let mut depth = 0;
            let mut module = None;
            while i < tokens.len() {
                match &tokens[i] {
                    Token::Ident(word) if word == "mod" && depth == 0 => {
                        if let Some(Token::Ident(name)) = tokens.get(i + 1) {
                            module = Some(name.clone());
                        }
                    }
                    Token::Punct(';') if depth == 0 => {
                        if let Some(name) = module.take() {
                            scanned.test_modules.push((name, path.take()));
                        }
                        i += 1;
                        break;
                    }
                    Token::Punct('{') => depth += 1,
                    Token::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            continue;
        }
        match &tokens[i] {
            // `feature = "sqlite"` selects code by Cargo feature; `doc = "..."` is a doc
            // comment.
            Token::Ident(word)
                if matches!(word.as_str(), "feature" | "doc")
                    && punct(i + 1, '=')
                    && matches!(tokens.get(i + 2), Some(Token::Str(_))) =>
            {
                i += 3;
            }
            Token::Str(literal) => {
                scanned.literals.push(Literal {
                    line: literal.line,
                    text: literal.text.clone(),
                });
                i += 1;
            }
            _ => i += 1,
        }
    }
    scanned
}

/// Every `.rs` file under `dir`, skipping the subdirectories of `per_dialect` (each one a
/// dialect's or backend's folder).
fn rust_files(dir: &Path, per_dialect: Option<&Path>, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if per_dialect != Some(dir) {
                rust_files(&path, per_dialect, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files a `mod name;` in `file` may live in (`name.rs`, `name/mod.rs`), or the
/// `#[path]` given.
fn module_files(file: &Path, name: &str, path: Option<&str>) -> Vec<PathBuf> {
    let parent = file.parent().expect("a file has a directory");
    if let Some(path) = path {
        return vec![parent.join(path)];
    }
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let dir = if matches!(stem, "mod" | "lib" | "main") {
        parent.to_path_buf()
    } else {
        parent.join(stem)
    };
    vec![
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
}

/// Every dialect name spelled in generic code: `(file, line, literal)`, the file relative
/// to `root`.
fn dialect_names_in_generic_code(root: &Path) -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    for (dir, per_dialect) in ROOTS {
        let per_dialect = per_dialect.map(|p| root.join(p));
        rust_files(&root.join(dir), per_dialect.as_deref(), &mut files);
    }
    let mut scanned = Vec::new();
    let mut test_files = BTreeSet::new();
    for file in &files {
        let source = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let found = scan(&source);
        for (name, path) in &found.test_modules {
            test_files.extend(module_files(file, name, path.as_deref()));
        }
        scanned.push((file, found.literals));
    }
    let mut hits = Vec::new();
    for (file, literals) in scanned {
        // A test module's file, or any file in a test module's directory (`tests/mod.rs`).
        let in_test_dir = |t: &PathBuf| {
            t.ends_with("mod.rs") && t.parent().is_some_and(|dir| file.starts_with(dir))
        };
        if test_files.contains(file) || test_files.iter().any(in_test_dir) {
            continue;
        }
        let relative = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        for literal in literals {
            if NAMES.iter().any(|n| literal.text.eq_ignore_ascii_case(n)) {
                hits.push((relative.clone(), literal.line, literal.text));
            }
        }
    }
    hits
}

#[test]
fn generic_code_names_no_dialect() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hits = dialect_names_in_generic_code(root);
    let allowed = |(file, _, text): &&(String, usize, String)| {
        ALLOWED.iter().any(|(f, t, _)| f == file && t == text)
    };
    let refused: Vec<String> = hits
        .iter()
        .filter(|hit| !allowed(hit))
        .map(|(file, line, text)| format!("{file}:{line}: \"{text}\""))
        .collect();
    assert!(
        refused.is_empty(),
        "generic code names a dialect; ask a `Dialect` hook instead (or move the code into \
         the dialect's or backend's folder):\n{}",
        refused.join("\n")
    );
    for (file, text, why) in ALLOWED {
        assert!(
            hits.iter().any(|(f, _, t)| f == file && t == text),
            "the allow-list entry {file} \"{text}\" ({why}) matches nothing any more: remove it"
        );
    }
}

#[test]
fn the_scan_sees_code_only() {
    let source = r##"
//! "sqlite" in a module doc
/// "postgres" in a doc comment
#[cfg(feature = "sqlite")]
fn a() -> &'static str {
    let _ = '"'; // "mysql" in a comment
    /* "mariadb" /* nested */ "postgres" */
    let _ = r#"raw "x""#;
    "postgres"
}

#[cfg(test)]
mod tests {
    fn b() { let _ = "sqlite"; }
}

#[cfg(test)]
#[path = "x_tests.rs"]
mod x_tests;

fn c() -> &'static str {
    "SQLite"
}
"##;
    let scanned = scan(source);
    let texts: Vec<(usize, &str)> = scanned
        .literals
        .iter()
        .map(|l| (l.line, l.text.as_str()))
        .collect();
    assert_eq!(texts, [(8, "raw \"x\""), (9, "postgres"), (22, "SQLite")]);
    assert_eq!(
        scanned.test_modules,
        [("x_tests".to_string(), Some("x_tests.rs".to_string()))]
    );
}
