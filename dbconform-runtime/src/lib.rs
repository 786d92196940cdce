//! Database side of dbconform: connect, reflect, execute plans. Use it through the
//! `dbconform` crate, which re-exports everything here.

mod backend;
pub mod blocking;
mod conform;
mod data_checks;
pub mod deploy;
mod driver;
mod driver_error;
mod engine;
mod preflight;
mod report;
#[cfg(feature = "testing")]
pub mod testing;

pub use backend::SupportedPool;
pub use conform::{DbConform, conform_all, desired_schema};
pub use dbconform_core as core;
pub use deploy::{ConnectOptions, create_database_if_missing, wait_for_database};
pub use driver_error::DriverError;
pub use preflight::{PreflightReport, PreflightStep, StepOutcome};
pub use report::{ExecutedStep, PhaseRun, Report, RoundTrip};
pub use sqlx;

/// For dbconform's own differential tests (`tests/reflect_sqlite_differential.rs`). Not
/// public API.
#[doc(hidden)]
#[cfg(feature = "sqlite")]
pub use backend::sqlite::differential as sqlite_reflection;

/// For `examples/bench.rs`: the catalog queries one reflection sends, to time them alone
/// (the floor a reflection cannot beat). Not public API.
#[doc(hidden)]
pub mod floor {
    /// The catalog queries one reflection of `url`'s backend sends, in order (PostgreSQL's
    /// take the schemas in scope as `$1`, a text array); `None` when this build has no
    /// backend for its scheme.
    pub fn reflection_queries(url: &str) -> Option<Vec<&'static str>> {
        crate::backend::reflection_queries(url)
    }
}
