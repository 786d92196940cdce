//! Desired schema + actual schema → ordered, classified [`Plan`].

use crate::dialect::Dialect;
use crate::error::Result;
use crate::model::{Schema, TableDef};
use crate::options::Options;
use crate::plan::Plan;

/// Builds the plan that makes `actual` conform to `desired`.
///
/// `desired` holds the declared tables as registered (schema `None` = target schema);
/// `actual` is what reflection found, with every table's schema resolved (`Some`).
/// The result is deterministic: the same inputs give the same plan, byte for byte.
pub fn build_plan(
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    let _ = (desired, actual, dialect, options);
    unimplemented!("planner: being written")
}
