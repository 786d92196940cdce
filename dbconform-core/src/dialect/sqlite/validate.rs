//! SQLite's own rules, on top of the shared ones.

use super::{MAIN_SCHEMA, Sqlite};
use crate::dialect::Dialect;
use crate::dialect::validate::{common, invalid, no_arrays};
use crate::error::Result;
use crate::model::{ColumnType, Index, TableDef};

/// The shared rules, then: the table (and every table it references) is in `main`, and
/// auto-increment is only on a single-column integer primary key.
pub(super) fn table(dialect: &Sqlite, table: &TableDef) -> Result<()> {
    common(dialect, table)?;
    if let Some(schema) = &table.schema
        && !schema.eq_ignore_ascii_case(MAIN_SCHEMA)
    {
        return Err(invalid(
            table,
            format!(
                "schema `{schema}` is not supported on SQLite, where every table lives in `main`; remove the schema from the table"
            ),
        ));
    }
    for fk in &table.foreign_keys {
        if let Some(schema) = &fk.references.schema
            && !schema.eq_ignore_ascii_case(MAIN_SCHEMA)
        {
            return Err(invalid(
                table,
                format!(
                    "foreign key `{}` references `{}` in schema `{schema}`; SQLite foreign keys can only reference tables in `main`: remove the schema from the reference",
                    fk.name, fk.references
                ),
            ));
        }
    }
    // JSON is TEXT on SQLite (`types.rs`).
    no_arrays(dialect, table, "TEXT")?;
    for index in &table.indexes {
        indexes(table, index)?;
    }
    if let Some(unique) = table.uniques.iter().find(|u| u.nulls_not_distinct) {
        return Err(invalid(
            table,
            format!(
                "unique constraint `{}` is NULLS NOT DISTINCT, which SQLite does not have (a UNIQUE key there allows any number of NULLs); remove `nulls_not_distinct`, or make its columns NOT NULL",
                unique.name
            ),
        ));
    }
    // sqlx has no `Decode<Sqlite>` for rust_decimal (on purpose, see sqlx-sqlite's
    // `types` docs): SQLite's NUMERIC affinity turns a decimal into a 64-bit float, which
    // keeps 15 significant digits. A NUMERIC column would silently round what an
    // application chose an exact type to keep, and could not be read back as declared.
    if let Some(column) = table
        .columns
        .iter()
        .find(|c| matches!(c.ty, ColumnType::Decimal { .. }))
    {
        return Err(invalid(
            table,
            format!(
                "column `{}` is a Decimal, which SQLite stores as NUMERIC: it keeps only 15 significant digits, and sqlx cannot read a Decimal from SQLite; declare it `#[column(sql_type = \"TEXT\")]` (exact; read and bind it as `sqlx::types::Text<Decimal>`) or make the field an `f64`",
                column.name
            ),
        ));
    }
    for column in table.columns.iter().filter(|c| c.auto_increment) {
        let pk_columns = table
            .primary_key
            .as_ref()
            .map(|pk| pk.columns.as_slice())
            .unwrap_or(&[]);
        let is_whole_key =
            pk_columns.len() == 1 && dialect.same_identifier(&pk_columns[0], &column.name);
        if !is_whole_key {
            return Err(invalid(
                table,
                format!(
                    "column `{name}` is auto-increment, but SQLite only allows AUTOINCREMENT on a table's single INTEGER PRIMARY KEY column; set `auto_increment = false` or make `{name}` the only primary-key column",
                    name = column.name
                ),
            ));
        }
    }
    Ok(())
}

/// What SQLite's `CREATE INDEX` cannot say: another access method than its B-tree,
/// operator classes, `NULLS FIRST/LAST`, `INCLUDE` and `NULLS NOT DISTINCT` (all
/// PostgreSQL's).
fn indexes(table: &TableDef, index: &Index) -> Result<()> {
    let refused = |message: String| Err(invalid(table, message));
    let name = &index.name;
    if let Some(method) = index
        .method
        .as_deref()
        .filter(|m| !m.trim().eq_ignore_ascii_case("btree"))
    {
        return refused(format!(
            "index `{name}` uses access method `{method}`, but SQLite indexes are B-trees only; remove `method` from the index declaration (or write `method = \"btree\"`)"
        ));
    }
    let unsupported = |what: String| {
        refused(format!(
            "index `{name}` {what}, which SQLite indexes do not support; remove it from the index declaration"
        ))
    };
    if !index.include.is_empty() {
        return unsupported(format!(
            "has INCLUDE columns ({})",
            index.include.join(", ")
        ));
    }
    if index.nulls_not_distinct {
        return unsupported("is NULLS NOT DISTINCT".into());
    }
    for key in &index.columns {
        if let Some(opclass) = &key.opclass {
            return unsupported(format!(
                "gives key `{}` operator class `{opclass}`",
                key.name
            ));
        }
        if let Some(nulls) = key.nulls {
            return unsupported(format!("gives key `{}` {}", key.name, nulls.as_sql()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::dialect::fixtures::{col, fk, pk, serial, table};
    use crate::dialect::{Dialect, SQLITE};
    use crate::model::{ColumnType, QualifiedName, TableDef};

    fn message(table: &TableDef) -> String {
        match SQLITE.validate_table(table) {
            Ok(()) => panic!("accepted {table:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn tables_live_in_main() {
        let mut t = table("t", vec![]);
        for ok in [None, Some("main"), Some("MAIN")] {
            t.schema = ok.map(str::to_string);
            assert!(SQLITE.validate_table(&t).is_ok());
        }
        t.schema = Some("billing".into());
        assert_eq!(
            message(&t),
            "table `billing.t`: schema `billing` is not supported on SQLite, where every table lives in `main`; remove the schema from the table"
        );
        assert_eq!(SQLITE.effective_schema(None, "public"), "main");
        assert_eq!(SQLITE.effective_schema(Some("Main"), "public"), "main");
        assert_eq!(
            SQLITE.effective_schema(Some("billing"), "public"),
            "billing"
        );
    }

    #[test]
    fn foreign_keys_reference_main() {
        let mut t = table("t", vec![col("u_id", ColumnType::BigInt)]);
        t.foreign_keys = vec![fk("fk_t_u", &["u_id"], "u", &["id"])];
        t.foreign_keys[0].references = QualifiedName::with_schema("other", "u");
        assert_eq!(
            message(&t),
            "table `t`: foreign key `fk_t_u` references `other.u` in schema `other`; SQLite foreign keys can only reference tables in `main`: remove the schema from the reference"
        );
    }

    #[test]
    fn autoincrement_only_on_the_single_integer_primary_key() {
        let expected = "table `t`: column `id` is auto-increment, but SQLite only allows AUTOINCREMENT on a table's single INTEGER PRIMARY KEY column; set `auto_increment = false` or make `id` the only primary-key column";
        let mut composite = table("t", vec![col("k", ColumnType::Text)]);
        composite.primary_key = pk(&["id", "k"]);
        assert_eq!(message(&composite), expected);
        let mut no_key = table("t", vec![]);
        no_key.primary_key = None;
        assert_eq!(message(&no_key), expected);
        let mut other_key = table("t", vec![col("k", ColumnType::Text)]);
        other_key.primary_key = pk(&["k"]);
        assert_eq!(message(&other_key), expected);
        // The key may name the column in another case: SQLite identifiers are case-insensitive.
        let mut cased = table("t", vec![]);
        cased.primary_key = pk(&["ID"]);
        assert!(SQLITE.validate_table(&cased).is_ok());
        // Two auto-increment columns cannot both be the key.
        let mut two = table("t", vec![serial("other")]);
        two.primary_key = pk(&["id"]);
        assert_eq!(
            message(&two),
            "table `t`: column `other` is auto-increment, but SQLite only allows AUTOINCREMENT on a table's single INTEGER PRIMARY KEY column; set `auto_increment = false` or make `other` the only primary-key column"
        );
    }

    /// SQLite indexes are B-trees without PostgreSQL's options: each is refused, naming the
    /// table and the index.
    #[test]
    fn indexes_are_plain_btrees() {
        use crate::model::{Index, IndexColumn, NullsOrder};
        let with = |change: fn(&mut Index)| {
            let mut index = Index {
                name: "ix_t_a".into(),
                columns: vec![IndexColumn::asc("a")],
                unique: false,
                predicate: None,
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
            };
            change(&mut index);
            let mut t = table("t", vec![col("a", ColumnType::Text)]);
            t.indexes = vec![index];
            t
        };
        assert!(SQLITE.validate_table(&with(|_| {})).is_ok());
        assert!(
            SQLITE
                .validate_table(&with(|i| i.method = Some("BTree".into())))
                .is_ok()
        );
        assert_eq!(
            message(&with(|i| i.method = Some("gist".into()))),
            "table `t`: index `ix_t_a` uses access method `gist`, but SQLite indexes are B-trees only; remove `method` from the index declaration (or write `method = \"btree\"`)"
        );
        assert_eq!(
            message(&with(|i| i.include = vec!["b".into()])),
            "table `t`: index `ix_t_a` has INCLUDE columns (b), which SQLite indexes do not support; remove it from the index declaration"
        );
        assert_eq!(
            message(&with(|i| i.nulls_not_distinct = true)),
            "table `t`: index `ix_t_a` is NULLS NOT DISTINCT, which SQLite indexes do not support; remove it from the index declaration"
        );
        assert!(
            message(&with(|i| i.columns[0].opclass = Some("x_ops".into())))
                .contains("operator class `x_ops`")
        );
        assert!(
            message(&with(|i| i.columns[0].nulls = Some(NullsOrder::Last))).contains("NULLS LAST")
        );
    }
}
