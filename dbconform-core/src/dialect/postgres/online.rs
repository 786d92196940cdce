//! Online mode on PostgreSQL: each step as the statements that keep the application's
//! writes going, each in its phase (see [`crate::online`]).
//!
//! - An index is built with `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: reads
//!   and writes continue), first dropping with `DROP INDEX CONCURRENTLY IF EXISTS` an
//!   index of that name a failed build left invalid. A UNIQUE constraint or primary key
//!   is attached to such an index (`ADD CONSTRAINT ... USING INDEX`, a catalog change).
//! - A foreign key or CHECK is added `NOT VALID` (a catalog change: new rows are checked
//!   from then on), then validated with `VALIDATE CONSTRAINT`, which scans the table under
//!   SHARE UPDATE EXCLUSIVE (a foreign key's referenced table under ROW SHARE).
//! - `SET NOT NULL` scans the table under ACCESS EXCLUSIVE, unless a validated
//!   `CHECK (column IS NOT NULL)` proves it (PostgreSQL 12 and later): the check is added
//!   `NOT VALID`, validated, then the column set NOT NULL and the check dropped.
//! - What rewrites a table (a type change that is not binary-coercible, a generated or
//!   identity column, a volatile default) cannot be done online: it runs last, with the
//!   drops, under the lock timeout.

use super::Postgres;
use super::alter::{
    add_check_not_valid, add_foreign_key_not_valid, drop_constraint_if_exists,
    drop_index_concurrently, table_sql, validate_constraint,
};
use crate::dialect::Dialect;
use crate::dialect::render as shared;
use crate::effect::{LockLevel, TableEffect, Work};
use crate::error::Result;
use crate::model::QualifiedName;
use crate::naming::{generated_name, shorten};
use crate::online::{OnlineStatement, PhaseKind};
use crate::plan::{Change, Step};

/// The statements performing `step` online.
pub(super) fn statements(dialect: &Postgres, step: &Step) -> Result<Vec<OnlineStatement>> {
    use OnlineStatement as S;
    use PhaseKind::{Build, Catalog, Last, NotNull, Validate};
    let as_planned = |phase| -> Vec<OnlineStatement> {
        step.sql
            .iter()
            .map(|sql| S::in_transaction(phase, sql.clone()))
            .collect()
    };
    Ok(match &step.change {
        Change::CreateSchema { .. }
        | Change::CreateEnum { .. }
        | Change::RenameEnumValue { .. }
        | Change::CreateTable { .. }
        | Change::SetTableComment { .. }
        | Change::RenameTable { .. }
        | Change::RenameColumn { .. } => as_planned(Catalog),
        // A new label commits on its own before the statements that may use it.
        Change::AddEnumValue { .. } => step
            .sql
            .iter()
            .map(|sql| S::alone(Catalog, sql.clone()))
            .collect(),
        _ if goes_last(step) => as_planned(Last),
        Change::AddColumn { .. } => as_planned(Catalog),
        Change::AlterColumn {
            table,
            from,
            to,
            changes,
        } => {
            if changes.nullable && !to.nullable {
                // Everything but SET NOT NULL is a catalog change; SET NOT NULL goes
                // through a validated check.
                let t = table_sql(dialect, table)?;
                let column = dialect.quote_ident(&from.name);
                let set_not_null = format!("ALTER TABLE {t} ALTER COLUMN {column} SET NOT NULL");
                let check = dialect.quote_ident(&not_null_check_name(table, &from.name));
                let mut out: Vec<OnlineStatement> = step
                    .sql
                    .iter()
                    .filter(|sql| **sql != set_not_null)
                    .map(|sql| S::in_transaction(Catalog, sql.clone()))
                    .collect();
                out.extend([
                    // A check of that name left by an interrupted run is replaced.
                    S::in_transaction(
                        Catalog,
                        format!(
                            "ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {check}, ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID"
                        ),
                    ),
                    S::alone(Validate, format!("ALTER TABLE {t} VALIDATE CONSTRAINT {check}")),
                    S::in_transaction(NotNull, set_not_null),
                    S::in_transaction(
                        NotNull,
                        format!("ALTER TABLE {t} DROP CONSTRAINT {check}"),
                    ),
                ]);
                out
            } else {
                as_planned(Catalog)
            }
        }
        Change::AddIndex { table, index } => {
            vec![
                S::alone(Build, drop_index_concurrently(dialect, table, &index.name)?),
                S::alone(Build, create_concurrently(dialect, table, index)),
            ]
        }
        Change::AlterIndex { table, from, to } => vec![
            S::alone(Build, drop_index_concurrently(dialect, table, &from.name)?),
            S::alone(Build, create_concurrently(dialect, table, to)),
        ],
        // An invalid index serves no query: cleared before the builds that may reuse its
        // name.
        Change::DropIndex { table, index } => vec![S::alone(
            if index.invalid { Build } else { Last },
            drop_index_concurrently(dialect, table, &index.name)?,
        )],
        Change::AddUnique { table, unique } => {
            let t = table_sql(dialect, table)?;
            let name = dialect.quote_ident(&unique.name);
            vec![
                S::alone(
                    Build,
                    drop_index_concurrently(dialect, table, &unique.name)?,
                ),
                S::alone(
                    Build,
                    create_concurrently(
                        dialect,
                        table,
                        &key_index(&unique.name, &unique.columns, unique.nulls_not_distinct),
                    ),
                ),
                S::in_transaction(
                    Build,
                    format!("ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"),
                ),
            ]
        }
        Change::AddPrimaryKey { table, key } => {
            let t = table_sql(dialect, table)?;
            // PostgreSQL's own name for an unnamed primary key.
            let name = key
                .name
                .clone()
                .unwrap_or_else(|| shorten(&format!("{}_pkey", table.name)));
            let quoted = dialect.quote_ident(&name);
            vec![
                S::alone(Build, drop_index_concurrently(dialect, table, &name)?),
                S::alone(
                    Build,
                    create_concurrently(dialect, table, &key_index(&name, &key.columns, false)),
                ),
                // After the columns' SET NOT NULL (phase 4, earlier in the plan), so that
                // attaching the key scans nothing.
                S::in_transaction(
                    NotNull,
                    format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {quoted} PRIMARY KEY USING INDEX {quoted}"
                    ),
                ),
            ]
        }
        Change::AddForeignKey { table, foreign_key } => {
            let t = table_sql(dialect, table)?;
            vec![
                S::in_transaction(
                    Catalog,
                    add_foreign_key_not_valid(dialect, &t, table, foreign_key)?,
                ),
                S::alone(
                    Validate,
                    validate_constraint(dialect, &t, &foreign_key.name),
                ),
            ]
        }
        Change::AddCheck { table, check } => {
            let t = table_sql(dialect, table)?;
            vec![
                S::in_transaction(Catalog, add_check_not_valid(&t, check)),
                S::alone(Validate, validate_constraint(dialect, &t, &check.name)),
            ]
        }
        // `ALTER CONSTRAINT`: a catalog change, brief under the lock timeout.
        Change::AlterForeignKey { from, to, .. } if from.only_deferrability_differs(to) => {
            as_planned(Catalog)
        }
        Change::AlterForeignKey { table, from, to } => {
            let t = table_sql(dialect, table)?;
            let add = (!from.only_needs_validating(to))
                .then(|| add_foreign_key_not_valid(dialect, &t, table, to))
                .transpose()?;
            replaced(dialect, &t, add, &from.name, &to.name)
        }
        Change::AlterCheck { table, from, to } => {
            let t = table_sql(dialect, table)?;
            let add = (!from.only_needs_validating(to)).then(|| add_check_not_valid(&t, to));
            replaced(dialect, &t, add, &from.name, &to.name)
        }
        // `IF EXISTS`: the check proving a NOT NULL that an interrupted run left is
        // dropped by that step's phase 4 already when the same plan sets the column NOT
        // NULL again.
        Change::DropCheck { table, check } => vec![S::in_transaction(
            Last,
            drop_constraint_if_exists(dialect, &table_sql(dialect, table)?, &check.name),
        )],
        // Replacing a key, a foreign key or a check, drops, and what PostgreSQL never
        // plans here (a SQLite rebuild): last, as planned, under the lock timeout.
        _ => as_planned(Last),
    })
}

/// What `step` does to its tables online: the scans its one-transaction form does under
/// SHARE, SHARE ROW EXCLUSIVE or ACCESS EXCLUSIVE happen in a concurrent build or in
/// `VALIDATE CONSTRAINT`, under SHARE UPDATE EXCLUSIVE (reads and writes go on; a foreign
/// key's referenced table under ROW SHARE). What stays is the brief catalog change of
/// attaching or adding the object, not listed. Rewrites and the rest are as planned.
pub(super) fn effects(step: &Step) -> Vec<TableEffect> {
    let online_scan = match &step.change {
        Change::AddIndex { .. }
        | Change::AlterIndex { .. }
        | Change::AddUnique { .. }
        | Change::AddPrimaryKey { .. }
        | Change::AddForeignKey { .. }
        | Change::AlterForeignKey { .. }
        | Change::AddCheck { .. }
        | Change::AlterCheck { .. } => true,
        Change::AlterColumn { .. } => !goes_last(step),
        _ => false,
    };
    step.effects
        .iter()
        .cloned()
        .map(|mut effect| {
            if online_scan && effect.work == Work::Scans {
                effect.lock = if Some(&effect.table) == step.table.as_ref() {
                    LockLevel::ShareUpdateExclusive
                } else {
                    LockLevel::RowShare
                };
            }
            effect
        })
        .collect()
}

/// A constraint `from` replaced online by `add` (`ALTER TABLE t ADD ... NOT VALID`),
/// dropped and added in one catalog-only statement, then validated as `to`; only
/// validated when there is nothing to add (the constraint is as declared but NOT VALID).
fn replaced(
    dialect: &Postgres,
    table: &str,
    add: Option<String>,
    from: &str,
    to: &str,
) -> Vec<OnlineStatement> {
    let mut out = Vec::new();
    if let Some(add) = add {
        let drop = drop_constraint_if_exists(dialect, table, from);
        out.push(OnlineStatement::in_transaction(
            PhaseKind::Catalog,
            replace(&add, table, &drop),
        ));
    }
    out.push(OnlineStatement::alone(
        PhaseKind::Validate,
        validate_constraint(dialect, table, to),
    ));
    out
}

/// `drop` (`ALTER TABLE t DROP CONSTRAINT ...`) and `add` (`ALTER TABLE t ADD ...`) as one
/// statement, so that the constraint is never missing between them.
fn replace(add: &str, table: &str, drop: &str) -> String {
    let prefix = format!("ALTER TABLE {table} ");
    let add = add.strip_prefix(&prefix).unwrap_or(add);
    format!("{drop}, {add}")
}

/// The CHECK that proves `column` NOT NULL before `SET NOT NULL` (dropped after it).
pub(super) fn not_null_check_name(table: &QualifiedName, column: &str) -> String {
    generated_name("dbconform_nn", &table.name, &[column])
}

/// Whether `step` has no online form and runs in the last phase, under the lock timeout:
/// it rewrites its table (a type change that is not binary-coercible, a column added with
/// a volatile default, an identity or generated column — as its effects say,
/// `effects.rs`), or it changes a column's identity, generation or collation (a scan or an
/// index rebuild under ACCESS EXCLUSIVE).
fn goes_last(step: &Step) -> bool {
    let rewrites = step.effects.iter().any(|e| e.work == Work::Rewrites);
    let heavy_column_change = matches!(
        &step.change,
        Change::AlterColumn { changes, .. }
            if changes.generated || changes.auto_increment || changes.collation
    );
    rewrites || heavy_column_change
}

/// The unique B-tree index a UNIQUE constraint or primary key named `name` on `columns`
/// is attached to (NULLS NOT DISTINCT for such a UNIQUE constraint: the constraint takes
/// its index's behaviour).
fn key_index(name: &str, columns: &[String], nulls_not_distinct: bool) -> crate::model::Index {
    crate::model::Index {
        name: name.to_string(),
        columns: columns
            .iter()
            .map(|c| crate::model::IndexColumn::asc(c.clone()))
            .collect(),
        unique: true,
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct,
        invalid: false,
    }
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY ...`.
fn create_concurrently(
    dialect: &Postgres,
    table: &QualifiedName,
    index: &crate::model::Index,
) -> String {
    let sql = shared::create_index_on(dialect, table, index);
    // The statement starts `CREATE INDEX ` or `CREATE UNIQUE INDEX `: the first `INDEX `
    // is the keyword (names come after it).
    sql.replacen("INDEX ", "INDEX CONCURRENTLY ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, Column, ColumnType, ForeignKey, UniqueConstraint};
    use crate::online::arrange;
    use crate::plan::Plan;
    use crate::plan::Risk;

    fn step(change: Change, sql: &[&str]) -> Step {
        Step {
            kind: change.kind(),
            table: change.table(),
            risk: Risk::Safe,
            code: change.kind().code().into(),
            reason: String::new(),
            suggestion: None,
            sql: sql.iter().map(|s| s.to_string()).collect(),
            rebuild: None,
            change,
            parts: Vec::new(),
            effects: Vec::new(),
        }
    }

    fn orders() -> QualifiedName {
        QualifiedName::with_schema("app", "orders")
    }

    fn render(change: Change, sql: &[&str]) -> Vec<(u8, bool, String)> {
        statements(&Postgres, &step(change, sql))
            .unwrap()
            .into_iter()
            .map(|s| (s.phase.number(), s.transaction, s.sql))
            .collect()
    }

    #[test]
    fn an_index_is_built_concurrently_after_dropping_an_invalid_one() {
        let mut index = key_index("ix_orders_total", &["total".to_string()], false);
        index.unique = false;
        assert_eq!(
            render(
                Change::AddIndex {
                    table: orders(),
                    index
                },
                &[]
            ),
            vec![
                (
                    2,
                    false,
                    r#"DROP INDEX CONCURRENTLY IF EXISTS "app"."ix_orders_total""#.into()
                ),
                (
                    2,
                    false,
                    r#"CREATE INDEX CONCURRENTLY "ix_orders_total" ON "app"."orders" ("total")"#
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn a_unique_constraint_is_attached_to_an_index_built_concurrently() {
        let unique = crate::model::UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_orders_ref".into(),
            columns: vec!["ref".into()],
        };
        let out = render(
            Change::AddUnique {
                table: orders(),
                unique,
            },
            &[],
        );
        assert_eq!(
            out[1].2,
            r#"CREATE UNIQUE INDEX CONCURRENTLY "uq_orders_ref" ON "app"."orders" ("ref")"#
        );
        assert_eq!(
            out[2],
            (
                2,
                true,
                r#"ALTER TABLE "app"."orders" ADD CONSTRAINT "uq_orders_ref" UNIQUE USING INDEX "uq_orders_ref""#
                    .into()
            )
        );
    }

    #[test]
    fn foreign_keys_and_checks_are_added_not_valid_then_validated() {
        let fk = ForeignKey {
            deferrable: Default::default(),
            name: "fk_orders_customer".into(),
            columns: vec!["customer_id".into()],
            references: QualifiedName::with_schema("app", "customers"),
            referenced_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
            not_valid: false,
        };
        assert_eq!(
            render(
                Change::AddForeignKey {
                    table: orders(),
                    foreign_key: fk
                },
                &[]
            ),
            vec![
                (
                    1,
                    true,
                    r#"ALTER TABLE "app"."orders" ADD CONSTRAINT "fk_orders_customer" FOREIGN KEY ("customer_id") REFERENCES "app"."customers" ("id") NOT VALID"#.into()
                ),
                (
                    3,
                    false,
                    r#"ALTER TABLE "app"."orders" VALIDATE CONSTRAINT "fk_orders_customer""#
                        .into()
                ),
            ]
        );
        let check = Check {
            name: "ck_total".into(),
            expr: "total >= 0".into(),
            not_valid: false,
        };
        let out = render(
            Change::AddCheck {
                table: orders(),
                check,
            },
            &[],
        );
        assert!(out[0].2.ends_with(" NOT VALID"), "{out:?}");
        assert_eq!(out[1].0, 3);
    }

    #[test]
    fn set_not_null_goes_through_a_validated_check() {
        let from = Column {
            nullable: true,
            ..Column::new("customer_id", crate::model::ColumnType::BigInt)
        };
        let to = Column {
            nullable: false,
            ..from.clone()
        };
        let set = r#"ALTER TABLE "app"."orders" ALTER COLUMN "customer_id" SET NOT NULL"#;
        let out = render(
            Change::AlterColumn {
                table: orders(),
                from,
                to,
                changes: crate::plan::ColumnChanges {
                    nullable: true,
                    ..Default::default()
                },
            },
            &[set],
        );
        let check = r#""dbconform_nn_orders_customer_id""#;
        assert_eq!(
            out,
            vec![
                (
                    1,
                    true,
                    format!(
                        r#"ALTER TABLE "app"."orders" DROP CONSTRAINT IF EXISTS {check}, ADD CONSTRAINT {check} CHECK ("customer_id" IS NOT NULL) NOT VALID"#
                    )
                ),
                (
                    3,
                    false,
                    format!(r#"ALTER TABLE "app"."orders" VALIDATE CONSTRAINT {check}"#)
                ),
                (4, true, set.to_string()),
                (
                    4,
                    true,
                    format!(r#"ALTER TABLE "app"."orders" DROP CONSTRAINT {check}"#)
                ),
            ]
        );
    }

    /// The arranged plan of `steps`: each statement as (phase, step number, statement).
    fn arranged(steps: Vec<Step>) -> Vec<(u8, usize, String)> {
        let plan = arrange(
            &Postgres,
            Plan::new("postgres", steps, Vec::new(), Vec::new()),
        )
        .unwrap();
        plan.phases()
            .iter()
            .flat_map(|p| {
                p.statements
                    .iter()
                    .map(move |s| (p.kind.number(), s.step, s.sql.clone()))
            })
            .collect()
    }

    #[test]
    fn a_foreign_key_waits_for_the_unique_key_it_references() {
        let customers = QualifiedName::with_schema("app", "customers");
        let unique = Change::AddUnique {
            table: customers.clone(),
            unique: UniqueConstraint {
                nulls_not_distinct: false,
                name: "uq_customers_code".into(),
                columns: vec!["code".into()],
            },
        };
        let fk = Change::AddForeignKey {
            table: orders(),
            foreign_key: ForeignKey {
                deferrable: Default::default(),
                name: "fk_orders_code".into(),
                columns: vec!["code".into()],
                references: customers,
                referenced_columns: vec!["code".into()],
                on_delete: Default::default(),
                on_update: Default::default(),
                not_valid: false,
            },
        };
        let out = arranged(vec![step(unique, &[]), step(fk, &[])]);
        let attach = out
            .iter()
            .position(|(_, _, sql)| sql.contains("UNIQUE USING INDEX"))
            .unwrap();
        let add_fk = out
            .iter()
            .position(|(_, _, sql)| sql.contains("FOREIGN KEY") && sql.ends_with("NOT VALID"))
            .unwrap();
        assert!(attach < add_fk, "{out:#?}");
        // Raised to the phase of the key it needs, not the catalog phase it would take
        // alone; still validated after.
        assert_eq!(out[add_fk].0, 2, "{out:#?}");
        assert_eq!(out.last().unwrap().0, 3, "{out:#?}");
    }

    #[test]
    fn an_index_on_a_rewritten_table_is_built_after_the_rewrite_and_alone_goes_second() {
        let from = Column::new("total", ColumnType::Integer);
        let to = Column::new("total", ColumnType::BigInt);
        let retype = r#"ALTER TABLE "app"."orders" ALTER COLUMN "total" TYPE BIGINT"#;
        let mut rewrite = step(
            Change::AlterColumn {
                table: orders(),
                from,
                to,
                changes: crate::plan::ColumnChanges {
                    ty: true,
                    ..Default::default()
                },
            },
            &[retype],
        );
        rewrite.effects = vec![crate::effect::TableEffect::new(
            orders(),
            LockLevel::AccessExclusive,
            Work::Rewrites,
        )];
        let index = Change::AddIndex {
            table: orders(),
            index: crate::model::Index {
                unique: false,
                ..key_index("ix_orders_total", &["total".to_string()], false)
            },
        };
        let alone = arranged(vec![step(index.clone(), &[])]);
        assert!(alone.iter().all(|(phase, _, _)| *phase == 2), "{alone:#?}");
        let after = arranged(vec![rewrite, step(index, &[])]);
        assert_eq!(after[0], (5, 1, retype.to_string()));
        assert!(
            after[1..]
                .iter()
                .all(|(phase, step, _)| (*phase, *step) == (5, 2)),
            "{after:#?}"
        );
    }
}
