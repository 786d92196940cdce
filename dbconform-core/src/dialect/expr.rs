//! A small scanner for the SQL expressions users declare (defaults, CHECKs, partial-index
//! predicates). It does not parse SQL; it only knows where string literals and quoted
//! identifiers begin and end, which is enough to decide whether a default needs
//! parentheses and to refuse text that would break the statement it is pasted into.

/// Where each character of an expression lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    /// Plain SQL.
    Code,
    /// Inside a `'...'` literal or a `"..."` / `` `...` `` quoted identifier (quotes included).
    Quoted,
}

/// Splits `expr` into (char, region) pairs. Returns `None` when a literal or quoted
/// identifier is not closed.
fn regions(expr: &str) -> Option<Vec<(char, Region)>> {
    let mut out = Vec::with_capacity(expr.len());
    let mut chars = expr.chars().peekable();
    while let Some(ch) = chars.next() {
        if matches!(ch, '\'' | '"' | '`') {
            out.push((ch, Region::Quoted));
            let mut closed = false;
            while let Some(inner) = chars.next() {
                out.push((inner, Region::Quoted));
                if inner == ch {
                    // A doubled quote is an escaped quote, not the end.
                    if chars.peek() == Some(&ch) {
                        chars.next();
                        out.push((ch, Region::Quoted));
                    } else {
                        closed = true;
                        break;
                    }
                }
            }
            if !closed {
                return None;
            }
        } else {
            out.push((ch, Region::Code));
        }
    }
    Some(out)
}

/// Why an expression cannot be pasted into a statement, if it cannot.
///
/// Refused: empty text, an unclosed literal or quoted identifier, and `;`, `--` or `/*`
/// outside literals (they would end the statement or comment out the rest of it).
pub(crate) fn problem(expr: &str) -> Option<&'static str> {
    if expr.trim().is_empty() {
        return Some("is empty");
    }
    let Some(regions) = regions(expr) else {
        return Some("has a string literal or quoted identifier that is not closed");
    };
    let mut depth: i64 = 0;
    let mut prev = ' ';
    for &(ch, region) in &regions {
        if region == Region::Code {
            match (prev, ch) {
                (_, ';') => return Some("contains `;` outside a string literal"),
                ('-', '-') => return Some("contains `--` outside a string literal"),
                ('/', '*') => return Some("contains `/*` outside a string literal"),
                (_, '(') => depth += 1,
                (_, ')') => {
                    depth -= 1;
                    if depth < 0 {
                        return Some("has a `)` without a matching `(`");
                    }
                }
                _ => {}
            }
            prev = ch;
        } else {
            prev = ' ';
        }
    }
    if depth != 0 {
        return Some("has a `(` without a matching `)`");
    }
    None
}

/// Splits `expr` into maximal runs of plain SQL (`false`) and of quoted text (`true`: a
/// `'...'` literal or a `"..."` / `` `...` `` quoted identifier, quotes included).
/// Returns `None` when a literal or quoted identifier is not closed.
pub(crate) fn segments(expr: &str) -> Option<Vec<(String, bool)>> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut prev: Option<Region> = None;
    for (ch, region) in regions(expr)? {
        // Two adjacent literals (`'a' 'b'`) are never adjacent without a separator in
        // valid SQL, so one run per region kind is enough.
        match out.last_mut() {
            Some((text, _)) if prev == Some(region) => text.push(ch),
            _ => out.push((ch.to_string(), region == Region::Quoted)),
        }
        prev = Some(region);
    }
    Some(out)
}

/// `expr` without the parentheses that enclose all of it, however many: `((a))` → `a`,
/// `(a) + (b)` unchanged. Surrounding whitespace is trimmed at each level.
pub(crate) fn strip_outer_parens(expr: &str) -> &str {
    let mut expr = expr.trim();
    while is_parenthesized(expr) {
        expr = expr[1..expr.len() - 1].trim();
    }
    expr
}

/// `true` when the whole expression is one parenthesized group: `(1+1)`, not `(a) + (b)`.
pub(crate) fn is_parenthesized(expr: &str) -> bool {
    let Some(regions) = regions(expr) else {
        return false;
    };
    if regions.first().map(|r| r.0) != Some('(') {
        return false;
    }
    let mut depth = 0i64;
    for (i, &(ch, region)) in regions.iter().enumerate() {
        if region != Region::Code {
            continue;
        }
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1 == regions.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// `true` for one complete string literal `'...'` (or blob literal `X'...'`).
pub(crate) fn is_string_literal(expr: &str) -> bool {
    let body = expr.strip_prefix(['x', 'X']).unwrap_or(expr);
    let Some(rest) = body.strip_prefix('\'') else {
        return false;
    };
    let mut chars = rest.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch == '\'' {
            // A doubled quote is an escaped quote, not the end.
            if chars.peek().map(|&(_, c)| c) == Some('\'') {
                chars.next();
                continue;
            }
            // The literal that opens the text must end it.
            return i + 1 == rest.len();
        }
    }
    false
}

/// `true` for a signed decimal or hexadecimal number: `0`, `-1`, `+2.5`, `1e10`, `.5`, `0x1F`.
pub(crate) fn is_signed_number(expr: &str) -> bool {
    let unsigned = expr.strip_prefix(['+', '-']).unwrap_or(expr);
    if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(pos) => (&unsigned[..pos], Some(&unsigned[pos + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Keywords a DEFAULT may hold bare on every backend.
const BARE_KEYWORDS: [&str; 6] = [
    "NULL",
    "TRUE",
    "FALSE",
    "CURRENT_TIME",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
];

/// The text written after `DEFAULT`: the declared expression, bare when it is a literal,
/// a signed number, `NULL`/`TRUE`/`FALSE` or `CURRENT_TIME`/`CURRENT_DATE`/
/// `CURRENT_TIMESTAMP`, or already one parenthesized group; in parentheses otherwise.
///
/// SQLite accepts only those forms bare (anything else must be parenthesized) and
/// PostgreSQL accepts every expression in parentheses, so one rule serves both. The text
/// itself is never altered: `'a;b'` and `'it''s'` are kept byte for byte.
pub(crate) fn default_sql(expr: &str) -> String {
    let expr = expr.trim();
    let bare = is_string_literal(expr)
        || is_signed_number(expr)
        || BARE_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(expr))
        || is_parenthesized(expr);
    if bare {
        expr.to_string()
    } else {
        format!("({expr})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_parenthesized_only_when_needed() {
        for (declared, written) in [
            ("'a;b'", "'a;b'"),
            ("'it''s'", "'it''s'"),
            ("''", "''"),
            ("X'00ff'", "X'00ff'"),
            ("0", "0"),
            ("-1", "-1"),
            ("+2.5", "+2.5"),
            ("1e-3", "1e-3"),
            (".5", ".5"),
            ("0x1F", "0x1F"),
            ("TRUE", "TRUE"),
            ("false", "false"),
            ("NULL", "NULL"),
            ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
            ("current_date", "current_date"),
            ("(1+1)", "(1+1)"),
            ("  7  ", "7"),
            ("lower('X')", "(lower('X'))"),
            ("1+1", "(1+1)"),
            ("(a) + (b)", "((a) + (b))"),
            ("'a' || 'b'", "('a' || 'b')"),
            ("'x'::text", "('x'::text)"),
            ("now()", "(now())"),
            ("-", "(-)"),
            ("1.2.3", "(1.2.3)"),
            ("e5", "(e5)"),
            ("'(' || ')'", "('(' || ')')"),
        ] {
            assert_eq!(default_sql(declared), written, "default {declared:?}");
        }
    }

    #[test]
    fn statement_breaking_text_is_refused() {
        assert_eq!(problem("'a;b'"), None);
        assert_eq!(problem("'--' || \"a;b\""), None);
        assert_eq!(problem("price >= 0"), None);
        assert_eq!(problem("  "), Some("is empty"));
        assert_eq!(
            problem("1; DROP TABLE x"),
            Some("contains `;` outside a string literal")
        );
        assert_eq!(
            problem("1 -- c"),
            Some("contains `--` outside a string literal")
        );
        assert_eq!(
            problem("1 /* c */"),
            Some("contains `/*` outside a string literal")
        );
        assert_eq!(
            problem("'open"),
            Some("has a string literal or quoted identifier that is not closed")
        );
        assert_eq!(problem("(1"), Some("has a `(` without a matching `)`"));
        assert_eq!(problem("1)"), Some("has a `)` without a matching `(`"));
        assert_eq!(problem("')'"), None);
    }

    #[test]
    fn segments_split_code_from_quoted_text() {
        let seg = |s| segments(s).unwrap();
        assert_eq!(
            seg("a = 'x;y' AND \"B\" > 0"),
            [
                ("a = ".to_string(), false),
                ("'x;y'".to_string(), true),
                (" AND ".to_string(), false),
                ("\"B\"".to_string(), true),
                (" > 0".to_string(), false),
            ]
        );
        assert_eq!(seg("'it''s'"), [("'it''s'".to_string(), true)]);
        assert_eq!(seg(""), Vec::<(String, bool)>::new());
        assert_eq!(segments("'open"), None);
    }

    #[test]
    fn outer_parentheses_are_stripped() {
        assert_eq!(strip_outer_parens(" ((now())) "), "now()");
        assert_eq!(strip_outer_parens("( ( a ) )"), "a");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("(')')"), "')'");
        assert_eq!(strip_outer_parens("()"), "");
    }

    #[test]
    fn parenthesized_groups_are_recognised() {
        assert!(is_parenthesized("(1)"));
        assert!(is_parenthesized("((a) + (b))"));
        assert!(is_parenthesized("(')')"));
        assert!(!is_parenthesized("(a) + (b)"));
        assert!(!is_parenthesized("(a"));
        assert!(!is_parenthesized("a"));
        assert!(!is_parenthesized(""));
    }
}
