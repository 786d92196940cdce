//! PostgreSQL reflection from `pg_catalog`, scoped to the schemas in play, and
//! canonicalization of declared expressions by the database itself.
//!
//! Reflection is one statement whatever the number of tables ([`REFLECT`], the schemas in
//! scope bound as `$1`). The server computes the scoped table set once (ordinary and
//! partitioned tables of those schemas that are not partitions and not owned by an
//! extension; views, materialized views, sequences, foreign tables, partitions, and
//! anything in `pg_catalog`, `pg_toast`, `pg_temp_*` or `information_schema` are never
//! looked at) and returns twelve rows, one per part of the catalog (schemas, tables,
//! comments, columns, defaults, constraints, columns of referenced tables outside the
//! scope, indexes, index expressions, serial columns, non-default operator classes, enum
//! types with their labels), each part as parallel arrays: a handful of rows
//! to decode instead of one per column, constraint and index, and the arrays are read in
//! place ([`super::array`]) rather than element by element. Never `information_schema`,
//! never a query per table. The parts are assembled per table in Rust.
//!
//! The server is left what only it can spell, and only where there is something to spell:
//! `format_type` per column (a cache lookup), `pg_get_expr` per default, given the table
//! only when the expression references a column (with a table, PostgreSQL opens it: on a
//! fresh connection, a relcache entry built per table), `pg_get_constraintdef` per CHECK,
//! `pg_get_indexdef` per expression key. Key column names, DESC flags and the referenced
//! tables' names are looked up in Rust among the columns and tables already read
//! (`conkey`, `confkey`, `indkey` and `indoption` arrive in their text form): no
//! subquery per constraint or index, and the serial check (does the column own the
//! sequence?) only for `nextval` defaults. `reference.rs` (tests only) keeps the five
//! queries this replaced, and `inspect_tests.rs` checks that both reflect a varied
//! catalog identically.
//!
//! Canonicalization sends four statements whatever the number of tables: `BEGIN` (or
//! `SAVEPOINT` inside the apply transaction), one batch creating a temporary probe table
//! per declared table, one catalog query reading the stored text back, and `ROLLBACK`
//! (or `ROLLBACK TO SAVEPOINT`). See [`dbconform_core::dialect::postgres::canonicalize`].

use super::array::{Array, Element};
use crate::driver::{Scope, StatementCounter, db_error, reflect_error};
use dbconform_core::dialect::postgres::canonicalize::{self, Stored, StoredKind, Target};
use dbconform_core::dialect::postgres::{check_expression, parse_type};
use dbconform_core::{
    Check, Column, ColumnType, Deferrability, EnumLabel, EnumType, Error, FkAction, ForeignKey,
    GeneratedColumn, Index, IndexColumn, NullsOrder, PrimaryKey, QualifiedName, Result, Schema,
    SortOrder, TableDef, TableSize, UniqueConstraint,
};
use sqlx::postgres::{PgRow, PgValueFormat};
use sqlx::{Connection, PgConnection, Row, ValueRef};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a failed reflection says it was doing.
const WHAT: &str = "reading the catalog";

/// Reads the tables of `scope.schemas` and which of those schemas exist, with one
/// statement.
pub(crate) async fn reflect(
    conn: &mut PgConnection,
    scope: &Scope,
    counter: &StatementCounter,
) -> Result<Schema> {
    counter.add(1);
    let rows = sqlx::query(reflect_sql(conn.server_version_num()))
        .bind(&scope.schemas)
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error(WHAT))?;
    let mut parts = Parts::default();
    for row in &rows {
        parts.add(row)?;
    }
    assemble(&parts)
}

/// An answer the reflection cannot make sense of.
fn malformed(message: impl std::fmt::Display) -> Error {
    Error::Reflect {
        what: WHAT.into(),
        source: message.to_string().into(),
    }
}

/// One row of [`REFLECT`]: one part of the catalog as parallel arrays in the generic
/// columns the part uses (see [`REFLECT`] for which holds what), read in place. Unused
/// columns are NULL and read as empty.
#[derive(Debug, Default)]
struct Part<'r> {
    oid1: Array<'r>,
    oid2: Array<'r>,
    num1: Array<'r>,
    text1: Array<'r>,
    text2: Array<'r>,
    text3: Array<'r>,
    text4: Array<'r>,
    text5: Array<'r>,
    text6: Array<'r>,
    flag1: Array<'r>,
    flag2: Array<'r>,
    flag3: Array<'r>,
    code1: Array<'r>,
    code2: Array<'r>,
    code3: Array<'r>,
}

impl<'r> Part<'r> {
    fn read(row: &'r PgRow) -> Result<Part<'r>> {
        let array = |column: &str, element: Element| -> Result<Array<'r>> {
            let value = row.try_get_raw(column).map_err(reflect_error(WHAT))?;
            let bytes = if value.is_null() {
                None
            } else {
                // Prepared statements return binary values; text would be misread.
                if value.format() != PgValueFormat::Binary {
                    return Err(malformed(format!("{column} is not in binary format")));
                }
                Some(value.as_bytes().map_err(malformed)?)
            };
            Array::parse(bytes, element).map_err(|e| malformed(format!("{column}: {e}")))
        };
        Ok(Part {
            oid1: array("oid1", Element::Oid)?,
            oid2: array("oid2", Element::Oid)?,
            num1: array("num1", Element::Int4)?,
            text1: array("text1", Element::Text)?,
            text2: array("text2", Element::Text)?,
            text3: array("text3", Element::Text)?,
            text4: array("text4", Element::Text)?,
            text5: array("text5", Element::Text)?,
            text6: array("text6", Element::Text)?,
            flag1: array("flag1", Element::Bool)?,
            flag2: array("flag2", Element::Bool)?,
            flag3: array("flag3", Element::Bool)?,
            code1: array("code1", Element::Char)?,
            code2: array("code2", Element::Char)?,
            code3: array("code3", Element::Char)?,
        })
    }

    /// The number of entries of the part, whose `used` arrays must all be as long (they
    /// come from aggregates over the same rows): an error otherwise, so that a malformed
    /// answer is reported rather than half-read.
    fn entries(&self, part: &str, used: &[&Array<'r>]) -> Result<usize> {
        let lengths: Vec<usize> = used.iter().map(|a| a.len()).collect();
        let n = lengths.first().copied().unwrap_or(0);
        if lengths.iter().all(|&len| len == n) {
            Ok(n)
        } else {
            Err(malformed(format!(
                "the {part} arrays have different lengths ({lengths:?})"
            )))
        }
    }
}

/// The rows of [`REFLECT`] by part number (the `part` column).
#[derive(Debug, Default)]
struct Parts<'r> {
    schemas: Part<'r>,
    tables: Part<'r>,
    comments: Part<'r>,
    columns: Part<'r>,
    defaults: Part<'r>,
    constraints: Part<'r>,
    outside: Part<'r>,
    indexes: Part<'r>,
    expressions: Part<'r>,
    serials: Part<'r>,
    opclasses: Part<'r>,
    enums: Part<'r>,
}

impl<'r> Parts<'r> {
    fn add(&mut self, row: &'r PgRow) -> Result<()> {
        let number: i32 = row.try_get("part").map_err(reflect_error(WHAT))?;
        let slot = match number {
            0 => &mut self.schemas,
            1 => &mut self.tables,
            2 => &mut self.comments,
            3 => &mut self.columns,
            4 => &mut self.defaults,
            5 => &mut self.constraints,
            6 => &mut self.outside,
            7 => &mut self.indexes,
            8 => &mut self.expressions,
            9 => &mut self.serials,
            10 => &mut self.opclasses,
            11 => &mut self.enums,
            other => return Err(malformed(format!("unknown part {other}"))),
        };
        *slot = Part::read(row)?;
        Ok(())
    }
}

/// A reflected table while its parts arrive: the columns keyed by `attnum`, sorted once
/// all are in.
#[derive(Debug)]
struct Building {
    def: TableDef,
    columns: Vec<(i32, Column)>,
}

impl Building {
    /// The column numbered `num` (`columns` sorted by number).
    fn column_mut(&mut self, num: i32) -> Option<&mut Column> {
        let at = self.columns.binary_search_by_key(&num, |(n, _)| *n).ok()?;
        Some(&mut self.columns[at].1)
    }

    fn column_name(&self, num: i32) -> Option<&str> {
        let at = self.columns.binary_search_by_key(&num, |(n, _)| *n).ok()?;
        Some(&self.columns[at].1.name)
    }
}

/// A text entry that the catalog never leaves NULL.
fn required<'r>(array: &Array<'r>, i: usize, part: &str) -> Result<&'r str> {
    array
        .text(i)
        .map_err(malformed)?
        .ok_or_else(|| malformed(format!("a {part} entry is NULL")))
}

/// Builds the schema from the parts.
fn assemble(parts: &Parts<'_>) -> Result<Schema> {
    let e = malformed;

    // Tables, sorted as `Schema::normalized_order` sorts them (so that its sort has
    // nothing left to do), and their positions by oid.
    let p = &parts.tables;
    let n = p.entries("table", &[&p.oid1, &p.text1, &p.text2, &p.text3, &p.text4])?;
    let mut found: Vec<(u32, Building)> = Vec::with_capacity(n);
    let mut sizes = BTreeMap::new();
    let estimate = |array: &Array<'_>, i: usize| -> Result<Option<u64>> {
        Ok(array.text(i).map_err(e)?.and_then(|n| n.parse().ok()))
    };
    for i in 0..n {
        let def = TableDef {
            schema: Some(required(&p.text1, i, "table")?.to_string()),
            name: required(&p.text2, i, "table")?.to_string(),
            ..TableDef::default()
        };
        let size = TableSize {
            bytes: estimate(&p.text3, i)?,
            rows: estimate(&p.text4, i)?,
        };
        sizes.insert(def.qualified_name(), size);
        let columns = Vec::new();
        found.push((p.oid1.oid(i).map_err(e)?, Building { def, columns }));
    }
    found.sort_by(|(_, a), (_, b)| (&a.def.schema, &a.def.name).cmp(&(&b.def.schema, &b.def.name)));
    let by_oid: HashMap<u32, usize> = found
        .iter()
        .enumerate()
        .map(|(at, (oid, _))| (*oid, at))
        .collect();
    let mut tables: Vec<Building> = found.into_iter().map(|(_, table)| table).collect();

    // Enum types, one entry per label in sort order: every one of the database for the
    // columns using them, those of the schemas in scope for `Schema::enums`.
    let p = &parts.enums;
    let n = p.entries(
        "enum",
        &[&p.oid1, &p.oid2, &p.text1, &p.text2, &p.text3, &p.flag1],
    )?;
    let mut enum_types: HashMap<u32, (EnumType, bool)> = HashMap::new();
    let mut enum_order: Vec<u32> = Vec::new();
    // The array type of each enum type (`mood[]`, for `Vec<Mood>`): its element's oid.
    let mut enum_arrays: HashMap<u32, u32> = HashMap::new();
    for i in 0..n {
        let oid = p.oid1.oid(i).map_err(e)?;
        enum_arrays.insert(p.oid2.oid(i).map_err(e)?, oid);
        let (ty, _) = enum_types.entry(oid).or_insert_with(|| {
            enum_order.push(oid);
            (EnumType::new::<String>("", []), false)
        });
        ty.schema = Some(required(&p.text1, i, "enum")?.to_string());
        ty.name = required(&p.text2, i, "enum")?.to_string();
        // A type without labels has one entry with a NULL label.
        if let Some(label) = p.text3.text(i).map_err(e)? {
            ty.labels.push(EnumLabel::new(label));
        }
        let in_scope = p.flag1.bool(i).map_err(e)?;
        enum_types.get_mut(&oid).expect("inserted above").1 = in_scope;
    }

    // Columns. Each distinct `format_type` spelling is parsed once; a column of an enum
    // type (by its type's oid) is that type.
    let p = &parts.columns;
    let n = p.entries(
        "column",
        &[
            &p.oid1, &p.num1, &p.text1, &p.text2, &p.text3, &p.flag1, &p.flag2, &p.flag3,
        ],
    )?;
    let mut types: HashMap<&str, ColumnType> = HashMap::new();
    for i in 0..n {
        let Some(&at) = by_oid.get(&p.oid1.oid(i).map_err(e)?) else {
            continue;
        };
        let spelled = required(&p.text2, i, "column type")?;
        let (enum_type, array) = if enum_types.is_empty() {
            (None, false)
        } else {
            let type_oid = p.oid2.oid(i).map_err(e)?;
            match enum_arrays.get(&type_oid) {
                Some(element) => (enum_types.get(element), true),
                None => (enum_types.get(&type_oid), false),
            }
        };
        let ty = match enum_type {
            Some((ty, _)) if array => {
                ColumnType::Array(Box::new(ColumnType::Enum(Box::new(ty.clone()))))
            }
            Some((ty, _)) => ColumnType::Enum(Box::new(ty.clone())),
            None => types
                .entry(spelled)
                .or_insert_with(|| parse_type(spelled))
                .clone(),
        };
        tables[at].columns.push((
            p.num1.int4(i).map_err(e)?,
            Column {
                name: required(&p.text1, i, "column")?.to_string(),
                ty,
                nullable: !p.flag1.bool(i).map_err(e)?,
                default: None,
                auto_increment: p.flag2.bool(i).map_err(e)?,
                comment: None,
                renamed_from: Vec::new(),
                collation: p.text3.text(i).map_err(e)?.map(str::to_string),
                // The expression arrives with the defaults (a generated column always
                // has one).
                generated: p.flag3.bool(i).map_err(e)?.then(|| GeneratedColumn {
                    expr: String::new(),
                    stored: true,
                }),
                on_update: None,
            },
        ));
    }
    for table in &mut tables {
        table.columns.sort_by_key(|(num, _)| *num);
    }

    // Defaults and generation expressions. A serial column (its default draws from a
    // sequence the column owns) is auto-increment without a default.
    let p = &parts.serials;
    let n = p.entries("serial", &[&p.oid1, &p.num1])?;
    let mut serials: HashSet<(u32, i32)> = HashSet::with_capacity(n);
    for i in 0..n {
        serials.insert((p.oid1.oid(i).map_err(e)?, p.num1.int4(i).map_err(e)?));
    }
    let p = &parts.defaults;
    let n = p.entries("default", &[&p.oid1, &p.num1, &p.text1])?;
    for i in 0..n {
        let (oid, num) = (p.oid1.oid(i).map_err(e)?, p.num1.int4(i).map_err(e)?);
        let Some(column) = by_oid.get(&oid).and_then(|&at| tables[at].column_mut(num)) else {
            continue;
        };
        let expr = p.text1.text(i).map_err(e)?;
        if let Some(generated) = &mut column.generated {
            generated.expr = expr.unwrap_or_default().to_string();
        } else if serials.contains(&(oid, num)) {
            column.auto_increment = true;
        } else {
            column.default = expr.map(str::to_string);
        }
    }

    // Comments: `objsubid` 0 is the table's, others a column's.
    let p = &parts.comments;
    let n = p.entries("comment", &[&p.oid1, &p.num1, &p.text1])?;
    for i in 0..n {
        let Some(&at) = by_oid.get(&p.oid1.oid(i).map_err(e)?) else {
            continue;
        };
        let text = p.text1.text(i).map_err(e)?.map(str::to_string);
        match p.num1.int4(i).map_err(e)? {
            0 => tables[at].def.comment = text,
            num => {
                if let Some(column) = tables[at].column_mut(num) {
                    column.comment = text;
                }
            }
        }
    }

    // Columns of the tables outside the scope that a foreign key references.
    let p = &parts.outside;
    let n = p.entries(
        "referenced column",
        &[&p.oid1, &p.num1, &p.text1, &p.text2, &p.text3],
    )?;
    let mut outside_tables: HashMap<u32, QualifiedName> = HashMap::new();
    let mut outside_columns: HashMap<(u32, i32), &str> = HashMap::new();
    for i in 0..n {
        let oid = p.oid1.oid(i).map_err(e)?;
        if let std::collections::hash_map::Entry::Vacant(entry) = outside_tables.entry(oid) {
            entry.insert(QualifiedName {
                schema: Some(required(&p.text2, i, "referenced table")?.to_string()),
                name: required(&p.text3, i, "referenced table")?.to_string(),
            });
        }
        outside_columns.insert(
            (oid, p.num1.int4(i).map_err(e)?),
            required(&p.text1, i, "referenced column")?,
        );
    }

    // Constraints.
    let p = &parts.constraints;
    let n = p.entries(
        "constraint",
        &[
            &p.oid1, &p.oid2, &p.text1, &p.text2, &p.text3, &p.text4, &p.text5, &p.code1, &p.code2,
            &p.code3, &p.flag1, &p.flag2,
        ],
    )?;
    for i in 0..n {
        let Some(&at) = by_oid.get(&p.oid1.oid(i).map_err(e)?) else {
            continue;
        };
        let name = required(&p.text1, i, "constraint")?.to_string();
        // Left by an online apply interrupted before `VALIDATE CONSTRAINT`.
        let not_valid = p.flag1.bool(i).map_err(e)?;
        let keys = key_numbers(p.text2.text(i).map_err(e)?);
        let columns = names(&keys, |num| tables[at].column_name(num));
        match p.code1.code(i).map_err(e)? {
            'p' => {
                tables[at].def.primary_key = Some(PrimaryKey {
                    name: Some(name),
                    columns,
                })
            }
            'u' => tables[at].def.uniques.push(UniqueConstraint {
                name,
                columns,
                nulls_not_distinct: p.flag2.bool(i).map_err(e)?,
            }),
            'f' => {
                let target = p.oid2.oid(i).map_err(e)?;
                let target_keys = key_numbers(p.text3.text(i).map_err(e)?);
                let (references, referenced_columns) = match by_oid.get(&target) {
                    Some(&to) => (
                        tables[to].def.qualified_name(),
                        names(&target_keys, |num| tables[to].column_name(num)),
                    ),
                    None => (
                        outside_tables.get(&target).cloned().ok_or_else(|| {
                            malformed(format!("foreign key {name} references no known table"))
                        })?,
                        names(&target_keys, |num| {
                            outside_columns.get(&(target, num)).copied()
                        }),
                    ),
                };
                let deferrable = match p.text5.text(i).map_err(e)? {
                    Some("deferred") => Deferrability::InitiallyDeferred,
                    Some(_) => Deferrability::Deferrable,
                    None => Deferrability::NotDeferrable,
                };
                tables[at].def.foreign_keys.push(ForeignKey {
                    name,
                    columns,
                    references,
                    referenced_columns,
                    on_delete: action(p.code2.code(i).map_err(e)?),
                    on_update: action(p.code3.code(i).map_err(e)?),
                    deferrable,
                    not_valid,
                });
            }
            'c' => {
                let definition = required(&p.text4, i, "CHECK definition")?;
                let definition = definition.strip_suffix(" NOT VALID").unwrap_or(definition);
                let expr = check_expression(definition).unwrap_or_else(|| definition.into());
                tables[at].def.checks.push(Check {
                    name,
                    expr,
                    not_valid,
                });
            }
            _ => {}
        }
    }

    // Expression keys, by (index, key position from 1).
    let p = &parts.expressions;
    let n = p.entries("index expression", &[&p.oid1, &p.num1, &p.text1])?;
    let mut key_expressions: HashMap<(u32, i32), &str> = HashMap::with_capacity(n);
    for i in 0..n {
        key_expressions.insert(
            (p.oid1.oid(i).map_err(e)?, p.num1.int4(i).map_err(e)?),
            required(&p.text1, i, "index expression")?,
        );
    }

    // Operator classes that are not their type's default, by oid: a key whose class is
    // not among them has the default one, which the model leaves unnamed.
    let p = &parts.opclasses;
    let n = p.entries("operator class", &[&p.oid1, &p.text1])?;
    let mut opclasses: HashMap<u32, &str> = HashMap::with_capacity(n);
    for i in 0..n {
        opclasses.insert(
            p.oid1.oid(i).map_err(e)?,
            required(&p.text1, i, "operator class")?,
        );
    }

    // Indexes that do not back a constraint: key columns in order, then the INCLUDE
    // columns (`indkey` lists both, `indnkeyatts` counts the keys), DESC from bit 0 of
    // `indoption` and NULLS FIRST from bit 1 (kept only when not the direction's
    // default), operator classes from `indclass`, the access method (`btree`, the
    // default, left unnamed).
    let p = &parts.indexes;
    let n = p.entries(
        "index",
        &[
            &p.oid1, &p.oid2, &p.num1, &p.text1, &p.text2, &p.text3, &p.text4, &p.text5, &p.text6,
            &p.flag1, &p.flag2,
        ],
    )?;
    for i in 0..n {
        let Some(&at) = by_oid.get(&p.oid1.oid(i).map_err(e)?) else {
            continue;
        };
        let index = p.oid2.oid(i).map_err(e)?;
        let name = required(&p.text1, i, "index")?.to_string();
        let keys = key_numbers(p.text2.text(i).map_err(e)?);
        let options = key_numbers(p.text3.text(i).map_err(e)?);
        let classes = key_oids(p.text6.text(i).map_err(e)?);
        let key_count = p.num1.int4(i).map_err(e)?;
        let mut columns = Vec::new();
        for position in 1..=key_count {
            let at_key = usize::try_from(position - 1).unwrap_or(usize::MAX);
            let num = keys.get(at_key).copied().unwrap_or(0);
            let key = if num == 0 {
                key_expressions.get(&(index, position)).copied()
            } else {
                tables[at].column_name(num)
            };
            let Some(key) = key else {
                return Err(malformed(format!(
                    "key {position} of index {name} names no column and no expression"
                )));
            };
            let option = options.get(at_key).copied().unwrap_or(0);
            let (order, nulls) = key_order(option);
            columns.push(IndexColumn {
                name: key.to_string(),
                order,
                expression: num == 0,
                opclass: classes
                    .get(at_key)
                    .and_then(|class| opclasses.get(class))
                    .map(|name| name.to_string()),
                nulls,
            });
        }
        let at_include = usize::try_from(key_count).unwrap_or(usize::MAX);
        let include = names(keys.get(at_include..).unwrap_or_default(), |num| {
            tables[at].column_name(num)
        });
        tables[at].def.indexes.push(Index {
            name,
            columns,
            unique: p.flag1.bool(i).map_err(e)?,
            predicate: p.text4.text(i).map_err(e)?.map(str::to_string),
            method: index_method(required(&p.text5, i, "index access method")?),
            include,
            nulls_not_distinct: p.flag2.bool(i).map_err(e)?,
            invalid: p.flag3.bool(i).map_err(e)?,
        });
    }

    let tables = tables
        .into_iter()
        .map(|mut table| {
            table.def.columns = table.columns.into_iter().map(|(_, c)| c).collect();
            table.def
        })
        .collect();
    let mut schema = Schema::new(tables);
    let p = &parts.schemas;
    schema.schemas = (0..p.text1.len())
        .map(|i| required(&p.text1, i, "schema").map(str::to_string))
        .collect::<Result<Vec<String>>>()?;
    schema.sizes = sizes;
    schema.enums = enum_order
        .into_iter()
        .filter_map(|oid| enum_types.remove(&oid))
        .filter(|(_, in_scope)| *in_scope)
        .map(|(ty, _)| ty)
        .collect();
    schema.normalized_order();
    Ok(schema)
}

/// The column numbers of `conkey`/`confkey` (`{1,2}`) or `indkey`/`indoption` (`1 2`)
/// in their text form; none for NULL.
fn key_numbers(text: Option<&str>) -> Vec<i32> {
    text.unwrap_or_default()
        .split(|c: char| c == ',' || c == '{' || c == '}' || c.is_ascii_whitespace())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The oids of an `oidvector` in its text form (`1978 4217`).
fn key_oids(text: Option<&str>) -> Vec<u32> {
    text.unwrap_or_default()
        .split_ascii_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// A key's direction and NULLS order from its `indoption` bits (1: DESC, 2: NULLS
/// FIRST); the NULLS order only when it is not the direction's default (NULLS LAST for
/// ASC, NULLS FIRST for DESC), as the model's normal form has it.
pub(super) fn key_order(option: i32) -> (SortOrder, Option<NullsOrder>) {
    let desc = option & 1 == 1;
    let nulls_first = option & 2 == 2;
    match (desc, nulls_first) {
        (false, false) => (SortOrder::Asc, None),
        (true, true) => (SortOrder::Desc, None),
        (false, true) => (SortOrder::Asc, Some(NullsOrder::First)),
        (true, false) => (SortOrder::Desc, Some(NullsOrder::Last)),
    }
}

/// The access method as the model holds it: `btree`, the default, as none.
pub(super) fn index_method(amname: &str) -> Option<String> {
    (amname != "btree").then(|| amname.to_string())
}

/// The names of `numbers`, in order; a number that names no column is left out (as the
/// catalog join it replaces did).
fn names<'a>(numbers: &[i32], name: impl Fn(i32) -> Option<&'a str>) -> Vec<String> {
    numbers
        .iter()
        .filter_map(|&num| name(num).map(str::to_string))
        .collect()
}

/// `confdeltype` / `confupdtype` as an action.
fn action(code: char) -> FkAction {
    match code {
        'r' => FkAction::Restrict,
        'c' => FkAction::Cascade,
        'n' => FkAction::SetNull,
        'd' => FkAction::SetDefault,
        // `a`: NO ACTION, the default.
        _ => FkAction::NoAction,
    }
}

/// Returns `tables` with each default, generated-column expression, CHECK, index key
/// expression and partial-index predicate replaced by the text PostgreSQL stores for it
/// (and each `Custom` type by its `format_type` spelling).
///
/// In one transaction that is always rolled back (a savepoint when the session is already
/// inside the apply transaction): one batch creating a temporary table per declared table,
/// then one catalog query. When PostgreSQL refuses the batch, each table and then each
/// expression is tried alone, and the error names the table and the expression.
pub(crate) async fn canonicalize(
    conn: &mut PgConnection,
    tables: &[TableDef],
    counter: &StatementCounter,
) -> Result<Vec<TableDef>> {
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let batch = canonicalize::batch(tables)?;
    let outcome = canonicalize_in_rolled_back_transaction(conn, counter, &batch, true).await?;
    match outcome {
        Ok(stored) => Ok(canonicalize::apply(tables, &stored)),
        Err(refused) => Err(diagnose(conn, counter, tables, refused).await?),
    }
}

/// Runs `batch` (and, when `read_back`, the catalog query) in a transaction or savepoint
/// that is rolled back whatever happens. The outer `Result` is a failure to begin or roll
/// back; the inner one is PostgreSQL refusing the batch.
async fn canonicalize_in_rolled_back_transaction(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    batch: &str,
    read_back: bool,
) -> Result<std::result::Result<Vec<Stored>, sqlx::Error>> {
    counter.add(1);
    let mut tx = conn
        .begin()
        .await
        .map_err(db_error("beginning the canonicalization transaction"))?;
    counter.add(1);
    let mut outcome = sqlx::raw_sql(sqlx::AssertSqlSafe(batch.to_string()))
        .execute(&mut *tx)
        .await
        .map(|_| Vec::new());
    if outcome.is_ok() && read_back {
        counter.add(1);
        outcome = sqlx::query(STORED)
            .bind(canonicalize::TABLE_PREFIX)
            .fetch_all(&mut *tx)
            .await
            .and_then(|rows| rows.iter().map(stored).collect());
    }
    counter.add(1);
    tx.rollback()
        .await
        .map_err(db_error("rolling back the canonicalization transaction"))?;
    Ok(outcome)
}

/// One row of the read-back query.
fn stored(row: &PgRow) -> std::result::Result<Stored, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let kind = match kind.as_str() {
        "type" => StoredKind::Type,
        "default" => StoredKind::Default,
        "generated" => StoredKind::Generated,
        "check" => StoredKind::Check,
        "predicate" => StoredKind::Predicate,
        _ => StoredKind::Key,
    };
    let key: i32 = row.try_get("key")?;
    Ok(Stored {
        table: row.try_get("tbl")?,
        kind,
        name: row.try_get("name")?,
        key: usize::try_from(key).unwrap_or(0),
        text: row.try_get("text")?,
    })
}

/// Finds which table and which expression PostgreSQL refused, trying them one at a time
/// (only on this error path, so the cost of success stays constant).
async fn diagnose(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    tables: &[TableDef],
    refused: sqlx::Error,
) -> Result<Error> {
    let refuses = |table: &TableDef, what: String, error: sqlx::Error| Error::InvalidTable {
        table: table.qualified_name(),
        message: format!("PostgreSQL refuses {what}: {}", database_message(&error)),
    };
    for (position, table) in tables.iter().enumerate() {
        let targets = Target::all(table);
        let attempt = |targets: &[Target]| -> Result<String> {
            Ok(canonicalize::statements(position, table, targets)?.join(";\n"))
        };
        let whole = attempt(&targets)?;
        if canonicalize_in_rolled_back_transaction(conn, counter, &whole, false)
            .await?
            .is_ok()
        {
            continue;
        }
        if let Err(error) =
            canonicalize_in_rolled_back_transaction(conn, counter, &attempt(&[])?, false).await?
        {
            return Ok(refuses(table, "its column types".into(), error));
        }
        for &target in &targets {
            if let Err(error) =
                canonicalize_in_rolled_back_transaction(conn, counter, &attempt(&[target])?, false)
                    .await?
            {
                return Ok(refuses(table, target.describe(table), error));
            }
        }
        let together =
            canonicalize_in_rolled_back_transaction(conn, counter, &whole, false).await?;
        if let Err(error) = together {
            return Ok(refuses(table, "its expressions together".into(), error));
        }
    }
    Ok(Error::Database {
        operation: "asking PostgreSQL for its spelling of the declared expressions".into(),
        source: crate::DriverError::boxed(refused),
    })
}

/// The database's own message with its DETAIL and HINT, without sqlx's wrapping.
fn database_message(error: &sqlx::Error) -> String {
    crate::driver_error::one_line_message(error)
}

/// The catalog queries of one reflection (each takes the schemas as `$1`), for the
/// benchmarks' floor: the same query run alone.
pub(crate) const QUERIES: [&str; 1] = [REFLECT];

/// The whole reflection in one statement. `$1`: the schemas in scope (a text array).
///
/// The CTEs compute once what several parts share: `scoped`, the tables in scope
/// (ordinary and partitioned tables of the scope's schemas that are not partitions and
/// not owned by an extension; system schemas are excluded even when named); `cons`, their
/// constraints; `idx`, their indexes that do not back a PRIMARY KEY, UNIQUE or EXCLUDE
/// constraint; `defs`, the text of their defaults and generation expressions. Extension
/// membership is read from the extensions' side of `pg_depend`
/// (`deptype = 'e'` rows always reference `pg_extension`): one index range instead of a
/// probe per table.
///
/// Then one row per part (`part`), each as parallel arrays (aggregates over the same
/// rows) in generic columns: `oid1`, `oid2` (`oid`), `num1` (`int4`), `text1`–`text6`
/// (`text`), `flag1`–`flag3` (`bool`), `code1`–`code3` (`"char"`). `name` values are
/// cast to `text` in every branch: a UNION's column takes one type for all its branches,
/// and were it `name[]`, every text of the column (comments, defaults, CHECKs) would be
/// cut to 63 bytes.
///
/// | part | one entry per | columns used |
/// | --- | --- | --- |
/// | 0 | schema in scope that exists | `text1` name |
/// | 1 | table | `oid1` oid, `text1` schema, `text2` name, `text3` bytes (`relpages` × `block_size`), `text4` rows (`reltuples`), both NULL until the table is first analyzed or vacuumed (`reltuples` −1) |
/// | 2 | table or column comment | `oid1` table, `num1` column number (0: the table), `text1` text |
/// | 3 | column | `oid1` table, `oid2` type, `num1` number, `text1` name, `text2` type (`format_type`), `text3` collation unless the type's default, `flag1` NOT NULL, `flag2` identity, `flag3` stored generated |
/// | 4 | default or generation expression | `oid1` table, `num1` column, `text1` expression |
/// | 5 | PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK (not the copies a foreign key to a partitioned table gets per partition) | `oid1` table, `oid2` referenced table, `text1` name, `text2` `conkey`, `text3` `confkey`, `text4` CHECK definition, `text5` `deferred`/`deferrable`/NULL, `code1` kind, `code2` ON DELETE, `code3` ON UPDATE, `flag1` NOT VALID, `flag2` NULLS NOT DISTINCT (UNIQUE) |
/// | 6 | column of a table outside the scope that a foreign key references | `oid1` table, `num1` number, `text1` name, `text2` table's schema, `text3` table's name |
/// | 7 | index | `oid1` table, `oid2` index, `num1` key count, `text1` name, `text2` `indkey` (keys, then INCLUDE columns), `text3` `indoption`, `text4` predicate, `text5` access method, `text6` `indclass`, `flag1` unique, `flag2` NULLS NOT DISTINCT |
/// | 8 | expression key | `oid1` index, `num1` key position (from 1), `text1` expression |
/// | 9 | serial column: a `nextval(` default, and the column owns a sequence | `oid1` table, `num1` column |
/// | 10 | operator class that is not its type's default (a few dozen, whatever the database) | `oid1` oid, `text1` name |
/// | 11 | label of an enum type (every one of the database; a type without labels has one entry with a NULL label), by type and sort order | `oid1` type, `oid2` its array type, `text1` schema, `text2` name, `text3` label, `flag1` the schema is in scope |
///
/// `indnullsnotdistinct` exists from PostgreSQL 15 on: here it is read by name from the
/// row as JSON, which is NULL (taken as false) on older servers; [`reflect_sql`] reads the
/// column itself where it exists.
///
/// `pg_get_expr` gets the table only for expressions that reference a column (a `VAR`
/// node in the stored tree: generation expressions; a default cannot): the text of an
/// expression without columns is the same either way, and with a table PostgreSQL opens
/// it, which on a fresh connection builds a relcache entry per table. The comments are
/// probed per table through `pg_description`'s index, so that the plan does not depend on
/// the planner's guess of how many there are.
///
/// A column's collation is reported when it is not its type's (`attcollation <>
/// typcollation`, as `\d` shows it): whether it is comes from one hashed set of every
/// type's (oid, collation), and only those collations are joined to `pg_collation` for
/// their name, rather than looking up `pg_type` and `pg_collation` per column (which cost
/// more than the rest of a column's work).
///
/// Columns, defaults, constraints and indexes are read through their catalog's index on
/// the table's oid (`= ANY` of the scoped oids: one ordered walk of the index), not by
/// scanning the whole catalog: the other schemas' tables, the indexes', sequences' and
/// TOAST tables' attributes are never read.
///
/// Every per-row lookup is a hash probe or an index probe the planner can cost as cheap,
/// and the serial check (an index probe per `nextval` default) is a part of its own whose
/// `LIKE` prefix filter the planner knows to be selective: the plan's estimated cost
/// stays far below `jit_above_cost` (at 1,000 tables, ~2,300 against 100,000), since JIT
/// compiling this query would cost a fresh connection 100 ms and more.
/// How [`REFLECT`] reads `indnullsnotdistinct` on any server: from the row as JSON.
const NULLS_NOT_DISTINCT_ANY_VERSION: &str =
    "coalesce((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false)";

/// [`REFLECT`] for a server of `version` (`server_version_num`): from PostgreSQL 15 on,
/// the column is read directly. Turning every `pg_index` row into JSON (its expression
/// trees included) costs the 1,000-table no-op compare about 8 ms on the server.
pub(super) fn reflect_sql(version: Option<u32>) -> &'static str {
    static CURRENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if version.is_some_and(|v| v >= 150_000) {
        CURRENT.get_or_init(|| {
            REFLECT.replace(NULLS_NOT_DISTINCT_ANY_VERSION, "i.indnullsnotdistinct")
        })
    } else {
        REFLECT
    }
}

pub(super) const REFLECT: &str = r#"WITH scoped AS MATERIALIZED (
  SELECT c.oid, n.nspname, c.relname, c.relpages, c.reltuples
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND n.nspname = ANY($1)
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
    AND c.oid NOT IN (
      SELECT d.objid FROM pg_catalog.pg_depend d
      WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
        AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'e')
),
defs AS MATERIALIZED (
  SELECT ad.adrelid, ad.adnum, pg_catalog.pg_get_expr(ad.adbin,
    CASE WHEN ad.adbin::text LIKE '%{VAR %' THEN ad.adrelid ELSE 0 END) AS expr
  FROM pg_catalog.pg_attrdef ad
  WHERE ad.adrelid = ANY (ARRAY(SELECT s.oid FROM scoped s))
),
cons AS MATERIALIZED (
  SELECT con.oid, con.conrelid, con.conname, con.contype, con.conkey, con.confrelid,
    con.confkey, con.confdeltype, con.confupdtype, con.conindid, con.conparentid,
    con.convalidated,
    CASE WHEN con.condeferred THEN 'deferred' WHEN con.condeferrable THEN 'deferrable' END
      AS deferral,
    CASE WHEN con.contype = 'u' THEN (
      SELECT coalesce((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false)
      FROM pg_catalog.pg_index i WHERE i.indexrelid = con.conindid) ELSE false END
      AS nulls_not_distinct
  FROM pg_catalog.pg_constraint con
  WHERE con.conrelid = ANY (ARRAY(SELECT s.oid FROM scoped s))
    AND con.contype IN ('p', 'u', 'f', 'c', 'x')
),
idx AS MATERIALIZED (
  SELECT i.indexrelid, i.indrelid, i.indisunique, i.indkey, i.indoption, i.indnkeyatts,
    i.indclass, i.indpred, i.indexprs IS NOT NULL AS has_expressions, i.indisvalid,
    coalesce((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false)
      AS nulls_not_distinct
  FROM pg_catalog.pg_index i
  WHERE i.indrelid = ANY (ARRAY(SELECT s.oid FROM scoped s))
    AND NOT EXISTS (
    SELECT 1 FROM cons c
    WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      AND c.contype IN ('p', 'u', 'x'))
)
SELECT 0 AS part, NULL::oid[] AS oid1, NULL::oid[] AS oid2, NULL::int4[] AS num1,
  array_agg(n.nspname::text) AS text1, NULL::text[] AS text2, NULL::text[] AS text3,
  NULL::text[] AS text4, NULL::text[] AS text5, NULL::text[] AS text6, NULL::bool[] AS flag1, NULL::bool[] AS flag2, NULL::bool[] AS flag3,
  NULL::"char"[] AS code1, NULL::"char"[] AS code2, NULL::"char"[] AS code3
FROM pg_catalog.pg_namespace n
WHERE n.nspname = ANY($1)
UNION ALL
SELECT 1, array_agg(s.oid), NULL, NULL, array_agg(s.nspname::text), array_agg(s.relname::text),
  array_agg(CASE WHEN s.reltuples >= 0
    THEN (s.relpages::int8 * pg_catalog.current_setting('block_size')::int8)::text END),
  array_agg(CASE WHEN s.reltuples >= 0 THEN s.reltuples::int8::text END),
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM scoped s
UNION ALL
SELECT 2, array_agg(s.oid), NULL, array_agg(d.objsubid), array_agg(d.description), NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM scoped s
CROSS JOIN LATERAL (
  SELECT d.objsubid, d.description FROM pg_catalog.pg_description d
  WHERE d.objoid = s.oid AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
  OFFSET 0) d
UNION ALL
SELECT 3, array_agg(a.attrelid), array_agg(a.atttypid), array_agg(a.attnum::int4), array_agg(a.attname::text),
  array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod)),
  array_agg(co.collname::text), NULL, NULL, NULL,
  array_agg(a.attnotnull), array_agg(a.attidentity IN ('a', 'd')),
  array_agg(a.attgenerated = 's'), NULL, NULL, NULL
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_collation co ON co.oid = CASE
  WHEN a.attcollation = 0
    OR (a.atttypid, a.attcollation) IN (SELECT t.oid, t.typcollation FROM pg_catalog.pg_type t)
  THEN 0 ELSE a.attcollation END
WHERE a.attrelid = ANY (ARRAY(SELECT s.oid FROM scoped s))
  AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 4, array_agg(d.adrelid), NULL, array_agg(d.adnum::int4), array_agg(d.expr), NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM defs d
UNION ALL
SELECT 5, array_agg(c.conrelid), array_agg(c.confrelid), NULL,
  array_agg(c.conname::text), array_agg(c.conkey::text), array_agg(c.confkey::text),
  array_agg(CASE WHEN c.contype = 'c' THEN pg_catalog.pg_get_constraintdef(c.oid) END),
  array_agg(c.deferral), NULL, array_agg(NOT c.convalidated), array_agg(c.nulls_not_distinct),
  NULL,
  array_agg(c.contype), array_agg(c.confdeltype), array_agg(c.confupdtype)
FROM cons c
WHERE c.contype IN ('p', 'u', 'f', 'c') AND c.conparentid = 0
UNION ALL
SELECT 6, array_agg(a.attrelid), NULL, array_agg(a.attnum::int4),
  array_agg(a.attname::text), array_agg(fn.nspname::text), array_agg(fc.relname::text), NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT DISTINCT c.confrelid FROM cons c
      WHERE c.contype = 'f' AND c.conparentid = 0
        AND c.confrelid NOT IN (SELECT s.oid FROM scoped s)) r
JOIN pg_catalog.pg_class fc ON fc.oid = r.confrelid
JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = r.confrelid AND a.attnum > 0
UNION ALL
SELECT 7, array_agg(i.indrelid), array_agg(i.indexrelid), array_agg(i.indnkeyatts::int4),
  array_agg(ic.relname::text), array_agg(i.indkey::text), array_agg(i.indoption::text),
  array_agg(pg_catalog.pg_get_expr(i.indpred, i.indrelid)),
  array_agg(am.amname::text), array_agg(i.indclass::text),
  array_agg(i.indisunique), array_agg(i.nulls_not_distinct), array_agg(NOT i.indisvalid),
  NULL, NULL, NULL
FROM idx i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
UNION ALL
SELECT 8, array_agg(i.indexrelid), NULL, array_agg(k.n),
  array_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true)), NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL
FROM idx i
CROSS JOIN LATERAL pg_catalog.generate_series(1, i.indnkeyatts::int4) k(n)
WHERE i.has_expressions AND i.indkey[k.n - 1] = 0
UNION ALL
SELECT 9, array_agg(d.adrelid), NULL, array_agg(d.adnum::int4), NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL
FROM defs d
WHERE d.expr LIKE 'nextval(%' AND EXISTS (
  SELECT 1 FROM pg_catalog.pg_depend dep
  JOIN pg_catalog.pg_class seq ON seq.oid = dep.objid AND seq.relkind = 'S'
  WHERE dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND dep.refobjid = d.adrelid AND dep.refobjsubid = d.adnum
    AND dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND dep.deptype = 'a')
UNION ALL
SELECT 10, array_agg(o.oid), NULL, NULL, array_agg(o.opcname::text), NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM pg_catalog.pg_opclass o
WHERE NOT o.opcdefault
UNION ALL
SELECT 11, array_agg(t.oid ORDER BY t.oid, e.enumsortorder),
  array_agg(t.typarray ORDER BY t.oid, e.enumsortorder), NULL,
  array_agg(tn.nspname::text ORDER BY t.oid, e.enumsortorder),
  array_agg(t.typname::text ORDER BY t.oid, e.enumsortorder),
  array_agg(e.enumlabel::text ORDER BY t.oid, e.enumsortorder), NULL, NULL, NULL,
  array_agg(tn.nspname = ANY($1) ORDER BY t.oid, e.enumsortorder), NULL, NULL, NULL, NULL, NULL
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e'"#;

/// The probe tables' stored text, read back with the functions reflection uses:
/// `format_type` of every column, `pg_get_expr` of defaults (without a relation, as
/// [`REFLECT`] does) and generated columns,
/// `pg_get_constraintdef` of CHECKs, `pg_get_expr` of index predicates and
/// `pg_get_indexdef(index, key, true)` of expression keys. `$1` is the probe prefix.
const STORED: &str = "\
WITH probe AS ( \
  SELECT c.oid, c.relname::text AS tbl FROM pg_catalog.pg_class c \
  WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relkind = 'r' \
    AND pg_catalog.starts_with(c.relname::text, $1) \
) \
SELECT p.tbl, 'type' AS kind, a.attname::text AS name, 0 AS key, \
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS text \
FROM probe p JOIN pg_catalog.pg_attribute a ON a.attrelid = p.oid \
WHERE a.attnum > 0 AND NOT a.attisdropped \
UNION ALL \
SELECT p.tbl, CASE WHEN a.attgenerated = 's' THEN 'generated' ELSE 'default' END, \
  a.attname::text, 0, \
  pg_catalog.pg_get_expr(d.adbin, \
    CASE WHEN d.adbin::text LIKE '%{VAR %' THEN d.adrelid ELSE 0 END) \
FROM probe p JOIN pg_catalog.pg_attrdef d ON d.adrelid = p.oid \
JOIN pg_catalog.pg_attribute a ON a.attrelid = p.oid AND a.attnum = d.adnum \
UNION ALL \
SELECT p.tbl, 'check', con.conname::text, 0, pg_catalog.pg_get_constraintdef(con.oid) \
FROM probe p JOIN pg_catalog.pg_constraint con ON con.conrelid = p.oid AND con.contype = 'c' \
UNION ALL \
SELECT p.tbl, 'predicate', ic.relname::text, 0, pg_catalog.pg_get_expr(i.indpred, i.indrelid) \
FROM probe p JOIN pg_catalog.pg_index i ON i.indrelid = p.oid \
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
WHERE i.indpred IS NOT NULL \
UNION ALL \
SELECT p.tbl, 'key', ic.relname::text, k.n, pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true) \
FROM probe p JOIN pg_catalog.pg_index i ON i.indrelid = p.oid \
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
CROSS JOIN LATERAL pg_catalog.generate_series(1, i.indnkeyatts::int4) k(n) \
WHERE i.indkey[k.n - 1] = 0";
