//! Deployment helpers: applications often start before their database is ready
//! (containers, CI services), and a fresh environment may not have its database yet.
//!
//! - [`DbConform::connect_with`] connects with [`ConnectOptions`]: keep retrying, with
//!   backoff, while the database does not answer yet, and optionally create the database
//!   when it does not exist;
//! - [`wait_for_database`] only waits until the database answers (the CLI's `wait`);
//! - [`create_database_if_missing`] creates a missing PostgreSQL database or SQLite file.
//!
//! ```no_run
//! # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
//! # async fn run() -> dbconform::Result<()> {
//! use dbconform::{ConnectOptions, DbConform};
//! use std::time::Duration;
//!
//! let connect = ConnectOptions {
//!     retry_for: Duration::from_secs(30),
//!     create_database_if_missing: true,
//!     ..ConnectOptions::default()
//! };
//! let db = DbConform::connect_with("postgres://app@db:5432/app", &connect).await?;
//! db.apply_all().await?;
//! # Ok(()) }
//! ```

use crate::DbConform;
use dbconform_core::{BoxError, Error, Result, redact_url};
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

/// How to reach a database: retry while it does not answer yet, and whether to create it.
///
/// The default is what [`DbConform::connect`] does: one attempt, nothing created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// How long to keep trying while the database does not answer yet: connection refused
    /// or reset, host not resolvable or unreachable, PostgreSQL starting up or out of
    /// connection slots. Errors that waiting cannot fix (a malformed URL, a wrong password,
    /// a missing database without [`create_database_if_missing`](Self::create_database_if_missing))
    /// are returned at once. Default zero: one attempt.
    pub retry_for: Duration,
    /// The longest pause between two attempts. Pauses start at 100 ms and double up to
    /// this. Default 2 s.
    pub max_backoff: Duration,
    /// Create the database when it does not exist. PostgreSQL: connect to the `postgres`
    /// maintenance database (or `template1`) with the same credentials and run `CREATE
    /// DATABASE` (the role needs `CREATEDB`). SQLite: create the file (as `mode=rwc`
    /// does; the directory must exist). MySQL (feature `mysql`): before connecting, look
    /// the database up and run `CREATE DATABASE IF NOT EXISTS` (utf8mb4) without one
    /// selected (the user needs `CREATE`). Default `false`.
    pub create_database_if_missing: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            retry_for: Duration::ZERO,
            max_backoff: Duration::from_secs(2),
            create_database_if_missing: false,
        }
    }
}

/// The first pause between two attempts.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// How a wait ended well: after how many attempts and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waited {
    /// Connection attempts made, the successful one included.
    pub attempts: u32,
    /// Time from the first attempt to the answer.
    pub elapsed: Duration,
}

/// The database did not answer within the time allowed.
#[derive(Debug)]
pub struct GaveUp {
    /// How long dbconform kept trying: [`ConnectOptions::retry_for`].
    pub waited: Duration,
    /// How many attempts it made.
    pub attempts: u32,
    /// The last attempt's error.
    pub last_error: String,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no answer within {} ({} attempt{}); last error: {}",
            human_duration(self.waited),
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.last_error
        )
    }
}

impl std::error::Error for GaveUp {}

/// `250ms`, `3s`, `1.5s`, `2m`: a duration as people write it.
///
/// ```
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// use dbconform::deploy::human_duration;
/// use std::time::Duration;
/// assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
/// assert_eq!(human_duration(Duration::from_secs(120)), "2m");
/// assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
/// ```
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

impl DbConform {
    /// Connects to `url` as [`DbConform::connect`] does, retrying while the database does
    /// not answer yet (up to [`ConnectOptions::retry_for`], with backoff) and creating it
    /// first when it is missing and [`ConnectOptions::create_database_if_missing`] is set.
    ///
    /// After the time is up the error is [`Error::Connect`] whose source is [`GaveUp`]:
    /// `cannot connect to `postgres://app@db/app`: no answer within 30s (14 attempts);
    /// last error: Connection refused (os error 111)`. Never shows the password.
    pub async fn connect_with(url: &str, options: &ConnectOptions) -> Result<Self> {
        let (db, _) = retry(url, options, || connect_once(url, options)).await?;
        Ok(db)
    }
}

/// Waits until the database at `url` answers (a connection is established), retrying
/// with backoff for up to `options.retry_for`; creates it first when it is missing and
/// `options.create_database_if_missing` is set. Returns how many attempts it took.
///
/// ```no_run
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// # async fn run() -> dbconform::Result<()> {
/// use dbconform::{ConnectOptions, wait_for_database};
/// use std::time::Duration;
/// let options = ConnectOptions { retry_for: Duration::from_secs(30), ..ConnectOptions::default() };
/// let waited = wait_for_database("postgres://postgres@127.0.0.1/app", &options).await?;
/// println!("answered after {} attempt(s)", waited.attempts);
/// # Ok(()) }
/// ```
pub async fn wait_for_database(url: &str, options: &ConnectOptions) -> Result<Waited> {
    let (db, waited) = retry(url, options, || connect_once(url, options)).await?;
    drop(db);
    Ok(waited)
}

/// One attempt: create the database if asked and needed, then connect.
async fn connect_once(url: &str, options: &ConnectOptions) -> Result<DbConform> {
    let backend = crate::backend::for_url(url);
    if options.create_database_if_missing && backend.is_some_and(|b| b.create_before_connecting) {
        create_database_if_missing(url).await?;
    }
    match DbConform::connect(url).await {
        Err(error) if options.create_database_if_missing && is_missing_database(url, &error) => {
            create_database_if_missing(url).await?;
            DbConform::connect(url).await
        }
        outcome => outcome,
    }
}

/// Runs `attempt` until it succeeds, fails with an error waiting cannot fix, or the time
/// allowed is up.
async fn retry<T, F, Fut>(
    url: &str,
    options: &ConnectOptions,
    mut attempt: F,
) -> Result<(T, Waited)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = Instant::now();
    let deadline = started + options.retry_for;
    let mut backoff = FIRST_BACKOFF;
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let outcome = if options.retry_for.is_zero() {
            attempt().await.map_err(Some)
        } else {
            // A connection to an unreachable host can hang far longer than the wait.
            match tokio::time::timeout(remaining.max(FIRST_BACKOFF), attempt()).await {
                Ok(outcome) => outcome.map_err(Some),
                Err(_) => Err(None),
            }
        };
        let error = match outcome {
            Ok(value) => {
                let waited = Waited {
                    attempts,
                    elapsed: started.elapsed(),
                };
                return Ok((value, waited));
            }
            Err(Some(error)) if !is_transient(url, &error) => return Err(error),
            Err(error) => error,
        };
        let now = Instant::now();
        if options.retry_for.is_zero() || now >= deadline {
            let last_error = match &error {
                Some(Error::Connect { source, .. }) => source.to_string(),
                Some(other) => other.to_string(),
                None => "the attempt did not finish in time".to_string(),
            };
            if options.retry_for.is_zero() {
                // One attempt, as `DbConform::connect`: its own error.
                if let Some(error) = error {
                    return Err(error);
                }
            }
            return Err(Error::Connect {
                url: redact_url(url),
                source: Box::new(GaveUp {
                    waited: options.retry_for,
                    attempts,
                    last_error,
                }),
            });
        }
        tracing::debug!(
            attempts,
            error = %error.as_ref().map(ToString::to_string).unwrap_or_default(),
            "database not answering yet; retrying"
        );
        tokio::time::sleep(backoff.min(deadline - now)).await;
        backoff = (backoff * 2).min(options.max_backoff.max(FIRST_BACKOFF));
    }
}

/// The driver error under a dbconform error, if any.
fn sqlx_source(error: &Error) -> Option<&sqlx::Error> {
    let source: &BoxError = match error {
        Error::Connect { source, .. } | Error::Database { source, .. } => source,
        _ => return None,
    };
    crate::DriverError::find(source)
}

/// `true` for errors that may go away by waiting: the server is not listening or not
/// reachable yet, is starting up, or has no free connection slot (the backend's codes,
/// [`Registration::transient_codes`](crate::backend::Registration)).
fn is_transient(url: &str, error: &Error) -> bool {
    match sqlx_source(error) {
        Some(sqlx::Error::Io(_)) | Some(sqlx::Error::PoolTimedOut) => true,
        Some(sqlx::Error::Database(db)) => {
            has_code(url, db.code().as_deref(), |b| b.transient_codes)
        }
        _ => false,
    }
}

/// `true` when the server says the database does not exist.
fn is_missing_database(url: &str, error: &Error) -> bool {
    match sqlx_source(error) {
        Some(sqlx::Error::Database(db)) => {
            has_code(url, db.code().as_deref(), |b| b.missing_database_codes)
        }
        _ => false,
    }
}

/// Whether `code` is among the codes `which` lists for `url`'s backend.
fn has_code(
    url: &str,
    code: Option<&str>,
    which: fn(&crate::backend::Registration) -> &'static [&'static str],
) -> bool {
    let backend = crate::backend::for_url(url);
    code.is_some_and(|code| backend.is_some_and(|b| which(b).contains(&code)))
}

/// Creates the database `url` names when it does not exist; returns `true` when it
/// created it.
///
/// - PostgreSQL: connects with the same credentials to the `postgres` maintenance
///   database (`template1` when there is none), and runs `CREATE DATABASE` with the name
///   quoted (the role needs `CREATEDB`). Another process creating it at the same moment
///   is fine.
/// - SQLite: creates the file (the directory must exist). `sqlite::memory:` needs nothing.
///
/// ```no_run
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// # async fn run() -> dbconform::Result<()> {
/// if dbconform::create_database_if_missing("postgres://postgres@127.0.0.1/app").await? {
///     println!("created database app");
/// }
/// # Ok(()) }
/// ```
pub async fn create_database_if_missing(url: &str) -> Result<bool> {
    match crate::backend::for_url(url) {
        Some(backend) => (backend.create_database)(url).await,
        // Let `connect` report the unsupported scheme with the list of supported ones.
        None => DbConform::connect(url).await.map(|_| false),
    }
}
