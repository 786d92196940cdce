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
        name: name.into(),
        columns: strings(columns),
    }
}

pub fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
    }
}

/// An index as a declaration without options makes it: a B-tree, not unique, no
/// predicate, no INCLUDE columns.
pub fn index(name: impl Into<String>, columns: Vec<IndexColumn>) -> Index {
    Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
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
