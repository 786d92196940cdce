//! # dbconform
//!
//! Make a live database conform to the schema your Rust structs declare: derive [`Table`]
//! on plain structs, call [`conform_all`] at start-up, and every missing table is created
//! — in foreign-key order, in one transaction, with keys, constraints, defaults and
//! indexes. The structs are the source of truth; no migration history is needed.
//!
//! ```no_run
//! use dbconform::Table;
//!
//! /// People who can sign in.
//! #[derive(Table)]
//! #[table(name = "users")]
//! struct User {
//!     #[column(primary_key)]
//!     id: i64,
//!     #[column(max_length = 320, unique)]
//!     email: String,
//!     nickname: Option<String>,
//! }
//!
//! # async fn run() -> dbconform::Result<()> {
//! let report = dbconform::conform_all("sqlite://app.db?mode=rwc").await?;
//! println!("{report}");
//! # Ok(()) }
//! ```
//!
//! Tables are collected with `inventory` from every crate the final binary links. When
//! your models live in another crate, reference it from the binary (`use my_models as _;`)
//! or the linker may leave its tables out.
//!
//! # What is here
//!
//! - Declaring tables: the derive [`Table`](derive@Table), the model it produces
//!   ([`TableDef`], [`Column`], [`ColumnType`], [`Index`], [`ForeignKey`]...) and
//!   [`SqlType`] for your own field types.
//! - Conforming: [`conform_all`], and [`DbConform`] for everything else (compare, apply,
//!   preflight, check, snapshot) under a policy ([`Options`]); [`blocking`] has the same
//!   without async.
//! - What it plans and did: [`Plan`] of [`Step`]s, each with a [`Risk`] and a stable code,
//!   [`BlockedStep`]s and [`Drift`]; [`Report`] and [`PreflightReport`].
//! - Snapshots and offline diffs: [`Schema`] (serializable), [`desired_schema`],
//!   [`diff_snapshots`], [`diff_reflected`] and the [`dialect`]s.
//! - Errors: [`Error`], whose variants carry the table, column and statement concerned.
//! - [`deploy`] (wait for the database, create it), [`testing`] (throwaway databases),
//!   `cli` (feature `cli`), and [`sqlx`], the version dbconform is built on.
//!
//! Features: `sqlite`, `postgres` and `testing` (default), `chrono`, `time`, `uuid`,
//! `json` (serde_json) and `decimal` (rust_decimal) for the type mappings, `cli` for the
//! command line (the `cli` module).

// The public surface, by name. Every visible item below is recorded in
// `tests/public_api.txt` (checked by `tests/public_api.rs`): change both together.

// Declaring tables.
pub use dbconform_core::Table;
pub use dbconform_core::{
    Check, Column, ColumnType, Deferrability, FkAction, ForeignKey, GeneratedColumn, Index,
    IndexColumn, NullsOrder, PrimaryKey, QualifiedName, Schema, SortOrder, SqlType, TableDef,
    TableOptions, UniqueConstraint,
};
pub use dbconform_core::{DbEnum, EnumLabel, EnumType};
pub use dbconform_derive::{DbEnum, Table};

// Conforming a database.
pub use dbconform_core::Options;
pub use dbconform_runtime::{DbConform, SupportedPool, conform_all};

// Plans and what they are made of.
pub use dbconform_core::{
    BlockedStep, Change, ChangeKind, ColumnChanges, DependentKind, DependentObject, DependentUse,
    Drift, LockLevel, Plan, Risk, Step, TableEffect, TableSize, Work,
};

/// Online mode ([`Options::online`]): how an online plan's statements are arranged in
/// phases ([`Plan::phases`]).
pub mod online {
    pub use dbconform_core::online::{Phase, PhaseKind, PhasedStatement};
}

// What was done.
pub use dbconform_runtime::{
    ExecutedStep, PhaseRun, PreflightReport, PreflightStep, Report, RoundTrip, StepOutcome,
};

// Snapshots and offline diffs.
pub use dbconform_core::{diff_reflected, diff_snapshots};
pub use dbconform_runtime::desired_schema;

// Errors.
pub use dbconform_core::{BoxError, Error, OnlineFailure, Result, redact_url};
pub use dbconform_runtime::DriverError;

// Deployment helpers, also at the root for convenience.
pub use dbconform_runtime::{ConnectOptions, create_database_if_missing, wait_for_database};

/// The SQL dialects: the [`Dialect`] of a connected database
/// ([`DbConform::dialect`]), and the dialect objects an offline diff
/// ([`diff_snapshots`]) is written for.
///
/// ```
/// use dbconform::dialect::{self, SQLITE};
/// use dbconform::{Options, Schema, diff_snapshots};
///
/// let plan = diff_snapshots(&Schema::default(), &Schema::default(), &SQLITE, &Options::default())?;
/// assert!(plan.is_empty());
/// assert_eq!(dialect::by_name("postgres").map(|d| d.name()), Some("postgres"));
/// # Ok::<(), dbconform::Error>(())
/// ```
pub mod dialect {
    pub use dbconform_core::dialect::{
        Dialect, MYSQL, MySql, POSTGRES, Postgres, SQLITE, Sqlite, all, by_name,
    };
}
pub use dialect::Dialect;

/// Waiting for a database at deployment and creating it: what the `dbconform wait`
/// command and `--create` do, for your own start-up code.
pub mod deploy {
    pub use dbconform_runtime::deploy::{
        ConnectOptions, GaveUp, Waited, create_database_if_missing, wait_for_database,
    };
}

pub use dbconform_runtime::blocking;

// Internals, kept reachable for dbconform's own tests, examples and derive-generated code.
// Not public API: they change without notice.
#[doc(hidden)]
pub use dbconform_core::{
    AcceptsMaxLength, AcceptsPrecision, MAX_IDENTIFIER_BYTES, Registration, data, generated_name,
    planner, registered_tables, registered_tables_with_types, sample, short_hash, shorten,
};

#[cfg(feature = "cli")]
pub mod cli;

/// # In an integration test
///
/// `tests/signup.rs` of the package `my_app`, whose `#[derive(Table)]` models live in its
/// library (`src/lib.rs`):
///
/// ```no_run
/// # use dbconform_test_models as my_app;
/// use dbconform::sqlx; // the sqlx dbconform is built on
/// use my_app as _; // without it the linker leaves the library, and its tables, out
///
/// #[tokio::test]
/// async fn signs_up() {
///     let db = dbconform::testing::throwaway_sqlite().await.unwrap(); // fresh, conformed
///     sqlx::query("INSERT INTO external_widgets (id) VALUES (1)")
///         .execute(db.pool())
///         .await
///         .unwrap();
/// } // the file and its directory are removed here
/// # fn main() {}
/// ```
#[cfg(feature = "testing")]
pub use dbconform_runtime::testing;

/// sqlx 0.9, the version dbconform is built on: use `dbconform::sqlx` for the pools of
/// `DbConform::from_pool` and of throwaway databases, so that your queries and dbconform
/// share one sqlx (another version would be a second, incompatible `sqlx_core`).
pub use dbconform_runtime::sqlx;

#[doc(hidden)]
pub mod __private {
    //! Re-exports and helpers for code generated by `#[derive(Table)]`. Not public API.
    pub use dbconform_core as core;
    pub use inventory;
    pub use std::boxed::Box;
    pub use std::string::String;
    pub use std::vec::Vec;

    /// Fails to compile, with `AcceptsPrecision`'s message, unless `T` accepts `precision`.
    pub const fn assert_accepts_precision<T: ?Sized + dbconform_core::AcceptsPrecision>() {}
}
