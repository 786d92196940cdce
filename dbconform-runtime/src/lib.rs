//! Database side of dbconform: connect, reflect, execute plans. Use it through the
//! `dbconform` crate, which re-exports everything here.

mod backend;
pub mod blocking;
mod conform;
pub mod deploy;
mod driver;
mod driver_error;
mod preflight;
mod probe;
mod report;
#[cfg(feature = "testing")]
pub mod testing;

pub use backend::SupportedPool;
pub use conform::{DbConform, conform_all, desired_schema};
pub use dbconform_core as core;
pub use deploy::{ConnectOptions, create_database_if_missing, wait_for_database};
pub use driver_error::DriverError;
pub use preflight::{PreflightReport, PreflightStep, StepOutcome};
pub use report::{ExecutedStep, Report, RoundTrip};
pub use sqlx;

/// For dbconform's own differential tests (`tests/reflect_sqlite_differential.rs`): SQLite
/// reflection from the stored text next to the pragma-based reference. Not public API.
#[doc(hidden)]
#[cfg(feature = "sqlite")]
pub mod sqlite_reflection {
    use dbconform_core::{Result, Schema};

    /// Both reflections of one database.
    #[derive(Debug)]
    pub struct Reflections {
        /// What dbconform reflects (text, pragmas for the tables in `fallback`).
        pub schema: Schema,
        /// Tables the text path left to the pragmas.
        pub fallback: Vec<String>,
        /// Every table read with the pragmas.
        pub reference: Schema,
    }

    /// Reflects the database `conn` is connected to both ways.
    pub async fn both(conn: &mut sqlx::SqliteConnection) -> Result<Reflections> {
        let (schema, fallback, reference) = crate::backend::sqlite::reflections(conn).await?;
        Ok(Reflections {
            schema,
            fallback,
            reference,
        })
    }
}

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
