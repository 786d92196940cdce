//! The command line (feature `cli`): plan, apply, check and preflight your declared tables
//! from a terminal or a deployment script, write and diff schema snapshots, and wait for
//! a database to come up.
//!
//! # Your own binary
//!
//! The CLI must see your tables, so it runs inside a binary of your application. Add
//! `src/bin/db.rs`:
//!
//! ```no_run
//! // use my_models as _;   // when the tables live in another crate (see the crate docs)
//! fn main() {
//!     dbconform::cli::run()
//! }
//! ```
//!
//! and run `cargo run --bin db -- plan --url sqlite://app.db`. `db --help` lists every
//! command and option; [`run_from`] does the same with explicit arguments and returns the
//! exit code instead of exiting.
//!
//! | command | does |
//! | --- | --- |
//! | `plan` | prints what would change (`--format text\|sql\|json\|dot`); changes nothing |
//! | `check` | like `plan`, but the exit code says whether the database conforms |
//! | `apply` | makes the database conform, in one transaction; asks first for caution/danger steps (`--yes` to skip) |
//! | `preflight` | runs the plan in a transaction that is rolled back and reports the steps that would fail |
//! | `snapshot` | writes the declared schema as a JSON snapshot file (`--check FILE`: is FILE up to date?) |
//! | `inspect [URL]` | writes the database's schema as a JSON snapshot file |
//! | `diff FROM [TO]` | the plan from FROM to TO, each a URL or a snapshot file (TO defaults to the declared tables) |
//! | `wait [URL]` | waits until the database answers (`--timeout`, default 30s) |
//!
//! The database comes from `--url` or the `DATABASE_URL` environment variable. Policy flags
//! mirror [`Options`](crate::Options): `--allow-drop-extra-tables`,
//! `--allow-drop-extra-columns`, `--allow-shrink-column`, `--no-drop-extra-constraints`,
//! `--allow-drop-extra-indexes`, `--no-sqlite-table-rebuild`, `--skip-data-checks`, and `--schema` for
//! [`Options::target_schema`](crate::Options::target_schema).
//!
//! # Exit codes
//!
//! Stable; see [`Exit`].
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success: done, or the database conforms |
//! | 1 | error (connection, invalid arguments, a failed step, apply refused or declined); the message is on stderr |
//! | 2 | changes pending: `check` or `diff` found differences, `snapshot --check` found the file out of date |
//! | 3 | changes blocked: some steps are blocked by the policy or by the data (`check`, `diff`, `apply` after applying the rest, `preflight`) |
//! | 4 | `preflight` found steps that would fail |
//!
//! # The standalone `dbconform` binary
//!
//! `cargo install dbconform --features cli` gives a `dbconform` binary without any
//! declared tables, for the workflows that need none: `inspect`, `diff` and `wait`
//! ([`run_standalone`]).

// The examples show the `main` of the user's binary on purpose.
#![allow(clippy::needless_doctest_main)]

mod args;
mod commands;
mod output;
mod progress;
mod snapshot_file;

pub use snapshot_file::{InvalidSnapshot, SNAPSHOT_FORMAT, SnapshotFile, SnapshotSource};

use std::ffi::OsString;

/// The CLI's exit codes. Stable: scripts and CI may rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exit {
    /// 0: the command succeeded; for `check` and `diff`, the schemas conform.
    Success = 0,
    /// 1: an error (bad arguments, cannot connect, a step failed, `apply` refused or
    /// declined). The message is on stderr; nothing was changed unless it says so.
    Error = 1,
    /// 2: changes pending: `check` or `diff` found steps to execute, or `snapshot --check`
    /// found the snapshot file out of date.
    ChangesPending = 2,
    /// 3: steps are blocked by the policy (an option would unlock them) or by the data
    /// (e.g. duplicates under a new unique key). `apply` returns it after applying
    /// everything else; `check`, `diff` and `preflight` when the plan has blocked steps.
    Blocked = 3,
    /// 4: `preflight` found steps that would fail.
    PreflightFailed = 4,
    /// 5: `apply` failed half-way on a database whose DDL is not transactional (MySQL),
    /// or in online mode (`--online`, which commits phase by phase): what ran before the
    /// failing statement committed and stays applied (the message lists it); running
    /// `apply` again continues from there.
    PartiallyApplied = 5,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// Runs the CLI with the process's arguments and every table the binary registers, then
/// exits with the [`Exit`] code. Call it from your own binary's `main`:
///
/// ```no_run
/// fn main() {
///     dbconform::cli::run()
/// }
/// ```
pub fn run() -> ! {
    let exit = run_from(std::env::args_os());
    std::process::exit(i32::from(exit.code()))
}

/// Runs the CLI with `args` (the first one is the program name, as in
/// `std::env::args_os()`) and every registered table; prints to stdout and stderr and
/// returns the exit code instead of exiting.
///
/// ```no_run
/// let exit = dbconform::cli::run_from(["db", "check", "--url", "sqlite://app.db"]);
/// assert_eq!(exit, dbconform::cli::Exit::Success);
/// ```
pub fn run_from<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    commands::run(args::parse_embedded(args))
}

/// Runs the standalone `dbconform` binary's CLI (no declared tables: `inspect`, `diff`,
/// `wait`) with the process's arguments, then exits with the [`Exit`] code.
pub fn run_standalone() -> ! {
    let exit = run_standalone_from(std::env::args_os());
    std::process::exit(i32::from(exit.code()))
}

/// [`run_standalone`] with explicit arguments, returning the exit code.
pub fn run_standalone_from<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    commands::run(args::parse_standalone(args))
}
