//! The README's "CI recipe: catch drift against a committed snapshot", run command by
//! command with the real binaries: the application's `db snapshot` (this test executable,
//! playing the application when `DBCONFORM_CI_RECIPE_AS_APP` is set), then the standalone
//! `dbconform inspect` of a conformant database and `dbconform diff inspected.json
//! schema.json`, which must exit 0 ("the database conforms").
//!
//! The tables declare what PostgreSQL rewrites when it stores it: CHECKs with numeric
//! literals (`price >= 0` → `(price >= (0)::numeric)`), `IN` lists (→ `= ANY (ARRAY[...])`),
//! `BETWEEN` (→ `>= AND <=`), `LIKE` (→ `~~`) and varchar columns (→ `(code)::text`),
//! defaults (`'new'` → `'new'::text`) and partial indexes with the same kinds of predicate.
//! The offline diff has no server to ask for its spelling: the normal form must settle them.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use assert_cmd::Command;
use dbconform::Table;
use dbconform::sqlx::{self, Connection};
use libtest_mimic::{Arguments, Completion, Trial};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};

/// Set in the environment of the child processes that play the application.
const AS_APP: &str = "DBCONFORM_CI_RECIPE_AS_APP";

/// Products with every kind of expression PostgreSQL respells.
#[derive(Table)]
#[table(name = "recipe_products")]
#[check(
    name = "ck_recipe_products_status",
    expr = "status IN ('new', 'paid', 'shipped')"
)]
#[check(name = "ck_recipe_products_qty", expr = "qty BETWEEN 1 AND 100")]
#[check(expr = "code LIKE 'P-%' AND length(code) > 2")]
#[check(expr = "(discount >= 0.0) AND ((discount < 1) OR discount IS NULL)")]
#[check(expr = "kind IN ('a', 'b')")]
#[check(expr = "weight > -1.5 AND rating NOT BETWEEN 6 AND 9")]
#[index(
    name = "ix_recipe_products_open",
    columns("status"),
    predicate = "status IN ('new', 'paid') AND price > 0"
)]
#[index(
    name = "ix_recipe_products_code",
    columns("code"),
    predicate = "qty BETWEEN 1 AND 10"
)]
struct Product {
    #[column(primary_key)]
    id: i64,
    #[column(sql_type = "numeric(12,2)", default = "0", check = "price >= 0")]
    price: String,
    #[column(default = "'new'")]
    status: String,
    #[column(default = "1")]
    qty: i32,
    #[column(max_length = 20)]
    code: String,
    #[column(max_length = 1, default = "'a'")]
    kind: String,
    #[column(sql_type = "numeric(3,2)")]
    discount: Option<String>,
    weight: f64,
    rating: i32,
    #[column(default = "CURRENT_TIMESTAMP", sql_type = "timestamptz")]
    created_at: String,
}

fn main() -> ExitCode {
    if std::env::var_os(AS_APP).is_some() {
        return dbconform::cli::run_from(std::env::args_os()).into();
    }
    let args = Arguments::from_args();
    let trials = vec![
        Trial::ignorable_test("postgres_recipe_exits_0_on_a_conformant_database", || {
            match common::pg_url() {
                Some(url) => {
                    postgres_recipe_exits_0_on_a_conformant_database(&url);
                    Ok(Completion::Completed)
                }
                None => Ok(Completion::ignored_with("DBCONFORM_TEST_PG_URL is not set")),
            }
        }),
        Trial::test("sqlite_recipe_exits_0_on_a_conformant_database", || {
            sqlite_recipe_exits_0_on_a_conformant_database();
            Ok(())
        }),
    ];
    libtest_mimic::run(&args, trials).exit_code()
}

/// The application's binary (this executable, playing the app).
fn app() -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env(AS_APP, "1").env_remove("DATABASE_URL");
    cmd
}

/// The standalone `dbconform` binary.
fn standalone() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dbconform"));
    cmd.env_remove("DATABASE_URL");
    cmd
}

/// Runs `cmd` and asserts its exit code, showing everything it printed when it differs.
fn expect(code: i32, cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{cmd:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    );
    stdout
}

/// The recipe, from the committed snapshot to the diff, against the database at `url`
/// (made conformant by the application's `apply` first).
fn recipe(dir: &Path, url: &str, dialect: &str, schema: &[&str]) {
    let declared = dir.join("schema.json");
    let inspected = dir.join("prod.json");
    // Once, and whenever the models change: commit the declared schema.
    let mut snapshot = vec!["snapshot", "-q", "--dialect", dialect];
    snapshot.extend_from_slice(schema);
    expect(0, app().args(&snapshot).arg("--output").arg(&declared));
    // CI, no database: the committed snapshot matches the code.
    expect(0, app().args(&snapshot).arg("--check").arg(&declared));
    // The deploy: the database conforms.
    expect(
        0,
        app()
            .args(["apply", "-q", "--yes", "--url", url])
            .args(schema),
    );
    expect(0, app().args(["check", "-q", "--url", url]).args(schema));
    // Wherever the database is reachable: its snapshot, diffed offline.
    expect(
        0,
        standalone()
            .args(["inspect", "-q", url])
            .args(schema)
            .arg("--output")
            .arg(&inspected),
    );
    for format in ["text", "sql"] {
        let diff = expect(
            0,
            standalone()
                .args(["diff", "--format", format])
                .arg(&inspected)
                .arg(&declared),
        );
        assert!(
            format == "sql" || diff.contains("the database conforms"),
            "{diff}"
        );
    }
}

fn postgres_recipe_exits_0_on_a_conformant_database(url: &str) {
    static N: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "dbct_ci_recipe_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let _drop = DropSchema {
        url,
        schema: &schema,
    };
    let dir = tempfile::tempdir().unwrap();
    recipe(dir.path(), url, "postgres", &["--schema", &schema]);
}

fn sqlite_recipe_exits_0_on_a_conformant_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    recipe(dir.path(), &url, "sqlite", &[]);
}

/// Drops the scratch schema when the test ends, also when it fails.
struct DropSchema<'a> {
    url: &'a str,
    schema: &'a str,
}

impl Drop for DropSchema<'_> {
    fn drop(&mut self) {
        let statement = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema);
        let dropped = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|runtime| {
                runtime.block_on(async {
                    let mut conn = sqlx::PgConnection::connect(self.url).await?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                        .execute(&mut conn)
                        .await?;
                    conn.close().await
                })
            });
        if let Ok(Err(error)) | Err(error) = dropped.map_err(sqlx::Error::Io) {
            eprintln!("could not drop scratch schema {}: {error}", self.schema);
        }
    }
}
