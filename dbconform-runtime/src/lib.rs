//! Database side of dbconform: connect, reflect, execute plans. Use it through the
//! `dbconform` crate, which re-exports everything here.

mod backend;
pub mod blocking;
mod conform;
pub mod deploy;
mod driver;
mod preflight;
mod probe;
mod report;
#[cfg(feature = "testing")]
pub mod testing;

pub use backend::SupportedPool;
pub use conform::{DbConform, conform_all, desired_schema};
pub use dbconform_core as core;
pub use deploy::{ConnectOptions, create_database_if_missing, wait_for_database};
pub use preflight::{PreflightReport, PreflightStep, StepOutcome};
pub use report::{ExecutedStep, Report};
pub use sqlx;

/// For `examples/bench.rs`: the catalog queries one reflection sends, to time them alone
/// (the floor a reflection cannot beat). Not public API.
#[doc(hidden)]
pub mod floor {
    /// PostgreSQL: each takes the schemas in scope as `$1` (a text array).
    #[cfg(feature = "postgres")]
    pub const POSTGRES_REFLECTION_QUERIES: &[&str] = crate::backend::postgres::REFLECTION_QUERIES;
    /// SQLite: no parameters.
    #[cfg(feature = "sqlite")]
    pub fn sqlite_reflection_queries() -> Vec<&'static str> {
        crate::backend::sqlite::reflection_queries()
    }
}
