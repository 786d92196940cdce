//! The policy: what dbconform may do to a database.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What dbconform may do. The defaults never lose data.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::Options;
/// let options = Options { allow_drop_extra_columns: true, ..Options::default() };
/// assert_eq!(options.target_schema, "public");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Drop tables that exist in the database but are not declared. Default `false`.
    pub allow_drop_extra_tables: bool,
    /// Drop columns that exist in the database but are not declared. Default `false`.
    pub allow_drop_extra_columns: bool,
    /// Allow column changes that can lose values: narrowing a type (shorter VARCHAR,
    /// BIGINT → INTEGER, fewer NUMERIC digits, float → integer, ...) and making a plain
    /// column generated. Default `false`: such steps are blocked.
    pub allow_shrink_column: bool,
    /// Drop constraints that are not declared: primary keys, UNIQUE constraints, unique
    /// indexes (they enforce what a UNIQUE constraint does), foreign keys, CHECKs. Default
    /// `true`.
    pub allow_drop_extra_constraints: bool,
    /// Drop non-unique indexes that are not declared. Default `false`: an index a DBA
    /// added for a slow query is kept, as drift. Dropping one loses no data, but the
    /// queries it served may become slow enough to take a production database down.
    pub allow_drop_extra_indexes: bool,
    /// Rebuild SQLite tables when `ALTER TABLE` cannot express a change. Default `true`.
    pub allow_sqlite_table_rebuild: bool,
    /// The PostgreSQL schema tables without an explicit `schema` live in. Default `public`.
    pub target_schema: String,
    /// Do not look at the data before applying. Default `false`.
    ///
    /// Normally steps whose outcome depends on the rows (SET NOT NULL, a NOT NULL column
    /// without default, UNIQUE, primary and foreign keys, CHECKs, narrowing) are checked
    /// with a few counting queries first: a step on an empty table is marked safe, and a
    /// step that would fail is blocked with what to do instead of being executed. With
    /// this flag set, steps keep their data-blind risk and a step that fails on the data
    /// fails at apply time, rolling the whole transaction back. For very large tables
    /// where the counts are too slow, and for tests that need a step to fail.
    pub skip_data_checks: bool,
    /// All or nothing: when a step needed for the database to conform is blocked (by
    /// this policy, or because the data would make it fail), change nothing and return
    /// [`Error::Blocked`](crate::Error::Blocked) listing what is blocked. Default `false`:
    /// `apply` executes the other steps and lists the blocked ones in its report (whose
    /// `is_conformant()` is then `false`). `dbconform::conform_all` sets it: an
    /// application should not start against a schema its queries would fail on.
    pub fail_on_blocked: bool,
    /// How long one statement of an apply waits for a lock another session holds before
    /// it gives up (PostgreSQL's `lock_timeout`, set for the apply's transaction only).
    /// Default 2 s. While a DDL statement waits for its lock, every query of the
    /// application on that table queues behind it: an unbounded wait (a report query, a
    /// session idle in transaction) stalls the application for as long. 2 s bounds that
    /// stall below what request timeouts usually allow, and is ample for the catalog-only
    /// changes most steps are once they hold the lock. On a timeout the transaction is
    /// rolled back and the apply tried again (see
    /// [`lock_retry_for`](Self::lock_retry_for)). `None`: wait as long as it takes.
    pub lock_timeout: Option<Duration>,
    /// How long an apply keeps trying again after a lock timeout, waiting between tries
    /// (exponential backoff with jitter, 100 ms growing to 5 s, and never less than the
    /// lock timeout, so that the application runs at least as long as it queued behind
    /// the try) and planning again each time; then it fails with
    /// [`Error::LockTimeout`](crate::Error::LockTimeout), naming the sessions that hold
    /// the table. Default 60 s.
    pub lock_retry_for: Duration,
    /// The longest one statement of an apply may run (PostgreSQL's `statement_timeout`,
    /// for the apply's transaction only): past it the statement is cancelled and the
    /// apply rolled back. Default `None`: a statement runs as long as it takes.
    pub statement_timeout: Option<Duration>,
    /// Online mode (PostgreSQL): apply in phases that never block the application's
    /// writes for longer than a catalog change takes, instead of one transaction.
    /// Catalog-only changes first, constraints added `NOT VALID`; then indexes built with
    /// `CREATE INDEX CONCURRENTLY` (unique and primary keys attached to them); then the
    /// constraints validated while writes continue; then `SET NOT NULL` proven by a
    /// validated check; rewrites and drops last (see [`crate::online`]). Each phase runs
    /// in short transactions with the lock timeout, or outside any where PostgreSQL
    /// requires it; the schema-change lock is held by a separate session for the whole
    /// run. **Not atomic**: a failure stops the apply with
    /// [`Error::OnlinePartiallyApplied`](crate::Error::OnlinePartiallyApplied), naming what
    /// committed and what is left, and the next run goes on from there. Default `false`.
    pub online: bool,
    /// Online mode: the largest table (bytes, as the database estimates it) a step may
    /// rewrite. A rewrite (a type change that is not binary-coercible, a column added with
    /// a volatile default) holds ACCESS EXCLUSIVE while it copies every row, and has no
    /// online form: over the limit the step is blocked, with the way out (expand and
    /// contract by hand). Default 100 MB (100 × 2²⁰ bytes), about a second of copying on
    /// common hardware.
    /// `None`: no limit. Ignored outside online mode.
    pub online_rewrite_limit: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            allow_drop_extra_tables: false,
            allow_drop_extra_columns: false,
            allow_shrink_column: false,
            allow_drop_extra_constraints: true,
            allow_drop_extra_indexes: false,
            allow_sqlite_table_rebuild: true,
            target_schema: "public".to_string(),
            skip_data_checks: false,
            fail_on_blocked: false,
            lock_timeout: Some(Duration::from_secs(2)),
            lock_retry_for: Duration::from_secs(60),
            statement_timeout: None,
            online: false,
            online_rewrite_limit: Some(100 << 20),
        }
    }
}
