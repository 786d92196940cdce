//! Differ tests: one per change kind (exact changes), pairing, identifier rules, comments,
//! normalization hook, order and determinism. The dialects are SQLite's and PostgreSQL's
//! rules without normalization (see `testing`), so these pin the generic differ alone.

use super::testing::{LITE, PG, Plain};
use super::*;
use crate::dialect::POSTGRES;
use crate::dialect::fixtures::{col, fk, null, pk, referencing, resolved, table};
use crate::model::{
    Check, ColumnType, FkAction, ForeignKey, GeneratedColumn, Index, IndexColumn, SortOrder,
    UniqueConstraint,
};

fn q(name: &str) -> QualifiedName {
    QualifiedName::with_schema("public", name)
}

fn public(t: TableDef) -> TableDef {
    resolved(t, "public")
}

/// The changes from `actual` to `desired` (one table on each side) under `dialect`.
fn diff_one(dialect: &Plain, schema: &str, desired: TableDef, actual: TableDef) -> Vec<Change> {
    diff_tables(
        &[resolved(desired, schema)],
        &Schema::new(vec![resolved(actual, schema)]),
        dialect,
    )
}

/// PostgreSQL rules.
fn pg(desired: TableDef, actual: TableDef) -> Vec<Change> {
    diff_one(&PG, "public", desired, actual)
}

/// SQLite rules.
fn lite(desired: TableDef, actual: TableDef) -> Vec<Change> {
    diff_one(&LITE, "main", desired, actual)
}

fn unique(name: &str, columns: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        nulls_not_distinct: false,
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
        not_valid: false,
    }
}

fn index(name: &str, columns: &[&str]) -> Index {
    Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: name.into(),
        columns: columns.iter().map(|c| IndexColumn::asc(*c)).collect(),
        unique: false,
        predicate: None,
    }
}

/// `users`: id, email, name; a unique, a check and an index.
fn users() -> TableDef {
    let mut t = table(
        "users",
        vec![
            col("email", ColumnType::Varchar(100)),
            null("name", ColumnType::Text),
        ],
    );
    t.uniques = vec![unique("uq_users_email", &["email"])];
    t.checks = vec![check("ck_users_email", "length(email) > 3")];
    t.indexes = vec![index("ix_users_name", &["name"])];
    t
}

/// `orders` referencing `users`, with `users` on both sides so the target exists. Only
/// the tables are put in `public`: foreign-key targets stay as written.
fn orders_pg(desired: TableDef, actual: TableDef) -> Vec<Change> {
    let in_public = |t: TableDef| TableDef {
        schema: Some("public".into()),
        ..t
    };
    diff_tables(
        &[in_public(desired), public(users())],
        &Schema::new(vec![in_public(actual), public(users())]),
        &PG,
    )
}

#[test]
fn equal_tables_give_no_change() {
    assert_eq!(pg(users(), users()), []);
    assert_eq!(lite(users(), users()), []);
    let empty: Vec<Change> = diff_tables(&[], &Schema::default(), &PG);
    assert_eq!(empty, []);
}

#[test]
fn create_table_carries_the_declaration_and_drop_table_the_reflection() {
    let legacy = public(table("legacy", vec![col("x", ColumnType::Integer)]));
    let changes = diff_tables(&[public(users())], &Schema::new(vec![legacy.clone()]), &PG);
    assert_eq!(
        changes,
        [
            Change::DropTable { table: legacy },
            Change::CreateTable {
                table: public(users())
            },
        ]
    );
}

#[test]
fn unresolved_names_mean_the_target_schema() {
    // A declared table and its foreign-key target without schema: `public`.
    let changes = diff_tables(&[users()], &Schema::default(), &PG);
    assert_eq!(
        changes,
        [Change::CreateTable {
            table: public(users())
        }]
    );
    let orders = referencing("orders", &["users"]);
    assert_eq!(orders_pg(orders.clone(), orders.clone()), []);
    let changes = diff_tables(
        &[orders.clone(), users()],
        &Schema::new(vec![public(orders), public(users())]),
        &PG,
    );
    assert_eq!(changes, []);
}

#[test]
fn add_column() {
    let mut actual = users();
    actual.columns.retain(|c| c.name != "name");
    assert_eq!(
        pg(users(), actual),
        [Change::AddColumn {
            table: q("users"),
            column: null("name", ColumnType::Text),
        }]
    );
}

#[test]
fn drop_column() {
    let mut actual = users();
    actual.columns.push(col("legacy", ColumnType::Text));
    assert_eq!(
        pg(users(), actual),
        [Change::DropColumn {
            table: q("users"),
            column: col("legacy", ColumnType::Text),
        }]
    );
}

/// Every property of a column, each on its own, then two at once.
#[test]
fn alter_column_sets_exactly_the_bits_that_differ() {
    let base = col("c", ColumnType::Text);
    let with = |edit: &dyn Fn(&mut Column)| {
        let mut c = base.clone();
        edit(&mut c);
        c
    };
    let generated = |stored| {
        Some(GeneratedColumn {
            expr: "id + 1".into(),
            stored,
        })
    };
    let cases: Vec<(Column, Column, ColumnChanges)> = vec![
        (
            with(&|c| c.ty = ColumnType::Varchar(100)),
            with(&|c| c.ty = ColumnType::Varchar(320)),
            ColumnChanges {
                ty: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| c.nullable = true),
            base.clone(),
            ColumnChanges {
                nullable: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| c.default = Some("'a'".into())),
            with(&|c| c.default = Some("'b'".into())),
            ColumnChanges {
                default: true,
                ..ColumnChanges::default()
            },
        ),
        (
            base.clone(),
            with(&|c| c.default = Some("'b'".into())),
            ColumnChanges {
                default: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| c.ty = ColumnType::BigInt),
            with(&|c| {
                c.ty = ColumnType::BigInt;
                c.auto_increment = true
            }),
            ColumnChanges {
                auto_increment: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| c.comment = Some("old".into())),
            base.clone(),
            ColumnChanges {
                comment: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| c.collation = Some("C".into())),
            base.clone(),
            ColumnChanges {
                collation: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| c.generated = generated(false)),
            with(&|c| c.generated = generated(true)),
            ColumnChanges {
                generated: true,
                ..ColumnChanges::default()
            },
        ),
        (
            with(&|c| {
                c.ty = ColumnType::Varchar(100);
                c.nullable = true
            }),
            with(&|c| c.ty = ColumnType::Varchar(320)),
            ColumnChanges {
                ty: true,
                nullable: true,
                ..ColumnChanges::default()
            },
        ),
    ];
    for (from, to, changes) in cases {
        assert_eq!(
            pg(table("t", vec![to.clone()]), table("t", vec![from.clone()])),
            [Change::AlterColumn {
                table: q("t"),
                from: from.clone(),
                to: to.clone(),
                changes,
            }],
            "{from:?} -> {to:?}"
        );
        // SQLite stores no comments: a comment alone is never a difference there.
        let expected = if changes.comment {
            Vec::new()
        } else {
            vec![Change::AlterColumn {
                table: QualifiedName::with_schema("main", "t"),
                from: from.clone(),
                to: to.clone(),
                changes,
            }]
        };
        assert_eq!(lite(table("t", vec![to]), table("t", vec![from])), expected);
    }
}

#[test]
fn column_order_is_ignored() {
    let mut actual = users();
    actual.columns.reverse();
    assert_eq!(pg(users(), actual.clone()), []);
    assert_eq!(lite(users(), actual), []);
}

#[test]
fn add_primary_key() {
    let mut actual = users();
    actual.primary_key = None;
    assert_eq!(
        pg(users(), actual),
        [Change::AddPrimaryKey {
            table: q("users"),
            key: PrimaryKey {
                name: None,
                columns: vec!["id".into()],
            },
        }]
    );
}

#[test]
fn drop_primary_key() {
    let mut desired = users();
    desired.primary_key = None;
    let mut actual = users();
    actual.primary_key = Some(PrimaryKey {
        name: Some("users_pkey".into()),
        columns: vec!["id".into()],
    });
    assert_eq!(
        pg(desired, actual.clone()),
        [Change::DropPrimaryKey {
            table: q("users"),
            key: actual.primary_key.clone().unwrap(),
        }]
    );
}

#[test]
fn alter_primary_key_columns_and_declared_name() {
    let named = |name: Option<&str>, columns: &[&str]| PrimaryKey {
        name: name.map(str::to_string),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    };
    let with_key = |key: PrimaryKey| TableDef {
        primary_key: Some(key),
        ..users()
    };
    let alter = |from: PrimaryKey, to: PrimaryKey| {
        vec![Change::AlterPrimaryKey {
            table: q("users"),
            from,
            to,
        }]
    };
    let database = named(Some("users_pkey"), &["id"]);
    // Columns differ (key order counts).
    let wider = named(None, &["id", "email"]);
    assert_eq!(
        pg(with_key(wider.clone()), with_key(database.clone())),
        alter(database.clone(), wider)
    );
    let two = named(None, &["email", "id"]);
    let swapped = named(None, &["id", "email"]);
    assert_eq!(
        pg(with_key(two.clone()), with_key(swapped.clone())),
        alter(swapped, two)
    );
    // An undeclared name is the database's choice.
    assert_eq!(
        pg(with_key(named(None, &["id"])), with_key(database.clone())),
        []
    );
    // A declared name is compared.
    let declared = named(Some("pk_users"), &["id"]);
    assert_eq!(
        pg(with_key(declared.clone()), with_key(database.clone())),
        alter(database, declared.clone())
    );
    // ... under the identifier rules: SQLite folds case, names and columns alike.
    assert_eq!(
        lite(
            with_key(named(Some("PK_Users"), &["ID"])),
            with_key(named(Some("pk_users"), &["id"]))
        ),
        []
    );
    // SQLite reports no name unless the table text has one.
    assert_eq!(
        lite(with_key(declared.clone()), with_key(named(None, &["id"]))),
        vec![Change::AlterPrimaryKey {
            table: QualifiedName::with_schema("main", "users"),
            from: named(None, &["id"]),
            to: declared,
        }]
    );
}

#[test]
fn add_unique() {
    let mut actual = users();
    actual.uniques.clear();
    assert_eq!(
        pg(users(), actual),
        [Change::AddUnique {
            table: q("users"),
            unique: unique("uq_users_email", &["email"]),
        }]
    );
}

#[test]
fn drop_unique() {
    let mut actual = users();
    actual.uniques.push(unique("users_name_key", &["name"]));
    assert_eq!(
        pg(users(), actual),
        [Change::DropUnique {
            table: q("users"),
            unique: unique("users_name_key", &["name"]),
        }]
    );
}

#[test]
fn alter_unique_when_the_same_name_has_other_columns() {
    let mut actual = users();
    actual.uniques = vec![unique("uq_users_email", &["email", "name"])];
    assert_eq!(
        pg(users(), actual),
        [Change::AlterUnique {
            table: q("users"),
            from: unique("uq_users_email", &["email", "name"]),
            to: unique("uq_users_email", &["email"]),
        }]
    );
}

#[test]
fn uniques_pair_by_definition_when_names_differ() {
    // PostgreSQL named it `users_email_key`; the derive calls it `uq_users_email`.
    let mut actual = users();
    actual.uniques = vec![unique("users_email_key", &["email"])];
    assert_eq!(pg(users(), actual), []);
    // SQLite reports unnamed constraints as "".
    let mut actual = users();
    actual.uniques = vec![unique("", &["EMAIL"])];
    assert_eq!(lite(users(), actual), []);
    // Several unnamed ones: each finds its own; the odd one out is dropped, the missing
    // one added.
    let mut desired = users();
    desired.uniques = vec![unique("uq_a", &["email"]), unique("uq_b", &["name"])];
    let mut actual = users();
    actual.uniques = vec![unique("", &["name"]), unique("", &["email"])];
    assert_eq!(lite(desired.clone(), actual), []);
    let mut actual = users();
    actual.uniques = vec![unique("", &["id", "name"]), unique("", &["email"])];
    assert_eq!(
        lite(desired, actual),
        [
            Change::DropUnique {
                table: QualifiedName::with_schema("main", "users"),
                unique: unique("", &["id", "name"]),
            },
            Change::AddUnique {
                table: QualifiedName::with_schema("main", "users"),
                unique: unique("uq_b", &["name"]),
            },
        ]
    );
}

#[test]
fn a_name_pairs_before_a_definition() {
    // `uq_users_email` exists with other columns while an auto-named twin has the
    // declared ones: the name decides (adding it again would clash with the name).
    let mut actual = users();
    actual.uniques = vec![
        unique("uq_users_email", &["name"]),
        unique("users_email_key", &["email"]),
    ];
    assert_eq!(
        pg(users(), actual),
        [
            Change::DropUnique {
                table: q("users"),
                unique: unique("users_email_key", &["email"]),
            },
            Change::AlterUnique {
                table: q("users"),
                from: unique("uq_users_email", &["name"]),
                to: unique("uq_users_email", &["email"]),
            },
        ]
    );
}

fn orders_fk() -> ForeignKey {
    let mut key = fk("fk_orders_users", &["users_id"], "users", &["id"]);
    key.references.schema = Some("public".into());
    key
}

#[test]
fn add_foreign_key() {
    let mut actual = referencing("orders", &["users"]);
    actual.foreign_keys.clear();
    assert_eq!(
        orders_pg(referencing("orders", &["users"]), actual),
        [Change::AddForeignKey {
            table: q("orders"),
            foreign_key: orders_fk(),
        }]
    );
}

#[test]
fn drop_foreign_key() {
    let mut desired = referencing("orders", &["users"]);
    desired.foreign_keys.clear();
    assert_eq!(
        orders_pg(desired, referencing("orders", &["users"])),
        [Change::DropForeignKey {
            table: q("orders"),
            foreign_key: orders_fk(),
        }]
    );
}

#[test]
fn alter_foreign_key_for_each_part_of_its_definition() {
    let edits: [fn(&mut ForeignKey); 6] = [
        |k| k.on_delete = FkAction::Cascade,
        |k| k.on_update = FkAction::SetNull,
        |k| k.columns = vec!["id".into()],
        |k| k.references = QualifiedName::with_schema("public", "orders"),
        |k| k.references = QualifiedName::with_schema("shop", "users"),
        |k| k.referenced_columns = vec!["email".into()],
    ];
    for edit in edits {
        let mut actual = referencing("orders", &["users"]);
        actual.foreign_keys = vec![orders_fk()];
        edit(&mut actual.foreign_keys[0]);
        let from = actual.foreign_keys[0].clone();
        assert_eq!(
            orders_pg(referencing("orders", &["users"]), actual),
            [Change::AlterForeignKey {
                table: q("orders"),
                from,
                to: orders_fk(),
            }]
        );
    }
}

#[test]
fn foreign_keys_pair_by_definition_and_resolve_their_target() {
    let mut actual = referencing("orders", &["users"]);
    actual.foreign_keys[0].name = "orders_users_id_fkey".into();
    assert_eq!(orders_pg(referencing("orders", &["users"]), actual), []);
    // A declared table in `shop` referencing `users` without schema means `public.users`
    // (the target schema), not `shop.users`.
    let mut desired = referencing("orders", &["users"]);
    desired.schema = Some("shop".into());
    let mut actual = resolved(referencing("orders", &["users"]), "public");
    actual.schema = Some("shop".into());
    assert_eq!(
        diff_tables(&[desired.clone()], &Schema::new(vec![actual.clone()]), &PG),
        []
    );
    actual.foreign_keys[0].references.schema = Some("shop".into());
    let changes = diff_tables(&[desired], &Schema::new(vec![actual]), &PG);
    assert_eq!(
        changes.iter().map(Change::describe).collect::<Vec<_>>(),
        ["change foreign key fk_orders_users on shop.orders"]
    );
    // SQLite: unnamed, other case.
    let mut actual = referencing("orders", &["users"]);
    actual.foreign_keys[0].name = String::new();
    actual.foreign_keys[0].columns = vec!["USERS_ID".into()];
    actual.foreign_keys[0].references.name = "Users".into();
    assert_eq!(
        diff_tables(
            &[resolved(referencing("orders", &["users"]), "main")],
            &Schema::new(vec![resolved(actual, "main")]),
            &LITE
        ),
        []
    );
}

#[test]
fn add_check() {
    let mut actual = users();
    actual.checks.clear();
    assert_eq!(
        pg(users(), actual),
        [Change::AddCheck {
            table: q("users"),
            check: check("ck_users_email", "length(email) > 3"),
        }]
    );
}

#[test]
fn drop_check() {
    let mut actual = users();
    actual.checks.push(check("users_name_check", "name <> ''"));
    assert_eq!(
        pg(users(), actual),
        [Change::DropCheck {
            table: q("users"),
            check: check("users_name_check", "name <> ''"),
        }]
    );
}

#[test]
fn alter_check() {
    let mut actual = users();
    actual.checks = vec![check("ck_users_email", "length(email) > 5")];
    assert_eq!(
        pg(users(), actual),
        [Change::AlterCheck {
            table: q("users"),
            from: check("ck_users_email", "length(email) > 5"),
            to: check("ck_users_email", "length(email) > 3"),
        }]
    );
}

#[test]
fn checks_pair_by_definition() {
    let mut actual = users();
    actual.checks = vec![check("users_email_check", "length(email) > 3")];
    assert_eq!(pg(users(), actual), []);
    let mut actual = users();
    actual.checks = vec![check("", "length(email) > 3")];
    assert_eq!(lite(users(), actual), []);
}

#[test]
fn add_index() {
    let mut actual = users();
    actual.indexes.clear();
    assert_eq!(
        pg(users(), actual),
        [Change::AddIndex {
            table: q("users"),
            index: index("ix_users_name", &["name"]),
        }]
    );
}

#[test]
fn drop_index() {
    let mut actual = users();
    actual.indexes.push(index("ix_legacy", &["email", "name"]));
    assert_eq!(
        pg(users(), actual),
        [Change::DropIndex {
            table: q("users"),
            index: index("ix_legacy", &["email", "name"]),
        }]
    );
}

#[test]
fn alter_index_for_each_part_of_its_definition() {
    let edits: [fn(&mut Index); 5] = [
        |i| i.columns = vec![IndexColumn::asc("name"), IndexColumn::asc("email")],
        |i| i.columns[0].order = SortOrder::Desc,
        |i| i.unique = true,
        |i| i.predicate = Some("name IS NOT NULL".into()),
        |i| i.columns[0].expression = true,
    ];
    for edit in edits {
        let mut actual = users();
        edit(&mut actual.indexes[0]);
        let from = actual.indexes[0].clone();
        assert_eq!(
            pg(users(), actual),
            [Change::AlterIndex {
                table: q("users"),
                from,
                to: index("ix_users_name", &["name"]),
            }]
        );
    }
}

#[test]
fn indexes_pair_by_definition_under_identifier_rules() {
    let mut actual = users();
    actual.indexes[0].name = "users_name_idx".into();
    assert_eq!(pg(users(), actual), []);
    // SQLite folds column names, never expression text.
    let mut actual = users();
    actual.indexes[0].columns[0].name = "NAME".into();
    assert_eq!(lite(users(), actual), []);
    let expression = |text: &str| {
        let mut t = users();
        t.indexes[0].columns[0] = IndexColumn {
            opclass: None,
            nulls: None,
            name: text.into(),
            order: SortOrder::Asc,
            expression: true,
        };
        t
    };
    assert_eq!(
        lite(expression("lower(name)"), expression("LOWER(name)")).len(),
        1
    );
    assert_eq!(
        lite(expression("lower(name)"), expression("lower(name)")),
        []
    );
}

#[test]
fn set_table_comment_only_where_comments_are_stored() {
    let mut desired = users();
    desired.comment = Some("People".into());
    let mut actual = users();
    actual.comment = Some("old words".into());
    assert_eq!(
        pg(desired.clone(), actual.clone()),
        [Change::SetTableComment {
            table: q("users"),
            from: Some("old words".into()),
            to: Some("People".into()),
        }]
    );
    assert_eq!(
        pg(users(), actual.clone()),
        [Change::SetTableComment {
            table: q("users"),
            from: Some("old words".into()),
            to: None,
        }]
    );
    assert_eq!(lite(desired, actual), []);
}

#[test]
fn sqlite_identifiers_are_case_insensitive() {
    let mut desired = users();
    desired.name = "Users".into();
    desired.columns[1].name = "Email".into();
    desired.uniques = vec![unique("UQ_Users_Email", &["Email"])];
    let mut actual = users();
    actual.uniques = vec![unique("uq_users_email", &["email"])];
    assert_eq!(lite(desired, actual), []);
}

#[test]
fn postgres_identifiers_are_exact() {
    let mut desired = users();
    desired.name = "Users".into();
    let changes = diff_tables(
        &[public(desired.clone())],
        &Schema::new(vec![public(users())]),
        &PG,
    );
    assert_eq!(
        changes,
        [
            Change::CreateTable {
                table: public(desired)
            },
            Change::DropTable {
                table: public(users())
            },
        ]
    );
    let mut desired = users();
    desired.columns[1].name = "Email".into();
    desired.uniques.clear();
    desired.indexes.clear();
    desired.checks.clear();
    let mut actual = desired.clone();
    actual.columns[1].name = "email".into();
    assert_eq!(
        pg(desired, actual),
        [
            Change::DropColumn {
                table: q("users"),
                column: col("email", ColumnType::Varchar(100)),
            },
            Change::AddColumn {
                table: q("users"),
                column: col("Email", ColumnType::Varchar(100)),
            },
        ]
    );
}

/// Lower-cases custom types and check expressions: a stand-in for a dialect's normal form.
fn lower_case(table: &TableDef) -> TableDef {
    let mut table = table.clone();
    for column in &mut table.columns {
        if let ColumnType::Custom(text) = &column.ty {
            column.ty = ColumnType::Custom(text.to_lowercase());
        }
    }
    for check in &mut table.checks {
        check.expr = check.expr.to_lowercase();
    }
    table
}

static LOWERING: Plain = Plain {
    inner: &POSTGRES,
    normalize: lower_case,
};

#[test]
fn both_sides_are_normalized_and_changes_carry_the_normal_forms() {
    let mut desired = users();
    desired.columns[2] = col("name", ColumnType::Custom("CITEXT".into()));
    desired.checks[0].expr = "LENGTH(email) > 3".into();
    let mut actual = users();
    actual.columns[2] = null("name", ColumnType::Custom("CiText".into()));
    let changes = diff_one(&LOWERING, "public", desired.clone(), actual.clone());
    assert_eq!(
        changes,
        [Change::AlterColumn {
            table: q("users"),
            from: null("name", ColumnType::Custom("citext".into())),
            to: col("name", ColumnType::Custom("citext".into())),
            changes: ColumnChanges {
                nullable: true,
                ..ColumnChanges::default()
            },
        }]
    );
    // Without the normal form, type and check differ too.
    assert_eq!(diff_one(&PG, "public", desired, actual).len(), 2);
}

/// A table where every kind of change happens at once, for the order within a table.
fn everything() -> (TableDef, TableDef) {
    let mut desired = table(
        "t",
        vec![
            col("a", ColumnType::Text),
            col("b", ColumnType::Varchar(10)),
            null("new", ColumnType::BigInt),
        ],
    );
    desired.comment = Some("now".into());
    desired.uniques = vec![unique("uq_t_a", &["a"])];
    desired.foreign_keys = vec![fk("fk_t_new", &["new"], "t", &["id"])];
    desired.checks = vec![check("ck_t_b", "b <> ''")];
    desired.indexes = vec![index("ix_t_b", &["b"])];
    let mut actual = table(
        "t",
        vec![
            col("a", ColumnType::Text),
            col("b", ColumnType::Varchar(5)),
            null("old", ColumnType::BigInt),
        ],
    );
    actual.primary_key = pk(&["id", "a"]);
    actual.uniques = vec![unique("uq_t_old", &["old"])];
    actual.foreign_keys = vec![fk("fk_t_old", &["old"], "t", &["id"])];
    actual.checks = vec![check("ck_t_old", "old > 0")];
    actual.indexes = vec![index("ix_t_old", &["old"])];
    (desired, actual)
}

#[test]
fn changes_within_a_table_come_in_a_fixed_order() {
    let (desired, actual) = everything();
    let described: Vec<String> = pg(desired, actual).iter().map(Change::describe).collect();
    assert_eq!(
        described,
        [
            "drop foreign key fk_t_old on public.t",
            "drop check ck_t_old on public.t",
            "drop index ix_t_old on public.t",
            "drop unique uq_t_old on public.t",
            "drop column public.t.old",
            "add column public.t.new",
            "alter column public.t.b (type)",
            "set comment on table public.t",
            "change primary key on public.t from (id, a) to (id)",
            "add unique uq_t_a on public.t",
            "add check ck_t_b on public.t",
            "add index ix_t_b on public.t",
            "add foreign key fk_t_new on public.t",
        ]
    );
}

#[test]
fn shuffled_inputs_give_identical_changes() {
    let (desired, actual) = everything();
    let mut more_desired = users();
    more_desired
        .uniques
        .push(unique("uq_users_name", &["name"]));
    let mut more_actual = users();
    more_actual.uniques = vec![unique("", &["name"]), unique("", &["id"])];
    more_actual.checks.push(check("", "id > 0"));
    more_actual.checks.push(check("", "id < 10"));
    let desired = vec![
        public(desired),
        public(more_desired),
        public(table("new", vec![])),
    ];
    let actual = vec![
        public(actual),
        public(more_actual),
        public(table("gone", vec![])),
    ];
    let reference = diff_tables(&desired, &Schema::new(actual.clone()), &PG);
    assert_eq!(reference.len(), 19);
    for round in 0..6 {
        let shuffle = |tables: &[TableDef]| {
            let mut tables = tables.to_vec();
            tables.rotate_left(round % 3);
            if round % 2 == 1 {
                tables.reverse();
            }
            for t in &mut tables {
                let n = t.columns.len().max(1);
                t.columns.rotate_left((round % 2 + 1) % n);
                t.uniques.reverse();
                t.checks.reverse();
                t.indexes.reverse();
                t.foreign_keys.reverse();
            }
            tables
        };
        let shuffled = Schema {
            tables: shuffle(&actual),
            ..Schema::default()
        };
        assert_eq!(diff_tables(&shuffle(&desired), &shuffled, &PG), reference);
        assert_eq!(
            diff_tables(&shuffle(&desired), &shuffled, &LITE).len(),
            reference.len() - 1,
            "SQLite has no comment to set"
        );
    }
}

#[test]
fn degenerate_input_never_panics() {
    let mut odd = users();
    odd.name = String::new();
    odd.columns.push(col("", ColumnType::Custom(String::new())));
    odd.columns.push(col("", ColumnType::Text));
    odd.uniques.push(unique("", &[]));
    odd.checks.push(check("", ""));
    odd.indexes.push(Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: String::new(),
        columns: Vec::new(),
        unique: true,
        predicate: Some(String::new()),
    });
    odd.foreign_keys.push(fk("", &[], "", &[]));
    odd.primary_key = pk(&[]);
    let twice = vec![odd.clone(), odd.clone(), users(), users()];
    for dialect in [&PG, &LITE] {
        for (desired, actual) in [
            (twice.clone(), twice.clone()),
            (twice.clone(), vec![]),
            (vec![], twice.clone()),
            (vec![odd.clone()], vec![users()]),
            (vec![users()], vec![odd.clone()]),
        ] {
            let _ = diff_tables(&desired, &Schema::new(actual), dialect);
        }
    }
    // Two declared tables with one key: the first is compared, the other ignored.
    let changes = diff_tables(&[users(), users()], &Schema::default(), &PG);
    assert_eq!(changes.len(), 1);
    // Duplicate reflected columns are each matched at most once.
    let mut doubled = users();
    doubled.columns.push(col("email", ColumnType::Varchar(100)));
    assert_eq!(
        pg(users(), doubled),
        [Change::DropColumn {
            table: q("users"),
            column: col("email", ColumnType::Varchar(100)),
        }]
    );
}

fn unique_index(name: &str, columns: &[&str]) -> Index {
    Index {
        unique: true,
        ..index(name, columns)
    }
}

#[test]
fn a_unique_index_satisfies_a_unique_constraint_and_the_reverse() {
    let mut declared = users();
    let mut found = users();
    found.uniques.clear();
    found
        .indexes
        .push(unique_index("users_email_idx", &["email"]));
    assert_eq!(pg(declared.clone(), found.clone()), []);
    assert_eq!(lite(declared.clone(), found.clone()), []);

    declared.uniques.clear();
    declared
        .indexes
        .push(unique_index("ux_users_email", &["email"]));
    found = users();
    assert_eq!(pg(declared, found), []);
}

#[test]
fn an_undeclared_unique_index_is_dropped_as_an_index() {
    let declared = users();
    let mut found = users();
    found.indexes.push(unique_index("ux_users_name", &["name"]));
    assert_eq!(
        lite(declared, found),
        [Change::DropIndex {
            table: QualifiedName::with_schema("main", "users"),
            index: unique_index("ux_users_name", &["name"])
        }]
    );
}

#[test]
fn a_declared_unique_index_is_added_as_an_index() {
    let mut declared = users();
    declared
        .indexes
        .push(unique_index("ux_users_name", &["name"]));
    assert_eq!(
        pg(declared, users()),
        [Change::AddIndex {
            table: q("users"),
            index: unique_index("ux_users_name", &["name"])
        }]
    );
}

#[test]
fn an_index_that_changes_uniqueness_under_its_name_is_altered() {
    let declared = users();
    let mut found = users();
    found.indexes = vec![unique_index("ix_users_name", &["name"])];
    assert_eq!(
        pg(declared, found),
        [Change::AlterIndex {
            table: q("users"),
            from: unique_index("ix_users_name", &["name"]),
            to: index("ix_users_name", &["name"]),
        }]
    );
}

#[test]
fn a_constraint_and_an_index_sharing_a_name_but_not_a_definition_replace_each_other() {
    let declared = users();
    let mut found = users();
    found.uniques.clear();
    found
        .indexes
        .push(unique_index("uq_users_email", &["email", "name"]));
    assert_eq!(
        pg(declared, found),
        [
            Change::DropIndex {
                table: q("users"),
                index: unique_index("uq_users_email", &["email", "name"])
            },
            Change::AddUnique {
                table: q("users"),
                unique: unique("uq_users_email", &["email"])
            },
        ]
    );
}

/// The differ skips normalizing a table equal to its reflection: that is only sound if
/// a table compared with itself through the full path (normalize both sides, diff) gives
/// no change, for awkward tables too (duplicate and unnamed constraints, a unique index
/// beside a unique constraint on the same columns, expressions, mixed-case names).
#[test]
fn a_table_normalized_and_diffed_against_itself_gives_no_change() {
    use crate::dialect::fixtures::{hostile, products, serial, vendors, with_default};
    use crate::dialect::{Dialect, SQLITE};
    let mut awkward = table(
        "Awkward",
        vec![
            serial("Id"),
            with_default("Flag", ColumnType::Boolean, "(true)"),
            with_default("Qty", ColumnType::Custom("int4".into()), "'0'::integer"),
            null("Code", ColumnType::Varchar(20)),
            null(
                "code2",
                ColumnType::Custom("character varying ( 20 )".into()),
            ),
        ],
    );
    awkward.primary_key = pk(&["Id"]);
    awkward.uniques = vec![
        unique("", &["Code"]),
        unique("", &["Code"]),
        unique("u", &["Id"]),
    ];
    awkward.checks = vec![
        check("", "Qty >= 0"),
        check("", "(qty>=0)"),
        check("c", "1 = 1"),
    ];
    awkward.indexes = vec![
        Index {
            unique: true,
            ..index("ix_code", &["Code"])
        },
        index("ix_code", &["code2"]),
        Index {
            predicate: Some("\"Flag\" = true".into()),
            ..index("ix_flag", &["Flag"])
        },
    ];
    for dialect in [&SQLITE as &dyn Dialect, &POSTGRES] {
        let schema = dialect.effective_schema(None, "public");
        for t in [users(), vendors(), products(), hostile(), awkward.clone()] {
            let t = resolved(t, &schema);
            let names = Names {
                dialect,
                target_schema: "public",
            };
            let normal = dialect.normalize_table(&t);
            let changes = diff_table(&t.qualified_name(), &normal, &normal, names);
            assert_eq!(changes, [], "{} on {}", t.name, dialect.name());
        }
    }
}

#[test]
fn resolved_tables_are_borrowed_and_others_copied_resolved() {
    let names = Names {
        dialect: &PG,
        target_schema: "public",
    };
    let done = public(referencing("orders", &["users"]));
    assert!(matches!(resolved_table(&done, names), Cow::Borrowed(_)));
    // No schema, a foreign-key target without schema, constraints out of order: copied.
    let mut unordered = done.clone();
    unordered.uniques = vec![unique("b", &["x"]), unique("a", &["x"])];
    for t in [referencing("orders", &["users"]), unordered] {
        let r = resolved_table(&t, names);
        assert!(matches!(r, Cow::Owned(_)), "{t:?}");
        assert_eq!(*r, resolve_table(&t, names));
    }
    let mut other = done.clone();
    other.schema = Some("sales".into());
    assert!(matches!(resolved_table(&other, names), Cow::Borrowed(_)));
}

#[test]
fn a_database_named_primary_key_is_equal_only_to_an_unnamed_declared_one() {
    let mut declared = public(table("t", vec![col("id", ColumnType::BigInt)]));
    declared.primary_key = pk(&["id"]);
    let mut found = declared.clone();
    found.primary_key.as_mut().unwrap().name = Some("t_pkey".into());
    assert!(equal_but_for_key_name(&declared, &found));
    assert_eq!(pg(declared.clone(), found.clone()), []);
    // Named in the declaration: the name counts, in the early-out and in the differ.
    let mut named = declared.clone();
    named.primary_key.as_mut().unwrap().name = Some("t_key".into());
    assert!(!equal_but_for_key_name(&named, &found));
    assert!(matches!(
        &pg(named, found.clone())[..],
        [Change::AlterPrimaryKey { .. }]
    ));
    // Other columns in the key, or any other field different: not equal.
    let mut other_key = found.clone();
    other_key.primary_key.as_mut().unwrap().columns = vec!["x".into()];
    assert!(!equal_but_for_key_name(&declared, &other_key));
    let mut other_column = found.clone();
    other_column.columns[0].nullable = true;
    assert!(!equal_but_for_key_name(&declared, &other_column));
    let mut commented = found;
    commented.comment = Some("c".into());
    assert!(!equal_but_for_key_name(&declared, &commented));
    // No key on one side only: not equal.
    let mut keyless = declared.clone();
    keyless.primary_key = None;
    assert!(!equal_but_for_key_name(&declared, &keyless));
    assert!(!equal_but_for_key_name(&keyless, &declared));
}

#[test]
fn given_normal_forms_give_the_changes_computed_ones_give() {
    use crate::dialect::fixtures::{hostile, products, vendors};
    let names = Names {
        dialect: &POSTGRES,
        target_schema: "public",
    };
    let declared: Vec<TableDef> = [users(), vendors(), products(), hostile()]
        .into_iter()
        .map(public)
        .collect();
    // The database: the same tables spelled as PostgreSQL reads them back, and one
    // drifted (a column made nullable).
    let mut found = declared.clone();
    for t in &mut found {
        if let Some(key) = &mut t.primary_key
            && key.name.is_none()
        {
            key.name = Some(format!("{}_pkey", t.name));
        }
        for c in &mut t.columns {
            if c.default.as_deref() == Some("FALSE") {
                c.default = Some("false".into());
            }
        }
    }
    found[1].columns.last_mut().unwrap().nullable ^= true;
    let actual = Schema::new(found);
    let normal: Vec<TableDef> = declared
        .iter()
        .map(|t| POSTGRES.normalize_table(t))
        .collect();
    let given = diff_resolved_normalized(&declared, Some(&normal), &actual, names);
    let computed = diff_resolved(&declared, &actual, names);
    assert_eq!(given, computed);
    assert!(
        matches!(&given[..], [Change::AlterColumn { .. }]),
        "{given:?}"
    );
}

/// The changes from `actual` to `desired` under a real dialect (its normal form and its
/// `assigns_own_ids`).
fn real(dialect: &dyn Dialect, desired: TableDef, actual: TableDef) -> Vec<Change> {
    let schema = dialect.effective_schema(None, "public");
    diff_tables(
        &[resolved(desired, &schema)],
        &Schema::new(vec![resolved(actual, &schema)]),
        dialect,
    )
}

#[test]
fn a_postgres_sequence_default_on_an_integer_key_satisfies_auto_increment() {
    use crate::dialect::fixtures::with_default;
    let declared = table("t", vec![col("name", ColumnType::Text)]);
    for (ty, default) in [
        // pg_dump's spelling; `serial` without the ownership; a shared sequence.
        (ColumnType::Integer, "nextval('t_id_seq'::regclass)"),
        (ColumnType::BigInt, "nextval('public.shared_seq'::regclass)"),
        (ColumnType::Custom("int8".into()), "(NEXTVAL('s'))"),
    ] {
        let mut found = declared.clone();
        found.columns[0] = with_default("id", ty.clone(), default);
        let changes = real(&POSTGRES, declared.clone(), found);
        // The declared key is a BIGINT.
        let same_type = ty != ColumnType::Integer;
        match &changes[..] {
            [] => assert!(same_type, "{ty:?}"),
            // A declared BIGINT on an INTEGER serial: only the type changes, and the
            // target keeps the sequence default.
            [Change::AlterColumn { to, changes, .. }] => {
                assert!(!same_type, "{ty:?}: {changes:?}");
                assert_eq!(changes.names(), ["type"]);
                assert!(!to.auto_increment && to.default.is_some(), "{to:?}");
            }
            other => panic!("{ty:?}: {other:?}"),
        }
    }
    // Not a sequence default, not an integer, not auto-increment declared: compared as
    // before.
    let mut found = declared.clone();
    found.columns[0] = with_default("id", ColumnType::BigInt, "nextval('s') + 1");
    assert!(matches!(
        &real(&POSTGRES, declared.clone(), found)[..],
        [Change::AlterColumn { changes, .. }] if changes.auto_increment && changes.default
    ));
    let mut found = declared.clone();
    found.columns[0] = with_default("id", ColumnType::Text, "nextval('s')");
    assert!(matches!(
        &real(&POSTGRES, declared.clone(), found.clone())[..],
        [Change::AlterColumn { changes, .. }] if changes.ty && changes.auto_increment
    ));
    let mut plain = declared.clone();
    plain.columns[0].auto_increment = false;
    found.columns[0].ty = ColumnType::BigInt;
    assert!(matches!(
        &real(&POSTGRES, plain, found)[..],
        [Change::AlterColumn { changes, .. }] if changes.names() == ["default"]
    ));
}

#[test]
fn a_sqlite_rowid_alias_satisfies_auto_increment() {
    use crate::dialect::SQLITE;
    let declared = table("t", vec![col("name", ColumnType::Text)]);
    // `id INTEGER PRIMARY KEY`, as SQLite reflects it (nullable: the pragma says so).
    let mut found = declared.clone();
    found.columns[0] = null("id", ColumnType::Integer);
    assert_eq!(real(&SQLITE, declared.clone(), found.clone()), []);
    // `INT PRIMARY KEY` is no rowid alias, nor is the key of a WITHOUT ROWID table.
    let mut int = found.clone();
    int.columns[0].ty = ColumnType::Custom("INT".into());
    assert!(matches!(
        &real(&SQLITE, declared.clone(), int)[..],
        [Change::AlterColumn { changes, .. }] if changes.auto_increment
    ));
    let mut without_rowid = found;
    without_rowid.options.without_rowid = true;
    assert!(matches!(
        &real(&SQLITE, declared, without_rowid)[..],
        [Change::AlterColumn { changes, .. }] if changes.auto_increment
    ));
}

/// An index's access method, INCLUDE columns, NULLS NOT DISTINCT, operator classes and
/// NULLS order are part of its definition: the same name with any of them different is a
/// change, and an index of another method is never paired with a declared one by
/// definition.
#[test]
fn index_method_include_nulls_and_opclass_are_part_of_the_definition() {
    use crate::model::NullsOrder;
    let declared = || {
        let mut t = users();
        t.indexes = vec![index("ix_users_email", &["email"])];
        t
    };
    let variants: [fn(&mut Index); 5] = [
        |i| i.method = Some("gist".into()),
        |i| i.include = vec!["name".into()],
        |i| i.nulls_not_distinct = true,
        |i| i.columns[0].opclass = Some("text_pattern_ops".into()),
        |i| i.columns[0].nulls = Some(NullsOrder::First),
    ];
    for variant in variants {
        let mut actual = declared();
        variant(&mut actual.indexes[0]);
        let changes = pg(declared(), actual.clone());
        assert_eq!(
            changes,
            [Change::AlterIndex {
                table: q("users"),
                from: actual.indexes[0].clone(),
                to: declared().indexes[0].clone(),
            }]
        );
        // Under another name the reflected index is another index.
        actual.indexes[0].name = "ix_other".into();
        let kinds: Vec<ChangeKind> = pg(declared(), actual).iter().map(Change::kind).collect();
        assert_eq!(kinds, [ChangeKind::DropIndex, ChangeKind::AddIndex]);
    }
    // A unique GiST-like index, or one with INCLUDE, does not stand for a UNIQUE constraint.
    let mut gist = index("ux", &["email"]);
    gist.unique = true;
    assert!(gist.as_unique_constraint().is_some());
    gist.include = vec!["name".into()];
    assert!(gist.as_unique_constraint().is_none());
}
