//! The normal form of a PostgreSQL expression read as SQL (CHECKs, index predicates and
//! expression keys, generated columns), for comparing a declaration with what the server
//! stores when no server is at hand to respell the declaration (an offline `diff` of two
//! snapshot files).
//!
//! PostgreSQL stores the parse tree of an expression and prints it back
//! (`pg_get_constraintdef`, `pg_get_expr`) fully parenthesized, with the implicit casts it
//! added and its sugar expanded. PostgreSQL 15 gives, for example:
//!
//! | declared | stored |
//! |---|---|
//! | `price >= 0` (numeric column) | `(price >= (0)::numeric)` |
//! | `weight > -1.5` (double precision) | `(weight > ('-1.5'::numeric)::double precision)` |
//! | `status IN ('a', 'b')` (text) | `(status = ANY (ARRAY['a'::text, 'b'::text]))` |
//! | `code IN ('a', 'b')` (varchar) | `((code)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))` |
//! | `qty BETWEEN 1 AND 5` | `((qty >= 1) AND (qty <= 5))` |
//! | `n NOT BETWEEN 1 AND 3` | `((n < 1) OR (n > 3))` |
//! | `code LIKE 'a%'` (varchar) | `((code)::text ~~ 'a%'::text)` |
//! | `length(code) > 2` (varchar) | `(length((code)::text) > 2)` |
//!
//! Both sides are parsed into a small tree, settled by the rules below, and printed with
//! only the parentheses precedence needs. Each rule keeps the meaning, because the planner
//! writes the normal form back into DDL:
//!
//! - Redundant parentheses go; `AND`/`OR` chains are flat (both are associative).
//! - `x BETWEEN a AND b` is `x >= a AND x <= b`; `NOT BETWEEN` is `x < a OR x > b`
//!   (what the server stores).
//! - `x = ANY (ARRAY[...])` is `x IN (...)`, `x <> ALL (ARRAY[...])` is `x NOT IN (...)`;
//!   a one-element list is `=` / `<>` (the server stores `x IN ('a')` as `x = 'a'`).
//! - `~~`, `~~*`, `!~~`, `!~~*` are `LIKE`, `ILIKE`, `NOT LIKE`, `NOT ILIKE`; `!=` is `<>`.
//! - A quoted negative number (`'-1'::integer`) is the number; a number cast to the type it
//!   has anyway (`(-1)::integer`, `(1.5)::numeric`) is the number.
//! - A literal operand of an operator whose other operand is not a literal loses a cast
//!   that keeps its value: an integer to an integer, `numeric`, `real` or `double
//!   precision`; a decimal to `numeric`, `real` or `double precision`; a string to `text`,
//!   `character varying` or `bpchar` without modifiers, or to the other operand's column
//!   type. The server adds exactly these casts to coerce the literal to the other operand.
//! - A `varchar` or `text` column cast to `text` or `character varying` is the column:
//!   the cast is binary-coercible and implicit, and the server adds it wherever a text
//!   function or operator takes the column.
//! - `now()`, `transaction_timestamp()` (also `pg_catalog.`-qualified) are
//!   `current_timestamp`; keywords, unquoted names and type names are in lower case, type
//!   aliases in the server's spelling (`int4` → `integer`, `varchar` → `character varying`).
//!
//! Text outside what this reads (subqueries, `CASE`, `COLLATE`, dollar quoting, escape
//! strings with backslashes, ...) yields `None`: the caller falls back to the textual normal
//! form, and a live comparison still settles it by asking the server.
//!
//! `pg_query` (PostgreSQL's own parser) would decide equality exactly, but it compiles
//! libpg_query's C sources and needs libclang for its bindings: minutes of build time on
//! every clean build and a system dependency for every user, for a comparison these rules
//! settle in the cases PostgreSQL actually rewrites.

use crate::model::{Column, ColumnType};

/// The normal form of `text`, an expression on a table with `columns` (whose types decide
/// which casts the server added), or `None` when `text` is outside what is read here.
pub(super) fn settle(text: &str, columns: &[Column]) -> Option<String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let tree = parser.expr(0)?;
    if parser.at != parser.tokens.len() {
        return None;
    }
    let tree = Settle { columns }.expr(tree);
    let mut out = String::with_capacity(text.len());
    print(&tree, &mut out);
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A number as written: `0`, `1.5`, `1e3`.
    Number(String),
    /// A string literal with its quotes (a bit or hex string with its prefix).
    String(String),
    /// An unquoted word, in lower case.
    Word(String),
    /// A quoted identifier, unescaped.
    Quoted(String),
    /// An operator: `=`, `<>`, `||`, `~~`, ...
    Operator(String),
    /// `::`
    Cast,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
    Dot,
}

/// The characters PostgreSQL's lexer reads as operators.
const OPERATOR_CHARS: &str = "+-*/<>=~!@#%^&|`?";

/// The tokens of `text`, or `None` for text the parser does not read (dollar quoting,
/// parameters, escape strings with backslashes, comments, unclosed quotes).
fn tokenize(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            _ if c.is_whitespace() => i += 1,
            '\'' => {
                let (literal, end) = quoted(&chars, i, '\'')?;
                out.push(Token::String(format!("'{}'", literal.replace('\'', "''"))));
                i = end;
            }
            // Bit and hex strings keep their prefix; an `E'...'` string without a
            // backslash is a plain string (with one, escapes would need reading).
            'b' | 'B' | 'x' | 'X' | 'e' | 'E' if next == Some('\'') => {
                let (literal, end) = quoted(&chars, i + 1, '\'')?;
                let escaped = literal.replace('\'', "''");
                out.push(Token::String(match c.to_ascii_lowercase() {
                    'e' if literal.contains('\\') => return None,
                    'e' => format!("'{escaped}'"),
                    prefix => format!("{}'{escaped}'", prefix.to_ascii_uppercase()),
                }));
                i = end;
            }
            '"' => {
                let (name, end) = quoted(&chars, i, '"')?;
                if name.is_empty() {
                    return None;
                }
                out.push(Token::Quoted(name));
                i = end;
            }
            '0'..='9' => {
                let (number, end) = number(&chars, i);
                out.push(Token::Number(number));
                i = end;
            }
            '.' if next.is_some_and(|n| n.is_ascii_digit()) => {
                let (number, end) = number(&chars, i);
                out.push(Token::Number(number));
                i = end;
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|&c| c.is_alphanumeric() || c == '_' || c == '$')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push(Token::Word(word.to_ascii_lowercase()));
            }
            ':' if next == Some(':') => {
                out.push(Token::Cast);
                i += 2;
            }
            '(' => push(&mut out, &mut i, Token::Open),
            ')' => push(&mut out, &mut i, Token::Close),
            '[' => push(&mut out, &mut i, Token::OpenBracket),
            ']' => push(&mut out, &mut i, Token::CloseBracket),
            ',' => push(&mut out, &mut i, Token::Comma),
            '.' => push(&mut out, &mut i, Token::Dot),
            _ if OPERATOR_CHARS.contains(c) => {
                let start = i;
                while chars.get(i).is_some_and(|&c| OPERATOR_CHARS.contains(c)) {
                    i += 1;
                }
                let mut op: String = chars[start..i].iter().collect();
                if op.contains("--") || op.contains("/*") {
                    return None;
                }
                // PostgreSQL's rule: a multi-character operator ends in `+` or `-` only
                // when it holds one of `~!@#%^&|`?` (so `>=-1` is `>=` then `-1`).
                while op.len() > 1
                    && op.ends_with(['+', '-'])
                    && !op.contains(['~', '!', '@', '#', '%', '^', '&', '|', '`', '?'])
                {
                    op.pop();
                    i -= 1;
                }
                out.push(Token::Operator(op));
            }
            _ => return None,
        }
    }
    Some(out)
}

fn push(out: &mut Vec<Token>, i: &mut usize, token: Token) {
    out.push(token);
    *i += 1;
}

/// The text between the quote at `start` and its closing quote (doubled quotes unescaped),
/// and the index after the closing quote.
fn quoted(chars: &[char], start: usize, quote: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        let c = *chars.get(i)?;
        if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                text.push(quote);
                i += 2;
                continue;
            }
            return Some((text, i + 1));
        }
        text.push(c);
        i += 1;
    }
}

/// The number starting at `start` (digits, one decimal point, an exponent), and the index
/// after it.
fn number(chars: &[char], start: usize) -> (String, usize) {
    let mut i = start;
    let digits = |i: &mut usize| {
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
    };
    digits(&mut i);
    if chars.get(i) == Some(&'.') && chars.get(i + 1) != Some(&'.') {
        i += 1;
        digits(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let sign = usize::from(matches!(chars.get(i + 1), Some('+' | '-')));
        if chars.get(i + 1 + sign).is_some_and(char::is_ascii_digit) {
            i += 1 + sign;
            digits(&mut i);
        }
    }
    let text: String = chars[start..i].iter().collect();
    (text.to_ascii_lowercase(), i)
}

// ---------------------------------------------------------------------------------------
// The tree

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// A number as written, with its sign: `0`, `-1.5`.
    Number(String),
    /// A string literal as printed, quotes included.
    String(String),
    /// A value keyword: `true`, `null`, `current_timestamp`.
    Keyword(String),
    /// A column or other name, each part exact.
    Name(Vec<String>),
    Call {
        name: Vec<String>,
        args: Vec<Expr>,
    },
    Cast {
        expr: Box<Expr>,
        ty: TypeName,
    },
    Array(Vec<Expr>),
    Subscript {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    /// Unary `-` or `+`.
    Unary {
        op: char,
        expr: Box<Expr>,
    },
    /// A binary operator, spelled as printed (`=`, `like`, `is distinct from`, `||`).
    Binary {
        op: String,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `left op ANY (right)` / `left op ALL (right)`.
    Quantified {
        op: String,
        all: bool,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `AND` (`and == true`) or `OR` of two or more items.
    Logic {
        and: bool,
        items: Vec<Expr>,
    },
    Not(Box<Expr>),
    /// `expr IS [NOT] NULL|TRUE|FALSE|UNKNOWN`, the test spelled as printed.
    Is {
        expr: Box<Expr>,
        test: String,
    },
}

/// A type name as the server prints it: `character varying`, `numeric`, `text[]`.
#[derive(Debug, Clone, PartialEq)]
struct TypeName {
    /// The name in the server's spelling, without modifiers: `timestamp with time zone`.
    base: String,
    /// `(12,2)`, or empty.
    modifiers: String,
    /// How many `[]` follow.
    array: usize,
}

impl TypeName {
    /// The type without modifiers or array dimensions named `base`.
    fn is_plain(&self, bases: &[&str]) -> bool {
        self.modifiers.is_empty() && self.array == 0 && bases.contains(&self.base.as_str())
    }
}

// Precedence levels, lowest first (PostgreSQL's operator precedence table).
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const IS: u8 = 4;
const COMPARISON: u8 = 5;
const IN_LIKE: u8 = 6;
const OTHER_OPERATOR: u8 = 7;
const ADD: u8 = 8;
const MULTIPLY: u8 = 9;
const POWER: u8 = 10;
const UNARY: u8 = 11;
const CAST: u8 = 12;
const ATOM: u8 = 13;

/// The precedence level of a binary operator as printed.
fn binary_level(op: &str) -> u8 {
    match op {
        "=" | "<>" | "<" | ">" | "<=" | ">=" => COMPARISON,
        "like" | "ilike" | "not like" | "not ilike" => IN_LIKE,
        "is distinct from" | "is not distinct from" => IS,
        "+" | "-" => ADD,
        "*" | "/" | "%" => MULTIPLY,
        "^" => POWER,
        _ => OTHER_OPERATOR,
    }
}

/// Words that are never a column name where a value is expected.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "as",
    "asc",
    "between",
    "case",
    "collate",
    "desc",
    "distinct",
    "else",
    "end",
    "escape",
    "except",
    "exists",
    "from",
    "ilike",
    "in",
    "intersect",
    "is",
    "isnull",
    "like",
    "notnull",
    "or",
    "order",
    "overlaps",
    "row",
    "select",
    "similar",
    "some",
    "symmetric",
    "then",
    "union",
    "values",
    "when",
    "where",
    "with",
];

/// Words that are values, not names.
const VALUE_KEYWORDS: &[&str] = &[
    "true",
    "false",
    "null",
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_user",
    "current_role",
    "current_catalog",
    "current_schema",
    "session_user",
    "user",
];

// ---------------------------------------------------------------------------------------
// Parsing

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_at(&self, offset: usize) -> Option<&Token> {
        self.tokens.get(self.at + offset)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn word_is(&self, offset: usize, word: &str) -> bool {
        matches!(self.peek_at(offset), Some(Token::Word(w)) if w == word)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.word_is(0, word);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, token: &Token) -> Option<()> {
        (self.next().as_ref() == Some(token)).then_some(())
    }

    /// An expression whose operators bind at least as tightly as `min`.
    fn expr(&mut self, min: u8) -> Option<Expr> {
        let mut left = self.prefix()?;
        while let Some(token) = self.peek().cloned() {
            left = match token {
                Token::Cast if CAST >= min => {
                    self.at += 1;
                    let ty = self.type_name()?;
                    Expr::Cast {
                        expr: Box::new(left),
                        ty,
                    }
                }
                Token::OpenBracket if ATOM >= min => {
                    self.at += 1;
                    let index = self.expr(0)?;
                    self.expect(&Token::CloseBracket)?;
                    Expr::Subscript {
                        expr: Box::new(left),
                        index: Box::new(index),
                    }
                }
                Token::Word(word) => match word.as_str() {
                    "or" | "and" => {
                        let (and, level) = if word == "and" {
                            (true, AND)
                        } else {
                            (false, OR)
                        };
                        if level < min {
                            break;
                        }
                        self.at += 1;
                        let right = self.expr(level + 1)?;
                        Expr::Logic {
                            and,
                            items: vec![left, right],
                        }
                    }
                    "is" if IS >= min => {
                        self.at += 1;
                        self.is(left)?
                    }
                    "isnull" | "notnull" if IS >= min => {
                        self.at += 1;
                        let test = if word == "isnull" { "null" } else { "not null" };
                        Expr::Is {
                            expr: Box::new(left),
                            test: test.into(),
                        }
                    }
                    "not" if IN_LIKE >= min => {
                        self.at += 1;
                        self.in_like(left, true)?
                    }
                    "like" | "ilike" | "in" | "between" if IN_LIKE >= min => {
                        self.in_like(left, false)?
                    }
                    _ => break,
                },
                Token::Operator(op) => {
                    let op = match op.as_str() {
                        "!=" => "<>".to_string(),
                        _ => op,
                    };
                    let level = binary_level(&op);
                    if level < min {
                        break;
                    }
                    self.at += 1;
                    let quantifier = ["any", "some", "all"]
                        .into_iter()
                        .find(|q| self.word_is(0, q) && self.peek_at(1) == Some(&Token::Open));
                    if let Some(quantifier) = quantifier {
                        self.at += 2;
                        let right = self.expr(0)?;
                        self.expect(&Token::Close)?;
                        Expr::Quantified {
                            op,
                            all: quantifier == "all",
                            left: Box::new(left),
                            right: Box::new(right),
                        }
                    } else {
                        // Comparisons do not associate; the others associate to the left.
                        let right = self.expr(level + 1)?;
                        Expr::Binary {
                            op,
                            left: Box::new(left),
                            right: Box::new(right),
                        }
                    }
                }
                _ => break,
            };
        }
        Some(left)
    }

    /// After `IS`: `[NOT] NULL|TRUE|FALSE|UNKNOWN` or `[NOT] DISTINCT FROM expr`.
    fn is(&mut self, left: Expr) -> Option<Expr> {
        let not = self.eat_word("not");
        let Some(Token::Word(word)) = self.next() else {
            return None;
        };
        let prefix = if not { "not " } else { "" };
        match word.as_str() {
            "null" | "true" | "false" | "unknown" => Some(Expr::Is {
                expr: Box::new(left),
                test: format!("{prefix}{word}"),
            }),
            "distinct" if self.eat_word("from") => {
                let right = self.expr(IS + 1)?;
                Some(Expr::Binary {
                    op: format!("is {prefix}distinct from"),
                    left: Box::new(left),
                    right: Box::new(right),
                })
            }
            _ => None,
        }
    }

    /// `[NOT] LIKE|ILIKE|IN|BETWEEN ...` after `left` (`NOT` already read when `negated`).
    fn in_like(&mut self, left: Expr, negated: bool) -> Option<Expr> {
        let Some(Token::Word(word)) = self.next() else {
            return None;
        };
        let not = if negated { "not " } else { "" };
        match word.as_str() {
            "like" | "ilike" => {
                let right = self.expr(IN_LIKE + 1)?;
                // `ESCAPE` changes the pattern's meaning: not read here.
                if self.word_is(0, "escape") {
                    return None;
                }
                Some(Expr::Binary {
                    op: format!("{not}{word}"),
                    left: Box::new(left),
                    right: Box::new(right),
                })
            }
            "in" => {
                self.expect(&Token::Open)?;
                let list = self.list(&Token::Close)?;
                Some(Expr::In {
                    expr: Box::new(left),
                    list,
                    negated,
                })
            }
            "between" => {
                if self.word_is(0, "symmetric") || self.word_is(0, "asymmetric") {
                    return None;
                }
                let low = self.expr(IN_LIKE + 1)?;
                if !self.eat_word("and") {
                    return None;
                }
                let high = self.expr(IN_LIKE + 1)?;
                // What the server stores: `x >= a AND x <= b`, `x < a OR x > b`.
                let (and, low_op, high_op) = if negated {
                    (false, "<", ">")
                } else {
                    (true, ">=", "<=")
                };
                let compare = |op: &str, bound: Expr| Expr::Binary {
                    op: op.into(),
                    left: Box::new(left.clone()),
                    right: Box::new(bound),
                };
                Some(Expr::Logic {
                    and,
                    items: vec![compare(low_op, low), compare(high_op, high)],
                })
            }
            _ => None,
        }
    }

    /// Expressions separated by commas up to `close` (consumed); at least one.
    fn list(&mut self, close: &Token) -> Option<Vec<Expr>> {
        let mut items = vec![self.expr(0)?];
        loop {
            match self.next()? {
                Token::Comma => items.push(self.expr(0)?),
                token if token == *close => return Some(items),
                _ => return None,
            }
        }
    }

    /// A value, a name, a call, a parenthesized expression, `NOT`, unary `-`/`+`,
    /// `ARRAY[...]`, `CAST(... AS ...)` or a typed literal (`date '2020-01-01'`).
    fn prefix(&mut self) -> Option<Expr> {
        match self.next()? {
            Token::Number(n) => Some(Expr::Number(n)),
            Token::String(s) => Some(Expr::String(s)),
            Token::Open => {
                let inner = self.expr(0)?;
                self.expect(&Token::Close)?;
                Some(inner)
            }
            Token::Operator(op) if op == "-" || op == "+" => {
                let expr = self.expr(UNARY)?;
                let op = if op == "-" { '-' } else { '+' };
                Some(match expr {
                    // A signed number is one constant, as the server folds it.
                    Expr::Number(n) if !n.starts_with('-') => match op {
                        '-' => Expr::Number(format!("-{n}")),
                        _ => Expr::Number(n),
                    },
                    expr => Expr::Unary {
                        op,
                        expr: Box::new(expr),
                    },
                })
            }
            Token::Word(word) => self.word(word),
            Token::Quoted(name) => self.name(name),
            _ => None,
        }
    }

    fn word(&mut self, word: String) -> Option<Expr> {
        match word.as_str() {
            "not" => Some(Expr::Not(Box::new(self.expr(NOT)?))),
            "array" => {
                self.expect(&Token::OpenBracket)?;
                if self.peek() == Some(&Token::CloseBracket) {
                    self.at += 1;
                    return Some(Expr::Array(Vec::new()));
                }
                Some(Expr::Array(self.list(&Token::CloseBracket)?))
            }
            "cast" => {
                self.expect(&Token::Open)?;
                let expr = self.expr(0)?;
                if !self.eat_word("as") {
                    return None;
                }
                let ty = self.type_name()?;
                self.expect(&Token::Close)?;
                Some(Expr::Cast {
                    expr: Box::new(expr),
                    ty,
                })
            }
            _ if VALUE_KEYWORDS.contains(&word.as_str()) => {
                // `current_timestamp(3)` and the like have a precision: not read here.
                (self.peek() != Some(&Token::Open)).then_some(Expr::Keyword(word))
            }
            _ if RESERVED.contains(&word.as_str()) => None,
            _ => {
                // A typed literal: `date '2020-01-01'` is `'2020-01-01'::date`.
                if let Some(Token::String(_)) = self.peek() {
                    self.at -= 1;
                    let ty = self.type_name()?;
                    let Some(Token::String(literal)) = self.next() else {
                        return None;
                    };
                    return Some(Expr::Cast {
                        expr: Box::new(Expr::String(literal)),
                        ty,
                    });
                }
                self.name(word)
            }
        }
    }

    /// A (possibly qualified) name starting with `first`, or a call of it.
    fn name(&mut self, first: String) -> Option<Expr> {
        let mut parts = vec![first];
        while self.peek() == Some(&Token::Dot) {
            self.at += 1;
            match self.next()? {
                Token::Word(w) => parts.push(w),
                Token::Quoted(q) => parts.push(q),
                _ => return None,
            }
        }
        if self.peek() != Some(&Token::Open) {
            return Some(Expr::Name(parts));
        }
        self.at += 1;
        let args = if self.peek() == Some(&Token::Close) {
            self.at += 1;
            Vec::new()
        } else {
            // `count(*)`, `DISTINCT`, `ORDER BY` and named arguments are not read here.
            if matches!(self.peek(), Some(Token::Operator(_))) || self.word_is(0, "distinct") {
                return None;
            }
            self.list(&Token::Close)?
        };
        let bare = parts.last().map(String::as_str);
        let qualified_by_catalog = parts.len() == 2 && parts[0] == "pg_catalog";
        // The server keeps `now()` and `CURRENT_TIMESTAMP` each as given: one function.
        if args.is_empty()
            && (parts.len() == 1 || qualified_by_catalog)
            && matches!(bare, Some("now" | "transaction_timestamp"))
        {
            return Some(Expr::Keyword("current_timestamp".into()));
        }
        Some(Expr::Call { name: parts, args })
    }

    /// A type name after `::` or `AS`, in the server's spelling.
    fn type_name(&mut self) -> Option<TypeName> {
        let mut words = Vec::new();
        match self.next()? {
            Token::Word(w) => words.push(w),
            Token::Quoted(q) => words.push(quote_name(&q)),
            _ => return None,
        }
        while self.peek() == Some(&Token::Dot) {
            self.at += 1;
            match self.next()? {
                Token::Word(w) => words.push(w),
                Token::Quoted(q) => words.push(quote_name(&q)),
                _ => return None,
            }
        }
        let mut qualified = words.join(".");
        if let Some(bare) = qualified.strip_prefix("pg_catalog.") {
            qualified = bare.to_string();
        }
        let mut base = qualified;
        let mut modifiers = String::new();
        // Multi-word names, with the modifiers of `timestamp(3) with time zone` between.
        if matches!(
            base.as_str(),
            "double" | "character" | "char" | "bit" | "national"
        ) {
            for word in ["precision", "varying", "character"] {
                if self.eat_word(word) {
                    base = format!("{base} {word}");
                }
            }
            if base == "national character" && self.eat_word("varying") {
                base.push_str(" varying");
            }
        }
        modifiers = self.modifiers()?.unwrap_or(modifiers);
        if matches!(base.as_str(), "timestamp" | "time") {
            if self.word_is(0, "with") || self.word_is(0, "without") {
                let Some(Token::Word(with)) = self.next() else {
                    return None;
                };
                if !(self.eat_word("time") && self.eat_word("zone")) {
                    return None;
                }
                base = format!("{base} {with} time zone");
            } else {
                base = format!("{base} without time zone");
            }
        }
        if modifiers.is_empty() {
            modifiers = self.modifiers()?.unwrap_or_default();
        }
        let mut array = 0;
        while self.peek() == Some(&Token::OpenBracket) {
            self.at += 1;
            if let Some(Token::Number(_)) = self.peek() {
                self.at += 1;
            }
            self.expect(&Token::CloseBracket)?;
            array += 1;
        }
        Some(TypeName {
            base: type_alias(&base).to_string(),
            modifiers,
            array,
        })
    }

    /// `(n)` or `(p,s)` after a type name, if there.
    fn modifiers(&mut self) -> Option<Option<String>> {
        if self.peek() != Some(&Token::Open) {
            return Some(None);
        }
        self.at += 1;
        let mut numbers = Vec::new();
        loop {
            match self.next()? {
                Token::Number(n) => numbers.push(n),
                _ => return None,
            }
            match self.next()? {
                Token::Comma => {}
                Token::Close => break,
                _ => return None,
            }
        }
        Some(Some(format!("({})", numbers.join(","))))
    }
}

/// The server's spelling of a built-in type name (`format_type`).
fn type_alias(base: &str) -> &str {
    match base {
        "int" | "int4" | "integer" => "integer",
        "int2" | "smallint" => "smallint",
        "int8" | "bigint" => "bigint",
        "float4" | "real" => "real",
        "float8" | "double precision" => "double precision",
        "decimal" | "numeric" => "numeric",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" | "char varying" => "character varying",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp without time zone" => "timestamp without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "time without time zone" => "time without time zone",
        other => other,
    }
}

// ---------------------------------------------------------------------------------------
// Settling

/// The rewrites, bottom up; `columns` are the table's.
struct Settle<'c> {
    columns: &'c [Column],
}

impl Settle<'_> {
    fn expr(&self, expr: Expr) -> Expr {
        match expr {
            Expr::Number(_) | Expr::String(_) | Expr::Keyword(_) | Expr::Name(_) => expr,
            Expr::Call { name, args } => Expr::Call {
                name,
                args: args.into_iter().map(|a| self.expr(a)).collect(),
            },
            Expr::Cast { expr, ty } => self.cast(self.expr(*expr), ty),
            Expr::Array(items) => Expr::Array(items.into_iter().map(|i| self.expr(i)).collect()),
            Expr::Subscript { expr, index } => Expr::Subscript {
                expr: Box::new(self.expr(*expr)),
                index: Box::new(self.expr(*index)),
            },
            Expr::Unary { op, expr } => match (op, self.expr(*expr)) {
                ('-', Expr::Number(n)) if !n.starts_with('-') => Expr::Number(format!("-{n}")),
                ('+', Expr::Number(n)) => Expr::Number(n),
                (op, expr) => Expr::Unary {
                    op,
                    expr: Box::new(expr),
                },
            },
            Expr::Binary { op, left, right } => {
                let op = match op.as_str() {
                    "~~" => "like".to_string(),
                    "~~*" => "ilike".to_string(),
                    "!~~" => "not like".to_string(),
                    "!~~*" => "not ilike".to_string(),
                    _ => op,
                };
                let (left, right) = (self.expr(*left), self.expr(*right));
                let left_bare = self.bare(&left, &right);
                let right_bare = self.bare(&right, &left);
                Expr::Binary {
                    op,
                    left: Box::new(left_bare),
                    right: Box::new(right_bare),
                }
            }
            Expr::Quantified {
                op,
                all,
                left,
                right,
            } => {
                let left = self.expr(*left);
                let right = self.bare(&self.expr(*right), &left);
                match (op.as_str(), all, right) {
                    ("=", false, Expr::Array(list)) if !list.is_empty() => {
                        self.in_list(left, list, false)
                    }
                    ("<>", true, Expr::Array(list)) if !list.is_empty() => {
                        self.in_list(left, list, true)
                    }
                    (_, _, right) => Expr::Quantified {
                        op,
                        all,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                }
            }
            Expr::In {
                expr,
                list,
                negated,
            } => {
                let list = list.into_iter().map(|i| self.expr(i)).collect();
                self.in_list(self.expr(*expr), list, negated)
            }
            Expr::Logic { and, items } => {
                let mut flat = Vec::with_capacity(items.len());
                for item in items {
                    match self.expr(item) {
                        Expr::Logic { and: inner, items } if inner == and => flat.extend(items),
                        item => flat.push(item),
                    }
                }
                Expr::Logic { and, items: flat }
            }
            Expr::Not(expr) => Expr::Not(Box::new(self.expr(*expr))),
            Expr::Is { expr, test } => Expr::Is {
                expr: Box::new(self.expr(*expr)),
                test,
            },
        }
    }

    /// `expr IN (list)` settled: elements without the casts that compare them with
    /// `expr`, and one element as `=` / `<>`.
    fn in_list(&self, expr: Expr, list: Vec<Expr>, negated: bool) -> Expr {
        let mut list: Vec<Expr> = list.iter().map(|item| self.bare(item, &expr)).collect();
        if list.len() == 1
            && let Some(item) = list.pop()
        {
            return Expr::Binary {
                op: if negated { "<>" } else { "=" }.into(),
                left: Box::new(expr),
                right: Box::new(item),
            };
        }
        Expr::In {
            expr: Box::new(expr),
            list,
            negated,
        }
    }

    /// A cast, settled: a quoted number cast to a numeric type is the number, a number
    /// cast to the type it has anyway is the number, a character column cast to a
    /// character type is the column.
    fn cast(&self, expr: Expr, ty: TypeName) -> Expr {
        let numeric = [
            "smallint",
            "integer",
            "bigint",
            "numeric",
            "real",
            "double precision",
        ];
        let expr = match expr {
            Expr::String(s) if ty.is_plain(&numeric) => {
                match s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    Some(n) if is_number(n) => Expr::Number(n.to_string()),
                    _ => Expr::String(s),
                }
            }
            expr => expr,
        };
        match &expr {
            Expr::Number(n) if ty.is_plain(&[natural_type(n)]) => return expr,
            Expr::Name(parts)
                if ty.is_plain(&["text", "character varying"])
                    && self.column_type(parts).is_some_and(is_character) =>
            {
                return expr;
            }
            _ => {}
        }
        Expr::Cast {
            expr: Box::new(expr),
            ty,
        }
    }

    /// `expr` without the casts of a literal that the server adds to compare it with
    /// `other` (see the module's rules); `expr` itself when `other` is a literal too.
    fn bare(&self, expr: &Expr, other: &Expr) -> Expr {
        if is_literal(other) {
            return expr.clone();
        }
        match expr {
            Expr::Cast { expr: inner, ty } => {
                let inner = self.bare(inner, other);
                let keeps_value = match &inner {
                    Expr::Number(n) if n.contains(['.', 'e']) => {
                        ty.is_plain(&["numeric", "real", "double precision"])
                    }
                    Expr::Number(_) => ty.is_plain(&[
                        "smallint",
                        "integer",
                        "bigint",
                        "numeric",
                        "real",
                        "double precision",
                    ]),
                    Expr::String(_) => {
                        ty.is_plain(&["text", "character varying", "bpchar"])
                            || self.is_type_of(other, ty)
                    }
                    Expr::Array(items) => {
                        ty.array == 1
                            && ty.modifiers.is_empty()
                            && ["text", "character varying", "bpchar"].contains(&ty.base.as_str())
                            && items.iter().all(|i| matches!(i, Expr::String(_)))
                    }
                    _ => false,
                };
                if keeps_value {
                    inner
                } else {
                    Expr::Cast {
                        expr: Box::new(inner),
                        ty: ty.clone(),
                    }
                }
            }
            Expr::Array(items) => Expr::Array(items.iter().map(|i| self.bare(i, other)).collect()),
            _ => expr.clone(),
        }
    }

    /// `true` when `other` is a column of type `ty` (without modifiers).
    fn is_type_of(&self, other: &Expr, ty: &TypeName) -> bool {
        let Expr::Name(parts) = other else {
            return false;
        };
        ty.modifiers.is_empty()
            && ty.array == 0
            && self
                .column_type(parts)
                .is_some_and(|column| type_alias(&super::normalize::type_name(column)) == ty.base)
    }

    /// The type of the column a one-part name names.
    fn column_type(&self, parts: &[String]) -> Option<&ColumnType> {
        let [name] = parts else {
            return None;
        };
        self.columns.iter().find(|c| c.name == *name).map(|c| &c.ty)
    }
}

/// `true` for `text`, `varchar(n)` and the character types spelled as custom types.
fn is_character(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Text | ColumnType::Varchar(_) => true,
        ColumnType::Custom(text) => {
            let text = text.trim().to_ascii_lowercase();
            text == "text" || text.starts_with("varchar") || text.starts_with("character varying")
        }
        _ => false,
    }
}

/// `true` for a constant: a number, a string, `true`/`false`/`null`, or a cast or array of
/// constants.
fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Number(_) | Expr::String(_) => true,
        Expr::Keyword(k) => matches!(k.as_str(), "true" | "false" | "null"),
        Expr::Cast { expr, .. } => is_literal(expr),
        Expr::Array(items) => items.iter().all(is_literal),
        _ => false,
    }
}

/// `true` for an optionally signed decimal number: `-1`, `1.5`, `2e3`.
fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let chars: Vec<char> = unsigned.chars().collect();
    !unsigned.is_empty()
        && chars
            .first()
            .is_some_and(|c| c.is_ascii_digit() || *c == '.')
        && number(&chars, 0).1 == chars.len()
        && chars.iter().any(char::is_ascii_digit)
}

/// The type PostgreSQL gives a number constant: `integer` when it fits, then `bigint`,
/// `numeric` for anything with a point or an exponent.
fn natural_type(number: &str) -> &'static str {
    if number.contains(['.', 'e']) {
        "numeric"
    } else if number.parse::<i32>().is_ok() {
        "integer"
    } else if number.parse::<i64>().is_ok() {
        "bigint"
    } else {
        "numeric"
    }
}

// ---------------------------------------------------------------------------------------
// Printing

/// The precedence level of `expr` as printed.
fn level(expr: &Expr) -> u8 {
    match expr {
        Expr::Logic { and: true, .. } => AND,
        Expr::Logic { and: false, .. } => OR,
        Expr::Not(_) => NOT,
        Expr::Is { .. } => IS,
        Expr::Binary { op, .. } | Expr::Quantified { op, .. } => binary_level(op),
        Expr::In { .. } => IN_LIKE,
        Expr::Unary { .. } => UNARY,
        // `-1::integer` would be `-(1::integer)`.
        Expr::Number(n) if n.starts_with('-') => UNARY,
        Expr::Cast { .. } => CAST,
        _ => ATOM,
    }
}

/// Prints `expr`, in parentheses when it binds less tightly than `min`.
fn child(expr: &Expr, min: u8, out: &mut String) {
    if level(expr) < min {
        out.push('(');
        print(expr, out);
        out.push(')');
    } else {
        print(expr, out);
    }
}

fn print(expr: &Expr, out: &mut String) {
    match expr {
        Expr::Number(n) | Expr::String(n) | Expr::Keyword(n) => out.push_str(n),
        Expr::Name(parts) => print_name(parts, out),
        Expr::Call { name, args } => {
            print_name(name, out);
            out.push('(');
            print_list(args, out);
            out.push(')');
        }
        Expr::Cast { expr, ty } => {
            // Casts chain to the left: `x::numeric::integer`.
            child(expr, CAST, out);
            out.push_str("::");
            match ty.base.split_once(' ') {
                // `timestamp(3) with time zone`: the modifiers follow the first word.
                Some((first, rest)) if first == "timestamp" || first == "time" => {
                    out.push_str(first);
                    out.push_str(&ty.modifiers);
                    out.push(' ');
                    out.push_str(rest);
                }
                _ => {
                    out.push_str(&ty.base);
                    out.push_str(&ty.modifiers);
                }
            }
            for _ in 0..ty.array {
                out.push_str("[]");
            }
        }
        Expr::Array(items) => {
            out.push_str("array[");
            print_list(items, out);
            out.push(']');
        }
        Expr::Subscript { expr, index } => {
            child(expr, ATOM, out);
            out.push('[');
            print(index, out);
            out.push(']');
        }
        Expr::Unary { op, expr } => {
            out.push(*op);
            // `- -1` would read as a comment start without the parentheses.
            if matches!(**expr, Expr::Number(ref n) if n.starts_with('-'))
                || matches!(**expr, Expr::Unary { .. })
            {
                out.push('(');
                print(expr, out);
                out.push(')');
            } else {
                child(expr, CAST, out);
            }
        }
        Expr::Binary { op, left, right } => {
            let level = binary_level(op);
            // Comparisons, LIKE and IS DISTINCT FROM do not associate: both sides tighter.
            let left_min = if level <= IN_LIKE { level + 1 } else { level };
            child(left, left_min, out);
            out.push(' ');
            out.push_str(op);
            out.push(' ');
            child(right, level + 1, out);
        }
        Expr::Quantified {
            op,
            all,
            left,
            right,
        } => {
            child(left, binary_level(op) + 1, out);
            out.push(' ');
            out.push_str(op);
            out.push_str(if *all { " all (" } else { " any (" });
            print(right, out);
            out.push(')');
        }
        Expr::In {
            expr,
            list,
            negated,
        } => {
            child(expr, IN_LIKE + 1, out);
            out.push_str(if *negated { " not in (" } else { " in (" });
            print_list(list, out);
            out.push(')');
        }
        Expr::Logic { and, items } => {
            let (word, min) = if *and {
                (" and ", AND + 1)
            } else {
                (" or ", OR + 1)
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(word);
                }
                child(item, min, out);
            }
        }
        Expr::Not(expr) => {
            out.push_str("not ");
            child(expr, NOT, out);
        }
        Expr::Is { expr, test } => {
            child(expr, IS + 1, out);
            out.push_str(" is ");
            out.push_str(test);
        }
    }
}

fn print_list(items: &[Expr], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        print(item, out);
    }
}

fn print_name(parts: &[String], out: &mut String) {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&quote_name(part));
    }
}

/// `name` as SQL: bare when it reads back as itself, quoted otherwise.
fn quote_name(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    let keyword = RESERVED.contains(&name)
        || VALUE_KEYWORDS.contains(&name)
        || ["not", "array", "cast"].contains(&name);
    if plain && !keyword {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[cfg(test)]
#[path = "sql_expr_tests.rs"]
mod tests;
