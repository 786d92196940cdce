//! SQLite views and triggers as [`DependentObject`]s: what their stored SQL uses, the
//! statement that checks a trigger still compiles, and the renaming of identifiers in a
//! table's own expressions (a rebuild made under a table's old column names).
//!
//! SQLite records no dependencies: what an object uses is read from its SQL text with
//! the tokenizer. A name counts as used when a token spells it (quoted or not, ASCII case
//! folded, as SQLite compares names), so the answer may include a column of the same name
//! in another table the object also mentions: it errs on the side of keeping the object.

use super::lex::{Kind, tokenize};
use crate::dependents::{DependentKind, DependentObject, DependentUse};
use crate::dialect::quote_ident_double;
use crate::model::{QualifiedName, TableDef};

/// The identifiers `sql` spells (ASCII lower case), or `None` when it does not tokenize.
fn names(sql: &str) -> Option<Vec<String>> {
    let tokens = tokenize(sql).ok()?;
    let mut out: Vec<String> = tokens
        .iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        .map(|t| t.value().to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// A view or trigger as `sqlite_schema` stores it, with what it uses among `tables` and
/// `views` (names of the other views), and how to drop, recreate and check it.
/// `trigger_columns` are the columns of the table or view a trigger is on, in order.
pub fn object(
    kind: DependentKind,
    name: &str,
    on: &str,
    sql: &str,
    tables: &[TableDef],
    views: &[String],
    trigger_columns: &[String],
) -> DependentObject {
    let main = |n: &str| QualifiedName::with_schema(super::MAIN_SCHEMA, n);
    let spelled = names(sql);
    let mentions = |n: &str| match &spelled {
        Some(spelled) => spelled.binary_search(&n.to_ascii_lowercase()).is_ok(),
        // Text that does not tokenize: assume it mentions everything.
        None => true,
    };
    let mut uses = Vec::new();
    for table in tables {
        let is_on = kind == DependentKind::Trigger && table.name.eq_ignore_ascii_case(on);
        if !(is_on || mentions(&table.name)) {
            continue;
        }
        uses.push(DependentUse {
            table: main(&table.name),
            column: None,
        });
        for column in table.columns.iter().filter(|c| mentions(&c.name)) {
            uses.push(DependentUse {
                table: main(&table.name),
                column: Some(column.name.clone()),
            });
        }
    }
    for view in views {
        let is_on = kind == DependentKind::Trigger && view.eq_ignore_ascii_case(on);
        if !view.eq_ignore_ascii_case(name) && (is_on || mentions(view)) {
            uses.push(DependentUse {
                table: main(view),
                column: None,
            });
        }
    }
    let quoted = quote_ident_double(name);
    let (drop, verify) = match kind {
        DependentKind::Trigger => (
            format!("DROP TRIGGER IF EXISTS {quoted}"),
            trigger_check(sql, on, trigger_columns),
        ),
        _ => (
            format!("DROP VIEW IF EXISTS {quoted}"),
            Some(format!("SELECT * FROM {quoted} LIMIT 0")),
        ),
    };
    DependentObject {
        kind,
        name: main(name),
        on: (kind == DependentKind::Trigger).then(|| main(on)),
        uses,
        create: vec![sql.to_string()],
        drop,
        // A rebuild recreates its table's objects before the renames of its plan run.
        live_definition: None,
        verify,
    }
}

/// A statement whose compilation compiles the trigger (SQLite compiles the triggers a
/// statement fires when it prepares it, and reports a missing column then): `EXPLAIN`
/// of an insert, update or delete on the trigger's table or view, which runs nothing.
fn trigger_check(sql: &str, on: &str, columns: &[String]) -> Option<String> {
    let tokens = tokenize(sql).ok()?;
    let on_at = tokens.iter().position(|t| t.is_kw("ON"))?;
    let event = tokens[..on_at]
        .iter()
        .rposition(|t| t.is_kw("INSERT") || t.is_kw("UPDATE") || t.is_kw("DELETE"))?;
    let table = quote_ident_double(on);
    let statement = if tokens[event].is_kw("INSERT") {
        format!("INSERT INTO {table} DEFAULT VALUES")
    } else if tokens[event].is_kw("DELETE") {
        format!("DELETE FROM {table}")
    } else {
        // `UPDATE OF a, b` fires only when one of its columns is set.
        let of = tokens
            .get(event + 1)
            .filter(|t| t.is_kw("OF"))
            .and_then(|_| tokens.get(event + 2))
            .filter(|t| t.is_name())
            .map(|t| t.value());
        let column = of.or_else(|| columns.first().cloned())?;
        let column = quote_ident_double(&column);
        format!("UPDATE {table} SET {column} = {column}")
    };
    Some(format!("EXPLAIN {statement}"))
}

/// `expr` with every identifier spelled as one of `renames`' first names replaced by
/// the second, quoted (names compared as SQLite does, ASCII case folded). Literals,
/// comments and every other token are kept as written. Text that does not tokenize is
/// returned unchanged.
pub fn rename_identifiers(expr: &str, renames: &[(String, String)]) -> String {
    let Ok(tokens) = tokenize(expr) else {
        return expr.to_string();
    };
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for token in &tokens {
        if !matches!(token.kind, Kind::Word | Kind::Quoted) {
            continue;
        }
        let value = token.value();
        if let Some((_, to)) = renames
            .iter()
            .find(|(from, _)| from.eq_ignore_ascii_case(&value))
        {
            out.push_str(&expr[at..token.start]);
            out.push_str(&quote_ident_double(to));
            at = token.end;
        }
    }
    out.push_str(&expr[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, ColumnType};

    fn t() -> TableDef {
        TableDef {
            name: "T".into(),
            columns: vec![
                Column::new("id", ColumnType::Integer),
                Column::new("a", ColumnType::Text),
                Column::new("b", ColumnType::Text),
            ],
            ..TableDef::default()
        }
    }

    #[test]
    fn a_view_uses_the_columns_it_spells() {
        let v = object(
            DependentKind::View,
            "v",
            "v",
            "CREATE VIEW v AS SELECT \"A\", 'b' FROM t -- b\n",
            &[t()],
            &["v".into()],
            &[],
        );
        let used: Vec<Option<&str>> = v.uses.iter().map(|u| u.column.as_deref()).collect();
        assert_eq!(used, [None, Some("a")]);
        assert_eq!(v.verify.as_deref(), Some("SELECT * FROM \"v\" LIMIT 0"));
    }

    #[test]
    fn triggers_are_checked_by_compiling_what_fires_them() {
        let check = |sql: &str| {
            object(
                DependentKind::Trigger,
                "tr",
                "t",
                sql,
                &[t()],
                &[],
                &["id".into(), "a".into()],
            )
            .verify
        };
        assert_eq!(
            check("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END").as_deref(),
            Some("EXPLAIN INSERT INTO \"t\" DEFAULT VALUES")
        );
        assert_eq!(
            check("CREATE TRIGGER tr BEFORE UPDATE OF \"a\", b ON t BEGIN SELECT 1; END")
                .as_deref(),
            Some("EXPLAIN UPDATE \"t\" SET \"a\" = \"a\"")
        );
        assert_eq!(
            check("CREATE TRIGGER tr UPDATE ON t BEGIN SELECT 1; END").as_deref(),
            Some("EXPLAIN UPDATE \"t\" SET \"id\" = \"id\"")
        );
        assert_eq!(
            check("CREATE TRIGGER tr INSTEAD OF DELETE ON t BEGIN SELECT 1; END").as_deref(),
            Some("EXPLAIN DELETE FROM \"t\"")
        );
    }

    #[test]
    fn identifiers_are_renamed_and_literals_kept() {
        let renames = [("a2".to_string(), "a".to_string())];
        assert_eq!(
            rename_identifiers("length(A2) > 0 AND \"a2\" <> 'a2'", &renames),
            "length(\"a\") > 0 AND \"a\" <> 'a2'"
        );
    }
}
