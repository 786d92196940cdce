//! Throwaway MySQL databases: a scratch database on the server.

use super::{connect_options, set_up_session};
use crate::testing::unique_suffix;
use crate::{DbConform, Report};
use dbconform_core::dialect::{Dialect, MYSQL};
use dbconform_core::{Error, Result, redact_url};
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};

/// A scratch MySQL/MariaDB database conformed to every registered table, with a pool
/// connected to it (each connection set up as dbconform's own: `\` escapes in literals,
/// strict mode, UTC). The database is dropped with everything in it by
/// [`ThrowawayMySql::cleanup`] or on drop.
#[derive(Debug)]
pub struct ThrowawayMySql {
    pool: MySqlPool,
    database: String,
    url: String,
    report: Report,
    dropped: bool,
}

impl ThrowawayMySql {
    /// The pool to run your test's queries through (connected to the scratch database).
    pub fn pool(&self) -> &MySqlPool {
        &self.pool
    }

    /// The scratch database's name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// What conforming the fresh database did.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Drops the scratch database now (otherwise it is dropped on drop, from a helper
    /// thread).
    pub async fn cleanup(mut self) -> Result<()> {
        self.dropped = true;
        self.pool.close().await;
        drop_database(&self.url, &self.database).await
    }
}

impl Drop for ThrowawayMySql {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, database) = (self.url.clone(), self.database.clone());
        crate::testing::drop_detached(format!("the throwaway database {database}"), async move {
            drop_database(&url, &database).await
        });
    }
}

/// `url` naming `database` instead of its own (the query kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |at| at + 3);
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |slash| authority + slash);
    format!("{}/{database}{query}", &base[..end])
}

/// Runs `statement` on the server `url` names (connected to its own database).
async fn run_on_server(url: &str, statement: String, operation: String) -> Result<()> {
    let pool = MySqlPoolOptions::new()
        .max_connections(1)
        .connect_with(connect_options(url)?)
        .await
        .map_err(|e| Error::Connect {
            url: redact_url(url),
            source: crate::DriverError::boxed(e),
        })?;
    let outcome = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await;
    pool.close().await;
    outcome.map(|_| ()).map_err(|e| Error::Database {
        operation,
        source: crate::DriverError::boxed(e),
    })
}

async fn drop_database(url: &str, database: &str) -> Result<()> {
    run_on_server(
        url,
        format!("DROP DATABASE IF EXISTS {}", MYSQL.quote_ident(database)),
        format!("dropping database {database}"),
    )
    .await
}

/// A fresh scratch database on the server at `url` (a URL naming any database the user
/// can connect to, `mysql://root@127.0.0.1:3306/test`), conformed to every registered
/// table. The user needs the right to create databases.
pub async fn throwaway_mysql(url: &str) -> Result<ThrowawayMySql> {
    let database = format!("dbconform_tmp_{}", unique_suffix());
    run_on_server(
        url,
        format!("CREATE DATABASE {}", MYSQL.quote_ident(&database)),
        format!("creating database {database}"),
    )
    .await?;
    let scratch = with_database(url, &database);
    let mut db = ThrowawayMySql {
        pool: MySqlPoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| Box::pin(set_up_session(conn)))
            .connect_lazy_with(connect_options(&scratch)?),
        database,
        url: url.to_string(),
        report: Report {
            dialect: MYSQL.name().into(),
            executed: Vec::new(),
            blocked: Vec::new(),
            drift: Vec::new(),
            round_trips: Vec::new(),
            total: std::time::Duration::ZERO,
            attempts: 1,
            phases: Vec::new(),
            committed_first: Vec::new(),
        },
        dropped: false,
    };
    // On failure `db` is dropped here, which drops the half-made database too.
    db.report = DbConform::connect(&scratch).await?.apply_all().await?;
    Ok(db)
}
