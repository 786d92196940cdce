//! Views, triggers and rules that depend on the tables an apply changes keep working
//! (issue 15, defects 1, 2 and 5): on SQLite a rebuild recreates them from their SQL as
//! it is when the rebuild runs (after any rename in the same plan), on PostgreSQL a type
//! change on a column a view uses drops and recreates the view inside the transaction,
//! and a change no view survives is blocked with a reason naming the view. Every check
//! reads the database through sqlx, not through dbconform.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;
#[path = "common/pg_cases.rs"]
mod pg_cases;

use common::{PgScratch, pg_url, sqlite_file};
use dbconform::sqlx::{self, AssertSqlSafe, PgPool, Row, SqlitePool};
use dbconform::{ChangeKind, ColumnType, DbConform, Options, Plan, Risk, Step, Table, TableDef};
use pg_cases::run_then_drop;
use std::future::Future;

mod sqlite_rename {
    use dbconform::Table;

    /// `a` renamed to `a2`, `b` widened: a rename and a rebuild in one plan.
    #[derive(Table)]
    #[table(name = "t")]
    pub struct T {
        #[column(primary_key, auto_increment = false)]
        pub id: i32,
        #[column(renamed_from = "a", max_length = 10)]
        pub a2: Option<String>,
        #[column(max_length = 30)]
        pub b: Option<String>,
    }
}

async fn sqlite_exec(pool: &SqlitePool, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A SQLite file in a fresh temporary directory (kept while this lives), with `ddl` run
/// on it through `pool`.
struct SqliteDb {
    _dir: tempfile::TempDir,
    url: String,
    pool: SqlitePool,
}

impl SqliteDb {
    async fn with(ddl: &str) -> SqliteDb {
        let (_dir, url) = sqlite_file();
        let pool = SqlitePool::connect(&url).await.unwrap();
        sqlite_exec(&pool, ddl).await;
        SqliteDb { _dir, url, pool }
    }
}

/// A `DbConform` on `url` with `options`, and column drops allowed: the tests that drop
/// a column a view uses.
async fn dropping_columns(url: &str, options: Options) -> DbConform {
    DbConform::connect(url)
        .await
        .unwrap()
        .with_options(Options {
            allow_drop_extra_columns: true,
            ..options
        })
}

/// The standard output of a command that must have succeeded (its standard error
/// otherwise).
fn stdout_of(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Defect 1: the rename runs first and SQLite rewrites the view and trigger; the rebuild
/// after it must recreate them as rewritten, not from the text read before the rename.
#[tokio::test]
async fn sqlite_rename_and_rebuild_keep_views_and_triggers_working() {
    let SqliteDb { _dir, url, pool } = SqliteDb::with(
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(10), b VARCHAR(20));
         CREATE TABLE audit (msg TEXT);
         CREATE VIEW v AS SELECT a, b FROM t;
         CREATE VIEW vv AS SELECT b FROM v;
         CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (new.a); END;
         INSERT INTO t (id, a, b) VALUES (1, 'x', 'y');",
    )
    .await;
    let tables = [sqlite_rename::T::table_def()];
    let db = DbConform::connect(&url).await.unwrap();
    let plan = db.compare(&tables).await.unwrap();
    let kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
    assert!(
        kinds.contains(&ChangeKind::RebuildTable),
        "the widening needs a rebuild: {plan}"
    );
    db.apply(&tables).await.unwrap();

    // The views answer, with the renamed column's values.
    let row = sqlx::query("SELECT * FROM v")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "x");
    assert_eq!(row.get::<String, _>(1), "y");
    let row = sqlx::query("SELECT * FROM vv")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "y");
    // The trigger still fires, and reads the renamed column.
    sqlite_exec(&pool, "INSERT INTO t (id, a2, b) VALUES (2, 'z', 'w')").await;
    let audit: Vec<String> = sqlx::query_scalar("SELECT msg FROM audit")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(audit, ["x", "z"]);
    let b_type: String =
        sqlx::query_scalar("SELECT type FROM pragma_table_info('t') WHERE name = 'b'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(b_type, "VARCHAR(30)");
    assert!(db.compare(&tables).await.unwrap().is_empty());
    pool.close().await;
}

/// The rename-and-rebuild database of the test above, as DDL.
const SQLITE_RENAME_DDL: &str =
    "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(10), b VARCHAR(20));
     CREATE TABLE audit (msg TEXT);
     CREATE VIEW v AS SELECT a, b FROM t;
     CREATE VIEW vv AS SELECT b FROM v;
     CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (new.a); END;
     INSERT INTO t (id, a, b) VALUES (1, 'x', 'y'), (2, NULL, 'q');";

/// The file of a `sqlite://...?mode=rwc` URL made by `sqlite_file`.
fn sqlite_path(url: &str) -> &std::path::Path {
    std::path::Path::new(
        url.trim_start_matches("sqlite://")
            .trim_end_matches("?mode=rwc"),
    )
}

/// What a user compares between two SQLite databases: every object's stored SQL and
/// every row of every table, read with the `sqlite3` CLI.
fn sqlite_state(path: &std::path::Path) -> String {
    stdout_of(
        std::process::Command::new("sqlite3")
            .arg(path)
            .arg(".dump")
            .output()
            .expect("the sqlite3 CLI runs (apt-get install sqlite3)"),
    )
}

/// Defect 5: the script of a plan with a rename and a rebuild, run with the `sqlite3` CLI
/// on a copy, leaves schema and data exactly as `apply` does.
#[tokio::test]
async fn sqlite_script_runs_as_is_and_matches_apply() {
    let dir = tempfile::tempdir().unwrap();
    let applied = dir.path().join("applied.db");
    let scripted = dir.path().join("scripted.db");
    for path in [&applied, &scripted] {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = SqlitePool::connect(&url).await.unwrap();
        sqlite_exec(&pool, SQLITE_RENAME_DDL).await;
        pool.close().await;
    }
    let tables = [sqlite_rename::T::table_def()];
    let url = format!("sqlite://{}", scripted.display());
    let plan = DbConform::connect(&url)
        .await
        .unwrap()
        .compare(&tables)
        .await
        .unwrap();
    let script = plan.to_sql();
    assert!(script.contains("BEGIN;\n"), "{script}");
    assert!(
        script.contains("CREATE VIEW v AS SELECT a, b FROM t;"),
        "{script}"
    );
    let mut child = std::process::Command::new("sqlite3")
        .arg(&scripted)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the sqlite3 CLI runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "sqlite3 failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );

    let url = format!("sqlite://{}", applied.display());
    DbConform::connect(&url)
        .await
        .unwrap()
        .apply(&tables)
        .await
        .unwrap();
    assert_eq!(sqlite_state(&scripted), sqlite_state(&applied));
    // And the scripted database conforms.
    let url = format!("sqlite://{}", scripted.display());
    assert!(
        DbConform::connect(&url)
            .await
            .unwrap()
            .compare(&tables)
            .await
            .unwrap()
            .is_empty()
    );
}

mod sqlite_drop {
    use dbconform::Table;

    /// `b` no longer declared: dropping it would break the view that reads it.
    #[derive(Table)]
    #[table(name = "t")]
    pub struct T {
        #[column(primary_key, auto_increment = false)]
        pub id: i32,
        #[column(max_length = 10)]
        pub a: Option<String>,
    }
}

/// Defect 2 on SQLite: a column drop a view needs is blocked with a reason naming the
/// view, and everything else still applies.
#[tokio::test]
async fn sqlite_drop_of_a_column_a_view_uses_is_blocked() {
    let SqliteDb { _dir, url, pool } = SqliteDb::with(SQLITE_RENAME_DDL).await;
    let tables = [sqlite_drop::T::table_def()];
    let db = dropping_columns(&url, Options::default()).await;
    let plan = db.compare(&tables).await.unwrap();
    let blocked: Vec<(String, Option<&str>)> = plan
        .blocked()
        .iter()
        .map(|b| (b.why(), b.step.suggestion.as_deref()))
        .collect();
    assert_eq!(
        blocked,
        [(
            "will fail: view `main.v` uses column `b`, and could not be recreated without it"
                .to_string(),
            Some("change or drop view `main.v` first, then run again")
        )],
        "{plan}"
    );
    assert!(plan.steps().is_empty(), "{plan}");
    db.apply(&tables).await.unwrap();
    let b: i64 = sqlx::query_scalar("SELECT count(*) FROM pragma_table_info('t') WHERE name = 'b'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(b, 1);
    sqlx::query("SELECT * FROM vv")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// `sqlite_drop::T` with `a` widened to 50: one rebuild makes both the drop of `b` and
/// the widening.
fn sqlite_drop_and_widen() -> TableDef {
    let mut t = sqlite_drop::T::table_def();
    t.comment = Some("`b` dropped and `a` widened: one rebuild makes both.".into());
    let a = t
        .columns
        .iter_mut()
        .find(|c| c.name == "a")
        .expect("a column `a`");
    a.ty = ColumnType::Varchar(50);
    t
}

/// After-apply verification: an apply of [`sqlite_drop_and_widen`] on the SQLite database
/// `ddl`, whose steps break a view or trigger dbconform could not tell from its text
/// uses `b`, fails with an error starting `error_start` that names what broke and the
/// missing column, and leaves the database exactly as it was.
async fn assert_sqlite_apply_rolls_back(ddl: &str, error_start: &str) {
    let SqliteDb { _dir, url, pool } = SqliteDb::with(ddl).await;
    let before = sqlite_state(sqlite_path(&url));
    let db = dropping_columns(&url, Options::default()).await;
    let error = db
        .apply(&[sqlite_drop_and_widen()])
        .await
        .unwrap_err()
        .to_string();
    assert!(error.starts_with(error_start), "{error}");
    assert!(error.contains("no such column: b"), "{error}");
    assert_eq!(before, sqlite_state(sqlite_path(&url)));
    pool.close().await;
}

/// `vv` reads `b` through `SELECT *` of another view: the apply fails naming `vv`, with
/// nothing changed.
#[tokio::test]
async fn sqlite_apply_rolls_back_when_a_view_stops_working() {
    assert_sqlite_apply_rolls_back(
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(10), b VARCHAR(20));
         CREATE VIEW v AS SELECT * FROM t;
         CREATE VIEW vv AS SELECT b FROM v;
         INSERT INTO t VALUES (1, 'x', 'y');",
        "view `main.vv` no longer works after the plan's steps; the transaction was rolled back and nothing was changed\n  check: SELECT * FROM \"vv\" LIMIT 0\n  database said: ",
    )
    .await;
}

/// A trigger on another table that reads a dropped column only through a view compiles
/// no longer: the apply fails naming it, with nothing changed.
#[tokio::test]
async fn sqlite_apply_rolls_back_when_a_trigger_stops_compiling() {
    assert_sqlite_apply_rolls_back(
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(10), b VARCHAR(20));
         CREATE TABLE u (x INTEGER);
         CREATE TABLE copied (b TEXT);
         CREATE VIEW v AS SELECT * FROM t;
         CREATE TRIGGER u_copy AFTER INSERT ON u BEGIN INSERT INTO copied SELECT b FROM v; END;
         INSERT INTO t VALUES (1, 'x', 'y');",
        "trigger `main.u_copy` no longer works after the plan's steps; the transaction was rolled back and nothing was changed\n  check: EXPLAIN INSERT INTO \"u\" DEFAULT VALUES\n  database said: ",
    )
    .await;
}

mod pg_items {
    use dbconform::Table;

    /// `price` widened from INTEGER to BIGINT; `label` no longer declared.
    #[derive(Table)]
    #[table(name = "items")]
    pub struct Item {
        #[column(primary_key, auto_increment = false)]
        pub id: i32,
        pub price: i64,
        #[column(max_length = 20)]
        pub name: Option<String>,
    }
}

/// [`pg_items::Item`] with `label` declared (nullable text, as the DDL has it), the
/// column `from` renamed to `to` and the table comment `comment`: the plans with a rename
/// and a type change in one.
fn pg_items_renamed(from: &str, to: &str, comment: &str) -> TableDef {
    let mut items = pg_items::Item::table_def();
    items.comment = Some(comment.into());
    let column = items.columns.iter_mut().find(|c| c.name == from);
    let column = column.unwrap_or_else(|| panic!("no column `{from}`"));
    column.renamed_from = vec![from.into()];
    column.name = to.into();
    items.columns.push(dbconform::Column {
        nullable: true,
        ..dbconform::Column::new("label", ColumnType::Text)
    });
    items
}

/// The type change of `plan` (its AlterColumn step), which must have one.
fn type_change(plan: &Plan) -> &Step {
    let step = plan
        .steps()
        .iter()
        .find(|s| s.kind == ChangeKind::AlterColumn);
    step.unwrap_or_else(|| panic!("a type change: {plan}"))
}

/// The scratch schemas of a PostgreSQL test, each holding the database of
/// [`pg_items_ddl`].
struct ItemsSchemas {
    url: String,
    pool: PgPool,
    /// Each schema's name and the options that target it.
    schemas: Vec<(String, Options)>,
}

/// Runs `body` on fresh scratch schemas, one per tag, each made the database of
/// [`pg_items_ddl`], and drops them afterwards, also when `body` panics (see
/// [`run_then_drop`]).
async fn with_items<F, Fut>(tags: &[&str], body: F)
where
    F: FnOnce(ItemsSchemas) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(url) = pg_url() else { return };
    let mut scratches = Vec::new();
    for tag in tags {
        scratches.push(PgScratch::new(&url, tag).await);
    }
    let items = ItemsSchemas {
        url,
        pool: scratches[0].pool.clone(),
        schemas: scratches
            .iter()
            .map(|s| (s.schema.clone(), s.options()))
            .collect(),
    };
    let body = async move {
        for (schema, _) in &items.schemas {
            sqlx::raw_sql(AssertSqlSafe(pg_items_ddl(schema)))
                .execute(&items.pool)
                .await
                .unwrap();
        }
        body(items).await;
    };
    run_then_drop(scratches, body).await;
}

impl ItemsSchemas {
    /// A `DbConform` on the server with `options`.
    async fn conform(&self, options: Options) -> DbConform {
        DbConform::connect(&self.url)
            .await
            .unwrap()
            .with_options(options)
    }

    /// The one text value the hand-written query `sql` returns.
    async fn string(&self, sql: String) -> String {
        sqlx::query_scalar::<_, String>(AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

/// A schema with a view over the column whose type changes, a view on that view, a rule,
/// an INSTEAD OF trigger, a comment and a grant.
fn pg_items_ddl(schema: &str) -> String {
    format!(
        r#"CREATE SCHEMA "{schema}";
        SET search_path TO "{schema}";
        CREATE TABLE items (id integer PRIMARY KEY, price integer NOT NULL, name varchar(20), label text);
        CREATE TABLE item_log (id integer, price bigint);
        INSERT INTO items VALUES (1, 10, 'a', 'x'), (2, 0, 'b', 'y');
        CREATE VIEW priced AS SELECT id, price, name FROM items WHERE price > 0;
        COMMENT ON VIEW priced IS 'items with a price';
        GRANT SELECT ON priced TO PUBLIC;
        CREATE VIEW top_priced AS SELECT id, price * 2 AS doubled FROM priced;
        CREATE VIEW labels AS SELECT id, label FROM items;
        CREATE RULE log_price AS ON UPDATE TO items DO ALSO INSERT INTO item_log VALUES (NEW.id, NEW.price);
        CREATE FUNCTION priced_insert() RETURNS trigger LANGUAGE plpgsql SET search_path = "{schema}" AS $$
          BEGIN INSERT INTO items (id, price, name) VALUES (NEW.id, NEW.price, NEW.name); RETURN NEW; END $$;
        CREATE TRIGGER priced_insert INSTEAD OF INSERT ON priced FOR EACH ROW EXECUTE FUNCTION priced_insert();
        RESET search_path;"#
    )
}

/// Defect 2: a type change on a column views and a rule use drops and recreates them in
/// the same transaction (definition, comment, grant, trigger, views on views), and a drop
/// of a column a view uses is blocked naming the view. Read back through the catalog.
#[tokio::test]
async fn postgres_type_change_under_views_recreates_them() {
    with_items(&["dependents_type"], |items| async move {
        let (schema, options) = &items.schemas[0];
        let db = dropping_columns(&items.url, options.clone()).await;
        let tables = [pg_items::Item::table_def()];
        let plan = db.compare(&tables).await.unwrap();
        let step = type_change(&plan);
        assert_eq!(step.risk, Risk::Caution, "{plan}");
        assert!(
            step.reason.contains(&format!(
                "view `{schema}.priced`, view `{schema}.top_priced`, rule `{schema}.log_price` use the column"
            )),
            "{}",
            step.reason
        );
        let blocked: Vec<String> = plan.blocked().iter().map(|b| b.why()).collect();
        assert_eq!(
            blocked,
            [format!(
                "will fail: view `{schema}.labels` uses column `label`, and could not be recreated without it"
            )],
            "{plan}"
        );
        db.apply(&tables).await.unwrap();

        // Each query reads one value back from the catalog or the recreated objects.
        let expected = [
            (
                format!(
                    "SELECT data_type::text FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'priced' AND column_name = 'price'"
                ),
                "bigint",
            ),
            (
                format!("SELECT obj_description('\"{schema}\".priced'::regclass, 'pg_class')"),
                "items with a price",
            ),
            (
                format!(
                    "SELECT string_agg(grantee || ':' || privilege_type, ',') FROM information_schema.role_table_grants WHERE table_schema = '{schema}' AND table_name = 'priced' AND grantee = 'PUBLIC'"
                ),
                "PUBLIC:SELECT",
            ),
            (
                format!("SELECT string_agg(doubled::text, ',') FROM \"{schema}\".top_priced"),
                "20",
            ),
        ];
        for (sql, value) in expected {
            assert_eq!(items.string(sql.clone()).await, value, "{sql}");
        }
        // The INSTEAD OF trigger on the recreated view still inserts, and the rule logs.
        sqlx::raw_sql(AssertSqlSafe(format!(
            "INSERT INTO \"{schema}\".priced (id, price, name) VALUES (3, 5000000000, 'c');
             UPDATE \"{schema}\".items SET price = 7 WHERE id = 1;"
        )))
        .execute(&items.pool)
        .await
        .unwrap();
        let expected = [
            (
                format!("SELECT string_agg(id || '=' || price, ',' ORDER BY id) FROM \"{schema}\".items"),
                "1=7,2=0,3=5000000000",
            ),
            (
                format!("SELECT string_agg(id || '=' || price, ',') FROM \"{schema}\".item_log"),
                "1=7",
            ),
            (
                format!("SELECT string_agg(label, ',' ORDER BY id) FROM \"{schema}\".labels"),
                "x,y",
            ),
        ];
        for (sql, value) in expected {
            assert_eq!(items.string(sql.clone()).await, value, "{sql}");
        }
        let again = db.compare(&tables).await.unwrap();
        assert!(again.steps().is_empty(), "{again}");
    })
    .await;
}

/// `pg_dump` of one schema (definitions and rows), with the schema's name taken out so
/// that two schemas can be compared.
fn pg_dump(url: &str, schema: &str) -> String {
    let out = std::process::Command::new("pg_dump")
        .args(["--no-owner", "--no-privileges", "-n", schema, url])
        .output()
        .expect("pg_dump runs");
    stdout_of(out)
        .replace(schema, "SCHEMA")
        .lines()
        .filter(|l| {
            !l.starts_with("--") && !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Defect 5 on PostgreSQL: the script of a plan with a rename and a type change under
/// views and a rule, run with `psql -1`, leaves schema and rows exactly as `apply` does
/// (compared with `pg_dump`).
#[tokio::test]
async fn postgres_script_runs_as_is_and_matches_apply() {
    let tags = ["dependents_script", "dependents_applied"];
    with_items(&tags, |items| async move {
        let [(s1, o1), (s2, o2)] = [&items.schemas[0], &items.schemas[1]];
        let tables = [pg_items_renamed(
            "name",
            "title",
            "`price` widened under views and a rule, `name` renamed under a view.",
        )];
        let db = items.conform(o1.clone()).await;
        let script = db.compare(&tables).await.unwrap().to_sql();
        assert!(script.contains("RENAME COLUMN"), "{script}");
        assert!(script.contains("CREATE VIEW"), "{script}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.sql");
        std::fs::write(&file, &script).unwrap();
        let out = std::process::Command::new("psql")
            .args([
                items.url.as_str(),
                "-q",
                "-1",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
            ])
            .arg(&file)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql failed: {}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
        let applied = items.conform(o2.clone()).await;
        applied.apply(&tables).await.unwrap();
        assert_eq!(pg_dump(&items.url, s1), pg_dump(&items.url, s2));
        assert!(db.compare(&tables).await.unwrap().is_empty());
    })
    .await;
}

/// A column renamed and changed in type in one plan: the objects using it are found by
/// the name they were read with, and the apply succeeds with them recreated.
#[tokio::test]
async fn postgres_rename_and_type_change_of_one_column_under_views() {
    with_items(&["dependents_rename_type"], |items| async move {
        let (s, options) = &items.schemas[0];
        let db = items.conform(options.clone()).await;
        let tables = [pg_items_renamed(
            "price",
            "amount",
            "`price` renamed to `amount` and widened in the same plan: the views and the rule\nname it `price` as they were read.",
        )];
        let plan = db.compare(&tables).await.unwrap();
        let alter = type_change(&plan);
        assert!(
            alter.reason.contains(&format!("view `{s}.priced`")),
            "{plan}"
        );
        db.apply(&tables).await.unwrap();
        let ty = format!("SELECT pg_typeof(price)::text FROM \"{s}\".priced LIMIT 1");
        assert_eq!(items.string(ty).await, "bigint");
        let doubled: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT doubled FROM \"{s}\".top_priced ORDER BY id"
        )))
        .fetch_all(&items.pool)
        .await
        .unwrap();
        assert_eq!(doubled, [20]);
        assert!(db.compare(&tables).await.unwrap().is_empty());
    })
    .await;
}
