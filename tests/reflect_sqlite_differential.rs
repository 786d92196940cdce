//! SQLite reflection from the stored text alone against the pragma-based reference, table
//! by table, on a real database: hand-written schemas covering SQLite's quirks, schemas
//! dbconform itself creates, and random CREATE TABLE / CREATE INDEX text (proptest).
//!
//! For every database, the reflection dbconform uses must equal the one read entirely
//! with the pragmas (`pragma_table_xinfo`, `pragma_index_list`, ...), and the tables the
//! text path leaves to the pragmas must be exactly the expected ones (none, for anything
//! but the odd cases that are there to check the fallback itself): a text path that fell
//! back everywhere would pass the first check but not the second.
//!
//! `DBCONFORM_PROPTEST_CASES` raises the number of random schemas (default 128).

#[path = "common/mod.rs"]
mod common;

use common::sqlite_file;
use dbconform::sqlx::{self, AssertSqlSafe, Connection};
use dbconform::{DbConform, TableDef};
use dbconform_runtime::sqlite_reflection::{Reflections, both};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Runs `ddl` on a fresh database file and reflects it both ways.
async fn reflect(ddl: &str) -> Reflections {
    let (_dir, url) = sqlite_file();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(ddl.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{ddl}"));
    conn.close().await.unwrap();
    // A new connection: the schema as SQLite loads it from the file.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let reflections = both(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    reflections
}

/// Both reflections are equal table by table, and exactly `fallback` was left to the
/// pragmas (in `sqlite_schema` order).
fn assert_same(reflections: &Reflections, fallback: &[&str], ddl: &str) {
    let Reflections {
        schema,
        fallback: found,
        reference,
    } = reflections;
    let names = |tables: &[TableDef]| tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&schema.tables),
        names(&reference.tables),
        "tables differ for\n{ddl}"
    );
    for (text, pragma) in schema.tables.iter().zip(&reference.tables) {
        assert_eq!(
            text, pragma,
            "table {:?}: the text path (left) differs from the pragmas (right) for\n{ddl}",
            text.name
        );
    }
    assert_eq!(schema, reference, "{ddl}");
    assert_eq!(found, fallback, "tables left to the pragmas for\n{ddl}");
}

async fn check(ddl: &str, fallback: &[&str]) {
    assert_same(&reflect(ddl).await, fallback, ddl);
}

#[tokio::test]
async fn columns_types_defaults_and_generated_columns() {
    check(common::SQLITE_THINGS_DDL, &[]).await;
}

#[tokio::test]
async fn every_spelling_of_a_type() {
    // SQLite reports the six standard names in upper case even when quoted, keeps every
    // other type as written (comments included), cuts a trailing `GENERATED ALWAYS`, takes
    // any word that is not reserved (KEY, ASC, GENERATED, ...) as part of the type, and
    // unquotes the way `sqlite3Dequote` does (up to the first closing quote).
    check(
        r#"CREATE TABLE t (
            a INT, b integer, c "INTEGER", d [text], e 'Real', f `blob`, g any,
            h INTEGER2, i "INT" "X", j [a] b, k 'a' b, l "a""b", m "x y" z,
            n DOUBLE PRECISION, o UNSIGNED BIG INT, p CHARACTER VARYING ( 255 ),
            q NATIVE CHARACTER(70), r VARCHAR(+10), s DECIMAL(-10, 5),
            v DECIMAL(10,2), w TEXT KEY, x TEXT ASC DESC, y INT /* comment */ UNSIGNED,
            z DATETIME WITH TIME ZONE, aa BOOLEAN, ab CLOB, ac NVARCHAR(100), ad FLOAT,
            ae TIMESTAMPTZ, af UUID, ag JSON, ah JSONB, ai MONEY, aj BIGINTEGER,
            ak "", al "t", am [INTEGER], an GENERATED, ao ALWAYS, ap INTEGER ALWAYS,
            aq BIGINTEGER ALWAYS, ar REPLACE, "as" CURRENT_TIMESTAMP, at MATCH LIKE,
            au INT GENERATED ALWAYS AS (1), av INT /*c*/ GENERATED   ALWAYS AS (2) STORED,
            aw GENERATED ALWAYS AS (3), ax INT GENERATED AS (4), ay TINYINT, az MEDIUMINT,
            ba INT2, bb INT8, bc VARYING CHARACTER(255), bd NCHAR(55), be REAL(5),
            bf DOUBLE(10, 2), bg DATE, bh TIME, bi TIMESTAMP, bj BYTEA, bk BINARY(16)
        )"#,
        &[],
    )
    .await;
}

#[tokio::test]
async fn defaults_as_sqlite_reports_them() {
    check(
        r#"CREATE TABLE t (
            a DEFAULT 1, b DEFAULT -1, c DEFAULT + 1.5, d DEFAULT - /* minus */ 2,
            e DEFAULT 'x', f DEFAULT -'x', g DEFAULT X'AB', h DEFAULT NULL, i DEFAULT -NULL,
            j DEFAULT CURRENT_TIME, k DEFAULT current_date, l DEFAULT ( 1 + 2 ),
            m DEFAULT (/* leading */ 'y' /* trailing */), n DEFAULT (
                'multi'
            ), o DEFAULT true, p DEFAULT FALSE, q DEFAULT "dq", r DEFAULT [br], s DEFAULT `bt`,
            t DEFAULT 0x1F, u DEFAULT 1e3, v DEFAULT .5, w DEFAULT 1_000, x DEFAULT (('n')),
            y DEFAULT 'a' DEFAULT 'b', z TEXT DEFAULT (datetime('now', 'localtime')),
            aa DEFAULT -0x10, ab DEFAULT key, ac DEFAULT (-1)
        )"#,
        &[],
    )
    .await;
}

#[tokio::test]
async fn primary_keys_rowid_aliases_and_table_options() {
    let ddl = format!(
        r#"{}
           CREATE TABLE i (id INTEGER PRIMARY KEY DESC, v TEXT);
           CREATE TABLE j (id INTEGER, v TEXT, PRIMARY KEY (id DESC));
           CREATE TABLE k (id "integer" PRIMARY KEY, v TEXT);
           CREATE TABLE l (id INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID;
           CREATE TABLE m (id INTEGER, v TEXT, PRIMARY KEY (id)) WITHOUT ROWID;
           CREATE TABLE n (a TEXT, b INT, PRIMARY KEY (b, a)) STRICT;
           CREATE TABLE o (a TEXT PRIMARY KEY, b INT) STRICT;
           CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT) STRICT, WITHOUT ROWID;
           CREATE TABLE q (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, v TEXT);
           CREATE TABLE r (id "INTEGER" x PRIMARY KEY, v TEXT);
           CREATE TABLE s (A TEXT, b TEXT, PRIMARY KEY ("a" COLLATE nocase, 'B' DESC));
           CREATE TABLE u (id BIGINT PRIMARY KEY, v TEXT);
           CREATE TABLE v (id INTEGER NOT NULL, PRIMARY KEY (ID));
           CREATE TABLE w (id INTEGER PRIMARY KEY COLLATE nocase) WITHOUT ROWID;"#,
        common::SQLITE_KEYS_DDL
    );
    check(&ddl, &[]).await;
}

#[tokio::test]
async fn unique_constraints_named_numbered_and_merged() {
    // SQLite numbers its autoindexes in the order it meets the constraints, skips one with
    // the same columns and collations as an earlier one (a PRIMARY KEY takes it over), and
    // the pragma path lists them by name: `_10` sorts before `_2`.
    check(
        r#"CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, a INT, b INT, UNIQUE (a, b));
           CREATE TABLE many (
               c1 UNIQUE, c2 UNIQUE, c3 UNIQUE, c4 UNIQUE, c5 UNIQUE, c6 UNIQUE,
               c7 UNIQUE, c8 UNIQUE, c9 UNIQUE, c10 UNIQUE, c11 CONSTRAINT u11 UNIQUE,
               CONSTRAINT u12 UNIQUE (c1, c2)
           );
           CREATE TABLE twice (a TEXT UNIQUE, b TEXT, UNIQUE (a), CONSTRAINT named UNIQUE (b), UNIQUE (b));
           CREATE TABLE taken (a TEXT UNIQUE PRIMARY KEY, b TEXT);
           CREATE TABLE taken2 (a TEXT, b TEXT, CONSTRAINT uq UNIQUE (a, b), PRIMARY KEY (a, b));
           CREATE TABLE kept (a TEXT PRIMARY KEY, b TEXT, UNIQUE (a));
           CREATE TABLE rowid_unique (id INTEGER PRIMARY KEY UNIQUE, b TEXT);
           CREATE TABLE rowid_unique2 (id INTEGER UNIQUE PRIMARY KEY, b TEXT);
           CREATE TABLE collated (a TEXT COLLATE NOCASE UNIQUE, UNIQUE (a), UNIQUE (a COLLATE BINARY), UNIQUE (a COLLATE nocase));
           CREATE TABLE late (a TEXT UNIQUE COLLATE NOCASE, UNIQUE (a COLLATE "NOCASE"));
           CREATE TABLE order_matters (a, b, UNIQUE (a, b), UNIQUE (b, a), UNIQUE (a DESC, b));
           CREATE TABLE wr (id INTEGER PRIMARY KEY, u TEXT UNIQUE, UNIQUE (id)) WITHOUT ROWID;
           CREATE TABLE wr2 (k TEXT, u TEXT UNIQUE, PRIMARY KEY (k)) WITHOUT ROWID;
           CREATE TABLE wr3 (k TEXT UNIQUE, PRIMARY KEY (k)) WITHOUT ROWID;
           CREATE TABLE "Mixed Case" (Code TEXT UNIQUE, other TEXT, UNIQUE (CODE, OTHER));"#,
        &[],
    )
    .await;
}

#[tokio::test]
async fn foreign_keys_in_every_form() {
    let ddl = format!(
        r#"CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, a INT, b INT, UNIQUE (a, b));
           CREATE TABLE wr_parent (x TEXT, y TEXT, PRIMARY KEY (y, x)) WITHOUT ROWID;
           CREATE TABLE "Child" (
               id INTEGER PRIMARY KEY,
               parent_id INTEGER REFERENCES parent ON DELETE CASCADE,
               p_code TEXT CONSTRAINT fk_code REFERENCES PARENT (CODE) ON UPDATE SET NULL MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED,
               a INT, b INT,
               n INT REFERENCES nowhere (id) ON INSERT CASCADE ON DELETE SET DEFAULT ON DELETE NO ACTION,
               m INT REFERENCES parent NOT DEFERRABLE INITIALLY IMMEDIATE,
               x TEXT, y TEXT,
               FOREIGN KEY (a, b) REFERENCES parent (a, b) ON DELETE RESTRICT ON UPDATE SET DEFAULT,
               CONSTRAINT fk_missing FOREIGN KEY (n) REFERENCES nowhere (id),
               FOREIGN KEY (Y, X) REFERENCES wr_parent,
               FOREIGN KEY (x) REFERENCES "Child" (x)
           );
           CREATE TABLE child2 ({});
           CREATE TABLE self (id INTEGER PRIMARY KEY, up INT REFERENCES self, [down] INT REFERENCES "SELF" ("ID"));"#,
        common::SQLITE_ALIKE_FOREIGN_KEYS
    );
    check(&ddl, &[]).await;
}

#[tokio::test]
async fn checks_collations_and_names_in_every_quoting_style() {
    let ddl = format!(
        r#"CREATE TABLE "user" (
               {},
               'single' TEXT CHECK (length('single') > 0) COLLATE rtrim,
               "表" INT CHECK ("表" > 0) CONSTRAINT c2 CHECK ("表" < 10),
               CHECK ("order" > 0),
               CONSTRAINT ck_t CHECK ([group] <> `na"me`)
           );
           CREATE INDEX "ix ""x""" ON "user" ("with space" DESC, ünïcødé);
           CREATE TABLE [order] ([key] TEXT, action TEXT, "" TEXT, `desc` INT);
           CREATE INDEX ix_kw ON [order] ([key], "desc" DESC, action);"#,
        common::SQLITE_HOSTILE_COLUMNS
    );
    check(&ddl, &[]).await;
}

#[tokio::test]
async fn indexes_partial_descending_expression_and_unique() {
    check(
        r#"CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, a INT, b INT, k TEXT UNIQUE, "Mixed" TEXT);
           CREATE INDEX ix_ab ON t (a, b DESC);
           CREATE UNIQUE INDEX "ux email" ON t (email COLLATE NOCASE) WHERE email IS NOT NULL AND email <> 'x;y';
           CREATE INDEX ix_expr ON t (lower(email), a + b DESC, [b]);
           CREATE UNIQUE INDEX ux_a ON t (a);
           CREATE INDEX ix_case ON T (MIXED, ID);
           CREATE INDEX ix_strings ON t ('a' DESC, 'Mixed' COLLATE nocase);
           CREATE INDEX ix_neg ON t (-a, +b, a * 2 COLLATE nocase DESC, (a + b), abs(a) ASC);
           CREATE INDEX ix_where ON t (a) WHERE b > 0 /* trailing comment */;
           CREATE TABLE w (k TEXT PRIMARY KEY, v INT) WITHOUT ROWID;
           CREATE INDEX ix_w ON w (v);
           CREATE INDEX ix_wk ON w (k, v);"#,
        &[],
    )
    .await;
}

#[tokio::test]
async fn text_rewritten_by_alter_table_and_create_as_select() {
    check(
        r#"CREATE TABLE p (id INTEGER PRIMARY KEY);
           CREATE TABLE a (id INTEGER PRIMARY KEY, n INT CHECK (n > 0), UNIQUE (n));
           ALTER TABLE a ADD COLUMN note TEXT COLLATE NOCASE DEFAULT 'x' CONSTRAINT ck_note CHECK (note <> '');
           ALTER TABLE a ADD COLUMN p_id INTEGER REFERENCES p (id) ON DELETE SET NULL;
           ALTER TABLE a ADD COLUMN g INT AS (id * 2);
           ALTER TABLE a RENAME COLUMN n TO "Count";
           ALTER TABLE a RENAME TO "renamed a";
           CREATE INDEX ix_count ON "renamed a" ("Count");
           ALTER TABLE "renamed a" RENAME COLUMN "Count" TO total;
           ALTER TABLE "renamed a" DROP COLUMN note;
           CREATE TABLE c AS SELECT id, total * 1.5 AS r, 'x' AS "s t", p_id FROM "renamed a";"#,
        &[],
    )
    .await;
}

#[tokio::test]
async fn objects_dbconform_does_not_manage() {
    // Shadow tables of a virtual table are left to the pragmas (the text cannot tell what
    // the module calls a shadow table), which skip them; so is a table merely named like
    // one, which the pragmas keep.
    check(
        r#"CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT);
           INSERT INTO t (body) VALUES ('x');
           CREATE INDEX ix_t_body ON t (body);
           ANALYZE;
           CREATE VIEW v AS SELECT * FROM t;
           CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END;
           CREATE VIRTUAL TABLE docs USING fts5(body);
           CREATE TABLE docs_notes (id INTEGER PRIMARY KEY, note TEXT);
           CREATE VIRTUAL TABLE places USING rtree(id, x0, x1);
           CREATE TEMP TABLE scratch (x);"#,
        &[
            "docs_data",
            "docs_idx",
            "docs_content",
            "docs_docsize",
            "docs_config",
            "docs_notes",
            "places_rowid",
            "places_node",
            "places_parent",
        ],
    )
    .await;
    let reflections = reflect("CREATE VIRTUAL TABLE docs USING fts5(body)").await;
    assert!(reflections.schema.tables.is_empty());
}

#[tokio::test]
async fn a_virtual_table_whose_module_is_missing() {
    let ddl = "CREATE TABLE t (id INTEGER PRIMARY KEY);
         PRAGMA writable_schema = ON;
         INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql)
             VALUES ('table', 'vx', 'vx', 0, 'CREATE VIRTUAL TABLE vx USING no_such_module(a, b)');
         PRAGMA writable_schema = OFF;
         CREATE TABLE vx_shadowish (a TEXT);";
    check(ddl, &["vx_shadowish"]).await;
}

#[tokio::test]
async fn text_the_parser_does_not_follow_falls_back() {
    // Each is valid SQLite that the text path does not model exactly: the pragmas read it.
    // (`nbsp` has a no-break space in a quoted name: whitespace to Rust, not to SQLite.)
    check(
        &r#"CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT);
           CREATE TABLE window_type (a TEXT WINDOW);
           CREATE TABLE wr_repeat (a TEXT, b TEXT, PRIMARY KEY (a, b, a)) WITHOUT ROWID;
           CREATE TABLE paren_key (a INT, b INT, PRIMARY KEY ((a)));
           CREATE TABLE nbsp ("a b" TEXT);
           CREATE TABLE idx_odd (a TEXT, b TEXT);
           CREATE INDEX ix_odd ON idx_odd ((b));
           CREATE TABLE idx_kw (desc TEXT);
           CREATE INDEX ix_kw ON idx_kw (desc);
           CREATE TABLE idx_collate (a TEXT);
           CREATE INDEX ix_collate ON idx_collate (a COLLATE nocase COLLATE rtrim);"#
            .replace("a b", "a\u{a0}b"),
        &[
            "window_type",
            "wr_repeat",
            "paren_key",
            "nbsp",
            "idx_odd",
            "idx_kw",
            "idx_collate",
        ],
    )
    .await;
}

#[tokio::test]
async fn foreign_keys_cross_between_the_text_path_and_the_pragmas() {
    // Tables read from their text and tables read with the pragmas are built apart, then
    // sorted together and given their foreign keys: a key that omits the referenced
    // columns takes them from a parent read the other way, and the names interleave.
    let ddl = "CREATE TABLE z_child (p INT REFERENCES m_parent, q TEXT REFERENCES b_parent);
         CREATE TABLE c_child (x TEXT WINDOW, p TEXT REFERENCES b_parent, q INT REFERENCES m_parent);
         CREATE TABLE b_parent (code TEXT PRIMARY KEY);
         CREATE TABLE m_parent (id INTEGER PRIMARY KEY, v TEXT WINDOW);";
    let reflections = reflect(ddl).await;
    assert_same(&reflections, &["c_child", "m_parent"], ddl);
    let tables = &reflections.schema.tables;
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["b_parent", "c_child", "m_parent", "z_child"]);
    let referenced = |table: usize| -> Vec<(String, Vec<String>)> {
        tables[table]
            .foreign_keys
            .iter()
            .map(|fk| (fk.references.name.clone(), fk.referenced_columns.clone()))
            .collect()
    };
    let code = ("b_parent".to_string(), vec!["code".to_string()]);
    let id = ("m_parent".to_string(), vec!["id".to_string()]);
    assert_eq!(
        referenced(1),
        [code.clone(), id.clone()],
        "c_child (pragmas)"
    );
    assert_eq!(referenced(3), [id, code], "z_child (text)");
}

#[tokio::test]
async fn what_dbconform_itself_creates() {
    let (_dir, url) = sqlite_file();
    let db = DbConform::connect(&url).await.unwrap();
    let mut tables = dbconform::sample::benchmark_schema(40);
    tables.extend(common::hostile_tables());
    db.apply(&tables).await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let reflections = both(&mut conn).await.unwrap();
    assert_same(&reflections, &[], "benchmark and hostile tables");
    assert_eq!(reflections.schema.tables.len(), tables.len());
}

// ---------------------------------------------------------------------------------------
// Random schemas.

/// Type spellings, SQLite's and other databases' (all accepted by SQLite).
const TYPES: &[&str] = &[
    "",
    "INTEGER",
    "integer",
    "INT",
    "int",
    "\"INTEGER\"",
    "[int]",
    "'text'",
    "`blob`",
    "TEXT",
    "REAL",
    "BLOB",
    "ANY",
    "NUMERIC",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "MEDIUMINT",
    "INT2",
    "INT8",
    "UNSIGNED BIG INT",
    "BOOLEAN",
    "BOOL",
    "DOUBLE",
    "DOUBLE PRECISION",
    "FLOAT",
    "DECIMAL(10,5)",
    "NUMERIC(12)",
    "numeric ( 10 , 2 )",
    "VARCHAR(255)",
    "varchar(20)",
    "CHARACTER(20)",
    "VARYING CHARACTER(255)",
    "NCHAR(55)",
    "NATIVE CHARACTER(70)",
    "NVARCHAR(100)",
    "CLOB",
    "DATE",
    "DATETIME",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "TIMESTAMP WITH TIME ZONE",
    "UUID",
    "JSON",
    "JSONB",
    "BYTEA",
    "\"my type\"",
    "[a b]",
    "INT /* c */",
    "TEXT KEY",
    "MONEY",
    "DECIMAL(+5, -2)",
];

/// Values a DEFAULT can take, in every form SQLite accepts.
const DEFAULTS: &[&str] = &[
    "0",
    "-1",
    "+2",
    "1.5",
    "- 3",
    "'x'",
    "'it''s'",
    "X'00FF'",
    "NULL",
    "CURRENT_TIMESTAMP",
    "current_date",
    "TRUE",
    "false",
    "(1 + 1)",
    "( 'p' )",
    "(lower('X'))",
    "\"dq\"",
    "0x10",
    "1e3",
    "(-1)",
    "-'s'",
];

const COLLATIONS: &[&str] = &["NOCASE", "nocase", "BINARY", "RTRIM", "\"NOCASE\""];

const ACTIONS: &[&str] = &[
    "",
    "ON DELETE CASCADE",
    "ON UPDATE SET NULL",
    "ON DELETE SET DEFAULT ON UPDATE RESTRICT",
    "ON DELETE NO ACTION",
    "MATCH FULL",
    "DEFERRABLE INITIALLY DEFERRED",
    "ON INSERT SET NULL ON DELETE CASCADE",
];

/// Quotes `name` in one of SQLite's styles (`style` 0 leaves it bare when it can).
fn quoted(name: &str, style: usize) -> String {
    match style % 5 {
        0 if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => name.to_string(),
        1 => format!("[{name}]"),
        2 => format!("`{}`", name.replace('`', "``")),
        3 if !name.contains('"') => format!("'{}'", name.replace('\'', "''")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// Column names: plain, keywords SQLite lets through, spaces, quotes and unicode.
const NAMES: &[&str] = &[
    "id",
    "a",
    "B",
    "c_d",
    "key",
    "desc",
    "value",
    "order",
    "with space",
    "q\"x",
    "ü",
    "表",
    "Mixed",
    "x1",
    "action",
    "generated",
];

#[derive(Debug, Clone)]
struct GenColumn {
    name: usize,
    quote: usize,
    ty: usize,
    not_null: bool,
    default: Option<usize>,
    collate: Option<usize>,
    unique: bool,
    check: bool,
    generated: Option<bool>,
    reference: Option<(usize, usize)>,
    comment: bool,
}

/// A generated index: keys (column position, DESC, as an expression), UNIQUE, partial.
type GenIndex = (Vec<(usize, bool, bool)>, bool, bool);

#[derive(Debug, Clone)]
struct GenTable {
    columns: Vec<GenColumn>,
    /// Primary key: column positions, inline, DESC, AUTOINCREMENT.
    key: Option<(Vec<usize>, bool, bool, bool)>,
    uniques: Vec<(Vec<usize>, Option<usize>, bool)>,
    fks: Vec<(Vec<usize>, usize, bool, usize)>,
    indexes: Vec<GenIndex>,
    without_rowid: bool,
    strict: bool,
    name_quote: usize,
}

fn gen_column() -> impl Strategy<Value = GenColumn> {
    (
        (0..NAMES.len(), 0..5usize, 0..TYPES.len(), any::<bool>()),
        (
            prop::option::weighted(0.4, 0..DEFAULTS.len()),
            prop::option::weighted(0.2, 0..COLLATIONS.len()),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
        ),
        (
            prop::option::weighted(0.1, any::<bool>()),
            prop::option::weighted(0.15, (0..8usize, 0..ACTIONS.len())),
            prop::bool::weighted(0.2),
        ),
    )
        .prop_map(
            |(
                (name, quote, ty, not_null),
                (default, collate, unique, check),
                (generated, reference, comment),
            )| GenColumn {
                name,
                quote,
                ty,
                not_null,
                default,
                collate,
                unique,
                check,
                generated,
                reference,
                comment,
            },
        )
}

fn gen_table() -> impl Strategy<Value = GenTable> {
    (
        prop::collection::vec(gen_column(), 1..7),
        prop::option::weighted(
            0.7,
            (
                prop::collection::vec(0..7usize, 1..3),
                any::<bool>(),
                prop::bool::weighted(0.2),
                prop::bool::weighted(0.2),
            ),
        ),
        prop::collection::vec(
            (
                prop::collection::vec(0..7usize, 1..3),
                prop::option::of(0..COLLATIONS.len()),
                any::<bool>(),
            ),
            0..3,
        ),
        prop::collection::vec(
            (
                prop::collection::vec(0..7usize, 1..3),
                0..8usize,
                any::<bool>(),
                0..ACTIONS.len(),
            ),
            0..3,
        ),
        prop::collection::vec(
            (
                prop::collection::vec((0..9usize, any::<bool>(), prop::bool::weighted(0.2)), 1..4),
                any::<bool>(),
                prop::bool::weighted(0.3),
            ),
            0..3,
        ),
        (
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
            0..5usize,
        ),
    )
        .prop_map(
            |(columns, key, uniques, fks, indexes, (without_rowid, strict, name_quote))| {
                let mut seen = std::collections::BTreeSet::new();
                let columns: Vec<GenColumn> = columns
                    .into_iter()
                    .filter(|c| seen.insert(NAMES[c.name].to_ascii_lowercase()))
                    .collect();
                GenTable {
                    columns,
                    key,
                    uniques,
                    fks,
                    indexes,
                    without_rowid,
                    strict,
                    name_quote,
                }
            },
        )
}

/// The CREATE TABLE and CREATE INDEX statements of table `i` (SQLite may refuse some
/// combinations: those statements are skipped).
fn render(i: usize, t: &GenTable) -> Vec<String> {
    let table = format!("t{i}");
    let n = t.columns.len();
    let col = |k: usize| &t.columns[k % n];
    let cname = |k: usize| quoted(NAMES[col(k).name], col(k).quote);
    let mut parts: Vec<String> = Vec::new();
    for (k, c) in t.columns.iter().enumerate() {
        let mut s = quoted(NAMES[c.name], c.quote);
        let ty = if t.strict {
            ["INTEGER", "INT", "TEXT", "REAL", "BLOB", "ANY"][c.ty % 6]
        } else {
            TYPES[c.ty]
        };
        if !ty.is_empty() {
            s.push(' ');
            s.push_str(ty);
        }
        if c.comment {
            s.push_str(" /* note, ( */");
        }
        if let Some((columns, true, desc, autoinc)) = &t.key
            && columns.len() == 1
            && columns[0] % n == k
        {
            s.push_str(" PRIMARY KEY");
            if *desc {
                s.push_str(" DESC");
            }
            if *autoinc {
                s.push_str(" AUTOINCREMENT");
            }
        }
        if c.not_null {
            s.push_str(" NOT NULL");
        }
        match (c.generated, c.default) {
            (Some(stored), _) => s.push_str(&format!(
                " GENERATED ALWAYS AS (length('{k}') + 1){}",
                if stored { " STORED" } else { "" }
            )),
            (None, Some(d)) => s.push_str(&format!(" DEFAULT {}", DEFAULTS[d])),
            _ => {}
        }
        if let Some(x) = c.collate {
            s.push_str(&format!(" COLLATE {}", COLLATIONS[x]));
        }
        if c.unique {
            s.push_str(&format!(
                " CONSTRAINT {} UNIQUE",
                quoted(&format!("u {k}"), k)
            ));
        }
        if c.check {
            s.push_str(&format!(
                " CHECK ({} IS NOT 'zz')",
                quoted(NAMES[c.name], 4)
            ));
        }
        if let Some((parent, action)) = c.reference {
            s.push_str(&format!(" REFERENCES t{} {}", parent, ACTIONS[action]));
        }
        parts.push(s);
    }
    if let Some((columns, inline, _, autoinc)) = &t.key
        && !(*inline && columns.len() == 1)
    {
        let mut positions: Vec<usize> = columns.iter().map(|&k| k % n).collect();
        if t.without_rowid {
            // A column repeated in a WITHOUT ROWID key is left to the pragmas (tested
            // apart).
            let mut seen = std::collections::BTreeSet::new();
            positions.retain(|&k| seen.insert(k));
        }
        let list: Vec<String> = positions.iter().map(|&k| cname(k)).collect();
        parts.push(format!(
            "CONSTRAINT pk PRIMARY KEY ({}{})",
            list.join(", "),
            if *autoinc { " AUTOINCREMENT" } else { "" }
        ));
    }
    for (u, (columns, collate, named)) in t.uniques.iter().enumerate() {
        let list: Vec<String> = columns
            .iter()
            .map(|&k| match collate {
                Some(x) => format!("{} COLLATE {}", cname(k), COLLATIONS[*x]),
                None => cname(k),
            })
            .collect();
        let name = if *named {
            format!("CONSTRAINT uq{u} ")
        } else {
            String::new()
        };
        parts.push(format!("{name}UNIQUE ({})", list.join(", ")));
    }
    for (f, (columns, parent, with_columns, action)) in t.fks.iter().enumerate() {
        let list: Vec<String> = columns.iter().map(|&k| cname(k)).collect();
        let referenced = if *with_columns {
            let names: Vec<String> = (0..columns.len()).map(|j| format!("c{j}")).collect();
            format!(" ({})", names.join(", "))
        } else {
            String::new()
        };
        parts.push(format!(
            "CONSTRAINT fk{f} FOREIGN KEY ({}) REFERENCES t{parent}{referenced} {}",
            list.join(", "),
            ACTIONS[*action]
        ));
    }
    let mut options = Vec::new();
    if t.strict {
        options.push("STRICT");
    }
    if t.without_rowid {
        options.push("WITHOUT ROWID");
    }
    let name = quoted(&table, t.name_quote);
    let mut statements = vec![format!(
        "CREATE TABLE {name} (\n  {}\n) {}",
        parts.join(",\n  "),
        options.join(", ")
    )];
    for (x, (keys, unique, partial)) in t.indexes.iter().enumerate() {
        let list: Vec<String> = keys
            .iter()
            .map(|&(k, desc, expression)| {
                let key = if k >= n || expression {
                    format!("lower({})", cname(k))
                } else if ["asc", "desc"].contains(&NAMES[col(k).name]) {
                    // A bare `desc` key is left to the pragmas (tested apart).
                    quoted(NAMES[col(k).name], 4)
                } else {
                    cname(k)
                };
                format!("{key}{}", if desc { " DESC" } else { "" })
            })
            .collect();
        statements.push(format!(
            "CREATE {}INDEX {} ON {name} ({}){}",
            if *unique { "UNIQUE " } else { "" },
            quoted(&format!("ix {i} {x}"), x + 1),
            list.join(", "),
            if *partial {
                format!(" WHERE {} IS NOT NULL", cname(0))
            } else {
                String::new()
            }
        ));
    }
    statements
}

#[test]
fn random_schemas_reflect_alike_from_text_and_pragmas() {
    let cases = std::env::var("DBCONFORM_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(128);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let accepted = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&prop::collection::vec(gen_table(), 1..7), |tables| {
            runtime.block_on(async {
                let (_dir, url) = sqlite_file();
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                let mut ddl = String::new();
                for (i, t) in tables.iter().enumerate() {
                    for statement in render(i, t) {
                        // SQLite refuses some random combinations (AUTOINCREMENT on a
                        // non-INTEGER key, ...): only what it accepts is stored.
                        if sqlx::raw_sql(AssertSqlSafe(statement.clone()))
                            .execute(&mut conn)
                            .await
                            .is_ok()
                        {
                            accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            ddl.push_str(&statement);
                            ddl.push_str(";\n");
                        }
                    }
                }
                conn.close().await.unwrap();
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                let reflections = both(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                let result = std::panic::catch_unwind(|| assert_same(&reflections, &[], &ddl));
                result.map_err(|e| {
                    let message = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    TestCaseError::fail(message)
                })
            })
        })
        .unwrap();
    // The generator must mostly produce schemas SQLite accepts, or it tests little.
    let accepted = accepted.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        accepted > cases as usize,
        "only {accepted} statements accepted"
    );
}
