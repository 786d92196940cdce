//! Every risk rule: type changes per backend, each change kind, column alterations,
//! rebuilds.

use super::*;
use crate::data::{Effect, Misfit};
use crate::dialect::fixtures::{col, fk, null, table};
use crate::dialect::{POSTGRES, SQLITE};
use crate::model::{
    Check, ColumnType as T, GeneratedColumn, Index, IndexColumn, PrimaryKey, QualifiedName,
    UniqueConstraint,
};

fn decimal(precision: u32, scale: u32) -> T {
    T::Decimal {
        precision: Some(precision),
        scale: Some(scale),
    }
}

const UNCONSTRAINED: T = T::Decimal {
    precision: None,
    scale: None,
};

/// (from, to, class, PostgreSQL rewrites, misfits with their PostgreSQL effect)
type Case = (T, T, TypeClass, bool, Vec<(Misfit, Effect)>);

fn cases() -> Vec<Case> {
    use Effect::{Fails, Lost};
    use TypeClass::{Conversion, Narrowing, Unknown, Widening};
    let longer = |max| vec![(Misfit::Longer { max }, Fails)];
    let outside = |min, max, effect| (Misfit::Outside { min, max }, effect);
    let i16r = (i64::from(i16::MIN), i64::from(i16::MAX));
    let i32r = (i64::from(i32::MIN), i64::from(i32::MAX));
    vec![
        // Text.
        (T::Varchar(10), T::Varchar(20), Widening, false, vec![]),
        (T::Varchar(10), T::Text, Widening, false, vec![]),
        (T::Varchar(20), T::Varchar(10), Narrowing, true, longer(10)),
        (T::Text, T::Varchar(5), Narrowing, true, longer(5)),
        (T::Integer, T::Text, Widening, true, vec![]),
        (T::Json, T::Text, Widening, true, vec![]),
        (T::Integer, T::Varchar(11), Widening, true, vec![]),
        (T::Integer, T::Varchar(5), Narrowing, true, longer(5)),
        (T::Uuid, T::Varchar(36), Widening, true, vec![]),
        (T::Uuid, T::Varchar(20), Narrowing, true, longer(20)),
        (T::Double, T::Varchar(30), Narrowing, true, longer(30)),
        (T::Text, T::Integer, Conversion, true, vec![]),
        (T::Text, T::Json, Conversion, true, vec![]),
        (T::Varchar(36), T::Uuid, Conversion, true, vec![]),
        (T::Blob, T::Text, Conversion, true, vec![]),
        (T::Text, T::Blob, Conversion, true, vec![]),
        // Integers.
        (T::SmallInt, T::Integer, Widening, true, vec![]),
        (T::Integer, T::BigInt, Widening, true, vec![]),
        (
            T::BigInt,
            T::Integer,
            Narrowing,
            true,
            vec![outside(i32r.0, i32r.1, Fails)],
        ),
        (
            T::Integer,
            T::SmallInt,
            Narrowing,
            true,
            vec![outside(i16r.0, i16r.1, Fails)],
        ),
        (T::SmallInt, T::Real, Widening, true, vec![]),
        (T::Integer, T::Double, Widening, true, vec![]),
        (
            T::Integer,
            T::Real,
            Narrowing,
            true,
            vec![outside(-(1 << 24), 1 << 24, Lost)],
        ),
        (
            T::BigInt,
            T::Double,
            Narrowing,
            true,
            vec![outside(-(1 << 53), 1 << 53, Lost)],
        ),
        (T::Integer, decimal(10, 0), Widening, true, vec![]),
        (T::Integer, UNCONSTRAINED, Widening, true, vec![]),
        (
            T::Integer,
            decimal(8, 2),
            Narrowing,
            true,
            vec![(
                Misfit::Digits {
                    digits: 6,
                    scale: 2,
                },
                Fails,
            )],
        ),
        (
            T::Integer,
            T::Boolean,
            Narrowing,
            true,
            vec![outside(0, 1, Lost)],
        ),
        (T::Boolean, T::Integer, Widening, true, vec![]),
        (T::Boolean, T::Double, Conversion, true, vec![]),
        // Floats.
        (T::Real, T::Double, Widening, true, vec![]),
        (
            T::Double,
            T::Real,
            Narrowing,
            true,
            vec![(Misfit::RealPrecision, Lost)],
        ),
        (
            T::Double,
            T::Integer,
            Narrowing,
            true,
            vec![outside(i32r.0, i32r.1, Fails), (Misfit::Fractional, Lost)],
        ),
        (
            T::Real,
            decimal(10, 2),
            Narrowing,
            true,
            vec![
                (
                    Misfit::Digits {
                        digits: 8,
                        scale: 2,
                    },
                    Fails,
                ),
                (Misfit::Scale { scale: 2 }, Lost),
            ],
        ),
        (T::Double, UNCONSTRAINED, Narrowing, true, vec![]),
        // Numerics.
        (decimal(10, 2), decimal(12, 2), Widening, false, vec![]),
        (decimal(10, 2), UNCONSTRAINED, Widening, false, vec![]),
        (decimal(10, 2), decimal(12, 4), Widening, true, vec![]),
        (
            decimal(10, 2),
            decimal(8, 2),
            Narrowing,
            true,
            vec![(
                Misfit::Digits {
                    digits: 6,
                    scale: 2,
                },
                Fails,
            )],
        ),
        (
            decimal(10, 2),
            decimal(10, 1),
            Narrowing,
            true,
            vec![(Misfit::Scale { scale: 1 }, Lost)],
        ),
        (
            decimal(10, 4),
            decimal(10, 2),
            Narrowing,
            true,
            vec![(Misfit::Scale { scale: 2 }, Lost)],
        ),
        (
            UNCONSTRAINED,
            decimal(10, 2),
            Narrowing,
            true,
            vec![
                (
                    Misfit::Digits {
                        digits: 8,
                        scale: 2,
                    },
                    Fails,
                ),
                (Misfit::Scale { scale: 2 }, Lost),
            ],
        ),
        (decimal(9, 0), T::Integer, Widening, true, vec![]),
        (decimal(4, 0), T::SmallInt, Widening, true, vec![]),
        (
            decimal(10, 0),
            T::Integer,
            Narrowing,
            true,
            vec![outside(i32r.0, i32r.1, Fails), (Misfit::Fractional, Lost)],
        ),
        (
            decimal(10, 2),
            T::BigInt,
            Narrowing,
            true,
            vec![
                outside(i64::MIN, i64::MAX, Fails),
                (Misfit::Fractional, Lost),
            ],
        ),
        (decimal(6, 2), T::Real, Widening, true, vec![]),
        (decimal(15, 2), T::Double, Widening, true, vec![]),
        (decimal(20, 2), T::Double, Narrowing, true, vec![]),
        (UNCONSTRAINED, T::Real, Narrowing, true, vec![]),
        // Dates and times.
        (T::Date, T::Timestamp, Widening, true, vec![]),
        (T::Date, T::TimestampTz, Widening, true, vec![]),
        (
            T::Timestamp,
            T::Date,
            Narrowing,
            true,
            vec![(Misfit::HasTime, Lost)],
        ),
        (
            T::TimestampTz,
            T::Date,
            Narrowing,
            true,
            vec![(Misfit::HasTime, Lost)],
        ),
        (T::Timestamp, T::Time, Narrowing, true, vec![]),
        (T::TimestampTz, T::Timestamp, Narrowing, true, vec![]),
        (T::Timestamp, T::TimestampTz, Conversion, true, vec![]),
        (T::Time, T::Timestamp, Conversion, true, vec![]),
        (T::Integer, T::Date, Conversion, true, vec![]),
        (T::Uuid, T::Blob, Conversion, true, vec![]),
        // Custom types.
        (T::Custom("citext".into()), T::Text, Unknown, true, vec![]),
        (T::Text, T::Custom("citext".into()), Unknown, true, vec![]),
    ]
}

#[test]
fn type_changes_follow_the_table_on_postgres() {
    for (from, to, class, rewrite, misfits) in cases() {
        let change = type_change(&from, &to, &POSTGRES);
        assert_eq!(
            (change.class, change.rewrite, &change.misfits),
            (class, rewrite, &misfits),
            "{from:?} → {to:?}"
        );
        let risk = match (class, rewrite) {
            (TypeClass::Narrowing, _) => Risk::Danger,
            (TypeClass::Widening, false) => Risk::Safe,
            _ => Risk::Caution,
        };
        assert_eq!(change.risk(), risk, "{from:?} → {to:?}");
        assert_eq!(
            change.note.is_none(),
            risk == Risk::Safe,
            "{from:?} → {to:?}"
        );
    }
}

#[test]
fn on_sqlite_every_type_change_rewrites_and_misfits_are_kept() {
    let integer = |t: &T| matches!(t, T::SmallInt | T::Integer | T::BigInt);
    let float = |t: &T| matches!(t, T::Real | T::Double);
    for (from, to, class, _, misfits) in cases() {
        let change = type_change(&from, &to, &SQLITE);
        // One storage for every integer type, one for both floats.
        let same_storage = (integer(&from) && integer(&to)) || (float(&from) && float(&to));
        let (class, misfits) = if same_storage {
            (TypeClass::Widening, Vec::new())
        } else {
            (class, misfits)
        };
        // Values are kept as they are, except integers a REAL column turns into floats.
        let effect = if float(&to) {
            Effect::Lost
        } else {
            Effect::Kept
        };
        let kept: Vec<(Misfit, Effect)> = misfits
            .iter()
            .map(|(misfit, _)| (*misfit, effect))
            .collect();
        assert_eq!(
            (change.class, change.rewrite, change.misfits),
            (class, true, kept),
            "{from:?} → {to:?}"
        );
    }
}

#[test]
fn narrowing_notes_say_what_does_not_fit_and_what_happens() {
    let note = |from: T, to: T, dialect: &dyn Dialect| type_change(&from, &to, dialect).note;
    assert_eq!(
        note(T::Text, T::Varchar(5), &POSTGRES).as_deref(),
        Some("narrowing: values longer than 5 characters make the change fail")
    );
    assert_eq!(
        note(T::Double, T::Integer, &POSTGRES).as_deref(),
        Some(
            "narrowing: values outside -2147483648..2147483647 make the change fail, fractional parts change"
        )
    );
    assert_eq!(
        note(T::TimestampTz, T::Timestamp, &POSTGRES).as_deref(),
        Some("narrowing: the time zone of every value is dropped")
    );
    assert_eq!(
        note(T::Text, T::Varchar(5), &SQLITE).as_deref(),
        Some(
            "narrowing: values longer than 5 characters are kept as they are but no longer fit (SQLite does not enforce declared types: they are stored and read back as they are)"
        )
    );
    assert_eq!(
        note(T::Integer, T::BigInt, &POSTGRES).as_deref(),
        Some(
            "widening: every value fits, but the table is rewritten (locked while every row is copied)"
        )
    );
    assert_eq!(
        note(T::BigInt, T::Integer, &SQLITE).as_deref(),
        Some(
            "SQLite stores bigint and integer alike: only the declared type changes, but the table is rebuilt"
        )
    );
    assert_eq!(
        note(T::Text, T::Integer, &POSTGRES).as_deref(),
        Some("converting text to integer: values that do not convert make the change fail")
    );
}

fn users() -> QualifiedName {
    QualifiedName::with_schema("public", "users")
}

fn alter(from: Column, to: Column) -> Change {
    let changes = crate::diff::column_changes(&from, &to, &POSTGRES);
    Change::AlterColumn {
        table: users(),
        from,
        to,
        changes,
    }
}

fn classify(change: &Change) -> (Risk, &'static str, bool) {
    let a = assess(change, &POSTGRES, false);
    (a.risk, a.code, a.shrinks)
}

#[test]
fn column_alterations_take_the_highest_risk_of_their_parts() {
    let email = |ty: T| col("email", ty);
    let cases: Vec<(Column, Column, (Risk, &str, bool))> = vec![
        // Comment, default, DROP NOT NULL: safe.
        (
            email(T::Text),
            Column {
                comment: Some("x".into()),
                ..email(T::Text)
            },
            (Risk::Safe, "DC050", false),
        ),
        (
            email(T::Text),
            Column {
                default: Some("''".into()),
                ..email(T::Text)
            },
            (Risk::Safe, "DC050", false),
        ),
        (
            email(T::Text),
            null("email", T::Text),
            (Risk::Safe, "DC050", false),
        ),
        // SET NOT NULL, identity, collation: caution.
        (
            null("email", T::Text),
            email(T::Text),
            (Risk::Caution, "DC050", false),
        ),
        (
            col("id", T::BigInt),
            Column {
                auto_increment: true,
                ..col("id", T::BigInt)
            },
            (Risk::Caution, "DC050", false),
        ),
        (
            email(T::Text),
            Column {
                collation: Some("C".into()),
                ..email(T::Text)
            },
            (Risk::Caution, "DC050", false),
        ),
        // Types.
        (
            email(T::Varchar(10)),
            email(T::Varchar(20)),
            (Risk::Safe, "DC050", false),
        ),
        (
            col("n", T::Integer),
            col("n", T::BigInt),
            (Risk::Caution, "DC050", false),
        ),
        (
            email(T::Text),
            email(T::Varchar(5)),
            (Risk::Danger, "DC056", true),
        ),
        (
            col("n", T::BigInt),
            col("n", T::Integer),
            (Risk::Danger, "DC056", true),
        ),
        (
            col("n", T::Text),
            col("n", T::Integer),
            (Risk::Caution, "DC057", false),
        ),
        (
            col("n", T::Text),
            col("n", T::Custom("citext".into())),
            (Risk::Caution, "DC057", false),
        ),
        // Narrowing wins over SET NOT NULL and conversion codes.
        (
            null("email", T::Text),
            email(T::Varchar(5)),
            (Risk::Danger, "DC056", true),
        ),
        // Generated columns.
        (
            col("total", T::BigInt),
            generated(col("total", T::BigInt), "a + b"),
            (Risk::Danger, "DC058", true),
        ),
        (
            generated(col("total", T::BigInt), "a + b"),
            generated(col("total", T::BigInt), "a * b"),
            (Risk::Caution, "DC050", false),
        ),
        (
            generated(col("total", T::BigInt), "a + b"),
            col("total", T::BigInt),
            (Risk::Safe, "DC050", false),
        ),
    ];
    for (from, to, expected) in cases {
        let change = alter(from, to);
        assert_eq!(classify(&change), expected, "{}", change.describe());
        assert_eq!(shrinks(&change, &POSTGRES), expected.2);
    }
}

fn generated(column: Column, expr: &str) -> Column {
    Column {
        generated: Some(GeneratedColumn {
            expr: expr.into(),
            stored: true,
        }),
        ..column
    }
}

#[test]
fn alteration_notes_join_the_type_and_the_generation() {
    let change = alter(
        col("total", T::Integer),
        generated(col("total", T::SmallInt), "a + b"),
    );
    let note = assess(&change, &POSTGRES, false).note;
    assert_eq!(
        note.as_deref(),
        Some(
            "narrowing: values outside -32768..32767 make the change fail; the column's values are replaced by the computed ones"
        )
    );
}

#[test]
fn every_other_kind_has_its_code_and_risk() {
    let t = users();
    let index = |unique| Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: "ix".into(),
        columns: vec![IndexColumn::asc("email")],
        unique,
        predicate: None,
    };
    let unique = UniqueConstraint {
        nulls_not_distinct: false,
        name: "uq".into(),
        columns: vec!["email".into()],
    };
    let key = PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    };
    let check = Check {
        name: "ck".into(),
        expr: "id > 0".into(),
        not_valid: false,
    };
    let foreign_key = fk("fk", &["boss_id"], "users", &["id"]);
    let with_default = Column {
        default: Some("0".into()),
        ..col("n", T::Integer)
    };
    let identity = Column {
        auto_increment: true,
        ..col("n", T::BigInt)
    };
    let cases: Vec<(Change, Risk)> = vec![
        (
            Change::CreateSchema {
                schema: "app".into(),
            },
            Risk::Safe,
        ),
        (
            Change::CreateTable {
                table: table("t", vec![]),
            },
            Risk::Safe,
        ),
        (
            Change::DropTable {
                table: table("t", vec![]),
            },
            Risk::Danger,
        ),
        (
            Change::AddColumn {
                table: t.clone(),
                column: null("n", T::Integer),
            },
            Risk::Safe,
        ),
        (
            Change::AddColumn {
                table: t.clone(),
                column: with_default,
            },
            Risk::Safe,
        ),
        (
            Change::AddColumn {
                table: t.clone(),
                column: col("n", T::Integer),
            },
            Risk::Caution,
        ),
        (
            Change::AddColumn {
                table: t.clone(),
                column: identity,
            },
            Risk::Caution,
        ),
        (
            Change::AddColumn {
                table: t.clone(),
                column: generated(null("n", T::Integer), "1"),
            },
            Risk::Caution,
        ),
        (
            Change::DropColumn {
                table: t.clone(),
                column: col("n", T::Integer),
            },
            Risk::Danger,
        ),
        (
            Change::AddPrimaryKey {
                table: t.clone(),
                key: key.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::AlterPrimaryKey {
                table: t.clone(),
                from: key.clone(),
                to: key.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::DropPrimaryKey {
                table: t.clone(),
                key,
            },
            Risk::Caution,
        ),
        (
            Change::AddUnique {
                table: t.clone(),
                unique: unique.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::AlterUnique {
                table: t.clone(),
                from: unique.clone(),
                to: unique.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::DropUnique {
                table: t.clone(),
                unique,
            },
            Risk::Caution,
        ),
        (
            Change::AddForeignKey {
                table: t.clone(),
                foreign_key: foreign_key.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::AlterForeignKey {
                table: t.clone(),
                from: foreign_key.clone(),
                to: foreign_key.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::DropForeignKey {
                table: t.clone(),
                foreign_key,
            },
            Risk::Caution,
        ),
        (
            Change::AddCheck {
                table: t.clone(),
                check: check.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::AlterCheck {
                table: t.clone(),
                from: check.clone(),
                to: check.clone(),
            },
            Risk::Caution,
        ),
        (
            Change::DropCheck {
                table: t.clone(),
                check,
            },
            Risk::Caution,
        ),
        (
            Change::AddIndex {
                table: t.clone(),
                index: index(false),
            },
            Risk::Safe,
        ),
        (
            Change::AddIndex {
                table: t.clone(),
                index: index(true),
            },
            Risk::Caution,
        ),
        (
            Change::AlterIndex {
                table: t.clone(),
                from: index(false),
                to: index(false),
            },
            Risk::Safe,
        ),
        (
            Change::AlterIndex {
                table: t.clone(),
                from: index(false),
                to: index(true),
            },
            Risk::Caution,
        ),
        (
            Change::DropIndex {
                table: t.clone(),
                index: index(false),
            },
            Risk::Safe,
        ),
        (
            Change::DropIndex {
                table: t.clone(),
                index: index(true),
            },
            Risk::Caution,
        ),
        (
            Change::SetTableComment {
                table: t.clone(),
                from: None,
                to: Some("x".into()),
            },
            Risk::Safe,
        ),
    ];
    for (change, risk) in cases {
        let a = assess(&change, &POSTGRES, false);
        assert_eq!(
            (a.risk, a.code, a.shrinks, a.note),
            (risk, change.kind().code(), false, None),
            "{}",
            change.describe()
        );
    }
}

#[test]
fn a_sqlite_rebuild_is_at_least_caution() {
    let change = Change::DropIndex {
        table: users(),
        index: Index {
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
            name: "ix".into(),
            columns: vec![IndexColumn::asc("email")],
            unique: false,
            predicate: None,
        },
    };
    assert_eq!(assess(&change, &SQLITE, false).risk, Risk::Safe);
    assert_eq!(assess(&change, &SQLITE, true).risk, Risk::Caution);
    // Elsewhere "rebuild" only means "no SQL yet": the risk is the change's own.
    assert_eq!(assess(&change, &POSTGRES, true).risk, Risk::Safe);
    let drop = Change::DropColumn {
        table: users(),
        column: col("n", T::Integer),
    };
    assert_eq!(assess(&drop, &SQLITE, true).risk, Risk::Danger);
}

#[test]
fn array_changes_follow_their_elements_and_shape_changes_are_narrowing() {
    use crate::model::ColumnType;
    use crate::plan::Risk;
    let array = |ty: ColumnType| ColumnType::Array(Box::new(ty));
    let wider = type_change(
        &array(ColumnType::Integer),
        &array(ColumnType::BigInt),
        &POSTGRES,
    );
    assert_eq!(wider.class, TypeClass::Widening);
    // PostgreSQL rewrites every array type change.
    assert!(wider.rewrite);
    assert_eq!(wider.risk(), Risk::Caution);
    let text = type_change(
        &array(ColumnType::Varchar(10)),
        &array(ColumnType::Text),
        &POSTGRES,
    );
    assert_eq!(text.class, TypeClass::Widening);
    let shorter = type_change(
        &array(ColumnType::Text),
        &array(ColumnType::Varchar(5)),
        &POSTGRES,
    );
    assert_eq!(shorter.class, TypeClass::Narrowing);
    assert_eq!(shorter.risk(), Risk::Danger);
    // No data question: the checks count scalar values, not elements.
    assert!(shorter.misfits.is_empty());
    let note = shorter.note.unwrap_or_default();
    assert!(note.contains("array elements"), "{note}");
    assert!(note.contains("longer than 5"), "{note}");
    let smaller = type_change(
        &array(ColumnType::BigInt),
        &array(ColumnType::Integer),
        &POSTGRES,
    );
    assert_eq!(smaller.class, TypeClass::Narrowing);
    for (from, to, words) in [
        (
            ColumnType::Text,
            array(ColumnType::Text),
            "one-element array",
        ),
        (array(ColumnType::Text), ColumnType::Text, "text value"),
    ] {
        let change = type_change(&from, &to, &POSTGRES);
        assert_eq!(change.class, TypeClass::Narrowing, "{from:?} -> {to:?}");
        assert_eq!(change.risk(), Risk::Danger);
        let note = change.note.unwrap_or_default();
        assert!(note.contains(words), "{note}");
    }
    let custom = type_change(
        &array(ColumnType::Custom("mood".into())),
        &array(ColumnType::Text),
        &POSTGRES,
    );
    assert_eq!(custom.class, TypeClass::Unknown);
}
