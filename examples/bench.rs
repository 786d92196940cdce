//! dbconform's benchmark: N generated tables (`dbconform::sample::benchmark_schema`), each
//! operation timed and printed as one JSON line with seconds, statements sent, steps and
//! peak RSS. See BENCHMARKS.md for the machine, the figures and the floors.
//!
//! ```text
//! cargo run --release --example bench -- --backend sqlite --tables 1000
//! cargo run --release --example bench -- --backend postgres --url postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! Operations: `apply_empty` (create every table), `compare_noop` (R times, connect
//! included), drift made by raw SQL on K evenly spaced tables (an extra nullable column,
//! the `name` index dropped, the foreign key dropped, `name` made nullable; not timed),
//! `compare_drift`, `apply_drift`, `compare_after` (must be empty: the extra columns are
//! kept as drift). `--floors` adds the floors: the reflection queries run alone
//! (`reflect_floor`), and the same creation script run by `psql -1 -f` or the `sqlite3`
//! CLI in one transaction (`ddl_floor_psql`, `ddl_floor_sqlite3`), each on a database of
//! its own, once before `apply_empty` and once after it; `apply_empty_vs_floor` is
//! `apply_empty` over the mean of the two. Bracketing matters on PostgreSQL: creating
//! the same 1,000 tables takes longer with every run on this machine's file system
//! (ext4 searches past recently deleted inodes for each of the ~9,000 files a run
//! creates), so a floor measured only before `apply_empty` flatters the floor. Floor
//! databases are dropped at the end, not between runs, for the same reason.
//!
//! Environment: `BENCH_SPANS=1` prints dbconform's span durations (reflect,
//! check_declaration — which runs during reflect's wait —, diff_and_plan, execute) on
//! stderr; `BENCH_DEBUG=1` the time of each PostgreSQL reflection query in the
//! floor; `BENCH_KEEP=1` keeps the scratch database and prints its URL.

use clap::{Parser, ValueEnum};
use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{DbConform, Options, Plan, TableDef};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Benchmarks dbconform on a generated schema.
#[derive(Debug, Parser)]
struct Args {
    /// The database to run on.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL URL (a scratch schema is created and dropped in it); for SQLite, a file
    /// in a temporary directory is used unless given.
    #[arg(long)]
    url: Option<String>,
    /// Number of tables.
    #[arg(long, default_value_t = 1000)]
    tables: usize,
    /// Number of tables drifted by hand before `compare_drift`.
    #[arg(long, default_value_t = 10)]
    drift_tables: usize,
    /// How many times `compare_noop` runs.
    #[arg(long, default_value_t = 10)]
    repeat: usize,
    /// Also measure the floors (reflection queries alone, psql / sqlite3 running the DDL).
    #[arg(long)]
    floors: bool,
}

struct Bench {
    args: Args,
    url: String,
    options: Options,
    /// PostgreSQL: the schema the tables live in.
    schema: Option<String>,
    /// PostgreSQL: the URL the scratch database was created from, and its name.
    scratch: Option<(String, String)>,
    /// PostgreSQL: the floor databases, dropped by `cleanup`.
    floor_databases: std::sync::Mutex<Vec<String>>,
    _dir: Option<tempfile::TempDir>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if std::env::var_os("BENCH_SPANS").is_some() {
        // Each span's duration on stderr when it closes (reflect, diff_and_plan, ...).
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::INFO)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .init();
    }
    let bench = Bench::new(args).await?;
    let result = bench.run().await;
    bench.cleanup().await?;
    result
}

impl Bench {
    async fn new(args: Args) -> Result<Bench, Box<dyn std::error::Error>> {
        match args.backend {
            Backend::Sqlite => {
                let (dir, url) = match &args.url {
                    Some(url) => (None, url.clone()),
                    None => {
                        let dir = tempfile::tempdir()?;
                        let url = format!(
                            "sqlite://{}?mode=rwc",
                            dir.path().join("bench.db").display()
                        );
                        (Some(dir), url)
                    }
                };
                Ok(Bench {
                    args,
                    url,
                    options: Options::default(),
                    schema: None,
                    scratch: None,
                    floor_databases: Default::default(),
                    _dir: dir,
                })
            }
            Backend::Postgres => {
                let admin = args
                    .url
                    .clone()
                    .or_else(|| std::env::var("DBCONFORM_TEST_PG_URL").ok())
                    .ok_or("--url (or DBCONFORM_TEST_PG_URL) is needed for PostgreSQL")?;
                // A scratch database: dropping 1,000 tables in one statement needs more
                // locks than a default server allows, dropping a database does not.
                let database = format!("dbconform_bench_{}", std::process::id());
                let pool = sqlx::PgPool::connect(&admin).await?;
                sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
                    .execute(&pool)
                    .await?;
                pool.close().await;
                let url = with_database(&admin, &database)?;
                Ok(Bench {
                    args,
                    url,
                    options: Options::default(),
                    schema: Some("public".into()),
                    scratch: Some((admin, database)),
                    floor_databases: Default::default(),
                    _dir: None,
                })
            }
        }
    }

    fn name(&self) -> &'static str {
        match self.args.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    async fn connect(&self) -> dbconform::Result<DbConform> {
        Ok(DbConform::connect(&self.url)
            .await?
            .with_options(self.options.clone()))
    }

    /// One JSON line.
    fn report(&self, op: &str, seconds: f64, statements: u64, steps: usize) {
        println!(
            "{}",
            serde_json::json!({
                "backend": self.name(),
                "op": op,
                "tables": self.args.tables,
                "seconds": (seconds * 1e6).round() / 1e6,
                "statements": statements,
                "steps": steps,
                "peak_rss_mb": peak_rss_mb(),
            })
        );
    }

    async fn run(&self) -> Result<(), Box<dyn std::error::Error>> {
        let tables = dbconform::sample::benchmark_schema(self.args.tables);
        let floor_before = if self.args.floors {
            Some(self.ddl_floor(&tables, 1).await?)
        } else {
            None
        };

        let db = self.connect().await?;
        let started = Instant::now();
        let report = db.apply(&tables).await?;
        let apply_seconds = started.elapsed().as_secs_f64();
        self.report(
            "apply_empty",
            apply_seconds,
            db.statements_sent(),
            report.executed.len(),
        );
        // The round trips, not the steps: on PostgreSQL a step sharing one is not timed.
        let executing: f64 = report
            .round_trips
            .iter()
            .map(|r| r.duration.as_secs_f64())
            .sum();
        self.report(
            "apply_empty_statements_only",
            executing,
            0,
            report.executed.len(),
        );
        // One DbConform per operation, as in an application: an earlier one kept alive
        // would keep its pool's connection, with SQLite's parsed schema and page cache.
        // The report goes too, before the second floor plans its script.
        drop(report);
        drop(db);
        if let Some(before) = floor_before {
            let after = self.ddl_floor(&tables, 2).await?;
            let ratio = apply_seconds / ((before + after) / 2.0);
            println!(
                "{}",
                serde_json::json!({
                    "backend": self.name(),
                    "op": "apply_empty_vs_floor",
                    "tables": self.args.tables,
                    "ratio": (ratio * 1000.0).round() / 1000.0,
                })
            );
        }

        for _ in 0..self.args.repeat {
            let started = Instant::now();
            let db = self.connect().await?;
            let plan = db.compare(&tables).await?;
            let seconds = started.elapsed().as_secs_f64();
            assert!(plan.is_empty(), "compare_noop found changes:\n{plan}");
            self.report(
                "compare_noop",
                seconds,
                db.statements_sent(),
                plan.steps().len(),
            );
        }
        if self.args.floors {
            self.reflect_floor().await?;
            for _ in 0..self.args.repeat {
                let started = Instant::now();
                let db = self.connect().await?;
                let connected = started.elapsed().as_secs_f64();
                self.report("connect", connected, 0, 0);
                let started = Instant::now();
                let snapshot = db.snapshot().await?;
                self.report(
                    "snapshot",
                    started.elapsed().as_secs_f64(),
                    db.statements_sent(),
                    snapshot.tables.len(),
                );
            }
        }

        self.drift().await?;
        let started = Instant::now();
        let db = self.connect().await?;
        let plan = db.compare(&tables).await?;
        self.report(
            "compare_drift",
            started.elapsed().as_secs_f64(),
            db.statements_sent(),
            plan.steps().len(),
        );
        check_drift_plan(
            &plan,
            self.args
                .drift_tables
                .min(self.args.tables.saturating_sub(1)),
        )?;
        drop(db);

        let started = Instant::now();
        let db = self.connect().await?;
        let report = db.apply(&tables).await?;
        self.report(
            "apply_drift",
            started.elapsed().as_secs_f64(),
            db.statements_sent(),
            report.executed.len(),
        );
        drop(db);

        let started = Instant::now();
        let db = self.connect().await?;
        let plan = db.compare(&tables).await?;
        self.report(
            "compare_after",
            started.elapsed().as_secs_f64(),
            db.statements_sent(),
            plan.steps().len(),
        );
        if !plan.is_empty() {
            return Err(format!("compare_after is not empty:\n{plan}").into());
        }
        Ok(())
    }

    /// The tables drifted: evenly spaced, `t0000` (no foreign key) excepted.
    fn drifted(&self) -> Vec<String> {
        let n = self.args.tables;
        let k = self.args.drift_tables.min(n.saturating_sub(1));
        let width = n.saturating_sub(1).to_string().len().max(4);
        (0..k)
            .map(|j| 1 + j * (n - 1) / k.max(1))
            .map(|i| format!("t{i:0width$}"))
            .collect()
    }

    /// Extra nullable column, `name` index dropped, foreign key dropped, `name` nullable:
    /// ALTERs on PostgreSQL; on SQLite, the same by rewriting the stored CREATE TABLE and
    /// copying the rows (what SQLite itself recommends).
    async fn drift(&self) -> Result<(), Box<dyn std::error::Error>> {
        let tables = self.drifted();
        match self.args.backend {
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await?;
                let s = self.schema.as_deref().unwrap_or("public");
                let mut sql = String::new();
                for t in &tables {
                    sql.push_str(&format!(
                        "ALTER TABLE \"{s}\".\"{t}\" ADD COLUMN extra TEXT; \
                         DROP INDEX \"{s}\".\"ix_{t}_name\"; \
                         ALTER TABLE \"{s}\".\"{t}\" DROP CONSTRAINT \"fk_{t}_parent_id\"; \
                         ALTER TABLE \"{s}\".\"{t}\" ALTER COLUMN name DROP NOT NULL;"
                    ));
                }
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&pool).await?;
                pool.close().await;
            }
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await?;
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql("PRAGMA foreign_keys=OFF; BEGIN")
                    .execute(&mut *conn)
                    .await?;
                for t in &tables {
                    sqlx::raw_sql(AssertSqlSafe(format!(
                        "ALTER TABLE \"{t}\" ADD COLUMN extra TEXT; DROP INDEX \"ix_{t}_name\""
                    )))
                    .execute(&mut *conn)
                    .await?;
                    let sql: String =
                        sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE name = ?")
                            .bind(t)
                            .fetch_one(&mut *conn)
                            .await?;
                    let fk = sql
                        .find(",\n  CONSTRAINT \"fk_")
                        .ok_or("no foreign key clause")?;
                    // The clause ends at the end of its line (`ADD COLUMN` appended
                    // `, extra TEXT` on a line of its own).
                    let end = sql[fk + 2..]
                        .find('\n')
                        .map(|e| fk + 2 + e)
                        .ok_or("no end of the foreign key clause")?;
                    let rewritten = format!("{}{}", &sql[..fk], &sql[end..])
                        .replacen("\"name\" VARCHAR(100) NOT NULL", "\"name\" VARCHAR(100)", 1)
                        .replacen(
                            &format!("CREATE TABLE \"{t}\""),
                            "CREATE TABLE \"drift_tmp\"",
                            1,
                        );
                    sqlx::raw_sql(AssertSqlSafe(format!(
                        "{rewritten}; INSERT INTO drift_tmp SELECT * FROM \"{t}\"; DROP TABLE \"{t}\"; ALTER TABLE drift_tmp RENAME TO \"{t}\""
                    )))
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::raw_sql("COMMIT; PRAGMA foreign_keys=ON")
                    .execute(&mut *conn)
                    .await?;
                drop(conn);
                pool.close().await;
            }
        }
        Ok(())
    }

    /// The reflection queries alone, on a fresh connection, as many times as
    /// `compare_noop` ran.
    async fn reflect_floor(&self) -> Result<(), Box<dyn std::error::Error>> {
        for _ in 0..self.args.repeat {
            let started = Instant::now();
            let queries = dbconform_runtime::floor::reflection_queries(&self.url)
                .ok_or("this build has no backend for the URL")?;
            let statements = match self.args.backend {
                Backend::Postgres => {
                    use sqlx::Connection;
                    let mut conn = sqlx::PgConnection::connect(&self.url).await?;
                    let schemas = vec![self.schema.clone().unwrap_or_default()];
                    for sql in &queries {
                        let one = Instant::now();
                        let rows = sqlx::query(AssertSqlSafe(*sql))
                            .bind(&schemas)
                            .fetch_all(&mut conn)
                            .await?;
                        if std::env::var_os("BENCH_DEBUG").is_some() {
                            eprintln!(
                                "{:>8.1} ms {:>6} rows: {}",
                                one.elapsed().as_secs_f64() * 1e3,
                                rows.len(),
                                &sql[..sql.len().min(60)].replace('\n', " ")
                            );
                        }
                    }
                    queries.len()
                }
                Backend::Sqlite => {
                    use sqlx::Connection;
                    let mut conn = sqlx::SqliteConnection::connect(&self.url).await?;
                    for sql in &queries {
                        sqlx::query(AssertSqlSafe(*sql))
                            .fetch_all(&mut conn)
                            .await?;
                    }
                    queries.len()
                }
            };
            self.report(
                "reflect_floor",
                started.elapsed().as_secs_f64(),
                statements as u64,
                0,
            );
        }
        Ok(())
    }

    /// dbconform's creation script run by the database's own CLI in one transaction, on
    /// a database of its own (the `run`-th floor of this benchmark); the seconds it took.
    async fn ddl_floor(
        &self,
        tables: &[TableDef],
        run: usize,
    ) -> Result<f64, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let script_path = dir.path().join("create.sql");
        let (op, seconds) = match self.args.backend {
            Backend::Sqlite => {
                let db_path = dir.path().join("floor.db");
                let url = format!("sqlite://{}?mode=rwc", db_path.display());
                let script = DbConform::connect(&url)
                    .await?
                    .compare(tables)
                    .await?
                    .to_sql();
                std::fs::write(&script_path, format!("BEGIN;\n{script}COMMIT;\n"))?;
                let started = Instant::now();
                let status = std::process::Command::new("sqlite3")
                    .arg(&db_path)
                    .stdin(std::fs::File::open(&script_path)?)
                    .status()?;
                let seconds = started.elapsed().as_secs_f64();
                if !status.success() {
                    return Err("sqlite3 failed on the creation script".into());
                }
                ("ddl_floor_sqlite3", seconds)
            }
            Backend::Postgres => {
                let (admin, database) = self.scratch.clone().ok_or("no scratch database")?;
                let floor = format!("{database}_floor{run}");
                let pool = sqlx::PgPool::connect(&admin).await?;
                sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{floor}\"")))
                    .execute(&pool)
                    .await?;
                pool.close().await;
                // Dropped at the end: dropping it now would leave the next run's file
                // system slower than this one's (see the module documentation).
                self.floor_databases
                    .lock()
                    .expect("floor list")
                    .push(floor.clone());
                let url = with_database(&admin, &floor)?;
                let script = DbConform::connect(&url)
                    .await?
                    .compare(tables)
                    .await?
                    .to_sql();
                std::fs::write(&script_path, script)?;
                let started = Instant::now();
                let status = std::process::Command::new("psql")
                    .args(["-q", "-v", "ON_ERROR_STOP=1", "-1", "-f"])
                    .arg(&script_path)
                    .arg(&url)
                    .stdout(std::process::Stdio::null())
                    .status()?;
                let seconds = started.elapsed().as_secs_f64();
                if !status.success() {
                    return Err("psql failed on the creation script".into());
                }
                ("ddl_floor_psql", seconds)
            }
        };
        self.report(op, seconds, 0, tables.len());
        Ok(seconds)
    }

    async fn cleanup(&self) -> Result<(), Box<dyn std::error::Error>> {
        if std::env::var_os("BENCH_KEEP").is_some() {
            eprintln!("kept: {}", self.url);
            return Ok(());
        }
        if let Some((admin, database)) = &self.scratch {
            let pool = sqlx::PgPool::connect(admin).await?;
            let floors = std::mem::take(&mut *self.floor_databases.lock().expect("floor list"));
            for database in floors.iter().chain([database]) {
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
                )))
                .execute(&pool)
                .await?;
            }
        }
        Ok(())
    }
}

/// The drift plan: for each drifted table, the index, the foreign key and NOT NULL back
/// (on SQLite, the last two in one table rebuild).
fn check_drift_plan(plan: &Plan, k: usize) -> Result<(), Box<dyn std::error::Error>> {
    let drift = plan.drift().len();
    if drift != k {
        return Err(format!("expected {k} extra columns as drift, found {drift}:\n{plan}").into());
    }
    if plan.steps().is_empty() || !plan.blocked().is_empty() {
        return Err(format!("unexpected drift plan:\n{plan}").into());
    }
    Ok(())
}

/// `url` pointing at `database` instead of the database it names.
fn with_database(url: &str, database: &str) -> Result<String, Box<dyn std::error::Error>> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").ok_or("not a URL")? + 3;
    let path = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{database}", &base[..path]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    Ok(out)
}

/// Peak resident set size of this process, in MiB (Linux `VmHWM`).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| (kb / 1024.0 * 10.0).round() / 10.0)
        .unwrap_or(0.0)
}
