//! MySQL DDL for changes to existing tables (`Dialect::change_sql`). MySQL performs every
//! change in place; it never answers `ChangeSql::NeedsRebuild`.
//!
//! | Change | Statements |
//! |---|---|
//! | add column | `ALTER TABLE t ADD COLUMN <definition>` (type, `COLLATE`, generation, `NOT NULL`, `DEFAULT`, `AUTO_INCREMENT`, `COMMENT`) |
//! | drop column | `ALTER TABLE t DROP COLUMN c` |
//! | alter column | `ALTER TABLE t MODIFY COLUMN <the whole declared definition>` |
//! | primary key | `ADD PRIMARY KEY (..)`, `DROP PRIMARY KEY`; a change is `DROP PRIMARY KEY, ADD PRIMARY KEY (..)` in one statement |
//! | UNIQUE | `ADD CONSTRAINT uq UNIQUE (..)`, `DROP INDEX uq`; a change is both in one statement |
//! | FOREIGN KEY | `ADD CONSTRAINT fk FOREIGN KEY ..`, `DROP FOREIGN KEY fk` then `DROP INDEX fk` for the index InnoDB made for it (M9); a change is the drop then the add |
//! | CHECK | `ADD CONSTRAINT ck CHECK (..)`, `DROP CONSTRAINT ck` (MariaDB 10.2+ and MySQL 8.0.19+ both accept it; MySQL's `DROP CHECK` is not MariaDB's); a change is the drop then the add |
//! | index | `ADD [UNIQUE] INDEX ix (..)`, `DROP INDEX ix`; a change is both in one statement |
//! | (in place) | an index or UNIQUE change, a column made `NOT NULL` or NULL-able, ends in `ALGORITHM=INPLACE, LOCK=NONE` (the `online` module) |
//! | table comment | `ALTER TABLE t COMMENT = '..'` (`''` removes it) |
//! | rename | `RENAME TABLE a TO b`, `ALTER TABLE t RENAME COLUMN a TO b` (MySQL 8.0, MariaDB 10.5.2+) |
//! | drop table | `DROP TABLE t` |
//!
//! `MODIFY COLUMN` replaces the whole column definition (docs/DATABASE_TRAPS.md M13): whatever it leaves out the column
//! loses (its default, comment, NOT NULL, AUTO_INCREMENT). It is therefore always written
//! from the whole declared column (`ChangeContext::desired`), whichever property changed;
//! the change's normal form is only the fallback. Drop-and-add pairs that MySQL accepts
//! in one statement are written as one: MySQL commits each DDL statement on its own, and
//! one statement is applied whole or not at all.

use super::MySql;
use super::lex::quote_literal;
use super::online;
use super::render::{self, check_clause, column_definition, index_keys};
use crate::dialect::render as shared;
use crate::dialect::{ChangeContext, ChangeSql, Dialect};
use crate::error::{Error, Result};
use crate::model::{Check, Column, ForeignKey, Index, QualifiedName};
use crate::plan::Change;

/// The statements performing `change` on MySQL.
pub(super) fn change_sql(
    dialect: &MySql,
    change: &Change,
    context: &ChangeContext<'_>,
) -> Result<ChangeSql> {
    let t = |name: &QualifiedName| dialect.quote_table(name);
    let alter = |name: &QualifiedName, what: String| format!("ALTER TABLE {} {what}", t(name));
    let statements = match change {
        // MySQL's enums are inline column types: no named type to change.
        Change::CreateSchema { .. }
        | Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::RenameEnumValue { .. }
        | Change::RecreateEnum { .. }
        | Change::DropEnum { .. } => Vec::new(),
        Change::CreateTable { table } => dialect.create_table_sql(table, &[])?,
        Change::DropTable { table } => vec![format!("DROP TABLE {}", t(&table.qualified_name()))],
        Change::AddColumn { table, column } => vec![alter(
            table,
            format!(
                "ADD COLUMN {}",
                column_definition(dialect, declared_column(context, column))
            ),
        )],
        Change::DropColumn { table, column } => vec![alter(
            table,
            format!("DROP COLUMN {}", dialect.quote_ident(&column.name)),
        )],
        Change::AlterColumn {
            table, from, to, ..
        } => {
            // The whole declared column, and the `ON UPDATE` the database's has (which a
            // declaration cannot say yet): MODIFY keeps nothing it does not restate.
            let mut column = declared_column(context, to).clone();
            if column.on_update.is_none() {
                column.on_update = from.on_update.clone();
            }
            vec![alter(
                table,
                format!("MODIFY COLUMN {}", column_definition(dialect, &column)),
            )]
        }
        Change::AddPrimaryKey { table, key } => vec![alter(
            table,
            format!("ADD {}", render::primary_key_clause(dialect, &key.columns)),
        )],
        Change::DropPrimaryKey { table, .. } => vec![alter(table, "DROP PRIMARY KEY".into())],
        Change::AlterPrimaryKey { table, to, .. } => vec![alter(
            table,
            format!(
                "DROP PRIMARY KEY, ADD {}",
                render::primary_key_clause(dialect, &to.columns)
            ),
        )],
        Change::AddUnique { table, unique } => vec![alter(
            table,
            format!("ADD {}", shared::unique_clause(dialect, unique)),
        )],
        Change::DropUnique { table, unique } => {
            vec![alter(table, drop_index(dialect, &unique.name))]
        }
        Change::AlterUnique { table, from, to } => vec![alter(
            table,
            format!(
                "{}, ADD {}",
                drop_index(dialect, &from.name),
                shared::unique_clause(dialect, to)
            ),
        )],
        Change::AddForeignKey { table, foreign_key } => {
            vec![alter(table, add_foreign_key(dialect, foreign_key))]
        }
        Change::DropForeignKey { table, foreign_key } => {
            drop_foreign_key(dialect, table, foreign_key, context)
        }
        Change::AlterForeignKey { table, from, to } => {
            let mut out = drop_foreign_key(dialect, table, from, context);
            out.push(alter(table, add_foreign_key(dialect, to)));
            out
        }
        Change::AddCheck { table, check } => vec![alter(
            table,
            format!(
                "ADD {}",
                check_clause(dialect, declared_check(context, check))
            ),
        )],
        Change::DropCheck { table, check } => {
            vec![alter(table, drop_constraint(dialect, &check.name))]
        }
        Change::AlterCheck { table, from, to } => vec![
            alter(table, drop_constraint(dialect, &from.name)),
            alter(
                table,
                format!("ADD {}", check_clause(dialect, declared_check(context, to))),
            ),
        ],
        Change::AddIndex { table, index } => {
            vec![alter(
                table,
                add_index(dialect, declared_index(context, index)),
            )]
        }
        Change::DropIndex { table, index } => vec![alter(table, drop_index(dialect, &index.name))],
        Change::AlterIndex { table, from, to } => vec![alter(
            table,
            format!(
                "{}, {}",
                drop_index(dialect, &from.name),
                add_index(dialect, declared_index(context, to))
            ),
        )],
        Change::SetTableComment { table, to, .. } => vec![alter(
            table,
            format!("COMMENT = {}", quote_literal(to.as_deref().unwrap_or(""))),
        )],
        Change::RenameTable { from, to } => vec![format!(
            "RENAME TABLE {} TO {}",
            t(from),
            dialect.quote_ident(&to.name)
        )],
        Change::RenameColumn { table, from, to } => vec![alter(
            table,
            format!(
                "RENAME COLUMN {} TO {}",
                dialect.quote_ident(from),
                dialect.quote_ident(to)
            ),
        )],
        Change::RebuildTable { table, .. } => {
            return Err(Error::internal(format!(
                "table `{table}`: table rebuilds are a SQLite procedure; MySQL alters tables in place (dbconform never plans one here)"
            )));
        }
    };
    // A change both servers run in place without a lock says so, so that the server fails
    // at once rather than fall back to copying the table or blocking writes (`online`).
    let statements = if online::algorithm(change, context) == Some(online::Algorithm::InPlace) {
        statements
            .into_iter()
            .map(|s| format!("{s}, {}", online::IN_PLACE))
            .collect()
    } else {
        statements
    };
    Ok(ChangeSql::Statements(statements))
}

/// The declared column named like `column`, as written (falls back to `column`).
fn declared_column<'a>(context: &ChangeContext<'a>, column: &'a Column) -> &'a Column {
    let key = column.name.to_lowercase();
    context
        .desired
        .and_then(|t| t.columns.iter().find(|c| c.name.to_lowercase() == key))
        .unwrap_or(column)
}

/// The declared CHECK named like `check`, as written (falls back to `check`).
fn declared_check<'a>(context: &ChangeContext<'a>, check: &'a Check) -> &'a Check {
    context
        .desired
        .and_then(|t| t.checks.iter().find(|c| c.name == check.name))
        .unwrap_or(check)
}

/// The declared index named like `index`, as written (falls back to `index`).
fn declared_index<'a>(context: &ChangeContext<'a>, index: &'a Index) -> &'a Index {
    context
        .desired
        .and_then(|t| t.indexes.iter().find(|i| i.name == index.name))
        .unwrap_or(index)
}

fn drop_index(dialect: &MySql, name: &str) -> String {
    format!("DROP INDEX {}", dialect.quote_ident(name))
}

fn drop_constraint(dialect: &MySql, name: &str) -> String {
    format!("DROP CONSTRAINT {}", dialect.quote_ident(name))
}

fn add_index(dialect: &MySql, index: &Index) -> String {
    format!(
        "ADD {}INDEX {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        dialect.quote_ident(&index.name),
        index_keys(dialect, index)
    )
}

fn add_foreign_key(dialect: &MySql, fk: &ForeignKey) -> String {
    format!("ADD {}", shared::foreign_key_clause(dialect, fk))
}

/// `DROP FOREIGN KEY fk`, then `DROP INDEX fk` when the reflected table has the index
/// InnoDB created for the key (named like it, on its columns): left behind it would be
/// an index nobody declared, and a foreign key added again under the name would clash
/// with it.
fn drop_foreign_key(
    dialect: &MySql,
    table: &QualifiedName,
    fk: &ForeignKey,
    context: &ChangeContext<'_>,
) -> Vec<String> {
    let t = dialect.quote_table(table);
    let mut out = vec![format!(
        "ALTER TABLE {t} DROP FOREIGN KEY {}",
        dialect.quote_ident(&fk.name)
    )];
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    let made_for_it = context.actual.is_some_and(|actual| {
        actual.indexes.iter().any(|i| {
            !i.unique
                && same(&i.name, &fk.name)
                && i.columns.len() == fk.columns.len()
                && i.columns
                    .iter()
                    .zip(&fk.columns)
                    .all(|(i, f)| same(&i.name, f))
        })
    });
    if made_for_it {
        out.push(format!("ALTER TABLE {t} {}", drop_index(dialect, &fk.name)));
    }
    out
}

#[cfg(test)]
#[path = "alter_tests.rs"]
mod tests;
