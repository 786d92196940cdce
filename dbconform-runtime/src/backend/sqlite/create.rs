//! Database creation: the file of a `sqlite://` URL.

use dbconform_core::{Error, Result, redact_url};
use sqlx::ConnectOptions as _;
use sqlx::sqlite::SqliteConnectOptions;
use std::str::FromStr;

/// Creates the file `url` names unless it exists (`true` when it created it); an
/// in-memory database needs nothing.
pub(super) async fn create_if_missing(url: &str) -> Result<bool> {
    let options = SqliteConnectOptions::from_str(url).map_err(|e| Error::InvalidUrl {
        url: redact_url(url),
        message: e.to_string(),
    })?;
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(false);
    }
    let path = options.get_filename().to_path_buf();
    if path.exists() {
        return Ok(false);
    }
    let connection = options
        .create_if_missing(true)
        .connect()
        .await
        .map_err(|e| Error::Connect {
            url: redact_url(url),
            source: crate::DriverError::boxed(e),
        })?;
    let _ = sqlx::Connection::close(connection).await;
    tracing::info!(path = %path.display(), "created the SQLite database file");
    Ok(true)
}
