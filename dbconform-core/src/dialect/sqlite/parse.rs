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
//! ```
//! use dbconform_core::dialect::sqlite::parse::parse_create_table;
//! let t = parse_create_table(
//!     "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT CHECK (n <> ''))",
//! ).unwrap();
//! assert!(t.autoincrement);
//! assert_eq!(t.checks[0].expr, "n <> ''");
//! ```

use super::lex::{Kind, Token, tokenize};
use crate::model::{Check, FkAction, GeneratedColumn, IndexColumn, SortOrder, UniqueConstraint};

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
}

/// Keywords that begin a column constraint and so end a column's type.
const COLUMN_CONSTRAINT_START: [&str; 11] = [
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// Keywords that begin a table constraint.
const TABLE_CONSTRAINT_START: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Parses the text of a `CREATE TABLE` statement as stored in `sqlite_schema.sql`.
///
/// Errors on text that is not a `CREATE TABLE` with a column list (`CREATE TABLE ... AS
/// SELECT` is stored by SQLite with a column list, so it never reaches here that way).
pub fn parse_create_table(sql: &str) -> Result<ParsedTable, ParseError> {
    let tokens = tokenize(sql)?;
    Parser::new(sql, &tokens).create_table()
}

/// Parses the text of a `CREATE [UNIQUE] INDEX` statement as stored in `sqlite_schema.sql`.
pub fn parse_create_index(sql: &str) -> Result<ParsedIndex, ParseError> {
    let tokens = tokenize(sql)?;
    Parser::new(sql, &tokens).create_index()
}

/// A cursor over the tokens of one statement.
struct Parser<'s, 't> {
    src: &'s str,
    tokens: &'t [Token<'s>],
    pos: usize,
}

impl<'s, 't> Parser<'s, 't> {
    fn new(src: &'s str, tokens: &'t [Token<'s>]) -> Self {
        Parser {
            src,
            tokens,
            pos: 0,
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

    /// `[schema.]name`: the name, without its schema.
    fn qualified_name(&mut self) -> Result<String, ParseError> {
        let first = self.name()?;
        if self.at_punct(".") && self.peek_at(1).is_some_and(Token::is_name) {
            self.pos += 1;
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
        column.type_text = self.type_name()?;
        let mut name: Option<String> = None;
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
            } else if self.eat_kw("NOT") {
                self.expect_kw("NULL")?;
                column.not_null = true;
                self.conflict_clause()?;
            } else if self.eat_kw("NULL") {
                self.conflict_clause()?;
            } else if self.eat_kw("UNIQUE") {
                self.conflict_clause()?;
                table.uniques.push(UniqueConstraint {
                    name: label.unwrap_or_default(),
                    columns: vec![column.name.clone()],
                });
            } else if self.eat_kw("CHECK") {
                let expr = self.group_text()?;
                table.checks.push(Check {
                    name: label.unwrap_or_default(),
                    expr,
                });
            } else if self.eat_kw("DEFAULT") {
                column.default = Some(self.default_value()?);
            } else if self.eat_kw("COLLATE") {
                column.collation = Some(self.name()?);
            } else if self.eat_kw("REFERENCES") {
                let mut fk = self.references()?;
                fk.name = label.unwrap_or_default();
                fk.columns = vec![column.name.clone()];
                table.foreign_keys.push(fk);
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

    /// The declared type: names (`DOUBLE PRECISION`, `UNSIGNED BIG INT`) and an optional
    /// `(n)` / `(p, s)`, as written.
    fn type_name(&mut self) -> Result<Option<String>, ParseError> {
        let first = self.pos;
        while self
            .peek()
            .is_some_and(|t| matches!(t.kind, Kind::Word | Kind::Quoted | Kind::String))
            && !self.at_any_kw(&COLUMN_CONSTRAINT_START)
        {
            self.pos += 1;
        }
        if self.pos == first {
            return Ok(None);
        }
        let mut last = self.pos - 1;
        if self.at_punct("(") {
            last = self.skip_group()?;
        }
        match (self.tokens.get(first), self.tokens.get(last)) {
            (Some(a), Some(b)) => Ok(Some(self.text(a.start, b.end))),
            _ => Ok(None),
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
    /// literal, keyword or identifier, as written.
    fn default_value(&mut self) -> Result<String, ParseError> {
        let Some(first) = self.peek() else {
            return self.error("expected a default value");
        };
        if first.is_punct("(") {
            let open = self.pos;
            let close = self.skip_group()?;
            return match (self.tokens.get(open), self.tokens.get(close)) {
                (Some(a), Some(b)) => Ok(self.text(a.start, b.end)),
                _ => self.error("expected a default value"),
            };
        }
        if first.is_punct("-") || first.is_punct("+") {
            self.pos += 1;
            return match self.next() {
                Some(n) if matches!(n.kind, Kind::Number | Kind::Word) => {
                    Ok(self.text(first.start, n.end))
                }
                _ => self.error("expected a number after the sign"),
            };
        }
        if matches!(first.kind, Kind::Punct) {
            return self.error("expected a default value");
        }
        self.pos += 1;
        Ok(first.text.to_string())
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
                let on_delete = if self.eat_kw("DELETE") {
                    true
                } else if self.eat_kw("UPDATE") {
                    false
                } else {
                    return self.error("expected `DELETE` or `UPDATE` after `ON`");
                };
                let action = self.fk_action()?;
                if on_delete {
                    fk.on_delete = action;
                } else {
                    fk.on_update = action;
                }
            } else if self.eat_kw("MATCH") {
                self.name()?;
            } else if self.at_kw("NOT") && self.peek_at(1).is_some_and(|t| t.is_kw("DEFERRABLE")) {
                self.pos += 2;
                self.initially()?;
            } else if self.eat_kw("DEFERRABLE") {
                self.initially()?;
            } else {
                break;
            }
        }
        Ok(fk)
    }

    /// `INITIALLY (DEFERRED | IMMEDIATE)`, when present.
    fn initially(&mut self) -> Result<(), ParseError> {
        if self.eat_kw("INITIALLY") && !self.eat_kw("DEFERRED") && !self.eat_kw("IMMEDIATE") {
            return self.error("expected `DEFERRED` or `IMMEDIATE`");
        }
        Ok(())
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
    /// table constraint: the column names, and whether AUTOINCREMENT appeared.
    fn key_columns(&mut self) -> Result<(Vec<String>, bool), ParseError> {
        self.expect_punct("(")?;
        let mut columns = Vec::new();
        let mut autoincrement = false;
        loop {
            columns.push(self.name()?);
            if self.eat_kw("COLLATE") {
                self.name()?;
            }
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
                columns,
                inline: false,
                desc: false,
            });
        } else if self.eat_kw("UNIQUE") {
            let (columns, _) = self.key_columns()?;
            self.conflict_clause()?;
            table.uniques.push(UniqueConstraint {
                name: name.unwrap_or_default(),
                columns,
            });
        } else if self.eat_kw("CHECK") {
            let expr = self.group_text()?;
            self.conflict_clause()?;
            table.checks.push(Check {
                name: name.unwrap_or_default(),
                expr,
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
        let columns = self.index_keys(open + 1, close);
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
        })
    }

    /// The keys of an index: the tokens from `first` up to `close` (the group's `)`),
    /// split at top-level commas; each `expr [COLLATE x] [ASC|DESC]`.
    fn index_keys(&self, first: usize, close: usize) -> Vec<IndexColumn> {
        let mut keys = Vec::new();
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
                    keys.push(self.index_key(start, i));
                }
                start = i + 1;
            }
        }
        keys
    }

    /// One index key from tokens `start..end` (exclusive).
    fn index_key(&self, start: usize, mut end: usize) -> IndexColumn {
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
        match (at(start), end.checked_sub(1).and_then(at)) {
            (Some(t), _) if single && matches!(t.kind, Kind::Word | Kind::Quoted) => IndexColumn {
                name: t.value(),
                order,
                expression: false,
            },
            (Some(a), Some(b)) => IndexColumn {
                name: self.text(a.start, b.end),
                order,
                expression: true,
            },
            _ => IndexColumn {
                name: String::new(),
                order,
                expression: true,
            },
        }
    }
}

#[cfg(test)]
mod tests;
