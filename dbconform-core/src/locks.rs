//! How many locks a plan's transaction holds on PostgreSQL, and whether the server's lock
//! table has room for them.
//!
//! PostgreSQL keeps every lock a transaction takes until it ends, in one shared lock table
//! of `max_locks_per_transaction × (max_connections + max_prepared_transactions)` entries
//! (one per locked object, whatever the lock modes). A plan that locks more objects than
//! that fails half-way with `out of shared memory` — creating 10,000 tables with keys fails
//! after about 1,150 on a default server — so the plan is measured first, and refused
//! before its first statement when it cannot fit.
//!
//! The estimate counts the distinct objects each change locks: the table and the row
//! type created with it; the indexes it creates, drops or rebuilds (primary key, UNIQUE,
//! plain); the constraints it creates or drops; the TOAST table and its index that a
//! table with variable-length columns has; the sequence of an identity column; the table
//! a foreign key references; plus [`TRANSACTION_OVERHEAD`] for what every apply locks
//! besides (catalogs, the advisory lock). It errs on the high side (every column type
//! that may be TOASTed counts) but only by a few locks per table: a benchmark table
//! (identity key, UNIQUE, foreign key, index, text columns) counts 11, as `pg_locks`
//! shows. A plan is refused when it exceeds [`LockSettings::ceiling`].

use crate::model::{ColumnType, QualifiedName, TableDef};
use crate::plan::{Change, Plan};
use std::collections::BTreeSet;

/// Locks an apply takes whatever its plan: the schema-change advisory lock, and the
/// system catalogs the DDL reads and writes (`pg_class`, `pg_attribute`, `pg_index`, ...,
/// and their indexes).
pub const TRANSACTION_OVERHEAD: u64 = 64;

/// The server settings that size PostgreSQL's lock table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockSettings {
    /// `max_locks_per_transaction`.
    pub max_locks_per_transaction: u64,
    /// `max_connections`.
    pub max_connections: u64,
    /// `max_prepared_transactions`.
    pub max_prepared_transactions: u64,
}

impl LockSettings {
    /// Entries in the shared lock table: `max_locks_per_transaction × (max_connections +
    /// max_prepared_transactions)`.
    pub fn capacity(&self) -> u64 {
        self.max_locks_per_transaction.saturating_mul(self.slots())
    }

    /// The most locks one transaction can hold before PostgreSQL runs out of shared
    /// memory: twice [`capacity`](LockSettings::capacity). The server sizes its shared
    /// memory for `capacity` lock entries and twice as many holder entries (one per
    /// object and backend); a single transaction's locks take one of each, so its lock
    /// entries can grow into the holders' room. Measured on a default PostgreSQL 15
    /// (`capacity` 6,400): 1,100 benchmark tables (12,100 locks) fit, 1,300 (14,300) did
    /// not.
    pub fn ceiling(&self) -> u64 {
        self.capacity().saturating_mul(2)
    }

    /// `max_connections + max_prepared_transactions`, at least 1.
    fn slots(&self) -> u64 {
        self.max_connections
            .saturating_add(self.max_prepared_transactions)
            .max(1)
    }

    /// The smallest `max_locks_per_transaction` whose [`ceiling`](LockSettings::ceiling)
    /// holds `locks`.
    pub fn locks_per_transaction_needed(&self, locks: u64) -> u64 {
        locks.div_ceil(self.slots().saturating_mul(2))
    }
}

/// An object a plan locks, compared by identity so that a table altered by several steps
/// counts once (its locks share one entry of the lock table).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Object<'p> {
    Schema(&'p str),
    /// A table by (schema, name).
    Table(Option<&'p str>, &'p str),
    /// An index of a table, by name; `replaced` for the old one of an index dropped and
    /// created again under its name (two relations).
    Index(Option<&'p str>, &'p str, bool),
    /// The TOAST table and its index (two relations).
    Toast(Option<&'p str>, &'p str),
    /// The sequence of an identity column.
    Sequence(Option<&'p str>, &'p str, &'p str),
    /// The row type PostgreSQL creates with a table, or an enum type (an object lock on
    /// `pg_type`).
    RowType(Option<&'p str>, &'p str),
    /// A constraint (primary key, UNIQUE, foreign key, CHECK) of a table, by name: an
    /// object lock on `pg_constraint` when it is created or dropped.
    Constraint(Option<&'p str>, &'p str, &'p str),
}

impl Object<'_> {
    fn locks(&self) -> u64 {
        match self {
            Object::Toast(..) => 2,
            _ => 1,
        }
    }
}

/// `true` for a type whose values may be stored out of line, giving the table a TOAST
/// table and its index. Types given verbatim are counted as such: the estimate errs high.
fn toastable(ty: &ColumnType) -> bool {
    !matches!(
        ty,
        ColumnType::SmallInt
            | ColumnType::Integer
            | ColumnType::BigInt
            | ColumnType::Real
            | ColumnType::Double
            | ColumnType::Boolean
            | ColumnType::Date
            | ColumnType::Time
            | ColumnType::Timestamp
            | ColumnType::TimestampTz
            | ColumnType::Uuid
    )
}

/// The estimated number of locks the transaction applying `plan` holds at its end: the
/// distinct objects its steps lock plus [`TRANSACTION_OVERHEAD`]; 0 for an empty plan.
pub fn estimate_locks(plan: &Plan) -> u64 {
    if plan.steps().is_empty() {
        return 0;
    }
    let mut objects: BTreeSet<Object<'_>> = BTreeSet::new();
    for step in plan.steps() {
        locked_by(&step.change, &mut objects);
    }
    TRANSACTION_OVERHEAD + objects.iter().map(Object::locks).sum::<u64>()
}

/// What a whole table definition locks when created or dropped.
fn whole_table<'p>(table: &'p TableDef, objects: &mut BTreeSet<Object<'p>>) {
    let schema = table.schema.as_deref();
    let name = table.name.as_str();
    objects.insert(Object::Table(schema, name));
    objects.insert(Object::RowType(schema, name));
    let key_name = table.primary_key.as_ref().map(|_| "PRIMARY KEY");
    for constraint in key_name
        .into_iter()
        .chain(table.uniques.iter().map(|u| u.name.as_str()))
        .chain(table.foreign_keys.iter().map(|f| f.name.as_str()))
        .chain(table.checks.iter().map(|c| c.name.as_str()))
    {
        objects.insert(Object::Constraint(schema, name, constraint));
    }
    if table.columns.iter().any(|c| toastable(&c.ty)) {
        objects.insert(Object::Toast(schema, name));
    }
    if let Some(key) = &table.primary_key {
        // Unnamed: PostgreSQL names it `<table>_pkey`; one index either way.
        objects.insert(Object::Index(
            schema,
            key.name.as_deref().unwrap_or(name),
            true,
        ));
    }
    for unique in &table.uniques {
        objects.insert(Object::Index(schema, &unique.name, false));
    }
    for index in &table.indexes {
        objects.insert(Object::Index(schema, &index.name, false));
    }
    for column in table.columns.iter().filter(|c| c.auto_increment) {
        objects.insert(Object::Sequence(schema, name, &column.name));
    }
    for fk in &table.foreign_keys {
        objects.insert(table_of(&fk.references));
    }
}

/// The lock-table object of a table known by name.
fn table_of(table: &QualifiedName) -> Object<'_> {
    Object::Table(table.schema.as_deref(), &table.name)
}

/// Adds the objects `change` locks to `objects`.
fn locked_by<'p>(change: &'p Change, objects: &mut BTreeSet<Object<'p>>) {
    let index = |table: &'p QualifiedName, name: &'p str, replaced: bool| {
        Object::Index(table.schema.as_deref(), name, replaced)
    };
    let constraint = |table: &'p QualifiedName, name: &'p str| {
        Object::Constraint(table.schema.as_deref(), &table.name, name)
    };
    match change {
        Change::CreateSchema { schema } => {
            objects.insert(Object::Schema(schema));
        }
        // An enum type is an object lock on `pg_type`, as a table's row type is.
        Change::CreateEnum { enum_type } | Change::DropEnum { enum_type } => {
            objects.insert(Object::RowType(
                enum_type.schema.as_deref(),
                &enum_type.name,
            ));
        }
        Change::AddEnumValue { enum_type, .. } | Change::RenameEnumValue { enum_type, .. } => {
            objects.insert(Object::RowType(
                enum_type.schema.as_deref(),
                &enum_type.name,
            ));
        }
        Change::RecreateEnum { to, columns, .. } => {
            objects.insert(Object::RowType(to.schema.as_deref(), &to.name));
            for (table, _) in columns {
                objects.insert(table_of(table));
            }
        }
        Change::CreateTable { table } | Change::DropTable { table } => whole_table(table, objects),
        Change::AddColumn { table, column }
        | Change::AlterColumn {
            table, to: column, ..
        } => {
            objects.insert(table_of(table));
            let (schema, name) = (table.schema.as_deref(), table.name.as_str());
            if toastable(&column.ty) {
                objects.insert(Object::Toast(schema, name));
            }
            if column.auto_increment {
                objects.insert(Object::Sequence(schema, name, &column.name));
            }
        }
        Change::AddPrimaryKey { table, key } | Change::DropPrimaryKey { table, key } => {
            objects.insert(table_of(table));
            objects.insert(index(
                table,
                key.name.as_deref().unwrap_or(&table.name),
                true,
            ));
        }
        Change::AlterPrimaryKey { table, from, to } => {
            objects.insert(table_of(table));
            objects.insert(index(
                table,
                from.name.as_deref().unwrap_or(&table.name),
                true,
            ));
            objects.insert(index(
                table,
                to.name.as_deref().unwrap_or(&table.name),
                false,
            ));
        }
        Change::AddUnique { table, unique } | Change::DropUnique { table, unique } => {
            objects.insert(table_of(table));
            objects.insert(index(table, &unique.name, false));
            objects.insert(constraint(table, &unique.name));
        }
        Change::AlterUnique { table, from, to } => {
            objects.insert(table_of(table));
            objects.insert(index(table, &from.name, true));
            objects.insert(index(table, &to.name, false));
        }
        Change::AddIndex { table, index: i } | Change::DropIndex { table, index: i } => {
            objects.insert(table_of(table));
            objects.insert(index(table, &i.name, false));
        }
        Change::AlterIndex { table, from, to } => {
            objects.insert(table_of(table));
            objects.insert(index(table, &from.name, true));
            objects.insert(index(table, &to.name, false));
        }
        Change::AddForeignKey { table, foreign_key }
        | Change::DropForeignKey { table, foreign_key } => {
            objects.insert(table_of(table));
            objects.insert(table_of(&foreign_key.references));
            objects.insert(constraint(table, &foreign_key.name));
        }
        Change::AddCheck { table, check } | Change::DropCheck { table, check } => {
            objects.insert(table_of(table));
            objects.insert(constraint(table, &check.name));
        }
        Change::AlterForeignKey { table, from, to } => {
            objects.insert(table_of(table));
            objects.insert(table_of(&from.references));
            objects.insert(table_of(&to.references));
        }
        Change::RenameTable { from, to } => {
            objects.insert(table_of(from));
            objects.insert(table_of(to));
        }
        Change::DropColumn { table, .. }
        | Change::AlterCheck { table, .. }
        | Change::SetTableComment { table, .. }
        | Change::RenameColumn { table, .. } => {
            objects.insert(table_of(table));
        }
        // SQLite only: PostgreSQL never rebuilds a table. Counted as the table and the
        // copy that replaces it.
        Change::RebuildTable { table, .. } => {
            objects.insert(table_of(table));
            objects.insert(index(table, &table.name, true));
        }
    }
}

/// Refuses a plan whose estimated locks exceed the lock table `settings` size, with an
/// error naming `max_locks_per_transaction` and the value the plan needs.
pub fn check_lock_budget(plan: &Plan, settings: &LockSettings) -> crate::Result<()> {
    let needed = estimate_locks(plan);
    let capacity = settings.capacity();
    let ceiling = settings.ceiling();
    if needed <= ceiling {
        return Ok(());
    }
    Err(crate::Error::LockBudget {
        steps: plan.steps().len(),
        needed,
        max_locks_per_transaction: settings.max_locks_per_transaction,
        max_connections: settings.max_connections,
        max_prepared_transactions: settings.max_prepared_transactions,
        capacity,
        ceiling,
        at_least: settings.locks_per_transaction_needed(needed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::POSTGRES;
    use crate::dialect::fixtures::{col, fk, table};
    use crate::model::{Index, IndexColumn, Schema, UniqueConstraint};
    use crate::options::Options;
    use crate::planner::build_plan;

    /// `t<n>`: an identity key, a unique text code and an index, referencing `t0`.
    fn keyed(n: usize) -> TableDef {
        let name = format!("t{n}");
        let mut t = table(
            &name,
            vec![
                col("code", ColumnType::Text),
                col("parent", ColumnType::BigInt),
            ],
        );
        t.uniques = vec![UniqueConstraint {
            nulls_not_distinct: false,
            name: format!("uq_{name}_code"),
            columns: vec!["code".into()],
        }];
        t.indexes = vec![Index {
            name: format!("ix_{name}_parent"),
            columns: vec![IndexColumn::asc("parent")],
            unique: false,
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
        }];
        t.foreign_keys = vec![fk(&format!("fk_{name}"), &["parent"], "t0", &["id"])];
        t
    }

    fn plan(tables: &[TableDef], actual: &Schema) -> Plan {
        build_plan(tables, actual, &POSTGRES, &Options::default()).unwrap()
    }

    #[test]
    fn a_created_table_counts_its_table_indexes_toast_sequence_and_references() {
        assert_eq!(estimate_locks(&plan(&[], &Schema::default())), 0);
        // The schema (`public` is created when missing), then t0, which references
        // itself: the table, its primary key, unique and plain indexes, TOAST table and
        // index, identity sequence = 7 relations; its row type; its primary key, UNIQUE
        // and foreign-key constraints = 11, as `pg_locks` shows for such a table.
        assert_eq!(
            estimate_locks(&plan(&[keyed(0)], &Schema::default())),
            TRANSACTION_OVERHEAD + 1 + 11
        );
        // t1 adds the same 11; its reference to t0 is a table already counted.
        assert_eq!(
            estimate_locks(&plan(&[keyed(0), keyed(1)], &Schema::default())),
            TRANSACTION_OVERHEAD + 1 + 22
        );
        // Without variable-length columns there is no TOAST table.
        let mut narrow = keyed(0);
        narrow.columns[1].ty = ColumnType::Integer;
        assert_eq!(
            estimate_locks(&plan(&[narrow], &Schema::default())),
            TRANSACTION_OVERHEAD + 1 + 9
        );
    }

    #[test]
    fn a_table_changed_by_several_steps_counts_once() {
        let before = keyed(0);
        let mut after = keyed(0);
        after.columns.push(col("a", ColumnType::Integer));
        after.columns.push(col("b", ColumnType::Integer));
        after.indexes[0].method = Some("hash".into());
        let actual = Schema::new(vec![crate::dialect::fixtures::resolved(before, "public")]);
        let plan = plan(&[after], &actual);
        assert_eq!(plan.steps().len(), 3, "{plan}");
        // The table, the index dropped and the index created under its name.
        assert_eq!(estimate_locks(&plan), TRANSACTION_OVERHEAD + 3);
    }

    #[test]
    fn a_plan_over_the_lock_table_is_refused_naming_the_setting_and_the_value_needed() {
        let default = LockSettings {
            max_locks_per_transaction: 64,
            max_connections: 100,
            max_prepared_transactions: 0,
        };
        assert_eq!(default.capacity(), 6_400);
        assert_eq!(default.ceiling(), 12_800);
        // 1,000 such tables fit a default server, as they do in the benchmark.
        let tables: Vec<TableDef> = (0..1_000).map(keyed).collect();
        let plan_1000 = plan(&tables, &Schema::default());
        assert_eq!(estimate_locks(&plan_1000), TRANSACTION_OVERHEAD + 11_001);
        assert!(check_lock_budget(&plan_1000, &default).is_ok());
        // 1,200 do not: the schema and 1,200 tables of 11.
        let tables: Vec<TableDef> = (0..1_200).map(keyed).collect();
        let plan = plan(&tables, &Schema::default());
        assert_eq!(estimate_locks(&plan), TRANSACTION_OVERHEAD + 13_201);
        assert_eq!(
            check_lock_budget(&plan, &default).unwrap_err().to_string(),
            "the plan's 1201 steps need about 13265 locks in one transaction, more than the \
             server's lock table holds: max_locks_per_transaction (64) × (max_connections \
             (100) + max_prepared_transactions (0)) = 6400 entries, at most 12800 locks for \
             one transaction; set max_locks_per_transaction to at least 67 (it takes effect \
             after a server restart) or apply fewer tables at a time. Nothing was executed."
        );
        let raised = LockSettings {
            max_locks_per_transaction: 67,
            ..default
        };
        assert!(check_lock_budget(&plan, &raised).is_ok());
        // Prepared-transaction slots have lock-table room too.
        let prepared = LockSettings {
            max_prepared_transactions: 11,
            ..default
        };
        assert_eq!(prepared.capacity(), 7_104);
        assert!(check_lock_budget(&plan, &prepared).is_ok());
    }
}
