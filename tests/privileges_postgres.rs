//! Privileges known at plan time on PostgreSQL: connected as a role that may not do
//! everything, the plan blocks each step the role may not run with the reason (not
//! owning the table, no CREATE on the schema, no REFERENCES on a referenced table)
//! instead of failing mid-apply; membership of the owning role counts. The database is
//! read back as `postgres`, through its own catalog.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::scratch::{as_user, detached};
use common::{PgScratch, pg_url, refused_as_blocked};
use dbconform::sqlx::{self, AssertSqlSafe, Connection, PgConnection};
use dbconform::{DbConform, Options, Table, TableDef};

#[derive(Table)]
#[table(name = "pv_orders")]
struct Orders {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "pv_orders")]
struct OrdersWithNote {
    #[column(primary_key)]
    id: i64,
    note: Option<String>,
}

#[derive(Table)]
#[table(name = "pv_customers")]
struct Customers {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "pv_invoices")]
struct Invoices {
    #[column(primary_key)]
    id: i64,
    #[column(references = "pv_customers(id)")]
    customer_id: i64,
}

/// Login roles made for one test (named after its scratch schema, so that parallel tests
/// never share one), dropped with what they own and were granted by `cleanup` or, when
/// the test panics first, on drop.
struct Roles {
    url: String,
    names: Vec<String>,
    dropped: bool,
}

impl Roles {
    /// `<schema>_<suffix>` for each suffix, created `LOGIN` and given USAGE on the scratch
    /// schema (created here if need be, owned by `postgres`).
    async fn new(scratch: &PgScratch, url: &str, suffixes: &[&str]) -> Roles {
        let names: Vec<String> = suffixes
            .iter()
            .map(|s| format!("{}_{s}", scratch.schema))
            .collect();
        let roles = Roles {
            url: url.to_string(),
            names,
            dropped: false,
        };
        // Left by an earlier run of the same process id.
        roles.drop_all().await.unwrap();
        scratch.ddl("SELECT 1").await;
        for name in &roles.names {
            scratch
                .exec(&format!(
                    "CREATE ROLE \"{name}\" LOGIN; GRANT USAGE ON SCHEMA \"{}\" TO \"{name}\"",
                    scratch.schema
                ))
                .await;
        }
        roles
    }

    /// The role with `suffix`.
    fn name(&self, suffix: &str) -> &str {
        self.names
            .iter()
            .find(|n| n.ends_with(&format!("_{suffix}")))
            .expect("a role of this test")
    }

    /// A conformer connected as the role with `suffix`, targeting the scratch schema.
    async fn conform_as(&self, suffix: &str, scratch: &PgScratch, options: Options) -> DbConform {
        DbConform::connect(&as_user(&self.url, self.name(suffix)))
            .await
            .unwrap()
            .with_options(Options {
                target_schema: scratch.schema.clone(),
                ..options
            })
    }

    async fn drop_all(&self) -> Result<(), sqlx::Error> {
        drop_roles(&self.url, &self.names).await
    }

    async fn cleanup(mut self) {
        self.drop_all().await.unwrap();
        self.dropped = true;
    }
}

impl Drop for Roles {
    /// As `PgScratch` does: from a thread with a runtime and a connection of its own.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, names) = (self.url.clone(), self.names.clone());
        let outcome =
            detached(
                move || async move { drop_roles(&url, &names).await.map_err(|e| e.to_string()) },
            );
        if let Err(e) = outcome {
            eprintln!("could not drop the roles {:?}: {e}", self.names);
        }
    }
}

/// Drops each role in `names` that exists, with what it owns and its privileges.
async fn drop_roles(url: &str, names: &[String]) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    for name in names {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await?;
        if exists {
            sqlx::raw_sql(AssertSqlSafe(format!(
                "DROP OWNED BY \"{name}\" CASCADE; DROP ROLE \"{name}\""
            )))
            .execute(&mut conn)
            .await?;
        }
    }
    conn.close().await
}

/// The columns of `table` in the scratch schema, read as `postgres`.
async fn columns(scratch: &PgScratch, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = ($1 || '.' || $2)::regclass \
         AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    )
    .bind(format!("\"{}\"", scratch.schema))
    .bind(table)
    .fetch_all(&scratch.pool)
    .await
    .unwrap()
}

/// The owner of `table` in the scratch schema, or `None` when it does not exist.
async fn owner(scratch: &PgScratch, table: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT tableowner::text FROM pg_tables WHERE schemaname = $1 AND tablename = $2",
    )
    .bind(&scratch.schema)
    .bind(table)
    .fetch_optional(&scratch.pool)
    .await
    .unwrap()
}

/// A scratch schema holding `tables`, created as `postgres` and given to the role
/// `<schema>_admin`, and the roles `admin` plus `others` (each with USAGE on the schema).
async fn owned_by_admin(
    url: &str,
    tag: &str,
    tables: &[TableDef],
    others: &[&str],
) -> (PgScratch, Roles) {
    let scratch = PgScratch::new(url, tag).await;
    let mut suffixes = vec!["admin"];
    suffixes.extend_from_slice(others);
    let roles = Roles::new(&scratch, url, &suffixes).await;
    scratch.conform().await.apply(tables).await.unwrap();
    for table in tables {
        scratch
            .exec(&format!(
                "ALTER TABLE {{S}}\"{}\" OWNER TO \"{}\"",
                table.name,
                roles.name("admin")
            ))
            .await;
    }
    (scratch, roles)
}

#[tokio::test]
async fn a_role_not_owning_the_table_is_blocked_and_nothing_changes() {
    let Some(url) = pg_url() else { return };
    let (scratch, roles) = owned_by_admin(&url, "pv_alter", &[Orders::table_def()], &["app"]).await;
    let (app, admin) = (roles.name("app"), roles.name("admin"));
    let s = &scratch.schema;
    let db = roles.conform_as("app", &scratch, Options::default()).await;

    // A compare that finds nothing to do asks nothing about privileges: one reflection.
    let before = db.statements_sent();
    assert!(db.compare(&[Orders::table_def()]).await.unwrap().is_empty());
    assert_eq!(db.statements_sent() - before, 1);

    let reason = format!("role \"{app}\" cannot alter {s}.pv_orders: it is owned by \"{admin}\"");
    let suggestion = format!("run as the owner, or GRANT \"{admin}\" TO \"{app}\"");
    // With a step: the reflection and one statement of privileges.
    let before = db.statements_sent();
    let plan = db.compare(&[OrdersWithNote::table_def()]).await.unwrap();
    assert_eq!(db.statements_sent() - before, 2);
    assert!(plan.steps().is_empty(), "{plan}");
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    let blocked = &plan.blocked()[0];
    assert_eq!(
        blocked.step.describe(),
        format!("add column {s}.pv_orders.note")
    );
    assert_eq!(blocked.problem.as_deref(), Some(reason.as_str()));
    assert_eq!(blocked.unlocked_by, "");
    assert_eq!(
        blocked.step.suggestion.as_deref(),
        Some(suggestion.as_str())
    );
    assert_eq!(blocked.why(), reason);

    // Preflight reports it blocked too, and tries nothing.
    let tried = db.preflight(&[OrdersWithNote::table_def()]).await.unwrap();
    assert!(tried.steps.is_empty());
    assert_eq!(tried.blocked, plan.blocked());

    // As `conform_all` applies: refused before the first statement.
    let another = roles.conform_as("app", &scratch, Options::default()).await;
    let error = refused_as_blocked(another, &[OrdersWithNote::table_def()], plan.blocked()).await;
    assert_eq!(
        error,
        format!(
            "the database does not conform and nothing was changed: 1 step needed for it is blocked\n  \
             - add column {s}.pv_orders.note ({reason})\n\
             unblock it as it says, or use `DbConform::apply_all`, which applies the other steps and reports the blocked ones in its `Report`"
        )
    );
    assert_eq!(columns(&scratch, "pv_orders").await, ["id"]);

    // Otherwise the apply runs what it may and reports the rest: with CREATE on the
    // schema, a new table is created beside the blocked column (and planning again after
    // it finds only the blocked step).
    scratch
        .exec(&format!("GRANT CREATE ON SCHEMA \"{s}\" TO \"{app}\""))
        .await;
    let report = db
        .apply(&[OrdersWithNote::table_def(), Customers::table_def()])
        .await
        .unwrap();
    assert_eq!(
        report
            .executed
            .iter()
            .map(|e| e.step.describe())
            .collect::<Vec<_>>(),
        [format!("create table {s}.pv_customers")]
    );
    assert_eq!(report.blocked, plan.blocked());
    assert_eq!(columns(&scratch, "pv_orders").await, ["id"]);
    assert_eq!(columns(&scratch, "pv_customers").await, ["id"]);

    roles.cleanup().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_new_table_needs_create_on_the_schema() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "pv_create").await;
    let roles = Roles::new(&scratch, &url, &["app"]).await;
    let (app, s) = (roles.name("app"), &scratch.schema);
    let db = roles.conform_as("app", &scratch, Options::default()).await;

    let plan = db.compare(&[Customers::table_def()]).await.unwrap();
    assert!(plan.steps().is_empty(), "{plan}");
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    assert_eq!(
        plan.blocked()[0].why(),
        format!("role \"{app}\" cannot create tables in schema {s}: it lacks CREATE on the schema")
    );
    assert_eq!(
        plan.blocked()[0].step.suggestion.as_deref(),
        Some(format!("GRANT CREATE ON SCHEMA \"{s}\" TO \"{app}\"").as_str())
    );
    let report = db.apply(&[Customers::table_def()]).await.unwrap();
    assert!(report.executed.is_empty(), "{report}");
    assert_eq!(owner(&scratch, "pv_customers").await, None);

    // Granted: the same apply creates the table, which the role then owns.
    scratch
        .exec(&format!("GRANT CREATE ON SCHEMA \"{s}\" TO \"{app}\""))
        .await;
    let report = db.apply(&[Customers::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert!(report.blocked.is_empty(), "{report}");
    assert_eq!(owner(&scratch, "pv_customers").await.as_deref(), Some(app));

    roles.cleanup().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_member_of_the_owning_role_may_alter_the_table() {
    let Some(url) = pg_url() else { return };
    let (scratch, roles) =
        owned_by_admin(&url, "pv_member", &[Orders::table_def()], &["member"]).await;
    scratch
        .exec(&format!(
            "GRANT \"{}\" TO \"{}\"",
            roles.name("admin"),
            roles.name("member")
        ))
        .await;
    let db = roles
        .conform_as("member", &scratch, Options::default())
        .await;

    let plan = db.compare(&[OrdersWithNote::table_def()]).await.unwrap();
    assert!(plan.blocked().is_empty(), "{plan}");
    let report = db.apply(&[OrdersWithNote::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert_eq!(columns(&scratch, "pv_orders").await, ["id", "note"]);

    roles.cleanup().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_new_foreign_key_needs_references_on_the_referenced_table() {
    let Some(url) = pg_url() else { return };
    let (scratch, roles) =
        owned_by_admin(&url, "pv_references", &[Customers::table_def()], &["app"]).await;
    let (app, s) = (roles.name("app"), &scratch.schema);
    // The role may create tables, but not reference `pv_customers`.
    scratch
        .exec(&format!("GRANT CREATE ON SCHEMA \"{s}\" TO \"{app}\""))
        .await;
    let db = roles.conform_as("app", &scratch, Options::default()).await;
    let declared = [Customers::table_def(), Invoices::table_def()];

    let plan = db.compare(&declared).await.unwrap();
    assert!(plan.steps().is_empty(), "{plan}");
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    assert_eq!(
        plan.blocked()[0].step.describe(),
        format!("create table {s}.pv_invoices")
    );
    assert_eq!(
        plan.blocked()[0].why(),
        format!(
            "role \"{app}\" cannot reference {s}.pv_customers in a foreign key: it lacks REFERENCES on it"
        )
    );
    assert_eq!(
        plan.blocked()[0].step.suggestion.as_deref(),
        Some(format!("GRANT REFERENCES ON \"{s}\".\"pv_customers\" TO \"{app}\"").as_str())
    );
    db.apply(&declared).await.unwrap();
    assert_eq!(owner(&scratch, "pv_invoices").await, None);

    // Granted: the table is created with its foreign key.
    scratch
        .exec(&format!(
            "GRANT REFERENCES ON {{S}}\"pv_customers\" TO \"{app}\""
        ))
        .await;
    let report = db.apply(&declared).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert_eq!(owner(&scratch, "pv_invoices").await.as_deref(), Some(app));

    roles.cleanup().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_new_schema_needs_create_on_the_database_and_its_tables_wait_for_it() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "pv_schema").await;
    let roles = Roles::new(&scratch, &url, &["app"]).await;
    let app = roles.name("app");
    let db = roles.conform_as("app", &scratch, Options::default()).await;
    // A schema no test creates (the role may not, and nothing here grants it).
    let schema = format!("{}_new", scratch.schema);
    let mut customers = Customers::table_def();
    customers.schema = Some(schema.clone());

    let database: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&scratch.pool)
        .await
        .unwrap();

    let plan = db.compare(&[customers]).await.unwrap();
    assert!(plan.steps().is_empty(), "{plan}");
    let blocked: Vec<(String, String)> = plan
        .blocked()
        .iter()
        .map(|b| (b.step.describe(), b.why()))
        .collect();
    assert_eq!(
        blocked,
        [
            (
                format!("create schema {schema}"),
                format!(
                    "role \"{app}\" cannot create schema {schema}: it lacks CREATE on the database"
                )
            ),
            (
                format!("create table {schema}.pv_customers"),
                format!("it needs `create schema {schema}`, which is blocked")
            ),
        ]
    );
    assert_eq!(
        plan.blocked()[0].step.suggestion.as_deref(),
        Some(format!("GRANT CREATE ON DATABASE \"{database}\" TO \"{app}\"").as_str())
    );

    roles.cleanup().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_table_is_dropped_by_its_owner_or_the_owner_of_its_schema() {
    let Some(url) = pg_url() else { return };
    let tables = [Customers::table_def(), Orders::table_def()];
    let (scratch, roles) = owned_by_admin(&url, "pv_drop", &tables, &["app"]).await;
    let (app, admin, s) = (roles.name("app"), roles.name("admin"), &scratch.schema);
    let options = Options {
        allow_drop_extra_tables: true,
        ..Options::default()
    };
    let db = roles.conform_as("app", &scratch, options).await;
    let declared = [Customers::table_def()];

    let plan = db.compare(&declared).await.unwrap();
    assert!(plan.steps().is_empty(), "{plan}");
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    assert_eq!(
        plan.blocked()[0].why(),
        format!("role \"{app}\" cannot drop {s}.pv_orders: it is owned by \"{admin}\"")
    );

    // The owner of the schema may drop what is in it.
    scratch
        .exec(&format!("ALTER SCHEMA \"{s}\" OWNER TO \"{app}\""))
        .await;
    let report = db.apply(&declared).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert_eq!(owner(&scratch, "pv_orders").await, None);

    roles.cleanup().await;
    scratch.cleanup().await;
}
