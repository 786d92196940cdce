//! SQLite changes to existing tables: the few that `ALTER TABLE`, `CREATE INDEX` and
//! `DROP INDEX`/`DROP TABLE` can do, and, for everything else, the precise reason only a
//! table rebuild can (docs/DATABASE_TRAPS.md S7).
//!
//! Nothing here calls sea-query's SQLite ALTER builders (they panic on most of these
//! changes); column definitions come from the shared sea-query column
//! renderer, every identifier goes through [`Dialect::quote_ident`], and names are never
//! schema-qualified (every SQLite table lives in `main`).
//!
//! | change | native SQL | table rebuild when |
//! | --- | --- | --- |
//! | add column | `ALTER TABLE t ADD COLUMN ...` | the column is in the declared primary key (or auto-increment) or a declared UNIQUE constraint; it is NOT NULL without a non-NULL default; its default is not a constant (`CURRENT_TIMESTAMP`, `(1+1)`, a function); it is a STORED generated column; the table is STRICT and the type is not one STRICT accepts |
//! | drop column | `ALTER TABLE t DROP COLUMN c` | `c` is in the primary key, a UNIQUE constraint, a foreign key of the table (either side); a CHECK or a generated column mentions it; an index the declaration keeps under its name uses it (key, expression or predicate); no other column of the table survives |
//! | add / drop / change index | `CREATE [UNIQUE] INDEX`, `DROP INDEX`, both | an index uses a column only a rebuild can add; SQLite's own `sqlite_autoindex_*` |
//! | drop table | `DROP TABLE t` | never |
//! | change a column (type, nullability, default, auto-increment, collation, generated) | — | always |
//! | add / drop / change primary key, UNIQUE constraint, foreign key, CHECK | — | always |
//!
//! Decisions worth knowing:
//!
//! - **Constant defaults.** SQLite's documentation forbids `CURRENT_TIME`,
//!   `CURRENT_DATE`, `CURRENT_TIMESTAMP` and "an expression in parentheses"; its code
//!   accepts any default it can evaluate without a row (`sqlite3ValueFromExpr`), and the
//!   check only fires when the table has rows. A plan is made without looking at rows, so
//!   a default is native only when it is a literal — a number with an optional sign, a
//!   string, a blob, `NULL`, `TRUE` or `FALSE` — in parentheses or not; everything else
//!   needs a rebuild. The integration tests run every native spelling against the bundled
//!   SQLite on a table with rows.
//! - **Foreign keys are never written inline.** A declared foreign key is its own
//!   [`Change::AddForeignKey`] (a rebuild), so `ADD COLUMN` never carries `REFERENCES`
//!   and SQLite's rule "a REFERENCES column needs a NULL default" cannot bite. Likewise
//!   CHECKs (table-level [`Change::AddCheck`]) never appear in `ADD COLUMN`.
//! - **Indexes on a dropped column.** Within a table the plan drops indexes before columns
//!   ([`kind_rank`](crate::diff::kind_rank): `DropIndex` before `DropColumn`), so an index
//!   the declaration does not keep is gone when `DROP COLUMN` runs. An index the
//!   declaration keeps under the same name is only changed after the column is dropped
//!   (`AlterIndex` ranks later), so then the column needs a rebuild. The context does not
//!   carry the policy, and need not: an index the policy keeps (by default every
//!   undeclared non-unique one) keeps the column it uses as drift, so no `DROP COLUMN`
//!   runs under it.
//! - **`DROP TABLE` is safe only once nothing references the table.** With foreign keys
//!   enforced (the runtime's connections enforce them) SQLite runs an implicit
//!   `DELETE FROM` first, which fires the `ON DELETE` actions (CASCADE, SET NULL, SET
//!   DEFAULT) of every foreign key still referencing the table. The planner drops a table
//!   only when no staying foreign key references it and drops referencing tables first,
//!   and a foreign key of a kept table is dropped (a rebuild) in a step before the
//!   `DROP TABLE`. The policy must therefore never run the `DROP TABLE` when that
//!   foreign-key step is blocked (`allow_sqlite_table_rebuild = false`): the cascade would
//!   delete rows of the kept table. This module sees one table and cannot check it; the
//!   test `dropping_a_table_never_fires_a_cascade_a_blocked_foreign_key_drop_left_behind`
//!   in `tests/apply_sqlite` pins the required behaviour.
//! - **Views and triggers** are not part of the reflected model: SQLite refuses a
//!   `DROP COLUMN` a view mentions (the apply rolls back with its message), and a trigger
//!   body mentioning a dropped column only fails when the trigger fires.

use super::Sqlite;
use super::lex::{Kind, tokenize};
use crate::dialect::{ChangeContext, ChangeSql, Dialect, expr, render as shared};
use crate::error::{Error, Result};
use crate::model::{Column, Index, QualifiedName, TableDef};
use crate::plan::{Change, ColumnChanges};
use sea_query::SqliteQueryBuilder;

/// The types a STRICT table accepts (SQLite's documentation, "STRICT Tables").
const STRICT_TYPES: [&str; 6] = ["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"];

/// One statement, or (`Err`) why only a table rebuild can do it.
type Native = std::result::Result<String, String>;

/// The prefix of the indexes SQLite creates for UNIQUE and PRIMARY KEY constraints.
const AUTOINDEX_PREFIX: &str = "sqlite_autoindex_";

/// The SQL for one change to an existing table, or why only a rebuild can make it (see the
/// module documentation).
pub(super) fn change_sql(
    dialect: &Sqlite,
    change: &Change,
    context: &ChangeContext<'_>,
) -> Result<ChangeSql> {
    match change {
        Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::RenameEnumValue { .. }
        | Change::RecreateEnum { .. }
        | Change::DropEnum { .. } => Err(Error::Unsupported {
            dialect: dialect.name(),
            table: None,
            what: format!(
                "SQLite has no enum types (`{}`): an enum column is TEXT with a CHECK",
                change.describe()
            ),
        }),
        Change::CreateSchema { schema } => Err(Error::Unsupported {
            dialect: dialect.name(),
            table: None,
            what: format!(
                "SQLite has no schemas to create (`{schema}`); every table lives in `main`"
            ),
        }),
        Change::CreateTable { table } => dialect
            .create_table_sql(table, &[])
            .map(ChangeSql::Statements),
        Change::DropTable { table } => Ok(ChangeSql::Statements(vec![format!(
            "DROP TABLE {}",
            dialect.quote_table(&table.qualified_name())
        )])),
        // Native since SQLite 3.25/3.26: references in other tables' foreign keys, in
        // triggers, views, indexes and CHECKs follow the new name.
        Change::RenameTable { from, to } => Ok(ChangeSql::Statements(vec![format!(
            "ALTER TABLE {} RENAME TO {}",
            dialect.quote_table(from),
            dialect.quote_ident(&to.name)
        )])),
        Change::RenameColumn { table, from, to } => Ok(ChangeSql::Statements(vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            dialect.quote_table(table),
            dialect.quote_ident(from),
            dialect.quote_ident(to)
        )])),
        Change::AddColumn { table, column } => add_column(dialect, table, column, context),
        Change::DropColumn { table, column } => drop_column(dialect, table, column, context),
        Change::AlterColumn { table, changes, .. } => alter_column(table, changes),
        Change::AddIndex { table, index } => {
            let declared = declared_index(dialect, index, context.desired);
            Ok(statements([create_index(
                dialect, table, declared, context,
            )]))
        }
        Change::DropIndex { index, .. } => Ok(statements([drop_index(dialect, index)])),
        Change::AlterIndex { table, from, to } => {
            let declared = declared_index(dialect, to, context.desired);
            Ok(statements([
                drop_index(dialect, from),
                create_index(dialect, table, declared, context),
            ]))
        }
        Change::AddPrimaryKey { .. } => rebuild("add a primary key to an existing table"),
        Change::DropPrimaryKey { .. } => rebuild("drop a primary key"),
        Change::AlterPrimaryKey { .. } => rebuild("change the columns of a primary key"),
        Change::AddUnique { .. } => rebuild("add a UNIQUE constraint to an existing table"),
        Change::DropUnique { .. } => rebuild(
            "drop a UNIQUE constraint (only an index created with CREATE UNIQUE INDEX can be dropped on its own)",
        ),
        Change::AlterUnique { .. } => rebuild("change the columns of a UNIQUE constraint"),
        Change::AddForeignKey { .. } => rebuild("add a foreign key to an existing table"),
        Change::DropForeignKey { .. } => rebuild("drop a foreign key"),
        Change::AlterForeignKey { .. } => {
            rebuild("change the columns, target or actions of a foreign key")
        }
        Change::AddCheck { .. } => rebuild("add a CHECK constraint to an existing table"),
        Change::DropCheck { .. } => rebuild("drop a CHECK constraint"),
        Change::AlterCheck { .. } => rebuild("change the expression of a CHECK constraint"),
        Change::SetTableComment { table, .. } => Err(comments_unsupported(table)),
        Change::RebuildTable { table, .. } => Err(Error::internal(format!(
            "table `{table}`: a table rebuild gets its statements from the rebuild planner, not from ALTER TABLE"
        ))),
    }
}

/// The statements, or the first reason one of them needs a rebuild.
fn statements<const N: usize>(natives: [Native; N]) -> ChangeSql {
    match natives
        .into_iter()
        .collect::<std::result::Result<Vec<_>, _>>()
    {
        Ok(sql) => ChangeSql::Statements(sql),
        Err(why) => ChangeSql::NeedsRebuild(why),
    }
}

/// `NeedsRebuild("SQLite cannot {what} with ALTER TABLE")`.
fn rebuild(what: &str) -> Result<ChangeSql> {
    Ok(ChangeSql::NeedsRebuild(format!(
        "SQLite cannot {what} with ALTER TABLE"
    )))
}

/// Every property of a column needs a rebuild on SQLite; comments are never stored.
fn alter_column(table: &QualifiedName, changes: &ColumnChanges) -> Result<ChangeSql> {
    let names: Vec<&str> = changes
        .names()
        .into_iter()
        .filter(|name| *name != "comment")
        .collect();
    if names.is_empty() {
        return Err(comments_unsupported(table));
    }
    rebuild(&format!("change a column's {}", or_list(&names)))
}

/// SQLite stores no comments: a comment change on `table` cannot be made.
fn comments_unsupported(table: &QualifiedName) -> Error {
    Error::Unsupported {
        dialect: "sqlite",
        table: Some(table.clone()),
        what: "SQLite cannot store comments, so a comment change cannot be made (dbconform never plans one on SQLite)".into(),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// `ALTER TABLE t ADD COLUMN ...` for the declared column, or why it needs a rebuild.
fn add_column(
    dialect: &Sqlite,
    table: &QualifiedName,
    column: &Column,
    context: &ChangeContext<'_>,
) -> Result<ChangeSql> {
    // The change carries the column in normal form; render it as declared.
    let declared = context
        .desired
        .and_then(|t| find_column(dialect, t, &column.name))
        .unwrap_or(column);
    if let Some(why) = add_column_obstacle(dialect, declared, context) {
        return Ok(ChangeSql::NeedsRebuild(why));
    }
    Ok(ChangeSql::Statements(vec![format!(
        "ALTER TABLE {} ADD COLUMN {}",
        dialect.quote_table(table),
        column_definition(dialect, table, declared)?
    )]))
}

/// Why `ALTER TABLE ADD COLUMN` cannot add `column` to the table of `context`, if it cannot.
fn add_column_obstacle(
    dialect: &Sqlite,
    column: &Column,
    context: &ChangeContext<'_>,
) -> Option<String> {
    let name = &column.name;
    let cannot = |what: &str, detail: String| refusal("add", what, detail);
    if column.auto_increment {
        return cannot(
            "a PRIMARY KEY column",
            format!("`{name}` is the auto-increment primary key"),
        );
    }
    if let Some(desired) = context.desired {
        if let Some(pk) = &desired.primary_key
            && pk.columns.iter().any(|c| dialect.same_identifier(c, name))
        {
            return cannot(
                "a PRIMARY KEY column",
                format!("`{name}` is in the declared primary key"),
            );
        }
        if let Some(unique) = desired
            .uniques
            .iter()
            .find(|u| u.columns.iter().any(|c| dialect.same_identifier(c, name)))
        {
            return cannot(
                "a UNIQUE column",
                format!("`{name}` is in unique constraint `{}`", unique.name),
            );
        }
    }
    match &column.generated {
        Some(generated) if generated.stored => {
            return cannot("a STORED generated column", String::new());
        }
        Some(_) => {}
        None => {
            let default = column.default.as_deref().filter(|d| !is_null_literal(d));
            match default {
                None if !column.nullable => {
                    return cannot("a NOT NULL column without a default", String::new());
                }
                Some(default) if !is_constant_default(default) => {
                    return cannot(
                        &format!("a column with a non-constant default ({})", default.trim()),
                        String::new(),
                    );
                }
                _ => {}
            }
        }
    }
    if let Some(actual) = context.actual
        && actual.options.strict
    {
        let ty = dialect.column_type_sql_for(column);
        let base = ty.trim().to_ascii_uppercase();
        if !STRICT_TYPES.contains(&base.as_str()) {
            return cannot(
                &format!("a column of type {ty} to a STRICT table"),
                format!("STRICT tables accept only {}", or_list(&STRICT_TYPES)),
            );
        }
    }
    None
}

/// `Some("SQLite cannot {verb} {what} with ALTER TABLE[: {detail}]")`.
fn refusal(verb: &str, what: &str, detail: String) -> Option<String> {
    let mut why = format!("SQLite cannot {verb} {what} with ALTER TABLE");
    if !detail.is_empty() {
        why.push_str(": ");
        why.push_str(&detail);
    }
    Some(why)
}

/// The column definition written after `ADD COLUMN`: the shared renderer's name, type,
/// NOT NULL and default, plus the collation and a VIRTUAL generation expression.
fn column_definition(dialect: &Sqlite, table: &QualifiedName, column: &Column) -> Result<String> {
    let mut def = shared::base_column_def(dialect, column);
    if let Some(collation) = &column.collation {
        def.extra(format!("COLLATE {}", dialect.quote_ident(collation)));
    }
    if let Some(generated) = &column.generated {
        if let Some(problem) = expr::problem(&generated.expr) {
            return Err(Error::InvalidTable {
                table: table.clone(),
                message: format!(
                    "the generation expression of column `{}` {problem}; write one SQL expression",
                    column.name
                ),
            });
        }
        def.extra(format!(
            "GENERATED ALWAYS AS ({}) VIRTUAL",
            generated.expr.trim()
        ));
    }
    Ok(shared::column_def_sql(&SqliteQueryBuilder, &def))
}

/// `true` for a default SQLite can evaluate without a row: a literal number (with an
/// optional sign), string, blob, `NULL`, `TRUE` or `FALSE`, in parentheses or not.
pub(super) fn is_constant_default(text: &str) -> bool {
    let Ok(tokens) = tokenize(expr::strip_outer_parens(text)) else {
        return false;
    };
    match tokens.as_slice() {
        [t] => {
            matches!(t.kind, Kind::Number | Kind::String | Kind::Blob)
                || ["NULL", "TRUE", "FALSE"].iter().any(|k| t.is_kw(k))
        }
        [sign, n] => (sign.is_punct("-") || sign.is_punct("+")) && n.kind == Kind::Number,
        _ => false,
    }
}

/// `true` for `NULL`, in parentheses or not.
fn is_null_literal(text: &str) -> bool {
    matches!(
        tokenize(expr::strip_outer_parens(text)).as_deref(),
        Ok([t]) if t.is_kw("NULL")
    )
}

/// `true` when the SQL text `sql` names `column` (as a bare or quoted identifier, in any
/// case), or when it cannot be read at all.
pub(super) fn mentions(sql: &str, column: &str) -> bool {
    match tokenize(sql) {
        Ok(tokens) => tokens.iter().any(|t| {
            matches!(t.kind, Kind::Word | Kind::Quoted) && t.value().eq_ignore_ascii_case(column)
        }),
        Err(_) => true,
    }
}

/// `true` when `index` uses `column`: as a key column, in an expression key or in its
/// predicate.
fn index_uses(index: &Index, column: &str) -> bool {
    index.columns.iter().any(|key| {
        if key.expression {
            mentions(&key.name, column)
        } else {
            key.name.eq_ignore_ascii_case(column)
        }
    }) || index
        .predicate
        .as_deref()
        .is_some_and(|p| mentions(p, column))
}

/// `ALTER TABLE t DROP COLUMN c`, or why it needs a rebuild.
fn drop_column(
    dialect: &Sqlite,
    table: &QualifiedName,
    column: &Column,
    context: &ChangeContext<'_>,
) -> Result<ChangeSql> {
    if let Some(why) = context
        .actual
        .and_then(|actual| drop_column_obstacle(dialect, actual, context.desired, &column.name))
    {
        return Ok(ChangeSql::NeedsRebuild(why));
    }
    Ok(ChangeSql::Statements(vec![format!(
        "ALTER TABLE {} DROP COLUMN {}",
        dialect.quote_table(table),
        dialect.quote_ident(&column.name)
    )]))
}

/// Why `ALTER TABLE DROP COLUMN` cannot drop `name` from `actual`, if it cannot.
fn drop_column_obstacle(
    dialect: &Sqlite,
    actual: &TableDef,
    desired: Option<&TableDef>,
    name: &str,
) -> Option<String> {
    let same = |a: &str| dialect.same_identifier(a, name);
    let cannot = |what: &str, detail: String| refusal("drop", what, detail);
    if let Some(pk) = &actual.primary_key
        && pk.columns.iter().any(|c| same(c))
    {
        return cannot(
            "a PRIMARY KEY column",
            format!("`{name}` is in the primary key"),
        );
    }
    if let Some(unique) = actual
        .uniques
        .iter()
        .find(|u| u.columns.iter().any(|c| same(c)))
    {
        return cannot(
            "a UNIQUE column",
            format!("`{name}` is in unique constraint `{}`", unique.name),
        );
    }
    let own = actual.qualified_name();
    if let Some(fk) = actual.foreign_keys.iter().find(|fk| {
        fk.columns.iter().any(|c| same(c))
            || (same_table(dialect, &fk.references, &own)
                && fk.referenced_columns.iter().any(|c| same(c)))
    }) {
        return cannot(
            "a column used by a foreign key",
            format!("`{name}` is in foreign key `{}`", fk.name),
        );
    }
    if let Some(check) = actual.checks.iter().find(|c| mentions(&c.expr, name)) {
        return cannot(
            "a column a CHECK constraint uses",
            format!("check `{}` ({}) mentions `{name}`", check.name, check.expr),
        );
    }
    if let Some(generated) = actual.columns.iter().find(|c| {
        !same(&c.name)
            && c.generated
                .as_ref()
                .is_some_and(|g| mentions(&g.expr, name))
    }) {
        return cannot(
            "a column a generated column uses",
            format!("`{}` is computed from `{name}`", generated.name),
        );
    }
    // An index the declaration does not name is dropped by an earlier step of the plan;
    // one it names is only changed after the column is dropped.
    let declared = |index: &Index| {
        desired.is_some_and(|d| {
            d.indexes
                .iter()
                .any(|k| dialect.same_identifier(&k.name, &index.name))
        })
    };
    if let Some(index) = actual
        .indexes
        .iter()
        .find(|index| index_uses(index, name) && declared(index))
    {
        return cannot(
            "an indexed column",
            format!(
                "index `{}` uses `{name}` and is declared, so it still exists when the column is dropped",
                index.name
            ),
        );
    }
    let survivors = actual.columns.iter().filter(|c| {
        !same(&c.name) && desired.is_some_and(|d| find_column(dialect, d, &c.name).is_some())
    });
    if survivors.count() == 0 {
        return cannot(
            "the last column of a table",
            format!(
                "no column of `{}` other than `{name}` is declared, and columns are dropped before new ones are added",
                actual.name
            ),
        );
    }
    None
}

/// `true` when `a` and `b` name the same table (SQLite: every table is in `main`).
fn same_table(dialect: &Sqlite, a: &QualifiedName, b: &QualifiedName) -> bool {
    dialect.same_identifier(&a.name, &b.name)
}

/// The column of `table` named `name` under SQLite's identifier rules.
fn find_column<'t>(dialect: &Sqlite, table: &'t TableDef, name: &str) -> Option<&'t Column> {
    table
        .columns
        .iter()
        .find(|c| dialect.same_identifier(&c.name, name))
}

/// The declared index of the same name as `index` (the change carries its normal form).
fn declared_index<'a>(
    dialect: &Sqlite,
    index: &'a Index,
    desired: Option<&'a TableDef>,
) -> &'a Index {
    desired
        .and_then(|t| {
            t.indexes
                .iter()
                .find(|i| dialect.same_identifier(&i.name, &index.name))
        })
        .unwrap_or(index)
}

/// `CREATE [UNIQUE] INDEX` for `index` (never schema-qualified), or — as `Err` — why it
/// has to wait for a rebuild: it uses a column only a rebuild can add.
fn create_index(
    dialect: &Sqlite,
    table: &QualifiedName,
    index: &Index,
    context: &ChangeContext<'_>,
) -> Native {
    if let (Some(desired), Some(actual)) = (context.desired, context.actual) {
        for column in &desired.columns {
            if find_column(dialect, actual, &column.name).is_some()
                || !index_uses(index, &column.name)
            {
                continue;
            }
            if let Some(why) = add_column_obstacle(dialect, column, context) {
                return Err(format!(
                    "index `{}` uses column `{}`, which only a table rebuild can add ({why})",
                    index.name, column.name
                ));
            }
        }
    }
    Ok(shared::create_index_on(dialect, table, index))
}

/// `DROP INDEX "ix"`, or — as `Err` — why it cannot be dropped on its own.
fn drop_index(dialect: &Sqlite, index: &Index) -> Native {
    let is_autoindex = index
        .name
        .get(..AUTOINDEX_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(AUTOINDEX_PREFIX));
    if is_autoindex {
        return Err(format!(
            "index `{}` is SQLite's own index of a UNIQUE or PRIMARY KEY constraint; SQLite cannot drop it with DROP INDEX",
            index.name
        ));
    }
    Ok(format!("DROP INDEX {}", dialect.quote_ident(&index.name)))
}

#[cfg(test)]
mod other_tests;
#[cfg(test)]
mod tests;
