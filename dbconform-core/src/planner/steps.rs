//! Each planned change as a step: its risk and code, reason, suggestion and SQL.

use super::describe;
use super::order::Planned;
use crate::dialect::Dialect;
use crate::dialect::{ChangeContext, ChangeSql};
use crate::effect::{TableEffect, Work};
use crate::error::{Error, Result};
use crate::model::{QualifiedName, Schema, TableDef};
use crate::plan::{Change, Risk, Step};
use crate::risk;
use std::collections::BTreeMap;

/// Each change as a step: risk, stable code, reason, suggestion and, for creates, SQL.
pub(super) fn steps(
    planned: Vec<Planned>,
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
) -> Result<Vec<Step>> {
    let find = |tables: &'_ [TableDef], name: &Option<QualifiedName>| -> Option<usize> {
        let name = name.as_ref()?;
        let key = |q: &QualifiedName| {
            (
                q.schema.as_deref().map(|s| dialect.identifier_key(s)),
                dialect.identifier_key(&q.name),
            )
        };
        tables
            .iter()
            .position(|t| key(&t.qualified_name()) == key(name))
    };
    let mut deferred: BTreeMap<QualifiedName, Vec<String>> = BTreeMap::new();
    for planned in &planned {
        if let (Change::AddForeignKey { table, foreign_key }, true) =
            (&planned.change, planned.cycle_key)
        {
            deferred
                .entry(table.clone())
                .or_default()
                .push(foreign_key.name.clone());
        }
    }
    planned
        .into_iter()
        .map(|Planned { change, cycle_key }| {
            let mut risk = Risk::Safe;
            let mut code = change.kind().code();
            let mut suggestion = None;
            let mut rebuild = None;
            let mut effects = Vec::new();
            let (reason, sql) = match &change {
                Change::CreateSchema { schema } => (
                    describe::reason(&change, dialect),
                    dialect.create_schema_sql(schema).into_iter().collect(),
                ),
                Change::CreateTable { table } => {
                    let name = table.qualified_name();
                    let later = deferred.get(&name).map(Vec::as_slice).unwrap_or_default();
                    (
                        describe::reason(&change, dialect),
                        dialect.create_table_sql(table, later)?,
                    )
                }
                Change::AddForeignKey { table, foreign_key } if cycle_key => {
                    let name = &foreign_key.name;
                    let def = desired.iter().find(|t| &t.qualified_name() == table).ok_or_else(|| {
                        Error::internal(format!(
                            "foreign key `{name}` of `{table}` belongs to no declared table"
                        ))
                    })?;
                    let target = foreign_key.references.to_string();
                    let sql = dialect.add_foreign_key_sql(def, name)?.ok_or_else(|| {
                        Error::internal(format!(
                            "{} cannot add foreign key `{name}` to `{table}` after CREATE TABLE",
                            dialect.name()
                        ))
                    })?;
                    (
                        format!(
                            "foreign key `{name}` references `{target}`, which is created after `{table}` because the tables reference each other in a cycle; it is added once both exist"
                        ),
                        vec![sql],
                    )
                }
                // Changes to existing tables: SQL comes with the ALTER renderer; a step
                // without SQL is reported, never executed.
                other => {
                    suggestion = describe::suggestion(other);
                    let table = other.table();
                    let context = ChangeContext {
                        desired: find(desired, &table).map(|i| &desired[i]),
                        actual: find(&actual.tables, &table).map(|i| &actual.tables[i]),
                    };
                    let sql = match dialect.change_sql(other, &context)? {
                        ChangeSql::Statements(sql) => sql,
                        ChangeSql::NeedsRebuild(why) => {
                            rebuild = Some(why);
                            Vec::new()
                        }
                    };
                    let assessment = risk::assess(other, dialect, rebuild.is_some());
                    risk = assessment.risk;
                    code = assessment.code;
                    let mut reason = describe::reason(other, dialect);
                    if let Some(note) = assessment.note {
                        reason = format!("{reason}; {note}");
                    }
                    if let Some((at_least, note)) = dialect.online_note(other, &context) {
                        risk = risk.max(at_least);
                        reason = format!("{reason}; {note}");
                    }
                    effects = table_effects(dialect, other, &context, actual, &find);
                    // A rewrite locks the table while every row is copied.
                    if effects.iter().any(|e| e.work == Work::Rewrites) {
                        risk = risk.max(Risk::Caution);
                    }
                    (reason, sql)
                }
            };
            let kind = change.kind();
            Ok(Step {
                kind,
                table: change.table(),
                risk,
                code: code.to_string(),
                reason,
                suggestion,
                sql,
                rebuild,
                change,
                parts: Vec::new(),
                effects,
            })
        })
        .collect()
}

/// Where a table of a list is, by name (as the dialect compares names).
type FindTable<'a> = dyn Fn(&[TableDef], &Option<QualifiedName>) -> Option<usize> + 'a;

/// The dialect's effects of `change` on the tables that exist (a table the plan creates
/// has nothing to report), each with the size reflection found for it.
fn table_effects(
    dialect: &dyn Dialect,
    change: &Change,
    context: &ChangeContext<'_>,
    actual: &Schema,
    find: &FindTable<'_>,
) -> Vec<TableEffect> {
    dialect
        .table_effects(change, context)
        .into_iter()
        .filter_map(|mut effect| {
            let at = find(&actual.tables, &Some(effect.table.clone()))?;
            effect.size = actual
                .sizes
                .get(&actual.tables[at].qualified_name())
                .copied();
            Some(effect)
        })
        .collect()
}
