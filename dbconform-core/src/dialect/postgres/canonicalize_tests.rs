//! The probe DDL and putting stored text back, without a database.

use super::*;
use crate::model::{
    Check, Column, ColumnType, GeneratedColumn, Index, IndexColumn, SortOrder, TableDef,
};

fn table() -> TableDef {
    TableDef {
        schema: Some("app".into()),
        name: "Orders".into(),
        columns: vec![
            Column {
                auto_increment: true,
                ..Column::new("id", ColumnType::BigInt)
            },
            Column {
                default: Some("'new'".into()),
                ..Column::new("status", ColumnType::Text)
            },
            Column {
                default: Some("now()".into()),
                ..Column::new("At", ColumnType::TimestampTz)
            },
            Column::new("n", ColumnType::Custom("serial".into())),
            Column {
                generated: Some(GeneratedColumn {
                    expr: "n * 2".into(),
                    stored: true,
                }),
                ..Column::new("twice", ColumnType::Custom("int4".into()))
            },
        ],
        checks: vec![
            Check {
                name: "ck_status".into(),
                expr: "status IN ('new', 'done')".into(),
                not_valid: false,
            },
            Check {
                name: "ck_n".into(),
                expr: "n > 0".into(),
                not_valid: false,
            },
        ],
        indexes: vec![
            Index {
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
                name: "ix_plain".into(),
                columns: vec![IndexColumn::asc("status")],
                unique: false,
                predicate: None,
            },
            Index {
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
                name: "ix_lower".into(),
                columns: vec![
                    IndexColumn {
                        opclass: None,
                        nulls: None,
                        name: "lower(status)".into(),
                        order: SortOrder::Desc,
                        expression: true,
                    },
                    IndexColumn::asc("n"),
                ],
                unique: true,
                predicate: Some("n > 0".into()),
            },
        ],
        ..TableDef::default()
    }
}

#[test]
fn one_temp_table_per_declared_table_with_its_expressions() {
    assert_eq!(
        batch(&[table()]).unwrap(),
        r#"CREATE TEMPORARY TABLE "__dbconform_probe_0" (
  "id" BIGINT,
  "status" TEXT DEFAULT 'new',
  "At" TIMESTAMPTZ DEFAULT (now()),
  "n" INTEGER,
  "twice" int4 GENERATED ALWAYS AS (n * 2) STORED,
  CONSTRAINT "c0" CHECK (status IN ('new', 'done')),
  CONSTRAINT "c1" CHECK (n > 0)
) ON COMMIT DROP;
CREATE INDEX "__dbconform_probe_0_1" ON pg_temp."__dbconform_probe_0" ((lower(status)), "n") WHERE n > 0"#
    );
    let two = batch(&[table(), table()]).unwrap();
    assert_eq!(two.matches("CREATE TEMPORARY TABLE").count(), 2);
    assert!(
        two.contains(r#"CREATE INDEX "__dbconform_probe_1_1" ON pg_temp."__dbconform_probe_1""#)
    );
}

#[test]
fn single_targets_for_error_diagnosis() {
    let t = table();
    assert_eq!(
        Target::all(&t),
        [
            Target::Default(1),
            Target::Default(2),
            Target::Generated(4),
            Target::Check(0),
            Target::Check(1),
            Target::Index(1),
        ]
    );
    let only = statements(3, &t, &[Target::Check(1)]).unwrap();
    assert_eq!(
        only,
        [r#"CREATE TEMPORARY TABLE "__dbconform_probe_3" (
  "id" BIGINT,
  "status" TEXT,
  "At" TIMESTAMPTZ,
  "n" INTEGER,
  "twice" int4,
  CONSTRAINT "c1" CHECK (n > 0)
) ON COMMIT DROP"#]
    );
    assert_eq!(
        Target::Default(2).describe(&t),
        "the default `now()` of column `At`"
    );
    assert_eq!(
        Target::Generated(4).describe(&t),
        "the generation expression `n * 2` of column `twice`"
    );
    assert_eq!(
        Target::Check(0).describe(&t),
        "CHECK `ck_status` (`status IN ('new', 'done')`)"
    );
    assert_eq!(
        Target::Index(1).describe(&t),
        "index `ix_lower` on (lower(status), n) WHERE `n > 0`"
    );
}

#[test]
fn statement_breaking_expressions_are_refused() {
    let mut t = table();
    t.checks[1].expr = "n > 0); DROP TABLE x; --".into();
    assert_eq!(
        batch(&[t]).unwrap_err().to_string(),
        "table `app.Orders`: CHECK `ck_n` (`n > 0); DROP TABLE x; --`) has a `)` without a matching `(`"
    );
}

fn stored(table: &str, kind: StoredKind, name: &str, key: usize, text: &str) -> Stored {
    Stored {
        table: table.into(),
        kind,
        name: name.into(),
        key,
        text: text.into(),
    }
}

#[test]
fn stored_text_replaces_the_declared_expressions() {
    let p = "__dbconform_probe_0";
    let rows = [
        stored(p, StoredKind::Type, "id", 0, "bigint"),
        stored(p, StoredKind::Type, "n", 0, "integer"),
        stored(p, StoredKind::Type, "twice", 0, "integer"),
        stored(p, StoredKind::Default, "status", 0, "'new'::text"),
        stored(p, StoredKind::Default, "At", 0, "now()"),
        stored(p, StoredKind::Generated, "twice", 0, "(n * 2)"),
        stored(
            p,
            StoredKind::Check,
            "c0",
            0,
            "CHECK ((status = ANY (ARRAY['new'::text, 'done'::text])))",
        ),
        stored(p, StoredKind::Check, "c1", 0, "CHECK ((n > 0))"),
        stored(
            "__dbconform_probe_0_1",
            StoredKind::Predicate,
            "__dbconform_probe_0_1",
            0,
            "(n > 0)",
        ),
        stored(
            p,
            StoredKind::Key,
            "__dbconform_probe_0_1",
            1,
            "lower(status)",
        ),
        // Rows that match nothing are ignored.
        stored("__dbconform_probe_9", StoredKind::Default, "x", 0, "1"),
        stored("other", StoredKind::Default, "x", 0, "1"),
        stored(p, StoredKind::Check, "c7", 0, "CHECK (true)"),
        stored(p, StoredKind::Key, "__dbconform_probe_0_1", 5, "x"),
    ];
    let mut rows = rows.to_vec();
    // The predicate row names its table like every other row.
    rows[8].table = p.into();
    let out = apply(&[table()], &rows);
    let t = &out[0];
    assert_eq!(t.columns[0].ty, ColumnType::BigInt);
    // A serial spelling is left to normalization.
    assert_eq!(t.columns[3].ty, ColumnType::Custom("serial".into()));
    assert_eq!(t.columns[4].ty, ColumnType::Integer);
    assert_eq!(t.columns[1].default.as_deref(), Some("'new'::text"));
    assert_eq!(t.columns[2].default.as_deref(), Some("now()"));
    assert_eq!(
        t.columns[4].generated.as_ref().map(|g| g.expr.as_str()),
        Some("(n * 2)")
    );
    assert_eq!(
        t.checks[0].expr,
        "(status = ANY (ARRAY['new'::text, 'done'::text]))"
    );
    assert_eq!(t.checks[1].expr, "(n > 0)");
    assert_eq!(t.indexes[1].predicate.as_deref(), Some("(n > 0)"));
    assert_eq!(t.indexes[1].columns[0].name, "lower(status)");
    assert_eq!(t.indexes[1].columns[1].name, "n");
    // Everything else is the declaration.
    assert_eq!(t.indexes[0], table().indexes[0]);
    assert_eq!(t.name, "Orders");
}
