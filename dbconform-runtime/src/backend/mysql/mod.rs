//! MySQL and MariaDB backend: connect (the dialect's session settings on every
//! connection), lock with `GET_LOCK`, the session.
//!
//! Decisions:
//!
//! - **Session.** Every connection, the pool's and the first direct one, runs the
//!   dialect's [`SESSION_SETUP`] (`\` escapes in literals, strict mode) and `SET time_zone
//!   = '+00:00'`; sqlx's own `PIPES_AS_CONCAT` is left off so that `||` means what it
//!   means in the script a user runs with the `mysql` client.
//! - **Lock.** `GET_LOCK(CONCAT('dbconform:', MD5(DATABASE())), 300)`, computed by the server
//!   (a lock name holds at most 64 characters; a database name may hold 64 on its own):
//!   conformers of the same database queue on it, other databases do not block each
//!   other. It belongs to the session, not the transaction: `RELEASE_LOCK` runs after the
//!   commit or rollback on every path ([`Backend::release_lock`]), and the connection
//!   that held it is closed rather than returned to the pool, so that a cancelled or
//!   panicking apply cannot leave it held by an idle pooled connection.
//! - **DDL is not transactional** (the dialect's `transactional_ddl` is `false`): each
//!   statement commits on its own, so an apply that fails half-way reports the steps that
//!   committed ([`dbconform_core::Error::PartiallyApplied`]), and preflight, which cannot
//!   roll back, tries the steps on empty copies of the affected tables in a scratch
//!   database it then drops ([`workspace`]); the data checks, run on the database itself,
//!   judge the rows.
//! - **Canonicalization** returns the declared tables unchanged: the dialect's normal
//!   forms decide MySQL's spellings offline (docs/DATABASE_TRAPS.md section M); asking
//!   the server for its own spelling (as PostgreSQL does with temporary tables) would
//!   commit on MySQL, and is left for later.
//! - **Pools.** `DbConform::from_pool` takes a `MySqlPool` for its connect options only:
//!   dbconform opens its own connections (at most two) with them and its session settings,
//!   rather than change the session of connections the application gets back from its
//!   pool (strict mode, no `PIPES_AS_CONCAT`, UTC) or inherit the application's (an
//!   `ANSI_QUOTES` would change what dbconform's SQL means).
//! - **Dependents**: the views and triggers, read from `information_schema` with what they
//!   use parsed from their stored text ([`dependents`]), so that a drop of a table or
//!   column one of them uses is blocked (MySQL itself keeps a view whose column was
//!   dropped, and reports it broken only when the view is used).

mod create;
mod data_checks;
mod dependents;
mod inspect;
mod privileges;
#[cfg(feature = "testing")]
pub(super) mod throwaway;
mod workspace;

use super::Registration;
use crate::driver::{Arrival, Driver, Scope, StatementCounter, db_error};
use crate::engine::{Backend, Counted, Engine};
use crate::preflight::PreflightStep;
use async_trait::async_trait;
use dbconform_core::data::{Answers, Question};
use dbconform_core::dialect::mysql::SESSION_SETUP;
use dbconform_core::dialect::{Dialect, MySql};
use dbconform_core::privileges::{Need, Privileges};
use dbconform_core::{DependentObject, Error, Plan, Result, Schema, TableDef, redact_url};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlPool, MySqlPoolOptions};
use sqlx::{Connection, Executor};
use std::str::FromStr;
use std::sync::Arc;

/// What the runtime needs of this backend before connecting.
pub(super) const REGISTRATION: Registration = Registration {
    schemes: dbconform_core::dialect::mysql::SCHEMES,
    connect: |url| Box::pin(connect(url)),
    create_database: |url| Box::pin(create::create_if_missing(url)),
    // sqlx reports a MySQL error's SQLSTATE, and an unknown database (error 1049) shares
    // `42000` with a denied one (1044) and syntax errors: rather than guess from the code,
    // the database is created (`IF NOT EXISTS`, after looking it up) before connecting.
    create_before_connecting: true,
    missing_database_codes: &[],
    // Too many connections (SQLSTATE of error 1040), communication failure (server
    // shutting down, 1053).
    transient_codes: &["08004", "08S01"],
    // MySQL's errors are their message and code.
    error_details: |_| None,
    reflection_queries: || inspect::QUERIES.to_vec(),
};

/// How long an apply waits for another conformer of the same database, in seconds.
const LOCK_TIMEOUT_SECS: u32 = 300;

/// The lock name: `dbconform:` and the MD5 of the connection's database, computed by the
/// server (42 characters, under the 64 MySQL allows).
const LOCK_NAME_SQL: &str = "CONCAT('dbconform:', MD5(DATABASE()))";

static DIALECT: MySql = MySql;

/// dbconform's MySQL backend: a pool whose connections run the session set-up; the lock is
/// `GET_LOCK`.
#[derive(Debug)]
pub(crate) struct MySqlBackend {
    pool: MySqlPool,
}

/// The connect options `url` names (`mysql://user:password@host:3306/database`).
pub(crate) fn connect_options(url: &str) -> Result<MySqlConnectOptions> {
    let authority = url
        .split_once(':')
        .is_some_and(|(_, rest)| rest.starts_with("//"));
    if !authority {
        return Err(Error::InvalidUrl {
            url: redact_url(url),
            message: "a MySQL URL has the form `mysql://user:password@host:3306/database` (`//` after the scheme); nothing was sent to any server".to_string(),
        });
    }
    // sqlx reads `mysql://`; `mariadb://` names the same server.
    let normalized = match url.split_once(':') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("mariadb") => format!("mysql:{rest}"),
        _ => url.to_string(),
    };
    let options = MySqlConnectOptions::from_str(&normalized).map_err(|e| Error::InvalidUrl {
        url: redact_url(url),
        message: e.to_string(),
    })?;
    if options.get_database().is_none_or(str::is_empty) {
        return Err(Error::InvalidUrl {
            url: redact_url(url),
            message: "a MySQL URL names the database dbconform manages: `mysql://user:password@host:3306/database`".to_string(),
        });
    }
    Ok(options
        .pipes_as_concat(false)
        .timezone(Some("+00:00".to_string())))
}

/// The session settings every connection runs before anything else: the dialect's
/// ([`SESSION_SETUP`]) and UTC.
async fn set_up_session(conn: &mut MySqlConnection) -> std::result::Result<(), sqlx::Error> {
    conn.execute(SESSION_SETUP).await?;
    conn.execute("SET time_zone = '+00:00'").await?;
    Ok(())
}

/// dbconform's pool: at most two connections with `options`, each set up by
/// [`set_up_session`] as it opens.
fn own_pool(options: MySqlConnectOptions) -> MySqlPool {
    MySqlPoolOptions::new()
        .max_connections(2)
        .after_connect(|conn, _| Box::pin(set_up_session(conn)))
        .connect_lazy_with(
            options
                .pipes_as_concat(false)
                .timezone(Some("+00:00".to_string())),
        )
}

impl super::sealed::Sealed for MySqlPool {}
impl super::SupportedPool for MySqlPool {
    /// A pool of dbconform's own with this pool's connect options (see the module
    /// documentation).
    fn into_driver(self) -> Arc<dyn Driver> {
        let options = (*self.connect_options()).clone();
        Arc::new(Engine::new(
            MySqlBackend {
                pool: own_pool(options),
            },
            None,
        ))
    }
}

/// Connects to `url` (`mysql://user@host/db`, `mariadb://...`).
pub(crate) async fn connect(url: &str) -> Result<Arc<dyn Driver>> {
    let options = connect_options(url)?;
    let connect_error = |e: sqlx::Error| Error::Connect {
        url: redact_url(url),
        source: crate::DriverError::boxed(e),
    };
    // One direct connection first: it reports a wrong host, port, database or password at
    // once (the pool would retry until its timeout), and serves the first read-only
    // operation.
    let mut first = MySqlConnection::connect_with(&options)
        .await
        .map_err(connect_error)?;
    set_up_session(&mut first).await.map_err(connect_error)?;
    Ok(Arc::new(Engine::new(
        MySqlBackend {
            pool: own_pool(options),
        },
        Some(first),
    )))
}

#[async_trait]
impl Backend for MySqlBackend {
    type Db = sqlx::MySql;
    type SetUp = ();

    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn pool(&self) -> &MySqlPool {
        &self.pool
    }

    /// The server answers each statement of a multi-statement string as it finishes.
    const ARRIVAL: Arrival = Arrival::PerStatement;

    /// `GET_LOCK` belongs to the session: the connection is closed after the apply.
    const SESSION_LOCK: bool = true;

    async fn reflect(&self, db: &mut Counted<'_, Self::Db>, _scope: &Scope) -> Result<Schema> {
        inspect::reflect(db.conn, db.counter).await
    }

    /// The declared tables unchanged (see the module documentation).
    async fn canonicalize(
        &self,
        _db: &mut Counted<'_, Self::Db>,
        tables: &[TableDef],
    ) -> Result<Vec<TableDef>> {
        Ok(tables.to_vec())
    }

    /// A refused SELECT does not abort a MySQL transaction: no savepoint.
    async fn answer(
        &self,
        db: &mut Counted<'_, Self::Db>,
        questions: &[Question],
    ) -> Result<Answers> {
        crate::data_checks::answer::<sqlx::MySql>(
            db.conn,
            questions,
            db.counter,
            &data_checks::count,
            false,
        )
        .await
    }

    /// The database's views and triggers ([`dependents`]).
    async fn dependents(
        &self,
        db: &mut Counted<'_, Self::Db>,
        _scope: &Scope,
        _actual: &Schema,
    ) -> Result<Vec<DependentObject>> {
        dependents::read(&DIALECT, db.conn, db.counter).await
    }

    /// CREATE, ALTER, DROP and (MySQL) REFERENCES from the account's grants, in one
    /// statement ([`privileges`]).
    async fn privileges(
        &self,
        db: &mut Counted<'_, Self::Db>,
        needs: &[Need],
    ) -> Result<Privileges> {
        privileges::refused(db.conn, db.counter, needs).await
    }

    /// In a scratch database next to this one ([`workspace`]): DDL here would commit.
    async fn try_elsewhere(
        &self,
        db: &mut Counted<'_, Self::Db>,
        plan: &Plan,
    ) -> Result<Option<(Vec<PreflightStep>, String)>> {
        let options = self.pool.connect_options();
        workspace::try_steps(&DIALECT, &options, plan, db.counter)
            .await
            .map(Some)
    }

    /// Takes the database's lock (waiting up to [`LOCK_TIMEOUT_SECS`]), then begins.
    async fn begin_locked<'c>(
        &self,
        conn: &'c mut MySqlConnection,
        _scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<sqlx::Transaction<'c, sqlx::MySql>> {
        counter.add(1);
        let got: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT GET_LOCK({LOCK_NAME_SQL}, {LOCK_TIMEOUT_SECS})"
        )))
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("taking the schema-change lock (GET_LOCK)"))?;
        if got != Some(1) {
            return Err(Error::Database {
                operation: "taking the schema-change lock (GET_LOCK)".into(),
                source: format!(
                    "another conformer of this database held it for more than {LOCK_TIMEOUT_SECS} seconds; nothing was changed, run again once it is done"
                )
                .into(),
            });
        }
        counter.add(1);
        match conn.begin().await {
            Ok(tx) => Ok(tx),
            Err(e) => Err(db_error("BEGIN")(e)),
        }
    }

    async fn release_lock(
        &self,
        conn: &mut MySqlConnection,
        _scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<()> {
        counter.add(1);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DO RELEASE_LOCK({LOCK_NAME_SQL})"
        )))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(db_error("releasing the schema-change lock (RELEASE_LOCK)"))
    }
}
