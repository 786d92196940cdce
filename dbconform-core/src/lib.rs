//! Pure core of dbconform: the schema model, type mapping, naming, policy, planning and
//! DDL rendering. Nothing here performs I/O; every stage is a plain function over plain
//! data and is tested without a database.

pub mod data;
pub mod dependents;
pub mod dialect;
pub mod diff;
pub mod effect;
mod error;
pub mod locks;
mod model;
mod naming;
pub mod online;
mod options;
pub mod parallel;
pub mod plan;
mod plan_dot;
mod plan_text;
pub mod planner;
pub mod privileges;
mod registry;
pub mod risk;
pub mod sample;
mod types;

pub use dependents::{DependentKind, DependentObject, DependentUse};
pub use diff::diff_tables;
pub use effect::{LockLevel, TableEffect, TableSize, Work};
pub use error::{BoxError, Error, OnlineFailure, Result, redact_url};
pub use model::{
    Check, Column, ColumnType, Deferrability, EnumLabel, EnumType, FkAction, ForeignKey,
    GeneratedColumn, Index, IndexColumn, NullsOrder, PrimaryKey, QualifiedName, Schema, SortOrder,
    TableDef, TableOptions, UniqueConstraint,
};
pub use naming::{MAX_IDENTIFIER_BYTES, generated_name, short_hash, shorten};
pub use options::Options;
pub use plan::{BlockedStep, Change, ChangeKind, ColumnChanges, Drift, Plan, Risk, Step};
pub use planner::{build_plan, diff_reflected, diff_snapshots};
pub use registry::{Registration, registered_tables, registered_tables_with_types};
pub use types::{AcceptsMaxLength, AcceptsPrecision, DbEnum, SqlType};

/// A Rust type that describes one database table. Implemented by `#[derive(Table)]`.
pub trait Table {
    /// The table's definition.
    fn table_def() -> TableDef;
}
