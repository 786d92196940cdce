//! dbconform's benchmark: N generated tables (`dbconform::sample::benchmark_schema`), each
//! operation timed and printed as one JSON line with seconds, statements sent, steps and
//! peak RSS. See BENCHMARKS.md for the machine, the figures and the floors.
//!
//! ```text
//! cargo run --release --example bench -- --backend sqlite --tables 1000
//! cargo run --release --example bench -- --backend postgres --url postgres://postgres@127.0.0.1:5432/test
//! cargo run --release --example bench --features mysql -- --backend mysql --url mysql://root@127.0.0.1:3306/test
//! ```
//!
//! Operations: `apply_empty` (create every table), `compare_noop` (R times, connect
//! included), drift made by raw SQL on K evenly spaced tables (an extra nullable column,
//! the `name` index dropped, the foreign key dropped, `name` made nullable; not timed),
//! `compare_drift`, `apply_drift`, `compare_after` (must be empty: the extra columns are
//! kept as drift). `--floors` adds the floors: the reflection queries run alone
//! (`reflect_floor`, right after each `compare_noop`, so that both see the same load;
//! `compare_noop_vs_floor` is the ratio of their medians), and the same creation script
//! run by `psql -1 -f`, the `sqlite3` CLI (the script has its own `BEGIN` and `COMMIT`)
//! or the `mariadb` (else `mysql`) CLI (`ddl_floor_psql`, `ddl_floor_sqlite3`,
//! `ddl_floor_mariadb`; MySQL commits each DDL statement on its own, whoever sends it),
//! each on a database of its own, once before `apply_empty` and once after it;
//! `apply_empty_vs_floor` is `apply_empty` over the mean of the two. Bracketing matters
//! on PostgreSQL: creating the same 1,000 tables takes longer with every run on this
//! machine's file system (ext4 searches past recently deleted inodes for each of the
//! ~9,000 files a run creates), so a floor measured only before `apply_empty` flatters
//! the floor. Floor databases are dropped at the end, not between runs, for the same
//! reason.
//!
//! Environment: `BENCH_SPANS=1` prints dbconform's span durations (reflect,
//! check_declaration — which runs during reflect's wait —, diff_and_plan, execute) on
//! stderr; `BENCH_DEBUG=1` the time of each reflection query in the floor;
//! `BENCH_KEEP=1` keeps the scratch database and prints its URL.
//!
//! What differs between the two database servers (scratch databases, identifier quotes,
//! the CLI, the drift SQL) is one [`Server`] row each; SQLite, a file, has none.

use clap::{Parser, ValueEnum};
use dbconform::sqlx::{self, AssertSqlSafe, Connection, Database, Executor};
use dbconform::{DbConform, Options, Plan, TableDef};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
    /// MySQL or MariaDB (a build with the `mysql` feature).
    Mysql,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The database server's row; `None` for SQLite (a file).
    fn server(self) -> Option<&'static Server> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(&POSTGRES),
            Backend::Mysql => Some(&MYSQL),
        }
    }
}

/// What the benchmark does differently on each database server. The tables live in a
/// scratch database the benchmark creates from the URL it is given (dropping 1,000
/// PostgreSQL tables in one statement needs more locks than a default server allows,
/// dropping a database does not; on a shared MySQL server nothing else is touched), and
/// each DDL floor in a database of its own beside it.
struct Server {
    /// Where the URL comes from when `--url` is not given.
    url_env: &'static str,
    /// How an identifier is quoted.
    quote: char,
    /// What follows `DROP DATABASE IF EXISTS "name"` (PostgreSQL's `WITH (FORCE)` ends
    /// the connections still open to it).
    drop_suffix: &'static str,
    /// The DDL floor's operation name.
    floor_op: &'static str,
    /// The CLI command that runs a script file on the database a URL names.
    cli: fn(&Path, &str) -> Result<Command, BoxError>,
    /// The drift of table `t` (`--drift-tables`): an extra nullable column, the `name`
    /// index dropped, the foreign key dropped, `name` made nullable.
    drift: fn(&str) -> String,
}

static POSTGRES: Server = Server {
    url_env: "DBCONFORM_TEST_PG_URL",
    quote: '"',
    drop_suffix: " WITH (FORCE)",
    floor_op: "ddl_floor_psql",
    // In one transaction, stopping at the first error.
    cli: |script, url| {
        let mut psql = Command::new("psql");
        psql.args(["-q", "-v", "ON_ERROR_STOP=1", "-1", "-f"])
            .arg(script)
            .arg(url);
        Ok(psql)
    },
    drift: |t| {
        format!(
            "ALTER TABLE \"public\".\"{t}\" ADD COLUMN extra TEXT; \
             DROP INDEX \"public\".\"ix_{t}_name\"; \
             ALTER TABLE \"public\".\"{t}\" DROP CONSTRAINT \"fk_{t}_parent_id\"; \
             ALTER TABLE \"public\".\"{t}\" ALTER COLUMN name DROP NOT NULL;"
        )
    },
};

static MYSQL: Server = Server {
    url_env: "DBCONFORM_TEST_MYSQL_URL",
    quote: '`',
    drop_suffix: "",
    floor_op: "ddl_floor_mariadb",
    cli: mysql_cli,
    // The foreign key's own index goes with it (InnoDB made it for the key, under the
    // key's name), as the key does on the other databases.
    drift: |t| {
        format!(
            "ALTER TABLE `{t}` ADD COLUMN extra TEXT, DROP INDEX `ix_{t}_name`, \
             DROP FOREIGN KEY `fk_{t}_parent_id`, DROP INDEX `fk_{t}_parent_id`, \
             MODIFY COLUMN name VARCHAR(100) NULL;"
        )
    },
};

/// Benchmarks dbconform on a generated schema.
#[derive(Debug, Parser)]
struct Args {
    /// The database to run on.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL or MySQL URL (a scratch database is created beside the one it names and
    /// dropped at the end); for SQLite, a file in a temporary directory is used unless
    /// given.
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
    /// Also measure the floors (reflection queries alone, psql / sqlite3 / mariadb
    /// running the DDL).
    #[arg(long)]
    floors: bool,
}

struct Bench {
    args: Args,
    url: String,
    options: Options,
    /// A server's: the URL the scratch database was created from, and its name.
    scratch: Option<(String, String)>,
    /// A server's floor databases, dropped by `cleanup`.
    floor_databases: std::sync::Mutex<Vec<String>>,
    _dir: Option<tempfile::TempDir>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
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
    async fn new(args: Args) -> Result<Bench, BoxError> {
        let Some(server) = args.backend.server() else {
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
            return Ok(Bench {
                args,
                url,
                options: Options::default(),
                scratch: None,
                floor_databases: Default::default(),
                _dir: dir,
            });
        };
        let admin = args
            .url
            .clone()
            .or_else(|| std::env::var(server.url_env).ok())
            .ok_or_else(|| format!("--url (or {}) is needed", server.url_env))?;
        let database = format!("dbconform_bench_{}", std::process::id());
        let bench = Bench {
            url: with_database(&admin, &database)?,
            args,
            options: Options::default(),
            scratch: Some((admin, database.clone())),
            floor_databases: Default::default(),
            _dir: None,
        };
        bench.create_database(&database).await?;
        Ok(bench)
    }

    fn name(&self) -> &'static str {
        self.args.backend.name()
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

    async fn run(&self) -> Result<(), BoxError> {
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

        // With the floors, each round runs the floor right after the compare, so that the
        // two see the same load (other work on the machine changes both by ±15 % over
        // minutes); the medians of both and their ratio follow the rounds.
        let (mut compares, mut floors) = (Vec::new(), Vec::new());
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
            compares.push(seconds);
            drop((plan, db));
            if !self.args.floors {
                continue;
            }
            floors.push(self.reflect_floor().await?);
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
        if let (Some(compare), Some(floor)) = (median(&mut compares), median(&mut floors)) {
            println!(
                "{}",
                serde_json::json!({
                    "backend": self.name(),
                    "op": "compare_noop_vs_floor",
                    "tables": self.args.tables,
                    "compare_noop_median": (compare * 1e6).round() / 1e6,
                    "reflect_floor_median": (floor * 1e6).round() / 1e6,
                    "ratio": (compare / floor * 1000.0).round() / 1000.0,
                })
            );
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
    /// ALTERs on a server ([`Server::drift`]); on SQLite, the same by rewriting the stored
    /// CREATE TABLE and copying the rows (what SQLite itself recommends).
    async fn drift(&self) -> Result<(), BoxError> {
        let tables = self.drifted();
        match self.args.backend.server() {
            Some(server) => {
                let sql: String = tables.iter().map(|t| (server.drift)(t)).collect();
                if !sql.is_empty() {
                    execute(self.args.backend, &self.url, sql).await?;
                }
            }
            None => {
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

    /// The reflection queries alone, on a fresh connection; the seconds they took.
    async fn reflect_floor(&self) -> Result<f64, BoxError> {
        let started = Instant::now();
        let queries = dbconform_runtime::floor::reflection_queries(&self.url)
            .ok_or("this build has no backend for the URL")?;
        let url = &self.url;
        match self.args.backend {
            Backend::Sqlite => {
                fetch_each::<sqlx::SqliteConnection>(url, &queries, || Ok(Default::default()))
                    .await?
            }
            // PostgreSQL's query takes the schemas in scope.
            Backend::Postgres => {
                fetch_each::<sqlx::PgConnection>(url, &queries, || {
                    let mut arguments = sqlx::postgres::PgArguments::default();
                    sqlx::Arguments::add(&mut arguments, vec!["public".to_string()])?;
                    Ok(arguments)
                })
                .await?
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                fetch_each::<sqlx::MySqlConnection>(url, &queries, || Ok(Default::default()))
                    .await?
            }
            #[cfg(not(feature = "mysql"))]
            Backend::Mysql => return Err(NO_MYSQL.into()),
        }
        let seconds = started.elapsed().as_secs_f64();
        self.report("reflect_floor", seconds, queries.len() as u64, 0);
        Ok(seconds)
    }

    /// dbconform's creation script run by the database's own CLI (SQLite's and
    /// PostgreSQL's in one transaction: SQLite's script says so, `psql` is told), on a
    /// database of its own (the `run`-th floor of this benchmark); the seconds it took.
    async fn ddl_floor(&self, tables: &[TableDef], run: usize) -> Result<f64, BoxError> {
        let dir = tempfile::tempdir()?;
        let script_path = dir.path().join("create.sql");
        let db_path = dir.path().join("floor.db");
        let server = self.args.backend.server();
        let url = match server {
            None => format!("sqlite://{}?mode=rwc", db_path.display()),
            Some(_) => {
                let (admin, database) = self.scratch.as_ref().ok_or("no scratch database")?;
                let floor = format!("{database}_floor{run}");
                self.create_database(&floor).await?;
                with_database(admin, &floor)?
            }
        };
        let script = DbConform::connect(&url)
            .await?
            .compare(tables)
            .await?
            .to_sql();
        // SQLite's script has its own BEGIN and COMMIT (`Dialect::script_prologue`).
        std::fs::write(&script_path, script)?;
        let (op, mut command) = match server {
            None => {
                let mut sqlite3 = Command::new("sqlite3");
                sqlite3
                    .arg(&db_path)
                    .stdin(std::fs::File::open(&script_path)?);
                ("ddl_floor_sqlite3", sqlite3)
            }
            Some(server) => (server.floor_op, (server.cli)(&script_path, &url)?),
        };
        let started = Instant::now();
        let status = command.stdout(std::process::Stdio::null()).status()?;
        let seconds = started.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("{op} failed on the creation script").into());
        }
        self.report(op, seconds, 0, tables.len());
        Ok(seconds)
    }

    /// Creates a database on the server (the scratch one or a floor's), to be dropped by
    /// [`Bench::cleanup`]: floors are dropped at the end, not after their run, which would
    /// leave the next run's file system slower than this one's (see the module
    /// documentation).
    async fn create_database(&self, database: &str) -> Result<(), BoxError> {
        let (server, (admin, scratch)) = self
            .args
            .backend
            .server()
            .zip(self.scratch.as_ref())
            .ok_or("no database server")?;
        let q = server.quote;
        execute(
            self.args.backend,
            admin,
            format!("CREATE DATABASE {q}{database}{q}"),
        )
        .await?;
        if database != scratch {
            self.floor_databases
                .lock()
                .expect("floor list")
                .push(database.to_string());
        }
        Ok(())
    }

    async fn cleanup(&self) -> Result<(), BoxError> {
        if std::env::var_os("BENCH_KEEP").is_some() {
            eprintln!("kept: {}", self.url);
            return Ok(());
        }
        let (Some(server), Some((admin, database))) = (self.args.backend.server(), &self.scratch)
        else {
            return Ok(());
        };
        let q = server.quote;
        let floors = std::mem::take(&mut *self.floor_databases.lock().expect("floor list"));
        // One statement each: PostgreSQL drops no database inside a multi-statement string.
        for d in floors.iter().chain([database]) {
            let sql = format!("DROP DATABASE IF EXISTS {q}{d}{q}{}", server.drop_suffix);
            execute(self.args.backend, admin, sql).await?;
        }
        Ok(())
    }
}

/// The drift plan: for each drifted table, the index, the foreign key and NOT NULL back
/// (on SQLite, the last two in one table rebuild).
fn check_drift_plan(plan: &Plan, k: usize) -> Result<(), BoxError> {
    let drift = plan.drift().len();
    if drift != k {
        return Err(format!("expected {k} extra columns as drift, found {drift}:\n{plan}").into());
    }
    // Nothing drifted (`--drift-tables 0`): nothing to do.
    if (k > 0 && plan.steps().is_empty()) || (k == 0 && !plan.is_empty()) {
        return Err(format!("unexpected drift plan:\n{plan}").into());
    }
    if !plan.blocked().is_empty() {
        return Err(format!("unexpected drift plan:\n{plan}").into());
    }
    Ok(())
}

/// `url` pointing at `database` instead of the database it names.
fn with_database(url: &str, database: &str) -> Result<String, BoxError> {
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

#[cfg(not(feature = "mysql"))]
const NO_MYSQL: &str = "this build has no MySQL backend: build with `--features mysql`";

/// Runs `sql` (one statement or several) on a new connection to `url`.
async fn execute(backend: Backend, url: &str, sql: String) -> Result<(), BoxError> {
    let sql = AssertSqlSafe(sql);
    match backend {
        Backend::Sqlite => run_on::<sqlx::SqliteConnection>(url, sql).await,
        Backend::Postgres => run_on::<sqlx::PgConnection>(url, sql).await,
        #[cfg(feature = "mysql")]
        Backend::Mysql => run_on::<sqlx::MySqlConnection>(url, sql).await,
        #[cfg(not(feature = "mysql"))]
        Backend::Mysql => Err(NO_MYSQL.into()),
    }
}

/// Runs `sql` on a new connection to `url`, then closes it.
async fn run_on<C>(url: &str, sql: AssertSqlSafe<String>) -> Result<(), BoxError>
where
    C: Connection,
    for<'c> &'c mut C: Executor<'c, Database = C::Database>,
{
    let mut conn = C::connect(url).await?;
    sqlx::raw_sql(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Runs `queries` one after the other on a new connection to `url`, each with the
/// arguments `arguments` makes, and reads every row (`BENCH_DEBUG=1`: each query's time).
async fn fetch_each<C>(
    url: &str,
    queries: &[&'static str],
    arguments: impl Fn() -> Result<<C::Database as Database>::Arguments, BoxError>,
) -> Result<(), BoxError>
where
    C: Connection,
    for<'c> &'c mut C: Executor<'c, Database = C::Database>,
    <C::Database as Database>::Arguments: sqlx::IntoArguments<C::Database>,
{
    let mut conn = C::connect(url).await?;
    for sql in queries {
        let one = Instant::now();
        let rows = sqlx::query_with(AssertSqlSafe(*sql), arguments()?)
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
    conn.close().await?;
    Ok(())
}

/// The `mariadb` (else `mysql`) client running `script` on the database `url` names
/// (`mysql://user:password@host:port/database`, no percent-escapes), stopping at the first
/// error.
fn mysql_cli(script: &Path, url: &str) -> Result<Command, BoxError> {
    let rest = url.split_once("://").ok_or("not a URL")?.1;
    let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
    let (authority, database) = rest.split_once('/').ok_or("no database in the URL")?;
    let (user, host) = authority
        .rsplit_once('@')
        .map_or(("", authority), |(user, host)| (user, host));
    let (user, password) = user.split_once(':').unwrap_or((user, ""));
    let (host, port) = host.split_once(':').unwrap_or((host, "3306"));
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(name).is_file()))
    };
    let mut cli = Command::new(if on_path("mariadb") {
        "mariadb"
    } else {
        "mysql"
    });
    cli.arg("--batch")
        .arg(format!("--host={host}"))
        .arg(format!("--port={port}"));
    if !user.is_empty() {
        cli.arg(format!("--user={user}"));
    }
    if !password.is_empty() {
        cli.env("MYSQL_PWD", password);
    }
    cli.arg(database).stdin(std::fs::File::open(script)?);
    Ok(cli)
}

/// The median of `values` (sorted in place); `None` for none.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (n > 0).then(|| (values[(n - 1) / 2] + values[n / 2]) / 2.0)
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
