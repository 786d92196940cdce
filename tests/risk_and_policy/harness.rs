//! What the policy tests read from a plan. The databases are the shared matrix's
//! (`common::TestDb`).

use dbconform::{Plan, Step};

/// The one step of `plan` that does `what` (`describe()` starts with it), or the part of
/// a SQLite table rebuild that does.
pub(crate) fn step<'a>(plan: &'a Plan, what: &str) -> Option<&'a Step> {
    plan.steps()
        .iter()
        .flat_map(|s| std::iter::once(s).chain(&s.parts))
        .find(|s| s.describe().starts_with(what))
}

/// The blocked step that does `what`, with what unlocks it and its problem.
pub(crate) fn blocked<'a>(plan: &'a Plan, what: &str) -> Option<&'a dbconform::BlockedStep> {
    plan.blocked()
        .iter()
        .find(|b| b.step.describe().starts_with(what))
}
