//! The backend matrix: one fresh scratch database per backend, with the raw SQL the tests
//! drift and inspect it with (read through the database, not through dbconform).
//!
//! - [`TestDb::all`] for a test that runs on every backend in turn;
//! - [`backend_tests!`] for one test per backend (`name::sqlite`, `name::postgres`);
//! - [`TestDb::sqlite`] / [`TestDb::postgres`] for a test of one backend.
//!
//! SQLite is always there (a temporary file); a server backend is there when its URL is
//! set, and in CI (`CI` set) a missing URL panics rather than skips. A new backend is one
//! variant of [`Backend`] (its name, its URL variable and how a scratch database of it is
//! opened, all below) and one line in [`backend_tests!`].

use super::scratch::{PgScratch, server_url, sqlite_file};
use dbconform::sqlx::{self, AssertSqlSafe, PgPool, Row, SqlitePool};
use dbconform::{DbConform, Options, TableDef};

/// A database dbconform supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Every backend, in the order the tests run on them.
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    /// `sqlite`, `postgres`: for messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// `SQLite`, `PostgreSQL`: for sentences.
    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The dialect dbconform plans with for this backend.
    pub fn dialect(self) -> &'static dyn dbconform::dialect::Dialect {
        match self {
            Backend::Sqlite => &dbconform::dialect::SQLITE,
            Backend::Postgres => &dbconform::dialect::POSTGRES,
        }
    }

    /// The environment variable holding the server's URL; `None` for an embedded database.
    pub fn url_var(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("DBCONFORM_TEST_PG_URL"),
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
        for backend in Backend::ALL {
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
            (Backend::Postgres, None) => unreachable!("a server backend has a URL"),
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
            Pool::Postgres(_) => None,
        }
    }

    /// The scratch schema of a PostgreSQL database.
    pub fn pg(&self) -> Option<&PgScratch> {
        match &self.pool {
            Pool::Postgres(scratch) => Some(scratch),
            Pool::Sqlite(..) => None,
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
            Pool::Postgres(_) => None,
        }
    }

    /// The schema tables live in (`main` on SQLite).
    pub fn schema(&self) -> String {
        match &self.pool {
            Pool::Sqlite(..) => "main".to_string(),
            Pool::Postgres(scratch) => scratch.schema.clone(),
        }
    }

    /// `table` qualified as plans print it: `main.people`, `<scratch>.people`.
    pub fn table(&self, table: &str) -> String {
        format!("{}.{table}", self.schema())
    }

    /// What qualifies a table in hand-written SQL: `"scratch".`, nothing on SQLite.
    pub fn prefix(&self) -> String {
        match &self.pool {
            Pool::Sqlite(..) => String::new(),
            Pool::Postgres(scratch) => format!("\"{}\".", scratch.schema),
        }
    }

    /// `Options` with the scratch schema as target (the default on SQLite).
    pub fn options(&self) -> Options {
        match &self.pool {
            Pool::Sqlite(..) => Options::default(),
            Pool::Postgres(scratch) => scratch.options(),
        }
    }

    /// [`TestDb::options`] with `edit` applied.
    pub fn options_with(&self, edit: impl FnOnce(&mut Options)) -> Options {
        let mut options = self.options();
        edit(&mut options);
        options
    }

    /// A `DbConform` on its own connection, with `options`.
    pub async fn conform_with(&self, options: Options) -> DbConform {
        DbConform::connect(&self.url)
            .await
            .unwrap()
            .with_options(options)
    }

    /// A `DbConform` on its own connection, with [`TestDb::options`].
    pub async fn conform(&self) -> DbConform {
        self.conform_with(self.options()).await
    }

    /// Creates `tables` as declared, with every other option at its default.
    pub async fn create(&self, tables: &[TableDef]) {
        if let Err(e) = self.conform().await.apply(tables).await {
            panic!("{}: {e}", self.name());
        }
    }

    /// `text` with `{S}` replaced by [`TestDb::prefix`].
    pub fn sql(&self, text: &str) -> String {
        text.replace("{S}", &self.prefix())
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
        }
    }

    /// The first column of every row of `query`, as text (NULL as `NULL`). Unprepared, so
    /// that a column whose type changed in between reads fine.
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
        }
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
/// tests `name::sqlite` and `name::postgres`, each running the closure on a fresh database
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
        }
    )*};
}
pub(crate) use backend_tests;
