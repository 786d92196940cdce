//! Scratch databases: a PostgreSQL scratch schema ([`PgScratch`]) that is dropped even
//! when the test panics, and a SQLite file in a temporary directory.

use dbconform::DbConform;
use dbconform::sqlx::{
    self, AssertSqlSafe, Connection, PgConnection, PgPool, postgres::PgPoolOptions,
};
use std::sync::atomic::{AtomicU32, Ordering};

/// The URL of a database server from the environment variable `var`. Without it the tests
/// of that server are skipped locally, but fail in CI (`CI` set), where they must never be
/// skipped.
pub fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{var} is not set: its tests must run in CI")
        }
        _ => {
            eprintln!("{var} is not set: skipping a test of its database");
            None
        }
    }
}

/// The PostgreSQL URL from `DBCONFORM_TEST_PG_URL` (see [`server_url`]).
pub fn pg_url() -> Option<String> {
    server_url("DBCONFORM_TEST_PG_URL")
}

/// `url` with its database replaced by `name` (percent-encoded).
pub fn with_database(url: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    let scheme_end = url.find("://").map(|i| i + 3).unwrap_or(0);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    format!("{}/{encoded}{query}", &base[..path_start])
}

/// `url` connecting as `user`, without a password (the test servers let a new account
/// connect without one).
pub fn as_user(url: &str, user: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority = url[start..]
        .find('/')
        .map_or(&url[start..], |end| &url[start..start + end]);
    let host = authority.rfind('@').map_or(start, |at| start + at + 1);
    format!("{}{user}@{}", &url[..start], &url[host..])
}

/// Drops the database `name` of the server at `url`, if it is there, whoever is connected.
pub async fn drop_database(url: &str, name: &str) {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let statement = format!(
        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
        name.replace('"', "\"\"")
    );
    sqlx::raw_sql(AssertSqlSafe(statement))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// A fresh, empty database `name` on the server at `url` (one left by an earlier run is
/// dropped first); returns its URL. Drop it with [`drop_database`].
pub async fn create_database(url: &str, name: &str) -> String {
    drop_database(url, name).await;
    let mut conn = PgConnection::connect(url).await.unwrap();
    let statement = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    sqlx::raw_sql(AssertSqlSafe(statement))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    with_database(url, name)
}

/// How many tables the scratch cleanup drops per transaction. Each dropped table takes a
/// lock on itself, its indexes, sequences and TOAST table; a whole schema of a thousand
/// tables in one `DROP SCHEMA ... CASCADE` needs thousands of lock slots and fails with
/// `out of shared memory` on a server whose shared lock table
/// (`max_locks_per_transaction` = 64 per connection by default) other sessions use too.
pub const TABLES_PER_DROP: usize = 50;

/// The name of a scratch schema or database for the test tagged `tag`: `dbct_<tag>_<pid>_<n>`,
/// the tag cut to letters, digits and `_` and to 32 characters, so that the name stays
/// well under PostgreSQL's 63 bytes and MySQL's 64 characters.
pub fn scratch_name(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let tag: String = tag
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(32)
        .collect();
    format!(
        "dbct_{tag}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A scratch schema for one test, dropped by `cleanup` or, when the test never gets there
/// (a failed assertion panics), on drop.
pub struct PgScratch {
    pub pool: PgPool,
    pub schema: String,
    url: String,
    dropped: bool,
}

impl PgScratch {
    pub async fn new(url: &str, tag: &str) -> PgScratch {
        let schema = scratch_name(tag);
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect(url)
            .await
            .expect("connect to PostgreSQL");
        // A schema of the same name left by an earlier run of the same process id.
        let mut conn = pool.acquire().await.expect("a connection");
        drop_in_pieces(&mut conn, &schema)
            .await
            .unwrap_or_else(|e| panic!("dropping the stale scratch schema {schema}: {e}"));
        drop(conn);
        PgScratch {
            pool,
            schema,
            url: url.to_string(),
            dropped: false,
        }
    }

    pub fn options(&self) -> dbconform::Options {
        dbconform::Options {
            target_schema: self.schema.clone(),
            ..dbconform::Options::default()
        }
    }

    /// A scratch schema (created) with `ddl` run in it, and a `DbConform` targeting it.
    pub async fn with_ddl(url: &str, tag: &str, ddl: &str) -> (PgScratch, DbConform) {
        let scratch = PgScratch::new(url, tag).await;
        scratch.ddl(ddl).await;
        let db = scratch.conform().await;
        (scratch, db)
    }

    /// A `DbConform` on its own pool whose target schema is the scratch schema.
    pub async fn conform(&self) -> DbConform {
        DbConform::connect(&self.url)
            .await
            .unwrap()
            .with_options(self.options())
    }

    /// Runs hand-written DDL in the scratch schema, creating it if need be (`search_path`
    /// is set to it for the batch).
    pub async fn ddl(&self, sql: &str) {
        let batch = format!(
            "CREATE SCHEMA IF NOT EXISTS \"{0}\"; SET search_path TO \"{0}\"; {sql}; RESET search_path",
            self.schema
        );
        let mut conn = self.pool.acquire().await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(batch))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("DDL failed: {e}\n{sql}"));
    }

    /// Runs hand-written SQL (several statements allowed) with `{S}` replaced by the
    /// quoted scratch schema and a dot.
    pub async fn exec(&self, sql: &str) {
        let sql = sql.replace("{S}", &format!("\"{}\".", self.schema));
        sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .execute(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    }

    /// Drops the schema (see [`PgScratch::cleanup_in_pieces`]) and closes the pool.
    pub async fn cleanup(self) {
        let schema = self.schema.clone();
        if let Err(e) = self.cleanup_in_pieces().await {
            panic!("dropping the scratch schema {schema}: {e}");
        }
    }

    /// Drops the schema's tables [`TABLES_PER_DROP`] per transaction, then the schema with
    /// what is left in it, and closes the pool; returns how many tables each transaction
    /// dropped. On failure the drop guard tries again on a connection of its own.
    pub async fn cleanup_in_pieces(mut self) -> Result<Vec<usize>, sqlx::Error> {
        let pieces = match self.pool.acquire().await {
            Ok(mut conn) => drop_in_pieces(&mut conn, &self.schema).await,
            Err(e) => Err(e),
        };
        self.dropped = pieces.is_ok();
        self.pool.close().await;
        pieces
    }
}

impl Drop for PgScratch {
    /// A test that panicked before `cleanup` still leaves nothing behind. The drop may run
    /// while the test's runtime unwinds (it cannot be blocked on, and the test's pool may
    /// hold a connection in a transaction that runtime would have rolled back), so the
    /// schema is dropped from a thread with a runtime and a connection of its own, which
    /// gives up after a lock timeout rather than wait for the test's own locks forever.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let outcome = detached(move || async move {
            let mut conn = PgConnection::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            sqlx::raw_sql("SET lock_timeout = '10s'")
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            let pieces = drop_in_pieces(&mut conn, &schema)
                .await
                .map_err(|e| e.to_string());
            let _ = conn.close().await;
            pieces
        });
        if let Err(e) = outcome {
            eprintln!("could not drop the scratch schema {}: {e}", self.schema);
        }
    }
}

/// Runs the cleanup `work` makes to completion on a thread with a runtime of its own: for
/// a `Drop`, which may run while the test's runtime unwinds and cannot be blocked on.
pub fn detached<F, Fut, T>(work: F) -> Result<T, String>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, String>>,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(work())
    })
    .join()
    .unwrap_or_else(|_| Err("the cleanup panicked".to_string()))
}

/// Drops the tables of `schema` [`TABLES_PER_DROP`] per statement (each its own
/// transaction), then the schema with whatever else it holds (views, sequences, types: a
/// few); returns how many tables each statement dropped. Nothing to do when the schema
/// does not exist.
pub async fn drop_in_pieces(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Vec<usize>, sqlx::Error> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(&mut *conn)
    .await?;
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let mut pieces = Vec::new();
    for chunk in tables.chunks(TABLES_PER_DROP) {
        let names: Vec<String> = chunk
            .iter()
            .map(|t| format!("{}.{}", quote(schema), quote(t)))
            .collect();
        // CASCADE: a foreign key from a table of a later piece goes with its target.
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP TABLE IF EXISTS {} CASCADE",
            names.join(", ")
        )))
        .execute(&mut *conn)
        .await?;
        pieces.push(chunk.len());
    }
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        quote(schema)
    )))
    .execute(&mut *conn)
    .await?;
    Ok(pieces)
}

/// A SQLite file with `ddl` run on it, and a `DbConform` on it.
pub async fn sqlite_with(ddl: &str) -> (tempfile::TempDir, DbConform) {
    let (dir, url) = sqlite_file();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(ddl.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    (dir, DbConform::connect(&url).await.unwrap())
}

/// A SQLite file in a fresh temporary directory.
pub fn sqlite_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    (dir, url)
}
