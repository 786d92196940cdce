//! Database creation: `CREATE DATABASE` through a maintenance database.

use dbconform_core::dialect::{Dialect, POSTGRES};
use dbconform_core::{Error, Result, redact_url};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Maintenance databases to connect to when creating a database, in order of
/// preference.
const MAINTENANCE_DATABASES: [&str; 2] = ["postgres", "template1"];

/// Creates the database `url` names unless it exists (`true` when it created it): with
/// the same credentials on a maintenance database, the name quoted; another process
/// creating it at the same moment is fine.
pub(super) async fn create_if_missing(url: &str) -> Result<bool> {
    let options = super::connect_options(url)?;
    let name = options
        .get_database()
        .unwrap_or_else(|| options.get_username())
        .to_string();
    let mut connection = None;
    for maintenance in MAINTENANCE_DATABASES {
        match PgConnection::connect_with(&options.clone().database(maintenance)).await {
            Ok(conn) => {
                connection = Some(conn);
                break;
            }
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("3D000") => {
                continue;
            }
            Err(e) => {
                return Err(Error::Connect {
                    url: format!(
                        "{} (maintenance database `{maintenance}`, to create `{name}`)",
                        redact_url(url)
                    ),
                    source: crate::DriverError::boxed(e),
                });
            }
        }
    }
    let Some(mut conn) = connection else {
        return Err(Error::MissingMaintenanceDatabase {
            database: name,
            url: redact_url(url),
        });
    };
    let exists = sqlx::query_scalar::<_, i32>("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut conn)
        .await
        .map_err(|e| Error::Database {
            operation: format!("looking up database `{name}` in pg_database"),
            source: crate::DriverError::boxed(e),
        })?
        .is_some();
    let outcome = if exists {
        Ok(false)
    } else {
        let statement = format!("CREATE DATABASE {}", POSTGRES.quote_ident(&name));
        match sqlx::raw_sql(sqlx::AssertSqlSafe(statement.as_str()))
            .execute(&mut conn)
            .await
        {
            Ok(_) => {
                tracing::info!(database = %name, "created the PostgreSQL database");
                Ok(true)
            }
            // duplicate_database: another process created it meanwhile.
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => Ok(false),
            Err(e) => Err(Error::Database {
                operation: format!("{statement} (on `{}`)", redact_url(url)),
                source: crate::DriverError::boxed(e),
            }),
        }
    };
    let _ = conn.close().await;
    outcome
}
