//! One database per test, SQLite or PostgreSQL, with the raw SQL the tests drift and
//! inspect it with.

use crate::common::{PgScratch, pg_url, sqlite_file};
use dbconform::sqlx::{self, AssertSqlSafe, PgPool, Row, SqlitePool};
use dbconform::{DbConform, Options, Plan, Step, TableDef};

enum Pool {
    Sqlite(SqlitePool, tempfile::TempDir),
    Pg(PgScratch),
}

/// A fresh database: a SQLite file, or a PostgreSQL scratch schema.
pub(crate) struct Db {
    url: String,
    pool: Pool,
}

impl Db {
    /// Every backend available: SQLite always, PostgreSQL when its URL is set.
    pub(crate) async fn all(tag: &str) -> Vec<Db> {
        let mut dbs = vec![Db::sqlite().await];
        if let Some(url) = pg_url() {
            dbs.push(Db::postgres(&url, tag).await);
        }
        dbs
    }

    pub(crate) async fn sqlite() -> Db {
        let (dir, url) = sqlite_file();
        let pool = SqlitePool::connect(&url).await.unwrap();
        Db {
            url,
            pool: Pool::Sqlite(pool, dir),
        }
    }

    pub(crate) async fn postgres(url: &str, tag: &str) -> Db {
        Db {
            url: url.to_string(),
            pool: Pool::Pg(PgScratch::new(url, tag).await),
        }
    }

    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self.pool, Pool::Sqlite(..))
    }

    /// `sqlite` or `postgres`, for messages.
    pub(crate) fn name(&self) -> &'static str {
        if self.is_sqlite() {
            "sqlite"
        } else {
            "postgres"
        }
    }

    /// The schema tables live in (`main` on SQLite).
    pub(crate) fn schema(&self) -> String {
        match &self.pool {
            Pool::Sqlite(..) => "main".to_string(),
            Pool::Pg(scratch) => scratch.schema.clone(),
        }
    }

    /// `table` qualified as plans print it: `main.people`, `<scratch>.people`.
    pub(crate) fn table(&self, table: &str) -> String {
        format!("{}.{table}", self.schema())
    }

    /// `Options` with the scratch schema as target and `edit` applied.
    pub(crate) fn options(&self, edit: impl FnOnce(&mut Options)) -> Options {
        let mut options = Options {
            target_schema: self.schema(),
            ..Options::default()
        };
        if self.is_sqlite() {
            options.target_schema = Options::default().target_schema;
        }
        edit(&mut options);
        options
    }

    pub(crate) async fn conform(&self, options: Options) -> DbConform {
        DbConform::connect(&self.url)
            .await
            .unwrap()
            .with_options(options)
    }

    /// Creates `tables` as declared, with every other option at its default.
    pub(crate) async fn create(&self, tables: &[TableDef]) {
        let db = self.conform(self.options(|_| {})).await;
        if let Err(e) = db.apply(tables).await {
            panic!("{}: {e}", self.name());
        }
    }

    /// `text` with `{S}` replaced by the schema prefix (`"scratch".`, nothing on SQLite).
    pub(crate) fn sql(&self, text: &str) -> String {
        let prefix = match &self.pool {
            Pool::Sqlite(..) => String::new(),
            Pool::Pg(scratch) => format!("\"{}\".", scratch.schema),
        };
        text.replace("{S}", &prefix)
    }

    /// Runs hand-written SQL (several statements allowed).
    pub(crate) async fn exec(&self, text: &str) {
        let sql = self.sql(text);
        let result = match &self.pool {
            Pool::Sqlite(pool, _) => sqlx::raw_sql(AssertSqlSafe(sql.clone()))
                .execute(pool)
                .await
                .map(|_| ()),
            Pool::Pg(scratch) => sqlx::raw_sql(AssertSqlSafe(sql.clone()))
                .execute(&scratch.pool)
                .await
                .map(|_| ()),
        };
        if let Err(e) = result {
            panic!("{}: {e}\n{sql}", self.name());
        }
    }

    /// The first column of every row of `query`, as text (NULL as `NULL`). Unprepared, so
    /// that a column whose type changed in between reads fine.
    pub(crate) async fn texts(&self, query: &str) -> Vec<String> {
        let sql = self.sql(query);
        let get = |value: Result<Option<String>, sqlx::Error>| {
            value.unwrap().unwrap_or_else(|| "NULL".to_string())
        };
        match &self.pool {
            Pool::Sqlite(pool, _) => sqlx::raw_sql(AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| get(r.try_get(0)))
                .collect(),
            Pool::Pg(scratch) => sqlx::raw_sql(AssertSqlSafe(sql))
                .fetch_all(&scratch.pool)
                .await
                .unwrap()
                .iter()
                .map(|r| get(r.try_get(0)))
                .collect(),
        }
    }

    /// `SELECT count(*)` of `table`.
    pub(crate) async fn rows(&self, table: &str) -> usize {
        let count = self
            .texts(&format!(
                "SELECT CAST(count(*) AS TEXT) FROM {{S}}\"{table}\""
            ))
            .await;
        count[0].parse().unwrap()
    }

    /// The tables of the schema, by name.
    pub(crate) async fn table_names(&self) -> Vec<String> {
        let query = if self.is_sqlite() {
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name".to_string()
        } else {
            format!(
                "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = '{}' ORDER BY 1",
                self.schema()
            )
        };
        self.texts(&query).await
    }

    /// The columns of `table`, by name, in order.
    pub(crate) async fn columns(&self, table: &str) -> Vec<String> {
        let query = if self.is_sqlite() {
            format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")
        } else {
            format!(
                "SELECT CAST(attname AS TEXT) FROM pg_attribute WHERE attrelid = '\"{}\".\"{table}\"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                self.schema()
            )
        };
        self.texts(&query).await
    }

    /// The index names of `table` (constraint-backing ones included), sorted.
    pub(crate) async fn indexes(&self, table: &str) -> Vec<String> {
        let query = if self.is_sqlite() {
            format!("SELECT name FROM pragma_index_list('{table}') ORDER BY name")
        } else {
            format!(
                "SELECT CAST(indexname AS TEXT) FROM pg_indexes WHERE schemaname = '{}' AND tablename = '{table}' ORDER BY 1",
                self.schema()
            )
        };
        self.texts(&query).await
    }

    pub(crate) async fn cleanup(self) {
        match self.pool {
            Pool::Sqlite(pool, dir) => {
                pool.close().await;
                drop(dir);
            }
            Pool::Pg(scratch) => scratch.cleanup().await,
        }
    }
}

/// The one step of `plan` that does `what` (`describe()` starts with it), or the part of
/// a SQLite table rebuild that does.
pub(crate) fn step<'a>(plan: &'a Plan, what: &str) -> Option<&'a Step> {
    plan.steps()
        .iter()
        .flat_map(|s| std::iter::once(s).chain(&s.parts))
        .find(|s| s.describe().starts_with(what))
}

/// The blocked step that does `what`, with what unlocks it and its problem.
pub(crate) fn blocked<'a>(plan: &'a Plan, what: &str) -> Option<&'a dbconform::BlockedStep> {
    plan.blocked()
        .iter()
        .find(|b| b.step.describe().starts_with(what))
}

/// A PostgreSQL pool, for the tests that read its catalog.
#[allow(dead_code)]
pub(crate) fn pg_pool(db: &Db) -> Option<&PgPool> {
    match &db.pool {
        Pool::Pg(scratch) => Some(&scratch.pool),
        Pool::Sqlite(..) => None,
    }
}
