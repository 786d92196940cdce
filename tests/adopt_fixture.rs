//! Adopting a realistic existing database and evolving it in one apply (issue 15,
//! acceptance), on each backend: a schema with views over columns that are altered and
//! renamed, a view on views, triggers, a serial key with an inheritance child and a rule,
//! a GiST and a partial index, a sequence shared by two tables (PostgreSQL); the same
//! shape within what SQLite has. After the apply every row, view, trigger and sequence
//! value is checked through the database's own command-line client (`psql`, `sqlite3`),
//! and a second compare finds nothing to do.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;
#[path = "common/pg_cases.rs"]
mod pg_cases;

use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{ChangeKind, DbConform, Options, Table, TableDef};
use pg_cases::run_then_drop;
use std::process::Command;

/// The evolved `orders` of both shops, one declaration: the backends differ only in the
/// integer type of the keys (`$key`) and in the SQLite table's CHECK (`$extra`).
macro_rules! shop_orders {
    ($key:ty $(, #[$extra:meta])*) => {
        #[derive(Table)]
        #[table(name = "orders")]
        #[index(
            name = "orders_open",
            columns("customer_id"),
            predicate = "status = 'new'"
        )]
        $(#[$extra])*
        pub struct Order {
            #[column(primary_key)]
            pub id: $key,
            #[column(references = "customers(id)")]
            pub customer_id: $key,
            pub amount: i64,
            #[column(max_length = 10, default = "'new'")]
            pub status: String,
            pub note: Option<String>,
        }
    };
}

/// The evolved declaration of the PostgreSQL shop: `customers.name` renamed to
/// `full_name`, `customers.email` widened, `orders.amount` from INTEGER to BIGINT (views
/// read both), `orders.note` added; keys, indexes and defaults as the database has them.
mod pg_shop {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "customers")]
    pub struct Customer {
        #[column(primary_key)]
        pub id: i32,
        #[column(renamed_from = "name", max_length = 40)]
        pub full_name: String,
        #[column(max_length = 120)]
        pub email: Option<String>,
        #[column(default = "CURRENT_TIMESTAMP")]
        pub joined: chrono::DateTime<chrono::Utc>,
    }

    shop_orders!(i32);

    #[derive(Table)]
    #[table(name = "refunds")]
    pub struct Refund {
        #[column(primary_key)]
        pub id: i32,
        #[column(references = "orders(id)")]
        pub order_id: i32,
        pub amount: i32,
    }

    #[derive(Table)]
    #[table(name = "stores")]
    #[index(name = "stores_area_gist", columns("area"), method = "gist")]
    pub struct Store {
        #[column(primary_key)]
        pub id: i32,
        pub name: String,
        #[column(sql_type = "box")]
        pub area: String,
    }
}

fn pg_tables() -> Vec<TableDef> {
    vec![
        pg_shop::Customer::table_def(),
        pg_shop::Order::table_def(),
        pg_shop::Refund::table_def(),
        pg_shop::Store::table_def(),
    ]
}

/// The shop as an existing database has it, in schema `s` (written the way `pg_dump`
/// and hand-written migrations write it; `order_log` and `vip_customers` are the
/// database's own, never declared).
fn pg_shop_ddl(s: &str) -> String {
    format!(
        r#"
CREATE SCHEMA "{s}";
SET search_path TO "{s}";
CREATE SEQUENCE shared_ids START 1000;
CREATE TABLE customers (
    id serial PRIMARY KEY,
    name varchar(40) NOT NULL,
    email varchar(80),
    joined timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE vip_customers (tier integer NOT NULL DEFAULT 1) INHERITS (customers);
CREATE TABLE orders (
    id integer DEFAULT nextval('shared_ids') NOT NULL PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    amount integer NOT NULL,
    status varchar(10) NOT NULL DEFAULT 'new'
);
CREATE TABLE refunds (
    id integer DEFAULT nextval('shared_ids') NOT NULL PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders (id),
    amount integer NOT NULL
);
CREATE TABLE stores (id serial PRIMARY KEY, name text NOT NULL, area box NOT NULL);
CREATE INDEX stores_area_gist ON stores USING gist (area);
CREATE INDEX orders_open ON orders (customer_id) WHERE status = 'new';
CREATE TABLE order_log (order_id integer, amount bigint);
CREATE FUNCTION log_order() RETURNS trigger LANGUAGE plpgsql SET search_path = "{s}" AS $$
    BEGIN INSERT INTO order_log VALUES (NEW.id, NEW.amount); RETURN NEW; END $$;
CREATE TRIGGER orders_log AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION log_order();
CREATE VIEW customer_names AS SELECT id, name FROM customers;
CREATE VIEW order_totals AS SELECT customer_id, sum(amount) AS total, max(amount) AS biggest FROM orders GROUP BY customer_id;
CREATE VIEW big_customers AS
    SELECT c.name, t.total FROM order_totals t JOIN customer_names c ON c.id = t.customer_id
    WHERE t.total > 100;
CREATE RULE new_customer AS ON INSERT TO customer_names
    DO INSTEAD INSERT INTO customers (name) VALUES (NEW.name);
INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Brendan', NULL);
INSERT INTO vip_customers (name, email, tier) VALUES ('Grace', 'grace@example.com', 3);
INSERT INTO orders (customer_id, amount) VALUES (1, 90), (1, 20), (2, 5);
INSERT INTO orders (customer_id, amount, status) VALUES (2, 300, 'paid');
INSERT INTO refunds (order_id, amount) VALUES (1000, 10);
INSERT INTO stores (name, area) VALUES ('north', '((0,0),(1,1))');
RESET search_path;
"#
    )
}

/// `psql -At` of `sql` against `url`: the rows as `|`-separated lines.
fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql])
        .output()
        .expect("psql runs");
    rows_printed(out, "psql", sql, false)
}

/// What a command-line client printed for `sql`, trimmed; it must have succeeded (and,
/// when `quiet`, printed nothing on stderr).
fn rows_printed(out: std::process::Output, client: &str, sql: &str, quiet: bool) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let printed_nothing_else = !quiet || stderr.is_empty();
    assert!(
        out.status.success() && printed_nothing_else,
        "{client} {sql}: {stderr}"
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

#[tokio::test]
async fn postgres_shop_is_adopted_and_evolved_in_one_apply() {
    let Some((url, scratch)) = pg_cases::scratch("adopt_shop").await else {
        return;
    };
    let (s, pool, options) = (
        scratch.schema.clone(),
        scratch.pool.clone(),
        scratch.options(),
    );
    let check_url = url.clone();
    let body = async move {
        sqlx::raw_sql(AssertSqlSafe(pg_shop_ddl(&s)))
            .execute(&pool)
            .await
            .unwrap();
        let sequences_before = psql(
            &check_url,
            &format!(
                "SELECT last_value FROM \"{s}\".shared_ids UNION ALL SELECT last_value FROM \"{s}\".customers_id_seq"
            ),
        );
        assert_eq!(sequences_before, "1004\n3");
        let db = DbConform::connect(&check_url)
            .await
            .unwrap()
            .with_options(options);
        let tables = pg_tables();
        let plan = db.compare(&tables).await.unwrap();
        // Exactly the evolution: a rename, two type changes (one under three views), an
        // added column; no key rewritten into an identity, no index recreated.
        let mut kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            [
                ChangeKind::AddColumn,
                ChangeKind::AlterColumn,
                ChangeKind::AlterColumn,
                ChangeKind::RenameColumn
            ],
            "{plan}"
        );
        assert!(plan.blocked().is_empty(), "{plan}");
        db.apply(&tables).await.unwrap();

        let q = |sql: String| psql(&check_url, &sql);
        // Every row, the child's included, with the renamed and widened columns.
        assert_eq!(
            q(format!(
                "SELECT id, full_name, coalesce(email, '-') FROM \"{s}\".customers ORDER BY id"
            )),
            "1|Ada|ada@example.com\n2|Brendan|-\n3|Grace|grace@example.com"
        );
        assert_eq!(
            q(format!(
                "SELECT id, customer_id, amount, status, pg_typeof(amount) FROM \"{s}\".orders ORDER BY id"
            )),
            "1000|1|90|new|bigint\n1001|1|20|new|bigint\n1002|2|5|new|bigint\n1003|2|300|paid|bigint"
        );
        // The views work, the view on views too, with the renamed column's values.
        assert_eq!(
            q(format!(
                "SELECT name, total FROM \"{s}\".big_customers ORDER BY name"
            )),
            "Ada|110\nBrendan|305"
        );
        assert_eq!(
            q(format!(
                "SELECT pg_typeof(biggest) FROM \"{s}\".order_totals LIMIT 1"
            )),
            "bigint"
        );
        // The sequences kept their values; the shared one still serves both tables.
        assert_eq!(
            q(format!(
                "SELECT last_value FROM \"{s}\".shared_ids UNION ALL SELECT last_value FROM \"{s}\".customers_id_seq"
            )),
            sequences_before
        );
        // The trigger logs, the rule inserts through the serial key, the child keeps its
        // default, and the shared sequence goes on from where it was.
        q(format!(
            "INSERT INTO \"{s}\".orders (customer_id, amount) VALUES (1, 7000000000);
             INSERT INTO \"{s}\".refunds (order_id, amount) VALUES (1003, 1);
             INSERT INTO \"{s}\".customer_names (name) VALUES ('Linus');
             INSERT INTO \"{s}\".vip_customers (full_name, tier) VALUES ('Barbara', 2);"
        ));
        assert_eq!(
            q(format!(
                "SELECT order_id, amount FROM \"{s}\".order_log ORDER BY order_id"
            )),
            "1000|90\n1001|20\n1002|5\n1003|300\n1005|7000000000"
        );
        assert_eq!(
            q(format!("SELECT id FROM \"{s}\".refunds ORDER BY id")),
            "1004\n1006"
        );
        assert_eq!(
            q(format!(
                "SELECT id, full_name FROM \"{s}\".customers WHERE id > 3 ORDER BY id"
            )),
            "4|Linus\n5|Barbara"
        );
        // The GiST and the partial index are as they were.
        assert_eq!(
            q(format!(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = '{s}' AND indexname IN ('stores_area_gist', 'orders_open') ORDER BY indexname"
            )),
            format!(
                "CREATE INDEX orders_open ON {s}.orders USING btree (customer_id) WHERE ((status)::text = 'new'::text)\nCREATE INDEX stores_area_gist ON {s}.stores USING gist (area)"
            )
        );
        let again = db.compare(&tables).await.unwrap();
        assert!(again.is_empty(), "{again}");
    };
    run_then_drop(vec![scratch], body).await;
}

/// The SQLite shop, evolved the same way: `customers.name` renamed and `email` widened
/// (a rebuild with a rename, under two views and an INSTEAD OF trigger), `orders.amount`
/// from INTEGER to BIGINT (a rebuild under a view and a trigger), `orders.note` added.
mod sqlite_shop {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "customers")]
    pub struct Customer {
        #[column(primary_key)]
        pub id: i64,
        #[column(renamed_from = "name", max_length = 40)]
        pub full_name: String,
        #[column(max_length = 120)]
        pub email: Option<String>,
        #[column(sql_type = "TEXT", default = "CURRENT_TIMESTAMP")]
        pub joined: String,
    }

    shop_orders!(i64, #[check(name = "orders_amount_positive", expr = "amount >= 0")]);
}

const SQLITE_SHOP_DDL: &str = "
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name VARCHAR(40) NOT NULL,
    email VARCHAR(80),
    joined TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    amount INTEGER NOT NULL,
    status VARCHAR(10) NOT NULL DEFAULT 'new',
    CONSTRAINT orders_amount_positive CHECK (amount >= 0)
);
CREATE INDEX orders_open ON orders (customer_id) WHERE status = 'new';
CREATE TABLE order_log (order_id INTEGER, amount INTEGER);
CREATE TRIGGER orders_log AFTER INSERT ON orders BEGIN INSERT INTO order_log VALUES (new.id, new.amount); END;
CREATE VIEW customer_names AS SELECT id, name AS display_name FROM customers;
CREATE VIEW order_totals AS SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id;
CREATE VIEW big_customers AS
    SELECT c.display_name, t.total FROM order_totals t JOIN customer_names c ON c.id = t.customer_id
    WHERE t.total > 100;
CREATE TRIGGER new_customer INSTEAD OF INSERT ON customer_names
    BEGIN INSERT INTO customers (name) VALUES (new.display_name); END;
INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Brendan', NULL);
INSERT INTO orders (customer_id, amount) VALUES (1, 90), (1, 20), (2, 5);
INSERT INTO orders (customer_id, amount, status) VALUES (2, 300, 'paid');
";

/// `sqlite3` of `sql` on the file: the rows as `|`-separated lines.
fn sqlite3(path: &std::path::Path, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(path)
        .arg(sql)
        .output()
        .expect("the sqlite3 CLI runs (apt-get install sqlite3)");
    rows_printed(out, "sqlite3", sql, true)
}

#[tokio::test]
async fn sqlite_shop_is_adopted_and_evolved_in_one_apply() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(SQLITE_SHOP_DDL))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let tables = vec![
        sqlite_shop::Customer::table_def(),
        sqlite_shop::Order::table_def(),
    ];
    let db = DbConform::connect(&url)
        .await
        .unwrap()
        .with_options(Options::default());
    let plan = db.compare(&tables).await.unwrap();
    let kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::RebuildTable, ChangeKind::RebuildTable],
        "{plan}"
    );
    assert!(plan.blocked().is_empty(), "{plan}");
    db.apply(&tables).await.unwrap();

    let q = |sql: &str| sqlite3(&path, sql);
    assert_eq!(
        q("SELECT id, full_name, coalesce(email, '-') FROM customers ORDER BY id"),
        "1|Ada|ada@example.com\n2|Brendan|-"
    );
    assert_eq!(
        q("SELECT id, customer_id, amount, status FROM orders ORDER BY id"),
        "1|1|90|new\n2|1|20|new\n3|2|5|new\n4|2|300|paid"
    );
    assert_eq!(
        q("SELECT type FROM pragma_table_info('orders') WHERE name = 'amount'"),
        "BIGINT"
    );
    // The views, the view on views, the triggers.
    assert_eq!(
        q("SELECT display_name, total FROM big_customers ORDER BY display_name"),
        "Ada|110\nBrendan|305"
    );
    q("INSERT INTO customer_names (display_name) VALUES ('Linus');
       INSERT INTO orders (customer_id, amount) VALUES (3, 7);");
    assert_eq!(
        q("SELECT id, full_name FROM customers WHERE id > 2"),
        "3|Linus"
    );
    // Ids go on from the largest one (the rowid key was kept, not made AUTOINCREMENT).
    assert_eq!(
        q("SELECT order_id, amount FROM order_log ORDER BY order_id"),
        "1|90\n2|20\n3|5\n4|300\n5|7"
    );
    assert_eq!(
        q("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'"),
        "0"
    );
    // The partial index and the named CHECK are as they were.
    assert_eq!(
        q("SELECT sql FROM sqlite_schema WHERE name = 'orders_open'"),
        "CREATE INDEX \"orders_open\" ON \"orders\" (\"customer_id\") WHERE status = 'new'"
    );
    assert!(
        q("SELECT sql FROM sqlite_schema WHERE name = 'orders'")
            .contains("CONSTRAINT \"orders_amount_positive\" CHECK (amount >= 0)"),
    );
    assert_eq!(q("PRAGMA foreign_key_check"), "");
    let again = db.compare(&tables).await.unwrap();
    assert!(again.is_empty(), "{again}");
}
