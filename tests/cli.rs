//! The command line, run as built binaries against SQLite and PostgreSQL: stdout, stderr
//! and every documented exit code (0 success, 1 error, 2 changes pending, 3 blocked,
//! 4 preflight failures), offline diffs byte-identical to live plans, `wait`, and
//! `--create-database-if-missing`.
//!
//! Two binaries are exercised: the standalone `dbconform`, and an application's own
//! binary calling `dbconform::cli::run()` — this test executable itself, which behaves as
//! that application (with the tables below) when `DBCONFORM_CLI_TEST_AS_APP` is set.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

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
        postgres_offline_diff_is_byte_identical_to_the_live_plan,
        postgres_wait_answers,
        postgres_create_database_if_missing,
        postgres_inspected_snapshots_diff_empty_against_themselves,
    ];
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
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(statements))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(statements))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    })
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
    let url = format!("sqlite://{}?mode=rwc", dir.join("drifted.db").display());
    expect(0, app().args(["apply", "-q", "--url", &url]));
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
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join(format!("{i}.db")).display()
        );
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
        assert!(help.stdout.contains(command), "{help:?}");
    }
    assert!(help.stdout.contains("Exit codes:"), "{help:?}");
    assert!(help.stdout.contains("2  changes pending"), "{help:?}");
    let plan_help = expect(0, app().args(["plan", "--help"]));
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
    let unknown = expect(1, app().args(["plan", "--no-such-flag"]));
    assert!(unknown.stderr.contains("--no-such-flag"), "{unknown:?}");
    let no_url = expect(1, app().arg("plan"));
    assert!(no_url.stderr.contains("--url <URL>"), "{no_url:?}");
    let bad_format = expect(
        1,
        app().args(["plan", "--url", "sqlite::memory:", "--format", "xml"]),
    );
    assert!(
        bad_format.stderr.contains("text, sql, json, dot"),
        "{bad_format:?}"
    );
    let bad_duration = expect(
        1,
        app().args(["wait", "sqlite::memory:", "--timeout", "soon"]),
    );
    assert!(
        bad_duration.stderr.contains("not a duration"),
        "{bad_duration:?}"
    );
}

fn sqlite_exit_codes_for_plan_check_apply() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());

    // A fresh database: plan succeeds (0) and prints the plan; check says changes pending (2).
    let plan = expect(0, app().args(["plan", "--url", &url]));
    assert!(
        plan.stdout.starts_with("Plan (sqlite): 2 to create\n"),
        "{plan:?}"
    );
    assert!(
        plan.stdout
            .contains("    1. [safe DC002] create table main.cli_authors\n"),
        "{plan:?}"
    );
    assert!(plan.stderr.contains("connecting to sqlite://"), "{plan:?}");
    let check = expect(2, app().args(["check", "--url", &url]));
    assert_eq!(check.stdout, plan.stdout);

    // apply: safe steps need no confirmation; progress on stderr, the report on stdout.
    let apply = expect(0, app().args(["apply", "--url", &url]));
    assert!(
        apply
            .stdout
            .starts_with("Applied 2 step(s), 4 statement(s), in one transaction"),
        "{apply:?}"
    );
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
    let check = expect(0, app().args(["check", "--url", &url, "--quiet"]));
    assert_eq!(check.stdout, "Nothing to do: the database conforms.\n");
    assert_eq!(check.stderr, "");
    let again = expect(0, app().args(["apply", "-q", "--url", &url]));
    assert!(
        again
            .stdout
            .starts_with("Nothing to do: the database conforms"),
        "{again:?}"
    );

    // DATABASE_URL stands in for --url.
    expect(0, app().args(["check", "-q"]).env("DATABASE_URL", &url));

    // An undeclared column is drift, not a change: still conformant (0), and listed.
    sql(&url, "ALTER TABLE cli_books ADD COLUMN legacy TEXT;");
    let drift = expect(0, app().args(["check", "-q", "--url", &url]));
    assert!(drift.stdout.contains("kept as drift"), "{drift:?}");
    assert!(
        drift.stdout.contains("allow_drop_extra_columns"),
        "{drift:?}"
    );
    // The flag turns it into a step: changes pending.
    let drop = expect(
        2,
        app().args(["check", "-q", "--allow-drop-extra-columns", "--url", &url]),
    );
    assert!(
        drop.stdout
            .contains("[danger DC101] drop column main.cli_books.legacy"),
        "{drop:?}"
    );

    // A connection error: exit 1, the error on stderr naming the database.
    let missing = format!("sqlite://{}", dir.path().join("missing.db").display());
    let error = expect(1, app().args(["check", "--url", &missing]));
    assert!(
        error.stderr.contains("error: cannot connect to `sqlite://"),
        "{error:?}"
    );
    assert!(error.stderr.contains("missing.db"), "{error:?}");
    assert_eq!(error.stdout, "");
}

fn sqlite_formats_text_sql_json_dot_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("fmt.db").display());

    let dot = expect(
        0,
        app().args(["plan", "-q", "--format", "dot", "--url", &url]),
    );
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

    let json = expect(
        0,
        app().args(["plan", "-q", "--format", "json", "--url", &url]),
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["dialect"], "sqlite");
    assert_eq!(value["steps"].as_array().unwrap().len(), 2, "{json:?}");
    assert_eq!(value["steps"][1]["code"], "DC002");

    let script = expect(
        0,
        app().args(["plan", "-q", "--format", "sql", "--url", &url]),
    );
    assert!(
        script
            .stdout
            .starts_with("-- dbconform plan (sqlite): 2 to create\n"),
        "{script:?}"
    );
    assert!(
        script.stdout.contains("CREATE TABLE \"cli_books\" ("),
        "{script:?}"
    );

    // Not a terminal: no colour by default; --color always colours the risk tags.
    let text = expect(0, app().args(["plan", "-q", "--url", &url]));
    assert!(!text.stdout.contains('\x1b'), "{text:?}");
    let coloured = expect(
        0,
        app().args(["plan", "-q", "--color", "always", "--url", &url]),
    );
    assert!(
        coloured.stdout.contains("\x1b[32m[safe DC002]\x1b[0m"),
        "{coloured:?}"
    );
    assert_eq!(plain(&coloured.stdout), text.stdout);
    // SQL and JSON are never coloured.
    let sql_always = expect(
        0,
        app().args([
            "plan", "-q", "--color", "always", "--format", "sql", "--url", &url,
        ]),
    );
    assert_eq!(sql_always.stdout, script.stdout);

    // apply --format json: the report as JSON.
    let report = expect(
        0,
        app().args(["apply", "-q", "--format", "json", "--url", &url]),
    );
    let value: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(value["executed"].as_array().unwrap().len(), 2, "{report:?}");
}

fn sqlite_blocked_by_data_is_3_and_failing_preflight_is_4() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dup.db").display());
    expect(0, app().args(["apply", "-q", "--url", &url]));
    sql(
        &url,
        "DROP INDEX ux_cli_books_isbn;
         INSERT INTO cli_authors (id, name) VALUES (1, 'Ada');
         INSERT INTO cli_books (title, isbn, author_id) VALUES ('a', 'same', 1), ('b', 'same', 1);",
    );

    // The unique index cannot be created over the duplicates: blocked by the data (3).
    let check = expect(3, app().args(["check", "-q", "--url", &url]));
    assert!(
        check.stdout.contains("Blocked (not executed):"),
        "{check:?}"
    );
    assert!(
        check.stdout.contains("add index ux_cli_books_isbn"),
        "{check:?}"
    );
    assert!(check.stdout.contains("will fail"), "{check:?}");
    let plan = expect(0, app().args(["plan", "-q", "--url", &url]));
    assert_eq!(plan.stdout, check.stdout, "plan shows the same and exits 0");
    // apply runs everything else (nothing here) and says what stays blocked: 3.
    let apply = expect(3, app().args(["apply", "-q", "--yes", "--url", &url]));
    assert!(
        apply
            .stdout
            .contains("blocked: add index ux_cli_books_isbn"),
        "{apply:?}"
    );
    // preflight with the data checks on: nothing fails, one step blocked: 3.
    let preflight = expect(3, app().args(["preflight", "-q", "--url", &url]));
    assert!(
        preflight.stdout.contains("ux_cli_books_isbn"),
        "{preflight:?}"
    );

    // Without the data checks the step is tried and fails in the rolled-back transaction: 4.
    let failing = expect(
        4,
        app().args(["preflight", "--skip-data-checks", "--url", &url]),
    );
    assert!(failing.stdout.contains("ux_cli_books_isbn"), "{failing:?}");
    assert!(
        failing.stdout.contains("UNIQUE constraint failed"),
        "{failing:?}"
    );
    assert!(
        failing
            .stderr
            .contains("preflight: executing the plan in a transaction that is rolled back"),
        "{failing:?}"
    );
    let json = expect(
        4,
        app().args([
            "preflight",
            "-q",
            "--skip-data-checks",
            "--format",
            "json",
            "--url",
            &url,
        ]),
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["steps"][0]["outcome"]["status"], "failed", "{json:?}");

    // And apply without the data checks fails as a whole: 1, the step and SQLite's message.
    let apply = expect(
        1,
        app().args(["apply", "-q", "--yes", "--skip-data-checks", "--url", &url]),
    );
    assert!(
        apply
            .stderr
            .contains("error: step 1 (add index ux_cli_books_isbn"),
        "{apply:?}"
    );
    assert!(apply.stderr.contains("nothing was changed"), "{apply:?}");
}

/// `apply` that leaves a needed step blocked says the database does not conform (it once
/// printed "Nothing to do: the database conforms" above the blocked step) and exits 3.
fn sqlite_apply_with_a_blocked_step_never_says_it_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dup.db").display());
    expect(0, app().args(["apply", "-q", "--url", &url]));
    sql(
        &url,
        "DROP INDEX ux_cli_books_isbn;
         INSERT INTO cli_authors (id, name) VALUES (1, 'Ada');
         INSERT INTO cli_books (title, isbn, author_id) VALUES ('a', 'same', 1), ('b', 'same', 1);",
    );
    let apply = expect(
        3,
        app().args(["apply", "-q", "--yes", "--color", "never", "--url", &url]),
    );
    assert!(!apply.stdout.contains("conforms"), "{apply:?}");
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
    let url = format!("sqlite://{}?mode=rwc", dir.join("caution.db").display());
    expect(0, app().args(["apply", "-q", "--url", &url]));
    sql(
        &url,
        "DROP INDEX ux_cli_books_isbn;
         INSERT INTO cli_authors (id, name) VALUES (1, 'Ada');
         INSERT INTO cli_books (title, isbn, author_id) VALUES ('a', '1', 1), ('b', '2', 1);",
    );
    url
}

fn sqlite_apply_refuses_unconfirmed_caution_steps_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let url = caution_sqlite(dir.path());
    let plan = expect(0, app().args(["plan", "-q", "--url", &url]));
    assert!(
        plan.stdout
            .contains("[caution DC005] add index ux_cli_books_isbn"),
        "{plan:?}"
    );

    // stdin is not a terminal and there is no --yes: refused, nothing changed (1).
    let refused = expect(1, app().args(["apply", "-q", "--url", &url]));
    assert_eq!(refused.stdout, "");
    assert!(
        refused.stderr.contains("the plan has 1 caution/danger step and stdin is not a terminal to confirm it: [caution DC005] add index ux_cli_books_isbn on main.cli_books"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("apply --yes"), "{refused:?}");
    expect(2, app().args(["check", "-q", "--url", &url]));

    // --yes applies.
    let applied = expect(0, app().args(["apply", "-q", "--yes", "--url", &url]));
    assert!(
        applied.stdout.contains("add index ux_cli_books_isbn"),
        "{applied:?}"
    );
    expect(0, app().args(["check", "-q", "--url", &url]));
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
    assert!(
        declined.stdout.contains("\x1b[33m[caution DC005]"),
        "{declined:?}"
    );
    expect(2, app().args(["check", "-q", "--url", &url]));

    // Answering yes applies; NO_COLOR turns the colour off even on a terminal.
    let confirmed = on_terminal(&["apply", "-q", "--url", &url], "y\n", true);
    assert_eq!(confirmed.code, 0, "{confirmed:?}");
    assert!(!confirmed.stdout.contains('\x1b'), "{confirmed:?}");
    assert!(
        confirmed.stdout.contains("Applied 1 step(s)"),
        "{confirmed:?}"
    );
    expect(0, app().args(["check", "-q", "--url", &url]));
}

fn sqlite_offline_diff_is_byte_identical_to_the_live_plan() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("fresh.db").display()
    );
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
            let live = expect(
                0,
                app().args(["plan", "-q", "--format", format, "--url", url]),
            );
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
    let drifted_plan = expect(0, app().args(["plan", "-q", "--url", &drifted]));
    assert!(
        drifted_plan
            .stdout
            .starts_with("Plan (sqlite): 2 to add\n\nmain.cli_books\n    1. [safe DC004] add column main.cli_books.note\n"),
        "{drifted_plan:?}"
    );
    assert!(
        drifted_plan
            .stdout
            .contains("2. [safe DC005] add index ix_cli_books_title"),
        "{drifted_plan:?}"
    );

    // After applying, the inspected database diffs empty against the declaration: 0.
    expect(0, app().args(["apply", "-q", "--url", &drifted]));
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
    assert!(
        fresh_to_drifted
            .stdout
            .contains("create table main.cli_books"),
        "{fresh_to_drifted:?}"
    );
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
    assert!(
        unknown
            .stderr
            .contains("--dialect sqlite or --dialect postgres"),
        "{unknown:?}"
    );
    let stdout = expect(
        0,
        app().args(["snapshot", "--dialect", "postgres", "--schema", "app"]),
    );
    assert!(
        stdout.stdout.starts_with(
            "{\n  \"format\": 1,\n  \"source\": \"declared\",\n  \"dialect\": \"postgres\",\n  \"target_schema\": \"app\",\n  \"schema\": {\n    \"tables\": ["
        ),
        "{stdout:?}"
    );
    let from_url = expect(
        0,
        app()
            .args(["snapshot"])
            .env("DATABASE_URL", "postgres://u:pw@127.0.0.1:1/none"),
    );
    assert!(
        from_url.stdout.contains("\"dialect\": \"postgres\""),
        "{from_url:?}"
    );
    assert_eq!(
        expect(
            0,
            app().args(["snapshot", "--dialect", "postgres", "--schema", "app"])
        )
        .stdout,
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
    assert!(written.stderr.contains("wrote "), "{written:?}");
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
    assert!(
        stale
            .stderr
            .contains("is out of date with the declared tables"),
        "{stale:?}"
    );
    assert!(
        stale.stderr.contains("snapshot --dialect sqlite --output"),
        "{stale:?}"
    );
    // A different dialect is a different snapshot.
    std::fs::write(&file, &text).unwrap();
    expect(
        2,
        app()
            .args(["snapshot", "-q", "--dialect", "postgres", "--check"])
            .arg(&file),
    );
    let missing = expect(
        1,
        app().args(["snapshot", "--dialect", "sqlite", "--check", "nope.json"]),
    );
    assert!(
        missing
            .stderr
            .contains("cannot read snapshot file `nope.json`"),
        "{missing:?}"
    );
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
    assert!(
        missing
            .stderr
            .contains("error: cannot read snapshot file `nope.json`"),
        "{missing:?}"
    );
    let mixed = expect(1, standalone().args(["diff"]).arg(&sqlite).arg(&postgres));
    assert!(mixed.stderr.contains("is for sqlite and"), "{mixed:?}");
    assert!(mixed.stderr.contains("for postgres"), "{mixed:?}");
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"tables\": []}").unwrap();
    let not_snapshot = expect(1, standalone().args(["diff"]).arg(&garbage).arg(&sqlite));
    assert!(
        not_snapshot.stderr.contains("garbage.json"),
        "{not_snapshot:?}"
    );
    assert!(
        not_snapshot
            .stderr
            .contains("not a dbconform snapshot file"),
        "{not_snapshot:?}"
    );

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
    assert!(
        review.stdout.starts_with("Plan (sqlite): 2 to create"),
        "{review:?}"
    );
    let same = expect(
        0,
        standalone().args(["diff", "-q"]).arg(&sqlite).arg(&sqlite),
    );
    assert!(same.stdout.starts_with("Nothing to do"), "{same:?}");
}

fn standalone_binary_has_only_table_free_commands() {
    let help = expect(0, standalone().arg("--help"));
    assert!(help.stdout.contains("Usage: dbconform"), "{help:?}");
    for command in ["inspect", "diff", "wait"] {
        assert!(help.stdout.contains(command), "{help:?}");
    }
    for absent in ["plan", "apply", "snapshot"] {
        let run = expect(1, standalone().args([absent, "--url", "sqlite::memory:"]));
        assert!(run.stderr.contains("unrecognized subcommand"), "{run:?}");
    }
    let one_side = expect(1, standalone().args(["diff", "a.json"]));
    assert!(one_side.stderr.contains("<TO>"), "{one_side:?}");
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
        assert!(!run.stdout.contains("s3cret"), "{run:?}");
        assert!(!run.stderr.contains("s3cret"), "{run:?}");
        assert!(
            run.stderr.contains("postgres://app:***@127.0.0.1"),
            "{run:?}"
        );
    }
    // Nor does --help show the environment's URL.
    let help = expect(0, app().args(["plan", "--help"]).env("DATABASE_URL", &url));
    assert!(!help.stdout.contains("s3cret"), "{help:?}");
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
    assert!(
        run.stderr.contains("waiting up to 1s for postgres://"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("error: cannot connect to `postgres://postgres@127.0.0.1:"),
        "{run:?}"
    );
    assert!(run.stderr.contains("no answer within 1s"), "{run:?}");
    assert!(run.stderr.contains("Connection refused"), "{run:?}");
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
    assert!(
        check.stdout.starts_with("Plan (postgres): 3 to create"),
        "{check:?}"
    );
    assert!(
        check.stdout.contains(&format!("create schema {schema}")),
        "{check:?}"
    );
    let apply = expect(0, app().args(args("apply")));
    assert!(apply.stdout.starts_with("Applied 3 step(s)"), "{apply:?}");
    expect(0, app().args(args("check")));

    // A column wider in the database than declared: narrowing is blocked by the policy (3).
    sql(
        url,
        &format!(
            "ALTER TABLE \"{schema}\".cli_books ALTER COLUMN title TYPE text;
             INSERT INTO \"{schema}\".cli_authors (id, name) VALUES (1, 'Ada');
             INSERT INTO \"{schema}\".cli_books (title, isbn, author_id) VALUES ('short', '1', 1);"
        ),
    );
    let blocked = expect(3, app().args(args("check")));
    assert!(
        blocked.stdout.contains("Blocked (not executed):"),
        "{blocked:?}"
    );
    assert!(
        blocked
            .stdout
            .contains("set allow_shrink_column to allow it"),
        "{blocked:?}"
    );
    let apply = expect(3, app().args(args("apply")));
    assert!(apply.stdout.contains("blocked: alter column"), "{apply:?}");
    expect(3, app().args(args("preflight")));

    // Unlocked, the step is a caution: refused without a terminal or --yes (1), then applied.
    let mut unlocked = args("apply");
    unlocked.push("--allow-shrink-column".into());
    let refused = expect(1, app().args(&unlocked));
    assert!(
        refused.stderr.contains("stdin is not a terminal"),
        "{refused:?}"
    );
    unlocked.push("--yes".into());
    let applied = expect(0, app().args(&unlocked));
    assert!(applied.stdout.contains("alter column"), "{applied:?}");
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
    assert!(failing.stdout.contains("ux_cli_books_isbn"), "{failing:?}");
    assert!(
        failing.stdout.contains("could not create unique index"),
        "{failing:?}"
    );
    expect(3, app().args(args("check")));
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
    expect(
        0,
        app().args(["apply", "-q", "--url", url, "--schema", &drifted.name]),
    );
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
            let live = expect(
                0,
                app().args([
                    "plan",
                    "-q",
                    "--format",
                    format,
                    "--url",
                    url,
                    "--schema",
                    &scratch.name,
                ]),
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
    let plan = expect(
        0,
        app().args([
            "plan",
            "-q",
            "--format",
            "sql",
            "--url",
            url,
            "--schema",
            &drifted.name,
        ]),
    );
    assert!(
        plan.stdout.contains(&format!(
            "ALTER TABLE \"{}\".\"cli_books\" ADD COLUMN \"note\" TEXT;",
            drifted.name
        )),
        "{plan:?}"
    );
}

fn postgres_wait_answers(url: &str) {
    let run = expect(0, standalone().args(["wait", url, "--timeout", "10s"]));
    assert!(run.stderr.contains("answered after 1 attempt"), "{run:?}");
    assert_eq!(run.stdout, "");
    // DATABASE_URL works too, and -q silences it.
    let quiet = expect(
        0,
        standalone().args(["wait", "-q"]).env("DATABASE_URL", url),
    );
    assert_eq!(quiet.stderr, "");
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
    let missing = expect(1, app().args(["plan", "--url", &target]));
    assert!(missing.stderr.contains("does not exist"), "{missing:?}");
    assert!(
        missing.stderr.contains("--create-database-if-missing"),
        "{missing:?}"
    );

    // With it: created, then conformed; a second check finds it conformant.
    let apply = expect(
        0,
        app().args([
            "apply",
            "--create-database-if-missing",
            "--yes",
            "--url",
            &target,
        ]),
    );
    assert!(apply.stdout.starts_with("Applied 2 step(s)"), "{apply:?}");
    expect(0, app().args(["check", "-q", "--url", &target]));
    // wait --create-database-if-missing finds it there.
    expect(
        0,
        standalone().args(["wait", "-q", "--create-database-if-missing", &target]),
    );
}
