//! Data questions of each data-dependent step, and how answers refine a plan; the
//! policy's blocking of shrinks and of steps needing blocked ones.

use super::*;
use crate::dialect::fixtures::{col, fk, null, resolved, table, with_default};
use crate::diff::testing::{LITE, PG};
use crate::model::{Check, ColumnType, Index, Schema, TableDef, UniqueConstraint};
use crate::options::Options;
use crate::plan::{ChangeKind, Risk};
use crate::planner::build_plan;

fn name(table: &str) -> QualifiedName {
    QualifiedName::with_schema("public", table)
}

/// `users`: id, email (varchar 100), name (nullable text), boss_id (nullable bigint).
fn users() -> TableDef {
    table(
        "users",
        vec![
            col("email", ColumnType::Varchar(100)),
            null("name", ColumnType::Text),
            null("boss_id", ColumnType::BigInt),
        ],
    )
}

fn plan_with(desired: &[TableDef], actual: Vec<TableDef>, options: &Options) -> Plan {
    let mut db = Schema::new(actual.into_iter().map(|t| resolved(t, "public")).collect());
    db.schemas = vec!["public".into()];
    match build_plan(desired, &db, &PG, options) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    }
}

/// The plan turning `users()` into `edit(users())`.
fn plan_for(edit: impl FnOnce(&mut TableDef)) -> Plan {
    let mut desired = users();
    edit(&mut desired);
    plan_with(&[desired], vec![users()], &Options::default())
}

fn rows(table: &str) -> Question {
    Question::Rows { table: name(table) }
}

#[test]
fn data_dependent_steps_ask_their_questions() {
    /// How to change the declaration, and the questions the plan then asks.
    type Case = (fn(&mut TableDef), Vec<Question>);
    let cases: Vec<Case> = vec![
        // Nothing depends on data.
        (|t| t.columns.push(null("nick", ColumnType::Text)), vec![]),
        (
            |t| t.columns.push(with_default("n", ColumnType::Integer, "0")),
            vec![],
        ),
        (|t| t.columns[1].ty = ColumnType::Varchar(200), vec![]),
        // NOT NULL column without default.
        (
            |t| t.columns.push(col("n", ColumnType::Integer)),
            vec![rows("users")],
        ),
        // SET NOT NULL.
        (
            |t| t.columns[2].nullable = false,
            vec![
                rows("users"),
                Question::Nulls {
                    table: name("users"),
                    columns: vec!["name".into()],
                },
            ],
        ),
        // Narrowing.
        (
            |t| t.columns[1].ty = ColumnType::Varchar(10),
            vec![
                rows("users"),
                Question::Misfits {
                    table: name("users"),
                    column: "email".into(),
                    misfit: Misfit::Longer { max: 10 },
                },
            ],
        ),
        // Conversion: only the row count.
        (|t| t.columns[2].ty = ColumnType::Uuid, vec![rows("users")]),
        // Unique.
        (
            |t| {
                t.uniques.push(UniqueConstraint {
                    nulls_not_distinct: false,
                    name: "uq_users_x".into(),
                    columns: vec!["email".into(), "name".into()],
                })
            },
            vec![
                rows("users"),
                Question::Duplicates {
                    nulls_not_distinct: false,
                    table: name("users"),
                    columns: vec![IndexColumn::asc("email"), IndexColumn::asc("name")],
                    predicate: None,
                },
            ],
        ),
        // Unique partial index.
        (
            |t| {
                t.indexes.push(Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: "ux".into(),
                    columns: vec![IndexColumn::asc("name")],
                    unique: true,
                    predicate: Some("boss_id IS NULL".into()),
                })
            },
            vec![
                rows("users"),
                Question::Duplicates {
                    nulls_not_distinct: false,
                    table: name("users"),
                    columns: vec![IndexColumn::asc("name")],
                    predicate: Some("boss_id IS NULL".into()),
                },
            ],
        ),
        // A non-unique index asks nothing.
        (
            |t| {
                t.indexes.push(Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: "ix".into(),
                    columns: vec![IndexColumn::asc("name")],
                    unique: false,
                    predicate: None,
                })
            },
            vec![],
        ),
        // Foreign key.
        (
            |t| {
                t.foreign_keys
                    .push(fk("fk_users_boss", &["boss_id"], "users", &["id"]))
            },
            vec![
                rows("users"),
                Question::Orphans {
                    table: name("users"),
                    columns: vec!["boss_id".into()],
                    references: name("users"),
                    referenced_columns: vec!["id".into()],
                },
            ],
        ),
        // Check.
        (
            |t| {
                t.checks.push(Check {
                    name: "ck".into(),
                    expr: "length(name) > 1".into(),
                    not_valid: false,
                })
            },
            vec![
                rows("users"),
                Question::Violations {
                    table: name("users"),
                    expr: "length(name) > 1".into(),
                },
            ],
        ),
        // Primary key.
        (
            |t| t.primary_key.as_mut().unwrap().columns.push("email".into()),
            vec![
                rows("users"),
                Question::Nulls {
                    table: name("users"),
                    columns: vec!["id".into(), "email".into()],
                },
                Question::Duplicates {
                    nulls_not_distinct: false,
                    table: name("users"),
                    columns: vec![IndexColumn::asc("id"), IndexColumn::asc("email")],
                    predicate: None,
                },
            ],
        ),
    ];
    for (edit, expected) in cases {
        let plan = plan_for(edit);
        let mut expected = expected;
        expected.sort();
        assert_eq!(questions(&plan), expected, "{plan}");
    }
}

#[test]
fn new_tables_ask_nothing_and_new_columns_only_the_row_count() {
    // A key over a column the plan adds: only the row count can be asked.
    let plan = plan_for(|t| {
        t.columns.push(null("code", ColumnType::Text));
        t.uniques.push(UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_users_code".into(),
            columns: vec!["code".into()],
        });
        t.checks.push(Check {
            name: "ck_code".into(),
            expr: "length(code) = 3".into(),
            not_valid: false,
        });
    });
    assert_eq!(questions(&plan), [rows("users")]);

    // A new table with every kind of constraint asks nothing.
    let mut invites = table("invites", vec![col("email", ColumnType::Varchar(10))]);
    invites.uniques.push(UniqueConstraint {
        nulls_not_distinct: false,
        name: "uq".into(),
        columns: vec!["email".into()],
    });
    let plan = plan_with(&[invites], vec![], &Options::default());
    assert!(questions(&plan).is_empty());

    // A foreign key of an existing table to a table the plan creates fails on every row
    // holding a value.
    let mut desired = users();
    desired.columns.push(null("team_id", ColumnType::BigInt));
    let mut actual = users();
    actual.columns.push(null("team_id", ColumnType::BigInt));
    desired
        .foreign_keys
        .push(fk("fk_users_team", &["team_id"], "teams", &["id"]));
    let plan = plan_with(
        &[desired, table("teams", vec![])],
        vec![actual],
        &Options::default(),
    );
    assert_eq!(
        questions(&plan),
        [
            rows("users"),
            Question::Filled {
                table: name("users"),
                columns: vec!["team_id".into()],
            },
        ]
    );
}

fn answered(pairs: Vec<(Question, Answer)>) -> Answers {
    pairs.into_iter().collect()
}

#[test]
fn an_empty_table_makes_a_step_safe() {
    let plan = plan_for(|t| t.columns[2].nullable = false);
    assert_eq!(plan.steps()[0].risk, Risk::Caution);
    let answers = answered(
        questions(&plan)
            .into_iter()
            .map(|q| (q, Answer::Count(0)))
            .collect(),
    );
    let refined = refine(plan, &answers);
    let step = &refined.steps()[0];
    assert_eq!(step.risk, Risk::Safe);
    assert!(
        step.reason
            .ends_with("; safe: table `public.users` is empty"),
        "{}",
        step.reason
    );
}

#[test]
fn a_step_known_to_fail_is_blocked_with_what_to_do() {
    let plan = plan_for(|t| {
        t.columns[2].nullable = false;
        t.columns.push(null("nick", ColumnType::Text));
    });
    let answers = answered(vec![
        (rows("users"), Answer::Count(40)),
        (
            Question::Nulls {
                table: name("users"),
                columns: vec!["name".into()],
            },
            Answer::Count(12),
        ),
    ]);
    let refined = refine(plan, &answers);
    // The independent step still runs.
    assert_eq!(refined.steps().len(), 1);
    assert_eq!(refined.steps()[0].kind, ChangeKind::AddColumn);
    let [blocked] = refined.blocked() else {
        panic!("one blocked step expected:\n{refined}");
    };
    assert_eq!(blocked.unlocked_by, "");
    assert_eq!(
        blocked.problem.as_deref(),
        Some("will fail: 12 rows have NULL in `public.users`.name")
    );
    assert_eq!(
        blocked.step.suggestion.as_deref(),
        Some(
            "fill the NULLs first (UPDATE public.users SET name = ... WHERE name IS NULL) or keep the column nullable (`Option<_>`), then apply again"
        )
    );
    // Said once, as the problem: the plan prints the reason next to it.
    assert!(
        !blocked.step.reason.contains("will fail"),
        "{}",
        blocked.step.reason
    );
    // JSON: the new field appears only when set.
    let json = serde_json::to_string(blocked).unwrap_or_default();
    assert!(json.contains("\"problem\":\"will fail: 12 rows"), "{json}");
    assert!(!json.contains("depends_on"), "{json}");
}

#[test]
fn a_not_null_column_without_default_fails_on_a_table_with_rows() {
    let plan = plan_for(|t| t.columns.push(col("age", ColumnType::Integer)));
    let refined = refine(plan, &answered(vec![(rows("users"), Answer::Count(3))]));
    assert!(refined.steps().is_empty());
    assert_eq!(
        refined.blocked()[0].problem.as_deref(),
        Some(
            "will fail: `public.users` has 3 rows and the new NOT NULL column `age` has no default"
        )
    );
}

#[test]
fn steps_needing_a_step_the_data_blocks_are_blocked_with_it() {
    // A unique key that duplicates break, and a foreign key of another table needing it.
    let mut desired = users();
    desired.uniques.push(UniqueConstraint {
        nulls_not_distinct: false,
        name: "uq_users_email".into(),
        columns: vec!["email".into()],
    });
    let mut invites = table("invites", vec![col("email", ColumnType::Varchar(100))]);
    let invites_now = invites.clone();
    invites.foreign_keys = vec![fk("fk_invites_email", &["email"], "users", &["email"])];
    let plan = plan_with(
        &[desired, invites],
        vec![users(), invites_now],
        &Options::default(),
    );
    let dup = Question::Duplicates {
        nulls_not_distinct: false,
        table: name("users"),
        columns: vec![IndexColumn::asc("email")],
        predicate: None,
    };
    let answers = answered(vec![
        (rows("users"), Answer::Count(5)),
        (rows("invites"), Answer::Count(0)),
        (dup, Answer::Count(2)),
    ]);
    let refined = refine(plan, &answers);
    assert!(refined.steps().is_empty(), "{refined}");
    let blocked: Vec<(ChangeKind, Option<&str>, Option<&str>)> = refined
        .blocked()
        .iter()
        .map(|b| (b.step.kind, b.problem.as_deref(), b.depends_on.as_deref()))
        .collect();
    let problem = "will fail: 2 values of email are shared by several rows of `public.users`";
    assert_eq!(
        blocked,
        [
            (ChangeKind::AddUnique, Some(problem), None),
            // Blocked by the unique it needs, whose problem is said there only.
            (
                ChangeKind::AddForeignKey,
                None,
                Some("add unique uq_users_email on public.users")
            ),
        ]
    );
    // The dependent's own table is empty: its risk says so, it is still blocked.
    assert_eq!(refined.blocked()[1].step.risk, Risk::Safe);
}

#[test]
fn narrowing_counts_refine_the_risk() {
    let narrow = |t: &mut TableDef| t.columns[1].ty = ColumnType::Varchar(10);
    let options = Options {
        allow_shrink_column: true,
        ..Options::default()
    };
    let mut desired = users();
    narrow(&mut desired);
    let plan = plan_with(&[desired], vec![users()], &options);
    assert_eq!(plan.steps()[0].risk, Risk::Danger);
    let longer = Question::Misfits {
        table: name("users"),
        column: "email".into(),
        misfit: Misfit::Longer { max: 10 },
    };
    // Every value fits: Caution.
    let fits = refine(
        plan.clone(),
        &answered(vec![
            (rows("users"), Answer::Count(7)),
            (longer.clone(), Answer::Count(0)),
        ]),
    );
    assert_eq!(fits.steps()[0].risk, Risk::Caution);
    assert!(
        fits.steps()[0].reason.ends_with(
            "; checked: no values of `public.users.email` are longer than 10 characters; every value fits"
        ),
        "{}",
        fits.steps()[0].reason
    );
    // Values too long make PostgreSQL fail: blocked.
    let fails = refine(
        plan,
        &answered(vec![
            (rows("users"), Answer::Count(7)),
            (longer, Answer::Count(1)),
        ]),
    );
    assert_eq!(
        fails.blocked()[0].problem.as_deref(),
        Some("will fail: 1 value of `public.users.email` is longer than 10 characters")
    );
}

#[test]
fn values_that_would_change_are_counted_in_the_reason() {
    let options = Options {
        allow_shrink_column: true,
        ..Options::default()
    };
    let mut before = users();
    before.columns.push(col(
        "price",
        ColumnType::Decimal {
            precision: Some(10),
            scale: Some(4),
        },
    ));
    let mut desired = before.clone();
    desired.columns[4].ty = ColumnType::Decimal {
        precision: Some(10),
        scale: Some(2),
    };
    let plan = plan_with(&[desired], vec![before], &options);
    let scale = Question::Misfits {
        table: name("users"),
        column: "price".into(),
        misfit: Misfit::Scale { scale: 2 },
    };
    let refined = refine(
        plan,
        &answered(vec![
            (rows("users"), Answer::Count(9)),
            (scale, Answer::Count(3)),
        ]),
    );
    let step = &refined.steps()[0];
    assert_eq!(step.risk, Risk::Danger);
    assert!(
        step.reason.ends_with(
            "; 3 values of `public.users.price` have more than 2 decimal places: they would change"
        ),
        "{}",
        step.reason
    );
}

#[test]
fn an_unanswerable_check_keeps_the_step_cautious() {
    let plan = plan_for(|t| {
        t.checks.push(Check {
            name: "ck".into(),
            expr: "nosuch(name)".into(),
            not_valid: false,
        })
    });
    let violations = Question::Violations {
        table: name("users"),
        expr: "nosuch(name)".into(),
    };
    let refined = refine(
        plan,
        &answered(vec![
            (rows("users"), Answer::Count(2)),
            (
                violations,
                Answer::Unknown("no such function: nosuch".into()),
            ),
        ]),
    );
    let step = &refined.steps()[0];
    assert_eq!(step.risk, Risk::Caution);
    assert!(
        step.reason.ends_with(
            "; could not check the check (nosuch(name)) on `public.users`: no such function: nosuch"
        ),
        "{}",
        step.reason
    );
}

#[test]
fn without_answers_nothing_changes() {
    let plan = plan_for(|t| t.columns[2].nullable = false);
    assert_eq!(refine(plan.clone(), &Answers::new()), plan);
}

#[test]
fn shrinks_are_blocked_unless_allowed() {
    let mut desired = users();
    desired.columns[1].ty = ColumnType::Varchar(10);
    let refused = plan_with(&[desired.clone()], vec![users()], &Options::default());
    assert!(refused.steps().is_empty());
    assert_eq!(refused.blocked()[0].unlocked_by, "allow_shrink_column");
    assert_eq!(refused.blocked()[0].step.code, "DC056");
    let allowed = plan_with(
        &[desired],
        vec![users()],
        &Options {
            allow_shrink_column: true,
            ..Options::default()
        },
    );
    assert!(allowed.blocked().is_empty());
    assert_eq!(allowed.steps()[0].code, "DC056");
}

#[test]
fn a_shrink_needing_a_rebuild_names_both_flags() {
    let mut desired = users();
    desired.columns[1].ty = ColumnType::Varchar(10);
    let db = Schema::new(vec![resolved(users(), "main")]);
    let options = Options {
        allow_sqlite_table_rebuild: false,
        ..Options::default()
    };
    let plan = match build_plan(&[desired], &db, &LITE, &options) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    };
    // The test dialect renders no ALTER: every change needs a rebuild.
    assert_eq!(
        plan.blocked()[0].unlocked_by,
        "allow_shrink_column, allow_sqlite_table_rebuild"
    );
}

#[test]
fn a_foreign_key_over_a_column_whose_type_change_is_blocked_is_blocked_too() {
    let mut before = users();
    before.columns.push(null("team", ColumnType::Text));
    let teams = {
        let mut t = table("teams", vec![col("code", ColumnType::Varchar(10))]);
        t.uniques.push(UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_teams_code".into(),
            columns: vec!["code".into()],
        });
        t
    };
    let mut desired = before.clone();
    desired.columns[4].ty = ColumnType::Varchar(10);
    desired
        .foreign_keys
        .push(fk("fk_users_team", &["team"], "teams", &["code"]));
    let plan = plan_with(
        &[desired, teams.clone()],
        vec![before, teams],
        &Options::default(),
    );
    assert!(plan.steps().is_empty(), "{plan}");
    let blocked: Vec<(ChangeKind, &str, Option<&str>)> = plan
        .blocked()
        .iter()
        .map(|b| (b.step.kind, b.unlocked_by.as_str(), b.depends_on.as_deref()))
        .collect();
    assert_eq!(
        blocked,
        [
            (ChangeKind::AlterColumn, "allow_shrink_column", None),
            (
                ChangeKind::AddForeignKey,
                "allow_shrink_column",
                Some("alter column public.users.team (type)")
            ),
        ]
    );
}

#[test]
fn misfits_read_in_plain_words() {
    let cases = [
        (
            Misfit::Longer { max: 5 },
            Some(2),
            "2 values of `t.c` are longer than 5 characters",
        ),
        (
            Misfit::Outside { min: 0, max: 1 },
            Some(1),
            "1 value of `t.c` is outside 0..1",
        ),
        (
            Misfit::Fractional,
            Some(0),
            "no values of `t.c` have a fractional part",
        ),
        (
            Misfit::Scale { scale: 2 },
            None,
            "values of `t.c` have more than 2 decimal places",
        ),
        (
            Misfit::Digits {
                digits: 3,
                scale: 1,
            },
            Some(4),
            "4 values of `t.c` have more than 3 digits before the decimal point",
        ),
        (
            Misfit::RealPrecision,
            Some(1),
            "1 value of `t.c` changes when stored as REAL",
        ),
        (
            Misfit::HasTime,
            Some(3),
            "3 values of `t.c` have a time of day",
        ),
    ];
    for (misfit, count, text) in cases {
        assert_eq!(misfit.describe(count, "t.c"), text);
    }
}

#[test]
fn keys_indexes_and_checks_over_a_blocked_new_column_are_blocked_with_it() {
    let plan = plan_for(|t| {
        t.columns.push(col("code", ColumnType::Text));
        t.uniques.push(UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_users_code".into(),
            columns: vec!["code".into()],
        });
        t.indexes.push(Index {
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
            name: "ix_users_code".into(),
            columns: vec![IndexColumn::asc("code")],
            unique: false,
            predicate: None,
        });
        t.checks.push(Check {
            name: "ck_users_code".into(),
            expr: "length(\"code\") = 3".into(),
            not_valid: false,
        });
        // Independent: stays.
        t.checks.push(Check {
            name: "ck_users_email".into(),
            expr: "length(email) > 3".into(),
            not_valid: false,
        });
    });
    let refined = refine(plan, &answered(vec![(rows("users"), Answer::Count(2))]));
    let steps: Vec<String> = refined.steps().iter().map(Step::describe).collect();
    assert_eq!(steps, ["add check ck_users_email on public.users"]);
    let blocked: Vec<(String, Option<&str>)> = refined
        .blocked()
        .iter()
        .map(|b| (b.step.describe(), b.depends_on.as_deref()))
        .collect();
    let add = "add column public.users.code";
    assert_eq!(
        blocked,
        [
            (add.to_string(), None),
            (
                "add unique uq_users_code on public.users".to_string(),
                Some(add)
            ),
            (
                "add check ck_users_code on public.users".to_string(),
                Some(add)
            ),
            (
                "add index ix_users_code on public.users".to_string(),
                Some(add)
            ),
        ]
    );
}

#[test]
fn a_step_the_checks_cleared_loses_its_fails_if_warning() {
    let make_not_null = |t: &mut TableDef| t.columns[2].nullable = false;
    let nulls = Question::Nulls {
        table: name("users"),
        columns: vec!["name".into()],
    };
    let draft = plan_for(make_not_null);
    assert_eq!(
        draft.steps()[0].suggestion.as_deref(),
        Some("fails if `public.users.name` holds NULLs: fill them first")
    );
    // No NULL found: the warning would contradict the check.
    let cleared = refine(
        plan_for(make_not_null),
        &answered(vec![
            (rows("users"), Answer::Count(40)),
            (nulls.clone(), Answer::Count(0)),
        ]),
    );
    assert_eq!(cleared.steps()[0].suggestion, None, "{cleared}");
    assert!(
        cleared.steps()[0]
            .reason
            .contains("checked: no rows have NULL")
    );
    // An empty table cannot fail either.
    let empty = refine(
        plan_for(make_not_null),
        &answered(vec![(rows("users"), Answer::Count(0))]),
    );
    assert_eq!(empty.steps()[0].suggestion, None, "{empty}");
    // Not checked (unknown answer): the warning stays.
    let unknown = refine(
        plan_for(make_not_null),
        &answered(vec![
            (rows("users"), Answer::Count(40)),
            (nulls, Answer::Unknown("timeout".into())),
        ]),
    );
    assert_eq!(
        unknown.steps()[0].suggestion.as_deref(),
        Some("fails if `public.users.name` holds NULLs: fill them first")
    );
}
