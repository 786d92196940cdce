//! Throwaway PostgreSQL databases: a scratch schema.

use super::connect_options;
use crate::testing::unique_suffix;
use crate::{DbConform, Report};
use dbconform_core::dialect::quote_ident_double;
use dbconform_core::{Error, Options, Result, redact_url};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// A scratch PostgreSQL schema conformed to every registered table (those without an
/// explicit `schema`), with a pool whose `search_path` is that schema. The schema is
/// dropped with everything in it by [`ThrowawayPostgres::cleanup`] or on drop.
#[derive(Debug)]
pub struct ThrowawayPostgres {
    pool: PgPool,
    schema: String,
    url: String,
    report: Report,
    dropped: bool,
}

impl ThrowawayPostgres {
    /// The pool to run your test's queries through (`search_path` = the scratch schema).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The scratch schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// What conforming the fresh schema did.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Drops the scratch schema now (otherwise it is dropped on drop, from a helper
    /// thread).
    pub async fn cleanup(mut self) -> Result<()> {
        self.dropped = true;
        self.pool.close().await;
        drop_schema(&self.url, &self.schema).await
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, schema) = (self.url.clone(), self.schema.clone());
        crate::testing::drop_detached(format!("the throwaway schema {schema}"), async move {
            drop_schema(&url, &schema).await
        });
    }
}

/// A pool of at most `connections` to `url` (connected with `options`).
async fn pool(url: &str, options: PgConnectOptions, connections: u32) -> Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(connections)
        .connect_with(options)
        .await
        .map_err(|e| Error::Connect {
            url: redact_url(url),
            source: crate::DriverError::boxed(e),
        })
}

async fn drop_schema(url: &str, schema: &str) -> Result<()> {
    let pool = pool(url, connect_options(url)?, 1).await?;
    let statement = format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        quote_ident_double(schema)
    );
    let outcome = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await;
    pool.close().await;
    outcome.map(|_| ()).map_err(|e| Error::Database {
        operation: format!("dropping schema {schema}"),
        source: crate::DriverError::boxed(e),
    })
}

/// A fresh scratch schema in the database at `url`, conformed to every registered
/// table.
pub async fn throwaway_postgres(url: &str) -> Result<ThrowawayPostgres> {
    let schema = format!("dbconform_tmp_{}", unique_suffix());
    let options = connect_options(url)?.options([("search_path", schema.as_str())]);
    let pool = pool(url, options, 4).await?;
    let mut db = ThrowawayPostgres {
        pool: pool.clone(),
        schema: schema.clone(),
        url: url.to_string(),
        report: Report {
            dialect: dbconform_core::dialect::Dialect::name(&dbconform_core::dialect::POSTGRES)
                .into(),
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
    let options = Options {
        target_schema: schema,
        ..Options::default()
    };
    // On failure `db` is dropped here, which drops the half-made schema too.
    db.report = DbConform::from_pool(pool)
        .with_options(options)
        .apply_all()
        .await?;
    Ok(db)
}
