//! The views and triggers of the connection's database, read in one statement from
//! `information_schema` (`VIEWS`, `TRIGGERS`), with what each uses and the statements
//! that recreate it.
//!
//! MySQL records no column dependencies, so the uses are read from the text the server
//! keeps: a view's definition names every column fully qualified
//! (`` `db`.`t`.`c` ``, and `` `db`.`t` `` in FROM), a trigger's statement names the
//! columns of its table as `NEW.c` / `OLD.c`. The planner then blocks a drop of a table or
//! column one of them uses (MySQL would leave the view invalid and the trigger failing
//! on its next row). A type change keeps them working (MySQL resolves a view when it is
//! used), so nothing is dropped around one.

use crate::driver::{StatementCounter, reflect_error};
use dbconform_core::dialect::Dialect;
use dbconform_core::dialect::mysql::DATABASE_SCHEMA;
use dbconform_core::{DependentKind, DependentObject, DependentUse, QualifiedName, Result};
use sqlx::Row;
use sqlx::mysql::MySqlConnection;
use std::collections::BTreeSet;

const WHAT: &str = "reading the views and triggers from information_schema";

/// The views and the triggers, in one statement: kind, name, the trigger's table, the
/// view's definition or the trigger's statement, CHECK OPTION or timing, SQL SECURITY or
/// event, definer, and the database's name.
const OBJECTS: &str = "SELECT 'view', CAST(TABLE_NAME AS CHAR), '', CAST(VIEW_DEFINITION AS CHAR), \
CAST(CHECK_OPTION AS CHAR), CAST(SECURITY_TYPE AS CHAR), CAST(DEFINER AS CHAR), CAST(DATABASE() AS CHAR) \
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() \
UNION ALL SELECT 'trigger', CAST(TRIGGER_NAME AS CHAR), CAST(EVENT_OBJECT_TABLE AS CHAR), CAST(ACTION_STATEMENT AS CHAR), \
CAST(ACTION_TIMING AS CHAR), CAST(EVENT_MANIPULATION AS CHAR), CAST(DEFINER AS CHAR), CAST(DATABASE() AS CHAR) \
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1 DESC, 2";

/// The database's views and triggers.
pub(super) async fn read(
    dialect: &dyn Dialect,
    conn: &mut MySqlConnection,
    counter: &StatementCounter,
) -> Result<Vec<DependentObject>> {
    let text = |row: &sqlx::mysql::MySqlRow, i: usize| -> Result<String> {
        row.try_get::<Option<String>, _>(i)
            .map(Option::unwrap_or_default)
            .map_err(reflect_error(WHAT))
    };
    let q = |name: &str| dialect.quote_ident(name);
    let named = |name: String| QualifiedName::with_schema(DATABASE_SCHEMA, name);
    let mut objects = Vec::new();
    counter.add(1);
    for row in sqlx::raw_sql(OBJECTS)
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error(WHAT))?
    {
        let (kind, name, table, text3) = (
            text(&row, 0)?,
            text(&row, 1)?,
            text(&row, 2)?,
            text(&row, 3)?,
        );
        let (option, security_or_event, definer, database) = (
            text(&row, 4)?,
            text(&row, 5)?,
            text(&row, 6)?,
            text(&row, 7)?,
        );
        if kind == "view" {
            let (definition, security) = (text3, security_or_event);
            let check = match option.as_str() {
                "CASCADED" | "LOCAL" => format!(" WITH {option} CHECK OPTION"),
                _ => String::new(),
            };
            objects.push(DependentObject {
                kind: DependentKind::View,
                name: named(name.clone()),
                on: None,
                uses: view_uses(&definition, &database),
                create: vec![format!(
                    "CREATE{} SQL SECURITY {security} VIEW {} AS {definition}{check}",
                    definer_clause(&definer),
                    q(&name)
                )],
                drop: format!("DROP VIEW {}", q(&name)),
                live_definition: None,
                verify: None,
            });
            continue;
        }
        let (statement, timing, event) = (text3, option, security_or_event);
        let mut uses = vec![DependentUse {
            table: named(table.clone()),
            column: None,
        }];
        uses.extend(
            row_columns(&statement)
                .into_iter()
                .map(|column| DependentUse {
                    table: named(table.clone()),
                    column: Some(column),
                }),
        );
        objects.push(DependentObject {
            kind: DependentKind::Trigger,
            name: named(name.clone()),
            on: Some(named(table.clone())),
            uses,
            create: vec![format!(
                "CREATE{} TRIGGER {} {timing} {event} ON {} FOR EACH ROW {statement}",
                definer_clause(&definer),
                q(&name),
                q(&table)
            )],
            drop: format!("DROP TRIGGER {}", q(&name)),
            live_definition: None,
            verify: None,
        });
    }
    Ok(objects)
}

/// ` DEFINER='user'@'host'` for `user@host` (the host after the last `@`).
fn definer_clause(definer: &str) -> String {
    match definer.rsplit_once('@') {
        Some((user, host)) => format!(
            " DEFINER={}@{}",
            dbconform_core::dialect::quote_literal(user),
            dbconform_core::dialect::quote_literal(host)
        ),
        None => String::new(),
    }
}

/// The tables and columns a view's stored definition names: `` `db`.`t`.`c` `` is column
/// `c` of table `t`, `` `db`.`t` `` table `t`, for `db` the connection's database.
fn view_uses(definition: &str, database: &str) -> Vec<DependentUse> {
    let named = |name: &str| QualifiedName::with_schema(DATABASE_SCHEMA, name);
    let mut uses = BTreeSet::new();
    for chain in identifier_chains(definition) {
        match chain.as_slice() {
            [db, table, column] if db == database => {
                uses.insert(DependentUse {
                    table: named(table),
                    column: Some(column.clone()),
                });
                uses.insert(DependentUse {
                    table: named(table),
                    column: None,
                });
            }
            [db, table] if db == database => {
                uses.insert(DependentUse {
                    table: named(table),
                    column: None,
                });
            }
            _ => {}
        }
    }
    uses.into_iter().collect()
}

/// The chains of backquoted identifiers joined by `.` in `sql` (`` `a`.`b` `` → `[a, b]`),
/// outside string literals.
fn identifier_chains(sql: &str) -> Vec<Vec<String>> {
    let mut chains = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                let mut ident = String::new();
                while let Some(c) = chars.next() {
                    if c == '`' {
                        if chars.peek() == Some(&'`') {
                            chars.next();
                            ident.push('`');
                        } else {
                            break;
                        }
                    } else {
                        ident.push(c);
                    }
                }
                chain.push(ident);
                if chars.peek() == Some(&'.') {
                    chars.next();
                    continue;
                }
                chains.push(std::mem::take(&mut chain));
            }
            '\'' | '"' => {
                chains.extend((!chain.is_empty()).then(|| std::mem::take(&mut chain)));
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        if chars.peek() == Some(&c) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            _ => chains.extend((!chain.is_empty()).then(|| std::mem::take(&mut chain))),
        }
    }
    chains.extend((!chain.is_empty()).then_some(chain));
    chains
}

/// The columns a trigger's statement names as `NEW.c` or `OLD.c` (`c` backquoted or not).
fn row_columns(statement: &str) -> BTreeSet<String> {
    let lower = statement.to_ascii_lowercase();
    let mut columns = BTreeSet::new();
    for prefix in ["new.", "old."] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(prefix) {
            let start = from + at;
            from = start + prefix.len();
            let boundary = lower[..start]
                .chars()
                .last()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '`'));
            if !boundary {
                continue;
            }
            let rest = &statement[from..];
            let name: String = match rest.strip_prefix('`') {
                Some(quoted) => quoted.split('`').next().unwrap_or_default().to_string(),
                None => rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .collect(),
            };
            if !name.is_empty() {
                columns.insert(name);
            }
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_views_stored_definition_names_its_tables_and_columns() {
        let uses = view_uses(
            "select `shop`.`t`.`id` AS `id`,`shop`.`t`.`legacy` AS `le``gacy` from `shop`.`t` join `other`.`u` where `shop`.`t`.`x` = '`shop`.`t`.`not`'",
            "shop",
        );
        let described: Vec<String> = uses
            .iter()
            .map(|u| format!("{}.{}", u.table.name, u.column.as_deref().unwrap_or("*")))
            .collect();
        assert_eq!(described, ["t.*", "t.id", "t.legacy", "t.x"]);
    }

    #[test]
    fn a_triggers_statement_names_its_rows_columns() {
        let columns = row_columns(
            "BEGIN SET NEW.legacy = COALESCE(new.`le gacy`, OLD.total); SET @renew.x = 1; END",
        );
        assert_eq!(
            columns.into_iter().collect::<Vec<_>>(),
            ["le gacy", "legacy", "total"]
        );
    }

    #[test]
    fn definers_are_quoted_user_and_host() {
        assert_eq!(
            definer_clause("root@127.0.0.1"),
            " DEFINER='root'@'127.0.0.1'"
        );
        assert_eq!(definer_clause("a@b@%"), " DEFINER='a@b'@'%'");
    }
}
