//! Equivalence on SQLite: tables written by hand in other common spellings — lower-case
//! types, aliases, defaults with or without parentheses, unnamed constraints, omitted
//! referenced columns, a unique index instead of a UNIQUE constraint, other identifier
//! case — compare equal to the structs that declare the same thing; and real
//! differences (`INT PRIMARY KEY` is not the auto-increment `INTEGER PRIMARY KEY`, other
//! lengths, defaults, checks) are still reported.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::sqlite_with;
use dbconform::{Change, ColumnType, Plan, Table, TableDef};

/// The plan for `tables` against the database made by `ddl`.
async fn plan(ddl: &str, tables: &[TableDef]) -> Plan {
    let (_dir, db) = sqlite_with(ddl).await;
    db.compare(tables).await.unwrap()
}

/// Asserts that the database made by `ddl` conforms to `tables` as it is.
async fn assert_equivalent(ddl: &str, tables: &[TableDef]) {
    let plan = plan(ddl, tables).await;
    let changes: Vec<&Change> = plan.steps().iter().map(|s| &s.change).collect();
    assert!(
        plan.is_empty() && plan.drift().is_empty(),
        "hand-written DDL should compare equal, found:\n{plan}\nchanges: {changes:#?}\ndrift: {:#?}",
        plan.drift()
    );
}

/// One test per case: `$name` asserts that the database made by the DDL `$ddl` conforms
/// to the tables `$table` declare as it is.
macro_rules! equivalent {
    ($name:ident, $ddl:expr, $($table:ty),+ $(,)?) => {
        #[tokio::test]
        async fn $name() {
            assert_equivalent($ddl, &[$(<$table>::table_def()),+]).await;
        }
    };
}

/// The changes of a plan, blocked steps included.
/// Every change of the plan, executable then blocked; a `rebuild table` step stands for
/// the changes it makes.
fn changes(plan: &Plan) -> Vec<Change> {
    plan.steps()
        .iter()
        .chain(plan.blocked().iter().map(|b| &b.step))
        .flat_map(|s| match s.parts.as_slice() {
            [] => vec![s.change.clone()],
            parts => parts.iter().map(|p| p.change.clone()).collect(),
        })
        .collect()
}

#[derive(Table)]
#[table(name = "eq_accounts")]
#[check(expr = "balance >= 0")]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 20, unique)]
    code: String,
    #[column(default = "'x'")]
    status: String,
    #[column(default = "0")]
    balance: i32,
    #[column(default = "true")]
    active: bool,
    nickname: Option<String>,
}

/// `eq_accounts` as [`Account`] declares it, in lower case, with aliases, a default in
/// parentheses and unnamed constraints.
const ACCOUNTS_IN_OTHER_SPELLINGS: &str = "create table eq_accounts (
            id integer primary key autoincrement,
            code varchar(20) not null unique,
            status text not null default 'x',
            balance int not null default (0),
            active boolean not null default TRUE,
            nickname text,
            check (balance>=0)
        )";

#[derive(Table)]
#[table(name = "eq_entries")]
#[index(name = "ix_eq_entries_account", columns("account_id"))]
struct Entry {
    #[column(primary_key)]
    id: i64,
    #[column(references = "eq_accounts(id)", on_delete = "cascade")]
    account_id: i64,
    #[column(max_length = 100)]
    memo: Option<String>,
    #[column(check = "amount <> 0")]
    amount: i64,
}

equivalent!(
    lower_case_aliases_unnamed_constraints_and_omitted_references,
    &format!(
        "{ACCOUNTS_IN_OTHER_SPELLINGS};
        create table eq_entries (
            id integer primary key autoincrement,
            account_id bigint not null references eq_accounts on delete cascade,
            memo character varying ( 100 ),
            amount BIGINT NOT NULL CHECK ((amount != 0))
        );
        create index ix_eq_entries_account on eq_entries (account_id);"
    ),
    Account,
    Entry
);

equivalent!(
    identifiers_in_another_case_and_other_quoting,
    r#"CREATE TABLE "EQ_Accounts" (
            "ID" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            [Code] VARCHAR(20) NOT NULL,
            `Status` TEXT NOT NULL DEFAULT ('x'),
            Balance INTEGER NOT NULL DEFAULT 0,
            ACTIVE BOOL NOT NULL DEFAULT true,
            NickName TEXT,
            CONSTRAINT some_name CHECK ("BALANCE" >= 0),
            CONSTRAINT other_name UNIQUE (CODE)
        )"#,
    Account
);

#[derive(Table)]
#[table(name = "eq_tags")]
#[unique(columns("owner", "label"))]
struct Tag {
    #[column(primary_key)]
    id: i64,
    owner: i64,
    label: String,
}

equivalent!(a_unique_index_instead_of_a_unique_constraint, "CREATE TABLE eq_tags (id INTEGER PRIMARY KEY AUTOINCREMENT, owner BIGINT NOT NULL, label TEXT NOT NULL);
         CREATE UNIQUE INDEX eq_tags_owner_label ON eq_tags (owner, label);", Tag);

#[derive(Table)]
#[table(name = "eq_kinds")]
struct Kinds {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    small: i16,
    medium: i32,
    big: i64,
    single: f32,
    double: f64,
    flag: bool,
    text: String,
    #[column(max_length = 20)]
    short: String,
    bytes: Option<Vec<u8>>,
    #[column(sql_type = "NUMERIC(10,2)")]
    price: String,
    #[column(sql_type = "NUMERIC(12)")]
    whole: String,
    #[column(sql_type = "DATE")]
    day: Option<String>,
    #[column(sql_type = "TIMESTAMP", default = "CURRENT_TIMESTAMP")]
    seen: String,
    #[column(sql_type = "citext")]
    email: Option<String>,
}

equivalent!(
    every_type_in_other_spellings,
    "CREATE TABLE eq_kinds (
            id integer primary key,
            small smallint not null,
            medium int not null,
            big bigint not null,
            single real not null,
            double double precision not null,
            flag bool not null,
            text text not null,
            short varchar(20) not null,
            bytes blob,
            price decimal(10, 2) not null,
            whole numeric(12, 0) not null,
            day date,
            seen timestamp not null default current_timestamp,
            email CITEXT
        )",
    Kinds
);

#[derive(Table)]
#[table(name = "eq_defaults")]
#[check(name = "ck_eq_defaults_range", expr = "low <= high")]
struct Defaults {
    #[column(primary_key)]
    id: i64,
    #[column(default = "'a;b'")]
    text: String,
    #[column(default = "-1")]
    low: i64,
    #[column(default = "(1 + 1)")]
    high: i64,
    #[column(default = "lower('X')")]
    lowered: String,
    #[column(default = "FALSE")]
    off: bool,
    #[column(default = "NULL")]
    maybe: Option<String>,
}

equivalent!(
    defaults_and_checks_in_other_spellings,
    "CREATE TABLE eq_defaults (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            text TEXT NOT NULL DEFAULT ('a;b'),
            low BIGINT NOT NULL DEFAULT (-1),
            high BIGINT NOT NULL DEFAULT (1+1),
            lowered TEXT NOT NULL DEFAULT (LOWER( 'X' )),
            off BOOLEAN NOT NULL DEFAULT false,
            maybe TEXT,
            CONSTRAINT ck_eq_defaults_range CHECK ( ( Low <= HIGH ) )
        )",
    Defaults
);

#[derive(Table)]
#[table(name = "eq_widgets")]
struct Widget {
    #[column(primary_key)]
    id: i64,
    name: String,
}

#[tokio::test]
async fn int_primary_key_is_not_the_auto_increment_integer_primary_key() {
    let plan = plan(
        "CREATE TABLE eq_widgets (id INT PRIMARY KEY, name TEXT NOT NULL)",
        &[Widget::table_def()],
    )
    .await;
    let found = changes(&plan);
    let id_change = found.iter().find_map(|c| match c {
        Change::AlterColumn {
            from, to, changes, ..
        } if to.name == "id" => Some((from.clone(), to.clone(), *changes)),
        _ => None,
    });
    let Some((from, to, what)) = id_change else {
        panic!(
            "INT PRIMARY KEY must differ from the declared auto-increment key:\n{plan}\n{found:#?}"
        );
    };
    assert_eq!(from.ty, ColumnType::Custom("INT".into()));
    assert_eq!(to.ty, ColumnType::Integer);
    assert!(what.ty && what.auto_increment, "{what:?}");
    assert!(!from.auto_increment && to.auto_increment);
    // ... while a plain INTEGER PRIMARY KEY without AUTOINCREMENT is the rowid alias,
    // which assigns ids itself and is NOT NULL whatever its text says: it satisfies the
    // declaration as it is (issue 15; `tests/adopt_keys.rs`).
    let plan = plan_integer_key().await;
    let found = changes(&plan);
    assert!(found.is_empty(), "{plan}\n{found:#?}");
}

async fn plan_integer_key() -> Plan {
    plan(
        "CREATE TABLE eq_widgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        &[Widget::table_def()],
    )
    .await
}

#[tokio::test]
async fn real_differences_survive_normalization() {
    // `eq_accounts` as in the other spellings, with four real differences.
    let ddl = ACCOUNTS_IN_OTHER_SPELLINGS
        .replace("varchar(20)", "varchar(30)")
        .replace("'x'", "'X'")
        .replace("nickname text,", "nickname text not null,")
        .replace("(balance>=0)", "(balance > 0)");
    let plan = plan(&ddl, &[Account::table_def()]).await;
    let found = changes(&plan);
    let mut altered: Vec<(String, Vec<&str>)> = found
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn { to, changes, .. } => Some((to.name.clone(), changes.names())),
            _ => None,
        })
        .collect();
    // The narrowing of `code` is blocked (allow_shrink_column), so it comes last.
    altered.sort();
    assert_eq!(
        altered,
        [
            ("code".to_string(), vec!["type"]),
            ("nickname".to_string(), vec!["nullability"]),
            ("status".to_string(), vec!["default"]),
        ],
        "{plan}"
    );
    let checks: Vec<String> = found
        .iter()
        .filter_map(|c| match c {
            Change::AlterCheck { from, to, .. } => Some(format!("{} -> {}", from.expr, to.expr)),
            Change::AddCheck { check, .. } => Some(format!("add {}", check.expr)),
            Change::DropCheck { check, .. } => Some(format!("drop {}", check.expr)),
            _ => None,
        })
        .collect();
    assert!(!checks.is_empty(), "the CHECK differs: {plan}\n{found:#?}");
}
