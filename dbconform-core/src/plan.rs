//! Plans: ordered, risk-classified steps, each remembering the change that produced it
//! and the SQL it runs.

use crate::dependents::DependentObject;
use crate::effect::TableEffect;
use crate::model::{
    Check, Column, ColumnType, EnumType, ForeignKey, Index, PrimaryKey, QualifiedName, TableDef,
    UniqueConstraint,
};
use crate::online::Phase;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How dangerous a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Cannot lose data or fail on existing data.
    Safe,
    /// May fail on existing data or lock a table.
    Caution,
    /// Can lose data.
    Danger,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Risk::Safe => "safe",
            Risk::Caution => "caution",
            Risk::Danger => "danger",
        })
    }
}

/// The kind of a change, without its data (for filtering, codes and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Create a missing schema (PostgreSQL).
    CreateSchema,
    /// Create a missing table.
    CreateTable,
    /// Drop a table that is not declared.
    DropTable,
    /// Add a missing column.
    AddColumn,
    /// Drop a column that is not declared.
    DropColumn,
    /// Change a column's type, nullability, default, identity, comment, collation or
    /// generation expression.
    AlterColumn,
    /// Add a primary key to a table that has none.
    AddPrimaryKey,
    /// Drop a primary key that is not declared.
    DropPrimaryKey,
    /// Change a primary key's columns.
    AlterPrimaryKey,
    /// Add a UNIQUE constraint.
    AddUnique,
    /// Drop a UNIQUE constraint that is not declared.
    DropUnique,
    /// Change a UNIQUE constraint's columns.
    AlterUnique,
    /// Add a foreign key.
    AddForeignKey,
    /// Drop a foreign key that is not declared.
    DropForeignKey,
    /// Change a foreign key's columns, target or actions.
    AlterForeignKey,
    /// Add a CHECK constraint.
    AddCheck,
    /// Drop a CHECK constraint that is not declared.
    DropCheck,
    /// Change a CHECK constraint's expression.
    AlterCheck,
    /// Create an index.
    AddIndex,
    /// Drop an index that is not declared.
    DropIndex,
    /// Change an index's columns, order, uniqueness or predicate.
    AlterIndex,
    /// Set, change or remove a table comment.
    SetTableComment,
    /// Rebuild a SQLite table (new table, copy, drop, rename) to make the changes
    /// `ALTER TABLE` cannot.
    RebuildTable,
    /// Rename a table the declaration names in `renamed_from`.
    RenameTable,
    /// Rename a column the declaration names in `renamed_from`.
    RenameColumn,
    /// Create a missing enum type (PostgreSQL).
    CreateEnum,
    /// Add a label to an enum type.
    AddEnumValue,
    /// Rename a label of an enum type (`#[db_enum(renamed_from = "...")]`).
    RenameEnumValue,
    /// Make an enum type again because labels were removed or reordered, converting the
    /// columns using it.
    RecreateEnum,
    /// Drop an enum type no declared column uses.
    DropEnum,
}

impl ChangeKind {
    /// The stable code of this kind (documented in the README). `DC0xx` add or create,
    /// `DC05x` alter, `DC1xx` drop.
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::CreateSchema => "DC001",
            ChangeKind::CreateTable => "DC002",
            ChangeKind::AddForeignKey => "DC003",
            ChangeKind::AddColumn => "DC004",
            ChangeKind::AddIndex => "DC005",
            ChangeKind::AddUnique => "DC006",
            ChangeKind::AddCheck => "DC007",
            ChangeKind::AddPrimaryKey => "DC008",
            ChangeKind::SetTableComment => "DC009",
            ChangeKind::AlterColumn => "DC050",
            ChangeKind::AlterPrimaryKey => "DC051",
            ChangeKind::AlterUnique => "DC052",
            ChangeKind::AlterForeignKey => "DC053",
            ChangeKind::AlterCheck => "DC054",
            ChangeKind::AlterIndex => "DC055",
            ChangeKind::RebuildTable => "DC059",
            ChangeKind::RenameTable => "DC060",
            ChangeKind::RenameColumn => "DC061",
            ChangeKind::CreateEnum => "DC010",
            ChangeKind::AddEnumValue => "DC011",
            ChangeKind::RenameEnumValue => "DC062",
            ChangeKind::RecreateEnum => "DC063",
            ChangeKind::DropEnum => "DC108",
            ChangeKind::DropColumn => "DC101",
            ChangeKind::DropTable => "DC102",
            ChangeKind::DropIndex => "DC103",
            ChangeKind::DropUnique => "DC104",
            ChangeKind::DropForeignKey => "DC105",
            ChangeKind::DropCheck => "DC106",
            ChangeKind::DropPrimaryKey => "DC107",
        }
    }
}

/// Which properties of a column differ (a bit set, spelled as booleans for JSON).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ColumnChanges {
    /// The type (including length, precision, scale) differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ty: bool,
    /// NULL / NOT NULL differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// The default differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub default: bool,
    /// Auto-increment / identity differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_increment: bool,
    /// The comment differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub comment: bool,
    /// The collation differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub collation: bool,
    /// The generation expression differs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub generated: bool,
}

impl ColumnChanges {
    /// `true` when nothing differs.
    pub fn is_empty(&self) -> bool {
        *self == ColumnChanges::default()
    }

    /// The names of the properties that differ, in a fixed order (`["type", "default"]`).
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.ty, "type"),
            (self.nullable, "nullability"),
            (self.default, "default"),
            (self.auto_increment, "auto-increment"),
            (self.comment, "comment"),
            (self.collation, "collation"),
            (self.generated, "generated expression"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A difference between the declared and the actual schema, as data. `from` is what the
/// database has, `to` what the declaration wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// A schema is missing.
    CreateSchema {
        /// The schema's name.
        schema: String,
    },
    /// A table is missing.
    CreateTable {
        /// The table as declared (schema resolved).
        table: TableDef,
    },
    /// A table exists but is not declared.
    DropTable {
        /// The table as reflected.
        table: TableDef,
    },
    /// A column is missing.
    AddColumn {
        /// The table.
        table: QualifiedName,
        /// The column as declared.
        column: Column,
    },
    /// A column exists but is not declared.
    DropColumn {
        /// The table.
        table: QualifiedName,
        /// The column as reflected.
        column: Column,
    },
    /// A column differs.
    AlterColumn {
        /// The table.
        table: QualifiedName,
        /// The column as reflected.
        from: Column,
        /// The column as declared.
        to: Column,
        /// What differs.
        changes: ColumnChanges,
    },
    /// The table has no primary key but should.
    AddPrimaryKey {
        /// The table.
        table: QualifiedName,
        /// The declared key.
        key: PrimaryKey,
    },
    /// The table has a primary key but should not.
    DropPrimaryKey {
        /// The table.
        table: QualifiedName,
        /// The reflected key.
        key: PrimaryKey,
    },
    /// The primary key's columns differ.
    AlterPrimaryKey {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        from: PrimaryKey,
        /// As declared.
        to: PrimaryKey,
    },
    /// A UNIQUE constraint is missing.
    AddUnique {
        /// The table.
        table: QualifiedName,
        /// As declared.
        unique: UniqueConstraint,
    },
    /// A UNIQUE constraint is not declared.
    DropUnique {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        unique: UniqueConstraint,
    },
    /// A UNIQUE constraint's columns differ.
    AlterUnique {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        from: UniqueConstraint,
        /// As declared.
        to: UniqueConstraint,
    },
    /// A foreign key is missing (or had to wait for the tables of a cycle).
    AddForeignKey {
        /// The referencing table.
        table: QualifiedName,
        /// As declared.
        foreign_key: ForeignKey,
    },
    /// A foreign key is not declared.
    DropForeignKey {
        /// The referencing table.
        table: QualifiedName,
        /// As reflected.
        foreign_key: ForeignKey,
    },
    /// A foreign key's columns, target or actions differ.
    AlterForeignKey {
        /// The referencing table.
        table: QualifiedName,
        /// As reflected.
        from: ForeignKey,
        /// As declared.
        to: ForeignKey,
    },
    /// A CHECK constraint is missing.
    AddCheck {
        /// The table.
        table: QualifiedName,
        /// As declared.
        check: Check,
    },
    /// A CHECK constraint is not declared.
    DropCheck {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        check: Check,
    },
    /// A CHECK constraint's expression differs.
    AlterCheck {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        from: Check,
        /// As declared.
        to: Check,
    },
    /// An index is missing.
    AddIndex {
        /// The table.
        table: QualifiedName,
        /// As declared.
        index: Index,
    },
    /// An index is not declared.
    DropIndex {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        index: Index,
    },
    /// An index's columns, order, uniqueness or predicate differ.
    AlterIndex {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        from: Index,
        /// As declared.
        to: Index,
    },
    /// The table comment differs.
    SetTableComment {
        /// The table.
        table: QualifiedName,
        /// As reflected.
        from: Option<String>,
        /// As declared.
        to: Option<String>,
    },
    /// SQLite: the table is rebuilt to make changes `ALTER TABLE` cannot (and the table's
    /// other changes at the same time); the step's [`parts`](Step::parts) are those
    /// changes.
    RebuildTable {
        /// The table.
        table: QualifiedName,
    },
    /// A declared table does not exist, but one of the names it was `renamed_from` does
    /// (and is not declared itself): rename it, keeping its rows, indexes, constraints and
    /// the foreign keys pointing at it.
    RenameTable {
        /// The name in the database.
        from: QualifiedName,
        /// The declared name.
        to: QualifiedName,
    },
    /// A declared column does not exist, but one of the names it was `renamed_from` does
    /// (and is not declared itself): rename it, keeping its values.
    RenameColumn {
        /// The table (its declared name).
        table: QualifiedName,
        /// The name in the database.
        from: String,
        /// The declared name.
        to: String,
    },
    /// An enum type the declared columns use is missing (PostgreSQL).
    CreateEnum {
        /// The type as declared (schema resolved).
        enum_type: EnumType,
    },
    /// An enum type lacks a declared label: it is added in its declared place.
    AddEnumValue {
        /// The type.
        enum_type: QualifiedName,
        /// The new label.
        label: String,
        /// The existing label it goes before, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<String>,
        /// The existing label it goes after, when it goes before none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    /// A label of an enum type was renamed (`renamed_from`).
    RenameEnumValue {
        /// The type.
        enum_type: QualifiedName,
        /// The label in the database.
        from: String,
        /// The declared label.
        to: String,
    },
    /// Labels of an enum type were removed or reordered: the type is made again under its
    /// name and each column using it converted through text.
    RecreateEnum {
        /// The type as reflected.
        from: EnumType,
        /// The type as declared.
        to: EnumType,
        /// The columns using the type, as reflected, with their tables.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        columns: Vec<(QualifiedName, Column)>,
    },
    /// An enum type exists in a schema in scope but no declared column uses it.
    DropEnum {
        /// The type as reflected.
        enum_type: EnumType,
    },
}

impl Change {
    /// The change's kind.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::CreateSchema { .. } => ChangeKind::CreateSchema,
            Change::CreateTable { .. } => ChangeKind::CreateTable,
            Change::DropTable { .. } => ChangeKind::DropTable,
            Change::AddColumn { .. } => ChangeKind::AddColumn,
            Change::DropColumn { .. } => ChangeKind::DropColumn,
            Change::AlterColumn { .. } => ChangeKind::AlterColumn,
            Change::AddPrimaryKey { .. } => ChangeKind::AddPrimaryKey,
            Change::DropPrimaryKey { .. } => ChangeKind::DropPrimaryKey,
            Change::AlterPrimaryKey { .. } => ChangeKind::AlterPrimaryKey,
            Change::AddUnique { .. } => ChangeKind::AddUnique,
            Change::DropUnique { .. } => ChangeKind::DropUnique,
            Change::AlterUnique { .. } => ChangeKind::AlterUnique,
            Change::AddForeignKey { .. } => ChangeKind::AddForeignKey,
            Change::DropForeignKey { .. } => ChangeKind::DropForeignKey,
            Change::AlterForeignKey { .. } => ChangeKind::AlterForeignKey,
            Change::AddCheck { .. } => ChangeKind::AddCheck,
            Change::DropCheck { .. } => ChangeKind::DropCheck,
            Change::AlterCheck { .. } => ChangeKind::AlterCheck,
            Change::AddIndex { .. } => ChangeKind::AddIndex,
            Change::DropIndex { .. } => ChangeKind::DropIndex,
            Change::AlterIndex { .. } => ChangeKind::AlterIndex,
            Change::SetTableComment { .. } => ChangeKind::SetTableComment,
            Change::RebuildTable { .. } => ChangeKind::RebuildTable,
            Change::RenameTable { .. } => ChangeKind::RenameTable,
            Change::RenameColumn { .. } => ChangeKind::RenameColumn,
            Change::CreateEnum { .. } => ChangeKind::CreateEnum,
            Change::AddEnumValue { .. } => ChangeKind::AddEnumValue,
            Change::RenameEnumValue { .. } => ChangeKind::RenameEnumValue,
            Change::RecreateEnum { .. } => ChangeKind::RecreateEnum,
            Change::DropEnum { .. } => ChangeKind::DropEnum,
        }
    }

    /// The table the change is about, if any.
    pub fn table(&self) -> Option<QualifiedName> {
        match self {
            Change::CreateSchema { .. }
            | Change::CreateEnum { .. }
            | Change::AddEnumValue { .. }
            | Change::RenameEnumValue { .. }
            | Change::RecreateEnum { .. }
            | Change::DropEnum { .. } => None,
            Change::CreateTable { table } | Change::DropTable { table } => {
                Some(table.qualified_name())
            }
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::AddPrimaryKey { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::AlterPrimaryKey { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::AlterUnique { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AlterForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::AlterCheck { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AlterIndex { table, .. }
            | Change::SetTableComment { table, .. }
            | Change::RebuildTable { table, .. }
            | Change::RenameColumn { table, .. } => Some(table.clone()),
            Change::RenameTable { to, .. } => Some(to.clone()),
        }
    }

    /// A short description: `create table public.users`, `alter column users.email (type)`.
    pub fn describe(&self) -> String {
        match self {
            Change::CreateSchema { schema } => format!("create schema {schema}"),
            Change::CreateTable { table } => format!("create table {}", table.qualified_name()),
            Change::DropTable { table } => format!("drop table {}", table.qualified_name()),
            Change::AddColumn { table, column } => format!("add column {table}.{}", column.name),
            Change::DropColumn { table, column } => format!("drop column {table}.{}", column.name),
            Change::AlterColumn {
                table, to, changes, ..
            } => {
                format!(
                    "alter column {table}.{} ({})",
                    to.name,
                    changes.names().join(", ")
                )
            }
            Change::AddPrimaryKey { table, key } => {
                format!("add primary key ({}) on {table}", key.columns.join(", "))
            }
            Change::DropPrimaryKey { table, .. } => format!("drop primary key on {table}"),
            Change::AlterPrimaryKey { table, from, to } => format!(
                "change primary key on {table} from ({}) to ({})",
                from.columns.join(", "),
                to.columns.join(", ")
            ),
            Change::AddUnique { table, unique } => format!("add unique {} on {table}", unique.name),
            Change::DropUnique { table, unique } => {
                format!("drop unique {} on {table}", unique.name)
            }
            Change::AlterUnique { table, to, .. } => {
                format!("change unique {} on {table}", to.name)
            }
            Change::AddForeignKey { table, foreign_key } => {
                format!("add foreign key {} on {table}", foreign_key.name)
            }
            Change::DropForeignKey { table, foreign_key } => {
                format!("drop foreign key {} on {table}", foreign_key.name)
            }
            Change::AlterForeignKey { table, to, .. } => {
                format!("change foreign key {} on {table}", to.name)
            }
            Change::AddCheck { table, check } => format!("add check {} on {table}", check.name),
            Change::DropCheck { table, check } => format!("drop check {} on {table}", check.name),
            Change::AlterCheck { table, to, .. } => format!("change check {} on {table}", to.name),
            Change::AddIndex { table, index } => format!("add index {} on {table}", index.name),
            Change::DropIndex { table, index } => format!("drop index {} on {table}", index.name),
            Change::AlterIndex { table, to, .. } => format!("change index {} on {table}", to.name),
            Change::SetTableComment { table, .. } => format!("set comment on table {table}"),
            Change::RebuildTable { table } => format!("rebuild table {table}"),
            Change::RenameTable { from, to } => format!("rename table {from} to {}", to.name),
            Change::RenameColumn { table, from, to } => {
                format!("rename column {table}.{from} to {to}")
            }
            Change::CreateEnum { enum_type } => {
                format!("create enum type {}", enum_type.qualified())
            }
            Change::AddEnumValue {
                enum_type, label, ..
            } => format!("add value {label:?} to enum type {enum_type}"),
            Change::RenameEnumValue {
                enum_type,
                from,
                to,
            } => format!("rename value {from:?} of enum type {enum_type} to {to:?}"),
            Change::RecreateEnum { to, .. } => {
                format!("recreate enum type {}", to.qualified())
            }
            Change::DropEnum { enum_type } => {
                format!("drop enum type {}", enum_type.qualified())
            }
        }
    }
}

/// One step of a plan: a change, its risk, and the SQL that performs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The change's kind.
    pub kind: ChangeKind,
    /// The table the step is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<QualifiedName>,
    /// How dangerous it is.
    pub risk: Risk,
    /// Stable code (`DC002`).
    pub code: String,
    /// Why the step is needed, in plain words.
    pub reason: String,
    /// What the user may want to do about it, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The statements, each one complete; never split on `;`.
    pub sql: Vec<String>,
    /// Set when only a table rebuild can perform the step (SQLite): why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebuild: Option<String>,
    /// The change that produced this step.
    pub change: Change,
    /// For a [`ChangeKind::RebuildTable`] step: the changes it makes, each as the step it
    /// would be on its own (risk, code, reason with the data checks' findings), in plan
    /// order; they have no SQL of their own. Empty for every other step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Step>,
    /// What the step does to each existing table it touches while it runs: the lock, and
    /// whether it rewrites or scans the table, with the table's size when known (see
    /// [`crate::effect`]). Empty where the backend does not say (SQLite, MySQL) and for
    /// steps on new tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<TableEffect>,
}

impl Step {
    /// A short description of what the step does; a rebuild lists its parts:
    /// `rebuild table main.t (alter column main.t.x (nullability); add check ck on main.t)`.
    pub fn describe(&self) -> String {
        if self.parts.is_empty() {
            return self.change.describe();
        }
        let parts: Vec<String> = self.parts.iter().map(Step::describe).collect();
        format!("{} ({})", self.change.describe(), parts.join("; "))
    }
}

/// A step that is not executed: the policy refused it, the data checks found it would
/// fail, the connected role may not run it (see [`crate::privileges`]), or it needs another
/// blocked step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedStep {
    /// The refused step.
    pub step: Step,
    /// The `Options` field that would unlock it (`allow_drop_extra_columns`); several,
    /// comma-separated, when one is not enough (`allow_shrink_column,
    /// allow_sqlite_table_rebuild`); empty when no option does: the data or the role's
    /// privileges must change first (see [`BlockedStep::problem`]).
    pub unlocked_by: String,
    /// Why the step would fail on the data as it is, when the data checks found out
    /// (`will fail: 12 rows have NULL in `public.orders.customer_id``), or what the
    /// connected role may not do (`role "app" cannot alter public.orders: it is owned by
    /// "admin"`); the step's suggestion says what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The blocked step this one needs (`add unique uq_users_email on public.users`), when
    /// it is blocked because that one is; `unlocked_by` and `problem` are then that
    /// step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
}

/// Something in the database the declared schema does not mention, kept by policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The table concerned.
    pub table: QualifiedName,
    /// What was found (`extra column "legacy"`).
    pub description: String,
}

/// An ordered plan. Build it with the planner; print it, render it as SQL or JSON, or
/// hand it to the runtime to apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The backend the SQL is written for (`sqlite`, `postgres`).
    pub dialect: String,
    steps: Vec<Step>,
    blocked: Vec<BlockedStep>,
    drift: Vec<Drift>,
    /// The views, rules and triggers that use the tables the plan changes, as they were
    /// when it was made: after executing it, the runtime checks that each still works.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dependents: Vec<DependentObject>,
    /// For an online plan ([`Options::online`](crate::Options::online)): the steps'
    /// statements arranged in phases, which is how they run. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    phases: Vec<Phase>,
    /// What the person applying the plan should know before it runs, beyond its steps
    /// (sessions holding the plan's tables in old transactions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

impl Plan {
    /// Builds a plan from its parts (already ordered).
    pub fn new(
        dialect: impl Into<String>,
        steps: Vec<Step>,
        blocked: Vec<BlockedStep>,
        drift: Vec<Drift>,
    ) -> Self {
        Plan {
            dialect: dialect.into(),
            steps,
            blocked,
            drift,
            dependents: Vec::new(),
            phases: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[doc(hidden)]
    /// The plan, executed in `phases` (see [`crate::online::arrange`]).
    pub fn with_phases(mut self, phases: Vec<Phase>) -> Self {
        self.phases = phases;
        self
    }

    /// For an online plan, its statements in the phases they run in (see
    /// [`Options::online`](crate::Options::online)); empty otherwise.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    #[doc(hidden)]
    /// The plan with `warnings` added (see [`Plan::warnings`]).
    pub fn with_warnings(mut self, warnings: Vec<String>) -> Self {
        self.warnings.extend(warnings);
        self
    }

    /// What to know before the plan runs, beyond its steps: each session that holds one
    /// of the plan's tables in a transaction older than the lock timeout (the apply will
    /// wait for it, then try again), as the runtime found them when it made the plan.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    #[doc(hidden)]
    /// The plan, keeping `dependents` to check after it is executed (see
    /// [`Plan::dependents`]).
    pub fn with_dependents(mut self, dependents: Vec<DependentObject>) -> Self {
        self.dependents = dependents;
        self
    }

    /// The views, rules and triggers that use the tables the plan changes (read when the
    /// plan was made, if it changes existing columns or tables): each must still work
    /// after the plan is executed, or the apply is rolled back.
    pub fn dependents(&self) -> &[DependentObject] {
        &self.dependents
    }

    /// Steps to execute, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Steps the policy refused.
    pub fn blocked(&self) -> &[BlockedStep] {
        &self.blocked
    }

    /// Things in the database that the declared schema does not mention.
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }

    #[doc(hidden)]
    /// Existing tables whose steps involve default, CHECK, generated-column or
    /// partial-index expressions. Text rules cannot always tell whether two spellings of an
    /// expression are the same; for these tables the runtime asks the database for its own
    /// spelling of the declared expressions and plans again.
    pub fn tables_with_expression_changes(&self) -> Vec<QualifiedName> {
        let index_has_expression =
            |i: &Index| i.predicate.is_some() || i.columns.iter().any(|c| c.expression);
        let mut tables: Vec<QualifiedName> = self
            .steps
            .iter()
            .map(|s| &s.change)
            .chain(self.blocked.iter().map(|b| &b.step.change))
            .filter_map(|change| {
                let doubtful = match change {
                    // A custom type is compared by its text, which the database may
                    // qualify or spell differently (`public.citext` vs `citext`).
                    Change::AlterColumn {
                        changes, from, to, ..
                    } => {
                        changes.default
                            || changes.generated
                            || (changes.ty
                                && (matches!(from.ty, ColumnType::Custom(_))
                                    || matches!(to.ty, ColumnType::Custom(_))))
                    }
                    Change::AddCheck { .. }
                    | Change::DropCheck { .. }
                    | Change::AlterCheck { .. } => true,
                    Change::AddIndex { index, .. } | Change::DropIndex { index, .. } => {
                        index_has_expression(index)
                    }
                    Change::AlterIndex { from, to, .. } => {
                        index_has_expression(from) || index_has_expression(to)
                    }
                    _ => false,
                };
                if doubtful { change.table() } else { None }
            })
            .collect();
        tables.sort();
        tables.dedup();
        tables
    }

    /// `true` when there is nothing to execute and nothing blocked.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.blocked.is_empty()
    }
}

impl BlockedStep {
    /// A step the policy refuses until `flag` is set.
    pub fn by_policy(step: Step, flag: impl Into<String>) -> Self {
        BlockedStep {
            step,
            unlocked_by: flag.into(),
            problem: None,
            depends_on: None,
        }
    }
}

impl Plan {
    /// The plan's parts: dialect, steps, blocked steps, drift (the inverse of
    /// [`Plan::new`]).
    pub fn into_parts(self) -> (String, Vec<Step>, Vec<BlockedStep>, Vec<Drift>) {
        (self.dialect, self.steps, self.blocked, self.drift)
    }
}
