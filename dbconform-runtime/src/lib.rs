//! Database side of dbconform: connect, reflect, execute plans. Use it through the
//! `dbconform` crate, which re-exports everything here.

mod backend;
pub mod blocking;
mod conform;
mod driver;
mod preflight;
mod probe;
mod report;
#[cfg(feature = "testing")]
pub mod testing;

pub use backend::SupportedPool;
pub use conform::{DbConform, conform_all, desired_schema};
pub use dbconform_core as core;
pub use preflight::{PreflightReport, PreflightStep, StepOutcome};
pub use report::{ExecutedStep, Report};
pub use sqlx;
