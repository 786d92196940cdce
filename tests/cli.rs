//! The command line, run as built binaries against SQLite, PostgreSQL and MySQL/MariaDB
//! (feature `mysql`): stdout, stderr and every documented exit code (0 success, 1 error,
//! 2 changes pending, 3 blocked, 4 preflight failures, 5 partially applied), offline
//! diffs byte-identical to live plans, `wait`, and `--create-database-if-missing`.
//!
//! Two binaries are exercised: the standalone `dbconform`, and an application's own
//! binary calling `dbconform::cli::run()` — this test executable itself, which behaves as
//! that application (with the tables below) when `DBCONFORM_CLI_TEST_AS_APP` is set.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use Printed::{Contains, Lacks, StartsWith};
use assert_cmd::Command;
use dbconform::Table;
use dbconform::sqlx::{self, Connection};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};

/// Set in the environment of the child processes that play the application.
const AS_APP: &str = "DBCONFORM_CLI_TEST_AS_APP";

/// Authors of books.
#[derive(Table)]
#[table(name = "cli_authors")]
struct Author {
    #[column(primary_key)]
    id: i64,
    name: String,
}

/// Books, each by one author.
#[derive(Table)]
#[table(name = "cli_books")]
#[index(name = "ix_cli_books_title", columns("title"))]
#[index(name = "ux_cli_books_isbn", columns("isbn"), unique)]
struct Book {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 40)]
    title: String,
    // A length, so that MySQL can key it whole.
    #[column(max_length = 20)]
    isbn: Option<String>,
    #[column(references = "cli_authors(id)")]
    author_id: i64,
    note: Option<String>,
}

fn main() -> ExitCode {
    if std::env::var_os(AS_APP).is_some() {
        // The application's `main`: `dbconform::cli::run()`, returning instead of exiting.
        return dbconform::cli::run_from(std::env::args_os()).into();
    }
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    macro_rules! tests {
        ($($name:ident),* $(,)?) => {
            $(trials.push(Trial::test(stringify!($name), || {
                $name();
                Ok::<(), Failed>(())
            }));)*
        };
    }
    macro_rules! pg_tests {
        ($($name:ident),* $(,)?) => {
            $(trials.push(Trial::ignorable_test(stringify!($name), || {
                match common::pg_url() {
                    Some(url) => {
                        $name(&url);
                        Ok(Completion::Completed)
                    }
                    None => Ok(Completion::ignored_with("DBCONFORM_TEST_PG_URL is not set")),
                }
            }));)*
        };
    }
    tests![
        help_and_usage_errors,
        sqlite_exit_codes_for_plan_check_apply,
        sqlite_formats_text_sql_json_dot_and_colour,
        sqlite_blocked_by_data_is_3_and_failing_preflight_is_4,
        sqlite_apply_refuses_unconfirmed_caution_steps_without_a_terminal,
        sqlite_apply_asks_on_a_terminal,
        sqlite_offline_diff_is_byte_identical_to_the_live_plan,
        snapshot_files_and_snapshot_check,
        diff_errors_name_the_file_and_what_to_do,
        standalone_binary_has_only_table_free_commands,
        errors_never_show_the_password,
        wait_fails_with_a_clear_message_on_a_closed_port,
        sqlite_inspected_snapshots_diff_empty_against_themselves,
        sqlite_apply_with_a_blocked_step_never_says_it_conforms,
        sqlite_missing_file_says_how_to_create_it,
    ];
    pg_tests![
        postgres_exit_codes_0_to_4,
        postgres_online_apply_and_lock_waits_on_stderr,
        postgres_offline_diff_is_byte_identical_to_the_live_plan,
        postgres_wait_answers,
        postgres_create_database_if_missing,
        postgres_inspected_snapshots_diff_empty_against_themselves,
    ];
    #[cfg(feature = "mysql")]
    trials.push(Trial::ignorable_test("mysql_exit_codes_0_to_5", || {
        // TestDb::mysql: `None` when DBCONFORM_TEST_MYSQL_URL is not set (never in CI).
        Ok(match mysql_exit_codes_0_to_5() {
            Some(()) => Completion::Completed,
            None => Completion::ignored_with("DBCONFORM_TEST_MYSQL_URL is not set"),
        })
    }));
    libtest_mimic::run(&args, trials).exit_code()
}

// ---------------------------------------------------------------------------------------
// Helpers

/// The application's binary (this executable, playing the app).
fn app() -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env(AS_APP, "1");
    clean_env(cmd)
}

/// The standalone `dbconform` binary.
fn standalone() -> Command {
    clean_env(Command::new(env!("CARGO_BIN_EXE_dbconform")))
}

fn clean_env(mut cmd: Command) -> Command {
    cmd.env_remove("DATABASE_URL").env_remove("NO_COLOR");
    cmd
}

/// What a finished command printed, with its exit code.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// What a run's stdout or stderr must (or must not) hold.
#[derive(Debug)]
enum Printed<'a> {
    Contains(&'a str),
    StartsWith(&'a str),
    Lacks(&'a str),
}

/// Assertions on what a run printed; a failure shows the expectation and the whole run.
impl Run {
    #[track_caller]
    fn assert_stdout(&self, expected: Printed) {
        self.assert_printed("stdout", &self.stdout, expected);
    }

    #[track_caller]
    fn assert_stderr(&self, expected: Printed) {
        self.assert_printed("stderr", &self.stderr, expected);
    }

    #[track_caller]
    fn assert_printed(&self, stream: &str, text: &str, expected: Printed) {
        let holds = match expected {
            Contains(needle) => text.contains(needle),
            StartsWith(prefix) => text.starts_with(prefix),
            Lacks(needle) => !text.contains(needle),
        };
        assert!(holds, "{stream}: {expected:?}\n{self:?}");
    }
}

fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs and asserts the exit code.
fn expect(code: i32, cmd: &mut Command) -> Run {
    let run = run(cmd);
    assert_eq!(run.code, code, "{run:?}");
    run
}

/// Runs the application with `args` and asserts the exit code.
fn expect_app(code: i32, args: &[&str]) -> Run {
    expect(code, app().args(args))
}

/// The URL of the SQLite database `file` in `dir`, created on first connection.
fn sqlite_url(dir: &Path, file: &str) -> String {
    format!("sqlite://{}?mode=rwc", dir.join(file).display())
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Runs SQL on the database at `url` (SQLite or PostgreSQL).
fn sql(url: &str, statements: &str) {
    let statements = statements.to_string();
    block_on(async move {
        if url.starts_with("sqlite") {
            execute::<sqlx::SqliteConnection>(url, statements).await;
        } else {
            execute::<sqlx::PgConnection>(url, statements).await;
        }
    })
}

/// Runs `statements` on a connection of type `C` to `url`, closed afterwards.
async fn execute<C>(url: &str, statements: String)
where
    C: Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
{
    let mut conn = C::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(statements))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// A PostgreSQL scratch schema, dropped when this goes out of scope (also on failure).
struct PgSchema {
    url: String,
    name: String,
}

impl PgSchema {
    fn new(url: &str, tag: &str) -> PgSchema {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "dbct_cli_{tag}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        sql(url, &format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"));
        PgSchema {
            url: url.to_string(),
            name,
        }
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        sql(
            &self.url,
            &format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name),
        );
    }
}

/// Removes ANSI colour sequences.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The SQLite database of the "drifted" scenario: both tables as declared, except that
/// `cli_books` lacks the `note` column and the `ix_cli_books_title` index. The plan for
/// it raises no data questions (a nullable column, a non-unique index).
fn drifted_sqlite(dir: &Path) -> String {
    let url = sqlite_url(dir, "drifted.db");
    expect_app(0, &["apply", "-q", "--url", &url]);
    sql(
        &url,
        "DROP INDEX ix_cli_books_title; ALTER TABLE cli_books DROP COLUMN note;",
    );
    url
}

/// `dbconform diff X X` of an inspected snapshot: nothing to do, exit 0. A schema read
/// from a database is always accepted as either side (it holds what the database
/// accepted, not a declaration to check).
fn assert_diffs_empty_against_itself(snapshot: &Path) {
    let same = expect(
        0,
        standalone()
            .args(["diff", "-q"])
            .arg(snapshot)
            .arg(snapshot),
    );
    assert_eq!(
        same.stdout,
        "Nothing to do: the database conforms.\n",
        "{}",
        snapshot.display()
    );
}

/// SQLite tables the declarations could not spell, each inspected and diffed against
/// itself: a rowid alias (reported NULL-able), a NULL-able non-integer key, unnamed
/// constraints, WITHOUT ROWID and STRICT tables, every column spelling of the reflection
/// tests.
const SQLITE_INSPECTED: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT)",
    "CREATE TABLE k(code TEXT PRIMARY KEY, v INT)",
    "CREATE TABLE p(a INTEGER, b TEXT, PRIMARY KEY (a, b));
     CREATE TABLE c(id INTEGER PRIMARY KEY AUTOINCREMENT, a INTEGER, b TEXT, u TEXT UNIQUE,
       CHECK (length(b) > 0), UNIQUE (a, u), FOREIGN KEY (a, b) REFERENCES p (a, b),
       CONSTRAINT named_fk FOREIGN KEY (id) REFERENCES t2 (id));
     CREATE TABLE t2(id INTEGER PRIMARY KEY);
     CREATE INDEX ix_c ON c (lower(b)) WHERE a > 0",
    "CREATE TABLE w(id TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
     CREATE TABLE s(id INTEGER PRIMARY KEY, v ANY) STRICT",
    common::SQLITE_THINGS_DDL,
];

// ---------------------------------------------------------------------------------------
// Tests without a database server

fn sqlite_inspected_snapshots_diff_empty_against_themselves() {
    let dir = tempfile::tempdir().unwrap();
    for (i, ddl) in SQLITE_INSPECTED.iter().enumerate() {
        let url = sqlite_url(dir.path(), &format!("{i}.db"));
        sql(&url, ddl);
        let inspected = dir.path().join(format!("{i}.json"));
        expect(
            0,
            standalone()
                .args(["inspect", "-q", &url, "-o"])
                .arg(&inspected),
        );
        assert_diffs_empty_against_itself(&inspected);
    }
}

fn help_and_usage_errors() {
    let help = expect(0, app().arg("--help"));
    for command in [
        "plan",
        "check",
        "apply",
        "preflight",
        "snapshot",
        "inspect",
        "diff",
        "wait",
    ] {
        help.assert_stdout(Contains(command));
    }
    help.assert_stdout(Contains("Exit codes:"));
    help.assert_stdout(Contains("2  changes pending"));
    let plan_help = expect_app(0, &["plan", "--help"]);
    for flag in [
        "--allow-drop-extra-tables",
        "--allow-drop-extra-columns",
        "--allow-shrink-column",
        "--no-drop-extra-constraints",
        "--allow-drop-extra-indexes",
        "--no-sqlite-table-rebuild",
        "--skip-data-checks",
        "--schema",
        "--format",
        "DATABASE_URL",
    ] {
        assert!(plan_help.stdout.contains(flag), "{flag}: {plan_help:?}");
    }
    expect(0, app().arg("--version"));

    // Usage errors exit 1 (clap's own 2 would read as "changes pending").
    let unknown = expect_app(1, &["plan", "--no-such-flag"]);
    unknown.assert_stderr(Contains("--no-such-flag"));
    let no_url = expect(1, app().arg("plan"));
    no_url.assert_stderr(Contains("--url <URL>"));
    let bad_format = expect_app(1, &["plan", "--url", "sqlite::memory:", "--format", "xml"]);
    bad_format.assert_stderr(Contains("text, sql, json, dot"));
    let bad_duration = expect_app(1, &["wait", "sqlite::memory:", "--timeout", "soon"]);
    bad_duration.assert_stderr(Contains("not a duration"));
}

fn sqlite_exit_codes_for_plan_check_apply() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path(), "app.db");

    // A fresh database: plan succeeds (0) and prints the plan; check says changes pending (2).
    let plan = expect_app(0, &["plan", "--url", &url]);
    plan.assert_stdout(StartsWith("Plan (sqlite): 2 to create\n"));
    plan.assert_stdout(Contains(
        "    1. [safe DC002] create table main.cli_authors\n",
    ));
    plan.assert_stderr(Contains("connecting to sqlite://"));
    let check = expect_app(2, &["check", "--url", &url]);
    assert_eq!(check.stdout, plan.stdout);

    // apply: safe steps need no confirmation; progress on stderr, the report on stdout.
    let apply = expect_app(0, &["apply", "--url", &url]);
    apply.assert_stdout(StartsWith(
        "Applied 2 step(s), 4 statement(s), in one transaction",
    ));
    for progress in [
        "applying 2 steps in one transaction",
        "executing 2 steps",
        "step 1/2: CREATE TABLE \"cli_authors\" (...",
        "step 2/2: CREATE UNIQUE INDEX \"ux_cli_books_isbn\"",
        "verifying that nothing is left to do",
    ] {
        assert!(apply.stderr.contains(progress), "{progress}: {apply:?}");
    }

    // Conformant now: check 0, apply 0 with nothing to do; --quiet prints no progress.
    let check = expect_app(0, &["check", "--url", &url, "--quiet"]);
    assert_eq!(check.stdout, "Nothing to do: the database conforms.\n");
    assert_eq!(check.stderr, "");
    let again = expect_app(0, &["apply", "-q", "--url", &url]);
    again.assert_stdout(StartsWith("Nothing to do: the database conforms"));

    // DATABASE_URL stands in for --url.
    expect(0, app().args(["check", "-q"]).env("DATABASE_URL", &url));

    // An undeclared column is drift, not a change: still conformant (0), and listed.
    sql(&url, "ALTER TABLE cli_books ADD COLUMN legacy TEXT;");
    let drift = expect_app(0, &["check", "-q", "--url", &url]);
    drift.assert_stdout(Contains("kept as drift"));
    drift.assert_stdout(Contains("allow_drop_extra_columns"));
    // The flag turns it into a step: changes pending.
    let drop = expect_app(
        2,
        &["check", "-q", "--allow-drop-extra-columns", "--url", &url],
    );
    drop.assert_stdout(Contains("[danger DC101] drop column main.cli_books.legacy"));

    // A connection error: exit 1, the error on stderr naming the database.
    let missing = format!("sqlite://{}", dir.path().join("missing.db").display());
    let error = expect_app(1, &["check", "--url", &missing]);
    error.assert_stderr(Contains("error: cannot connect to `sqlite://"));
    error.assert_stderr(Contains("missing.db"));
    assert_eq!(error.stdout, "");
}

fn sqlite_formats_text_sql_json_dot_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path(), "fmt.db");

    let dot = expect_app(0, &["plan", "-q", "--format", "dot", "--url", &url]);
    assert_eq!(
        dot.stdout,
        r#"digraph plan {
  graph [label="dbconform plan (sqlite): 2 to create", labelloc=t, rankdir=TB, fontname="Helvetica"];
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  s1 [label="1. create table main.cli_authors\nsafe DC002", color="darkgreen"];
  s2 [label="2. create table main.cli_books\nsafe DC002", color="darkgreen"];
  s1 -> s2 [label="references"];
}
"#
    );

    let json = expect_app(0, &["plan", "-q", "--format", "json", "--url", &url]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["dialect"], "sqlite");
    assert_eq!(value["steps"].as_array().unwrap().len(), 2, "{json:?}");
    assert_eq!(value["steps"][1]["code"], "DC002");

    let script = expect_app(0, &["plan", "-q", "--format", "sql", "--url", &url]);
    script.assert_stdout(StartsWith("-- dbconform plan (sqlite): 2 to create\n"));
    assert!(
        script.stdout.contains("CREATE TABLE \"cli_books\" ("),
        "{script:?}"
    );

    // Not a terminal: no colour by default; --color always colours the risk tags.
    let text = expect_app(0, &["plan", "-q", "--url", &url]);
    text.assert_stdout(Lacks("\x1b"));
    let coloured = expect_app(0, &["plan", "-q", "--color", "always", "--url", &url]);
    coloured.assert_stdout(Contains("\x1b[32m[safe DC002]\x1b[0m"));
    assert_eq!(plain(&coloured.stdout), text.stdout);
    // SQL and JSON are never coloured.
    let sql_always = expect_app(
        0,
        &[
            "plan", "-q", "--color", "always", "--format", "sql", "--url", &url,
        ],
    );
    assert_eq!(sql_always.stdout, script.stdout);

    // apply --format json: the report as JSON.
    let report = expect_app(0, &["apply", "-q", "--format", "json", "--url", &url]);
    let value: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(value["executed"].as_array().unwrap().len(), 2, "{report:?}");
}

fn sqlite_blocked_by_data_is_3_and_failing_preflight_is_4() {
    let dir = tempfile::tempdir().unwrap();
    let url = books_without_isbn_index(dir.path(), "dup.db", ["same", "same"]);

    // The unique index cannot be created over the duplicates: blocked by the data (3).
    let check = expect_app(3, &["check", "-q", "--url", &url]);
    check.assert_stdout(Contains("Blocked (not executed):"));
    check.assert_stdout(Contains("add index ux_cli_books_isbn"));
    check.assert_stdout(Contains("will fail"));
    let plan = expect_app(0, &["plan", "-q", "--url", &url]);
    assert_eq!(plan.stdout, check.stdout, "plan shows the same and exits 0");
    // apply runs everything else (nothing here) and says what stays blocked: 3.
    let apply = expect_app(3, &["apply", "-q", "--yes", "--url", &url]);
    apply.assert_stdout(Contains("blocked: add index ux_cli_books_isbn"));
    // preflight with the data checks on: nothing fails, one step blocked: 3.
    let preflight = expect_app(3, &["preflight", "-q", "--url", &url]);
    preflight.assert_stdout(Contains("ux_cli_books_isbn"));

    // Without the data checks the step is tried and fails in the rolled-back transaction: 4.
    let failing = expect_app(4, &["preflight", "--skip-data-checks", "--url", &url]);
    failing.assert_stdout(Contains("ux_cli_books_isbn"));
    failing.assert_stdout(Contains("UNIQUE constraint failed"));
    failing.assert_stderr(Contains(
        "preflight: executing the plan in a transaction that is rolled back",
    ));
    let json = expect_app(
        4,
        &[
            "preflight",
            "-q",
            "--skip-data-checks",
            "--format",
            "json",
            "--url",
            &url,
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["steps"][0]["outcome"]["status"], "failed", "{json:?}");

    // And apply without the data checks fails as a whole: 1, the step and SQLite's message.
    let apply = expect_app(
        1,
        &["apply", "-q", "--yes", "--skip-data-checks", "--url", &url],
    );
    assert!(
        apply
            .stderr
            .contains("error: step 1 (add index ux_cli_books_isbn"),
        "{apply:?}"
    );
    apply.assert_stderr(Contains("nothing was changed"));
}

/// `apply` that leaves a needed step blocked says the database does not conform (it once
/// printed "Nothing to do: the database conforms" above the blocked step) and exits 3.
fn sqlite_apply_with_a_blocked_step_never_says_it_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let url = books_without_isbn_index(dir.path(), "dup.db", ["same", "same"]);
    let apply = expect_app(
        3,
        &["apply", "-q", "--yes", "--color", "never", "--url", &url],
    );
    apply.assert_stdout(Lacks("conforms"));
    let (first, rest) = apply.stdout.split_once('\n').unwrap();
    assert!(
        first.starts_with("Nothing applied: the database does not conform, 1 step blocked ("),
        "{apply:?}"
    );
    assert!(first.ends_with(" ms):"), "{apply:?}");
    assert!(
        rest.starts_with("  blocked: add index ux_cli_books_isbn on main.cli_books ("),
        "{apply:?}"
    );
}

/// The README's own `plan --url sqlite://app.db` where `app.db` does not exist yet: the
/// error names the file and both ways to create it, and `--create-database-if-missing`
/// does.
fn sqlite_missing_file_says_how_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = expect(
        1,
        app()
            .current_dir(dir.path())
            .args(["plan", "-q", "--url", "sqlite://app.db"]),
    );
    assert_eq!(
        plan.stderr,
        format!(
            "error: cannot connect to `sqlite://app.db`: the SQLite database file `app.db` (in `{}`) does not exist; to have it created, add `?mode=rwc` to the URL (`sqlite://app.db?mode=rwc`), or pass `--create-database-if-missing` to the command line's `apply` or `wait` (in code: `dbconform::create_database_if_missing`)\n",
            dir.path().display()
        ),
        "{plan:?}"
    );
    assert!(!dir.path().join("app.db").exists());
    expect(
        0,
        app().current_dir(dir.path()).args([
            "apply",
            "-q",
            "--yes",
            "--create-database-if-missing",
            "--url",
            "sqlite://app.db",
        ]),
    );
    assert!(dir.path().join("app.db").exists());
}

/// A database whose plan has one caution step: a unique index over rows that are unique.
fn caution_sqlite(dir: &Path) -> String {
    books_without_isbn_index(dir, "caution.db", ["1", "2"])
}

/// The SQLite database `file` in `dir` as declared, except that the unique index on
/// `cli_books.isbn` is missing; with an author and two of their books, whose ISBNs are
/// `isbns` (equal ones block the index).
fn books_without_isbn_index(dir: &Path, file: &str, isbns: [&str; 2]) -> String {
    let url = sqlite_url(dir, file);
    expect_app(0, &["apply", "-q", "--url", &url]);
    let [a, b] = isbns;
    sql(
        &url,
        &format!(
            "DROP INDEX ux_cli_books_isbn;
             INSERT INTO cli_authors (id, name) VALUES (1, 'Ada');
             INSERT INTO cli_books (title, isbn, author_id) VALUES ('a', '{a}', 1), ('b', '{b}', 1);"
        ),
    );
    url
}

fn sqlite_apply_refuses_unconfirmed_caution_steps_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let url = caution_sqlite(dir.path());
    let plan = expect_app(0, &["plan", "-q", "--url", &url]);
    plan.assert_stdout(Contains("[caution DC005] add index ux_cli_books_isbn"));

    // stdin is not a terminal and there is no --yes: refused, nothing changed (1).
    let refused = expect_app(1, &["apply", "-q", "--url", &url]);
    assert_eq!(refused.stdout, "");
    refused.assert_stderr(Contains("the plan has 1 caution/danger step and stdin is not a terminal to confirm it: [caution DC005] add index ux_cli_books_isbn on main.cli_books"));
    refused.assert_stderr(Contains("apply --yes"));
    expect_app(2, &["check", "-q", "--url", &url]);

    // --yes applies.
    let applied = expect_app(0, &["apply", "-q", "--yes", "--url", &url]);
    applied.assert_stdout(Contains("add index ux_cli_books_isbn"));
    expect_app(0, &["check", "-q", "--url", &url]);
}

/// Runs `args` on a pseudo-terminal (util-linux `script`), typing `input`.
fn on_terminal(args: &[&str], input: &str, no_color: bool) -> Run {
    let exe = std::env::current_exe().unwrap();
    let mut line = format!("'{}'", exe.display());
    for arg in args {
        line.push_str(&format!(" '{arg}'"));
    }
    let mut cmd = clean_env(Command::new("script"));
    cmd.args(["-qec", &line, "/dev/null"])
        .env(AS_APP, "1")
        .write_stdin(input.to_string());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    run(&mut cmd)
}

fn sqlite_apply_asks_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("util-linux `script` is not installed: skipping the terminal test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = caution_sqlite(dir.path());

    // Answering no changes nothing: exit 1.
    let declined = on_terminal(&["apply", "-q", "--url", &url], "n\n", false);
    assert_eq!(declined.code, 1, "{declined:?}");
    let screen = plain(&declined.stdout);
    assert!(
        screen.contains("Apply 1 step to sqlite://"),
        "the question: {declined:?}"
    );
    assert!(
        screen.contains("1 of them caution/danger? [y/N]"),
        "{declined:?}"
    );
    assert!(
        screen.contains("not confirmed: nothing was changed"),
        "{declined:?}"
    );
    // On a terminal the plan is coloured.
    declined.assert_stdout(Contains("\x1b[33m[caution DC005]"));
    expect_app(2, &["check", "-q", "--url", &url]);

    // Answering yes applies; NO_COLOR turns the colour off even on a terminal.
    let confirmed = on_terminal(&["apply", "-q", "--url", &url], "y\n", true);
    assert_eq!(confirmed.code, 0, "{confirmed:?}");
    confirmed.assert_stdout(Lacks("\x1b"));
    confirmed.assert_stdout(Contains("Applied 1 step(s)"));
    expect_app(0, &["check", "-q", "--url", &url]);
}

fn sqlite_offline_diff_is_byte_identical_to_the_live_plan() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = sqlite_url(dir.path(), "fresh.db");
    let drifted = drifted_sqlite(dir.path());
    let declared = dir.path().join("declared.json");
    expect(
        0,
        app()
            .args(["snapshot", "-q", "--dialect", "sqlite", "-o"])
            .arg(&declared),
    );

    for (name, url) in [("fresh", &fresh), ("drifted", &drifted)] {
        let inspected = dir.path().join(format!("{name}.json"));
        expect(
            0,
            standalone()
                .args(["inspect", "-q", url, "-o"])
                .arg(&inspected),
        );
        assert_diffs_empty_against_itself(&inspected);
        for format in ["sql", "text", "json", "dot"] {
            let live = expect_app(0, &["plan", "-q", "--format", format, "--url", url]);
            // With no database: the standalone binary diffs the two files...
            let offline = expect(
                2,
                standalone()
                    .args(["diff", "-q", "--format", format])
                    .arg(&inspected)
                    .arg(&declared),
            );
            assert_eq!(offline.stdout, live.stdout, "{name} {format}");
            // ...and the app diffs the file against its declared tables.
            let against_declared = expect(
                2,
                app()
                    .args(["diff", "-q", "--format", format])
                    .arg(&inspected),
            );
            assert_eq!(against_declared.stdout, live.stdout, "{name} {format}");
        }
    }
    let drifted_plan = expect_app(0, &["plan", "-q", "--url", &drifted]);
    drifted_plan.assert_stdout(StartsWith("Plan (sqlite): 2 to add\n\nmain.cli_books\n    1. [safe DC004] add column main.cli_books.note\n"));
    drifted_plan.assert_stdout(Contains("2. [safe DC005] add index ix_cli_books_title"));

    // After applying, the inspected database diffs empty against the declaration: 0.
    expect_app(0, &["apply", "-q", "--url", &drifted]);
    let after = dir.path().join("after.json");
    expect(
        0,
        standalone()
            .args(["inspect", "-q", &drifted, "-o"])
            .arg(&after),
    );
    assert_diffs_empty_against_itself(&after);
    let same = expect(
        0,
        standalone().args(["diff", "-q"]).arg(&after).arg(&declared),
    );
    assert_eq!(same.stdout, "Nothing to do: the database conforms.\n");
    // A live URL side works too: database to snapshot, and database to database.
    expect(
        0,
        standalone().args(["diff", "-q", &drifted]).arg(&declared),
    );
    let fresh_to_drifted = expect(2, standalone().args(["diff", "-q", &fresh, &drifted]));
    fresh_to_drifted.assert_stdout(Contains("create table main.cli_books"));
    // Reading a snapshot from stdin.
    let stdin = expect(
        0,
        standalone()
            .args(["diff", "-q", "-"])
            .arg(&declared)
            .write_stdin(std::fs::read_to_string(&after).unwrap()),
    );
    assert_eq!(stdin.stdout, same.stdout);
}

fn snapshot_files_and_snapshot_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.json");

    // The dialect must be known: from --dialect or the URL's scheme (never connected to).
    let unknown = expect(1, app().arg("snapshot"));
    unknown.assert_stderr(Contains("--dialect sqlite or --dialect postgres"));
    let stdout = expect_app(0, &["snapshot", "--dialect", "postgres", "--schema", "app"]);
    stdout.assert_stdout(StartsWith("{\n  \"format\": 1,\n  \"source\": \"declared\",\n  \"dialect\": \"postgres\",\n  \"target_schema\": \"app\",\n  \"schema\": {\n    \"tables\": ["));
    let from_url = expect(
        0,
        app()
            .args(["snapshot"])
            .env("DATABASE_URL", "postgres://u:pw@127.0.0.1:1/none"),
    );
    from_url.assert_stdout(Contains("\"dialect\": \"postgres\""));
    assert_eq!(
        expect_app(0, &["snapshot", "--dialect", "postgres", "--schema", "app"]).stdout,
        stdout.stdout,
        "stable bytes"
    );

    let written = expect(
        0,
        app()
            .args(["snapshot", "--dialect", "sqlite", "--output"])
            .arg(&file),
    );
    assert_eq!(written.stdout, "");
    written.assert_stderr(Contains("wrote "));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"name\": \"cli_books\""));
    assert!(text.ends_with("}\n"));

    // --check: 0 while up to date, 2 once the file no longer matches the declaration.
    expect(
        0,
        app()
            .args(["snapshot", "-q", "--dialect", "sqlite", "--check"])
            .arg(&file),
    );
    std::fs::write(&file, text.replace("\"note\"", "\"remark\"")).unwrap();
    let stale = expect(
        2,
        app()
            .args(["snapshot", "--dialect", "sqlite", "--check"])
            .arg(&file),
    );
    stale.assert_stderr(Contains("is out of date with the declared tables"));
    stale.assert_stderr(Contains("snapshot --dialect sqlite --output"));
    // A different dialect is a different snapshot.
    std::fs::write(&file, &text).unwrap();
    expect(
        2,
        app()
            .args(["snapshot", "-q", "--dialect", "postgres", "--check"])
            .arg(&file),
    );
    let missing = expect_app(
        1,
        &["snapshot", "--dialect", "sqlite", "--check", "nope.json"],
    );
    missing.assert_stderr(Contains("cannot read snapshot file `nope.json`"));
}

fn diff_errors_name_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("sqlite.json");
    let postgres = dir.path().join("postgres.json");
    expect(
        0,
        app()
            .args(["snapshot", "-q", "--dialect", "sqlite", "-o"])
            .arg(&sqlite),
    );
    expect(
        0,
        app()
            .args(["snapshot", "-q", "--dialect", "postgres", "-o"])
            .arg(&postgres),
    );

    let missing = expect(1, standalone().args(["diff", "nope.json"]).arg(&sqlite));
    missing.assert_stderr(Contains("error: cannot read snapshot file `nope.json`"));
    let mixed = expect(1, standalone().args(["diff"]).arg(&sqlite).arg(&postgres));
    mixed.assert_stderr(Contains("is for sqlite and"));
    mixed.assert_stderr(Contains("for postgres"));
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"tables\": []}").unwrap();
    let not_snapshot = expect(1, standalone().args(["diff"]).arg(&garbage).arg(&sqlite));
    not_snapshot.assert_stderr(Contains("garbage.json"));
    not_snapshot.assert_stderr(Contains("not a dbconform snapshot file"));

    // Two declared snapshots: what changed between two versions of the code (offline).
    let empty = dir.path().join("empty.json");
    std::fs::write(
        &empty,
        "{\"format\": 1, \"source\": \"declared\", \"dialect\": \"sqlite\", \"schema\": {\"tables\": []}}",
    )
    .unwrap();
    let review = expect(
        2,
        standalone().args(["diff", "-q"]).arg(&empty).arg(&sqlite),
    );
    review.assert_stdout(StartsWith("Plan (sqlite): 2 to create"));
    let same = expect(
        0,
        standalone().args(["diff", "-q"]).arg(&sqlite).arg(&sqlite),
    );
    same.assert_stdout(StartsWith("Nothing to do"));
}

fn standalone_binary_has_only_table_free_commands() {
    let help = expect(0, standalone().arg("--help"));
    help.assert_stdout(Contains("Usage: dbconform"));
    for command in ["inspect", "diff", "wait"] {
        help.assert_stdout(Contains(command));
    }
    for absent in ["plan", "apply", "snapshot"] {
        let run = expect(1, standalone().args([absent, "--url", "sqlite::memory:"]));
        run.assert_stderr(Contains("unrecognized subcommand"));
    }
    let one_side = expect(1, standalone().args(["diff", "a.json"]));
    one_side.assert_stderr(Contains("<TO>"));
}

fn errors_never_show_the_password() {
    let port = closed_port();
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/app");
    for args in [
        vec!["check", "--url", url.as_str()],
        vec!["apply", "--yes", "--url", url.as_str()],
        vec!["inspect", url.as_str()],
        vec!["wait", url.as_str(), "--timeout", "300ms"],
    ] {
        let run = expect(1, app().args(&args));
        run.assert_stdout(Lacks("s3cret"));
        run.assert_stderr(Lacks("s3cret"));
        run.assert_stderr(Contains("postgres://app:***@127.0.0.1"));
    }
    // Nor does --help show the environment's URL.
    let help = expect(0, app().args(["plan", "--help"]).env("DATABASE_URL", &url));
    help.assert_stdout(Lacks("s3cret"));
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn wait_fails_with_a_clear_message_on_a_closed_port() {
    let url = format!("postgres://postgres@127.0.0.1:{}/test", closed_port());
    let started = std::time::Instant::now();
    let run = expect(1, standalone().args(["wait", &url, "--timeout", "1s"]));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    run.assert_stderr(Contains("waiting up to 1s for postgres://"));
    run.assert_stderr(Contains(
        "error: cannot connect to `postgres://postgres@127.0.0.1:",
    ));
    run.assert_stderr(Contains("no answer within 1s"));
    run.assert_stderr(Contains("Connection refused"));
    assert_eq!(run.stdout, "");
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

fn postgres_exit_codes_0_to_4(url: &str) {
    let scratch = PgSchema::new(url, "codes");
    let schema = scratch.name.as_str();
    let args = |command: &str| -> Vec<String> {
        vec![
            command.to_string(),
            "-q".into(),
            "--url".into(),
            url.to_string(),
            "--schema".into(),
            schema.to_string(),
        ]
    };

    let check = expect(2, app().args(args("check")));
    check.assert_stdout(StartsWith("Plan (postgres): 3 to create"));
    check.assert_stdout(Contains(&format!("create schema {schema}")));
    let apply = expect(0, app().args(args("apply")));
    apply.assert_stdout(StartsWith("Applied 3 step(s)"));
    expect(0, app().args(args("check")));

    // A column wider in the database than declared: narrowing is blocked by the policy (3).
    sql(
        url,
        &format!(
            "ALTER TABLE \"{schema}\".cli_books ALTER COLUMN title TYPE text;
             INSERT INTO \"{schema}\".cli_authors (id, name) VALUES (1, 'Ada');
             INSERT INTO \"{schema}\".cli_books (title, isbn, author_id) VALUES ('short', '1', 1);
             ANALYZE \"{schema}\".cli_books;"
        ),
    );
    let blocked = expect(3, app().args(args("check")));
    blocked.assert_stdout(Contains("Blocked (not executed):"));
    blocked.assert_stdout(Contains("set allow_shrink_column to allow it"));
    // What the step would do to the table, with its size from the catalog: one row, one
    // page.
    blocked.assert_stdout(Contains(&format!(
        "\n       rewrites {schema}.cli_books (8.0 kB, ~1 row) under ACCESS EXCLUSIVE\n"
    )));
    let mut json = args("plan");
    json.extend(["--format".into(), "json".into()]);
    let json = expect(0, app().args(&json));
    json.assert_stdout(Contains("\"lock\": \"access_exclusive\""));
    json.assert_stdout(Contains("\"work\": \"rewrites\""));
    json.assert_stdout(Contains("\"bytes\": 8192"));
    let apply = expect(3, app().args(args("apply")));
    apply.assert_stdout(Contains("blocked: alter column"));
    expect(3, app().args(args("preflight")));

    // Unlocked, the step is a caution: refused without a terminal or --yes (1), then applied.
    let mut unlocked = args("apply");
    unlocked.push("--allow-shrink-column".into());
    let refused = expect(1, app().args(&unlocked));
    refused.assert_stderr(Contains("stdin is not a terminal"));
    unlocked.push("--yes".into());
    let applied = expect(0, app().args(&unlocked));
    applied.assert_stdout(Contains("alter column"));
    expect(0, app().args(args("check")));

    // Duplicates under the unique index: preflight without data checks finds the failing
    // step (4) and changes nothing.
    sql(
        url,
        &format!(
            "DROP INDEX \"{schema}\".ux_cli_books_isbn;
             INSERT INTO \"{schema}\".cli_books (title, isbn, author_id) VALUES ('again', '1', 1);"
        ),
    );
    let mut preflight = args("preflight");
    preflight.push("--skip-data-checks".into());
    let failing = expect(4, app().args(&preflight));
    failing.assert_stdout(Contains("ux_cli_books_isbn"));
    failing.assert_stdout(Contains("could not create unique index"));
    expect(3, app().args(args("check")));
}

/// `--online` writes the plan phase by phase and applies it so; an apply waiting out a
/// lock another session holds says on stderr whom it waits for, then succeeds.
fn postgres_online_apply_and_lock_waits_on_stderr(url: &str) {
    let scratch = PgSchema::new(url, "online");
    let schema = scratch.name.as_str();
    let args = |command: &str, extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            command.to_string(),
            "--url".into(),
            url.to_string(),
            "--schema".into(),
            schema.to_string(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    };
    expect(0, app().args(args("apply", &["-q"])));
    sql(url, &format!("DROP INDEX \"{schema}\".ux_cli_books_isbn"));
    let script = expect(
        0,
        app().args(args("plan", &["-q", "--online", "--format", "sql"])),
    );
    script.assert_stdout(Contains("-- phase 2: indexes built concurrently\n"));
    script.assert_stdout(Contains(
        "CREATE UNIQUE INDEX CONCURRENTLY \"ux_cli_books_isbn\"",
    ));
    let online = expect(0, app().args(args("apply", &["--online"])));
    online.assert_stdout(Contains("online, phase by phase"));
    online.assert_stderr(Contains("CREATE UNIQUE INDEX CONCURRENTLY"));

    // A session writing the table holds its transaction 2 s; the apply (the index again,
    // whose build needs the writes to stop) waits it out.
    sql(url, &format!("DROP INDEX \"{schema}\".ux_cli_books_isbn"));
    let holder = std::process::Command::new("psql")
        .args(["-X", "-q", "-d", url, "-c"])
        .arg(format!(
            "BEGIN; SET application_name = 'cli-holder'; LOCK TABLE \"{schema}\".cli_books IN ROW EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT;"
        ))
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("psql runs");
    // Let the holder take its lock first.
    std::thread::sleep(std::time::Duration::from_millis(700));
    let waited = expect(
        0,
        app().args(args(
            "apply",
            &["--lock-timeout", "200ms", "--lock-retry-for", "30s"],
        )),
    );
    holder.wait_with_output().unwrap();
    waited.assert_stderr(Contains("waiting for pid "));
    waited.assert_stderr(Contains("app `cli-holder`"));
}

/// PostgreSQL tables the declarations could not spell (serial keys, unnamed and
/// database-named constraints, a sequence shared by two tables, an inheritance child),
/// inspected and diffed against themselves.
fn postgres_inspected_snapshots_diff_empty_against_themselves(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let scratch = PgSchema::new(url, "inspected_self");
    sql(
        url,
        &format!(
            "CREATE SCHEMA \"{0}\"; SET search_path TO \"{0}\";
             CREATE SEQUENCE shared;
             CREATE TABLE a (id serial PRIMARY KEY, code text UNIQUE, n int CHECK (n > 0));
             CREATE TABLE b (id integer DEFAULT nextval('shared') NOT NULL PRIMARY KEY,
               a_id int REFERENCES a, CONSTRAINT b_n UNIQUE (a_id, id));
             CREATE TABLE c (id bigint DEFAULT nextval('shared') NOT NULL, x text);
             CREATE TABLE d () INHERITS (c);
             CREATE INDEX ON c (lower(x)) WHERE id > 0",
            scratch.name
        ),
    );
    let inspected = dir.path().join("inspected.json");
    expect(
        0,
        standalone()
            .args(["inspect", "-q", url, "--schema", &scratch.name, "-o"])
            .arg(&inspected),
    );
    assert_diffs_empty_against_itself(&inspected);
}

fn postgres_offline_diff_is_byte_identical_to_the_live_plan(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let declared = dir.path().join("declared.json");
    expect(
        0,
        app()
            .args(["snapshot", "-q", "--dialect", "postgres", "-o"])
            .arg(&declared),
    );

    let fresh = PgSchema::new(url, "offline_fresh");
    let drifted = PgSchema::new(url, "offline_drifted");
    expect_app(0, &["apply", "-q", "--url", url, "--schema", &drifted.name]);
    sql(
        url,
        &format!(
            "DROP INDEX \"{0}\".ix_cli_books_title; ALTER TABLE \"{0}\".cli_books DROP COLUMN note;",
            drifted.name
        ),
    );
    for scratch in [&fresh, &drifted] {
        let inspected = dir.path().join(format!("{}.json", scratch.name));
        expect(
            0,
            standalone()
                .args(["inspect", "-q", url, "--schema", &scratch.name, "-o"])
                .arg(&inspected),
        );
        let text = std::fs::read_to_string(&inspected).unwrap();
        assert!(
            text.contains(&format!("\"target_schema\": \"{}\"", scratch.name)),
            "the snapshot records the inspected schema"
        );
        assert_diffs_empty_against_itself(&inspected);
        for format in ["sql", "text", "json", "dot"] {
            let live = expect_app(
                0,
                &[
                    "plan",
                    "-q",
                    "--format",
                    format,
                    "--url",
                    url,
                    "--schema",
                    &scratch.name,
                ],
            );
            // No --schema needed offline: the database snapshot records it.
            let offline = expect(
                2,
                standalone()
                    .args(["diff", "-q", "--format", format])
                    .arg(&inspected)
                    .arg(&declared),
            );
            assert_eq!(offline.stdout, live.stdout, "{} {format}", scratch.name);
        }
    }
    let plan = expect_app(
        0,
        &[
            "plan",
            "-q",
            "--format",
            "sql",
            "--url",
            url,
            "--schema",
            &drifted.name,
        ],
    );
    plan.assert_stdout(Contains(&format!(
        "ALTER TABLE \"{}\".\"cli_books\" ADD COLUMN \"note\" TEXT;",
        drifted.name
    )));
}

fn postgres_wait_answers(url: &str) {
    let run = expect(0, standalone().args(["wait", url, "--timeout", "10s"]));
    run.assert_stderr(Contains("answered after 1 attempt"));
    assert_eq!(run.stdout, "");
    // DATABASE_URL works too, and -q silences it.
    let quiet = expect(
        0,
        standalone().args(["wait", "-q"]).env("DATABASE_URL", url),
    );
    assert_eq!(quiet.stderr, "");
}

// ---------------------------------------------------------------------------------------
// MySQL/MariaDB

/// The exit codes on a MySQL scratch database, read back through the server: 2, 0, 3 as
/// on PostgreSQL (preflight too, which tries the steps in a scratch database there); and
/// 5 when an apply fails half-way, the step before the failing one committed and staying
/// so.
#[cfg(feature = "mysql")]
fn mysql_exit_codes_0_to_5() -> Option<()> {
    // One runtime for the whole test: the scratch database's pool lives in it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::mysql("cli_codes"))?;
    let url = db.url().to_string();
    let args = |command: &'static str| vec![command, "-q", "--url", url.as_str()];

    let check = expect_app(2, &args("check"));
    check.assert_stdout(StartsWith("Plan (mysql): 2 to create"));
    let apply = expect_app(0, &args("apply"));
    apply.assert_stdout(StartsWith("Applied 2 step(s)"));
    expect_app(0, &args("check"));
    assert_eq!(rt.block_on(db.table_names()), ["cli_authors", "cli_books"]);

    // An inspected snapshot diffs empty against itself and against the live database.
    let dir = tempfile::tempdir().unwrap();
    let inspected = dir.path().join("inspected.json");
    expect(
        0,
        standalone()
            .args(["inspect", "-q", &url, "-o"])
            .arg(&inspected),
    );
    assert_diffs_empty_against_itself(&inspected);
    expect(0, standalone().args(["diff", "-q", &url]).arg(&inspected));

    // A column wider in the database than declared: narrowing is blocked by the policy (3).
    rt.block_on(db.exec(
        "ALTER TABLE \"cli_books\" MODIFY \"title\" TEXT NOT NULL; \
         INSERT INTO \"cli_authors\" (\"id\", \"name\") VALUES (1, 'Ada'); \
         INSERT INTO \"cli_books\" (\"title\", \"isbn\", \"author_id\") VALUES ('short', '1', 1)",
    ));
    let blocked = expect_app(3, &args("check"));
    blocked.assert_stdout(Contains("set allow_shrink_column to allow it"));
    let apply = expect_app(3, &args("apply"));
    apply.assert_stdout(Contains("blocked: alter column"));
    // Preflight (in a scratch database on MySQL) finds nothing it may run: blocked (3).
    let preflight = expect_app(3, &args("preflight"));
    preflight.assert_stdout(Contains("blocked: alter column"));

    // Unlocked, the step is a caution: refused without a terminal or --yes (1), then applied.
    let mut unlocked = args("apply");
    unlocked.push("--allow-shrink-column");
    let refused = expect_app(1, &unlocked);
    refused.assert_stderr(Contains("stdin is not a terminal"));
    unlocked.push("--yes");
    expect_app(0, &unlocked).assert_stdout(Contains("alter column"));
    expect_app(0, &args("check"));

    // Without `note` and the unique index, over a duplicate ISBN, the data checks off:
    // step 1 (add the column) commits, step 2 (the unique index) fails: 5.
    rt.block_on(db.exec(
        "ALTER TABLE \"cli_books\" DROP COLUMN \"note\", DROP INDEX \"ux_cli_books_isbn\"; \
         INSERT INTO \"cli_books\" (\"title\", \"isbn\", \"author_id\") VALUES ('again', '1', 1)",
    ));
    let mut blind = args("apply");
    blind.extend(["--yes", "--skip-data-checks"]);
    let partial = expect_app(5, &blind);
    partial.assert_stderr(Contains("error: step 2 (add unique ux_cli_books_isbn"));
    partial.assert_stderr(Contains(
        "step 1 committed and stays applied (1. add column",
    ));
    partial.assert_stderr(Contains("nothing was rolled back"));
    // Read through the server: the committed step stays, the failing one changed nothing.
    assert_eq!(
        rt.block_on(db.columns("cli_books")),
        ["id", "title", "isbn", "author_id", "note"]
    );
    assert!(
        !rt.block_on(db.indexes("cli_books"))
            .contains(&"ux_cli_books_isbn".to_string())
    );
    // With the data checks on, the step is blocked (3); without the duplicate it applies.
    expect_app(3, &args("check"));
    rt.block_on(db.exec("DELETE FROM \"cli_books\" WHERE \"title\" = 'again'"));
    expect_app(0, &["apply", "-q", "--yes", "--url", &url]);
    expect_app(0, &args("check"));
    rt.block_on(db.cleanup());
    Some(())
}

/// A PostgreSQL database that does not exist yet, dropped when this goes out of scope.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        sql(
            &self.admin_url,
            &format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name.replace('"', "\"\"")
            ),
        );
    }
}

fn postgres_create_database_if_missing(url: &str) {
    let db = PgDatabase {
        admin_url: url.to_string(),
        name: format!("dbconform cli \"{}\"", std::process::id()),
    };
    sql(
        url,
        &format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            db.name.replace('"', "\"\"")
        ),
    );
    let target = common::with_database(url, &db.name);

    // Without the flag: exit 1, the error says the database is missing and what to do.
    let missing = expect_app(1, &["plan", "--url", &target]);
    missing.assert_stderr(Contains("does not exist"));
    missing.assert_stderr(Contains("--create-database-if-missing"));

    // With it: created, then conformed; a second check finds it conformant.
    let apply = expect_app(
        0,
        &[
            "apply",
            "--create-database-if-missing",
            "--yes",
            "--url",
            &target,
        ],
    );
    apply.assert_stdout(StartsWith("Applied 2 step(s)"));
    expect_app(0, &["check", "-q", "--url", &target]);
    // wait --create-database-if-missing finds it there.
    expect(
        0,
        standalone().args(["wait", "-q", "--create-database-if-missing", &target]),
    );
}
