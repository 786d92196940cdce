//! The reflection as it was before it became one statement: five catalog queries
//! (schemas, tables, columns, constraints, indexes), each re-evaluating the scoped table
//! set, and their rows assembled in Rust; since enum types are reflected, a sixth reads
//! the enum types of the scope's schemas (and columns read their enum type). Kept only as the reference the differential test
//! (`inspect_tests.rs`) compares the single-statement reflection with: both must return
//! the same `Schema` for every catalog the test builds.

use crate::driver::{Scope, StatementCounter, reflect_error};
use dbconform_core::dialect::postgres::{check_expression, parse_type};
use dbconform_core::{
    Check, Column, ColumnType, Deferrability, EnumLabel, EnumType, FkAction, ForeignKey,
    GeneratedColumn, Index, IndexColumn, PrimaryKey, QualifiedName, Result, Schema, TableDef,
    UniqueConstraint,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use std::collections::BTreeMap;

/// Reads the tables of `scope.schemas` and which of those schemas exist.
pub(crate) async fn reflect(
    conn: &mut PgConnection,
    scope: &Scope,
    counter: &StatementCounter,
) -> Result<Schema> {
    let schemas = &scope.schemas;
    let existing = fetch(conn, counter, SCHEMAS, schemas, "listing schemas").await?;
    let table_rows = fetch(conn, counter, TABLES, schemas, "listing tables").await?;
    let column_rows = fetch(conn, counter, COLUMNS, schemas, "reading columns").await?;
    let constraint_rows = fetch(conn, counter, CONSTRAINTS, schemas, "reading constraints").await?;
    let index_rows = fetch(conn, counter, INDEXES, schemas, "reading indexes").await?;
    let enum_rows = fetch(conn, counter, ENUMS, schemas, "reading enum types").await?;

    let mut tables: BTreeMap<i64, TableDef> = BTreeMap::new();
    for row in &table_rows {
        let what = "reading tables";
        tables.insert(
            get(row, "oid", what)?,
            TableDef {
                schema: Some(get(row, "nspname", what)?),
                name: get(row, "relname", what)?,
                comment: get(row, "comment", what)?,
                ..TableDef::default()
            },
        );
    }

    let mut columns: BTreeMap<i64, Vec<(i32, Column)>> = BTreeMap::new();
    for row in &column_rows {
        let (oid, num, column) = column(row)?;
        columns.entry(oid).or_default().push((num, column));
    }
    for (oid, mut list) in columns {
        if let Some(table) = tables.get_mut(&oid) {
            list.sort_by_key(|(num, _)| *num);
            table.columns = list.into_iter().map(|(_, c)| c).collect();
        }
    }

    for row in &constraint_rows {
        let what = "reading constraints";
        let oid: i64 = get(row, "oid", what)?;
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        constraint(table, row)?;
    }

    for row in &index_rows {
        let what = "reading indexes";
        let oid: i64 = get(row, "oid", what)?;
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        table.indexes.push(index(row)?);
    }

    let mut schema = Schema::new(tables.into_values().collect());
    schema.schemas = existing
        .iter()
        .map(|row| get(row, "nspname", "reading schemas"))
        .collect::<Result<Vec<String>>>()?;
    schema.enums = enum_rows
        .iter()
        .map(|row| {
            let what = "reading enum types";
            let labels: Vec<String> = get(row, "labels", what)?;
            Ok(EnumType {
                schema: Some(get(row, "nspname", what)?),
                name: get(row, "typname", what)?,
                labels: labels.into_iter().map(EnumLabel::new).collect(),
            })
        })
        .collect::<Result<Vec<EnumType>>>()?;
    schema.normalized_order();
    Ok(schema)
}

/// The enum types of the scope's schemas with their labels in order.
const ENUMS: &str = "SELECT n.nspname::text AS nspname, t.typname::text AS typname, \
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e \
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels \
     FROM pg_catalog.pg_type t \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'e' AND n.nspname = ANY($1)";

/// Runs one catalog query scoped to `schemas` (`$1`).
async fn fetch(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    sql: &'static str,
    schemas: &[String],
    what: &'static str,
) -> Result<Vec<PgRow>> {
    counter.add(1);
    sqlx::query(sql)
        .bind(schemas)
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error(what))
}

/// One typed value of a catalog row.
fn get<'r, T>(row: &'r PgRow, column: &str, what: &'static str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(reflect_error(what))
}

/// A column row: the table's oid, the column's number and the column.
fn column(row: &PgRow) -> Result<(i64, i32, Column)> {
    let what = "reading columns";
    let ty: String = get(row, "type", what)?;
    let default: Option<String> = get(row, "default_expr", what)?;
    let identity: String = get(row, "identity", what)?;
    let generated: String = get(row, "generated", what)?;
    let owns_sequence: bool = get(row, "owns_sequence", what)?;
    // A serial: the default draws from a sequence the column owns.
    let serial = owns_sequence
        && default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
    let is_generated = generated == "s";
    let enum_name: Option<String> = get(row, "enum_name", what)?;
    let ty = match enum_name {
        Some(name) => {
            let ty = ColumnType::Enum(Box::new(EnumType {
                schema: get(row, "enum_schema", what)?,
                name,
                labels: get::<Vec<String>>(row, "enum_labels", what)?
                    .into_iter()
                    .map(EnumLabel::new)
                    .collect(),
            }));
            if get(row, "enum_array", what)? {
                ColumnType::Array(Box::new(ty))
            } else {
                ty
            }
        }
        None => parse_type(&ty),
    };
    let column = Column {
        name: get(row, "name", what)?,
        ty,
        nullable: !get::<bool>(row, "notnull", what)?,
        default: if serial || is_generated {
            None
        } else {
            default.clone()
        },
        auto_increment: matches!(identity.as_str(), "a" | "d") || serial,
        comment: get(row, "comment", what)?,
        renamed_from: Vec::new(),
        collation: get(row, "collation", what)?,
        generated: is_generated.then(|| GeneratedColumn {
            expr: default.unwrap_or_default(),
            stored: true,
        }),
        on_update: None,
    };
    Ok((get(row, "oid", what)?, get(row, "num", what)?, column))
}

/// `confdeltype` / `confupdtype` as an action.
fn action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        // `a`: NO ACTION, the default.
        _ => FkAction::NoAction,
    }
}

/// Adds one constraint row (PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK) to its table.
fn constraint(table: &mut TableDef, row: &PgRow) -> Result<()> {
    let what = "reading constraints";
    let name: String = get(row, "name", what)?;
    let kind: String = get(row, "kind", what)?;
    let columns: Vec<String> = get(row, "columns", what)?;
    match kind.as_str() {
        "p" => {
            table.primary_key = Some(PrimaryKey {
                name: Some(name),
                columns,
            })
        }
        "u" => table.uniques.push(UniqueConstraint {
            name,
            columns,
            nulls_not_distinct: get(row, "nulls_not_distinct", what)?,
        }),
        "f" => {
            let schema: Option<String> = get(row, "ref_schema", what)?;
            let target: Option<String> = get(row, "ref_table", what)?;
            let on_delete: String = get(row, "on_delete", what)?;
            let on_update: String = get(row, "on_update", what)?;
            let deferrable = match (get(row, "deferrable", what)?, get(row, "deferred", what)?) {
                (_, true) => Deferrability::InitiallyDeferred,
                (true, false) => Deferrability::Deferrable,
                (false, false) => Deferrability::NotDeferrable,
            };
            table.foreign_keys.push(ForeignKey {
                deferrable,
                name,
                columns,
                references: QualifiedName {
                    schema,
                    name: target.unwrap_or_default(),
                },
                referenced_columns: get(row, "ref_columns", what)?,
                on_delete: action(&on_delete),
                on_update: action(&on_update),
                not_valid: get(row, "not_valid", what)?,
            });
        }
        "c" => {
            let definition: String = get(row, "definition", what)?;
            let definition = match definition.strip_suffix(" NOT VALID") {
                Some(valid) => valid.to_string(),
                None => definition,
            };
            let expr = check_expression(&definition).unwrap_or(definition);
            table.checks.push(Check {
                name,
                expr,
                not_valid: get(row, "not_valid", what)?,
            });
        }
        _ => {}
    }
    Ok(())
}

/// One index row.
fn index(row: &PgRow) -> Result<Index> {
    let what = "reading indexes";
    let keys: Vec<String> = get(row, "keys", what)?;
    let expressions: Vec<bool> = get(row, "key_is_expr", what)?;
    let options: Vec<i32> = get(row, "key_options", what)?;
    let opclasses: Vec<Option<String>> = get(row, "opclasses", what)?;
    let columns = keys
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let option = options.get(i).copied().unwrap_or(0);
            let (order, nulls) = super::inspect::key_order(option);
            IndexColumn {
                name,
                order,
                expression: expressions.get(i).copied().unwrap_or(false),
                opclass: opclasses.get(i).cloned().flatten(),
                nulls,
            }
        })
        .collect();
    let method: String = get(row, "method", what)?;
    Ok(Index {
        name: get(row, "name", what)?,
        columns,
        unique: get(row, "is_unique", what)?,
        predicate: get(row, "predicate", what)?,
        method: super::inspect::index_method(&method),
        include: get(row, "include", what)?,
        nulls_not_distinct: get(row, "nulls_not_distinct", what)?,
        invalid: get(row, "invalid", what)?,
    })
}

const SCHEMAS: &str = "SELECT nspname::text AS nspname FROM pg_catalog.pg_namespace \
     WHERE nspname = ANY($1) ORDER BY 1";

/// The tables in scope, as a CTE named `scoped` (oid, nspname, relname): ordinary and
/// partitioned tables of the scope's schemas that are not partitions of another table
/// and not owned by an extension. System schemas are excluded even when named.
macro_rules! scoped {
    () => {
        "WITH scoped AS ( \
           SELECT c.oid, n.nspname, c.relname \
           FROM pg_catalog.pg_class c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition \
             AND n.nspname = ANY($1) \
             AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' \
             AND NOT EXISTS ( \
               SELECT 1 FROM pg_catalog.pg_depend d \
               WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                 AND d.objid = c.oid AND d.deptype = 'e') \
         ) "
    };
}

/// Tables with their comments.
const TABLES: &str = concat!(
    scoped!(),
    "SELECT s.oid::int8 AS oid, s.nspname::text AS nspname, s.relname::text AS relname, \
       d.description AS comment \
     FROM scoped s \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = s.oid \
       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0"
);

/// Columns: type as `format_type` spells it, NOT NULL, default, identity, generation,
/// non-default collation, comment, and whether the column owns a sequence (serial).
const COLUMNS: &str = concat!(
    scoped!(),
    "SELECT a.attrelid::int8 AS oid, a.attnum::int4 AS num, a.attname::text AS name, \
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, \
       CASE WHEN t.typtype = 'e' THEN tn.nspname::text ELSE etn.nspname::text END \
         AS enum_schema, \
       CASE WHEN t.typtype = 'e' THEN t.typname::text ELSE et.typname::text END AS enum_name, \
       et.oid IS NOT NULL AS enum_array, \
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e \
             WHERE e.enumtypid = coalesce(et.oid, t.oid) ORDER BY e.enumsortorder) \
         AS enum_labels, \
       a.attnotnull AS notnull, \
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, \
       a.attidentity::text AS identity, \
       a.attgenerated::text AS generated, \
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
         THEN co.collname::text END AS collation, \
       d.description AS comment, \
       (owned.refobjid IS NOT NULL) AS owns_sequence \
     FROM pg_catalog.pg_attribute a \
     JOIN scoped s ON s.oid = a.attrelid \
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
     JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace \
     LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND et.typarray = t.oid \
       AND et.typtype = 'e' \
     LEFT JOIN pg_catalog.pg_namespace etn ON etn.oid = et.typnamespace \
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid \
       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum \
     LEFT JOIN ( \
       SELECT DISTINCT dep.refobjid, dep.refobjsubid FROM pg_catalog.pg_depend dep \
       JOIN pg_catalog.pg_class seq ON seq.oid = dep.objid AND seq.relkind = 'S' \
       WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass \
         AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
         AND dep.deptype = 'a') owned \
       ON owned.refobjid = a.attrelid AND owned.refobjsubid = a.attnum \
     WHERE a.attnum > 0 AND NOT a.attisdropped"
);

/// PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK constraints with their column names in key
/// order, the referenced table and columns, the actions and the definition text. Child
/// constraints a foreign key to a partitioned table gets per partition are left out.
const CONSTRAINTS: &str = concat!(
    scoped!(),
    "SELECT con.conrelid::int8 AS oid, con.conname::text AS name, con.contype::text AS kind, \
       ARRAY(SELECT a.attname::text \
             FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(num, pos) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num \
             ORDER BY k.pos) AS columns, \
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table, \
       ARRAY(SELECT a.attname::text \
             FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(num, pos) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num \
             ORDER BY k.pos) AS ref_columns, \
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update, \
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid) END \
         AS definition, NOT con.convalidated AS not_valid, \
       con.condeferrable AS deferrable, con.condeferred AS deferred, \
       coalesce((SELECT (pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::bool \
                 FROM pg_catalog.pg_index i \
                 WHERE i.indexrelid = con.conindid AND con.contype = 'u'), false) \
         AS nulls_not_distinct \
     FROM pg_catalog.pg_constraint con \
     JOIN scoped s ON s.oid = con.conrelid \
     LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid \
     LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace \
     WHERE con.contype IN ('p', 'u', 'f', 'c') AND con.conparentid = 0"
);

/// Indexes that do not back a PRIMARY KEY, UNIQUE or EXCLUDE constraint of their table:
/// key columns in order (column names, or the expression text for expression keys),
/// `indoption` bits (DESC, NULLS FIRST), operator classes that are not their type's
/// default, INCLUDE columns, access method, NULLS NOT DISTINCT (read by name, absent
/// before PostgreSQL 15), uniqueness and predicate.
const INDEXES: &str = concat!(
    scoped!(),
    "SELECT i.indrelid::int8 AS oid, ic.relname::text AS name, i.indisunique AS is_unique, \
       ARRAY(SELECT CASE WHEN i.indkey[k.n - 1] = 0 \
                      THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true) \
                      ELSE a.attname::text END \
             FROM pg_catalog.generate_series(1, i.indnkeyatts::int4) k(n) \
             LEFT JOIN pg_catalog.pg_attribute a \
               ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1] \
             ORDER BY k.n) AS keys, \
       ARRAY(SELECT i.indkey[k.n - 1] = 0 \
             FROM pg_catalog.generate_series(1, i.indnkeyatts::int4) k(n) \
             ORDER BY k.n) AS key_is_expr, \
       ARRAY(SELECT i.indoption[k.n - 1]::int4 \
             FROM pg_catalog.generate_series(1, i.indnkeyatts::int4) k(n) \
             ORDER BY k.n) AS key_options, \
       ARRAY(SELECT CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END \
             FROM pg_catalog.generate_series(1, i.indnkeyatts::int4) k(n) \
             LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.n - 1] \
             ORDER BY k.n) AS opclasses, \
       ARRAY(SELECT a.attname::text \
             FROM pg_catalog.generate_series(i.indnkeyatts::int4 + 1, i.indnatts::int4) k(n) \
             JOIN pg_catalog.pg_attribute a \
               ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1] \
             ORDER BY k.n) AS include, \
       am.amname::text AS method, \
       coalesce((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false) \
         AS nulls_not_distinct, NOT i.indisvalid AS invalid, \
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate \
     FROM pg_catalog.pg_index i \
     JOIN scoped s ON s.oid = i.indrelid \
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
     WHERE NOT EXISTS ( \
       SELECT 1 FROM pg_catalog.pg_constraint con \
       WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
         AND con.contype IN ('p', 'u', 'x'))"
);
