//! A parser for the `CREATE TABLE` and `CREATE INDEX` text SQLite stores in
//! `sqlite_schema`, for what only that text holds: CHECK constraints, constraint names,
//! COLLATE, AUTOINCREMENT, generated columns, STRICT / WITHOUT ROWID, partial-index
//! predicates and expression keys.
//!
//! It follows SQLite's grammar (`parse.y`): quoted identifiers in every style, comments,
//! nested parentheses, string literals with `''`, column and table constraints with an
//! optional `CONSTRAINT name`, conflict clauses, foreign-key actions, `MATCH` and
//! `DEFERRABLE`, generated columns with or without `GENERATED ALWAYS`, and table options.
//! Expressions (CHECK, DEFAULT, generation expressions, index keys and predicates) are
//! kept as the original text, comments included, trimmed of surrounding whitespace.
//!
//! It never panics and never loops forever: every step consumes a token or stops, and
//! text it cannot follow is an [`ParseError`].
//!
//! Beyond what it declares, a parsed table carries what SQLite itself derives from the
//! same text when it loads the schema, spelled as its pragmas report it: each column's
//! type ([`ParsedColumn::reported_type`], after SQLite's own rewriting in
//! `sqlite3AddColumn`) and default ([`ParsedColumn::reported_default`], the span
//! `sqlite3AddDefaultValue` keeps), and every PRIMARY KEY and UNIQUE constraint in the
//! order SQLite meets them ([`ParsedTable::keys`], which numbers its
//! `sqlite_autoindex_*` indexes). [`ParsedTable::exact`] and [`ParsedIndex::exact`] say
//! whether the text stayed inside the part of the grammar whose meaning this parser
//! follows exactly; reflection falls back to SQLite's pragmas when they are `false`.
//!
//! ```
//! # extern crate dbconform_core as dbconform;
//! use dbconform::dialect::sqlite::parse::parse_create_table;
//! let t = parse_create_table(
//!     "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT CHECK (n <> ''))",
//! ).unwrap();
//! assert!(t.autoincrement);
//! assert_eq!(t.checks[0].expr, "n <> ''");
//! ```

use super::lex::{Kind, Token, tokenize};
use crate::model::{
    Check, Deferrability, FkAction, GeneratedColumn, IndexColumn, SortOrder, UniqueConstraint,
};

pub use super::lex::ParseError;

/// What a `CREATE TABLE` statement declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedTable {
    /// The table name (unquoted).
    pub name: String,
    /// Columns in order.
    pub columns: Vec<ParsedColumn>,
    /// The primary key, declared on a column or as a table constraint.
    pub primary_key: Option<ParsedPrimaryKey>,
    /// `AUTOINCREMENT` appears on the primary key.
    pub autoincrement: bool,
    /// UNIQUE constraints, column-level ones included; `name` is `""` when unnamed.
    pub uniques: Vec<UniqueConstraint>,
    /// CHECK constraints in order, column-level ones included; `name` is `""` when unnamed.
    pub checks: Vec<Check>,
    /// FOREIGN KEY constraints, column-level `REFERENCES` included.
    pub foreign_keys: Vec<ParsedForeignKey>,
    /// `STRICT`.
    pub strict: bool,
    /// `WITHOUT ROWID`.
    pub without_rowid: bool,
    /// Every PRIMARY KEY and UNIQUE constraint, column-level ones included, in the order
    /// SQLite meets them while parsing (the order that numbers `sqlite_autoindex_*`).
    pub keys: Vec<ParsedKey>,
    /// `true` when the text stayed within the grammar this parser follows exactly as
    /// SQLite does, so that every fact SQLite's pragmas report about the table can be
    /// derived from it; `false` when the parser was more lenient than SQLite or met a
    /// construct whose meaning it does not model (a keyword SQLite only sometimes treats
    /// as a name, a type argument that is not a number, whitespace SQLite reads as part
    /// of a name, ...).
    pub exact: bool,
}

/// A PRIMARY KEY or UNIQUE constraint, as SQLite meets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedKey {
    /// PRIMARY KEY (else UNIQUE).
    pub primary: bool,
    /// Declared on a column (`a INT UNIQUE`), else a table constraint.
    pub inline: bool,
    /// `DESC` right after an inline `PRIMARY KEY` (which keeps an INTEGER column from
    /// becoming the rowid).
    pub desc: bool,
    /// Key columns in order, as written (unquoted), with an explicit `COLLATE`.
    pub columns: Vec<ParsedKeyColumn>,
}

/// One column of a [`ParsedKey`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedKeyColumn {
    /// The column name as written (unquoted).
    pub name: String,
    /// `COLLATE name` written in the key (table constraints only), unquoted.
    pub collation: Option<String>,
}

/// One column definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedColumn {
    /// The column name (unquoted).
    pub name: String,
    /// The declared type as written (`varchar ( 20 )`), `None` when there is none.
    pub type_text: Option<String>,
    /// `NOT NULL`.
    pub not_null: bool,
    /// The DEFAULT as written: `'x'`, `-1`, `(1+1)` (parentheses kept), `CURRENT_TIMESTAMP`.
    pub default: Option<String>,
    /// `COLLATE name` (unquoted), as written.
    pub collation: Option<String>,
    /// `GENERATED ALWAYS AS (expr) [STORED|VIRTUAL]` or `AS (expr) ...`.
    pub generated: Option<GeneratedColumn>,
    /// The type exactly as SQLite reports it (`pragma_table_xinfo.type`), `""` when there
    /// is none: the declared span with a trailing `GENERATED ALWAYS` removed, the six
    /// standard names (`INT`, `INTEGER`, `REAL`, `TEXT`, `BLOB`, `ANY`) in upper case
    /// even when quoted, anything else unquoted the way `sqlite3Dequote` does it. `None`
    /// when it cannot be told (then [`ParsedTable::exact`] is `false`).
    pub reported_type: Option<String>,
    /// The type is SQLite's standard `INTEGER`, the one that makes a single-column
    /// PRIMARY KEY the rowid (`"integer"` is; `INT` and `"INTEGER" x` are not).
    pub integer_type: bool,
    /// The DEFAULT exactly as SQLite reports it (`pragma_table_xinfo.dflt_value`): the
    /// text inside `DEFAULT (expr)` without the parentheses, trimmed; a signed literal
    /// from its sign; otherwise the one token as written.
    pub reported_default: Option<String>,
}

/// The primary key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedPrimaryKey {
    /// `CONSTRAINT name`, when given.
    pub name: Option<String>,
    /// Key columns in order.
    pub columns: Vec<String>,
    /// Declared as a column constraint (`id INTEGER PRIMARY KEY`).
    pub inline: bool,
    /// `DESC` on an inline key (which makes `INTEGER PRIMARY KEY DESC` no rowid alias).
    pub desc: bool,
}

/// A foreign key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedForeignKey {
    /// `CONSTRAINT name`, `""` when unnamed.
    pub name: String,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table, as written (unquoted).
    pub table: String,
    /// Referenced columns; empty when omitted (the parent's primary key).
    pub referenced_columns: Vec<String>,
    /// `ON DELETE` action.
    pub on_delete: FkAction,
    /// `ON UPDATE` action.
    pub on_update: FkAction,
    /// `DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]`, `NOT DEFERRABLE` or nothing.
    pub deferrable: Deferrability,
}

/// What a `CREATE INDEX` statement declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedIndex {
    /// The index name (unquoted).
    pub name: String,
    /// The indexed table (unquoted).
    pub table: String,
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
    /// Key columns in order; expression keys carry their text with `expression: true`.
    pub columns: Vec<IndexColumn>,
    /// The text after `WHERE`, as written.
    pub predicate: Option<String>,
    /// `true` when every key is certainly a column (one name) or certainly an expression,
    /// as SQLite decides it; `false` for keys SQLite may read otherwise than this parser
    /// (`'a'`, `(a)`, `t.a`, two COLLATEs, a keyword, ...).
    pub exact: bool,
}

/// Keywords that begin a table constraint.
const TABLE_CONSTRAINT_START: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// SQLite's keywords that never stand for a name (those without `%fallback ID` in its
/// grammar, 3.51), sorted: a column's type ends at the first of them, while every other
/// word, keyword or not (`KEY`, `GENERATED`, `ALWAYS`, ...), continues it.
const RESERVED: [&str; 69] = [
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "AUTOINCREMENT",
    "BETWEEN",
    "CASE",
    "CHECK",
    "COLLATE",
    "COMMIT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "DEFAULT",
    "DEFERRABLE",
    "DELETE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "ESCAPE",
    "EXCEPT",
    "EXISTS",
    "FILTER",
    "FOREIGN",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IN",
    "INDEX",
    "INDEXED",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "LEFT",
    "LIMIT",
    "NATURAL",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PRIMARY",
    "REFERENCES",
    "RETURNING",
    "RIGHT",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TO",
    "TRANSACTION",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WINDOW",
];

/// Keywords SQLite's tokenizer turns into names or not depending on what follows them;
/// a type or an index key holding one is not followed exactly.
const CONTEXTUAL: [&str; 3] = ["WINDOW", "OVER", "FILTER"];

/// Keywords that are names by fallback but mean a value where an expression is expected.
const CURRENT: [&str; 3] = ["CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP"];

/// `true` for a word SQLite never reads as a name. (Called for every word of every type:
/// a binary search on the upper-cased word, without allocating.)
fn is_reserved(token: &Token<'_>) -> bool {
    let text = token.text.as_bytes();
    let mut upper = [0u8; 16];
    if token.kind != Kind::Word || text.len() > upper.len() {
        return false;
    }
    let Some(upper) = upper.get_mut(..text.len()) else {
        return false;
    };
    for (u, b) in upper.iter_mut().zip(text) {
        *u = b.to_ascii_uppercase();
    }
    RESERVED
        .binary_search_by(|k| k.as_bytes().cmp(upper))
        .is_ok()
}

/// SQLite's `sqlite3Isspace`: the only characters its span trimming removes.
fn is_sqlite_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// SQLite's `sqlite3Isquote`.
fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`' | b'[')
}

/// `text` without leading and trailing [`is_sqlite_space`] characters.
fn trim_sqlite_space(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && is_sqlite_space(c as u8))
}

/// Whitespace to this lexer that SQLite's tokenizer reads as part of a name (non-ASCII
/// spaces) or refuses (vertical tab): text holding one is not followed exactly.
fn has_foreign_whitespace(sql: &str) -> bool {
    // ASCII text (the usual case) is checked bytewise for the vertical tab alone.
    if sql.is_ascii() {
        return sql.as_bytes().contains(&0x0b);
    }
    sql.chars()
        .any(|c| c.is_whitespace() && !matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r'))
}

/// SQLite's `sqlite3Dequote` on bytes: when `z` starts with a quote, the text up to the
/// matching quote with doubled quotes undone (everything after it dropped); otherwise `z`.
/// `None` when the closing quote is missing.
fn sqlite_dequote(z: &[u8]) -> Option<Vec<u8>> {
    let Some(&first) = z.first() else {
        return Some(Vec::new());
    };
    if !is_quote(first) {
        return Some(z.to_vec());
    }
    let quote = if first == b'[' { b']' } else { first };
    let mut out = Vec::with_capacity(z.len());
    let mut i = 1;
    while let Some(&b) = z.get(i) {
        if b == quote {
            if z.get(i + 1) == Some(&quote) {
                out.push(quote);
                i += 2;
                continue;
            }
            return Some(out);
        }
        out.push(b);
        i += 1;
    }
    None
}

/// `span` without a trailing `GENERATED ALWAYS` (or `ALWAYS`), cut the way
/// `sqlite3AddColumn` cuts it (see [`reported_type`]).
fn strip_generated_always(span: &str) -> &str {
    let mut t = span;
    fn trim_end(t: &str) -> &str {
        t.trim_end_matches(|c: char| c.is_ascii() && is_sqlite_space(c as u8))
    }
    let ends_with = |t: &str, word: &str| {
        t.len() >= word.len()
            && t.get(t.len() - word.len()..)
                .is_some_and(|end| end.eq_ignore_ascii_case(word))
    };
    if t.len() >= 16 && ends_with(t, "always") {
        t = trim_end(&t[..t.len() - 6]);
        if t.len() >= 9 && ends_with(t, "generated") {
            t = trim_end(&t[..t.len() - 9]);
        }
    }
    t
}

/// The six type names SQLite stores as a code and reports in upper case.
const STANDARD_TYPES: [&str; 6] = ["ANY", "BLOB", "INT", "INTEGER", "REAL", "TEXT"];

/// What `sqlite3AddColumn` makes of a type span, as `pragma_table_xinfo` reports it, and
/// whether it is the standard `INTEGER`. `None` when the result would not be UTF-8 (SQLite
/// cuts bytes, not characters) or a quote is left open.
fn reported_type(span: &str) -> Option<(String, bool)> {
    // The parser takes `GENERATED ALWAYS` for more words of the type; SQLite cuts them.
    let mut t = strip_generated_always(span).as_bytes();
    if t.len() >= 3 {
        // sqlite3DequoteToken: one quoted token with no quote inside loses its quotes
        // (only its first and last bytes are looked at).
        if let [open, inner @ .., _] = t
            && is_quote(*open)
            && !inner.iter().any(|b| is_quote(*b))
        {
            t = inner;
        }
        if let Some(standard) = STANDARD_TYPES
            .iter()
            .find(|name| t.eq_ignore_ascii_case(name.as_bytes()))
        {
            return Some((standard.to_string(), *standard == "INTEGER"));
        }
    }
    // Unquoted (the common case): the span itself, without a round trip through bytes.
    if !t.first().copied().is_some_and(is_quote) {
        return std::str::from_utf8(t)
            .ok()
            .map(|ty| (ty.to_string(), false));
    }
    let dequoted = sqlite_dequote(t)?;
    String::from_utf8(dequoted).ok().map(|ty| (ty, false))
}

/// Parses the text of a `CREATE TABLE` statement as stored in `sqlite_schema.sql`.
///
/// Errors on text that is not a `CREATE TABLE` with a column list (`CREATE TABLE ... AS
/// SELECT` is stored by SQLite with a column list, so it never reaches here that way).
pub fn parse_create_table(sql: &str) -> Result<ParsedTable, ParseError> {
    let tokens = tokenize(sql)?;
    let mut parser = Parser::new(sql, &tokens);
    let mut table = parser.create_table()?;
    table.exact = parser.exact && !has_foreign_whitespace(sql);
    Ok(table)
}

/// Parses the text of a `CREATE [UNIQUE] INDEX` statement as stored in `sqlite_schema.sql`.
pub fn parse_create_index(sql: &str) -> Result<ParsedIndex, ParseError> {
    let tokens = tokenize(sql)?;
    let mut parser = Parser::new(sql, &tokens);
    let mut index = parser.create_index()?;
    index.exact = parser.exact && !has_foreign_whitespace(sql);
    Ok(index)
}

/// A cursor over the tokens of one statement.
struct Parser<'s, 't> {
    src: &'s str,
    tokens: &'t [Token<'s>],
    pos: usize,
    /// Cleared when the text leaves the grammar followed exactly (see
    /// [`ParsedTable::exact`]).
    exact: bool,
}

impl<'s, 't> Parser<'s, 't> {
    fn new(src: &'s str, tokens: &'t [Token<'s>]) -> Self {
        Parser {
            src,
            tokens,
            pos: 0,
            exact: true,
        }
    }

    fn peek(&self) -> Option<&'t Token<'s>> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'t Token<'s>> {
        self.tokens.get(self.pos + ahead)
    }

    fn next(&mut self) -> Option<&'t Token<'s>> {
        let token = self.tokens.get(self.pos)?;
        self.pos += 1;
        Some(token)
    }

    /// Byte offset of the current token (or the end of the input).
    fn offset(&self) -> usize {
        self.peek().map_or(self.src.len(), |t| t.start)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError::new(self.offset(), message))
    }

    fn at_kw(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is_kw(keyword))
    }

    fn at_any_kw(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.at_kw(k))
    }

    fn at_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn eat_kw(&mut self, keyword: &str) -> bool {
        let found = self.at_kw(keyword);
        if found {
            self.pos += 1;
        }
        found
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let found = self.at_punct(p);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect_kw(&mut self, keyword: &str) -> Result<(), ParseError> {
        if self.eat_kw(keyword) {
            Ok(())
        } else {
            self.error(format!("expected `{keyword}`"))
        }
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), ParseError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            self.error(format!("expected `{p}`"))
        }
    }

    /// A name: a word, a quoted identifier or a string literal, unquoted.
    fn name(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Some(t) if t.is_name() => {
                self.pos += 1;
                Ok(t.value())
            }
            _ => self.error("expected a name"),
        }
    }

    /// `[schema.]name`: the name, without its schema. SQLite stores names unqualified,
    /// and never accepts a qualified one after REFERENCES or ON: a qualified name is not
    /// followed exactly.
    fn qualified_name(&mut self) -> Result<String, ParseError> {
        let first = self.name()?;
        if self.at_punct(".") && self.peek_at(1).is_some_and(Token::is_name) {
            self.pos += 1;
            self.exact = false;
            return self.name();
        }
        Ok(first)
    }

    /// The original text from byte `start` to byte `end`, trimmed.
    fn text(&self, start: usize, end: usize) -> String {
        self.src.get(start..end).unwrap_or("").trim().to_string()
    }

    /// Skips a parenthesized group starting at the current `(`; returns the token index
    /// of its closing `)`.
    fn skip_group(&mut self) -> Result<usize, ParseError> {
        let open = self.offset();
        self.expect_punct("(")?;
        let mut depth = 1usize;
        while let Some(token) = self.next() {
            if token.is_punct("(") {
                depth += 1;
            } else if token.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(self.pos - 1);
                }
            }
        }
        Err(ParseError::new(open, "`(` without a matching `)`"))
    }

    /// A parenthesized expression: the original text between the parentheses.
    fn group_text(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        let close = self.skip_group()?;
        Ok(self.between(open, close))
    }

    /// The original text strictly between tokens `open` and `close` (indexes), trimmed.
    fn between(&self, open: usize, close: usize) -> String {
        match (self.tokens.get(open), self.tokens.get(close)) {
            (Some(a), Some(b)) => self.text(a.end, b.start),
            _ => String::new(),
        }
    }

    /// `CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name ( ... ) [options]`.
    fn create_table(&mut self) -> Result<ParsedTable, ParseError> {
        self.expect_kw("CREATE")?;
        if !self.eat_kw("TEMP") {
            self.eat_kw("TEMPORARY");
        }
        self.expect_kw("TABLE")?;
        if self.eat_kw("IF") {
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
        }
        let mut table = ParsedTable {
            name: self.qualified_name()?,
            ..ParsedTable::default()
        };
        if self.at_kw("AS") {
            return self.error("CREATE TABLE ... AS SELECT has no column definitions");
        }
        self.expect_punct("(")?;
        let mut in_constraints = false;
        loop {
            let before = self.pos;
            if self.at_any_kw(&TABLE_CONSTRAINT_START) {
                in_constraints = true;
                self.table_constraint(&mut table)?;
            } else {
                self.column(&mut table)?;
            }
            if self.eat_punct(",") {
                continue;
            }
            if self.at_punct(")") {
                break;
            }
            // SQLite accepts table constraints without commas between them.
            if in_constraints && self.at_any_kw(&TABLE_CONSTRAINT_START) && self.pos > before {
                continue;
            }
            return self.error("expected `,` or `)` after a table element");
        }
        self.expect_punct(")")?;
        loop {
            if self.eat_kw("WITHOUT") {
                self.expect_kw("ROWID")?;
                table.without_rowid = true;
            } else if self.eat_kw("STRICT") {
                table.strict = true;
            } else {
                break;
            }
            self.eat_punct(",");
        }
        self.eat_punct(";");
        if self.peek().is_some() {
            return self.error("unexpected text after the table definition");
        }
        Ok(table)
    }

    /// `name [type] [column-constraint ...]`.
    fn column(&mut self, table: &mut ParsedTable) -> Result<(), ParseError> {
        let mut column = ParsedColumn {
            name: self.name()?,
            ..ParsedColumn::default()
        };
        let span = self.type_name()?;
        match span.map(reported_type) {
            None => column.reported_type = Some(String::new()),
            Some(Some((ty, integer))) => {
                column.reported_type = Some(ty);
                column.integer_type = integer;
            }
            Some(None) => self.exact = false,
        }
        // `type_text` is the declaration without the `GENERATED ALWAYS` SQLite cuts.
        column.type_text = span.map(|t| strip_generated_always(t).to_string());
        if column.type_text.as_deref() == Some("") {
            column.type_text = None;
        }
        let mut name: Option<String> = None;
        // Whether this column has a REFERENCES yet: a deferral clause after it is its.
        let mut column_has_fk = false;
        loop {
            if self.eat_kw("CONSTRAINT") {
                name = Some(self.name()?);
                continue;
            }
            let label = name.take();
            if self.eat_kw("PRIMARY") {
                self.expect_kw("KEY")?;
                let desc = if self.eat_kw("DESC") {
                    true
                } else {
                    self.eat_kw("ASC");
                    false
                };
                self.conflict_clause()?;
                if self.eat_kw("AUTOINCREMENT") {
                    table.autoincrement = true;
                }
                table.primary_key = Some(ParsedPrimaryKey {
                    name: label,
                    columns: vec![column.name.clone()],
                    inline: true,
                    desc,
                });
                table.keys.push(ParsedKey {
                    primary: true,
                    inline: true,
                    desc,
                    columns: vec![ParsedKeyColumn {
                        name: column.name.clone(),
                        collation: None,
                    }],
                });
            } else if self.at_kw("NOT") && self.peek_at(1).is_some_and(|t| t.is_kw("DEFERRABLE")) {
                // A deferral clause of its own applies to the column's last REFERENCES.
                self.pos += 2;
                self.initially()?;
                if let Some(fk) = table.foreign_keys.last_mut().filter(|_| column_has_fk) {
                    fk.deferrable = Deferrability::NotDeferrable;
                }
            } else if self.eat_kw("DEFERRABLE") {
                let deferrable = self.initially()?;
                if let Some(fk) = table.foreign_keys.last_mut().filter(|_| column_has_fk) {
                    fk.deferrable = deferrable;
                }
            } else if self.eat_kw("NOT") {
                self.expect_kw("NULL")?;
                column.not_null = true;
                self.conflict_clause()?;
            } else if self.eat_kw("NULL") {
                self.conflict_clause()?;
            } else if self.eat_kw("UNIQUE") {
                self.conflict_clause()?;
                table.uniques.push(UniqueConstraint {
                    nulls_not_distinct: false,
                    name: label.unwrap_or_default(),
                    columns: vec![column.name.clone()],
                });
                table.keys.push(ParsedKey {
                    primary: false,
                    inline: true,
                    desc: false,
                    columns: vec![ParsedKeyColumn {
                        name: column.name.clone(),
                        collation: None,
                    }],
                });
            } else if self.eat_kw("CHECK") {
                let expr = self.group_text()?;
                table.checks.push(Check {
                    name: label.unwrap_or_default(),
                    expr,
                    not_valid: false,
                });
            } else if self.eat_kw("DEFAULT") {
                let (written, reported) = self.default_value()?;
                column.default = Some(written);
                column.reported_default = Some(reported);
            } else if self.eat_kw("COLLATE") {
                column.collation = Some(self.name()?);
            } else if self.eat_kw("REFERENCES") {
                let mut fk = self.references()?;
                fk.name = label.unwrap_or_default();
                fk.columns = vec![column.name.clone()];
                table.foreign_keys.push(fk);
                column_has_fk = true;
            } else if self.at_kw("GENERATED") || self.at_kw("AS") {
                if self.eat_kw("GENERATED") {
                    self.expect_kw("ALWAYS")?;
                }
                self.expect_kw("AS")?;
                let expr = self.group_text()?;
                let stored = if self.eat_kw("STORED") {
                    true
                } else {
                    self.eat_kw("VIRTUAL");
                    false
                };
                column.generated = Some(GeneratedColumn { expr, stored });
            } else {
                break;
            }
        }
        table.columns.push(column);
        Ok(())
    }

    /// The declared type, as SQLite delimits it: every word that is not one of its
    /// [`RESERVED`] keywords (so `GENERATED ALWAYS` before `AS` is part of it, as in
    /// SQLite), quoted names and strings, then an optional `(n)` / `(p, s)` of signed
    /// numbers. The original text from the first to the last token, comments included.
    fn type_name(&mut self) -> Result<Option<&'s str>, ParseError> {
        let first = self.pos;
        while let Some(token) = self.peek() {
            if CONTEXTUAL.iter().any(|k| token.is_kw(k)) {
                // Usually a name to SQLite's tokenizer here, but not always.
                self.exact = false;
            } else if !matches!(token.kind, Kind::Word | Kind::Quoted | Kind::String)
                || is_reserved(token)
            {
                break;
            }
            self.pos += 1;
        }
        if self.pos == first {
            return Ok(None);
        }
        let mut last = self.pos - 1;
        if self.at_punct("(") {
            let open = self.pos;
            last = self.skip_group()?;
            if !self.signed_numbers(open + 1, last) {
                self.exact = false;
            }
        }
        match (self.tokens.get(first), self.tokens.get(last)) {
            (Some(a), Some(b)) => Ok(Some(self.src.get(a.start..b.end).unwrap_or(""))),
            _ => Ok(None),
        }
    }

    /// `true` when tokens `start..end` are `signed` or `signed , signed`, a signed number
    /// being `[+|-] number` (what SQLite's grammar allows in a type).
    fn signed_numbers(&self, start: usize, end: usize) -> bool {
        let Some(tokens) = self.tokens.get(start..end) else {
            return false;
        };
        let signed = |part: &[Token<'_>]| match part {
            [n] => n.kind == Kind::Number,
            [sign, n] => (sign.is_punct("+") || sign.is_punct("-")) && n.kind == Kind::Number,
            _ => false,
        };
        let mut parts = tokens.split(|t| t.is_punct(","));
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), None, None) => signed(a),
            (Some(a), Some(b), None) => signed(a) && signed(b),
            _ => false,
        }
    }

    /// `ON CONFLICT (ROLLBACK | ABORT | FAIL | IGNORE | REPLACE)`, when present.
    fn conflict_clause(&mut self) -> Result<(), ParseError> {
        if self.at_kw("ON") && self.peek_at(1).is_some_and(|t| t.is_kw("CONFLICT")) {
            self.pos += 2;
            self.name()?;
        }
        Ok(())
    }

    /// The value after DEFAULT: `(expr)` with its parentheses, a signed number, or one
    /// literal, keyword or identifier, as written; and what SQLite reports for it (the
    /// same, but the text inside the parentheses for `(expr)`).
    fn default_value(&mut self) -> Result<(String, String), ParseError> {
        let Some(first) = self.peek() else {
            return self.error("expected a default value");
        };
        if first.is_punct("(") {
            let open = self.pos;
            let close = self.skip_group()?;
            return match (self.tokens.get(open), self.tokens.get(close)) {
                (Some(a), Some(b)) => Ok((
                    self.text(a.start, b.end),
                    trim_sqlite_space(self.src.get(a.end..b.start).unwrap_or("")).to_string(),
                )),
                _ => self.error("expected a default value"),
            };
        }
        if first.is_punct("-") || first.is_punct("+") {
            self.pos += 1;
            return match self.next() {
                Some(n)
                    if matches!(
                        n.kind,
                        Kind::Number | Kind::Word | Kind::String | Kind::Blob
                    ) =>
                {
                    // SQLite only accepts a literal after the sign: NULL, a number, a
                    // string, a blob or CURRENT_*.
                    if n.kind == Kind::Word
                        && !n.is_kw("NULL")
                        && !CURRENT.iter().any(|k| n.is_kw(k))
                    {
                        self.exact = false;
                    }
                    let text = self.text(first.start, n.end);
                    Ok((text.clone(), text))
                }
                _ => self.error("expected a number after the sign"),
            };
        }
        if matches!(first.kind, Kind::Punct) {
            return self.error("expected a default value");
        }
        if first.kind == Kind::Variable {
            self.exact = false;
        }
        self.pos += 1;
        Ok((first.text.to_string(), first.text.to_string()))
    }

    /// After `REFERENCES`: `table [(cols)]` and any actions, `MATCH` and `DEFERRABLE`
    /// clauses. Name and columns are left for the caller.
    fn references(&mut self) -> Result<ParsedForeignKey, ParseError> {
        let mut fk = ParsedForeignKey {
            table: self.qualified_name()?,
            ..ParsedForeignKey::default()
        };
        if self.at_punct("(") {
            fk.referenced_columns = self.name_list()?;
        }
        loop {
            if self.at_kw("ON") && !self.peek_at(1).is_some_and(|t| t.is_kw("CONFLICT")) {
                self.pos += 1;
                // SQLite accepts `ON INSERT action` and ignores it.
                let target = if self.eat_kw("DELETE") {
                    Some(true)
                } else if self.eat_kw("UPDATE") {
                    Some(false)
                } else if self.eat_kw("INSERT") {
                    None
                } else {
                    return self.error("expected `DELETE`, `UPDATE` or `INSERT` after `ON`");
                };
                let action = self.fk_action()?;
                match target {
                    Some(true) => fk.on_delete = action,
                    Some(false) => fk.on_update = action,
                    None => {}
                }
            } else if self.eat_kw("MATCH") {
                self.name()?;
            } else if self.at_kw("NOT") && self.peek_at(1).is_some_and(|t| t.is_kw("DEFERRABLE")) {
                self.pos += 2;
                self.initially()?;
                fk.deferrable = Deferrability::NotDeferrable;
            } else if self.eat_kw("DEFERRABLE") {
                fk.deferrable = self.initially()?;
            } else {
                break;
            }
        }
        Ok(fk)
    }

    /// `INITIALLY (DEFERRED | IMMEDIATE)`, when present, after `DEFERRABLE`: what the
    /// key is (SQLite checks a deferrable key at commit only when initially deferred).
    fn initially(&mut self) -> Result<Deferrability, ParseError> {
        if !self.eat_kw("INITIALLY") {
            return Ok(Deferrability::Deferrable);
        }
        if self.eat_kw("DEFERRED") {
            Ok(Deferrability::InitiallyDeferred)
        } else if self.eat_kw("IMMEDIATE") {
            Ok(Deferrability::Deferrable)
        } else {
            self.error("expected `DEFERRED` or `IMMEDIATE`")
        }
    }

    /// `SET NULL | SET DEFAULT | CASCADE | RESTRICT | NO ACTION`.
    fn fk_action(&mut self) -> Result<FkAction, ParseError> {
        if self.eat_kw("SET") {
            if self.eat_kw("NULL") {
                return Ok(FkAction::SetNull);
            }
            self.expect_kw("DEFAULT")?;
            return Ok(FkAction::SetDefault);
        }
        if self.eat_kw("CASCADE") {
            return Ok(FkAction::Cascade);
        }
        if self.eat_kw("RESTRICT") {
            return Ok(FkAction::Restrict);
        }
        self.expect_kw("NO")?;
        self.expect_kw("ACTION")?;
        Ok(FkAction::NoAction)
    }

    /// `(a, b, c)`: plain names.
    fn name_list(&mut self) -> Result<Vec<String>, ParseError> {
        self.expect_punct("(")?;
        let mut names = vec![self.name()?];
        while self.eat_punct(",") {
            names.push(self.name()?);
        }
        self.expect_punct(")")?;
        Ok(names)
    }

    /// `(col [COLLATE x] [ASC|DESC] [AUTOINCREMENT], ...)` of a PRIMARY KEY or UNIQUE
    /// table constraint: the columns, and whether AUTOINCREMENT appeared.
    fn key_columns(&mut self) -> Result<(Vec<ParsedKeyColumn>, bool), ParseError> {
        self.expect_punct("(")?;
        let mut columns = Vec::new();
        let mut autoincrement = false;
        loop {
            let mut column = ParsedKeyColumn {
                name: self.name()?,
                collation: None,
            };
            if self.eat_kw("COLLATE") {
                column.collation = Some(self.name()?);
            }
            columns.push(column);
            if !self.eat_kw("ASC") {
                self.eat_kw("DESC");
            }
            if self.eat_kw("AUTOINCREMENT") {
                autoincrement = true;
            }
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(")")?;
        Ok((columns, autoincrement))
    }

    /// `[CONSTRAINT name] (PRIMARY KEY | UNIQUE | CHECK | FOREIGN KEY) ...`.
    fn table_constraint(&mut self, table: &mut ParsedTable) -> Result<(), ParseError> {
        let name = if self.eat_kw("CONSTRAINT") {
            Some(self.name()?)
        } else {
            None
        };
        if self.eat_kw("PRIMARY") {
            self.expect_kw("KEY")?;
            let (columns, autoincrement) = self.key_columns()?;
            self.conflict_clause()?;
            table.autoincrement |= autoincrement;
            table.primary_key = Some(ParsedPrimaryKey {
                name,
                columns: columns.iter().map(|c| c.name.clone()).collect(),
                inline: false,
                desc: false,
            });
            table.keys.push(ParsedKey {
                primary: true,
                inline: false,
                desc: false,
                columns,
            });
        } else if self.eat_kw("UNIQUE") {
            let (columns, _) = self.key_columns()?;
            self.conflict_clause()?;
            table.uniques.push(UniqueConstraint {
                nulls_not_distinct: false,
                name: name.unwrap_or_default(),
                columns: columns.iter().map(|c| c.name.clone()).collect(),
            });
            table.keys.push(ParsedKey {
                primary: false,
                inline: false,
                desc: false,
                columns,
            });
        } else if self.eat_kw("CHECK") {
            let expr = self.group_text()?;
            self.conflict_clause()?;
            table.checks.push(Check {
                name: name.unwrap_or_default(),
                expr,
                not_valid: false,
            });
        } else if self.eat_kw("FOREIGN") {
            self.expect_kw("KEY")?;
            let columns = self.name_list()?;
            self.expect_kw("REFERENCES")?;
            let mut fk = self.references()?;
            fk.name = name.unwrap_or_default();
            fk.columns = columns;
            table.foreign_keys.push(fk);
        } else if name.is_none() {
            return self.error("expected a table constraint");
        }
        // `CONSTRAINT name` alone is accepted by SQLite and declares nothing.
        Ok(())
    }

    /// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON table (keys) [WHERE expr]`.
    fn create_index(&mut self) -> Result<ParsedIndex, ParseError> {
        self.expect_kw("CREATE")?;
        let unique = self.eat_kw("UNIQUE");
        self.expect_kw("INDEX")?;
        if self.eat_kw("IF") {
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
        }
        let name = self.qualified_name()?;
        self.expect_kw("ON")?;
        let table = self.name()?;
        let open = self.pos;
        let close = self.skip_group()?;
        let (columns, exact) = self.index_keys(open + 1, close);
        self.exact &= exact;
        let mut predicate = None;
        if self.eat_kw("WHERE") {
            let start = self.offset();
            let mut end = self.tokens.len();
            if self.tokens.last().is_some_and(|t| t.is_punct(";")) {
                end -= 1;
            }
            let last = end
                .checked_sub(1)
                .and_then(|i| self.tokens.get(i))
                .filter(|t| t.start >= start);
            match last {
                Some(t) => predicate = Some(self.text(start, t.end)),
                None => return self.error("expected a predicate after `WHERE`"),
            }
            self.pos = end;
        }
        self.eat_punct(";");
        if self.peek().is_some() {
            return self.error("unexpected text after the index definition");
        }
        Ok(ParsedIndex {
            name,
            table,
            unique,
            columns,
            predicate,
            exact: false,
        })
    }

    /// The keys of an index: the tokens from `first` up to `close` (the group's `)`),
    /// split at top-level commas; each `expr [COLLATE x] [ASC|DESC]`. Also whether every
    /// key is read exactly as SQLite reads it (see [`ParsedIndex::exact`]).
    fn index_keys(&self, first: usize, close: usize) -> (Vec<IndexColumn>, bool) {
        let mut keys = Vec::new();
        let mut exact = true;
        let mut start = first;
        let mut depth = 0usize;
        for i in first..=close {
            let Some(token) = self.tokens.get(i) else {
                break;
            };
            if token.is_punct("(") {
                depth += 1;
            } else if token.is_punct(")") && depth > 0 && i != close {
                depth -= 1;
            } else if (token.is_punct(",") && depth == 0) || i == close {
                if i > start {
                    let (key, key_exact) = self.index_key(start, i);
                    keys.push(key);
                    exact &= key_exact;
                } else {
                    exact = false;
                }
                start = i + 1;
            }
        }
        (keys, exact)
    }

    /// One index key from tokens `start..end` (exclusive), and whether SQLite certainly
    /// reads it the same way: one name (`a`, `"a"`, `'a'`) is a column, anything else an
    /// expression — except for what its resolver turns into a plain column after all
    /// (`(a)`, `t.a`, `a COLLATE x COLLATE y`) or reads as something else than a name (a
    /// reserved word, `CURRENT_DATE`, `NULLS FIRST`).
    fn index_key(&self, start: usize, mut end: usize) -> (IndexColumn, bool) {
        let mut order = SortOrder::Asc;
        let at = |i: usize| self.tokens.get(i);
        if let Some(last) = end.checked_sub(1).and_then(at) {
            if last.is_kw("DESC") {
                order = SortOrder::Desc;
                end -= 1;
            } else if last.is_kw("ASC") {
                end -= 1;
            }
        }
        if end >= start + 3
            && at(end - 2).is_some_and(|t| t.is_kw("COLLATE"))
            && at(end - 1).is_some_and(Token::is_name)
        {
            end -= 2;
        }
        let single = end == start + 1;
        let exact = self.key_is_exact(start, end);
        let key = match (at(start), end.checked_sub(1).and_then(at)) {
            // SQLite reads a lone string as a column name here (`sqlite3StringToId`).
            (Some(t), _) if single && t.is_name() => IndexColumn {
                opclass: None,
                nulls: None,
                name: t.value(),
                order,
                expression: false,
            },
            (Some(a), Some(b)) => IndexColumn {
                opclass: None,
                nulls: None,
                name: self.text(a.start, b.end),
                order,
                expression: true,
            },
            _ => IndexColumn {
                opclass: None,
                nulls: None,
                name: String::new(),
                order,
                expression: true,
            },
        };
        (key, exact)
    }

    /// See [`Self::index_key`]: tokens `start..end` are the key without its sort order
    /// and last COLLATE.
    fn key_is_exact(&self, start: usize, end: usize) -> bool {
        let Some(tokens) = self.tokens.get(start..end) else {
            return false;
        };
        let doubtful_word = |t: &Token<'_>| {
            is_reserved(t)
                || CONTEXTUAL.iter().chain(&CURRENT).any(|k| t.is_kw(k))
                || ["NULLS", "ASC", "DESC", "COLLATE"]
                    .iter()
                    .any(|k| t.is_kw(k))
        };
        match tokens {
            [] => false,
            [one] => match one.kind {
                Kind::Quoted | Kind::String => true,
                Kind::Word => !doubtful_word(one),
                _ => false,
            },
            _ => {
                let bare: Vec<&Token<'_>> = tokens
                    .iter()
                    .filter(|t| !t.is_punct("(") && !t.is_punct(")"))
                    .collect();
                let one_name = matches!(bare.as_slice(), [t] if t.is_name());
                // A COLLATE anywhere may wrap a lone column (`(a COLLATE x)`); ASC, DESC
                // and NULLS are names inside parentheses but not outside them.
                let mut depth = 0usize;
                let doubtful = tokens.iter().any(|t| {
                    if t.is_punct("(") {
                        depth += 1;
                    } else if t.is_punct(")") {
                        depth = depth.saturating_sub(1);
                    }
                    t.is_punct(".")
                        || t.is_kw("COLLATE")
                        || (depth == 0 && ["NULLS", "ASC", "DESC"].iter().any(|k| t.is_kw(k)))
                });
                !one_name && !doubtful
            }
        }
    }
}

#[cfg(test)]
mod tests;
