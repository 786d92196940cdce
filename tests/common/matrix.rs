//! The backend matrix: one fresh scratch database per backend, with the raw SQL the tests
//! drift and inspect it with (read through the database, not through dbconform).
//!
//! - [`TestDb::all`] for a test that runs on every backend in turn;
//! - [`backend_tests!`] for one test per backend (`name::sqlite`, `name::postgres`,
//!   `name::mysql`);
//! - [`TestDb::sqlite`] / [`TestDb::postgres`] / [`TestDb::mysql`] for a test of one
//!   backend.
//!
//! SQLite is always there (a temporary file); a server backend is there when its URL is
//! set, and in CI (`CI` set) a missing URL panics rather than skips. MySQL/MariaDB is in
//! the matrix when the `mysql` feature is on (`--all-features`, as CI builds). A new
//! backend is one variant of [`Backend`] (its name, its URL variable and how a scratch
//! database of it is opened, all below) and one line in [`backend_tests!`].
//!
//! Hand-written SQL is written once for every backend: identifiers in double quotes (the
//! MySQL test connections run in `ANSI` mode, as the SQL standard reads them, and
//! `CAST(x AS TEXT)` is spelled `AS CHAR` there), `{S}` where a table needs its schema.

#[cfg(feature = "mysql")]
use super::mysql::Scratch as MysqlScratch;
use super::scratch::{PgScratch, server_url, sqlite_file};
use dbconform::sqlx::{self, AssertSqlSafe, PgPool, Row, SqlitePool};
#[cfg(feature = "mysql")]
use dbconform::sqlx::{MySqlPool, mysql::MySqlPoolOptions};
use dbconform::{DbConform, Options, TableDef};

/// A database dbconform supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    #[cfg(feature = "mysql")]
    Mysql,
}

impl Backend {
    /// Every backend, in the order the tests run on them.
    pub const ALL: &[Backend] = &[
        Backend::Sqlite,
        Backend::Postgres,
        #[cfg(feature = "mysql")]
        Backend::Mysql,
    ];

    /// `sqlite`, `postgres`: for messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            #[cfg(feature = "mysql")]
            Backend::Mysql => "mysql",
        }
    }

    /// `SQLite`, `PostgreSQL`: for sentences.
    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            #[cfg(feature = "mysql")]
            Backend::Mysql => "MySQL",
        }
    }

    /// The dialect dbconform plans with for this backend.
    pub fn dialect(self) -> &'static dyn dbconform::dialect::Dialect {
        match self {
            Backend::Sqlite => &dbconform::dialect::SQLITE,
            Backend::Postgres => &dbconform::dialect::POSTGRES,
            #[cfg(feature = "mysql")]
            Backend::Mysql => &dbconform::dialect::MYSQL,
        }
    }

    /// The environment variable holding the server's URL; `None` for an embedded database.
    pub fn url_var(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("DBCONFORM_TEST_PG_URL"),
            #[cfg(feature = "mysql")]
            Backend::Mysql => Some("DBCONFORM_TEST_MYSQL_URL"),
        }
    }
}

/// What [`TestDb::catalog`] reads.
#[derive(Clone, Copy)]
enum Catalog {
    Tables,
    Columns,
    Indexes,
}

enum Pool {
    Sqlite(SqlitePool, tempfile::TempDir),
    Postgres(PgScratch),
    #[cfg(feature = "mysql")]
    Mysql(MySqlPool, MysqlScratch),
}

/// A fresh database of one backend: a SQLite file, or a PostgreSQL scratch schema. Dropped
/// without [`TestDb::cleanup`] (a test that panicked), it still leaves nothing behind.
pub struct TestDb {
    pub backend: Backend,
    url: String,
    pool: Pool,
}

impl TestDb {
    /// A fresh database of every backend available (see the module documentation).
    pub async fn all(tag: &str) -> Vec<TestDb> {
        let mut dbs = Vec::new();
        for &backend in Backend::ALL {
            if let Some(db) = TestDb::open(backend, tag).await {
                dbs.push(db);
            }
        }
        dbs
    }

    /// A fresh database of `backend`; `None` when its server's URL is not set (outside CI).
    /// `tag` names the scratch schema (letters, digits and `_` are kept).
    pub async fn open(backend: Backend, tag: &str) -> Option<TestDb> {
        let url = match backend.url_var() {
            None => None,
            Some(var) => Some(server_url(var)?),
        };
        Some(match (backend, url) {
            (Backend::Sqlite, _) => TestDb::sqlite().await,
            (Backend::Postgres, Some(url)) => TestDb {
                backend,
                pool: Pool::Postgres(PgScratch::new(&url, tag).await),
                url,
            },
            #[cfg(feature = "mysql")]
            (Backend::Mysql, Some(server)) => {
                let scratch = MysqlScratch::new(&server, tag).await;
                // ANSI (ANSI_QUOTES, PIPES_AS_CONCAT, ...): the tests' hand-written SQL
                // quotes identifiers with double quotes and concatenates with `||` on
                // every backend; literals in the collation dbconform gives its tables.
                // dbconform's own connections keep the server's
                // mode (it quotes with backticks).
                let pool = MySqlPoolOptions::new()
                    .max_connections(2)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::raw_sql(
                                "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci; \
                                 SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI'), time_zone = '+00:00'",
                            )
                            .execute(conn)
                            .await
                            .map(|_| ())
                        })
                    })
                    .connect(&scratch.url)
                    .await
                    .expect("connect to the MySQL scratch database");
                TestDb {
                    backend,
                    url: scratch.url.clone(),
                    pool: Pool::Mysql(pool, scratch),
                }
            }
            (_, None) => unreachable!("a server backend has a URL"),
        })
    }

    pub async fn sqlite() -> TestDb {
        let (dir, url) = sqlite_file();
        let pool = SqlitePool::connect(&url).await.unwrap();
        TestDb {
            backend: Backend::Sqlite,
            url,
            pool: Pool::Sqlite(pool, dir),
        }
    }

    /// A PostgreSQL scratch schema; `None` when `DBCONFORM_TEST_PG_URL` is not set.
    pub async fn postgres(tag: &str) -> Option<TestDb> {
        TestDb::open(Backend::Postgres, tag).await
    }

    /// A MySQL/MariaDB scratch database; `None` when `DBCONFORM_TEST_MYSQL_URL` is not
    /// set.
    #[cfg(feature = "mysql")]
    pub async fn mysql(tag: &str) -> Option<TestDb> {
        TestDb::open(Backend::Mysql, tag).await
    }

    /// Whether this is MySQL/MariaDB (always false without the `mysql` feature).
    pub fn is_mysql(&self) -> bool {
        #[cfg(feature = "mysql")]
        return self.backend == Backend::Mysql;
        #[cfg(not(feature = "mysql"))]
        false
    }

    /// `tables` as this backend takes them: on MySQL, [`super::build::mysql_ready`]; as
    /// declared elsewhere.
    pub fn ready(&self, tables: Vec<TableDef>) -> Vec<TableDef> {
        if self.is_mysql() {
            super::build::mysql_ready(tables)
        } else {
            tables
        }
    }

    /// The steps a create on an empty database takes besides the tables': PostgreSQL
    /// creates the scratch schema first.
    pub fn schema_steps(&self) -> usize {
        usize::from(self.backend == Backend::Postgres)
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend == Backend::Sqlite
    }

    /// `sqlite` or `postgres`, for messages.
    pub fn name(&self) -> &'static str {
        self.backend.name()
    }

    /// The URL dbconform connects with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite file's path (`None` on a server).
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.pool {
            Pool::Sqlite(_, dir) => Some(dir.path().join("test.db")),
            _ => None,
        }
    }

    /// The scratch schema of a PostgreSQL database.
    pub fn pg(&self) -> Option<&PgScratch> {
        match &self.pool {
            Pool::Postgres(scratch) => Some(scratch),
            _ => None,
        }
    }

    /// The pool of a PostgreSQL database, for the tests that read its catalog.
    pub fn pg_pool(&self) -> Option<&PgPool> {
        self.pg().map(|scratch| &scratch.pool)
    }

    /// The pool of a SQLite database.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool, _) => Some(pool),
            _ => None,
        }
    }

    /// The pool of a MySQL/MariaDB scratch database (its connections run with
    /// `ANSI_QUOTES`).
    #[cfg(feature = "mysql")]
    pub fn mysql_pool(&self) -> Option<&MySqlPool> {
        match &self.pool {
            Pool::Mysql(pool, _) => Some(pool),
            _ => None,
        }
    }

    /// The schema tables live in, as plans print it: `main` on SQLite, `database` (the
    /// connection's database) on MySQL.
    pub fn schema(&self) -> String {
        match &self.pool {
            Pool::Sqlite(..) => "main".to_string(),
            Pool::Postgres(scratch) => scratch.schema.clone(),
            #[cfg(feature = "mysql")]
            // The MySQL dialect's name for "the connection's database".
            Pool::Mysql(..) => "database".to_string(),
        }
    }

    /// `table` qualified as plans print it: `main.people`, `<scratch>.people`.
    pub fn table(&self, table: &str) -> String {
        format!("{}.{table}", self.schema())
    }

    /// What qualifies a table in hand-written SQL: `"scratch".`, nothing on SQLite.
    pub fn prefix(&self) -> String {
        match &self.pool {
            Pool::Postgres(scratch) => format!("\"{}\".", scratch.schema),
            _ => String::new(),
        }
    }

    /// `Options` with the scratch schema as target (the default on SQLite).
    pub fn options(&self) -> Options {
        match &self.pool {
            Pool::Postgres(scratch) => scratch.options(),
            _ => Options::default(),
        }
    }

    /// [`TestDb::options`] with `edit` applied.
    pub fn options_with(&self, edit: impl FnOnce(&mut Options)) -> Options {
        let mut options = self.options();
        edit(&mut options);
        options
    }

    /// A [`Conform`] on its own connection, with `options`.
    pub async fn conform_with(&self, options: Options) -> Conform {
        Conform {
            inner: DbConform::connect(&self.url)
                .await
                .unwrap()
                .with_options(options),
            backend: self.backend,
        }
    }

    /// A [`Conform`] on its own connection, with [`TestDb::options`].
    pub async fn conform(&self) -> Conform {
        self.conform_with(self.options()).await
    }

    /// Creates `tables` as declared, with every other option at its default.
    pub async fn create(&self, tables: &[TableDef]) {
        if let Err(e) = self.conform().await.apply(tables).await {
            panic!("{}: {e}", self.name());
        }
    }

    /// `text` with `{S}` replaced by [`TestDb::prefix`]; on MySQL, `CAST(... AS TEXT)`
    /// (which the server does not take) is spelled `CAST(... AS CHAR)`.
    pub fn sql(&self, text: &str) -> String {
        let text = text.replace("{S}", &self.prefix());
        if self.is_mysql() {
            text.replace(" AS TEXT)", " AS CHAR)")
        } else {
            text
        }
    }

    /// Runs hand-written SQL (several statements allowed; `{S}` is the schema prefix).
    pub async fn exec(&self, text: &str) {
        if let Err(e) = self.try_exec(text).await {
            panic!("{}: {e}\n{}", self.name(), self.sql(text));
        }
    }

    /// Runs hand-written DDL with unqualified names: in the scratch schema on PostgreSQL
    /// (created if need be, `search_path` set to it for the batch).
    pub async fn ddl(&self, sql: &str) {
        match &self.pool {
            Pool::Postgres(scratch) => scratch.ddl(sql).await,
            _ => self.exec(sql).await,
        }
    }

    /// [`TestDb::exec`], returning the database's error.
    pub async fn try_exec(&self, text: &str) -> Result<(), sqlx::Error> {
        let sql = AssertSqlSafe(self.sql(text));
        match &self.pool {
            Pool::Sqlite(pool, _) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
            Pool::Postgres(scratch) => sqlx::raw_sql(sql).execute(&scratch.pool).await.map(|_| ()),
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool, _) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        }
    }

    /// The first column of every row of `query`, as text (NULL as `NULL`). Unprepared, so
    /// that a column whose type changed in between reads fine; MySQL's numbers and bytes
    /// are read as what they are and printed.
    pub async fn texts(&self, query: &str) -> Vec<String> {
        let sql = AssertSqlSafe(self.sql(query));
        let get = |value: Result<Option<String>, sqlx::Error>| {
            value.unwrap().unwrap_or_else(|| "NULL".to_string())
        };
        match &self.pool {
            Pool::Sqlite(pool, _) => sqlx::raw_sql(sql)
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| get(r.try_get(0)))
                .collect(),
            Pool::Postgres(scratch) => sqlx::raw_sql(sql)
                .fetch_all(&scratch.pool)
                .await
                .unwrap()
                .iter()
                .map(|r| get(r.try_get(0)))
                .collect(),
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool, _) => sqlx::raw_sql(sql)
                .fetch_all(pool)
                .await
                .unwrap_or_else(|e| panic!("mysql: {e}\n{}", self.sql(query)))
                .iter()
                .map(mysql_text)
                .collect(),
        }
    }

    /// `SELECT count(*)` of `table`.
    pub async fn rows(&self, table: &str) -> usize {
        let count = self
            .texts(&format!(
                "SELECT CAST(count(*) AS TEXT) FROM {{S}}\"{table}\""
            ))
            .await;
        count[0].parse().unwrap()
    }

    /// The tables of the schema, by name.
    pub async fn table_names(&self) -> Vec<String> {
        self.catalog(Catalog::Tables, "").await
    }

    /// The columns of `table`, by name, in order.
    pub async fn columns(&self, table: &str) -> Vec<String> {
        self.catalog(Catalog::Columns, table).await
    }

    /// The index names of `table` (constraint-backing ones included), sorted.
    pub async fn indexes(&self, table: &str) -> Vec<String> {
        self.catalog(Catalog::Indexes, table).await
    }

    /// What the database's catalog says of `table` (or of the schema).
    async fn catalog(&self, what: Catalog, table: &str) -> Vec<String> {
        let schema = self.schema();
        let query = match (self.backend, what) {
            (Backend::Sqlite, Catalog::Tables) => "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name".to_string(),
            (Backend::Sqlite, Catalog::Columns) => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            (Backend::Sqlite, Catalog::Indexes) => format!("SELECT name FROM pragma_index_list('{table}') ORDER BY name"),
            (Backend::Postgres, Catalog::Tables) => format!("SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = '{schema}' ORDER BY 1"),
            (Backend::Postgres, Catalog::Columns) => format!("SELECT CAST(attname AS TEXT) FROM pg_attribute WHERE attrelid = '\"{schema}\".\"{table}\"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"),
            (Backend::Postgres, Catalog::Indexes) => format!("SELECT CAST(indexname AS TEXT) FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = '{table}' ORDER BY 1"),
            #[cfg(feature = "mysql")]
            (Backend::Mysql, Catalog::Tables) => "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1".to_string(),
            #[cfg(feature = "mysql")]
            (Backend::Mysql, Catalog::Columns) => format!("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' ORDER BY ORDINAL_POSITION"),
            #[cfg(feature = "mysql")]
            (Backend::Mysql, Catalog::Indexes) => format!("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' ORDER BY 1"),
        };
        self.texts(&query).await
    }

    /// Closes the pool and drops the database (the SQLite file, the scratch schema).
    pub async fn cleanup(self) {
        match self.pool {
            Pool::Sqlite(pool, dir) => {
                pool.close().await;
                drop(dir);
            }
            Pool::Postgres(scratch) => scratch.cleanup().await,
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool, scratch) => {
                pool.close().await;
                scratch.cleanup().await;
            }
        }
    }
}

/// The first column of a MySQL row as text: the server sends numbers, dates and bytes as
/// what they are, where the tests compare text.
#[cfg(feature = "mysql")]
fn mysql_text(row: &dbconform::sqlx::mysql::MySqlRow) -> String {
    use dbconform::sqlx::ValueRef;
    if row.try_get_raw(0).unwrap().is_null() {
        return "NULL".to_string();
    }
    if let Ok(text) = row.try_get::<String, _>(0) {
        return text;
    }
    if let Ok(n) = row.try_get::<i64, _>(0) {
        return n.to_string();
    }
    if let Ok(n) = row.try_get::<u64, _>(0) {
        return n.to_string();
    }
    if let Ok(n) = row.try_get::<f64, _>(0) {
        return n.to_string();
    }
    match row.try_get::<Vec<u8>, _>(0) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => panic!("mysql: column 0 cannot be read as text: {e}"),
    }
}

/// A `DbConform` for a test of the matrix: every declaration it is given is first made
/// [`TestDb::ready`] for the backend (on MySQL, [`super::build::mysql_ready`]), so that one
/// declaration serves every backend; everything else is the `DbConform`'s.
pub struct Conform {
    inner: DbConform,
    backend: Backend,
}

impl Conform {
    fn ready(&self, tables: &[TableDef]) -> Vec<TableDef> {
        #[cfg(feature = "mysql")]
        if self.backend == Backend::Mysql {
            return super::build::mysql_ready(tables.to_vec());
        }
        tables.to_vec()
    }

    pub fn with_options(self, options: Options) -> Conform {
        Conform {
            inner: self.inner.with_options(options),
            backend: self.backend,
        }
    }

    pub async fn compare(&self, tables: &[TableDef]) -> dbconform::Result<dbconform::Plan> {
        self.inner.compare(&self.ready(tables)).await
    }

    pub async fn apply(&self, tables: &[TableDef]) -> dbconform::Result<dbconform::Report> {
        self.inner.apply(&self.ready(tables)).await
    }

    pub async fn check(&self, tables: &[TableDef]) -> dbconform::Result<()> {
        self.inner.check(&self.ready(tables)).await
    }

    pub async fn preflight(
        &self,
        tables: &[TableDef],
    ) -> dbconform::Result<dbconform::PreflightReport> {
        self.inner.preflight(&self.ready(tables)).await
    }

    /// The `DbConform` itself, for what takes one.
    pub fn into_inner(self) -> DbConform {
        self.inner
    }
}

impl std::ops::Deref for Conform {
    type Target = DbConform;

    fn deref(&self) -> &DbConform {
        &self.inner
    }
}

/// Runs `test` on a fresh database of `backend` (skipped when there is none, see
/// [`TestDb::open`]), then cleans it up; a panicking test's database is dropped on unwind.
pub async fn run_on(backend: Backend, tag: &str, test: impl AsyncFnOnce(&TestDb)) {
    let Some(db) = TestDb::open(backend, tag).await else {
        return;
    };
    test(&db).await;
    db.cleanup().await;
}

/// One test per backend: `backend_tests! { name => async |db| { ... }; }` defines the
/// tests `name::sqlite`, `name::postgres` and `name::mysql`, each running the closure on a fresh database
/// of its backend (see [`run_on`]).
macro_rules! backend_tests {
    ($($name:ident => $test:expr;)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::common::matrix::{Backend as B, run_on};

            #[tokio::test]
            async fn sqlite() {
                run_on(B::Sqlite, stringify!($name), $test).await;
            }

            #[tokio::test]
            async fn postgres() {
                run_on(B::Postgres, stringify!($name), $test).await;
            }

            #[cfg(feature = "mysql")]
            #[tokio::test]
            async fn mysql() {
                run_on(B::Mysql, stringify!($name), $test).await;
            }
        }
    )*};
}
pub(crate) use backend_tests;
