//! Planner tests for tables that exist: policy (drops → drift or steps), risk, reasons,
//! order across tables, determinism and offline snapshots. The dialects are SQLite's and
//! PostgreSQL's rules without normalization (`diff::testing`).

use super::*;
use crate::dialect::fixtures::{col, fk, null, referencing, resolved, table};
use crate::diff::testing::{LITE, PG};
use crate::model::{
    Check, ColumnType, FkAction, ForeignKey, Index, IndexColumn, PrimaryKey, QualifiedName,
    SortOrder, UniqueConstraint,
};
use crate::plan::{ChangeKind, Drift, Risk, Step};

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

/// `users`: id, email, name, boss_id; a unique, a check and an index.
fn users() -> TableDef {
    let mut t = table(
        "users",
        vec![
            col("email", ColumnType::Varchar(100)),
            null("name", ColumnType::Text),
            null("boss_id", ColumnType::BigInt),
        ],
    );
    t.uniques = vec![unique("uq_users_email", &["email"])];
    t.checks = vec![check("ck_users_email", "length(email) > 3")];
    t.indexes = vec![index("ix_users_name", &["name"])];
    t
}

/// A PostgreSQL database holding `tables` in `public`.
fn database(tables: Vec<TableDef>) -> Schema {
    let mut db = Schema::new(tables.into_iter().map(|t| resolved(t, "public")).collect());
    db.schemas = vec!["public".into()];
    db
}

fn plan_with(desired: &[TableDef], actual: &Schema, options: &Options) -> Plan {
    match build_plan(desired, actual, &PG, options) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    }
}

fn described(plan: &Plan) -> Vec<String> {
    plan.steps().iter().map(Step::describe).collect()
}

fn drift_of(plan: &Plan) -> Vec<(String, String)> {
    plan.drift()
        .iter()
        .map(|d| (d.table.to_string(), d.description.clone()))
        .collect()
}

/// Sets one policy flag.
fn with_flag(flag: &str, on: bool) -> Options {
    let mut options = Options::default();
    match flag {
        "allow_drop_extra_tables" => options.allow_drop_extra_tables = on,
        "allow_drop_extra_columns" => options.allow_drop_extra_columns = on,
        "allow_drop_extra_constraints" => options.allow_drop_extra_constraints = on,
        "allow_drop_extra_indexes" => options.allow_drop_extra_indexes = on,
        other => panic!("no flag {other}"),
    }
    options
}

#[test]
fn every_drop_follows_its_policy_flag() {
    struct Case {
        actual: TableDef,
        extra_table: bool,
        flag: &'static str,
        kind: ChangeKind,
        reason: &'static str,
        drift: &'static str,
    }
    let edited = |edit: fn(&mut TableDef)| {
        let mut t = users();
        edit(&mut t);
        t
    };
    let cases = [
        Case {
            actual: table("legacy", vec![]),
            extra_table: true,
            flag: "allow_drop_extra_tables",
            kind: ChangeKind::DropTable,
            reason: "table `public.legacy` exists in the database but is not declared",
            drift: "table exists in the database but is not declared (kept; set allow_drop_extra_tables to drop it)",
        },
        Case {
            actual: edited(|t| t.columns.push(col("legacy", ColumnType::Text))),
            extra_table: false,
            flag: "allow_drop_extra_columns",
            kind: ChangeKind::DropColumn,
            reason: "column `public.users.legacy` (text) exists in the database but is not declared",
            drift: "extra column `legacy` (kept; set allow_drop_extra_columns to drop it)",
        },
        Case {
            actual: edited(|t| {
                t.primary_key = Some(PrimaryKey {
                    name: Some("users_pkey".into()),
                    columns: vec!["id".into()],
                })
            }),
            extra_table: false,
            flag: "allow_drop_extra_constraints",
            kind: ChangeKind::DropPrimaryKey,
            reason: "table `public.users` has primary key `users_pkey` (id) in the database, none is declared",
            drift: "extra primary key `users_pkey` (id) (kept; set allow_drop_extra_constraints to drop it)",
        },
        Case {
            actual: edited(|t| t.uniques.push(unique("users_name_key", &["name"]))),
            extra_table: false,
            flag: "allow_drop_extra_constraints",
            kind: ChangeKind::DropUnique,
            reason: "unique constraint `users_name_key` (name) on `public.users` exists in the database but is not declared",
            drift: "extra unique constraint `users_name_key` (name) (kept; set allow_drop_extra_constraints to drop it)",
        },
        Case {
            actual: edited(|t| {
                t.foreign_keys
                    .push(fk("users_boss_id_fkey", &["boss_id"], "users", &["id"]))
            }),
            extra_table: false,
            flag: "allow_drop_extra_constraints",
            kind: ChangeKind::DropForeignKey,
            reason: "foreign key `users_boss_id_fkey` (boss_id) → `public.users` (id) on `public.users` exists in the database but is not declared",
            drift: "extra foreign key `users_boss_id_fkey` (boss_id) → `public.users` (id) (kept; set allow_drop_extra_constraints to drop it)",
        },
        Case {
            actual: edited(|t| t.checks.push(check("users_name_check", "name <> ''"))),
            extra_table: false,
            flag: "allow_drop_extra_constraints",
            kind: ChangeKind::DropCheck,
            reason: "check `users_name_check` (name <> '') on `public.users` exists in the database but is not declared",
            drift: "extra check `users_name_check` (name <> '') (kept; set allow_drop_extra_constraints to drop it)",
        },
        Case {
            actual: edited(|t| {
                let mut legacy = index("ix_legacy", &["email", "name"]);
                legacy.columns[1].order = SortOrder::Desc;
                t.indexes.push(legacy)
            }),
            extra_table: false,
            flag: "allow_drop_extra_indexes",
            kind: ChangeKind::DropIndex,
            reason: "index `ix_legacy` (email, name DESC) on `public.users` exists in the database but is not declared",
            drift: "extra index `ix_legacy` (email, name DESC) (kept; set allow_drop_extra_indexes to drop it)",
        },
    ];
    for case in cases {
        let mut desired = users();
        if case.kind == ChangeKind::DropPrimaryKey {
            desired.primary_key = None;
        }
        let actual = if case.extra_table {
            database(vec![users(), case.actual])
        } else {
            database(vec![case.actual])
        };
        let table_name = if case.extra_table {
            "public.legacy"
        } else {
            "public.users"
        };

        let refused = plan_with(
            std::slice::from_ref(&desired),
            &actual,
            &with_flag(case.flag, false),
        );
        assert!(refused.is_empty(), "{:?}: {refused}", case.kind);
        assert!(refused.blocked().is_empty());
        assert_eq!(
            drift_of(&refused),
            [(table_name.to_string(), case.drift.to_string())],
            "{:?}",
            case.kind
        );

        let allowed = plan_with(&[desired], &actual, &with_flag(case.flag, true));
        assert!(allowed.drift().is_empty(), "{:?}: {allowed}", case.kind);
        let [step] = allowed.steps() else {
            panic!("{:?}: one step expected:\n{allowed}", case.kind);
        };
        assert_eq!(
            (
                step.kind,
                step.code.as_str(),
                step.risk,
                step.reason.as_str(),
                step.sql.len(),
                step.table.as_ref().map(ToString::to_string)
            ),
            (
                case.kind,
                case.kind.code(),
                // Dropping data is dangerous; dropping a constraint only stops enforcing
                // it; dropping a plain index loses nothing.
                match case.kind {
                    ChangeKind::DropTable | ChangeKind::DropColumn => Risk::Danger,
                    ChangeKind::DropIndex => Risk::Safe,
                    _ => Risk::Caution,
                },
                case.reason,
                0,
                Some(table_name.to_string())
            )
        );
    }
}

/// The one step that turns `actual` into `desired` (both `users`-like tables).
fn single_step(desired: TableDef, actual: TableDef) -> Step {
    let plan = plan_with(&[desired], &database(vec![actual]), &Options::default());
    match plan.steps() {
        [step] => step.clone(),
        _ => panic!("one step expected:\n{plan}"),
    }
}

#[test]
fn steps_on_existing_tables_have_kind_code_risk_reason_and_no_sql() {
    type Edit = fn(&mut TableDef);
    /// How to change the declaration, how to change the database, and the step expected.
    type Row = (
        Edit,
        Edit,
        ChangeKind,
        Risk,
        &'static str,
        Option<&'static str>,
    );
    let cases: [Row; 17] = [
        (
            |t| t.columns.push(null("nick", ColumnType::Text)),
            |_| {},
            ChangeKind::AddColumn,
            Risk::Safe,
            "column `public.users.nick` (text NULL) is declared but does not exist in the database",
            None,
        ),
        (
            |t| t.columns.push(col("age", ColumnType::Integer)),
            |_| {},
            ChangeKind::AddColumn,
            Risk::Caution,
            "column `public.users.age` (integer NOT NULL) is declared but does not exist in the database",
            Some("fails if `public.users` has rows: give `age` a default or make it nullable"),
        ),
        (
            |t| t.columns[1].ty = ColumnType::Varchar(320),
            |_| {},
            ChangeKind::AlterColumn,
            // A longer VARCHAR only changes PostgreSQL's catalog.
            Risk::Safe,
            "column `public.users.email` is varchar(100) in the database, declared varchar(320)",
            None,
        ),
        (
            |t| t.columns[2].nullable = false,
            |t| t.columns[2].default = Some("'x'".into()),
            ChangeKind::AlterColumn,
            Risk::Caution,
            "column `public.users.name` is nullable, default `'x'` in the database, declared NOT NULL, without default",
            Some("fails if `public.users.name` holds NULLs: fill them first"),
        ),
        (
            |t| t.columns[2].comment = Some("Shown to others".into()),
            |_| {},
            ChangeKind::AlterColumn,
            Risk::Safe,
            "column `public.users.name` is without comment in the database, declared commented `Shown to others`",
            None,
        ),
        (
            |_| {},
            |t| t.primary_key = None,
            ChangeKind::AddPrimaryKey,
            Risk::Caution,
            "table `public.users` has no primary key in the database, declared (id)",
            Some("fails if rows share a value of (id) or hold NULLs in it"),
        ),
        (
            |t| t.primary_key.as_mut().unwrap().columns.push("email".into()),
            |_| {},
            ChangeKind::AlterPrimaryKey,
            Risk::Caution,
            "the primary key of `public.users` is (id) in the database, declared (id, email)",
            Some("fails if rows share a value of (id, email) or hold NULLs in it"),
        ),
        (
            |t| t.uniques.push(unique("uq_users_name", &["name"])),
            |_| {},
            ChangeKind::AddUnique,
            Risk::Caution,
            "unique constraint `uq_users_name` (name) on `public.users` is declared but does not exist in the database",
            Some("fails if rows share a value of (name)"),
        ),
        (
            |t| t.uniques[0].columns.push("name".into()),
            |_| {},
            ChangeKind::AlterUnique,
            Risk::Caution,
            "unique constraint `uq_users_email` on `public.users` is (email) in the database, declared (email, name)",
            Some("fails if rows share a value of (email, name)"),
        ),
        (
            |t| {
                t.foreign_keys.push(ForeignKey {
                    on_delete: FkAction::SetNull,
                    ..fk("fk_users_boss", &["boss_id"], "users", &["id"])
                })
            },
            |_| {},
            ChangeKind::AddForeignKey,
            Risk::Caution,
            "foreign key `fk_users_boss` (boss_id) → `public.users` (id) ON DELETE SET NULL on `public.users` is declared but does not exist in the database",
            Some("fails if rows reference values of `public.users` that do not exist"),
        ),
        (
            |t| {
                t.foreign_keys.push(ForeignKey {
                    on_update: FkAction::Cascade,
                    not_valid: false,
                    ..fk("fk_users_boss", &["boss_id"], "users", &["id"])
                })
            },
            |t| {
                t.foreign_keys
                    .push(fk("fk_users_boss", &["boss_id"], "users", &["id"]))
            },
            ChangeKind::AlterForeignKey,
            Risk::Caution,
            "foreign key `fk_users_boss` on `public.users` is (boss_id) → `public.users` (id) in the database, declared (boss_id) → `public.users` (id) ON UPDATE CASCADE",
            Some("fails if rows reference values of `public.users` that do not exist"),
        ),
        (
            |t| t.checks.push(check("ck_users_name", "name <> ''")),
            |_| {},
            ChangeKind::AddCheck,
            Risk::Caution,
            "check `ck_users_name` (name <> '') on `public.users` is declared but does not exist in the database",
            Some("fails if existing rows violate the check"),
        ),
        (
            |t| t.checks[0].expr = "length(email) > 5".into(),
            |_| {},
            ChangeKind::AlterCheck,
            Risk::Caution,
            "check `ck_users_email` on `public.users` is (length(email) > 3) in the database, declared (length(email) > 5)",
            Some("fails if existing rows violate the check"),
        ),
        (
            |t| {
                t.indexes
                    .push(index("ix_users_email_name", &["email", "name"]))
            },
            |_| {},
            ChangeKind::AddIndex,
            Risk::Safe,
            "index `ix_users_email_name` (email, name) on `public.users` is declared but does not exist in the database",
            None,
        ),
        (
            |t| {
                let mut ux = index("ux_users_name", &["name"]);
                ux.unique = true;
                ux.predicate = Some("name IS NOT NULL".into());
                t.indexes.push(ux)
            },
            |_| {},
            ChangeKind::AddIndex,
            Risk::Caution,
            "index `ux_users_name` unique (name) WHERE name IS NOT NULL on `public.users` is declared but does not exist in the database",
            None,
        ),
        (
            |t| t.indexes[0].columns[0].order = SortOrder::Desc,
            |_| {},
            ChangeKind::AlterIndex,
            Risk::Safe,
            "index `ix_users_name` on `public.users` is (name) in the database, declared (name DESC)",
            None,
        ),
        (
            |t| t.comment = Some("People".into()),
            |_| {},
            ChangeKind::SetTableComment,
            Risk::Safe,
            "the comment of table `public.users` is none in the database, declared `People`",
            None,
        ),
    ];
    for (desire, damage, kind, risk, reason, suggestion) in cases {
        let mut desired = users();
        desire(&mut desired);
        let mut actual = users();
        damage(&mut actual);
        let step = single_step(desired, actual);
        assert_eq!(
            (
                step.kind,
                step.code.as_str(),
                step.risk,
                step.reason.as_str(),
                step.suggestion.as_deref(),
                step.sql.len()
            ),
            (kind, kind.code(), risk, reason, suggestion, 0),
            "{kind:?}"
        );
        assert_eq!(
            step.table,
            Some(QualifiedName::with_schema("public", "users"))
        );
    }
}

/// A database and a declaration that need changes across tables: a new column and unique
/// on `users`, a new table referencing them, a new key on `orders` referencing the new
/// table, an undeclared key on `orders`, and two undeclared tables referencing each other
/// in a chain.
fn across_tables() -> (Vec<TableDef>, Schema) {
    let mut users_now = users();
    users_now.columns.retain(|c| c.name != "email");
    users_now.uniques.clear();
    users_now.checks.clear();
    let mut invites = table("invites", vec![col("email", ColumnType::Varchar(100))]);
    invites.foreign_keys = vec![fk("fk_invites_email", &["email"], "users", &["email"])];
    let mut orders = referencing("orders", &["invites"]);
    orders.checks = vec![check("ck_orders_id", "id > 0")];
    let mut orders_now = orders.clone();
    orders_now.foreign_keys = vec![fk("orders_legacy_fkey", &["invites_id"], "legacy", &["id"])];
    orders_now.checks = vec![check("orders_id_check", "id > 1")];
    let legacy = table("legacy", vec![]);
    let legacy_child = referencing("legacy_child", &["legacy"]);
    (
        vec![orders, invites, users()],
        database(vec![users_now, orders_now, legacy_child, legacy]),
    )
}

#[test]
fn steps_across_tables_come_in_dependency_order() {
    let (desired, actual) = across_tables();
    let options = Options {
        allow_drop_extra_tables: true,
        ..Options::default()
    };
    let plan = plan_with(&desired, &actual, &options);
    assert_eq!(
        described(&plan),
        [
            "drop foreign key orders_legacy_fkey on public.orders",
            "drop table public.legacy_child",
            "drop table public.legacy",
            "drop check orders_id_check on public.orders",
            "add check ck_orders_id on public.orders",
            "add column public.users.email",
            "add unique uq_users_email on public.users",
            "add check ck_users_email on public.users",
            "create table public.invites",
            "add foreign key fk_orders_invites on public.orders",
        ]
    );
    // Only the create carries SQL.
    let with_sql: Vec<ChangeKind> = plan
        .steps()
        .iter()
        .filter(|s| !s.sql.is_empty())
        .map(|s| s.kind)
        .collect();
    assert_eq!(with_sql, [ChangeKind::CreateTable]);
    assert!(plan.drift().is_empty(), "{plan}");
    assert_eq!(
        plan.to_sql().lines().nth(3),
        Some("-- step 1: [caution DC105] drop foreign key orders_legacy_fkey on public.orders")
    );
}

#[test]
fn cycle_keys_of_new_tables_carry_sql_keys_of_existing_tables_do_not() {
    let mut c = referencing("c", &["a"]);
    let desired = [
        referencing("a", &["b"]),
        referencing("b", &["a"]),
        c.clone(),
    ];
    c.foreign_keys.clear();
    let plan = plan_with(&desired, &database(vec![c]), &Options::default());
    assert_eq!(
        described(&plan),
        [
            "create table public.a",
            "create table public.b",
            "add foreign key fk_a_b on public.a",
            "add foreign key fk_c_a on public.c",
        ]
    );
    let sql: Vec<usize> = plan.steps().iter().map(|s| s.sql.len()).collect();
    assert_eq!(sql, [1, 1, 1, 0]);
    let risks: Vec<Risk> = plan.steps().iter().map(|s| s.risk).collect();
    assert_eq!(risks, [Risk::Safe, Risk::Safe, Risk::Safe, Risk::Caution]);
}

#[test]
fn undeclared_tables_that_staying_keys_reference_are_kept() {
    let legacy_parent = table("legacy_parent", vec![]);
    let legacy = referencing("legacy", &["legacy_parent"]);
    let orders = referencing("orders", &["legacy"]);
    let drop_tables = Options {
        allow_drop_extra_tables: true,
        ..Options::default()
    };
    // A declared key references `legacy`, which references `legacy_parent`.
    let actual = database(vec![orders.clone(), legacy.clone(), legacy_parent.clone()]);
    let plan = plan_with(std::slice::from_ref(&orders), &actual, &drop_tables);
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(
        drift_of(&plan),
        [
            (
                "public.legacy".to_string(),
                "table exists in the database but is not declared (kept: foreign key `fk_orders_legacy` of `public.orders` references it)".to_string()
            ),
            (
                "public.legacy_parent".to_string(),
                "table exists in the database but is not declared (kept: foreign key `fk_legacy_legacy_parent` of `public.legacy` references it)".to_string()
            ),
        ]
    );
    // An undeclared key the policy keeps holds its target too.
    let desired = TableDef {
        foreign_keys: Vec::new(),
        ..orders.clone()
    };
    let keep_constraints = Options {
        allow_drop_extra_constraints: false,
        ..drop_tables.clone()
    };
    let plan = plan_with(std::slice::from_ref(&desired), &actual, &keep_constraints);
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(plan.drift().len(), 3);
    // Once that key may go, everything undeclared goes, referencing tables first.
    let plan = plan_with(&[desired], &actual, &drop_tables);
    assert_eq!(
        described(&plan),
        [
            "drop foreign key fk_orders_legacy on public.orders",
            "drop table public.legacy",
            "drop table public.legacy_parent",
        ]
    );
    assert!(plan.drift().is_empty());
}

#[test]
fn same_inputs_in_any_order_give_the_same_plan_for_existing_tables() {
    let (desired, actual) = across_tables();
    for options in [
        Options::default(),
        Options {
            allow_drop_extra_tables: true,
            allow_drop_extra_columns: true,
            ..Options::default()
        },
    ] {
        let reference = plan_with(&desired, &actual, &options);
        for round in 0..6 {
            let mut tables = desired.clone();
            tables.rotate_left(round % 3);
            let mut found = actual.clone();
            found.tables.rotate_left(round % 4);
            if round % 2 == 0 {
                tables.reverse();
                found.tables.reverse();
            }
            // Column order is ignored when comparing; it is kept in what a step carries
            // whole (a table to create, a reflected table to drop).
            for t in &mut found.tables {
                if t.name == "orders" || t.name == "users" {
                    t.columns.reverse();
                }
            }
            for t in tables.iter_mut().chain(found.tables.iter_mut()) {
                t.foreign_keys.reverse();
                t.checks.reverse();
            }
            let again = plan_with(&tables, &found, &options);
            assert_eq!(again, reference);
            assert_eq!(again.to_string(), reference.to_string());
        }
    }
}

#[test]
fn snapshots_diff_offline_like_a_live_compare() {
    let (desired, actual) = across_tables();
    let declared = Schema::new(desired.clone());
    let options = Options {
        allow_drop_extra_tables: true,
        ..Options::default()
    };
    let direct = plan_with(&desired, &actual, &options);
    let json = |schema: &Schema| match serde_json::to_string_pretty(schema) {
        Ok(text) => text,
        Err(e) => panic!("{e}"),
    };
    let read = |text: &str| -> Schema {
        match serde_json::from_str(text) {
            Ok(schema) => schema,
            Err(e) => panic!("{e}"),
        }
    };
    let offline = diff_snapshots(
        &read(&json(&declared)),
        &read(&json(&actual)),
        &PG,
        &options,
    )
    .unwrap();
    assert_eq!(offline, direct);
    assert_eq!(
        diff_snapshots(&declared, &actual, &PG, &options).unwrap(),
        direct
    );
    // The plan itself round-trips too.
    let text = serde_json::to_string(&direct).unwrap();
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, direct);
    // Snapshots of a database against itself: nothing to do.
    let same = diff_snapshots(&actual, &actual, &PG, &options).unwrap();
    assert!(same.is_empty() && same.drift().is_empty(), "{same}");
}

#[test]
fn a_plan_with_only_drift_is_empty() {
    let mut actual = users();
    actual.columns.push(col("legacy", ColumnType::Text));
    let plan = plan_with(&[users()], &database(vec![actual]), &Options::default());
    assert!(plan.is_empty());
    assert_eq!(
        plan.to_sql(),
        "-- dbconform plan (postgres): 1 kept as drift\n"
    );
    assert_eq!(
        plan.to_string(),
        "Nothing to do: the database conforms (1 kept as drift).\n\nKept as drift (in the database, not declared):\n  - public.users: extra column `legacy` (kept; set allow_drop_extra_columns to drop it)\n"
    );
    assert_eq!(
        plan.drift(),
        [Drift {
            table: QualifiedName::with_schema("public", "users"),
            description: "extra column `legacy` (kept; set allow_drop_extra_columns to drop it)"
                .into(),
        }]
    );
}

#[test]
fn sqlite_plans_use_its_identifier_and_comment_rules() {
    let mut desired = users();
    desired.name = "Users".into();
    desired.comment = Some("People".into());
    desired.columns[1].comment = Some("Where we write".into());
    desired.columns[2].name = "NAME".into();
    desired.indexes[0].columns[0].name = "NAME".into();
    let mut actual = users();
    actual.columns.push(null("legacy", ColumnType::Text));
    let mut db = Schema::new(vec![resolved(actual, "main")]);
    db.schemas = vec!["main".into()];
    let plan = match build_plan(&[desired], &db, &LITE, &Options::default()) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    };
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(
        drift_of(&plan),
        [(
            "main.Users".to_string(),
            "extra column `legacy` (kept; set allow_drop_extra_columns to drop it)".to_string()
        )]
    );
}

#[test]
fn odd_existing_tables_never_panic() {
    let mut odd = users();
    odd.columns.push(col("", ColumnType::Custom(String::new())));
    odd.uniques.push(unique("", &[]));
    odd.checks.push(check("", ""));
    odd.foreign_keys.push(fk("", &[""], "", &[]));
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
    odd.primary_key = None;
    let mut nameless = table("", vec![]);
    nameless.schema = Some(String::new());
    let all = Options {
        allow_drop_extra_tables: true,
        allow_drop_extra_columns: true,
        ..Options::default()
    };
    for options in [Options::default(), all] {
        for dialect in [&PG as &dyn Dialect, &LITE] {
            for actual in [
                vec![odd.clone()],
                vec![odd.clone(), nameless.clone()],
                vec![nameless.clone(), users()],
            ] {
                let db = Schema::new(actual);
                let _ = build_plan(&[users()], &db, dialect, &options);
                let _ = build_plan(&[], &db, dialect, &options);
                let _ = diff_snapshots(&db, &db, dialect, &options);
            }
        }
    }
}

#[test]
fn thousands_of_existing_tables_diff_in_one_pass() {
    let n = 2_000;
    let desired: Vec<TableDef> = (0..n)
        .map(|i| table(&format!("t{i:04}"), vec![col("v", ColumnType::Varchar(20))]))
        .collect();
    let actual = database(
        (0..n)
            .map(|i| table(&format!("t{i:04}"), vec![col("v", ColumnType::Varchar(10))]))
            .collect(),
    );
    let started = std::time::Instant::now();
    let plan = plan_with(&desired, &actual, &Options::default());
    let elapsed = started.elapsed();
    assert_eq!(plan.steps().len(), n);
    assert!(
        plan.steps()
            .iter()
            .all(|s| s.kind == ChangeKind::AlterColumn)
    );
    assert_eq!(
        plan.steps()[0].describe(),
        "alter column public.t0000.v (type)"
    );
    // Generous bound for an unoptimized build on a slow machine; quadratic work would not
    // fit in it.
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

#[test]
fn a_declaration_against_itself_is_empty_on_every_dialect() {
    use crate::dialect::fixtures::{hostile, products, vendors};
    for dialect in crate::dialect::all() {
        let schema = dialect.effective_schema(None, "public");
        let products = if dialect.name() == "sqlite" {
            crate::dialect::fixtures::sqlite_declarable(products())
        } else {
            products()
        };
        let mut declared = [products, vendors(), hostile(), users()];
        if dialect.name() == crate::dialect::MYSQL.name() {
            declared = declared.map(crate::dialect::mysql::tests_support::declarable);
        }
        let mut db = Schema::new(
            declared
                .iter()
                .map(|t| resolved(t.clone(), &schema))
                .collect(),
        );
        db.schemas = vec![schema.clone()];
        let plan = match build_plan(&declared, &db, dialect, &Options::default()) {
            Ok(plan) => plan,
            Err(e) => panic!("{}: {e}", dialect.name()),
        };
        assert!(
            plan.is_empty() && plan.drift().is_empty(),
            "{}:\n{plan}",
            dialect.name()
        );
    }
}

#[test]
fn undeclared_columns_that_kept_constraints_use_are_kept() {
    let drop_columns = Options {
        allow_drop_extra_columns: true,
        allow_drop_extra_constraints: false,
        ..Options::default()
    };
    let desired = users();
    // `legacy` is used by an undeclared index; `old_code` by an undeclared check;
    // `spare` by nothing.
    let mut found = users();
    found.columns.push(null("legacy", ColumnType::Text));
    found.columns.push(null("old_code", ColumnType::Text));
    found.columns.push(null("spare", ColumnType::Text));
    found.indexes.push(index("ix_legacy", &["legacy"]));
    found.checks.push(check("ck_old_code", "old_code <> ''"));
    let actual = database(vec![found]);

    let plan = plan_with(std::slice::from_ref(&desired), &actual, &drop_columns);
    assert_eq!(described(&plan), ["drop column public.users.spare"]);
    let mut drift: Vec<String> = drift_of(&plan).into_iter().map(|(_, d)| d).collect();
    drift.sort();
    assert_eq!(
        drift,
        [
            "extra check `ck_old_code` (old_code <> '') (kept; set allow_drop_extra_constraints to drop it)",
            "extra column `legacy` (kept: index `ix_legacy` uses it and set allow_drop_extra_indexes to drop it)",
            "extra column `old_code` (kept: check `ck_old_code` uses it and set allow_drop_extra_constraints to drop it)",
            "extra index `ix_legacy` (legacy) (kept; set allow_drop_extra_indexes to drop it)",
        ]
    );

    // Once constraints and indexes may go too, the index, the check and every column go.
    let drop_all = Options {
        allow_drop_extra_constraints: true,
        allow_drop_extra_indexes: true,
        ..drop_columns
    };
    let plan = plan_with(&[desired], &actual, &drop_all);
    let mut steps = described(&plan);
    steps.sort();
    assert_eq!(
        steps,
        [
            "drop check ck_old_code on public.users",
            "drop column public.users.legacy",
            "drop column public.users.old_code",
            "drop column public.users.spare",
            "drop index ix_legacy on public.users",
        ]
    );
    assert!(plan.drift().is_empty(), "{plan}");
}

#[test]
fn undeclared_constraints_over_a_kept_column_are_kept() {
    // `name` left the declaration (renamed without `renamed_from`, say): the column stays
    // as drift, and so do the unique, indexes, check and foreign key over it or over
    // another kept column, although the options allow dropping them. An index over
    // declared columns only still goes.
    let mut desired = users();
    desired.columns.retain(|c| c.name != "name");
    desired.indexes.clear();
    let mut found = users();
    found.columns.push(null("boss", ColumnType::BigInt));
    found.uniques.push(unique("uq_name", &["name"]));
    found
        .indexes
        .push(index("ix_boss_id_name", &["boss_id", "name"]));
    found.indexes.push(index("ix_boss_id", &["boss_id"]));
    found.checks.push(check("ck_name", "name <> ''"));
    found
        .foreign_keys
        .push(fk("fk_boss", &["boss"], "users", &["id"]));
    let actual = database(vec![found]);
    let options = Options {
        allow_drop_extra_indexes: true,
        ..Options::default()
    };
    let plan = plan_with(std::slice::from_ref(&desired), &actual, &options);
    assert_eq!(described(&plan), ["drop index ix_boss_id on public.users"]);
    let mut drift: Vec<String> = drift_of(&plan).into_iter().map(|(_, d)| d).collect();
    drift.sort();
    assert_eq!(
        drift,
        [
            "extra check `ck_name` (name <> '') (kept: it uses column `name`, which is kept)",
            "extra column `boss` (kept; set allow_drop_extra_columns to drop it)",
            "extra column `name` (kept; set allow_drop_extra_columns to drop it)",
            "extra foreign key `fk_boss` (boss) → `public.users` (id) (kept: it uses column `boss`, which is kept)",
            "extra index `ix_boss_id_name` (boss_id, name) (kept: it uses column `name`, which is kept)",
            "extra index `ix_users_name` (name) (kept: it uses column `name`, which is kept)",
            "extra unique constraint `uq_name` (name) (kept: it uses column `name`, which is kept)",
        ]
    );

    // Once the columns may go, everything over them goes too.
    let drop_all = Options {
        allow_drop_extra_columns: true,
        ..options
    };
    let plan = plan_with(&[desired], &actual, &drop_all);
    assert!(plan.drift().is_empty(), "{plan}");
    assert_eq!(plan.steps().len(), 8, "{plan}");
}
