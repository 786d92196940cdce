//! Applying changes to existing SQLite tables (acceptance 1 of the plan-and-apply issue,
//! for SQLite).
//!
//! For each change SQLite can make with `ALTER TABLE`, `CREATE INDEX`, `DROP INDEX` or
//! `DROP TABLE` (`native.rs`): dbconform's own creation script is damaged by hand (as in
//! `detect.rs`), rows are inserted, `apply` closes the gap, and the test reads the real
//! catalog (`pragma_table_xinfo`, `pragma_index_list`, `sqlite_schema.sql`) and the rows,
//! then checks that `compare` is empty.
//!
//! For each change only a table rebuild can make (`rebuild.rs`): `compare` shows the step with its
//! rebuild reason, `apply` fails naming the step and leaves schema text and rows exactly
//! as they were, and with `allow_sqlite_table_rebuild = false` the step is blocked with
//! that flag's name while the independent steps still apply.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/models.rs"]
mod models;

mod native;
mod rebuild;

use common::drift::{in_table, replace_once, without_line};
use common::sqlite_file;
use dbconform::sqlx::{self, AssertSqlSafe, SqlitePool};
use dbconform::{
    Column, ColumnType, DbConform, GeneratedColumn, Index, IndexColumn, Options, Plan, PrimaryKey,
    SortOrder, Table, TableDef,
};
use models::Payment;

#[derive(Table)]
#[table(name = "log_lines")]
struct LogLine {
    message: String,
}

#[derive(Table)]
#[table(name = "readings")]
struct Reading {
    #[column(primary_key)]
    id: i64,
    #[column(default = "0")]
    value: i64,
    #[column(default = "'n/a'")]
    unit: String,
    note: Option<String>,
}

/// `accounts` (with `opened_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP`) and `payments`.
fn tables() -> Vec<TableDef> {
    vec![accounts(), Payment::table_def()]
}

fn accounts() -> TableDef {
    let opened_at = Column {
        default: Some("CURRENT_TIMESTAMP".into()),
        ..models::custom("opened_at", "TIMESTAMP")
    };
    models::accounts_with(opened_at, None)
}

/// One row to insert: `(column, SQL literal)` pairs.
type Row = &'static [(&'static str, &'static str)];

/// A SQLite file holding a damaged copy of the declared schema, with rows.
struct Db {
    _dir: tempfile::TempDir,
    url: String,
    pool: SqlitePool,
}

impl Db {
    /// Runs dbconform's creation script for `tables`, rewritten by `mutate`, then inserts
    /// the rows of [`seed`].
    async fn drifted(tables: &[TableDef], mutate: impl Fn(String) -> String) -> Db {
        let (dir, url) = sqlite_file();
        let script = DbConform::connect(&url)
            .await
            .unwrap()
            .compare(tables)
            .await
            .unwrap()
            .to_sql();
        let pool = SqlitePool::connect(&url).await.unwrap();
        let script = mutate(script);
        sqlx::raw_sql(AssertSqlSafe(script.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{script}"));
        let db = Db {
            _dir: dir,
            url,
            pool,
        };
        db.seed().await;
        db
    }

    /// A new SQLite file in which dbconform created `tables` (as declared, no rows).
    async fn created(tables: &[TableDef]) -> Db {
        let (dir, url) = sqlite_file();
        DbConform::connect(&url)
            .await
            .unwrap()
            .apply(tables)
            .await
            .unwrap();
        Db::open(dir, url).await
    }

    /// The database at `url`, kept alive by `dir` (the temporary directory holding it).
    async fn open(dir: tempfile::TempDir, url: String) -> Db {
        Db {
            _dir: dir,
            pool: SqlitePool::connect(&url).await.unwrap(),
            url,
        }
    }

    async fn conform(&self, options: Options) -> DbConform {
        DbConform::connect(&self.url)
            .await
            .unwrap()
            .with_options(options)
    }

    /// Plans exactly the steps `expected` spells (see [`plan_text`]; all native), applies
    /// them, and checks that nothing is left.
    async fn apply_native(&self, tables: &[TableDef], options: Options, expected: &str) {
        let expected = dedent(expected);
        let conform = self.conform(options).await;
        let plan = conform.compare(tables).await.unwrap();
        assert_eq!(plan_text(&plan), expected, "\n{plan}");
        assert!(plan.blocked().is_empty(), "{plan}");
        assert!(plan.steps().iter().all(|s| s.rebuild.is_none()), "{plan}");
        let report = conform.apply(tables).await.unwrap();
        // One description line (unindented) per expected step.
        let expected_steps = expected.lines().filter(|l| !l.starts_with(' ')).count();
        assert_eq!(report.executed.len(), expected_steps, "{report}");
        let after = conform.compare(tables).await.unwrap();
        assert!(after.is_empty(), "left after apply:\n{after}");
    }

    async fn exec(&self, sql: &str) {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    }

    /// Inserts rows into the tests' tables that exist, giving a value to
    /// each column the damaged schema has (and leaving the others to their defaults).
    async fn seed(&self) {
        let rows: [(&str, &[Row]); 6] = [
            (
                "accounts",
                &[
                    &[
                        ("id", "1"),
                        ("email", "'ann@example.com'"),
                        ("balance", "10"),
                        ("nickname", "'ann'"),
                        ("created_at", "'2024-01-01 10:00:00'"),
                        ("legacy", "7"),
                    ],
                    &[
                        ("id", "2"),
                        ("email", "'bob@example.com'"),
                        ("balance", "0"),
                        ("nickname", "'bob'"),
                        ("legacy", "8"),
                    ],
                ],
            ),
            (
                "payments",
                &[
                    &[("id", "10"), ("account_id", "1"), ("amount", "500")],
                    &[("id", "11"), ("account_id", "2"), ("amount", "700")],
                    &[("id", "12"), ("account_id", "1"), ("amount", "3")],
                ],
            ),
            (
                "readings",
                &[
                    &[
                        ("id", "1"),
                        ("value", "5"),
                        ("unit", "'kg'"),
                        ("note", "'a'"),
                    ],
                    &[("id", "2"), ("value", "6"), ("note", "'b'")],
                ],
            ),
            ("log_lines", &[&[("message", "'boot'")]]),
            ("legacy", &[&[("id", "1"), ("x", "'old'")]]),
            (
                "legacy_child",
                &[&[("id", "1"), ("legacy_id", "1"), ("account_id", "1")]],
            ),
        ];
        for (table, table_rows) in rows {
            let present = self.column_names(table).await;
            if present.is_empty() {
                continue;
            }
            for row in table_rows {
                let (names, values): (Vec<&str>, Vec<&str>) = row
                    .iter()
                    .filter(|(name, _)| present.iter().any(|p| p == name))
                    .map(|(name, value)| (*name, *value))
                    .unzip();
                self.exec(&format!(
                    "INSERT INTO \"{table}\" ({}) VALUES ({})",
                    names.join(", "),
                    values.join(", ")
                ))
                .await;
            }
        }
    }

    /// The rows of `query`, a catalog query with one parameter: `table`.
    async fn catalog<T>(&self, query: &'static str, table: &str) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        sqlx::query_as(query)
            .bind(table)
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    async fn column_names(&self, table: &str) -> Vec<String> {
        let names: Vec<(String,)> = self
            .catalog("SELECT name FROM pragma_table_xinfo(?) ORDER BY cid", table)
            .await;
        names.into_iter().map(|(name,)| name).collect()
    }

    /// `name type notnull default hidden` per column, in order.
    async fn columns(&self, table: &str) -> Vec<String> {
        let rows: Vec<(String, String, i64, Option<String>, i64)> = self
            .catalog(
                "SELECT name, type, \"notnull\", dflt_value, hidden FROM pragma_table_xinfo(?) ORDER BY cid",
                table,
            )
            .await;
        rows.into_iter()
            .map(|(name, ty, notnull, default, hidden)| {
                format!(
                    "{name} {ty} notnull={notnull} default={} hidden={hidden}",
                    default.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    /// `name unique=.. origin=.. partial=..` per index, by name.
    async fn indexes(&self, table: &str) -> Vec<String> {
        let rows: Vec<(String, i64, String, i64)> = self
            .catalog(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name",
                table,
            )
            .await;
        rows.into_iter()
            .map(|(name, unique, origin, partial)| {
                format!("{name} unique={unique} origin={origin} partial={partial}")
            })
            .collect()
    }

    /// The stored SQL of one object, if it exists.
    async fn sql_of(&self, name: &str) -> Option<String> {
        sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .unwrap()
    }

    /// Every schema object: `type name: sql`.
    async fn schema_text(&self) -> Vec<String> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
                .fetch_all(&self.pool)
                .await
                .unwrap();
        rows.into_iter()
            .map(|(ty, name, sql)| format!("{ty} {name}: {}", sql.unwrap_or_default()))
            .collect()
    }

    /// Every row of every table, each value `quote()`d: `table: v1|v2|...`.
    async fn rows(&self) -> Vec<String> {
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
                .fetch_all(&self.pool)
                .await
                .unwrap();
        let mut out = Vec::new();
        for table in tables {
            let columns = self.column_names(&table).await;
            out.extend(self.rows_of(&table, &columns).await);
        }
        out
    }

    /// The rows of `table`, only `columns`, each value `quote()`d: `table: v1|v2|...`.
    async fn rows_of<S: AsRef<str>>(&self, table: &str, columns: &[S]) -> Vec<String> {
        let values = columns
            .iter()
            .map(|c| format!("quote(\"{}\")", c.as_ref().replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT {values} FROM \"{}\" ORDER BY 1",
            table.replace('"', "\"\"")
        )))
        .fetch_all(&self.pool)
        .await
        .unwrap();
        rows.into_iter().map(|r| format!("{table}: {r}")).collect()
    }

    /// Schema text and rows.
    async fn state(&self) -> (Vec<String>, Vec<String>) {
        (self.schema_text().await, self.rows().await)
    }
}

/// The script without `CREATE INDEX "ix_accounts_email_created"`.
fn without_accounts_index(sql: String) -> String {
    let at = sql
        .find("CREATE INDEX \"ix_accounts_email_created\"")
        .unwrap();
    let end = sql[at..].find(";\n").unwrap() + at + 2;
    format!("{}{}", &sql[..at], &sql[end..])
}

/// The script with an extra `legacy INTEGER` column in `accounts` (after `nickname`).
fn with_legacy_column(sql: &str) -> String {
    replace_once(
        sql,
        "  \"nickname\" TEXT,\n",
        "  \"nickname\" TEXT,\n  \"legacy\" INTEGER,\n",
    )
}

/// Every step of `plan`: its description on one line, then each of its statements on a
/// line of its own, indented by four spaces. Expected plans are written in this form, one
/// step after the other as in the plan; so that two different plans can never read the
/// same, no description or statement may hold a line break or start with a space.
fn plan_text(plan: &Plan) -> String {
    let mut text = String::new();
    for (description, statements) in steps(plan) {
        for line in std::iter::once(&description).chain(&statements) {
            assert!(
                !line.contains('\n') && !line.starts_with(' '),
                "cannot spell {line:?} in the plan text"
            );
        }
        text.push_str(&description);
        text.push('\n');
        for statement in statements {
            text.push_str(&format!("    {statement}\n"));
        }
    }
    text
}

/// A multi-line string literal as written in a test (its first line empty, the others
/// indented like the code around it, the last one blank) as text: the first and the
/// last lines dropped, and the indentation of the least indented line taken off every
/// line.
fn dedent(literal: &str) -> String {
    let lines: Vec<&str> = literal.lines().collect();
    let [first, lines @ .., last] = lines.as_slice() else {
        panic!("{literal:?} is not a multi-line literal");
    };
    assert!(first.is_empty() && last.trim().is_empty(), "{literal:?}");
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| format!("{}\n", &l[indent..]))
        .collect()
}

/// `(description, statements)` of every step.
fn steps(plan: &Plan) -> Vec<(String, Vec<String>)> {
    plan.steps()
        .iter()
        .map(|s| (s.describe(), s.sql.clone()))
        .collect()
}

/// Columns may be dropped, with the undeclared indexes over them (kept by default, and
/// keeping a column they use).
fn drop_columns() -> Options {
    with(|o| {
        o.allow_drop_extra_columns = true;
        o.allow_drop_extra_indexes = true;
    })
}

fn with(edit: impl FnOnce(&mut Options)) -> Options {
    let mut options = Options::default();
    edit(&mut options);
    options
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
