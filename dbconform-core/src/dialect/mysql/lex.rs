//! A tokenizer for the SQL text MySQL and MariaDB exchange with dbconform: declared
//! expressions (standard SQL quoting: `'it''s'`, `"name"` an identifier) and the text the
//! catalog reports (MySQL quoting: `\` escapes inside literals, `"..."` a string, charset
//! introducers such as `_utf8mb4'x'`). It does not parse; [`super::sql_expr`] does.
//!
//! Three rewrites are built on it: [`to_mysql`] (declared text to the text written into
//! DDL), [`from_catalog`] (catalog text to declared-style text, the reflection contract in
//! `mod.rs`) and the token stream the normal form reads.

use std::ops::Range;

/// How string literals are quoted in the text being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quoting {
    /// Standard SQL, as declarations are written: `''` is a quote, `\` is itself, `"..."`
    /// is a quoted identifier.
    Standard,
    /// MySQL's default (`NO_BACKSLASH_ESCAPES` off), as the server prints: `\` escapes the
    /// next character, `''` is a quote too, `"..."` is a string.
    Backslash,
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A string literal, decoded to its value.
    Str(String),
    /// A number as written (`0`, `-` is an operator, `1.50`, `1e3`).
    Num(String),
    /// A bit-value literal (`b'01'`, `0b01`): its digits.
    Bits(String),
    /// A hexadecimal literal (`x'0f'`, `0x0F`): its digits in lower case.
    Hex(String),
    /// A quoted identifier (`` `a``b` ``, or `"a"` in standard text), unquoted.
    Ident(String),
    /// A bare word (keyword, function or column name), as written.
    Word(String),
    /// A charset introducer before a string literal (`_utf8mb4`, `N`), as written.
    Introducer(String),
    /// Punctuation and operators: `(`, `)`, `,`, `.`, `<=`, `<>`, `!=`, `||`, ...
    Op(String),
}

/// A token and where it lies in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Range<usize>,
}

/// Operators of more than one character, longest first.
const MULTI_OPS: [&str; 12] = [
    "<=>", "->>", "<=", ">=", "<>", "!=", "||", "&&", "<<", ">>", ":=", "->",
];

/// The tokens of `text`, or `None` when a literal or quoted identifier is not closed.
pub(super) fn tokenize(text: &str, quoting: Quoting) -> Option<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let ch = text[i..].chars().next()?;
        let start = i;
        if ch.is_whitespace() {
            i += ch.len_utf8();
            continue;
        }
        let tok = match ch {
            '\'' => {
                let (value, end) = string(text, i, '\'', quoting)?;
                i = end;
                Tok::Str(value)
            }
            '"' if quoting == Quoting::Backslash => {
                let (value, end) = string(text, i, '"', quoting)?;
                i = end;
                Tok::Str(value)
            }
            '"' | '`' => {
                let (value, end) = quoted_identifier(text, i, ch)?;
                i = end;
                Tok::Ident(value)
            }
            '0'..='9' => {
                let end = number_end(bytes, i);
                let raw = &text[i..end];
                i = end;
                if let Some(hex) = raw.strip_prefix("0x") {
                    Tok::Hex(hex.to_ascii_lowercase())
                } else if let Some(bits) = raw.strip_prefix("0b") {
                    Tok::Bits(bits.to_string())
                } else {
                    Tok::Num(raw.to_string())
                }
            }
            '.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = number_end(bytes, i);
                let raw = text[i..end].to_string();
                i = end;
                Tok::Num(raw)
            }
            c if c.is_alphabetic() || c == '_' || c == '$' || !c.is_ascii() => {
                let mut end = i;
                for c in text[i..].chars() {
                    if c.is_alphanumeric()
                        || c == '_'
                        || c == '$'
                        || (!c.is_ascii() && !c.is_whitespace())
                    {
                        end += c.len_utf8();
                    } else {
                        break;
                    }
                }
                let word = &text[i..end];
                let next = text[end..].trim_start();
                let quote_next = next.starts_with('\'')
                    || (quoting == Quoting::Backslash && next.starts_with('"'));
                let adjacent_quote = text[end..].starts_with('\'');
                i = end;
                if adjacent_quote && word.eq_ignore_ascii_case("x") {
                    let (value, end) = string(text, i, '\'', Quoting::Standard)?;
                    i = end;
                    Tok::Hex(value.to_ascii_lowercase())
                } else if adjacent_quote && word.eq_ignore_ascii_case("b") {
                    let (value, end) = string(text, i, '\'', Quoting::Standard)?;
                    i = end;
                    Tok::Bits(value)
                } else if quote_next
                    && ((word.starts_with('_') && word.len() > 1)
                        || (adjacent_quote && word.eq_ignore_ascii_case("n")))
                {
                    Tok::Introducer(word.to_string())
                } else {
                    Tok::Word(word.to_string())
                }
            }
            _ => {
                let rest = &text[i..];
                let op = MULTI_OPS
                    .iter()
                    .find(|op| rest.starts_with(**op))
                    .map_or_else(|| ch.to_string(), |op| op.to_string());
                i += op.len();
                Tok::Op(op)
            }
        };
        out.push(Token {
            tok,
            span: start..i,
        });
    }
    Some(out)
}

/// The end of a number starting at `i`: digits, one `.`, an exponent, or a `0x`/`0b`
/// literal.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'b')) {
        let radix_end = i + 2;
        let mut end = radix_end;
        while bytes.get(end).is_some_and(u8::is_ascii_hexdigit) {
            end += 1;
        }
        // `0b` followed by no digit is the number 0 followed by the word `b`.
        return if end > radix_end { end } else { i + 1 };
    }
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            i = j;
        }
    }
    i
}

/// The value of the string literal opening at `start` (delimited by `quote`) and the
/// offset after it.
fn string(text: &str, start: usize, quote: char, quoting: Quoting) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices().peekable();
    while let Some((offset, ch)) = chars.next() {
        if ch == quote {
            if chars.peek().map(|&(_, c)| c) == Some(quote) {
                chars.next();
                value.push(quote);
                continue;
            }
            return Some((value, start + 1 + offset + 1));
        }
        if ch == '\\' && quoting == Quoting::Backslash {
            let (_, escaped) = chars.next()?;
            match escaped {
                '0' => value.push('\0'),
                'b' => value.push('\u{8}'),
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                'Z' => value.push('\u{1a}'),
                // `\%` and `\_` keep their backslash (they are LIKE-pattern escapes).
                '%' | '_' => {
                    value.push('\\');
                    value.push(escaped);
                }
                other => value.push(other),
            }
            continue;
        }
        value.push(ch);
    }
    None
}

/// The name inside the quoted identifier opening at `start` and the offset after it.
fn quoted_identifier(text: &str, start: usize, quote: char) -> Option<(String, usize)> {
    string(text, start, quote, Quoting::Standard)
}

/// A string literal for MySQL: `'` doubled, `\` doubled (MySQL reads `\` as an escape
/// unless `NO_BACKSLASH_ESCAPES`, which the script and the runtime turn off), NUL as
/// `\0`. The only function writing literals into MySQL DDL.
pub(super) fn quote_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for ch in value.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            other => out.push(other),
        }
    }
    out.push('\'');
    out
}

/// A string literal in standard SQL (the declaration's quoting): `'` doubled.
pub(super) fn standard_literal(value: &str) -> String {
    crate::dialect::quote_literal(value)
}

/// `text` with each token for which `rewrite` answers `Some` replaced, everything else
/// (whitespace included) kept byte for byte.
fn rewrite(text: &str, tokens: &[Token], rewrite: impl Fn(&Tok) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut at = 0;
    for token in tokens {
        if let Some(replacement) = rewrite(&token.tok) {
            out.push_str(&text[at..token.span.start]);
            out.push_str(&replacement);
            at = token.span.end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// A declared expression (standard SQL) as MySQL must read it: string literals re-quoted
/// by [`quote_literal`] (so `'a\b'` keeps its backslash), `"name"` identifiers in
/// backticks. Everything else is kept as written. Text that cannot be tokenized (refused
/// by validation) is returned as is.
pub(super) fn to_mysql(text: &str) -> String {
    match tokenize(text, Quoting::Standard) {
        Some(tokens) => rewrite(text, &tokens, |tok| match tok {
            Tok::Str(value) => Some(quote_literal(value)),
            Tok::Ident(name) => Some(quote_ident(name)),
            _ => None,
        }),
        None => text.to_string(),
    }
}

/// `` `name` `` with embedded backticks doubled.
pub(super) fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Text the catalog reports (a CHECK clause, a generation expression, an expression
/// default) in the declaration's quoting: string literals re-quoted in standard SQL,
/// the rest as the server printed it. MySQL 8 prints expression defaults and generation
/// expressions in `information_schema` with every quote escaped once more
/// (`_utf8mb4\'x\'`): when every `'` of the text is escaped, one level is removed first.
pub(super) fn from_catalog(text: &str) -> String {
    let text = unescape_once(text);
    match tokenize(&text, Quoting::Backslash) {
        Some(tokens) => rewrite(&text, &tokens, |tok| match tok {
            Tok::Str(value) => Some(standard_literal(value)),
            _ => None,
        }),
        None => text,
    }
}

/// `text` with one level of backslash escaping removed when it holds quotes and every
/// one of them is escaped (`\'`), which no literal the server prints plainly has.
fn unescape_once(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut quotes = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\'' {
            quotes += 1;
            let backslashes = bytes[..i].iter().rev().take_while(|&&c| c == b'\\').count();
            if backslashes % 2 == 0 {
                return text.to_string();
            }
        }
    }
    if quotes == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            match chars.next() {
                Some(next) => out.push(next),
                None => out.push('\\'),
            }
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str, quoting: Quoting) -> Vec<Tok> {
        tokenize(text, quoting)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn literals_decode_per_quoting() {
        assert_eq!(
            toks(r"'a\b' 'it''s'", Quoting::Standard),
            [Tok::Str(r"a\b".into()), Tok::Str("it's".into())]
        );
        assert_eq!(
            toks(
                r"'a\\b' 'it\'s' 'it''s' `x``y` _utf8mb4'z' b'01' X'0F' 0x1f",
                Quoting::Backslash
            ),
            [
                Tok::Str(r"a\b".into()),
                Tok::Str("it's".into()),
                Tok::Str("it's".into()),
                Tok::Ident("x`y".into()),
                Tok::Introducer("_utf8mb4".into()),
                Tok::Str("z".into()),
                Tok::Bits("01".into()),
                Tok::Hex("0f".into()),
                Tok::Hex("1f".into()),
            ]
        );
        assert_eq!(
            toks("\"a\" <> 1.50", Quoting::Standard),
            [
                Tok::Ident("a".into()),
                Tok::Op("<>".into()),
                Tok::Num("1.50".into())
            ]
        );
        assert_eq!(tokenize("'open", Quoting::Standard), None);
    }

    #[test]
    fn literals_are_quoted_for_mysql() {
        assert_eq!(quote_literal(r"a\b"), r"'a\\b'");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("nul\0"), r"'nul\0'");
        assert_eq!(
            to_mysql(r#"name <> 'a\b' AND "order" > 'it''s'"#),
            r"name <> 'a\\b' AND `order` > 'it''s'"
        );
    }

    #[test]
    fn catalog_text_reads_as_declared() {
        assert_eq!(from_catalog(r"_utf8mb4\'x\'"), "_utf8mb4'x'");
        assert_eq!(
            from_catalog(r"concat(_utf8mb4\'a\\\\b\',`c`)"),
            r"concat(_utf8mb4'a\b',`c`)"
        );
        assert_eq!(from_catalog(r"'it\'s'"), "'it''s'");
        assert_eq!(from_catalog(r"`a` <> 'x\\y'"), r"`a` <> 'x\y'");
        assert_eq!(from_catalog("current_timestamp()"), "current_timestamp()");
    }
}
