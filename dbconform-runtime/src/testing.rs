//! Throwaway databases for your application's own tests.
//!
//! Each call gives a fresh database that already conforms to every registered table,
//! with the sqlx pool to use, and removes it when dropped. Tests running in parallel
//! never see each other's data.
//!
//! An integration test (`tests/*.rs`) is a binary of its own: when the models live in the
//! application's library, the test must name that library (`use my_app as _;`) or the
//! linker leaves its tables out. With no table registered, both functions refuse with
//! [`Error::NoTables`](dbconform_core::Error::NoTables), which names the line to add.
//!
//! ```no_run
//! # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
//! # async fn test() -> dbconform::Result<()> {
//! let db = dbconform::testing::throwaway_sqlite().await?;
//! dbconform::sqlx::query("INSERT INTO users (name) VALUES ('ada')")
//!     .execute(db.pool())
//!     .await
//!     .unwrap();
//! # Ok(()) }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub use crate::backend::throwaway::*;

/// Runs `drop` to completion from a `Drop` impl, which cannot await: a private runtime
/// on its own thread works inside and outside an async runtime alike. A failure is
/// logged with `what` (e.g. `the throwaway schema x`), never raised.
pub(crate) fn drop_detached<F>(what: String, drop: F)
where
    F: std::future::Future<Output = dbconform_core::Result<()>> + Send + 'static,
{
    let outcome = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(drop)
            .map_err(|e| e.to_string())
    })
    .join();
    if let Ok(Err(message)) = outcome {
        tracing::warn!(%message, "could not drop {what}");
    }
}

/// A name no other throwaway database of this or any other process uses.
pub(crate) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}
