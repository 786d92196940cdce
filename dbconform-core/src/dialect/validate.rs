//! Validation rules every dialect applies; each dialect's `validate.rs` adds its own.
//!
//! Every error is an [`Error::InvalidTable`] naming the table (in the error's display) and
//! the column or constraint, and saying what to change.

use super::{Dialect, expr};
use crate::error::{Error, Result};
use crate::model::{ColumnType, TableDef};
use std::collections::BTreeMap;

/// An [`Error::InvalidTable`] for `table`.
pub(super) fn invalid(table: &TableDef, message: impl Into<String>) -> Error {
    Error::InvalidTable {
        table: table.qualified_name(),
        message: message.into(),
    }
}

/// Refuses an array column on a backend without an array type (SQLite, MySQL): a silent
/// stand-in (text, JSON) would be a column the application cannot bind or read as the
/// declared `Vec<T>` — sqlx's drivers for those databases encode and decode `Vec<u8>`
/// only. `json_type` is what the message tells to declare instead (`TEXT`, `JSON`).
pub(super) fn no_arrays(dialect: &dyn Dialect, table: &TableDef, json_type: &str) -> Result<()> {
    let Some(column) = table
        .columns
        .iter()
        .find(|c| matches!(c.ty, ColumnType::Array(_)))
    else {
        return Ok(());
    };
    Err(invalid(
        table,
        format!(
            "column `{}` is an array (`Vec<T>`), and {} has no array type (nor can sqlx bind or read a `Vec<T>` there): store the values as JSON, declaring the field `sqlx::types::Json<Vec<T>>` with `#[column(sql_type = \"{json_type}\")]`, or move them to a table of their own with one row per value",
            column.name,
            dialect.display_name()
        ),
    ))
}

/// The rules every backend shares.
pub(super) fn common(dialect: &dyn Dialect, table: &TableDef) -> Result<()> {
    if table.name.is_empty() {
        return Err(invalid(
            table,
            "the table name is empty; give the table a name",
        ));
    }
    if table.schema.as_deref() == Some("") {
        return Err(invalid(
            table,
            "the schema name is empty; name a schema or leave it out",
        ));
    }
    if table.columns.is_empty() {
        return Err(invalid(
            table,
            "the table has no columns; declare at least one column (fields marked `skip` do not count)",
        ));
    }
    for (what, name) in identifiers(table) {
        if name.contains('\0') {
            return Err(invalid(
                table,
                format!(
                    "{what} `{}` contains a NUL character; remove it",
                    name.escape_debug()
                ),
            ));
        }
    }
    columns(dialect, table)?;
    primary_key(dialect, table)?;
    for unique in &table.uniques {
        let what = Object("unique constraint", &unique.name);
        named(table, &what, &unique.name)?;
        column_refs(dialect, table, &what, &unique.columns)?;
    }
    for fk in &table.foreign_keys {
        let what = Object("foreign key", &fk.name);
        named(table, &what, &fk.name)?;
        column_refs(dialect, table, &what, &fk.columns)?;
        if fk.references.name.is_empty() {
            return Err(invalid(
                table,
                format!("{what} references a table with an empty name; name the referenced table"),
            ));
        }
        if fk.references.schema.as_deref() == Some("") {
            return Err(invalid(
                table,
                format!(
                    "{what} references a table in a schema with an empty name; name the schema or leave it out"
                ),
            ));
        }
        if fk.referenced_columns.is_empty() {
            return Err(invalid(
                table,
                format!(
                    "{what} names no referenced columns of `{}`; name the key it references",
                    fk.references
                ),
            ));
        }
        if fk.columns.len() != fk.referenced_columns.len() {
            return Err(invalid(
                table,
                format!(
                    "{what} has {} column(s) ({}) but references {} column(s) ({}) of `{}`; give the same number of columns on both sides",
                    fk.columns.len(),
                    fk.columns.join(", "),
                    fk.referenced_columns.len(),
                    fk.referenced_columns.join(", "),
                    fk.references
                ),
            ));
        }
    }
    for check in &table.checks {
        let what = Object("check constraint", &check.name);
        named(table, &what, &check.name)?;
        if let Some(problem) = expr::problem(&check.expr) {
            return Err(invalid(
                table,
                format!("the expression of {what} {problem}; write one boolean SQL expression"),
            ));
        }
    }
    for index in &table.indexes {
        let what = Object("index", &index.name);
        named(table, &what, &index.name)?;
        // Expression keys name no column; each must be one expression.
        let names: Vec<&str> = index
            .columns
            .iter()
            .filter(|c| !c.expression)
            .map(|c| c.name.as_str())
            .collect();
        if index.columns.is_empty() || !names.is_empty() {
            column_refs(dialect, table, &what, &names)?;
        }
        for key in index.columns.iter().filter(|c| c.expression) {
            if let Some(problem) = expr::problem(&key.name) {
                return Err(invalid(
                    table,
                    format!(
                        "the key expression `{}` of {what} {problem}; write one SQL expression",
                        key.name
                    ),
                ));
            }
        }
        if let Some(problem) = index.predicate.as_deref().and_then(expr::problem) {
            return Err(invalid(
                table,
                format!(
                    "the WHERE predicate of {what} {problem}; write one boolean SQL expression"
                ),
            ));
        }
    }
    constraint_names_are_distinct(dialect, table)
}

/// Column names, types, defaults and auto-increment.
fn columns(dialect: &dyn Dialect, table: &TableDef) -> Result<()> {
    let mut seen = Earlier::new(dialect, table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let name = &column.name;
        if name.is_empty() {
            return Err(invalid(
                table,
                "a column has an empty name; give every column a name",
            ));
        }
        let earlier = table.columns[..i]
            .iter()
            .map(|c| (c.name.as_str(), c.name.as_str()));
        if let Some(first) = seen.find(earlier, name, name) {
            return Err(invalid(
                table,
                if first == name {
                    format!("column `{name}` is declared twice; rename one of them")
                } else {
                    format!(
                        "columns `{first}` and `{name}` are the same column on {}, where identifiers are case-insensitive; rename one of them",
                        dialect.name()
                    )
                },
            ));
        }
        column_type(table, name, &column.ty)?;
        if let Some(default) = &column.default
            && let Some(problem) = expr::problem(default)
        {
            return Err(invalid(
                table,
                format!(
                    "the default of column `{name}` {problem}; write one SQL expression such as `'text'`, `0` or `CURRENT_TIMESTAMP`"
                ),
            ));
        }
        if let Some(generated) = &column.generated
            && let Some(problem) = expr::problem(&generated.expr)
        {
            return Err(invalid(
                table,
                format!(
                    "the generation expression of column `{name}` {problem}; write one SQL expression"
                ),
            ));
        }
        if column.auto_increment {
            if !column.ty.is_integer() {
                return Err(invalid(
                    table,
                    format!(
                        "column `{name}` is auto-increment but its type is {}; only SMALLINT, INTEGER and BIGINT columns can auto-increment: set `auto_increment = false` or use an integer type",
                        dialect.column_type_sql(&column.ty)
                    ),
                ));
            }
            if column.nullable {
                return Err(invalid(
                    table,
                    format!(
                        "column `{name}` is auto-increment and nullable; auto-increment columns are always NOT NULL: make the field non-optional or set `auto_increment = false`"
                    ),
                ));
            }
            if column.default.is_some() {
                return Err(invalid(
                    table,
                    format!(
                        "column `{name}` is auto-increment and has a default; the database generates its values: remove the default or set `auto_increment = false`"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Type parameters that no backend accepts.
fn column_type(table: &TableDef, name: &str, ty: &ColumnType) -> Result<()> {
    match ty {
        ColumnType::Varchar(0) => Err(invalid(
            table,
            format!("column `{name}` is VARCHAR(0); give `max_length` a value of at least 1"),
        )),
        ColumnType::Decimal {
            precision: Some(0), ..
        } => Err(invalid(
            table,
            format!(
                "column `{name}` has a decimal precision of 0; give `precision` a value of at least 1"
            ),
        )),
        ColumnType::Decimal {
            precision: None,
            scale: Some(_),
        } => Err(invalid(
            table,
            format!(
                "column `{name}` has a decimal scale but no precision; set `precision` as well"
            ),
        )),
        ColumnType::Custom(sql_type) => match expr::problem(sql_type) {
            Some(problem) => Err(invalid(
                table,
                format!(
                    "the `sql_type` of column `{name}` {problem}; write one SQL type such as `citext` or `numeric(10,2)`"
                ),
            )),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The primary key names existing columns, none of them nullable.
fn primary_key(dialect: &dyn Dialect, table: &TableDef) -> Result<()> {
    let Some(pk) = &table.primary_key else {
        return Ok(());
    };
    if let Some(name) = &pk.name {
        named(table, &"the primary key", name)?;
    }
    column_refs(dialect, table, &"the primary key", &pk.columns)?;
    for name in &pk.columns {
        if let Some(column) = find_column(dialect, table, name)
            && column.nullable
        {
            return Err(invalid(
                table,
                format!(
                    "primary-key column `{}` is nullable; primary-key columns are always NOT NULL: make the field non-optional or leave it out of the primary key",
                    column.name
                ),
            ));
        }
    }
    Ok(())
}

/// The declared column `name` refers to, under the dialect's identifier rules.
pub(super) fn find_column<'t>(
    dialect: &dyn Dialect,
    table: &'t TableDef,
    name: &str,
) -> Option<&'t crate::model::Column> {
    table
        .columns
        .iter()
        .find(|c| dialect.same_identifier(&c.name, name))
}

/// A constraint or index for error messages: `unique constraint `uq_t_code``. Written
/// only when there is an error: validating a declaration of thousands of tables should
/// not format a name for each of its constraints.
struct Object<'a>(&'static str, &'a str);

impl std::fmt::Display for Object<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.0, self.1)
    }
}

/// A constraint or index name is not empty.
fn named(table: &TableDef, what: &dyn std::fmt::Display, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid(
            table,
            format!("{what} has an empty name; give it a name"),
        ));
    }
    Ok(())
}

/// A list of column names is non-empty, names declared columns and has no repeats.
fn column_refs<S: AsRef<str>>(
    dialect: &dyn Dialect,
    table: &TableDef,
    what: &dyn std::fmt::Display,
    columns: &[S],
) -> Result<()> {
    if columns.is_empty() {
        return Err(invalid(
            table,
            format!("{what} has no columns; name at least one column"),
        ));
    }
    let mut seen = Earlier::new(dialect, columns.len());
    for (i, name) in columns.iter().enumerate() {
        let name = name.as_ref();
        if find_column(dialect, table, name).is_none() {
            let declared: Vec<String> = table
                .columns
                .iter()
                .map(|c| format!("`{}`", c.name))
                .collect();
            return Err(invalid(
                table,
                format!(
                    "{what} names column `{name}`, which the table does not declare; use one of {}",
                    declared.join(", ")
                ),
            ));
        }
        let earlier = columns[..i].iter().map(|c| (c.as_ref(), ()));
        if seen.find(earlier, name, ()).is_some() {
            return Err(invalid(
                table,
                format!("{what} names column `{name}` twice; list each column once"),
            ));
        }
    }
    Ok(())
}

/// Constraint and index names are distinct within the table.
fn constraint_names_are_distinct(dialect: &dyn Dialect, table: &TableDef) -> Result<()> {
    let mut names: Vec<(&str, &str)> = Vec::new();
    if let Some(name) = table.primary_key.as_ref().and_then(|pk| pk.name.as_deref()) {
        names.push(("primary key", name));
    }
    names.extend(
        table
            .uniques
            .iter()
            .map(|u| ("unique constraint", u.name.as_str())),
    );
    names.extend(
        table
            .foreign_keys
            .iter()
            .map(|f| ("foreign key", f.name.as_str())),
    );
    names.extend(
        table
            .checks
            .iter()
            .map(|c| ("check constraint", c.name.as_str())),
    );
    names.extend(table.indexes.iter().map(|i| ("index", i.name.as_str())));
    let mut seen = Earlier::new(dialect, names.len());
    for (i, &(kind, name)) in names.iter().enumerate() {
        let earlier = names[..i].iter().map(|&(kind, name)| (name, (kind, name)));
        if let Some((first_kind, first_name)) = seen.find(earlier, name, (kind, name)) {
            return Err(invalid(
                table,
                format!(
                    "{first_kind} `{first_name}` and {kind} `{name}` have the same name; constraint and index names must be unique, rename one of them"
                ),
            ));
        }
    }
    Ok(())
}

/// Finds, for each name of a list in turn, an earlier name of the list that names the
/// same object (see [`Dialect::same_identifier`]). A table's columns and constraints are
/// few: they are compared pairwise, without a key copied per name; a long list (a wide
/// table) goes through a map of keys instead, so that the work does not grow with the
/// square of its length.
struct Earlier<'a, T> {
    dialect: &'a dyn Dialect,
    /// `Some` for a long list: every name seen so far, by key.
    keyed: Option<BTreeMap<String, T>>,
}

impl<'a, T: Copy> Earlier<'a, T> {
    /// Longest list compared pairwise.
    const PAIRWISE: usize = 64;

    fn new(dialect: &'a dyn Dialect, len: usize) -> Self {
        Earlier {
            dialect,
            keyed: (len > Self::PAIRWISE).then(BTreeMap::new),
        }
    }

    /// The value of the earlier name that `name` repeats, if any; `earlier` is every name
    /// before it in the list, with its value, and `value` is `name`'s own. The names must
    /// be passed in list order, each once.
    fn find<'n>(
        &mut self,
        mut earlier: impl Iterator<Item = (&'n str, T)>,
        name: &str,
        value: T,
    ) -> Option<T> {
        match &mut self.keyed {
            Some(seen) => seen.insert(self.dialect.identifier_key(name), value),
            None => earlier
                .find(|(other, _)| self.dialect.same_identifier(other, name))
                .map(|(_, value)| value),
        }
    }
}

/// Every identifier the table declares, with what it names, for length checks.
pub(super) fn identifiers(table: &TableDef) -> Vec<(&'static str, &str)> {
    let mut out: Vec<(&'static str, &str)> = Vec::new();
    if let Some(schema) = &table.schema {
        out.push(("schema name", schema));
    }
    out.push(("table name", &table.name));
    out.extend(
        table
            .columns
            .iter()
            .map(|c| ("column name", c.name.as_str())),
    );
    if let Some(name) = table.primary_key.as_ref().and_then(|pk| pk.name.as_deref()) {
        out.push(("primary key name", name));
    }
    out.extend(
        table
            .uniques
            .iter()
            .map(|u| ("unique constraint name", u.name.as_str())),
    );
    out.extend(
        table
            .foreign_keys
            .iter()
            .map(|f| ("foreign key name", f.name.as_str())),
    );
    out.extend(
        table
            .checks
            .iter()
            .map(|c| ("check constraint name", c.name.as_str())),
    );
    out.extend(
        table
            .indexes
            .iter()
            .map(|i| ("index name", i.name.as_str())),
    );
    out
}

#[cfg(test)]
mod tests {
    use crate::dialect::fixtures::{col, fk, null, pk, serial, table, with_default};
    use crate::dialect::{Dialect, POSTGRES, SQLITE};
    use crate::model::{
        Check, Column, ColumnType, Index, IndexColumn, PrimaryKey, TableDef, UniqueConstraint,
    };

    /// `t (id BIGINT auto-increment PRIMARY KEY, a TEXT NOT NULL, b INTEGER NULL)`.
    fn base() -> TableDef {
        table(
            "t",
            vec![col("a", ColumnType::Text), null("b", ColumnType::Integer)],
        )
    }

    fn message(dialect: &dyn Dialect, table: &TableDef) -> String {
        match dialect.validate_table(table) {
            Ok(()) => panic!("{} accepted {table:?}", dialect.name()),
            Err(e) => e.to_string(),
        }
    }

    fn index(name: &str, columns: &[&str]) -> Index {
        Index {
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
            name: name.into(),
            columns: columns.iter().map(|c| IndexColumn::asc(*c)).collect(),
            unique: false,
            predicate: None,
        }
    }

    /// Each case: a change to the base table and the message both dialects give.
    #[test]
    fn shared_rules_name_the_table_and_column_and_say_what_to_change() {
        type Case = (fn(&mut TableDef), &'static str);
        let cases: Vec<Case> = vec![
            (
                |t| t.name.clear(),
                "table ``: the table name is empty; give the table a name",
            ),
            (
                |t| {
                    t.columns.clear();
                    t.primary_key = None;
                },
                "table `t`: the table has no columns; declare at least one column (fields marked `skip` do not count)",
            ),
            (
                |t| t.columns[1].name.clear(),
                "table `t`: a column has an empty name; give every column a name",
            ),
            (
                |t| t.columns.push(col("a", ColumnType::Text)),
                "table `t`: column `a` is declared twice; rename one of them",
            ),
            (
                |t| t.columns[1].ty = ColumnType::Varchar(0),
                "table `t`: column `a` is VARCHAR(0); give `max_length` a value of at least 1",
            ),
            (
                |t| {
                    t.columns[1].ty = ColumnType::Decimal {
                        precision: Some(0),
                        scale: None,
                    }
                },
                "table `t`: column `a` has a decimal precision of 0; give `precision` a value of at least 1",
            ),
            (
                |t| {
                    t.columns[1].ty = ColumnType::Decimal {
                        precision: None,
                        scale: Some(2),
                    }
                },
                "table `t`: column `a` has a decimal scale but no precision; set `precision` as well",
            ),
            (
                |t| t.columns[1].ty = ColumnType::Custom(" ".into()),
                "table `t`: the `sql_type` of column `a` is empty; write one SQL type such as `citext` or `numeric(10,2)`",
            ),
            (
                |t| t.columns[1].ty = ColumnType::Custom("text; DROP TABLE t".into()),
                "table `t`: the `sql_type` of column `a` contains `;` outside a string literal; write one SQL type such as `citext` or `numeric(10,2)`",
            ),
            (
                |t| t.columns[1].default = Some("'open".into()),
                "table `t`: the default of column `a` has a string literal or quoted identifier that is not closed; write one SQL expression such as `'text'`, `0` or `CURRENT_TIMESTAMP`",
            ),
            (
                |t| t.columns[1].default = Some("".into()),
                "table `t`: the default of column `a` is empty; write one SQL expression such as `'text'`, `0` or `CURRENT_TIMESTAMP`",
            ),
            (
                |t| t.columns[1].auto_increment = true,
                "table `t`: column `a` is auto-increment but its type is TEXT; only SMALLINT, INTEGER and BIGINT columns can auto-increment: set `auto_increment = false` or use an integer type",
            ),
            (
                |t| t.columns[0].nullable = true,
                "table `t`: column `id` is auto-increment and nullable; auto-increment columns are always NOT NULL: make the field non-optional or set `auto_increment = false`",
            ),
            (
                |t| t.columns[0].default = Some("1".into()),
                "table `t`: column `id` is auto-increment and has a default; the database generates its values: remove the default or set `auto_increment = false`",
            ),
            (
                |t| {
                    t.primary_key = Some(PrimaryKey {
                        name: Some(String::new()),
                        columns: vec!["id".into()],
                    })
                },
                "table `t`: the primary key has an empty name; give it a name",
            ),
            (
                |t| {
                    t.primary_key = Some(PrimaryKey {
                        name: None,
                        columns: vec![],
                    })
                },
                "table `t`: the primary key has no columns; name at least one column",
            ),
            (
                |t| {
                    t.primary_key = Some(PrimaryKey {
                        name: None,
                        columns: vec!["idd".into()],
                    })
                },
                "table `t`: the primary key names column `idd`, which the table does not declare; use one of `id`, `a`, `b`",
            ),
            (
                |t| {
                    t.primary_key = Some(PrimaryKey {
                        name: None,
                        columns: vec!["id".into(), "id".into()],
                    })
                },
                "table `t`: the primary key names column `id` twice; list each column once",
            ),
            (
                |t| {
                    t.columns[0].auto_increment = false;
                    t.primary_key = Some(PrimaryKey {
                        name: None,
                        columns: vec!["a".into(), "b".into()],
                    });
                },
                "table `t`: primary-key column `b` is nullable; primary-key columns are always NOT NULL: make the field non-optional or leave it out of the primary key",
            ),
            (
                |t| {
                    t.uniques.push(UniqueConstraint {
                        nulls_not_distinct: false,
                        name: String::new(),
                        columns: vec!["a".into()],
                    })
                },
                "table `t`: unique constraint `` has an empty name; give it a name",
            ),
            (
                |t| {
                    t.uniques.push(UniqueConstraint {
                        nulls_not_distinct: false,
                        name: "uq".into(),
                        columns: vec![],
                    })
                },
                "table `t`: unique constraint `uq` has no columns; name at least one column",
            ),
            (
                |t| {
                    t.uniques.push(UniqueConstraint {
                        nulls_not_distinct: false,
                        name: "uq".into(),
                        columns: vec!["c".into()],
                    })
                },
                "table `t`: unique constraint `uq` names column `c`, which the table does not declare; use one of `id`, `a`, `b`",
            ),
            (
                |t| t.foreign_keys.push(fk("", &["b"], "u", &["id"])),
                "table `t`: foreign key `` has an empty name; give it a name",
            ),
            (
                |t| t.foreign_keys.push(fk("fk", &[], "u", &["id"])),
                "table `t`: foreign key `fk` has no columns; name at least one column",
            ),
            (
                |t| t.foreign_keys.push(fk("fk", &["x"], "u", &["id"])),
                "table `t`: foreign key `fk` names column `x`, which the table does not declare; use one of `id`, `a`, `b`",
            ),
            (
                |t| t.foreign_keys.push(fk("fk", &["b"], "", &["id"])),
                "table `t`: foreign key `fk` references a table with an empty name; name the referenced table",
            ),
            (
                |t| {
                    let mut key = fk("fk", &["b"], "u", &["id"]);
                    key.references.schema = Some(String::new());
                    t.foreign_keys.push(key);
                },
                "table `t`: foreign key `fk` references a table in a schema with an empty name; name the schema or leave it out",
            ),
            (
                |t| t.schema = Some(String::new()),
                "table `.t`: the schema name is empty; name a schema or leave it out",
            ),
            (
                |t| t.foreign_keys.push(fk("fk", &["b"], "u", &[])),
                "table `t`: foreign key `fk` names no referenced columns of `u`; name the key it references",
            ),
            (
                |t| t.foreign_keys.push(fk("fk", &["a", "b"], "u", &["id"])),
                "table `t`: foreign key `fk` has 2 column(s) (a, b) but references 1 column(s) (id) of `u`; give the same number of columns on both sides",
            ),
            (
                |t| {
                    t.checks.push(Check {
                        name: String::new(),
                        expr: "a <> ''".into(),
                        not_valid: false,
                    })
                },
                "table `t`: check constraint `` has an empty name; give it a name",
            ),
            (
                |t| {
                    t.checks.push(Check {
                        name: "ck".into(),
                        expr: "a <> '' -- x".into(),
                        not_valid: false,
                    })
                },
                "table `t`: the expression of check constraint `ck` contains `--` outside a string literal; write one boolean SQL expression",
            ),
            (
                |t| {
                    t.checks.push(Check {
                        name: "ck".into(),
                        expr: "(a <> ''".into(),
                        not_valid: false,
                    })
                },
                "table `t`: the expression of check constraint `ck` has a `(` without a matching `)`; write one boolean SQL expression",
            ),
            (
                |t| t.indexes.push(index("", &["a"])),
                "table `t`: index `` has an empty name; give it a name",
            ),
            (
                |t| t.indexes.push(index("ix", &[])),
                "table `t`: index `ix` has no columns; name at least one column",
            ),
            (
                |t| t.indexes.push(index("ix", &["nope"])),
                "table `t`: index `ix` names column `nope`, which the table does not declare; use one of `id`, `a`, `b`",
            ),
            (
                |t| {
                    t.indexes.push(Index {
                        predicate: Some("a > 0; DELETE FROM t".into()),
                        ..index("ix", &["a"])
                    })
                },
                "table `t`: the WHERE predicate of index `ix` contains `;` outside a string literal; write one boolean SQL expression",
            ),
            (
                |t| {
                    t.uniques.push(UniqueConstraint {
                        nulls_not_distinct: false,
                        name: "dup".into(),
                        columns: vec!["a".into()],
                    });
                    t.indexes.push(index("dup", &["b"]));
                },
                "table `t`: unique constraint `dup` and index `dup` have the same name; constraint and index names must be unique, rename one of them",
            ),
        ];
        assert!(SQLITE.validate_table(&base()).is_ok());
        assert!(POSTGRES.validate_table(&base()).is_ok());
        for (change, expected) in cases {
            let mut table = base();
            change(&mut table);
            assert_eq!(message(&SQLITE, &table), expected);
            assert_eq!(message(&POSTGRES, &table), expected);
        }
    }

    #[test]
    fn identifier_case_rules_follow_the_dialect() {
        let mut table = base();
        table.columns.push(col("A", ColumnType::Text));
        assert_eq!(
            message(&SQLITE, &table),
            "table `t`: columns `a` and `A` are the same column on sqlite, where identifiers are case-insensitive; rename one of them"
        );
        assert!(POSTGRES.validate_table(&table).is_ok());

        // SQLite finds `A` as column `a`; PostgreSQL does not.
        let mut table = base();
        table.indexes.push(index("ix", &["A"]));
        assert!(SQLITE.validate_table(&table).is_ok());
        assert_eq!(
            message(&POSTGRES, &table),
            "table `t`: index `ix` names column `A`, which the table does not declare; use one of `id`, `a`, `b`"
        );
    }

    #[test]
    fn repeated_names_are_found_alike_in_short_and_wide_tables() {
        // Up to 64 names are compared pairwise, more through a map of keys: both report
        // the first repeat in declaration order, with the name it repeats.
        for extra in [0, 10, 59, 60, 100] {
            let mut table = base();
            table
                .columns
                .extend((0..extra).map(|i| null(&format!("c{i}"), ColumnType::Integer)));
            table.columns.push(null("B", ColumnType::Integer));
            table.columns.push(null("a", ColumnType::Integer));
            let width = table.columns.len();
            assert_eq!(
                message(&SQLITE, &table),
                "table `t`: columns `b` and `B` are the same column on sqlite, where identifiers are case-insensitive; rename one of them",
                "{width} columns"
            );
            assert_eq!(
                message(&POSTGRES, &table),
                "table `t`: column `a` is declared twice; rename one of them",
                "{width} columns"
            );

            let mut table = base();
            table
                .indexes
                .extend((0..extra).map(|i| index(&format!("ix{i}"), &["a"])));
            table.checks.push(Check {
                name: "IX3".into(),
                expr: "b > 0".into(),
                not_valid: false,
            });
            table.indexes.push(index("ix3", &["b"]));
            let names = table.indexes.len() + table.checks.len();
            // Checks come before indexes: on SQLite `ix3` first repeats the check.
            assert_eq!(
                message(&SQLITE, &table),
                "table `t`: check constraint `IX3` and index `ix3` have the same name; constraint and index names must be unique, rename one of them",
                "{names} names"
            );
            if extra > 3 {
                assert_eq!(
                    message(&POSTGRES, &table),
                    "table `t`: index `ix3` and index `ix3` have the same name; constraint and index names must be unique, rename one of them",
                    "{names} names"
                );
            } else {
                assert!(POSTGRES.validate_table(&table).is_ok(), "{names} names");
            }
        }
    }

    #[test]
    fn accepted_shapes() {
        // Every integer type may auto-increment; defaults of every form are accepted.
        for ty in [
            ColumnType::SmallInt,
            ColumnType::Integer,
            ColumnType::BigInt,
        ] {
            let mut table = base();
            table.columns[0] = Column {
                ty: ty.clone(),
                ..serial("id")
            };
            assert!(SQLITE.validate_table(&table).is_ok());
            assert!(POSTGRES.validate_table(&table).is_ok());
        }
        let mut table = base();
        for (i, default) in [
            "'a;b'",
            "'it''s'",
            "0",
            "-1",
            "TRUE",
            "CURRENT_TIMESTAMP",
            "(1+1)",
            "lower('X')",
        ]
        .into_iter()
        .enumerate()
        {
            table
                .columns
                .push(with_default(&format!("d{i}"), ColumnType::Text, default));
        }
        table.primary_key = pk(&["id"]);
        assert!(SQLITE.validate_table(&table).is_ok());
        assert!(POSTGRES.validate_table(&table).is_ok());
    }
}
