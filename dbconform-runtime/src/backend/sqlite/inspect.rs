//! SQLite reflection: ONE query, whatever the number of tables, reading nothing but the
//! stored schema text.
//!
//! SQLite builds its own picture of a table by parsing the `CREATE TABLE` text it keeps in
//! `sqlite_schema` (ALTER TABLE ADD / RENAME COLUMN and RENAME TO rewrite that text), so
//! the text is the truth and its pragmas only restate it. [`SCHEMA_JSON`] reads `type`,
//! `name`, `tbl_name` and `sql` of every table and index as one JSON value, and [`text`]
//! derives from each `CREATE TABLE` / `CREATE INDEX` what the pragmas would report —
//! columns with their types and defaults spelled as SQLite reports them, NOT NULL,
//! primary keys (the rowid alias included), UNIQUE constraints as SQLite numbers its
//! `sqlite_autoindex_*` indexes, foreign keys, indexes — by following what SQLite's own
//! parser does with the same text (`sqlite3AddColumn`, `sqlite3AddPrimaryKey`,
//! `sqlite3CreateIndex`, `sqlite3CreateForeignKey`, `sqlite3EndTable`), with the parser
//! of [`dbconform_core::dialect::sqlite::parse`]. The same parse gives what only the text
//! holds: CHECKs, constraint names, COLLATE, AUTOINCREMENT, generation expressions,
//! expression index keys and partial-index predicates.
//!
//! The text path never guesses. A table whose text leaves the part of the grammar the
//! parser follows exactly ([`ParsedTable::exact`]), whose computed `sqlite_autoindex_*`
//! names differ from the ones in `sqlite_schema`, that may be the shadow table of a
//! virtual table, or that is odd in any other way, is read with the pragma-based
//! [`CATALOG`] query instead — for those tables only, as a second statement. That query
//! joins `sqlite_schema` with the pragma table-valued functions (`pragma_table_list`,
//! `pragma_table_xinfo`, `pragma_foreign_key_list`, `pragma_index_list`,
//! `pragma_index_xinfo`); it is also the reference implementation the differential tests
//! (`tests/reflect_sqlite_differential.rs`) compare the text path against, table by table.
//! It costs ~30–40 ms more per 1,000 tables than the text alone.
//!
//! Only ordinary tables of `main` whose names do not start with `sqlite_` are reflected:
//! views, triggers, virtual tables and their shadow tables, `sqlite_sequence` and
//! `sqlite_stat*` are skipped without error (a virtual table whose module is not loaded
//! included: nothing but its text is read). Indexes SQLite creates for UNIQUE and PRIMARY
//! KEY constraints (`sqlite_autoindex_*`) are reported as those constraints, never as
//! indexes.
//!
//! One difference with the pragmas is knowingly left: in a database of schema format 1
//! to 3 (written by SQLite before 3.3.0 or with `legacy_file_format`), SQLite ignores
//! `DESC` on index keys and the text path does not (SQL cannot read the format number).

mod text;

use crate::driver::{Scope, StatementCounter, reflect_error};
use dbconform_core::dialect::Dialect;
use dbconform_core::dialect::sqlite::parse::{
    ParsedForeignKey, ParsedIndex, ParsedTable, parse_create_index, parse_create_table,
};
use dbconform_core::{
    Check, Column, Deferrability, FkAction, ForeignKey, GeneratedColumn, Index, IndexColumn,
    PrimaryKey, QualifiedName, Result, Schema, SortOrder, TableDef, TableOptions, UniqueConstraint,
};
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, HashMap};

/// The catalog query of one reflection, for the benchmarks' floor.
pub(crate) fn queries() -> Vec<&'static str> {
    vec![SCHEMA_JSON]
}

/// The only schema SQLite tables live in for dbconform.
const MAIN: &str = "main";

/// Reads the tables of the `main` database with one query (see the module documentation).
pub(crate) async fn reflect(
    conn: &mut SqliteConnection,
    _scope: &Scope,
    counter: &StatementCounter,
) -> Result<Schema> {
    Ok(reflect_reporting_fallback(conn, counter).await?.0)
}

/// [`reflect`], and the tables that were read with the pragmas because their text could not
/// be followed exactly.
pub(crate) async fn reflect_reporting_fallback(
    conn: &mut SqliteConnection,
    counter: &StatementCounter,
) -> Result<(Schema, Vec<String>)> {
    counter.add(1);
    // One JSON value in one row: sqlx hands SQLite rows over one by one from its worker
    // thread, which for thousands of rows costs more than the query.
    let json: String = sqlx::query_scalar(SCHEMA_JSON)
        .fetch_one(&mut *conn)
        .await
        .map_err(reflect_error("reading sqlite_schema"))?;
    let rows: Vec<text::SchemaRow> = serde_json::from_str(&json).map_err(decode_error)?;
    drop(json);
    let text::TextCatalog {
        mut tables,
        fallback,
    } = text::read(rows);
    if !fallback.is_empty() {
        tracing::debug!(tables = ?fallback, "reading these tables with the pragmas");
        counter.add(1);
        tables.extend(pragma_catalog(conn, Some(&fallback)).await?.built());
    }
    Ok((schema(with_foreign_keys(tables)), fallback))
}

/// The reference reflection: every table read with the pragma-based [`CATALOG`] (one
/// statement). Not used by dbconform itself; the differential tests compare it with
/// [`reflect`].
pub(crate) async fn reflect_with_pragmas(conn: &mut SqliteConnection) -> Result<Schema> {
    Ok(schema(with_foreign_keys(
        pragma_catalog(conn, None).await?.built(),
    )))
}

fn schema(tables: Vec<TableDef>) -> Schema {
    let mut schema = Schema::new(tables);
    schema.schemas = vec![MAIN.to_string()];
    schema
}

fn decode_error(e: serde_json::Error) -> dbconform_core::Error {
    dbconform_core::Error::Reflect {
        what: "decoding the catalog".into(),
        source: Box::new(e),
    }
}

/// The tables `only` names (all of them when `None`) read with [`CATALOG`].
async fn pragma_catalog(conn: &mut SqliteConnection, only: Option<&[String]>) -> Result<Catalog> {
    let names = only
        .map(|names| serde_json::to_string(names).map_err(decode_error))
        .transpose()?;
    let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(CATALOG_JSON.as_str()))
        .bind(names)
        .fetch_one(&mut *conn)
        .await
        .map_err(reflect_error("reading the catalog"))?;
    let rows: Vec<JsonRow> = serde_json::from_str(&json).map_err(decode_error)?;
    let mut catalog = Catalog::default();
    for row in rows {
        catalog.add(CatalogRow::from(row));
    }
    Ok(catalog)
}

/// Every table and index of `main` with its stored text, as one JSON array of
/// `[type, name, tbl_name, sql]` (`sql` is NULL for `sqlite_autoindex_*`).
const SCHEMA_JSON: &str = "SELECT json_group_array(json_array(type, name, tbl_name, sql)) \
     FROM main.sqlite_schema WHERE type IN ('table', 'index')";

/// SQLite stores declared expressions exactly as written, so the declaration is already
/// in the database's own spelling.
pub(crate) async fn canonicalize(
    _conn: &mut SqliteConnection,
    tables: &[TableDef],
    _counter: &StatementCounter,
) -> Result<Vec<TableDef>> {
    Ok(tables.to_vec())
}

/// Row kinds of [`CATALOG`].
const KIND_TABLE: i64 = 0;
const KIND_COLUMN: i64 = 1;
const KIND_FOREIGN_KEY: i64 = 2;
const KIND_INDEX_KEY: i64 = 3;
const KIND_INDEX_SQL: i64 = 4;

/// The whole catalog in one statement. Every row has the same shape:
/// `kind, tbl, obj, t1..t5 (text), n1..n5 (integer)`.
///
/// | kind | obj | t1 | t2 | t3 | t4 | t5 | n1 | n2 | n3 | n4 | n5 |
/// | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
/// | 0 table | | sql | | | | | without rowid | strict | | | |
/// | 1 column | name | type | default | | | | cid | notnull | pk | hidden | |
/// | 2 fk column | | parent | from | to | on update | on delete | id | seq | | | |
/// | 3 index key | index | origin | column | | | | unique | partial | seqno | cid | desc |
/// | 4 index | index | sql | | | | | | | | | |
///
/// The table list is MATERIALIZED so that no pragma runs for a view or a virtual table
/// (a virtual table whose module is not loaded would fail it). `?1` is NULL for every
/// table, or a JSON array of the table names to read.
const CATALOG: &str = r#"
WITH l AS MATERIALIZED (
    SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'
),
t(name, sql, wr, strict) AS MATERIALIZED (
    SELECT s.name, s.sql, l.wr, l.strict
    FROM main.sqlite_schema AS s
    JOIN l ON l.name = s.name
    WHERE s.type = 'table' AND l.type = 'table' AND s.name NOT LIKE 'sqlite\_%' ESCAPE '\'
      AND (?1 IS NULL OR s.name IN (SELECT value FROM json_each(?1)))
)
SELECT 0 AS kind, t.name AS tbl, NULL AS obj,
       t.sql AS t1, NULL AS t2, NULL AS t3, NULL AS t4, NULL AS t5,
       t.wr AS n1, t.strict AS n2, NULL AS n3, NULL AS n4, NULL AS n5
FROM t
UNION ALL
SELECT 1, t.name, c.name, c.type, c.dflt_value, NULL, NULL, NULL,
       c.cid, c."notnull", c.pk, c.hidden, NULL
FROM t JOIN pragma_table_xinfo(t.name, 'main') AS c
UNION ALL
SELECT 2, t.name, NULL, f."table", f."from", f."to", f.on_update, f.on_delete,
       f.id, f.seq, NULL, NULL, NULL
FROM t JOIN pragma_foreign_key_list(t.name, 'main') AS f
UNION ALL
SELECT 3, t.name, il.name, il.origin, ix.name, NULL, NULL, NULL,
       il."unique", il.partial, ix.seqno, ix.cid, ix."desc"
FROM t JOIN pragma_index_list(t.name, 'main') AS il
       JOIN pragma_index_xinfo(il.name, 'main') AS ix
WHERE ix."key" = 1
UNION ALL
SELECT 4, i.tbl_name, i.name, i.sql, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL
FROM main.sqlite_schema AS i
WHERE i.type = 'index' AND i.sql IS NOT NULL AND i.tbl_name IN (SELECT name FROM t)
"#;

/// [`CATALOG`] as one JSON array of rows, each an array of its 13 columns.
static CATALOG_JSON: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT json_group_array(json_array(kind, tbl, obj, t1, t2, t3, t4, t5, n1, n2, n3, n4, n5)) FROM ({CATALOG})"
    )
});

/// One row of [`CATALOG_JSON`].
type JsonRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

impl From<JsonRow> for CatalogRow {
    fn from(r: JsonRow) -> Self {
        CatalogRow {
            kind: r.0,
            table: r.1,
            obj: r.2,
            text: [r.3, r.4, r.5, r.6, r.7],
            num: [r.8, r.9, r.10, r.11, r.12],
        }
    }
}

/// One row of [`CATALOG`], decoded.
struct CatalogRow {
    kind: i64,
    table: String,
    obj: Option<String>,
    text: [Option<String>; 5],
    num: [Option<i64>; 5],
}

impl CatalogRow {
    fn t(&self, i: usize) -> Option<&str> {
        self.text.get(i).and_then(|t| t.as_deref())
    }

    fn n(&self, i: usize) -> i64 {
        self.num.get(i).copied().flatten().unwrap_or(0)
    }
}

/// What the pragmas say about one table (or what the text path derives they would say),
/// gathered row by row.
#[derive(Debug, Default, PartialEq)]
struct RawTable {
    /// The stored CREATE TABLE text.
    sql: Option<String>,
    /// The text, parsed (the text path parses it first; the pragma path when building).
    parsed: Option<ParsedTable>,
    options: TableOptions,
    columns: Vec<RawColumn>,
    foreign_keys: Vec<RawForeignKey>,
    /// By index name.
    indexes: BTreeMap<String, RawIndex>,
    /// Stored CREATE INDEX text by index name, parsed (`None`: it could not be).
    index_text: BTreeMap<String, Option<ParsedIndex>>,
}

/// A `pragma_table_xinfo` row.
#[derive(Debug, PartialEq)]
struct RawColumn {
    cid: i64,
    name: String,
    ty: String,
    default: Option<String>,
    not_null: bool,
    /// Position in the primary key, 0 when not in it.
    pk: i64,
    /// 0 normal, 1 hidden (virtual tables), 2 generated VIRTUAL, 3 generated STORED.
    hidden: i64,
}

/// A `pragma_foreign_key_list` row: one column of one foreign key.
#[derive(Debug, PartialEq)]
struct RawForeignKey {
    id: i64,
    seq: i64,
    parent: String,
    from: String,
    to: Option<String>,
    on_update: FkAction,
    on_delete: FkAction,
}

/// A `pragma_index_list` entry with its `pragma_index_xinfo` key columns.
#[derive(Debug, Default, PartialEq)]
struct RawIndex {
    /// `c` CREATE INDEX, `u` UNIQUE constraint, `pk` PRIMARY KEY.
    origin: String,
    unique: bool,
    partial: bool,
    keys: Vec<RawIndexKey>,
}

/// A key column of an index (`pragma_index_xinfo` with `key = 1`).
#[derive(Debug, Clone, PartialEq)]
struct RawIndexKey {
    seqno: i64,
    /// Column number; -2 for an expression.
    cid: i64,
    column: Option<String>,
    desc: bool,
}

/// What a foreign key needs to know of the table it references.
struct Parent<'t> {
    name: &'t str,
    /// Primary-key columns in key order.
    key: &'t [String],
    columns: &'t [Column],
}

/// Every table a foreign key may reference, found by name in constant time (SQLite
/// compares names ASCII case-insensitively).
struct Parents<'t> {
    by_name: HashMap<String, Parent<'t>>,
}

impl<'t> Parents<'t> {
    fn new(tables: &'t [Built]) -> Self {
        let mut by_name = HashMap::with_capacity(tables.len());
        for (t, _, _) in tables {
            by_name
                .entry(t.name.to_ascii_lowercase())
                .or_insert_with(|| Parent {
                    name: &t.name,
                    key: t.primary_key.as_ref().map_or(&[], |pk| &pk.columns),
                    columns: &t.columns,
                });
        }
        Parents { by_name }
    }

    fn get(&self, name: &str) -> Option<&Parent<'t>> {
        self.by_name.get(&name.to_ascii_lowercase())
    }
}

/// Every table of the catalog, by name.
#[derive(Default)]
struct Catalog {
    tables: BTreeMap<String, RawTable>,
}

impl Catalog {
    fn add(&mut self, r: CatalogRow) {
        let table = self.tables.entry(r.table.clone()).or_default();
        let obj = r.obj.clone().unwrap_or_default();
        let owned = |i: usize| r.t(i).unwrap_or_default().to_string();
        match r.kind {
            KIND_TABLE => {
                table.sql = r.t(0).map(str::to_string);
                table.options = TableOptions {
                    without_rowid: r.n(0) != 0,
                    strict: r.n(1) != 0,
                };
            }
            KIND_COLUMN => table.columns.push(RawColumn {
                cid: r.n(0),
                name: obj,
                ty: owned(0),
                default: r.t(1).map(str::to_string),
                not_null: r.n(1) != 0,
                pk: r.n(2),
                hidden: r.n(3),
            }),
            KIND_FOREIGN_KEY => table.foreign_keys.push(RawForeignKey {
                id: r.n(0),
                seq: r.n(1),
                parent: owned(0),
                from: owned(1),
                to: r.t(2).map(str::to_string),
                on_update: action(r.t(3).unwrap_or_default()),
                on_delete: action(r.t(4).unwrap_or_default()),
            }),
            KIND_INDEX_KEY => {
                let index = table.indexes.entry(obj).or_default();
                index.origin = owned(0);
                index.unique = r.n(0) != 0;
                index.partial = r.n(1) != 0;
                index.keys.push(RawIndexKey {
                    seqno: r.n(2),
                    cid: r.n(3),
                    column: r.t(1).map(str::to_string),
                    desc: r.n(4) != 0,
                });
            }
            KIND_INDEX_SQL => {
                let parsed = parsed("CREATE INDEX", &obj, r.t(0), parse_create_index);
                table.index_text.insert(obj, parsed);
            }
            _ => {}
        }
    }

    /// Every table built from its rows, foreign keys still raw (see [`with_foreign_keys`]).
    fn built(self) -> Vec<Built> {
        let raw_tables: Vec<(String, RawTable)> = self
            .tables
            .into_iter()
            .filter(|(_, raw)| raw.sql.is_some() || !raw.columns.is_empty())
            .collect();
        // Each table is built on its own: spread over the cores.
        dbconform_core::parallel::map(raw_tables, text::PER_THREAD, |(name, raw)| build(name, raw))
    }
}

/// A table built from its catalog rows and text, with its foreign keys as the rows and
/// the text give them: completing them needs every table's key ([`with_foreign_keys`]).
type Built = (TableDef, Vec<RawForeignKey>, Vec<ParsedForeignKey>);

/// One table built as soon as its rows are complete, its text parsed here unless the text
/// path parsed it already: the rows and the parsed text are dropped as soon as the table
/// is built (1,000 tables' parsed text is ~3 MB), but for the foreign keys.
fn build(name: String, mut raw: RawTable) -> Built {
    let text = raw
        .parsed
        .take()
        .or_else(|| {
            parsed(
                "CREATE TABLE",
                &name,
                raw.sql.as_deref(),
                parse_create_table,
            )
        })
        .unwrap_or_default();
    let foreign_keys = std::mem::take(&mut raw.foreign_keys);
    let table = build_table(name, raw, &text);
    (table, foreign_keys, text.foreign_keys)
}

/// The reflected tables, sorted by name. Foreign keys that omit the referenced columns get
/// the parent's primary-key columns, which needs every table's key first.
fn with_foreign_keys(mut tables: Vec<Built>) -> Vec<TableDef> {
    // The order a map by name gave (and the text path and the pragmas give alike).
    tables.sort_by(|(a, _, _), (b, _, _)| a.name.cmp(&b.name));
    let keys: Vec<Vec<ForeignKey>> = {
        let parents = Parents::new(&tables);
        tables
            .iter()
            .map(|(_, rows, declared)| foreign_keys(rows, declared, &parents))
            .collect()
    };
    tables
        .into_iter()
        .zip(keys)
        .map(|((mut table, _, _), keys)| {
            table.foreign_keys = keys;
            table
        })
        .collect()
}

/// Parses stored text, logging (never failing) when it cannot be followed.
fn parsed<T>(
    what: &str,
    name: &str,
    sql: Option<&str>,
    parse: impl Fn(&str) -> std::result::Result<T, dbconform_core::dialect::sqlite::parse::ParseError>,
) -> Option<T> {
    let sql = sql?;
    match parse(sql) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            tracing::warn!(%error, %name, "cannot parse the stored {what}; CHECKs, names and other details that only its text holds are not reflected");
            None
        }
    }
}

/// One table from its catalog rows and stored text (foreign keys are added afterwards).
fn build_table(name: String, mut raw: RawTable, text: &ParsedTable) -> TableDef {
    let dialect = &dbconform_core::dialect::SQLITE;
    // The rows' strings move into the table: no copy per column.
    let mut columns: Vec<RawColumn> = std::mem::take(&mut raw.columns);
    columns.retain(|c| c.hidden != 1);
    columns.sort_by_key(|c| c.cid);
    let mut key: Vec<(i64, String)> = columns
        .iter()
        .filter(|c| c.pk > 0)
        .map(|c| (c.pk, c.name.clone()))
        .collect();
    key.sort();
    let key_columns: Vec<String> = key.into_iter().map(|(_, n)| n).collect();
    let columns = columns
        .into_iter()
        .map(|raw_column| {
            let declared = text
                .columns
                .iter()
                .find(|c| dialect.same_identifier(&c.name, &raw_column.name));
            let generated = matches!(raw_column.hidden, 2 | 3).then(|| GeneratedColumn {
                expr: declared
                    .and_then(|c| c.generated.as_ref())
                    .map(|g| g.expr.clone())
                    .unwrap_or_default(),
                stored: raw_column.hidden == 3,
            });
            Column {
                ty: dialect.parse_type(&raw_column.ty),
                nullable: !raw_column.not_null,
                default: if generated.is_some() {
                    None
                } else {
                    raw_column.default
                },
                // SQLite only accepts AUTOINCREMENT on the INTEGER PRIMARY KEY.
                auto_increment: text.autoincrement && raw_column.pk > 0 && key_columns.len() == 1,
                comment: None,
                renamed_from: Vec::new(),
                collation: declared
                    .and_then(|c| c.collation.clone())
                    .filter(|c| !c.eq_ignore_ascii_case("BINARY")),
                generated,
                on_update: None,
                name: raw_column.name,
            }
        })
        .collect();
    let primary_key = (!key_columns.is_empty()).then(|| PrimaryKey {
        name: text.primary_key.as_ref().and_then(|pk| pk.name.clone()),
        columns: key_columns,
    });
    let (uniques, indexes) = indexes(&raw, text);
    TableDef {
        schema: Some(MAIN.to_string()),
        name,
        renamed_from: Vec::new(),
        comment: None,
        columns,
        primary_key,
        uniques,
        foreign_keys: Vec::new(),
        checks: text
            .checks
            .iter()
            .map(|c| Check {
                name: c.name.clone(),
                expr: c.expr.clone(),
                not_valid: false,
            })
            .collect(),
        indexes,
        options: raw.options.clone(),
    }
}

/// UNIQUE constraints (from `sqlite_autoindex_*` indexes of origin `u`, named from the
/// table text) and plain indexes (origin `c`, predicate and expression keys from their
/// text). Indexes backing the primary key (origin `pk`) are the key itself.
fn indexes(raw: &RawTable, text: &ParsedTable) -> (Vec<UniqueConstraint>, Vec<Index>) {
    let dialect = &dbconform_core::dialect::SQLITE;
    let same_columns = |a: &[String], b: &[String]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| dialect.same_identifier(x, y))
    };
    let mut named_uniques_used = vec![false; text.uniques.len()];
    let mut uniques = Vec::new();
    let mut indexes = Vec::new();
    for (index_name, index) in &raw.indexes {
        let mut keys = index.keys.clone();
        keys.sort_by_key(|k| k.seqno);
        match index.origin.as_str() {
            "u" => {
                let columns: Vec<String> = keys.iter().filter_map(|k| k.column.clone()).collect();
                let declared =
                    text.uniques.iter().enumerate().find(|(i, u)| {
                        !named_uniques_used[*i] && same_columns(&u.columns, &columns)
                    });
                let name = match declared {
                    Some((i, u)) => {
                        named_uniques_used[i] = true;
                        u.name.clone()
                    }
                    None => String::new(),
                };
                uniques.push(UniqueConstraint {
                    nulls_not_distinct: false,
                    name,
                    columns,
                });
            }
            "c" => {
                let statement = raw.index_text.get(index_name).and_then(Option::as_ref);
                let columns = keys
                    .iter()
                    .enumerate()
                    .map(|(position, key)| {
                        let order = if key.desc {
                            SortOrder::Desc
                        } else {
                            SortOrder::Asc
                        };
                        match &key.column {
                            Some(name) if key.cid >= 0 => IndexColumn {
                                opclass: None,
                                nulls: None,
                                name: name.clone(),
                                order,
                                expression: false,
                            },
                            _ => IndexColumn {
                                opclass: None,
                                nulls: None,
                                name: statement
                                    .as_ref()
                                    .and_then(|s| s.columns.get(position))
                                    .filter(|c| c.expression)
                                    .map(|c| c.name.clone())
                                    .unwrap_or_default(),
                                order,
                                expression: true,
                            },
                        }
                    })
                    .collect();
                let predicate = if index.partial {
                    statement.as_ref().and_then(|s| s.predicate.clone())
                } else {
                    None
                };
                indexes.push(Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: index_name.clone(),
                    columns,
                    unique: index.unique,
                    predicate,
                });
            }
            _ => {}
        }
    }
    (uniques, indexes)
}

/// Foreign keys from `pragma_foreign_key_list` rows (grouped by id, in column order),
/// named from the table text. Omitted referenced columns are the parent's primary key;
/// a parent that exists gives its own spelling of its name and columns.
///
/// A key takes the name of the declared key with the same columns, target, referenced
/// columns (as written) and actions; among equal ones, declaration order decides
/// (SQLite numbers keys from the last declared). A key the text does not match exactly
/// falls back to the first unused declared key with its columns and target.
fn foreign_keys(
    rows: &[RawForeignKey],
    declared_keys: &[ParsedForeignKey],
    parents: &Parents<'_>,
) -> Vec<ForeignKey> {
    let dialect = &dbconform_core::dialect::SQLITE;
    let mut groups: BTreeMap<i64, Vec<&RawForeignKey>> = BTreeMap::new();
    for row in rows {
        groups.entry(row.id).or_default().push(row);
    }
    let same = |a: &[String], b: &[String]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| dialect.same_identifier(x, y))
    };
    // Each key with the referenced columns as written (`None` when omitted).
    let mut keys: Vec<(ForeignKey, Option<Vec<String>>)> = Vec::new();
    for rows in groups.values_mut() {
        rows.sort_by_key(|r| r.seq);
        let Some(first) = rows.first() else {
            continue;
        };
        let parent = parents.get(&first.parent);
        let columns: Vec<String> = rows.iter().map(|r| r.from.clone()).collect();
        let written: Vec<Option<String>> = rows.iter().map(|r| r.to.clone()).collect();
        let as_written = if written.iter().all(Option::is_none) {
            None
        } else {
            Some(
                written
                    .iter()
                    .map(|c| c.clone().unwrap_or_default())
                    .collect::<Vec<_>>(),
            )
        };
        let referenced_columns: Vec<String> = match &as_written {
            None => parent.map(|p| p.key.to_vec()).unwrap_or_default(),
            Some(written) => written
                .iter()
                .map(|c| {
                    parent
                        .and_then(|p| {
                            p.columns
                                .iter()
                                .find(|pc| dialect.same_identifier(&pc.name, c))
                        })
                        .map_or_else(|| c.clone(), |pc| pc.name.clone())
                })
                .collect(),
        };
        keys.push((
            ForeignKey {
                name: String::new(),
                columns,
                references: QualifiedName::with_schema(
                    MAIN,
                    parent.map_or_else(|| first.parent.clone(), |p| p.name.to_string()),
                ),
                referenced_columns,
                on_delete: first.on_delete,
                on_update: first.on_update,
                // The pragma does not say; the table text does (see below).
                deferrable: Deferrability::NotDeferrable,
                not_valid: false,
            },
            as_written,
        ));
    }
    let target = |fk: &ForeignKey, declared: &ParsedForeignKey| {
        // `references` is the parent's spelling of the name the pragma reports.
        same(&declared.columns, &fk.columns)
            && dialect.same_identifier(&declared.table, &fk.references.name)
    };
    let exact = |fk: &ForeignKey, written: &Option<Vec<String>>, declared: &ParsedForeignKey| {
        target(fk, declared)
            && match written {
                None => declared.referenced_columns.is_empty(),
                Some(written) => same(&declared.referenced_columns, written),
            }
            && declared.on_delete == fk.on_delete
            && declared.on_update == fk.on_update
    };
    let mut used = vec![false; declared_keys.len()];
    let mut named = vec![false; keys.len()];
    // Exact matches first, then the fallback; keys in declaration order (highest id
    // first), declared keys in text order.
    for strict in [true, false] {
        for k in (0..keys.len()).rev() {
            if named[k] {
                continue;
            }
            let (fk, written) = &keys[k];
            let found = declared_keys.iter().enumerate().find(|(i, declared)| {
                !used[*i]
                    && if strict {
                        exact(fk, written, declared)
                    } else {
                        target(fk, declared)
                    }
            });
            if let Some((i, declared)) = found {
                used[i] = true;
                named[k] = true;
                keys[k].0.name = declared.name.clone();
                keys[k].0.deferrable = declared.deferrable;
            }
        }
    }
    keys.into_iter().map(|(fk, _)| fk).collect()
}

/// `NO ACTION`, `CASCADE`, ... as reported by `pragma_foreign_key_list`.
fn action(text: &str) -> FkAction {
    FkAction::parse(text).unwrap_or_default()
}
