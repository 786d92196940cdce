//! Pure string helpers: default table names, doc comments, `references` and column specs.
//!
//! Nothing here knows about syn; every function is unit-tested below.

/// The default table name for a struct: snake_case of its name.
///
/// An `_` goes before an upper-case letter that follows a lower-case letter or a digit, and
/// before the last capital of an acronym that starts a new word, so `OrderItem` is
/// `order_item`, `HTTPLog` is `http_log`, `UserV2` is `user_v2` and `ABC` is `abc`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                let prev = chars[i - 1];
                let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                if prev.is_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_uppercase() && next_is_lower)
                {
                    out.push('_');
                }
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Joins the values of `#[doc = "..."]` attributes (`///` lines) into one comment.
///
/// One leading space is removed from every line (the one after `///`), lines are joined
/// with `\n` and the result is trimmed; an empty result is `None`.
pub fn join_doc<'a>(docs: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lines: Vec<&str> = docs
        .into_iter()
        .flat_map(|doc| doc.split('\n'))
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    let joined = lines.join("\n");
    let trimmed = joined.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// The target of `references = "table(column)"` or `"schema.table(column)"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The referenced table's schema, if the reference names one.
    pub schema: Option<String>,
    /// The referenced table.
    pub table: String,
    /// The referenced columns, in order (one for a field's `references`).
    pub columns: Vec<String>,
}

/// Parses a `references` value; the error says what is wrong with it. `many` allows
/// several columns (`#[foreign_key(references = "teams(org_id, team_no)")]`); a field's
/// `references` names exactly one.
pub fn parse_references(text: &str, many: bool) -> Result<Reference, String> {
    let form = if many {
        "expected `table(column, ...)` or `schema.table(column, ...)`"
    } else {
        "expected `table(column)` or `schema.table(column)`"
    };
    let text = text.trim();
    let (Some(open), true) = (text.find('('), text.ends_with(')')) else {
        return Err(format!(
            "{form}, like `references = \"users(id)\"`: the referenced column is missing"
        ));
    };
    let target = text[..open].trim();
    let inside = text[open + 1..text.len() - 1].trim();
    if inside.is_empty() {
        return Err(format!("{form}: no column between the parentheses"));
    }
    if inside.contains(',') && !many {
        return Err(format!(
            "{form}: a field references exactly one column, but this names several; \
             reference several with a struct-level `#[foreign_key(columns(...), references = \"...\")]`"
        ));
    }
    if inside.contains(['(', ')']) {
        return Err(format!("{form}: unbalanced parentheses"));
    }
    let columns: Vec<String> = inside.split(',').map(|c| c.trim().to_string()).collect();
    if columns.iter().any(String::is_empty) {
        return Err(format!("{form}: an empty column name in the list"));
    }
    let parts: Vec<&str> = target.split('.').map(str::trim).collect();
    let (schema, table) = match parts.as_slice() {
        [table] => (None, *table),
        [schema, table] => (Some(*schema), *table),
        _ => return Err(format!("{form}: too many `.` in the table name")),
    };
    if table.is_empty() || schema.is_some_and(str::is_empty) {
        return Err(format!("{form}: the table name is empty"));
    }
    Ok(Reference {
        schema: schema.map(str::to_string),
        table: table.to_string(),
        columns,
    })
}

/// Splits an index column spec (`"name"`, `"name DESC"`, `"name asc"`) into the column and
/// whether it is descending. `None` for the order means none was written.
pub fn split_order(spec: &str) -> (&str, Option<bool>) {
    let spec = spec.trim();
    if let Some((name, order)) = spec.rsplit_once(char::is_whitespace) {
        let name = name.trim_end();
        if !name.is_empty() {
            if order.eq_ignore_ascii_case("desc") {
                return (name, Some(true));
            }
            if order.eq_ignore_ascii_case("asc") {
                return (name, Some(false));
            }
        }
    }
    (spec, None)
}

/// The referential actions `on_delete` / `on_update` accept, in attribute spelling.
pub const FK_ACTIONS: &[&str] = &[
    "cascade",
    "set_null",
    "set_default",
    "restrict",
    "no_action",
];

/// Normalizes an action the way `FkAction::parse` in dbconform-core does (case-insensitive,
/// spaces for `_`) and returns its index in [`FK_ACTIONS`].
pub fn parse_fk_action(text: &str) -> Option<usize> {
    let normal = text.trim().to_ascii_lowercase().replace(' ', "_");
    FK_ACTIONS.iter().position(|a| *a == normal)
}

/// The `#[sqlx(rename_all = "...")]` styles, spelled as sqlx spells them.
pub const RENAME_ALL_STYLES: &[&str] = &[
    "lowercase",
    "snake_case",
    "UPPERCASE",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "camelCase",
    "PascalCase",
];

/// `name` renamed by a `rename_all` style exactly as `sqlx::FromRow` renames it (sqlx uses
/// the same `heck` conversions); `name` itself for a style not in [`RENAME_ALL_STYLES`].
pub fn rename_all(name: &str, style: &str) -> String {
    use heck::{
        ToKebabCase as _, ToLowerCamelCase as _, ToShoutySnakeCase as _, ToSnakeCase as _,
        ToUpperCamelCase as _,
    };
    match style {
        "lowercase" => name.to_lowercase(),
        "snake_case" => name.to_snake_case(),
        "UPPERCASE" => name.to_uppercase(),
        "SCREAMING_SNAKE_CASE" => name.to_shouty_snake_case(),
        "kebab-case" => name.to_kebab_case(),
        "camelCase" => name.to_lower_camel_case(),
        "PascalCase" => name.to_upper_camel_case(),
        _ => name.to_string(),
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_rules() {
        for (input, expected) in [
            ("Product", "product"),
            ("OrderItem", "order_item"),
            ("HTTPLog", "http_log"),
            ("HttpLog", "http_log"),
            ("ABC", "abc"),
            ("UserV2", "user_v2"),
            ("V2User", "v2_user"),
            ("Utf8Data", "utf8_data"),
            ("already_snake", "already_snake"),
            ("Order_Item", "order_item"),
            ("XMLHttpRequest", "xml_http_request"),
            ("Ünïcode", "ünïcode"),
        ] {
            assert_eq!(snake_case(input), expected, "{input}");
        }
    }

    #[test]
    fn doc_lines_are_joined_and_trimmed() {
        assert_eq!(
            join_doc([" Products we sell."]),
            Some("Products we sell.".into())
        );
        assert_eq!(
            join_doc([" First line.", "", "  indented", " last "]),
            Some("First line.\n\n indented\nlast".into())
        );
        assert_eq!(join_doc([" ", ""]), None);
        assert_eq!(join_doc([]), None);
        // A block comment arrives as one attribute holding several lines.
        assert_eq!(join_doc(["\n one\n two\n"]), Some("one\ntwo".into()));
    }

    #[test]
    fn references_parse() {
        assert_eq!(
            parse_references("users(id)", false),
            Ok(Reference {
                schema: None,
                table: "users".into(),
                columns: vec!["id".into()]
            })
        );
        assert_eq!(
            parse_references(" billing . invoices ( number ) ", false),
            Ok(Reference {
                schema: Some("billing".into()),
                table: "invoices".into(),
                columns: vec!["number".into()]
            })
        );
        assert_eq!(
            parse_references("teams(org_id, team_no)", true),
            Ok(Reference {
                schema: None,
                table: "teams".into(),
                columns: vec!["org_id".into(), "team_no".into()]
            })
        );
        for bad in [
            "users",
            "users(",
            "(id)",
            "users()",
            "a.b.c(id)",
            "users(a, b)",
            ".t(id)",
        ] {
            assert!(parse_references(bad, false).is_err(), "{bad}");
        }
        assert!(parse_references("t(a, )", true).is_err());
    }

    #[test]
    fn index_orders_split() {
        assert_eq!(split_order("a"), ("a", None));
        assert_eq!(split_order("a DESC"), ("a", Some(true)));
        assert_eq!(split_order("a  asc "), ("a", Some(false)));
        assert_eq!(split_order("my col desc"), ("my col", Some(true)));
        assert_eq!(split_order("desc"), ("desc", None));
        assert_eq!(split_order("a sideways"), ("a sideways", None));
    }

    #[test]
    fn fk_actions_parse_like_core() {
        assert_eq!(parse_fk_action("CASCADE"), Some(0));
        assert_eq!(parse_fk_action("set null"), Some(1));
        assert_eq!(parse_fk_action("no_action"), Some(4));
        assert_eq!(parse_fk_action("delete"), None);
    }

    #[test]
    fn typos_find_their_key() {
        let keys = ["max_length", "primary_key", "name"];
        assert_eq!(closest("max_len", &keys), None);
        assert_eq!(closest("maxlength", &keys), Some("max_length"));
        assert_eq!(closest("primary", &keys), None);
        assert_eq!(closest("nmae", &keys), Some("name"));
        assert_eq!(closest("zzzz", &keys), None);
    }
}
