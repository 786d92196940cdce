//! Risk rules: how dangerous each change is, and its stable code.
//!
//! - **Safe**: cannot lose data and cannot fail on the data the table holds.
//! - **Caution**: may fail on existing data, or locks the table while it is rewritten or
//!   scanned; loses nothing.
//! - **Danger**: can lose data.
//!
//! The rules are pure: a [`Change`], the backend, and whether the step needs a SQLite table
//! rebuild. The data checks ([`crate::data`]) refine them afterwards: a step on an empty
//! table becomes Safe, a step known to fail is blocked, a narrowing whose values all fit
//! becomes Caution.
//!
//! # Codes
//!
//! Every kind of change keeps its code; column changes with their own consequences have
//! their own codes (DC056–DC058). "Data" lists the questions asked before applying
//! ([`crate::data::Question`]); "Blocked unless" the [`Options`](crate::Options) flag
//! without which the step is not executed.
//!
//! | Code  | Step | Risk | Data | Blocked unless |
//! |-------|------|------|------|----------------|
//! | DC001 | create schema | Safe | | |
//! | DC002 | create table | Safe | | |
//! | DC003 | add foreign key | Caution (Safe when it closes a cycle among new tables) | rows, orphans | |
//! | DC004 | add column | Safe when nullable or with a default; Caution when NOT NULL without a default (fails if the table has rows), generated or auto-increment (the table is rewritten), or where the dialect's [`table_effects`](crate::dialect::Dialect::table_effects) say it rewrites the table (PostgreSQL: a volatile default) | rows | |
//! | DC005 | add index | Safe; Caution when unique | unique: rows, duplicates | |
//! | DC006 | add unique constraint | Caution | rows, duplicates | |
//! | DC007 | add check | Caution | rows, violations | |
//! | DC008 | add primary key | Caution | rows, NULLs, duplicates | |
//! | DC009 | set table comment | Safe | | |
//! | DC050 | alter column | the highest of its parts: comment, default, DROP NOT NULL, generated → plain: Safe; SET NOT NULL, identity, collation, generation expression: Caution; type widening: Safe without a table rewrite, Caution with one | rows; NULLs for SET NOT NULL | |
//! | DC051 | alter primary key | Caution | rows, NULLs, duplicates | |
//! | DC052 | alter unique constraint | Caution | rows, duplicates | |
//! | DC053 | alter foreign key | Caution | rows, orphans | |
//! | DC054 | alter check | Caution | rows, violations | |
//! | DC055 | alter index | Safe; Caution when it becomes unique | unique: rows, duplicates | |
//! | DC056 | narrow a column's type (values may be cut, rounded or out of range) | Danger | rows, values that do not fit | `allow_shrink_column` |
//! | DC057 | convert a column to an unrelated type, or a type dbconform cannot judge (values that do not convert make it fail) | Caution | rows | |
//! | DC058 | make a plain column generated (its values are replaced by computed ones) | Danger | rows | `allow_shrink_column` |
//! | DC059 | rebuild a SQLite table: one step holding every change of the table as its [`parts`](crate::plan::Step::parts), each classified on its own | the highest of its parts | (its parts') | `allow_sqlite_table_rebuild` |
//! | DC101 | drop column | Danger | | `allow_drop_extra_columns` (kept as drift) |
//! | DC102 | drop table | Danger | | `allow_drop_extra_tables` (kept as drift) |
//! | DC103 | drop index | Safe; Caution when unique | | `allow_drop_extra_indexes`, for a unique index `allow_drop_extra_constraints` (kept as drift) |
//! | DC104 | drop unique constraint | Caution | | `allow_drop_extra_constraints` (kept as drift) |
//! | DC105 | drop foreign key | Caution | | `allow_drop_extra_constraints` (kept as drift) |
//! | DC106 | drop check | Caution | | `allow_drop_extra_constraints` (kept as drift) |
//! | DC107 | drop primary key | Caution | | `allow_drop_extra_constraints` (kept as drift) |
//!
//! A step only a SQLite table rebuild can perform is at least Caution (every row is
//! copied; Safe once the data checks find the table empty) and is blocked unless
//! `allow_sqlite_table_rebuild`; the allowed ones of a table become the parts of one
//! DC059 step (see `dialect::sqlite::rebuild`). A step that needs a blocked
//! step (a foreign key needing a blocked unique key, a key over a column whose add is
//! blocked) is blocked with it.
//!
//! # Type changes
//!
//! See [`type_change`]. Narrowing is Danger whatever its spelling: a shorter VARCHAR,
//! TEXT → VARCHAR(n), BIGINT → INTEGER → SMALLINT, DOUBLE → REAL, a NUMERIC with fewer
//! integer digits or a smaller scale, NUMERIC or float → integer, timestamp → date,
//! integer → boolean, BIGINT → DOUBLE (beyond 2^53). Widening (INTEGER → BIGINT,
//! VARCHAR(10) → VARCHAR(20) or TEXT, REAL → DOUBLE, DATE → TIMESTAMP, any type → TEXT)
//! is Safe where PostgreSQL changes only the catalog (longer VARCHAR, VARCHAR → TEXT,
//! NUMERIC with more precision and the same scale or unconstrained) and Caution where the
//! table is rewritten (every other widening on PostgreSQL, every type change on SQLite,
//! which rebuilds the table). Any other change (TEXT → INTEGER, INTEGER → UUID, custom
//! types) is Caution: values that do not convert make it fail. On SQLite the integer types
//! share one 64-bit storage and REAL and DOUBLE one 8-byte float, so BIGINT → INTEGER or
//! DOUBLE → REAL only renames the type there (Caution, a rebuild); a narrowing keeps the
//! values that do not fit as they are (SQLite does not enforce declared types), so the
//! data check counts them in the reason instead of blocking the step as failing.

#[cfg(test)]
mod tests;
mod types;

pub use types::{TypeChange, TypeClass, type_change};

use crate::dialect::Dialect;
use crate::model::Column;
use crate::plan::{Change, ChangeKind, ColumnChanges, Risk};

/// Code of a column type narrowing (Danger).
pub const NARROW_COLUMN: &str = "DC056";
/// Code of a conversion to an unrelated or unknown type (Caution).
pub const CONVERT_COLUMN: &str = "DC057";
/// Code of making a plain column generated (Danger).
pub const MAKE_GENERATED: &str = "DC058";

/// The classification of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// How dangerous it is.
    pub risk: Risk,
    /// Its stable code.
    pub code: &'static str,
    /// Why the risk is what it is, when the step's reason does not say so already
    /// (`narrowing: values longer than 5 characters do not fit`).
    pub note: Option<String>,
    /// `true` when the step can lose column values and needs `allow_shrink_column`.
    pub shrinks: bool,
}

impl Assessment {
    fn plain(risk: Risk, kind: ChangeKind) -> Self {
        Assessment {
            risk,
            code: kind.code(),
            note: None,
            shrinks: false,
        }
    }
}

/// Classifies a change on `dialect`. `rebuild` is set when only a table rebuild can
/// perform it; on SQLite that copies every row: at least Caution. Creates are Safe; see the
/// [module documentation](self) for the full table.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::POSTGRES;
/// use dbconform::plan::{Change, ColumnChanges, Risk};
/// use dbconform::risk::assess;
/// use dbconform::{Column, ColumnType, QualifiedName};
///
/// let change = Change::AlterColumn {
///     table: QualifiedName::with_schema("public", "users"),
///     from: Column::new("email", ColumnType::Varchar(100)),
///     to: Column::new("email", ColumnType::Varchar(20)),
///     changes: ColumnChanges { ty: true, ..ColumnChanges::default() },
/// };
/// let assessment = assess(&change, &POSTGRES, false);
/// assert_eq!((assessment.risk, assessment.code), (Risk::Danger, "DC056"));
/// assert!(assessment.shrinks);
/// ```
pub fn assess(change: &Change, dialect: &dyn Dialect, rebuild: bool) -> Assessment {
    let mut assessment = assess_change(change, dialect);
    if rebuild && dialect.rebuilds_tables() && assessment.risk == Risk::Safe {
        assessment.risk = Risk::Caution;
    }
    assessment
}

/// `true` when the change can lose column values (narrowing, a column made generated):
/// the policy blocks it unless `allow_shrink_column`.
pub fn shrinks(change: &Change, dialect: &dyn Dialect) -> bool {
    assess_change(change, dialect).shrinks
}

fn assess_change(change: &Change, dialect: &dyn Dialect) -> Assessment {
    let kind = change.kind();
    let plain = |risk| Assessment::plain(risk, kind);
    match change {
        Change::CreateSchema { .. }
        | Change::CreateTable { .. }
        | Change::SetTableComment { .. }
        | Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::RenameEnumValue { .. } => plain(Risk::Safe),
        // Rows holding a removed label cannot be converted (a data check blocks the step
        // when any do); every column of the type is rewritten.
        Change::RecreateEnum { .. } => plain(Risk::Danger),
        Change::DropEnum { .. } => plain(Risk::Caution),
        Change::AddColumn { column, .. } => plain(add_column_risk(column)),
        Change::AlterColumn {
            from, to, changes, ..
        } => assess_column(from, to, changes, dialect),
        Change::AddIndex { index, .. }
        | Change::AlterIndex { to: index, .. }
        | Change::DropIndex { index, .. } => plain(if index.unique {
            Risk::Caution
        } else {
            Risk::Safe
        }),
        // When the key is checked, not what it checks: nothing can fail.
        Change::AlterForeignKey { from, to, .. } if from.only_deferrability_differs(to) => {
            plain(Risk::Safe)
        }
        Change::AddPrimaryKey { .. }
        | Change::AlterPrimaryKey { .. }
        | Change::AddUnique { .. }
        | Change::AlterUnique { .. }
        | Change::AddForeignKey { .. }
        | Change::AlterForeignKey { .. }
        | Change::AddCheck { .. }
        | Change::AlterCheck { .. }
        | Change::DropPrimaryKey { .. }
        | Change::DropUnique { .. }
        | Change::DropForeignKey { .. }
        | Change::DropCheck { .. } => plain(Risk::Caution),
        Change::DropTable { .. } | Change::DropColumn { .. } => plain(Risk::Danger),
        // `Change` is non-exhaustive: a kind added later is cautious until classified.
        #[allow(unreachable_patterns)]
        _ => plain(Risk::Caution),
    }
}

/// Adding a column: Safe when existing rows simply get NULL or the default; Caution when
/// they cannot (NOT NULL without a default fails on any row) or the table is rewritten to
/// fill them (generated, auto-increment).
fn add_column_risk(column: &Column) -> Risk {
    let fills_rows = column.generated.is_some() || column.auto_increment;
    let needs_value = !column.nullable && column.default.is_none();
    if fills_rows || needs_value {
        Risk::Caution
    } else {
        Risk::Safe
    }
}

/// Classifies a column alteration: the highest risk of the properties that change.
pub fn assess_column(
    from: &Column,
    to: &Column,
    changes: &ColumnChanges,
    dialect: &dyn Dialect,
) -> Assessment {
    let mut assessment = Assessment::plain(Risk::Safe, ChangeKind::AlterColumn);
    let mut raise = |risk: Risk| assessment.risk = assessment.risk.max(risk);
    if changes.nullable && !to.nullable {
        raise(Risk::Caution);
    }
    if changes.auto_increment || changes.collation {
        raise(Risk::Caution);
    }
    let mut notes = Vec::new();
    let mut code = ChangeKind::AlterColumn.code();
    let mut shrinks = false;
    if changes.generated {
        match (&from.generated, &to.generated) {
            (None, Some(_)) => {
                raise(Risk::Danger);
                code = MAKE_GENERATED;
                shrinks = true;
                notes.push("the column's values are replaced by the computed ones".to_string());
            }
            (Some(_), Some(_)) => raise(Risk::Caution),
            // Generated → plain keeps the computed values.
            _ => {}
        }
    }
    if changes.ty {
        let change = type_change(&from.ty, &to.ty, dialect);
        raise(change.risk());
        match change.class {
            TypeClass::Narrowing => {
                code = NARROW_COLUMN;
                shrinks = true;
            }
            TypeClass::Conversion | TypeClass::Unknown
                if code == ChangeKind::AlterColumn.code() =>
            {
                code = CONVERT_COLUMN;
            }
            _ => {}
        }
        if let Some(note) = change.note {
            notes.insert(0, note);
        }
    }
    assessment.code = code;
    assessment.shrinks = shrinks;
    assessment.note = (!notes.is_empty()).then(|| notes.join("; "));
    assessment
}
