//! One folder per backend, each with the same files: `mod.rs` (connect, the lock, the
//! session on one connection, its `Backend` (see `engine.rs`) and `Registration`), `inspect.rs` (reflection, queries as constants at the bottom),
//! `data_checks.rs` (data checks), `create.rs` (database creation) and `throwaway.rs`
//! (throwaway databases for tests), plus what only that database needs.
//!
//! This file is the runtime's one registration point: a backend is a module line, an
//! entry in `REGISTERED`, and its throwaway types in `throwaway`.

use crate::driver::Driver;
use dbconform_core::{Error, Result, redact_url};
use futures_util::future::BoxFuture;
use std::sync::Arc;

#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

/// Every backend this build has.
const REGISTERED: &[&Registration] = &[
    #[cfg(feature = "sqlite")]
    &sqlite::REGISTRATION,
    #[cfg(feature = "postgres")]
    &postgres::REGISTRATION,
    #[cfg(feature = "mysql")]
    &mysql::REGISTRATION,
];

/// The throwaway databases of every backend this build has ([`crate::testing`]).
#[cfg(feature = "testing")]
pub(crate) mod throwaway {
    #[cfg(feature = "mysql")]
    pub use super::mysql::throwaway::{ThrowawayMySql, throwaway_mysql};
    #[cfg(feature = "postgres")]
    pub use super::postgres::throwaway::{ThrowawayPostgres, throwaway_postgres};
    #[cfg(feature = "sqlite")]
    pub use super::sqlite::throwaway::{ThrowawaySqlite, throwaway_sqlite};
}

/// Connects to a URL.
pub(crate) type Connect = for<'u> fn(&'u str) -> BoxFuture<'u, Result<Arc<dyn Driver>>>;

/// The labelled details of a database error (`("HINT", "...")`); `None` when another
/// backend raised it.
pub(crate) type ErrorDetails =
    fn(&dyn sqlx::error::DatabaseError) -> Option<Vec<(&'static str, String)>>;

/// What a backend folder registers: what the runtime needs of a backend before a
/// connection to it exists.
#[derive(Debug)]
pub(crate) struct Registration {
    /// The URL schemes naming the backend (the dialect's, so that the CLI, which reads
    /// them without connecting, and the runtime agree).
    pub(crate) schemes: &'static [&'static str],
    /// Connects to a URL with one of `schemes`.
    pub(crate) connect: Connect,
    /// Creates the database a URL names unless it exists; `true` when it created it.
    pub(crate) create_database: for<'u> fn(&'u str) -> BoxFuture<'u, Result<bool>>,
    /// Whether `create_database` runs before the first connection when asked to create a
    /// missing database (SQLite: a missing file cannot be told from other failures to
    /// open), rather than after the server says the database is missing.
    pub(crate) create_before_connecting: bool,
    /// The database error codes meaning the database does not exist.
    pub(crate) missing_database_codes: &'static [&'static str],
    /// The database error codes that may go away by waiting (starting up, no free
    /// connection slot).
    pub(crate) transient_codes: &'static [&'static str],
    /// The labelled details the backend's errors carry beyond their message
    /// (PostgreSQL's `DETAIL`, `HINT`); `None` for another backend's error.
    pub(crate) error_details: ErrorDetails,
    /// The catalog queries one reflection sends, in order (benchmark floors).
    pub(crate) reflection_queries: fn() -> Vec<&'static str>,
}

/// The backend `url`'s scheme names, if this build has it.
pub(crate) fn for_url(url: &str) -> Option<&'static Registration> {
    let scheme = scheme(url);
    REGISTERED
        .iter()
        .copied()
        .find(|b| b.schemes.contains(&scheme.as_str()))
}

/// The labelled details of a database error, from whichever backend raised it.
pub(crate) fn error_details(
    error: &dyn sqlx::error::DatabaseError,
) -> Option<Vec<(&'static str, String)>> {
    REGISTERED.iter().find_map(|b| (b.error_details)(error))
}

/// The catalog queries one reflection of `url`'s backend sends (see
/// [`crate::floor`]).
pub(crate) fn reflection_queries(url: &str) -> Option<Vec<&'static str>> {
    for_url(url).map(|b| (b.reflection_queries)())
}

/// The scheme of `url` in lower case: the text before its first `:`.
pub(crate) fn scheme(url: &str) -> String {
    url.split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Connects to the backend that `url`'s scheme names.
pub(crate) async fn connect(url: &str) -> Result<Arc<dyn Driver>> {
    if let Some(backend) = for_url(url) {
        return (backend.connect)(url).await;
    }
    let scheme = scheme(url);
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let message = if is_scheme {
        format!(
            "unsupported scheme `{scheme}`; this build of dbconform supports: {}",
            supported_schemes().join(", ")
        )
    } else {
        // `postgres//user:pw@host/db`: no `scheme:` at all; the text before the first `:`
        // is not a scheme and is not repeated (it may hold the user name).
        format!(
            "it does not start with a scheme such as `postgres://user:password@host:5432/database` or `sqlite://app.db`; this build of dbconform supports: {}",
            supported_schemes().join(", ")
        )
    };
    Err(Error::InvalidUrl {
        url: redact_url(url),
        message,
    })
}

fn supported_schemes() -> Vec<&'static str> {
    REGISTERED
        .iter()
        .flat_map(|b| b.schemes.iter().copied())
        .collect()
}

/// An sqlx pool dbconform can work through (`SqlitePool`, `PgPool`, and with the `mysql`
/// feature `MySqlPool`, whose connect options it opens connections of its own with).
pub trait SupportedPool: sealed::Sealed {
    #[doc(hidden)]
    fn into_driver(self) -> Arc<dyn Driver>;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}
