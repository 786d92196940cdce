//! Database creation: `CREATE DATABASE IF NOT EXISTS`, connected without a database.

use dbconform_core::dialect::{Dialect, MYSQL, mysql::TABLE_OPTIONS};
use dbconform_core::{Error, Result, redact_url};
use sqlx::Connection;
use sqlx::mysql::MySqlConnection;

/// Creates the database `url` names unless it exists (`true` when it created it): with
/// the same credentials and no database selected, the name quoted; another process
/// creating it at the same moment is fine.
pub(super) async fn create_if_missing(url: &str) -> Result<bool> {
    let options = super::connect_options(url)?;
    let name = options.get_database().unwrap_or_default().to_string();
    let server = server_options(url)?;
    let mut conn = MySqlConnection::connect_with(&server)
        .await
        .map_err(|e| Error::Connect {
            url: format!(
                "{} (without a database, to create `{name}`)",
                redact_url(url)
            ),
            source: crate::DriverError::boxed(e),
        })?;
    let database_error = |operation: String| {
        move |e: sqlx::Error| Error::Database {
            operation,
            source: crate::DriverError::boxed(e),
        }
    };
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")
            .bind(&name)
            .fetch_optional(&mut conn)
            .await
            .map_err(database_error(format!(
                "looking up database `{name}` in information_schema.SCHEMATA"
            )))?;
    let outcome = if exists.is_some() {
        Ok(false)
    } else {
        // The character set and collation of the tables dbconform creates.
        let charset = TABLE_OPTIONS
            .split_whitespace()
            .filter(|o| o.starts_with("CHARSET=") || o.starts_with("COLLATE="))
            .map(|o| o.replacen('=', " ", 1))
            .collect::<Vec<_>>()
            .join(" ");
        let statement = format!(
            "CREATE DATABASE IF NOT EXISTS {} {charset}",
            MYSQL.quote_ident(&name)
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.as_str()))
            .execute(&mut conn)
            .await
            .map(|_| {
                tracing::info!(database = %name, "created the MySQL database");
                true
            })
            .map_err(database_error(format!(
                "{statement} (on `{}`)",
                redact_url(url)
            )))
    };
    let _ = conn.close().await;
    outcome
}

/// The connect options of `url` without its database (the path removed, the query kept).
fn server_options(url: &str) -> Result<sqlx::mysql::MySqlConnectOptions> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority = base.find("://").map_or(0, |at| at + 3);
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |slash| authority + slash);
    let mut server = format!("mysql:{}", &base[base.find(':').map_or(0, |c| c + 1)..end]);
    if let Some(query) = query {
        server.push('?');
        server.push_str(query);
    }
    server
        .parse::<sqlx::mysql::MySqlConnectOptions>()
        .map_err(|e| Error::InvalidUrl {
            url: redact_url(url),
            message: e.to_string(),
        })
}
