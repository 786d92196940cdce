//! The scratch schema every test runs in, and the catalog queries the tests assert with:
//! `pg_catalog` and `information_schema` read directly, never dbconform's reflection.

use crate::common::kinds;
use crate::pg_cases::{self, run_then_drop};
use dbconform::sqlx::{self, AssertSqlSafe, PgPool, Row};
use dbconform::{ChangeKind, DbConform, Options, Report, TableDef};
use std::future::Future;

/// One scratch schema, its pool and the catalog queries the tests assert with.
pub(crate) struct Pg {
    pub(crate) url: String,
    pub(crate) schema: String,
    pub(crate) pool: PgPool,
}

/// Runs `body` against a fresh scratch schema and drops the schema afterwards, also when
/// `body` panics (the panic is then raised again).
pub(crate) async fn with_pg<F, Fut>(tag: &str, body: F)
where
    F: FnOnce(Pg) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((url, scratch)) = pg_cases::scratch(tag).await else {
        return;
    };
    let pg = Pg {
        url,
        schema: scratch.schema.clone(),
        pool: scratch.pool.clone(),
    };
    run_then_drop(vec![scratch], body(pg)).await;
}

/// One `#[tokio::test]` named `$name` that runs `$body` (`|pg| async move { .. }`)
/// against a fresh scratch schema tagged with the test's name (see [`with_pg`]). It
/// spares each test the same three lines of wrapping, so that the test reads as what it
/// does to the schema and what it asserts.
macro_rules! pg_test {
    ($name:ident, $body:expr) => {
        #[tokio::test]
        async fn $name() {
            $crate::catalog::with_pg(stringify!($name), $body).await;
        }
    };
}
pub(crate) use pg_test;

/// A column as `pg_attribute` holds it.
#[derive(Debug, PartialEq)]
pub(crate) struct Col {
    pub(crate) ty: String,
    pub(crate) not_null: bool,
    pub(crate) default: Option<String>,
    /// `attidentity`: `""`, `"d"` (by default) or `"a"` (always).
    pub(crate) identity: String,
    /// `attgenerated`: `""` or `"s"`.
    pub(crate) generated: String,
    pub(crate) collation: Option<String>,
    pub(crate) comment: Option<String>,
}

impl Pg {
    /// `text` with `{S}` replaced by the quoted scratch schema.
    pub(crate) fn sql(&self, text: &str) -> String {
        text.replace("{S}", &format!("\"{}\"", self.schema))
    }

    /// Runs hand-written SQL (several statements allowed).
    pub(crate) async fn exec(&self, text: &str) {
        let sql = self.sql(text);
        if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .execute(&self.pool)
            .await
        {
            panic!("{e}\n{sql}");
        }
    }

    /// Every option that unlocks a step on: the tests are about rendering, not policy.
    pub(crate) fn options(&self) -> Options {
        Options {
            target_schema: self.schema.clone(),
            allow_drop_extra_tables: true,
            allow_drop_extra_columns: true,
            allow_shrink_column: true,
            allow_drop_extra_constraints: true,
            ..Options::default()
        }
    }

    pub(crate) async fn db(&self) -> DbConform {
        DbConform::connect(&self.url)
            .await
            .unwrap()
            .with_options(self.options())
    }

    /// Applies `tables` and checks that a second compare finds nothing to do.
    pub(crate) async fn apply(&self, tables: &[TableDef]) -> Report {
        let db = self.db().await;
        let plan = db.compare(tables).await.unwrap();
        let report = match db.apply(tables).await {
            Ok(report) => report,
            Err(e) => panic!("{e}\nplan:\n{plan}\n{}", plan.to_sql()),
        };
        assert!(report.blocked.is_empty(), "{report}");
        let after = db.compare(tables).await.unwrap();
        assert!(
            after.is_empty(),
            "changes left after applying:\n{after}\n{}\napplied:\n{}",
            after.to_sql(),
            plan.to_sql()
        );
        report
    }

    /// Creates `tables` as declared (on an empty schema).
    pub(crate) async fn create(&self, tables: &[TableDef]) {
        let report = self.apply(tables).await;
        assert!(
            report.executed.iter().all(|e| matches!(
                e.step.kind,
                ChangeKind::CreateSchema | ChangeKind::CreateTable
            )),
            "{report}"
        );
    }

    /// [`Pg::apply`], asserting that exactly the `expected` kinds of step ran, in order.
    pub(crate) async fn applied(&self, tables: &[TableDef], expected: &[ChangeKind]) -> Report {
        let report = self.apply(tables).await;
        assert_eq!(kinds(&report), expected, "{report}");
        report
    }

    /// The sequence most tests start with: creates `tables` as declared, makes them drift
    /// with the hand-written statements of `drift` (run in order), then applies `tables`
    /// expecting exactly the `expected` kinds of step (see [`Pg::applied`]).
    pub(crate) async fn drifted(
        &self,
        tables: &[TableDef],
        drift: &[&str],
        expected: &[ChangeKind],
    ) -> Report {
        self.create(tables).await;
        for sql in drift {
            self.exec(sql).await;
        }
        self.applied(tables, expected).await
    }

    pub(crate) async fn column(&self, table: &str, column: &str) -> Option<Col> {
        let row = sqlx::query(
            "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS ty, a.attnotnull, \
               pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity::text AS identity, \
               a.attgenerated::text AS generated, \
               CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation, \
               pg_catalog.col_description(a.attrelid, a.attnum) AS comment \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND NOT a.attisdropped",
        )
        .bind(&self.schema)
        .bind(table)
        .bind(column)
        .fetch_optional(&self.pool)
        .await
        .unwrap()?;
        Some(Col {
            ty: row.get("ty"),
            not_null: row.get("attnotnull"),
            default: row.get("dflt"),
            identity: row.get("identity"),
            generated: row.get("generated"),
            collation: row.get("collation"),
            comment: row.get("comment"),
        })
    }

    pub(crate) async fn existing_column(&self, table: &str, column: &str) -> Col {
        match self.column(table, column).await {
            Some(col) => col,
            None => panic!("no column {table}.{column}"),
        }
    }

    /// `name: definition` of every constraint of `table`, by name, with the scratch schema
    /// written `S`.
    pub(crate) async fn constraints(&self, table: &str) -> Vec<String> {
        self.strings_with_schema_as_s(
            "SELECT con.conname || ': ' || pg_catalog.pg_get_constraintdef(con.oid) \
             FROM pg_catalog.pg_constraint con \
             JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 ORDER BY con.conname",
            table,
        )
        .await
    }

    /// `CREATE INDEX` text of every index of `table` that backs no constraint, by name,
    /// with the scratch schema written `S`.
    pub(crate) async fn indexes(&self, table: &str) -> Vec<String> {
        self.strings_with_schema_as_s(
            "SELECT pg_catalog.pg_get_indexdef(i.indexrelid) \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 \
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid) \
             ORDER BY ic.relname",
            table,
        )
        .await
    }

    pub(crate) async fn table_comment(&self, table: &str) -> Option<String> {
        sqlx::query_scalar(
            "SELECT pg_catalog.obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2",
        )
        .bind(&self.schema)
        .bind(table)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// The scratch schema's tables, by name.
    pub(crate) async fn tables(&self) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = $1 ORDER BY 1",
        )
        .bind(&self.schema)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// [`Self::strings_bound`] with the scratch schema written `S`.
    async fn strings_with_schema_as_s(&self, sql: &'static str, table: &str) -> Vec<String> {
        let quoted = format!("\"{}\"", self.schema);
        self.strings_bound(sql, table)
            .await
            .into_iter()
            .map(|s| s.replace(&quoted, "S").replace(&self.schema, "S"))
            .collect()
    }

    pub(crate) async fn strings_bound(&self, sql: &'static str, table: &str) -> Vec<String> {
        sqlx::query_scalar(sql)
            .bind(&self.schema)
            .bind(table)
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    /// One column of text results of hand-written SQL.
    pub(crate) async fn strings(&self, text: &str) -> Vec<String> {
        sqlx::query_scalar(AssertSqlSafe(self.sql(text)))
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    /// One column of integer results of hand-written SQL.
    pub(crate) async fn ints(&self, text: &str) -> Vec<i64> {
        sqlx::query_scalar(AssertSqlSafe(self.sql(text)))
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    // One-line assertions for what nearly every test checks after its apply; each names
    // what it read when it fails.

    /// Asserts the integers the hand-written query `text` returns.
    pub(crate) async fn assert_ints(&self, text: &str, expected: &[i64]) {
        assert_eq!(self.ints(text).await, expected, "{text}");
    }

    /// Asserts the strings the hand-written query `text` returns.
    pub(crate) async fn assert_strings(&self, text: &str, expected: &[&str]) {
        assert_eq!(self.strings(text).await, expected, "{text}");
    }

    /// Asserts that `table` has the constraint `wanted` (`name: definition`, as
    /// [`Pg::constraints`] writes it).
    pub(crate) async fn assert_constraint(&self, table: &str, wanted: &str) {
        let found = self.constraints(table).await;
        assert!(found.iter().any(|c| c == wanted), "{wanted}\n{found:#?}");
    }

    /// Asserts that no constraint of `table` has a name starting with `name`.
    pub(crate) async fn assert_no_constraint(&self, table: &str, name: &str) {
        let found = self.constraints(table).await;
        assert!(
            !found.iter().any(|c| c.starts_with(name)),
            "{name}\n{found:#?}"
        );
    }

    /// Asserts the `CREATE INDEX` text of the indexes of `table` (see [`Pg::indexes`]).
    pub(crate) async fn assert_indexes(&self, table: &str, expected: &[&str]) {
        assert_eq!(self.indexes(table).await, expected, "indexes of {table}");
    }
}
