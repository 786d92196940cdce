//! SQLite table rebuild: the statements that replace a table by one built from its
//! declaration when `ALTER TABLE` cannot express a change (DESIGN.md §7, PITFALLS.md 16–24).
//!
//! [`table_rebuild`] is pure: declared table + reflected table + policy in, ordered
//! statements out. The statements must run with `PRAGMA foreign_keys=OFF` (set outside the
//! transaction: a `DROP TABLE` with foreign keys on fires `ON DELETE CASCADE`), inside one
//! transaction, followed by `PRAGMA foreign_key_check`; triggers and views that depended on
//! the table are recreated by the runtime from their stored SQL. The order is:
//!
//! 1. `CREATE TABLE "new_<t>"` from the declaration, plus every database-only column and
//!    constraint the policy keeps, in their original type and constraints (indexes come
//!    last: their names are still taken by the old table's);
//! 2. `INSERT INTO "new_<t>" (cols) SELECT ... FROM "<t>"` with explicit column lists,
//!    `CAST` where the type changed and `COALESCE` with the declared default for the
//!    columns the plan allowed to fill;
//! 3. for an AUTOINCREMENT table, the `sqlite_sequence` value carried over (the larger of
//!    the old counter and the largest copied key), so ids are never reused;
//! 4. `DROP TABLE "<t>"`, `ALTER TABLE "new_<t>" RENAME TO "<t>"`;
//! 5. the declared and the kept database-only indexes.
//!
//! What it cannot recreate faithfully (STRICT, WITHOUT ROWID, kept columns with a collation
//! or a generation expression) makes it refuse with a reason instead of losing it.

use super::Sqlite;
use crate::dialect::{Dialect, quote_literal, render as shared};
use crate::error::Result;
use crate::model::{Column, QualifiedName, TableDef};
use crate::options::Options;

/// The result of [`table_rebuild`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuild {
    /// The statements of the rebuild, in order (each complete, without a trailing `;`).
    Statements(Vec<String>),
    /// The rebuild would lose something it cannot recreate; the text says what.
    Refused(String),
}

/// The statements that rebuild `actual` (as reflected, schema resolved) into `desired`
/// (as declared, schema resolved). Database-only columns are kept unless
/// `options.allow_drop_extra_columns`; database-only constraints and indexes unless
/// `options.allow_drop_extra_constraints` (a kept one only if all its columns are kept).
/// `fill_nulls` names the columns becoming NOT NULL whose NULLs the plan allowed to
/// replace by the declared default.
pub fn table_rebuild(
    dialect: &Sqlite,
    desired: &TableDef,
    actual: &TableDef,
    options: &Options,
    fill_nulls: &[String],
) -> Result<Rebuild> {
    let table = actual.name.as_str();
    let refuse = |what: String| {
        Ok(Rebuild::Refused(format!(
            "table `{table}` cannot be rebuilt without losing {what}; change it by hand"
        )))
    };
    if actual.options.strict {
        return refuse("its STRICT option".into());
    }
    if actual.options.without_rowid {
        return refuse("its WITHOUT ROWID option".into());
    }
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);

    // Where each declared column's values come from.
    let source = |column: &Column| -> Option<&Column> {
        actual
            .columns
            .iter()
            .find(|a| same(&a.name, &column.name))
            .or_else(|| {
                actual
                    .columns
                    .iter()
                    .find(|a| column.renamed_from.iter().any(|old| same(&a.name, old)))
            })
    };
    let mut target = desired.clone();
    let sources: Vec<Option<&Column>> = desired.columns.iter().map(source).collect();
    let kept_columns: Vec<&Column> = if options.allow_drop_extra_columns {
        Vec::new()
    } else {
        actual
            .columns
            .iter()
            .filter(|a| !sources.iter().flatten().any(|s| same(&s.name, &a.name)))
            .collect()
    };
    for column in &kept_columns {
        if column.generated.is_some() {
            return refuse(format!(
                "the generation expression of its database-only column `{}`",
                column.name
            ));
        }
        if column.collation.is_some() {
            return refuse(format!(
                "the collation of its database-only column `{}`",
                column.name
            ));
        }
        target.columns.push((*column).clone());
    }
    let names: Vec<String> = target.columns.iter().map(|c| c.name.clone()).collect();
    let has_column = |name: &str| names.iter().any(|c| same(c, name));
    if !options.allow_drop_extra_constraints {
        keep_constraints(dialect, actual, &mut target, &has_column);
    }
    let indexes = std::mem::take(&mut target.indexes);

    let final_name = target.qualified_name();
    let new_name = QualifiedName {
        schema: target.schema.clone(),
        name: format!("new_{}", target.name),
    };
    target.name = new_name.name.clone();
    let mut statements = super::render::create_table(dialect, &target, &[])?;

    // Copy: every column of the new table that has a source, generated columns excepted.
    let desired_n = dialect.normalize_table(desired);
    let actual_n = dialect.normalize_table(actual);
    let normalized = |t: &TableDef, name: &str| -> Option<Column> {
        t.columns.iter().find(|c| same(&c.name, name)).cloned()
    };
    let mut into = Vec::new();
    let mut select = Vec::new();
    for (column, from) in desired.columns.iter().zip(&sources) {
        let Some(from) = from else { continue };
        if from.generated.is_some() || column.generated.is_some() {
            continue;
        }
        let mut expr = dialect.quote_ident(&from.name);
        let (to_ty, from_ty) = (
            normalized(&desired_n, &column.name).map(|c| c.ty),
            normalized(&actual_n, &from.name).map(|c| c.ty),
        );
        if to_ty != from_ty {
            expr = format!("CAST({expr} AS {})", dialect.column_type_sql_for(column));
        }
        if fill_nulls.iter().any(|f| same(f, &column.name))
            && let Some(default) = &column.default
        {
            expr = format!(
                "COALESCE({expr}, {})",
                crate::dialect::expr::default_sql(default)
            );
        }
        into.push(dialect.quote_ident(&column.name));
        select.push(expr);
    }
    for column in &kept_columns {
        let name = dialect.quote_ident(&column.name);
        into.push(name.clone());
        select.push(name);
    }
    if into.is_empty() {
        return refuse("its rows: none of its columns is kept".into());
    }
    let new_table = dialect.quote_table(&new_name);
    let old_table = dialect.quote_table(&final_name);
    statements.push(format!(
        "INSERT INTO {new_table} ({}) SELECT {} FROM {old_table}",
        into.join(", "),
        select.join(", ")
    ));

    // AUTOINCREMENT: the new table's counter is the larger of the old counter and the
    // largest copied key (DROP TABLE removes the old entry, RENAME renames the new one).
    if let Some(key) = target.columns.iter().find(|c| c.auto_increment) {
        let (new_lit, old_lit) = (quote_literal(&new_name.name), quote_literal(table));
        statements.push(format!(
            "DELETE FROM sqlite_sequence WHERE name = {new_lit}"
        ));
        statements.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {new_lit}, MAX(seq) FROM (SELECT seq FROM sqlite_sequence WHERE name = {old_lit} UNION ALL SELECT MAX({}) FROM {new_table}) HAVING MAX(seq) IS NOT NULL",
            dialect.quote_ident(&key.name)
        ));
    }
    statements.push(format!("DROP TABLE {old_table}"));
    statements.push(format!(
        "ALTER TABLE {new_table} RENAME TO {}",
        dialect.quote_ident(&final_name.name)
    ));
    statements.extend(
        indexes
            .iter()
            .map(|index| shared::create_index_on(dialect, &final_name, index)),
    );
    Ok(Rebuild::Statements(statements))
}

/// Adds to `target` the constraints and indexes of `actual` the declaration does not have
/// (matched by name, or by content for unnamed ones), when all their columns exist in
/// `target`.
fn keep_constraints(
    dialect: &Sqlite,
    actual: &TableDef,
    target: &mut TableDef,
    has_column: &dyn Fn(&str) -> bool,
) {
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);
    let same_list =
        |a: &[String], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y));
    let all_kept = |columns: &[String]| columns.iter().all(|c| has_column(c));
    let named = |a: &str, b: &str| !a.is_empty() && same(a, b);

    let uniques: Vec<_> = actual
        .uniques
        .iter()
        .filter(|u| {
            !target
                .uniques
                .iter()
                .any(|d| named(&u.name, &d.name) || same_list(&u.columns, &d.columns))
                && all_kept(&u.columns)
        })
        .cloned()
        .collect();
    let checks: Vec<_> = actual
        .checks
        .iter()
        .filter(|c| {
            !target
                .checks
                .iter()
                .any(|d| named(&c.name, &d.name) || c.expr.trim() == d.expr.trim())
        })
        .cloned()
        .collect();
    let fks: Vec<_> = actual
        .foreign_keys
        .iter()
        .filter(|f| {
            !target.foreign_keys.iter().any(|d| {
                named(&f.name, &d.name)
                    || (same_list(&f.columns, &d.columns)
                        && same(&f.references.name, &d.references.name))
            }) && all_kept(&f.columns)
        })
        .cloned()
        .collect();
    let indexes: Vec<_> = actual
        .indexes
        .iter()
        .filter(|i| {
            !target.indexes.iter().any(|d| same(&i.name, &d.name))
                && i.columns
                    .iter()
                    .all(|c| c.expression || has_column(&c.name))
        })
        .cloned()
        .collect();
    target.uniques.extend(uniques);
    target.checks.extend(checks);
    target.foreign_keys.extend(fks);
    target.indexes.extend(indexes);
}

#[cfg(test)]
mod tests {
    use super::{Rebuild, table_rebuild};
    use crate::dialect::SQLITE;
    use crate::dialect::fixtures::{col, null, pk, serial, with_default};
    use crate::model::{Check, Column, ColumnType, Index, IndexColumn, TableDef, TableOptions};
    use crate::options::Options;

    fn statements(rebuild: Rebuild) -> Vec<String> {
        match rebuild {
            Rebuild::Statements(s) => s,
            Rebuild::Refused(why) => panic!("refused: {why}"),
        }
    }

    fn run(desired: &TableDef, actual: &TableDef, options: &Options, fill: &[&str]) -> Rebuild {
        let fill: Vec<String> = fill.iter().map(|s| s.to_string()).collect();
        match table_rebuild(&SQLITE, desired, actual, options, &fill) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    fn parent_actual() -> TableDef {
        TableDef {
            schema: Some("main".into()),
            name: "parent".into(),
            columns: vec![
                col("id", ColumnType::BigInt),
                null("qty", ColumnType::Text),
                null("note", ColumnType::Text),
                null("legacy", ColumnType::Custom("VARCHAR(9)".into())),
            ],
            primary_key: pk(&["id"]),
            indexes: vec![
                Index {
                    name: "ix_parent_note".into(),
                    columns: vec![IndexColumn::asc("note")],
                    unique: false,
                    predicate: None,
                },
                Index {
                    name: "ix_parent_legacy".into(),
                    columns: vec![IndexColumn::asc("legacy")],
                    unique: false,
                    predicate: None,
                },
            ],
            ..TableDef::default()
        }
    }

    fn parent_desired() -> TableDef {
        TableDef {
            schema: Some("main".into()),
            name: "parent".into(),
            columns: vec![
                col("id", ColumnType::BigInt),
                col("qty", ColumnType::Integer),
                with_default("note", ColumnType::Text, "'none'"),
            ],
            primary_key: pk(&["id"]),
            checks: vec![Check {
                name: "ck_parent_qty".into(),
                expr: "qty >= 0".into(),
            }],
            indexes: vec![Index {
                name: "ix_parent_note".into(),
                columns: vec![IndexColumn::asc("note")],
                unique: false,
                predicate: None,
            }],
            ..TableDef::default()
        }
    }

    #[test]
    fn keeps_database_only_columns_and_indexes_casts_and_fills() {
        let options = Options {
            allow_drop_extra_constraints: false,
            ..Options::default()
        };
        let sql = statements(run(
            &parent_desired(),
            &parent_actual(),
            &options,
            &["note"],
        ));
        assert_eq!(
            sql,
            [
                r#"CREATE TABLE "new_parent" (
  "id" BIGINT NOT NULL,
  "qty" INTEGER NOT NULL,
  "note" TEXT NOT NULL DEFAULT 'none',
  "legacy" VARCHAR(9),
  PRIMARY KEY ("id"),
  CONSTRAINT "ck_parent_qty" CHECK (qty >= 0)
)"#,
                r#"INSERT INTO "new_parent" ("id", "qty", "note", "legacy") SELECT "id", CAST("qty" AS INTEGER), COALESCE("note", 'none'), "legacy" FROM "parent""#,
                r#"DROP TABLE "parent""#,
                r#"ALTER TABLE "new_parent" RENAME TO "parent""#,
                r#"CREATE INDEX "ix_parent_note" ON "parent" ("note")"#,
                r#"CREATE INDEX "ix_parent_legacy" ON "parent" ("legacy")"#,
            ]
        );
    }

    #[test]
    fn drops_database_only_columns_and_indexes_when_allowed_and_never_fills_unasked() {
        let options = Options {
            allow_drop_extra_columns: true,
            ..Options::default()
        };
        let sql = statements(run(&parent_desired(), &parent_actual(), &options, &[]));
        assert_eq!(
            sql[1],
            r#"INSERT INTO "new_parent" ("id", "qty", "note") SELECT "id", CAST("qty" AS INTEGER), "note" FROM "parent""#
        );
        assert!(!sql[0].contains("legacy"));
        assert_eq!(sql.len(), 5);
        assert_eq!(
            sql[4],
            r#"CREATE INDEX "ix_parent_note" ON "parent" ("note")"#
        );
    }

    #[test]
    fn autoincrement_counter_is_carried_over() {
        let actual = TableDef {
            schema: Some("main".into()),
            name: "t".into(),
            columns: vec![serial("id"), null("v", ColumnType::Text)],
            primary_key: pk(&["id"]),
            ..TableDef::default()
        };
        let desired = TableDef {
            columns: vec![serial("id"), col("v", ColumnType::Text)],
            ..actual.clone()
        };
        let sql = statements(run(&desired, &actual, &Options::default(), &[]));
        assert_eq!(
            sql,
            [
                r#"CREATE TABLE "new_t" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "v" TEXT NOT NULL
)"#,
                r#"INSERT INTO "new_t" ("id", "v") SELECT "id", "v" FROM "t""#,
                "DELETE FROM sqlite_sequence WHERE name = 'new_t'",
                r#"INSERT INTO sqlite_sequence (name, seq) SELECT 'new_t', MAX(seq) FROM (SELECT seq FROM sqlite_sequence WHERE name = 't' UNION ALL SELECT MAX("id") FROM "new_t") HAVING MAX(seq) IS NOT NULL"#,
                r#"DROP TABLE "t""#,
                r#"ALTER TABLE "new_t" RENAME TO "t""#,
            ]
        );
    }

    #[test]
    fn hostile_names_and_renamed_columns() {
        let actual = TableDef {
            schema: Some("main".into()),
            name: "us\"er".into(),
            columns: vec![col("old \"n\"", ColumnType::Text)],
            ..TableDef::default()
        };
        let desired = TableDef {
            columns: vec![Column {
                renamed_from: vec!["old \"n\"".into()],
                ..null("new\"n", ColumnType::Text)
            }],
            ..actual.clone()
        };
        let sql = statements(run(&desired, &actual, &Options::default(), &[]));
        assert_eq!(
            sql,
            [
                "CREATE TABLE \"new_us\"\"er\" (\n  \"new\"\"n\" TEXT\n)",
                r#"INSERT INTO "new_us""er" ("new""n") SELECT "old ""n""" FROM "us""er""#,
                r#"DROP TABLE "us""er""#,
                r#"ALTER TABLE "new_us""er" RENAME TO "us""er""#,
            ]
        );
    }

    #[test]
    fn refuses_what_it_cannot_recreate() {
        let refused = |desired: &TableDef, actual: &TableDef| match run(
            desired,
            actual,
            &Options::default(),
            &[],
        ) {
            Rebuild::Refused(why) => why,
            Rebuild::Statements(s) => panic!("not refused: {s:?}"),
        };
        let mut strict = parent_actual();
        strict.options = TableOptions {
            strict: true,
            without_rowid: false,
        };
        assert_eq!(
            refused(&parent_desired(), &strict),
            "table `parent` cannot be rebuilt without losing its STRICT option; change it by hand"
        );
        strict.options = TableOptions {
            strict: false,
            without_rowid: true,
        };
        assert!(refused(&parent_desired(), &strict).contains("WITHOUT ROWID"));
        let mut collated = parent_actual();
        collated.columns[3].collation = Some("NOCASE".into());
        assert_eq!(
            refused(&parent_desired(), &collated),
            "table `parent` cannot be rebuilt without losing the collation of its database-only column `legacy`; change it by hand"
        );
        let disjoint = TableDef {
            columns: vec![col("other", ColumnType::Text)],
            primary_key: None,
            checks: Vec::new(),
            indexes: Vec::new(),
            ..parent_desired()
        };
        let options = Options {
            allow_drop_extra_columns: true,
            ..Options::default()
        };
        assert!(matches!(
            run(&disjoint, &parent_actual(), &options, &[]),
            Rebuild::Refused(why) if why.contains("none of its columns is kept")
        ));
    }
}
