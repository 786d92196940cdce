//! Builders for the `TableDef`s tests expect: the parts every declaration and reflection
//! test spells out. Free of derived tables, so a binary may include it on its own
//! (`#[path = "common/build.rs"] mod build;`).
#![allow(dead_code)]

use dbconform::{
    Check, Column, ColumnType, Index, IndexColumn, PrimaryKey, SortOrder, UniqueConstraint,
};

/// A nullable column.
pub fn nullable(name: &str, ty: ColumnType) -> Column {
    Column {
        nullable: true,
        ..Column::new(name, ty)
    }
}

/// A type spelled as written (`#[column(sql_type = ...)]`, or one dbconform does not map).
pub fn custom(text: &str) -> ColumnType {
    ColumnType::Custom(text.to_string())
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A primary key named `name` (`None`: unnamed).
pub fn primary_key(name: Option<&str>, columns: &[&str]) -> Option<PrimaryKey> {
    Some(PrimaryKey {
        name: name.map(str::to_string),
        columns: strings(columns),
    })
}

pub fn unique(name: &str, columns: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        nulls_not_distinct: false,
        name: name.into(),
        columns: strings(columns),
    }
}

pub fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
        not_valid: false,
    }
}

/// An index as a declaration without options makes it: a B-tree, not unique, no
/// predicate, no INCLUDE columns.
pub fn index(name: impl Into<String>, columns: Vec<IndexColumn>) -> Index {
    Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: name.into(),
        columns,
        unique: false,
        predicate: None,
    }
}

/// An index key: a column, or an expression (`expression`), in `order`.
pub fn index_key(name: &str, order: SortOrder, expression: bool) -> IndexColumn {
    IndexColumn {
        opclass: None,
        nulls: None,
        name: name.into(),
        order,
        expression,
    }
}

/// `tables` as MySQL/MariaDB takes them, for the families declared once for every
/// backend: a `String` in a key, an index or a reference is `VARCHAR(255)` (MySQL keys no
/// TEXT column whole, and dbconform refuses rather than index a prefix), an unbounded
/// decimal is `DECIMAL(30,10)` (MySQL has none), an index predicate is dropped (no
/// partial indexes) and a SET DEFAULT action is RESTRICT (InnoDB refuses SET DEFAULT).
/// Everything else is as declared.
pub fn mysql_ready(mut tables: Vec<dbconform::TableDef>) -> Vec<dbconform::TableDef> {
    let referenced: Vec<(String, String)> = tables
        .iter()
        .flat_map(|t| {
            t.foreign_keys.iter().flat_map(|fk| {
                fk.referenced_columns
                    .iter()
                    .map(|c| (fk.references.name.clone(), c.clone()))
            })
        })
        .collect();
    for table in &mut tables {
        let mut keyed: Vec<String> = Vec::new();
        keyed.extend(table.primary_key.iter().flat_map(|k| k.columns.clone()));
        keyed.extend(table.uniques.iter().flat_map(|u| u.columns.clone()));
        keyed.extend(table.foreign_keys.iter().flat_map(|f| f.columns.clone()));
        keyed.extend(
            table
                .indexes
                .iter()
                .flat_map(|i| i.columns.iter().map(|c| c.name.clone())),
        );
        keyed.extend(
            referenced
                .iter()
                .filter(|(t, _)| *t == table.name)
                .map(|(_, c)| c.clone()),
        );
        for column in &mut table.columns {
            match column.ty {
                ColumnType::Text if keyed.contains(&column.name) => {
                    column.ty = ColumnType::Varchar(255)
                }
                ColumnType::Decimal {
                    precision: None, ..
                } => {
                    column.ty = ColumnType::Decimal {
                        precision: Some(30),
                        scale: Some(10),
                    }
                }
                _ => {}
            }
        }
        for index in &mut table.indexes {
            index.predicate = None;
        }
        for fk in &mut table.foreign_keys {
            for action in [&mut fk.on_delete, &mut fk.on_update] {
                if *action == dbconform::FkAction::SetDefault {
                    *action = dbconform::FkAction::Restrict;
                }
            }
        }
    }
    tables
}
