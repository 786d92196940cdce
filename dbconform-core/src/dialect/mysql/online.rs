//! How InnoDB performs each change to an existing table while the application uses it,
//! and what the plan says and writes about it (docs/DATABASE_TRAPS.md M16).
//!
//! | class | changes | what is written | what the plan says |
//! |---|---|---|---|
//! | instant (metadata only) | add or drop a column, rename it, its default or comment, a `VARCHAR` made longer within the same length prefix, drop a CHECK or foreign key, the table comment, rename the table | no clause: the server picks `INSTANT` itself (a clause would fail on the versions without it) | nothing |
//! | in place, no lock | add, drop or change an index or UNIQUE key; make a column `NOT NULL` | `ALGORITHM=INPLACE, LOCK=NONE`: the server fails at once rather than copy the table or block writes | reads and writes go on while the table is rebuilt or the index built |
//! | copy | change a column's type (other than the lengthening above), its collation, `AUTO_INCREMENT` or generation; add a CHECK or a foreign key (every row is checked); drop the primary key alone; add or change the primary key | no clause (what each server version copies differs; forcing `COPY` would copy where a newer server need not) | the step is at least `caution`: the table may be copied row by row, writes waiting until it is done |
//!
//! The classes are those both MariaDB 10.6+ and MySQL 8.0.29+ document, checked by hand on
//! MariaDB 10.11 with each ALTER tried under `ALGORITHM=INSTANT`, then `INPLACE, LOCK=NONE`;
//! the clauses written here run in the MariaDB test families (index, UNIQUE and NOT NULL
//! changes in `detect`, `risk_and_policy`, `plan_output`). Where the two servers differ,
//! the slower one decides the note, and the clause is written only where both run the
//! change in place without a lock.

use crate::dialect::ChangeContext;
use crate::model::ColumnType;
use crate::plan::{Change, Risk};

/// How InnoDB performs a change to an existing table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Algorithm {
    /// Metadata only.
    Instant,
    /// Without copying the rows and without blocking writes.
    InPlace,
    /// Possibly copying every row, writes waiting.
    Copy,
}

/// The clause an in-place change carries.
pub(super) const IN_PLACE: &str = "ALGORITHM=INPLACE, LOCK=NONE";

/// The class of `change` to a table as `context` has it, reflected and declared (see the
/// module documentation); `None` for what is not an ALTER of an existing table (creating
/// or dropping one).
pub(super) fn algorithm(change: &Change, context: &ChangeContext<'_>) -> Option<Algorithm> {
    use Algorithm::{Copy, InPlace, Instant};
    Some(match change {
        Change::CreateSchema { .. }
        | Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::RenameEnumValue { .. }
        | Change::RecreateEnum { .. }
        | Change::DropEnum { .. }
        | Change::CreateTable { .. }
        | Change::DropTable { .. }
        | Change::RebuildTable { .. } => return None,
        Change::AddColumn { column, .. } => {
            if column.auto_increment || column.generated.is_some() {
                Copy
            } else {
                Instant
            }
        }
        Change::DropColumn { .. }
        | Change::RenameColumn { .. }
        | Change::RenameTable { .. }
        | Change::SetTableComment { .. }
        | Change::DropCheck { .. }
        | Change::DropForeignKey { .. } => Instant,
        Change::AlterColumn {
            from, to, changes, ..
        } => {
            if changes.auto_increment || changes.generated || changes.collation {
                Copy
            } else if changes.ty {
                if lengthened_in_place(&from.ty, &to.ty) {
                    Instant
                } else {
                    Copy
                }
            } else if changes.nullable {
                // MariaDB rebuilds a table with a STORED generated column only by copying
                // it when a column becomes NOT NULL (`ALGORITHM=INPLACE is not supported`):
                // one it has, or one an earlier step of the plan adds.
                let stored_generated = [context.actual, context.desired]
                    .into_iter()
                    .flatten()
                    .flat_map(|t| &t.columns)
                    .any(|c| c.generated.as_ref().is_some_and(|g| g.stored));
                if stored_generated && !to.nullable {
                    Copy
                } else {
                    InPlace
                }
            } else {
                Instant
            }
        }
        Change::AddIndex { .. }
        | Change::DropIndex { .. }
        | Change::AlterIndex { .. }
        | Change::AddUnique { .. }
        | Change::DropUnique { .. }
        | Change::AlterUnique { .. } => InPlace,
        Change::AddPrimaryKey { .. }
        | Change::DropPrimaryKey { .. }
        | Change::AlterPrimaryKey { .. }
        | Change::AddCheck { .. }
        | Change::AlterCheck { .. }
        | Change::AddForeignKey { .. }
        | Change::AlterForeignKey { .. } => Copy,
    })
}

/// A `VARCHAR` made longer without changing the size of its length prefix (one byte up to
/// 255 bytes, in utf8mb4's 4 bytes a character): MySQL does it in place, MariaDB
/// instantly.
fn lengthened_in_place(from: &ColumnType, to: &ColumnType) -> bool {
    let prefix = |chars: u32| u32::from(chars * 4 > 255);
    matches!((from, to), (ColumnType::Varchar(a), ColumnType::Varchar(b)) if b >= a && prefix(*a) == prefix(*b))
}

/// What the plan says of `change`'s effect on the application (see the module
/// documentation): the risk it raises the step to and the note added to its reason.
pub(super) fn note(change: &Change, context: &ChangeContext<'_>) -> Option<(Risk, String)> {
    match algorithm(change, context)? {
        Algorithm::Instant => None,
        Algorithm::InPlace => Some((
            Risk::Safe,
            format!("in place ({IN_PLACE}): reads and writes go on meanwhile"),
        )),
        Algorithm::Copy => Some((
            Risk::Caution,
            "InnoDB may copy the table row by row for this change (no in-place algorithm on every server version): writes to it wait until it is done, which on a large table takes long".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Index, IndexColumn, QualifiedName, TableDef};
    use crate::plan::ColumnChanges;

    fn t() -> QualifiedName {
        QualifiedName::new("t")
    }

    fn alter(from: ColumnType, to: ColumnType, changes: ColumnChanges) -> Change {
        Change::AlterColumn {
            table: t(),
            from: Column::new("c", from),
            to: Column::new("c", to),
            changes,
        }
    }

    #[test]
    fn each_change_has_the_class_both_servers_document() {
        let ty = ColumnChanges {
            ty: true,
            ..ColumnChanges::default()
        };
        let cases = [
            (
                alter(ColumnType::Varchar(20), ColumnType::Varchar(40), ty),
                Algorithm::Instant,
            ),
            // 63 → 64 characters crosses 255 bytes: a two-byte length prefix.
            (
                alter(ColumnType::Varchar(63), ColumnType::Varchar(64), ty),
                Algorithm::Copy,
            ),
            (
                alter(ColumnType::Varchar(20), ColumnType::Varchar(10), ty),
                Algorithm::Copy,
            ),
            (
                alter(ColumnType::Integer, ColumnType::BigInt, ty),
                Algorithm::Copy,
            ),
            (
                alter(
                    ColumnType::Integer,
                    ColumnType::Integer,
                    ColumnChanges {
                        nullable: true,
                        ..ColumnChanges::default()
                    },
                ),
                Algorithm::InPlace,
            ),
            (
                alter(
                    ColumnType::Integer,
                    ColumnType::Integer,
                    ColumnChanges {
                        default: true,
                        comment: true,
                        ..ColumnChanges::default()
                    },
                ),
                Algorithm::Instant,
            ),
            (
                Change::AddIndex {
                    table: t(),
                    index: Index {
                        name: "ix".into(),
                        columns: vec![IndexColumn::asc("c")],
                        unique: false,
                        predicate: None,
                        method: None,
                        include: Vec::new(),
                        nulls_not_distinct: false,
                        invalid: false,
                    },
                },
                Algorithm::InPlace,
            ),
        ];
        let none = ChangeContext {
            desired: None,
            actual: None,
        };
        for (change, class) in cases {
            assert_eq!(algorithm(&change, &none), Some(class), "{change:?}");
        }
        assert_eq!(
            note(&alter(ColumnType::Integer, ColumnType::BigInt, ty), &none).map(|(r, _)| r),
            Some(Risk::Caution)
        );
    }

    #[test]
    fn not_null_on_a_table_with_a_stored_generated_column_is_a_copy() {
        let nullable = ColumnChanges {
            nullable: true,
            ..ColumnChanges::default()
        };
        let mut made_not_null = alter(ColumnType::Integer, ColumnType::Integer, nullable);
        if let Change::AlterColumn { from, .. } = &mut made_not_null {
            from.nullable = true;
        }
        let with = |stored: bool| TableDef {
            name: "t".into(),
            columns: vec![
                Column::new("c", ColumnType::Integer),
                Column {
                    generated: Some(crate::model::GeneratedColumn {
                        expr: "c * 2".into(),
                        stored,
                    }),
                    ..Column::new("g", ColumnType::Integer)
                },
            ],
            ..TableDef::default()
        };
        let (stored, virtual_) = (with(true), with(false));
        let context = |actual, desired| ChangeContext { actual, desired };
        // Whether the table has the column or the plan adds it first.
        for (context, class) in [
            (context(Some(&stored), None), Algorithm::Copy),
            (context(Some(&virtual_), Some(&stored)), Algorithm::Copy),
            (
                context(Some(&virtual_), Some(&virtual_)),
                Algorithm::InPlace,
            ),
        ] {
            assert_eq!(algorithm(&made_not_null, &context), Some(class));
        }
    }
}
