//! A tokenizer for SQLite SQL text, following SQLite's own rules (`tokenize.c`): quoted
//! identifiers in `"x"`, `[x]` and `` `x` ``, string literals with `''`, blob literals
//! `X'..'`, `--` and `/* */` comments, numbers with exponents, hexadecimal and `_`
//! separators, and the multi-character operators.
//!
//! Every token keeps its byte span in the input, so callers can cut out the original text
//! of an expression. Scanning never panics and always ends: each step consumes at least
//! one character.

use std::fmt;

/// A parse failure: where and why. Parsing stored SQL never panics; it returns this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What was expected or found.
    pub message: String,
}

impl ParseError {
    pub(super) fn new(offset: usize, message: impl Into<String>) -> Self {
        ParseError {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A bare word: keyword, identifier, function or type name.
    Word,
    /// A quoted identifier: `"x"`, `[x]` or `` `x` ``.
    Quoted,
    /// A string literal `'x'`.
    String,
    /// A blob literal `X'00ff'`.
    Blob,
    /// A numeric literal.
    Number,
    /// A bound parameter (`?1`, `:name`, `@name`, `$name`).
    Variable,
    /// An operator or punctuation: `(`, `)`, `,`, `;`, `.`, `||`, `<=`, ...
    Punct,
}

/// One token with its byte span in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token<'a> {
    /// What it is.
    pub kind: Kind,
    /// The raw text, quotes included.
    pub text: &'a str,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl Token<'_> {
    /// `true` for a bare word equal to `keyword` (ASCII case-insensitive).
    pub fn is_kw(&self, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// `true` for the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }

    /// `true` for a token that can name something: a word, a quoted identifier or a
    /// string literal (SQLite accepts `'x'` where a name is expected).
    pub fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted | Kind::String)
    }

    /// The name or string a token denotes: quotes removed and doubled quotes undone for
    /// quoted identifiers and string literals; the raw text otherwise.
    pub fn value(&self) -> String {
        match self.kind {
            Kind::Quoted | Kind::String => unquote(self.text),
            _ => self.text.to_string(),
        }
    }
}

/// Removes the outer quotes of `"x"`, `'x'`, `` `x` `` or `[x]` and undoes doubled quotes
/// (`[x]` has no escapes). Text that is not quoted is returned as it is.
pub(super) fn unquote(text: &str) -> String {
    let mut chars = text.chars();
    let (Some(open), Some(close)) = (chars.next(), chars.next_back()) else {
        return text.to_string();
    };
    let inner = chars.as_str();
    match (open, close) {
        ('[', ']') => inner.to_string(),
        // Most names hold no quote: one allocation, not three.
        ('"', '"') | ('\'', '\'') | ('`', '`') if !inner.contains(open) => inner.to_string(),
        ('"', '"') | ('\'', '\'') | ('`', '`') => {
            let doubled: String = [open, open].iter().collect();
            inner.replace(&doubled, &open.to_string())
        }
        _ => text.to_string(),
    }
}

/// `true` for a character that may continue a word (SQLite's `IdChar`): ASCII letters,
/// digits, `_`, `$` and every non-ASCII character.
fn is_id_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_' || ch == '$' || !ch.is_ascii()
}

/// `true` for a character that may start a word.
fn is_id_start(ch: char) -> bool {
    ch.is_ascii_alphabetic() || ch == '_' || !ch.is_ascii()
}

/// Operators of more than one character, longest first.
const MULTI_PUNCT: [&str; 10] = ["->>", "||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"];

/// A cursor over the input's characters.
struct Scanner<'a> {
    src: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut chars = self.src.get(self.pos..)?.chars();
        chars.next();
        chars.next()
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) {
        let bytes = self.src.as_bytes();
        loop {
            // ASCII (nearly all DDL) byte by byte; anything else decoded as a char.
            match bytes.get(self.pos) {
                Some(&b) if b.is_ascii() => {
                    if !keep(char::from(b)) {
                        break;
                    }
                    self.pos += 1;
                }
                Some(_) => match self.peek() {
                    Some(ch) if keep(ch) => self.pos += ch.len_utf8(),
                    _ => break,
                },
                None => break,
            }
        }
    }

    fn rest_starts_with(&self, prefix: &str) -> bool {
        self.src
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(prefix))
    }

    /// Skips to just past the quote `close` that ends a quoted token (a doubled quote is
    /// an escaped one when `doubled` is set). `false` when the input ends first.
    fn skip_quoted(&mut self, close: char, doubled: bool) -> bool {
        while let Some(ch) = self.bump() {
            if ch == close {
                if doubled && self.peek() == Some(close) {
                    self.bump();
                    continue;
                }
                return true;
            }
        }
        false
    }

    /// Digits (and `_` separators) of a number in the given radix.
    fn skip_digits(&mut self, hex: bool) {
        self.bump_while(|c| {
            c == '_'
                || if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
        });
    }
}

/// Splits `sql` into tokens, skipping whitespace and comments. An unclosed string literal
/// or quoted identifier is an error; an unclosed `/*` comment runs to the end, as in
/// SQLite. Characters SQLite would refuse become one-character punctuation.
pub(super) fn tokenize(sql: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let mut s = Scanner { src: sql, pos: 0 };
    // About one token per five bytes of DDL: grow the vector once or twice, not ten times.
    let mut tokens = Vec::with_capacity(sql.len() / 5 + 8);
    while let Some(ch) = s.peek() {
        let start = s.pos;
        let kind = match ch {
            c if c.is_whitespace() => {
                s.bump_while(char::is_whitespace);
                continue;
            }
            '-' if s.peek2() == Some('-') => {
                s.bump_while(|c| c != '\n');
                continue;
            }
            '/' if s.peek2() == Some('*') => {
                s.pos += 2;
                while s.peek().is_some() && !s.rest_starts_with("*/") {
                    s.bump();
                }
                if s.rest_starts_with("*/") {
                    s.pos += 2;
                }
                continue;
            }
            '\'' | '"' | '`' | '[' => {
                s.bump();
                let (close, doubled) = if ch == '[' { (']', false) } else { (ch, true) };
                if !s.skip_quoted(close, doubled) {
                    let what = if ch == '\'' {
                        "string literal"
                    } else {
                        "quoted identifier"
                    };
                    return Err(ParseError::new(start, format!("unclosed {what}")));
                }
                if ch == '\'' {
                    Kind::String
                } else {
                    Kind::Quoted
                }
            }
            'x' | 'X' if s.peek2() == Some('\'') => {
                s.bump();
                s.bump();
                if !s.skip_quoted('\'', false) {
                    return Err(ParseError::new(start, "unclosed blob literal"));
                }
                Kind::Blob
            }
            c if c.is_ascii_digit()
                || (c == '.' && s.peek2().is_some_and(|d| d.is_ascii_digit())) =>
            {
                scan_number(&mut s);
                Kind::Number
            }
            c if is_id_start(c) => {
                s.bump_while(is_id_char);
                Kind::Word
            }
            '?' => {
                s.bump();
                s.bump_while(|c| c.is_ascii_digit());
                Kind::Variable
            }
            ':' | '@' | '$' | '#' if s.peek2().is_some_and(is_id_char) => {
                s.bump();
                s.bump_while(is_id_char);
                Kind::Variable
            }
            _ => {
                match MULTI_PUNCT.iter().find(|p| s.rest_starts_with(p)) {
                    Some(p) => s.pos += p.len(),
                    None => {
                        s.bump();
                    }
                }
                Kind::Punct
            }
        };
        tokens.push(Token {
            kind,
            text: sql.get(start..s.pos).unwrap_or(""),
            start,
            end: s.pos,
        });
    }
    Ok(tokens)
}

/// A number: `12`, `1_000`, `1.5`, `.5`, `1e-3`, `0x1F`. Letters glued to it (`12ab`) are
/// taken into the token, which SQLite would refuse anyway.
fn scan_number(s: &mut Scanner<'_>) {
    if s.peek() == Some('0') && matches!(s.peek2(), Some('x' | 'X')) {
        s.pos += 2;
        s.skip_digits(true);
    } else {
        s.skip_digits(false);
        if s.peek() == Some('.') {
            s.bump();
            s.skip_digits(false);
        }
        if matches!(s.peek(), Some('e' | 'E')) {
            let save = s.pos;
            s.bump();
            if matches!(s.peek(), Some('+' | '-')) {
                s.bump();
            }
            if s.peek().is_some_and(|c| c.is_ascii_digit()) {
                s.skip_digits(false);
            } else {
                s.pos = save;
            }
        }
    }
    s.bump_while(is_id_char);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        tokenize(sql)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn every_token_kind() {
        use Kind::*;
        assert_eq!(
            kinds(
                r#"CREATE "a""b" [c d] `e``f` 'it''s' x'00' X'FF' 12 1.5 .5 1e-3 0x1F 1_000 ?1 :p @q $r || ->> <> != ( ) , ; . ü_x$"#
            ),
            [
                (Word, "CREATE"),
                (Quoted, r#""a""b""#),
                (Quoted, "[c d]"),
                (Quoted, "`e``f`"),
                (String, "'it''s'"),
                (Blob, "x'00'"),
                (Blob, "X'FF'"),
                (Number, "12"),
                (Number, "1.5"),
                (Number, ".5"),
                (Number, "1e-3"),
                (Number, "0x1F"),
                (Number, "1_000"),
                (Variable, "?1"),
                (Variable, ":p"),
                (Variable, "@q"),
                (Variable, "$r"),
                (Punct, "||"),
                (Punct, "->>"),
                (Punct, "<>"),
                (Punct, "!="),
                (Punct, "("),
                (Punct, ")"),
                (Punct, ","),
                (Punct, ";"),
                (Punct, "."),
                (Word, "ü_x$"),
            ]
        );
    }

    #[test]
    fn comments_and_whitespace_are_skipped() {
        use Kind::*;
        assert_eq!(
            kinds("a -- one\n/* two ( */ b /* open"),
            [(Word, "a"), (Word, "b")]
        );
        assert_eq!(kinds("'--' '/*'"), [(String, "'--'"), (String, "'/*'")]);
        assert_eq!(kinds("1-2"), [(Number, "1"), (Punct, "-"), (Number, "2")]);
        assert_eq!(kinds("1e"), [(Number, "1e")]);
    }

    #[test]
    fn spans_cut_the_input() {
        let sql = "  a ( 'x' )";
        let tokens = tokenize(sql).unwrap();
        assert_eq!(
            tokens.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(),
            [(2, 3), (4, 5), (6, 9), (10, 11)]
        );
    }

    #[test]
    fn values_are_unquoted() {
        let tokens = tokenize(r#""a""b" [c"d] `e``f` 'it''s' plain"#).unwrap();
        let values: Vec<String> = tokens.iter().map(Token::value).collect();
        assert_eq!(values, ["a\"b", "c\"d", "e`f", "it's", "plain"]);
        assert_eq!(unquote("x"), "x");
        assert_eq!(unquote("\""), "\"");
        assert_eq!(unquote(""), "");
    }

    #[test]
    fn unclosed_quotes_are_errors() {
        for (sql, message, offset) in [
            ("a 'b", "unclosed string literal", 2),
            ("\"b", "unclosed quoted identifier", 0),
            ("[b", "unclosed quoted identifier", 0),
            ("x'00", "unclosed blob literal", 0),
        ] {
            assert_eq!(
                tokenize(sql).unwrap_err(),
                ParseError::new(offset, message),
                "{sql}"
            );
        }
    }
}
