//! Blocking versions of the entry points, for programs without an async runtime.
//!
//! ```no_run
//! # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
//! let report = dbconform::blocking::conform_all("sqlite://app.db?mode=rwc")?;
//! println!("{report}");
//! # Ok::<(), dbconform::Error>(())
//! ```

use crate::{DbConform, Report};
use dbconform_core::{Error, Options, Plan, Result};
use std::future::Future;

/// Runs `future` to completion on a private runtime. Inside an async runtime (where
/// blocking the thread would deadlock or panic) it runs on a separate thread.
fn block_on<F, T>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send,
    T: Send,
{
    let run = move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Database {
                operation: "starting a runtime".into(),
                source: Box::new(e),
            })?
            .block_on(future)
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|scope| {
            scope.spawn(run).join().unwrap_or_else(|_| {
                Err(Error::NotExecutable(
                    "the dbconform worker thread panicked".into(),
                ))
            })
        })
    } else {
        run()
    }
}

/// Blocking [`crate::conform_all`].
pub fn conform_all(url: &str) -> Result<Report> {
    block_on(crate::conform_all(url))
}

/// Blocking [`DbConform::apply_all`] with `options`.
pub fn apply_all(url: &str, options: Options) -> Result<Report> {
    block_on(async {
        DbConform::connect(url)
            .await?
            .with_options(options)
            .apply_all()
            .await
    })
}

/// Blocking [`DbConform::compare_all`] with `options`.
pub fn compare_all(url: &str, options: Options) -> Result<Plan> {
    block_on(async {
        DbConform::connect(url)
            .await?
            .with_options(options)
            .compare_all()
            .await
    })
}

/// Blocking [`DbConform::check_all`] with `options`.
pub fn check_all(url: &str, options: Options) -> Result<()> {
    block_on(async {
        DbConform::connect(url)
            .await?
            .with_options(options)
            .check_all()
            .await
    })
}
