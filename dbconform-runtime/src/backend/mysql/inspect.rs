//! MySQL and MariaDB reflection from `information_schema`, for the connection's database.
//!
//! Six statements whatever the number of tables ([`QUERIES`]): the server's version and
//! database, then one bulk query each over `TABLES`, `COLUMNS`, `STATISTICS`,
//! `KEY_COLUMN_USAGE` beside `REFERENTIAL_CONSTRAINTS` (one `UNION ALL`), and
//! `CHECK_CONSTRAINTS` (MariaDB's carries the table; MySQL 8's is joined with
//! `TABLE_CONSTRAINTS`), all for `TABLE_SCHEMA = DATABASE()`. The rows are assembled per table in Rust, handed to the
//! dialect as its reflection contract says (`dbconform_core::dialect::mysql`):
//! defaults through `reflected_default`, CHECK and generation text through
//! `from_catalog`, types through `parse_type`. Every value is cast to text or a signed
//! integer in the query, so that the two servers' column types decode alike.
//!
//! A column's `ON UPDATE CURRENT_TIMESTAMP` (in `EXTRA`) is kept in `Column::on_update`,
//! so that restating the column keeps it; an index prefix (`SUB_PART`) reads as the key
//! expression `c(n)`. Not read yet: functional index keys (MySQL 8's
//! `STATISTICS.EXPRESSION`; such a key part is skipped).

use crate::driver::{StatementCounter, reflect_error};
use dbconform_core::dialect::mysql::{
    DATABASE_SCHEMA, Flavor, from_catalog, parse_type, reflected_default,
};
use dbconform_core::{
    Check, Column, FkAction, ForeignKey, GeneratedColumn, Index, IndexColumn, PrimaryKey,
    QualifiedName, Result, Schema, SortOrder, TableDef,
};
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

/// The `ON UPDATE` clause `EXTRA` holds (MariaDB `on update current_timestamp(6)`, MySQL
/// `DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)`), as `CURRENT_TIMESTAMP[(n)]`; the
/// only clause the servers take, so anything else is not kept.
fn on_update(extra: &str) -> Option<String> {
    let lower = extra.to_ascii_lowercase();
    let clause = lower.split("on update ").nth(1)?.trim();
    let precision = clause.strip_prefix("current_timestamp")?;
    let fits = precision.is_empty()
        || precision == "()"
        || precision
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()));
    fits.then(|| format!("CURRENT_TIMESTAMP{}", precision.trim_end_matches("()")))
}

/// What a failed reflection says it was doing.
const WHAT: &str = "reading information_schema";

/// The server's version (which flavor of catalog spellings) and the connection's database.
const VERSION: &str = "SELECT CAST(VERSION() AS CHAR), CAST(DATABASE() AS CHAR)";

/// Base tables: name, comment, collation.
const TABLES: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(IFNULL(TABLE_COMMENT, '') AS CHAR), CAST(IFNULL(TABLE_COLLATION, '') AS CHAR) \
FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME";

/// Columns in order.
const COLUMNS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR), \
CAST(COLUMN_DEFAULT AS CHAR), CAST(IFNULL(EXTRA, '') AS CHAR), CAST(IFNULL(COLUMN_COMMENT, '') AS CHAR), CAST(COLLATION_NAME AS CHAR), \
CAST(GENERATION_EXPRESSION AS CHAR) \
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";

/// Key parts of every index, the primary key's (`PRIMARY`) included.
const STATISTICS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS SIGNED), CAST(COLUMN_NAME AS CHAR), \
CAST(COLLATION AS CHAR), CAST(INDEX_TYPE AS CHAR), CAST(SUB_PART AS SIGNED) \
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

/// Foreign keys: each key column (position 1, 2, ...) with its referenced column, from
/// `KEY_COLUMN_USAGE`, and each key's actions (position 0) from
/// `REFERENTIAL_CONSTRAINTS`, the two lists in one (`UNION ALL`) and matched by table
/// and key name in Rust.
///
/// Not a join: MariaDB joins two `information_schema` tables by comparing every row of
/// one with every row of the other (~1,000,000 comparisons, 90 of the query's 120 ms at
/// 1,000 tables; the two parts alone take 20 and 10 ms). Each part names the database
/// with `DATABASE()` itself: MariaDB fills an `information_schema` table only for the
/// databases its own conditions name, and the join's `r.CONSTRAINT_SCHEMA =
/// k.CONSTRAINT_SCHEMA` had it open every table of every database on the server
/// (`EXPLAIN`: "Scanned all databases"; 0.5–1.2 s on a server holding 3,000 other
/// tables). BENCHMARKS.md has the figures.
const FOREIGN_KEYS: &str = "SELECT CAST(k.TABLE_NAME AS CHAR), CAST(k.CONSTRAINT_NAME AS CHAR), CAST(k.ORDINAL_POSITION AS SIGNED), \
CAST(k.COLUMN_NAME AS CHAR), CAST(k.REFERENCED_TABLE_SCHEMA AS CHAR), CAST(k.REFERENCED_TABLE_NAME AS CHAR), \
CAST(k.REFERENCED_COLUMN_NAME AS CHAR), CAST(NULL AS CHAR), CAST(NULL AS CHAR) \
FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
UNION ALL SELECT CAST(r.TABLE_NAME AS CHAR), CAST(r.CONSTRAINT_NAME AS CHAR), 0, CAST(NULL AS CHAR), CAST(NULL AS CHAR), \
CAST(NULL AS CHAR), CAST(NULL AS CHAR), CAST(r.DELETE_RULE AS CHAR), CAST(r.UPDATE_RULE AS CHAR) \
FROM information_schema.REFERENTIAL_CONSTRAINTS r WHERE r.CONSTRAINT_SCHEMA = DATABASE() \
ORDER BY 1, 2, 3";

/// CHECKs on MariaDB, whose names are unique per table only (`CONSTRAINT_1` in each).
const CHECKS_MARIADB: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR) \
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME";

/// CHECKs on MySQL 8, whose `CHECK_CONSTRAINTS` has no table (names are unique per
/// database).
const CHECKS_MYSQL: &str = "SELECT CAST(t.TABLE_NAME AS CHAR), CAST(c.CONSTRAINT_NAME AS CHAR), CAST(c.CHECK_CLAUSE AS CHAR) \
FROM information_schema.CHECK_CONSTRAINTS c JOIN information_schema.TABLE_CONSTRAINTS t \
ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK' \
WHERE c.CONSTRAINT_SCHEMA = DATABASE() ORDER BY t.TABLE_NAME, c.CONSTRAINT_NAME";

/// The statements one reflection sends, in order (on MariaDB; MySQL 8 reads its CHECKs
/// with [`CHECKS_MYSQL`] instead).
pub(crate) const QUERIES: &[&str] = &[
    VERSION,
    TABLES,
    COLUMNS,
    STATISTICS,
    FOREIGN_KEYS,
    CHECKS_MARIADB,
];

/// The rows of one query.
async fn rows(
    conn: &mut MySqlConnection,
    sql: &'static str,
    counter: &StatementCounter,
) -> Result<Vec<MySqlRow>> {
    counter.add(1);
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error(WHAT))
}

/// Text at `i` (NULL as `None`).
fn text(row: &MySqlRow, i: usize) -> Result<Option<String>> {
    row.try_get::<Option<String>, _>(i)
        .map_err(reflect_error(WHAT))
}

/// Text at `i`, NULL as empty.
fn string(row: &MySqlRow, i: usize) -> Result<String> {
    Ok(text(row, i)?.unwrap_or_default())
}

/// `''` is none.
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// A foreign-key action as `REFERENTIAL_CONSTRAINTS` spells it.
fn action(rule: &str) -> FkAction {
    FkAction::parse(rule).unwrap_or_default()
}

/// A table while its parts arrive, with its collation (a column's is reported only where
/// it differs).
struct Building {
    def: TableDef,
    collation: String,
}

/// Reads the tables of the connection's database with [`QUERIES`]'s six statements.
pub(crate) async fn reflect(
    conn: &mut MySqlConnection,
    counter: &StatementCounter,
) -> Result<Schema> {
    let version_row = rows(conn, VERSION, counter).await?;
    let (version, database) = match version_row.first() {
        Some(row) => (string(row, 0)?, string(row, 1)?),
        None => (String::new(), String::new()),
    };
    let flavor = if version.contains("MariaDB") {
        Flavor::MariaDb
    } else {
        Flavor::MySql
    };
    let mut tables: BTreeMap<String, Building> = BTreeMap::new();
    for row in rows(conn, TABLES, counter).await? {
        let name = string(&row, 0)?;
        let def = TableDef {
            schema: Some(DATABASE_SCHEMA.to_string()),
            name: name.clone(),
            comment: non_empty(string(&row, 1)?),
            ..TableDef::default()
        };
        let collation = string(&row, 2)?;
        tables.insert(name, Building { def, collation });
    }
    for row in rows(conn, COLUMNS, counter).await? {
        let Some(table) = tables.get_mut(&string(&row, 0)?) else {
            continue; // A view's columns.
        };
        let column_type = string(&row, 2)?;
        let extra = string(&row, 5)?;
        let lower_extra = extra.to_ascii_lowercase();
        let generated =
            if lower_extra.contains("generated") && !lower_extra.contains("default_generated") {
                text(&row, 8)?
                    .filter(|e| !e.is_empty())
                    .map(|expr| GeneratedColumn {
                        expr: from_catalog(&expr),
                        stored: lower_extra.contains("stored"),
                    })
            } else {
                None
            };
        let default = if generated.is_some() {
            None
        } else {
            reflected_default(flavor, text(&row, 4)?.as_deref(), &extra, &column_type)
        };
        let collation = text(&row, 7)?.filter(|c| !c.is_empty() && *c != table.collation);
        table.def.columns.push(Column {
            ty: parse_type(&column_type),
            nullable: string(&row, 3)?.eq_ignore_ascii_case("YES"),
            default,
            auto_increment: lower_extra.contains("auto_increment"),
            comment: non_empty(string(&row, 6)?),
            collation,
            generated,
            on_update: on_update(&extra),
            ..Column::new(string(&row, 1)?, parse_type(&column_type))
        });
    }
    for row in rows(conn, STATISTICS, counter).await? {
        let Some(table) = tables.get_mut(&string(&row, 0)?) else {
            continue;
        };
        let index_name = string(&row, 1)?;
        let unique = row.try_get::<i64, _>(2).map_err(reflect_error(WHAT))? == 0;
        // A functional key part (MySQL 8) has no column: not read yet.
        let Some(column) = text(&row, 3)? else {
            continue;
        };
        let order = if text(&row, 4)?.as_deref() == Some("D") {
            SortOrder::Desc
        } else {
            SortOrder::Asc
        };
        let method = string(&row, 5)?.to_lowercase();
        let def = &mut table.def;
        if index_name == "PRIMARY" {
            def.primary_key
                .get_or_insert_with(|| PrimaryKey {
                    name: Some("PRIMARY".to_string()),
                    columns: Vec::new(),
                })
                .columns
                .push(column);
            continue;
        }
        // A key on the first n characters only (an index prefix) is not the declared
        // column's whole value: it reads as the expression `c(n)`, so that a declared
        // key on the column differs from it (a UNIQUE prefix does not make the values
        // unique) and the drift names it as it is.
        let prefix = row
            .try_get::<Option<i64>, _>(6)
            .map_err(reflect_error(WHAT))?;
        let key = match prefix {
            Some(n) => IndexColumn {
                order,
                expression: true,
                ..IndexColumn::asc(format!("{column}({n})"))
            },
            None => IndexColumn {
                order,
                ..IndexColumn::asc(column)
            },
        };
        match def.indexes.iter_mut().find(|i| i.name == index_name) {
            Some(index) => index.columns.push(key),
            None => def.indexes.push(Index {
                name: index_name,
                columns: vec![key],
                unique,
                predicate: None,
                method: non_empty(method),
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
            }),
        }
    }
    // Each key's actions, by table and key name (they arrive before its columns, but are
    // matched by name, not by order).
    let mut actions: BTreeMap<(String, String), (FkAction, FkAction)> = BTreeMap::new();
    for row in rows(conn, FOREIGN_KEYS, counter).await? {
        let (table_name, name) = (string(&row, 0)?, string(&row, 1)?);
        let position = row.try_get::<i64, _>(2).map_err(reflect_error(WHAT))?;
        if position == 0 {
            let rules = (action(&string(&row, 7)?), action(&string(&row, 8)?));
            actions.insert((table_name, name), rules);
            continue;
        }
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let column = string(&row, 3)?;
        let referenced_column = string(&row, 6)?;
        let def = &mut table.def;
        match def.foreign_keys.iter_mut().find(|f| f.name == name) {
            Some(fk) => {
                fk.columns.push(column);
                fk.referenced_columns.push(referenced_column);
            }
            None => {
                let schema = string(&row, 4)?;
                let references = QualifiedName::with_schema(
                    if schema == database {
                        DATABASE_SCHEMA.to_string()
                    } else {
                        schema
                    },
                    string(&row, 5)?,
                );
                def.foreign_keys.push(ForeignKey {
                    deferrable: Default::default(),
                    name,
                    columns: vec![column],
                    references,
                    referenced_columns: vec![referenced_column],
                    on_delete: FkAction::default(),
                    on_update: FkAction::default(),
                    not_valid: false,
                });
            }
        }
    }
    for ((table_name, name), (on_delete, on_update)) in actions {
        let fk = tables
            .get_mut(&table_name)
            .and_then(|t| t.def.foreign_keys.iter_mut().find(|f| f.name == name));
        if let Some(fk) = fk {
            fk.on_delete = on_delete;
            fk.on_update = on_update;
        }
    }
    let checks = match flavor {
        Flavor::MariaDb => CHECKS_MARIADB,
        Flavor::MySql => CHECKS_MYSQL,
    };
    for row in rows(conn, checks, counter).await? {
        let Some(table) = tables.get_mut(&string(&row, 0)?) else {
            continue;
        };
        table.def.checks.push(Check {
            name: string(&row, 1)?,
            expr: from_catalog(&string(&row, 2)?),
            not_valid: false,
        });
    }
    let mut schema = Schema::new(tables.into_values().map(|t| t.def).collect());
    schema.schemas = vec![DATABASE_SCHEMA.to_string()];
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::on_update;

    #[test]
    fn on_update_clauses_read_from_both_servers() {
        for (extra, clause) in [
            ("on update current_timestamp()", Some("CURRENT_TIMESTAMP")),
            (
                "on update current_timestamp(6)",
                Some("CURRENT_TIMESTAMP(6)"),
            ),
            (
                "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)",
                Some("CURRENT_TIMESTAMP(3)"),
            ),
            ("DEFAULT_GENERATED", None),
            ("auto_increment", None),
            ("on update something_else()", None),
        ] {
            assert_eq!(on_update(extra).as_deref(), clause, "{extra}");
        }
    }
}
