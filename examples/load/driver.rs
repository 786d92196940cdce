//! The load driver of issue 19, shared by `examples/load.rs` (large tables, figures in
//! BENCHMARKS.md) and `tests/load_postgres.rs` (small tables, in CI): N clients make
//! single-row reads and updates by random primary key against `orders` (R rows) while
//! dbconform applies a change, and every client operation is timed.
//!
//! A run of one [`Scenario`]: a scratch schema with `customers` (R / 10 rows) and
//! `orders(id, customer_id NULL, total, ref_code)` (R rows) created by dbconform from
//! [`before`] and filled with `INSERT ... SELECT generate_series`, then `VACUUM ANALYZE`;
//! N clients, each on a connection of its own, alternating `SELECT` and `UPDATE` every
//! interval; 1 s of warm-up; the apply; 0.5 s more; the clients stopped, the schema
//! dropped (unless [`Config::keep_schema`]). The figures ([`Latency`]) count every
//! operation that overlaps the apply window (apply start to apply end + 0.5 s), and
//! separately those of the warm-up, for a baseline.

// The models are declarations read by dbconform, not by this code; and the test binary
// uses only part of the driver.
#![allow(dead_code)]

use dbconform::sqlx::{self, AssertSqlSafe, Connection, PgConnection};
use dbconform::{DbConform, Options, Report, Table, TableDef};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The error of a run: setting up or tearing down the tables, or a client's connection.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long the clients run before the apply starts.
pub const WARM_UP: Duration = Duration::from_secs(1);

/// How long the clients go on after the apply ends (inside the measured window).
pub const AFTERGLOW: Duration = Duration::from_millis(500);

/// An operation at least this slow counts as stalled ([`Latency::stalled`]).
pub const STALL: Duration = Duration::from_millis(100);

/// The tables as they are before the apply.
pub mod before {
    use dbconform::Table;

    /// `customers`: the table the foreign key of scenarios b and c references.
    #[derive(Table)]
    #[table(name = "customers")]
    pub struct Customer {
        /// The key.
        #[column(primary_key)]
        pub id: i64,
    }

    /// `orders` with no index but its key, no constraint, `customer_id` NULL-able.
    #[derive(Table)]
    #[table(name = "orders")]
    pub struct Order {
        /// The key the clients read and update by.
        #[column(primary_key)]
        pub id: i64,
        /// A customer (never NULL in the rows the driver inserts).
        pub customer_id: Option<i64>,
        /// What the clients' updates increment.
        pub total: i64,
        /// `'r' || id`: unique.
        pub ref_code: String,
    }
}

/// Scenario a's declaration: `orders` with a NULL-able column more.
mod with_note {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "orders")]
    pub struct Order {
        #[column(primary_key)]
        pub id: i64,
        pub customer_id: Option<i64>,
        pub total: i64,
        pub ref_code: String,
        pub note: Option<String>,
    }
}

/// Scenarios b and c's declaration: `orders` with an index on `total`, a unique
/// `ref_code`, a foreign key to `customers`, a CHECK, and `customer_id` NOT NULL.
mod constrained {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "orders")]
    #[index(name = "ix_orders_total", columns("total"))]
    #[unique(name = "uq_orders_ref_code", columns("ref_code"))]
    #[check(name = "ck_orders_total", expr = "total >= 0")]
    pub struct Order {
        #[column(primary_key)]
        pub id: i64,
        #[column(references = "customers(id)")]
        pub customer_id: i64,
        pub total: i64,
        pub ref_code: String,
    }
}

/// What the apply changes, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// a: a blocker holds ACCESS SHARE on `orders` while the apply adds a NULL-able
    /// column, in the default mode (one transaction, with the lock timeout).
    Blocker,
    /// b: an index, a unique constraint, a foreign key, a CHECK and a NOT NULL added in
    /// online mode.
    Online,
    /// c: the same as b in the default mode.
    Default,
}

impl Scenario {
    /// The scenario's letter in issue 19.
    pub fn letter(self) -> char {
        match self {
            Scenario::Blocker => 'a',
            Scenario::Online => 'b',
            Scenario::Default => 'c',
        }
    }

    /// The declared tables the apply makes the database conform to.
    pub fn declaration(self) -> Vec<TableDef> {
        let orders = match self {
            Scenario::Blocker => with_note::Order::table_def(),
            Scenario::Online | Scenario::Default => constrained::Order::table_def(),
        };
        vec![before::Customer::table_def(), orders]
    }

    /// Whether the apply runs in online mode.
    pub fn online(self) -> bool {
        self == Scenario::Online
    }
}

/// One run's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The PostgreSQL server.
    pub url: String,
    /// The scratch schema (created, and dropped at the end unless `keep_schema`).
    pub schema: String,
    /// Rows of `orders` (R); `customers` has R / 10, at least 1.
    pub rows: u64,
    /// Clients (N), each on a connection of its own.
    pub clients: usize,
    /// How often each client starts an operation (a late one starts at once).
    pub interval: Duration,
    /// `Options::lock_timeout` of the apply (`None`: wait as long as it takes).
    pub lock_timeout: Option<Duration>,
    /// How long scenario a's blocker holds its lock.
    pub blocker_for: Duration,
    /// Leave the schema for the caller to read and drop.
    pub keep_schema: bool,
}

/// The latency of the client operations of a window.
#[derive(Debug, Clone, Default)]
pub struct Latency {
    /// Operations.
    pub ops: usize,
    /// Operations that returned an error.
    pub failed: usize,
    /// Median.
    pub p50: Duration,
    /// 99th percentile (nearest rank).
    pub p99: Duration,
    /// The slowest.
    pub max: Duration,
    /// The share of the clients' time in the window spent inside operations slower than
    /// [`STALL`]: a client waiting in one operation sends no other, so the percentiles
    /// (over operations) understate a stall that this does not.
    pub stalled: f64,
    /// The first few distinct errors.
    pub errors: Vec<String>,
}

/// What one run measured.
#[derive(Debug)]
pub struct Outcome {
    /// The scenario.
    pub scenario: Scenario,
    /// Its settings.
    pub config: Config,
    /// The apply's report, or its error as text.
    pub apply: Result<Report, String>,
    /// How long the apply took, seen by the caller.
    pub apply_time: Duration,
    /// Scenario a: when the blocker let go (sent its `COMMIT`), from the apply's start.
    pub blocker_released: Option<Duration>,
    /// The operations overlapping the apply window.
    pub during: Latency,
    /// The operations of the warm-up, before the apply started.
    pub baseline: Latency,
    /// Creating and filling the tables.
    pub setup_time: Duration,
    /// The 1-minute load average (`/proc/loadavg`) before the clients start.
    pub load_average: Option<f64>,
}

/// One timed client operation.
struct Sample {
    start: Instant,
    took: Duration,
    error: Option<String>,
}

impl Sample {
    fn end(&self) -> Instant {
        self.start + self.took
    }
}

/// Runs `scenario` on a fresh scratch schema; the schema is dropped afterwards, whatever
/// happened, unless `config.keep_schema`.
pub async fn run(config: &Config, scenario: Scenario) -> Result<Outcome, BoxError> {
    let mut admin = PgConnection::connect(&config.url).await?;
    let outcome = run_in_schema(config, scenario, &mut admin).await;
    if !config.keep_schema {
        let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", quoted(&config.schema));
        sqlx::raw_sql(AssertSqlSafe(drop))
            .execute(&mut admin)
            .await?;
    }
    admin.close().await?;
    outcome
}

async fn run_in_schema(
    config: &Config,
    scenario: Scenario,
    admin: &mut PgConnection,
) -> Result<Outcome, BoxError> {
    let setup = Instant::now();
    fill(config, admin).await?;
    let setup_time = setup.elapsed();
    let load_average = load_average();

    let conform = DbConform::connect(&config.url)
        .await?
        .with_options(Options {
            target_schema: config.schema.clone(),
            lock_timeout: config.lock_timeout,
            online: scenario.online(),
            ..Options::default()
        });
    let declaration = scenario.declaration();

    let stop = Arc::new(AtomicBool::new(false));
    // The clients stop however this function returns (an error before the apply too).
    let _stop_on_return = StopOnDrop(stop.clone());
    let mut clients = Vec::with_capacity(config.clients);
    for n in 0..config.clients {
        let conn = PgConnection::connect(&config.url).await?;
        clients.push(tokio::spawn(client(
            conn,
            orders(config),
            config.rows,
            config.interval,
            n as u64,
            stop.clone(),
        )));
    }
    let clients_started = Instant::now();
    tokio::time::sleep(WARM_UP).await;

    let blocker = match scenario {
        Scenario::Blocker => Some(block(config).await?),
        _ => None,
    };
    let apply_start = Instant::now();
    let apply = conform.apply(&declaration).await.map_err(|e| e.to_string());
    let apply_end = Instant::now();
    tokio::time::sleep(AFTERGLOW).await;
    stop.store(true, Ordering::Relaxed);

    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await?);
    }
    let blocker_released = match blocker {
        Some(task) => Some(task.await??.saturating_duration_since(apply_start)),
        None => None,
    };
    drop(conform);

    let during = Latency::of(&samples, apply_start, apply_end + AFTERGLOW, config.clients);
    let baseline = Latency::of(&samples, clients_started, apply_start, config.clients);
    Ok(Outcome {
        scenario,
        config: config.clone(),
        apply,
        apply_time: apply_end - apply_start,
        blocker_released,
        during,
        baseline,
        setup_time,
        load_average,
    })
}

/// Sets its flag when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// `"schema".orders`.
fn orders(config: &Config) -> String {
    format!("{}.orders", quoted(&config.schema))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the tables of [`before`] in the scratch schema (with dbconform) and fills
/// them: `customers` R / 10 rows, `orders` R rows, every row valid under the declaration
/// of scenarios b and c.
async fn fill(config: &Config, admin: &mut PgConnection) -> Result<(), BoxError> {
    let conform = DbConform::connect(&config.url)
        .await?
        .with_options(Options {
            target_schema: config.schema.clone(),
            ..Options::default()
        });
    conform
        .apply(&[before::Customer::table_def(), before::Order::table_def()])
        .await?;
    drop(conform);
    let s = quoted(&config.schema);
    let customers = (config.rows / 10).max(1);
    let rows = config.rows;
    // VACUUM runs outside any transaction: a statement of its own.
    for sql in [
        format!("INSERT INTO {s}.customers (id) SELECT generate_series(1, {customers})"),
        format!(
            "INSERT INTO {s}.orders (id, customer_id, total, ref_code) \
             SELECT n, 1 + n % {customers}, n, 'r' || n FROM generate_series(1, {rows}) n"
        ),
        format!("VACUUM ANALYZE {s}.customers"),
        format!("VACUUM ANALYZE {s}.orders"),
    ] {
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *admin)
            .await?;
    }
    Ok(())
}

/// Scenario a's blocker: a session holding ACCESS SHARE on `orders` (a read in an open
/// transaction) for `config.blocker_for`, then committing; the task returns when it
/// sent the `COMMIT`.
async fn block(
    config: &Config,
) -> Result<tokio::task::JoinHandle<Result<Instant, BoxError>>, BoxError> {
    let mut conn = PgConnection::connect(&config.url).await?;
    let hold = format!(
        "SET application_name = 'load-blocker'; BEGIN; SELECT count(*) FROM {} LIMIT 1",
        orders(config)
    );
    sqlx::raw_sql(AssertSqlSafe(hold))
        .execute(&mut conn)
        .await?;
    let held_for = config.blocker_for;
    Ok(tokio::spawn(async move {
        tokio::time::sleep(held_for).await;
        // Taken before the COMMIT is sent: no apply can hold the table before this.
        let released = Instant::now();
        sqlx::raw_sql("COMMIT").execute(&mut conn).await?;
        conn.close().await?;
        Ok(released)
    }))
}

/// One client: every `interval` (at once when the last operation was late), a `SELECT`
/// or an `UPDATE` (in turn) of one row of `orders` picked at random, until `stop`.
async fn client(
    mut conn: PgConnection,
    orders: String,
    rows: u64,
    interval: Duration,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> Vec<Sample> {
    let read = format!("SELECT total FROM {orders} WHERE id = $1");
    let write = format!("UPDATE {orders} SET total = total + 1 WHERE id = $1");
    let mut random = SplitMix(seed.wrapping_mul(0x9E37_79B9) ^ u64::from(std::process::id()));
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut samples = Vec::new();
    let mut writing = seed % 2 == 1;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let id = (1 + random.next() % rows) as i64;
        let sql = if writing { &write } else { &read };
        writing = !writing;
        let start = Instant::now();
        let result = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .execute(&mut conn)
            .await;
        samples.push(Sample {
            start,
            took: start.elapsed(),
            error: result.err().map(|e| e.to_string()),
        });
    }
    let _ = conn.close().await;
    samples
}

/// A small pseudo-random generator (SplitMix64): enough to spread the clients' keys.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Latency {
    /// The operations of `samples` overlapping `from..to`, made by `clients` clients.
    fn of(samples: &[Sample], from: Instant, to: Instant, clients: usize) -> Latency {
        let mut took = Vec::new();
        let mut latency = Latency::default();
        let mut stalled = Duration::ZERO;
        for sample in samples.iter().filter(|s| s.end() >= from && s.start <= to) {
            took.push(sample.took);
            if sample.took >= STALL {
                stalled += sample.end().min(to) - sample.start.max(from);
            }
            if let Some(error) = &sample.error {
                latency.failed += 1;
                if latency.errors.len() < 3 && !latency.errors.contains(error) {
                    latency.errors.push(error.clone());
                }
            }
        }
        let window = (to - from).as_secs_f64() * clients as f64;
        if window > 0.0 {
            latency.stalled = stalled.as_secs_f64() / window;
        }
        took.sort();
        let rank = |p: f64| {
            let n = took.len();
            took.get(((p * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1)
                .copied()
                .unwrap_or_default()
        };
        latency.ops = took.len();
        latency.p50 = rank(0.50);
        latency.p99 = rank(0.99);
        latency.max = took.last().copied().unwrap_or_default();
        latency
    }
}

/// The 1-minute load average, where `/proc/loadavg` says.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

impl Outcome {
    /// The apply's mode as the results table prints it.
    pub fn mode(&self) -> String {
        let mode = if self.scenario.online() {
            "online"
        } else {
            "default"
        };
        match self.config.lock_timeout {
            Some(timeout) => format!("{mode}, lock_timeout {} ms", timeout.as_millis()),
            None => format!("{mode}, no lock_timeout"),
        }
    }

    /// The header of [`Outcome::row`].
    pub fn header() -> String {
        format!(
            "{:<2} {:<30} {:>10} {:>3} {:>8} {:>4} {:>7} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9} {:>5}",
            "sc",
            "mode",
            "rows",
            "N",
            "apply s",
            "try",
            "applied",
            "ops",
            "failed",
            "p50 ms",
            "p99 ms",
            "max ms",
            "stalled",
            "base p99",
            "load"
        )
    }

    /// One line of the results table: the apply (seconds, attempts, whether it
    /// succeeded) and the clients' latency during it (`stalled`: [`Latency::stalled`]);
    /// `base p99` is the warm-up's; `load` the load average before the clients started.
    pub fn row(&self) -> String {
        let attempts = self.apply.as_ref().map(|r| r.attempts).unwrap_or(0);
        format!(
            "{:<2} {:<30} {:>10} {:>3} {:>8.2} {:>4} {:>7} {:>7} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>7.0}% {:>9.1} {:>5}",
            self.scenario.letter(),
            self.mode(),
            self.config.rows,
            self.config.clients,
            self.apply_time.as_secs_f64(),
            attempts,
            if self.apply.is_ok() { "yes" } else { "NO" },
            self.during.ops,
            self.during.failed,
            ms(self.during.p50),
            ms(self.during.p99),
            ms(self.during.max),
            self.during.stalled * 100.0,
            ms(self.baseline.p99),
            self.load_average
                .map(|l| format!("{l:.2}"))
                .unwrap_or_default(),
        )
    }

    /// What the row leaves out: the apply's error, the clients' first errors, the online
    /// phases, when the blocker let go.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let sc = self.scenario.letter();
        match &self.apply {
            Ok(report) => {
                for phase in &report.phases {
                    notes.push(format!(
                        "{sc}: phase {} ({}): {} statement(s), {:.2} s",
                        phase.phase,
                        phase.name,
                        phase.statements,
                        phase.duration.as_secs_f64()
                    ));
                }
            }
            Err(error) => notes.push(format!("{sc}: the apply failed: {error}")),
        }
        if let Some(released) = self.blocker_released {
            notes.push(format!(
                "{sc}: the blocker let go {:.2} s after the apply started; the apply took {:.2} s",
                released.as_secs_f64(),
                self.apply_time.as_secs_f64()
            ));
        }
        for error in &self.during.errors {
            notes.push(format!("{sc}: a client failed: {error}"));
        }
        notes.push(format!(
            "{sc}: setup (create, fill, VACUUM ANALYZE) {:.1} s",
            self.setup_time.as_secs_f64()
        ));
        notes
    }

    /// The run as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        let latency = |l: &Latency| {
            serde_json::json!({
                "ops": l.ops,
                "failed": l.failed,
                "p50_ms": ms(l.p50),
                "p99_ms": ms(l.p99),
                "max_ms": ms(l.max),
                "stalled": l.stalled,
                "errors": l.errors,
            })
        };
        serde_json::json!({
            "scenario": self.scenario.letter().to_string(),
            "online": self.scenario.online(),
            "lock_timeout_ms": self.config.lock_timeout.map(|t| t.as_millis() as u64),
            "rows": self.config.rows,
            "clients": self.config.clients,
            "interval_ms": ms(self.config.interval),
            "applied": self.apply.is_ok(),
            "error": self.apply.as_ref().err(),
            "attempts": self.apply.as_ref().map(|r| r.attempts).ok(),
            "apply_seconds": self.apply_time.as_secs_f64(),
            "blocker_released_seconds": self.blocker_released.map(|d| d.as_secs_f64()),
            "during": latency(&self.during),
            "baseline": latency(&self.baseline),
            "setup_seconds": self.setup_time.as_secs_f64(),
            "load_average": self.load_average,
        })
    }
}
