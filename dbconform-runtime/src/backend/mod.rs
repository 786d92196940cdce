//! One folder per backend, each with the same files: `mod.rs` (the driver: connect,
//! lock, execute) and `inspect.rs` (reflection, queries as constants at the bottom).
//! Adding a backend means adding a folder and one line in [`connect`].

use crate::driver::Driver;
use dbconform_core::{Error, Result, redact_url};
use std::sync::Arc;

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

/// The scheme of `url` in lower case: the text before its first `:`.
pub(crate) fn scheme(url: &str) -> String {
    url.split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Connects to the backend that `url`'s scheme names.
pub(crate) async fn connect(url: &str) -> Result<Arc<dyn Driver>> {
    let scheme = scheme(url);
    #[cfg(feature = "sqlite")]
    if sqlite::SCHEMES.contains(&scheme.as_str()) {
        return Ok(Arc::new(sqlite::SqliteDriver::connect(url).await?));
    }
    #[cfg(feature = "postgres")]
    if postgres::SCHEMES.contains(&scheme.as_str()) {
        return Ok(Arc::new(postgres::PgDriver::connect(url).await?));
    }
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
    #[allow(unused_mut)]
    let mut schemes: Vec<&'static str> = Vec::new();
    #[cfg(feature = "sqlite")]
    schemes.extend(sqlite::SCHEMES);
    #[cfg(feature = "postgres")]
    schemes.extend(postgres::SCHEMES);
    schemes
}

/// An sqlx pool dbconform can work through (`SqlitePool`, `PgPool`).
pub trait SupportedPool: sealed::Sealed {
    #[doc(hidden)]
    fn into_driver(self) -> Arc<dyn Driver>;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}
