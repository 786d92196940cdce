//! The schema dbconform's benchmarks run on (`examples/bench.rs`, the criterion benches),
//! the same specification other schema tools are measured with: usable to try dbconform
//! at scale without writing a thousand structs.

use crate::model::{
    Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn, PrimaryKey, QualifiedName,
    TableDef, UniqueConstraint,
};

/// `n` tables `t0000`, `t0001`, ... (schema unset: the target schema), each with 11
/// columns — `id INTEGER` auto-increment primary key, `name VARCHAR(100) NOT NULL`,
/// `code VARCHAR(20) NOT NULL` with unique constraint `uq_<t>_code`, `qty INTEGER NOT NULL
/// DEFAULT 0`, `big BIGINT`, `price DOUBLE`, `active BOOLEAN NOT NULL DEFAULT FALSE`,
/// `born DATE`, `created TIMESTAMP`, `notes TEXT`, `parent_id INTEGER` referencing the
/// previous table's `id` (`fk_<t>_parent_id`; none for `t0000`) — and index `ix_<t>_name`
/// on `name`.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// let tables = dbconform::sample::benchmark_schema(3);
/// assert_eq!(tables[2].name, "t0002");
/// assert_eq!(tables[2].columns.len(), 11);
/// assert_eq!(tables[2].foreign_keys[0].references.name, "t0001");
/// assert!(tables[0].foreign_keys.is_empty());
/// ```
pub fn benchmark_schema(n: usize) -> Vec<TableDef> {
    (0..n).map(|i| benchmark_table(i, n)).collect()
}

fn benchmark_table(i: usize, n: usize) -> TableDef {
    let width = n.saturating_sub(1).to_string().len().max(4);
    let name_of = |i: usize| format!("t{i:0width$}");
    let t = name_of(i);
    let nullable = |name: &str, ty: ColumnType| Column {
        nullable: true,
        ..Column::new(name, ty)
    };
    let with_default = |name: &str, ty: ColumnType, default: &str| Column {
        default: Some(default.into()),
        ..Column::new(name, ty)
    };
    let columns = vec![
        Column {
            auto_increment: true,
            ..Column::new("id", ColumnType::Integer)
        },
        Column::new("name", ColumnType::Varchar(100)),
        Column::new("code", ColumnType::Varchar(20)),
        with_default("qty", ColumnType::Integer, "0"),
        nullable("big", ColumnType::BigInt),
        nullable("price", ColumnType::Double),
        with_default("active", ColumnType::Boolean, "FALSE"),
        nullable("born", ColumnType::Date),
        nullable("created", ColumnType::Timestamp),
        nullable("notes", ColumnType::Text),
        nullable("parent_id", ColumnType::Integer),
    ];
    let foreign_keys = if i == 0 {
        Vec::new()
    } else {
        vec![ForeignKey {
            deferrable: Default::default(),
            name: format!("fk_{t}_parent_id"),
            columns: vec!["parent_id".into()],
            references: QualifiedName {
                schema: None,
                name: name_of(i - 1),
            },
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            not_valid: false,
        }]
    };
    TableDef {
        name: t.clone(),
        columns,
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        uniques: vec![UniqueConstraint {
            nulls_not_distinct: false,
            name: format!("uq_{t}_code"),
            columns: vec!["code".into()],
        }],
        foreign_keys,
        indexes: vec![Index {
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
            name: format!("ix_{t}_name"),
            columns: vec![IndexColumn::asc("name")],
            unique: false,
            predicate: None,
        }],
        ..TableDef::default()
    }
}
