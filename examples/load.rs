//! The load test of issue 19: how an apply on a busy PostgreSQL table affects the
//! application. N clients make single-row reads and updates by random key against
//! `orders` (R rows) while dbconform applies a change; the clients' failed operations
//! and their p50, p99 and max latency during the apply are printed, one line per
//! scenario. See BENCHMARKS.md ("Busy PostgreSQL") for the figures.
//!
//! ```text
//! cargo run --release --example load -- --url postgres://postgres@127.0.0.1:5432/test \
//!     --rows 2000000 --scenario all
//! cargo run --release --example load -- --rows 2000000 --scenario a --lock-timeout 0
//! ```
//!
//! Scenarios: `a`, a session holding ACCESS SHARE on `orders` for `--blocker-seconds`
//! while the apply adds a NULL-able column in the default mode (with `--lock-timeout`;
//! `0` waits as long as it takes, as dbconform did before issue 19); `b`, an index, a
//! unique constraint, a foreign key, a CHECK and a NOT NULL added in online mode; `c`,
//! the same in the default mode. Each runs on a scratch schema of its own
//! (`dbconform_load_<pid>_<scenario>`), created, filled and dropped by the run. The
//! driver is `load/driver.rs`, which `tests/load_postgres.rs` runs with small sizes.

#[path = "load/driver.rs"]
mod driver;

use clap::{Parser, ValueEnum};
use driver::{BoxError, Config, Outcome, Scenario};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    A,
    B,
    C,
    All,
}

/// Measures the application's latency while dbconform applies a change.
#[derive(Debug, Parser)]
struct Args {
    /// The PostgreSQL server (default: `DBCONFORM_TEST_PG_URL`).
    #[arg(long)]
    url: Option<String>,
    /// Rows of `orders` (R).
    #[arg(long, default_value_t = 200_000)]
    rows: u64,
    /// Clients (N), each on a connection of its own.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Each client starts one operation every this many milliseconds (a `SELECT` and
    /// an `UPDATE` in turn).
    #[arg(long, default_value_t = 5)]
    interval_ms: u64,
    /// Which scenario (`all`: a, b, c).
    #[arg(long, value_enum, default_value = "all")]
    scenario: Which,
    /// The apply's lock timeout: `2s`, `300ms`, or `0` for none.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    lock_timeout: Duration,
    /// How long scenario a's blocker holds its lock, in seconds.
    #[arg(long, default_value_t = 6.0)]
    blocker_seconds: f64,
    /// Print each scenario as one JSON line instead of the table.
    #[arg(long)]
    json: bool,
}

/// `2s`, `300ms`, `1.5s` or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = match text.strip_suffix("ms") {
        Some(ms) => (ms, 1e-3),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| Duration::from_secs_f64(n * scale))
        .ok_or_else(|| format!("`{text}` is not a duration (`2s`, `300ms`, `0`)"))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    let url = args
        .url
        .clone()
        .or_else(|| std::env::var("DBCONFORM_TEST_PG_URL").ok())
        .ok_or("--url (or DBCONFORM_TEST_PG_URL) is needed")?;
    let scenarios: &[Scenario] = match args.scenario {
        Which::A => &[Scenario::Blocker],
        Which::B => &[Scenario::Online],
        Which::C => &[Scenario::Default],
        Which::All => &[Scenario::Blocker, Scenario::Online, Scenario::Default],
    };
    if !args.json {
        println!("{}", Outcome::header());
    }
    let mut notes = Vec::new();
    for &scenario in scenarios {
        let config = Config {
            url: url.clone(),
            schema: format!(
                "dbconform_load_{}_{}",
                std::process::id(),
                scenario.letter()
            ),
            rows: args.rows,
            clients: args.clients,
            interval: Duration::from_millis(args.interval_ms),
            lock_timeout: Some(args.lock_timeout).filter(|t| !t.is_zero()),
            blocker_for: Duration::from_secs_f64(args.blocker_seconds),
            keep_schema: false,
        };
        let outcome = driver::run(&config, scenario).await?;
        if args.json {
            println!("{}", outcome.json());
        } else {
            println!("{}", outcome.row());
            notes.extend(outcome.notes());
        }
    }
    for note in notes {
        println!("{note}");
    }
    Ok(())
}
