//! Running a PostgreSQL test body so that its scratch schemas are dropped whatever the
//! body does. A binary includes it on its own, next to `common`
//! (`#[path = "common/pg_cases.rs"] mod pg_cases;`).

use crate::common::{PgScratch, pg_url};
use std::future::Future;

/// Runs `body` in a task of its own, then drops every schema of `scratches` and, if the
/// body panicked (a failed assertion), raises its panic again. The task is what makes the
/// cleanup certain: a panic inside it ends the task, not the test, so the schemas are
/// dropped through the ordinary path before the test fails.
pub async fn run_then_drop<Fut>(scratches: Vec<PgScratch>, body: Fut)
where
    Fut: Future<Output = ()> + Send + 'static,
{
    let outcome = tokio::spawn(body).await;
    for scratch in scratches {
        scratch.cleanup().await;
    }
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// A fresh scratch schema tagged `tag` on the server of `DBCONFORM_TEST_PG_URL`, with the
/// server's URL; `None` when no server is configured (see `pg_url`, which refuses to skip
/// in CI).
pub async fn scratch(tag: &str) -> Option<(String, PgScratch)> {
    let url = pg_url()?;
    let scratch = PgScratch::new(&url, tag).await;
    Some((url, scratch))
}
