//! Detection: for each kind of difference, make that drift by hand and assert the exact
//! change dbconform reports — kind, table, column or constraint, before → after.
//!
//! Each case takes the DDL dbconform would run on an empty database, changes one thing
//! in the text (or adds a statement), runs that by hand, and compares against the
//! unchanged declaration.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;
#[path = "common/models.rs"]
mod models;

use common::drift::{in_table, replace_once, without_line};
use common::matrix::run_on;
use common::{Backend, TestDb, backend_tests};
use dbconform::{Change, Options, Plan, Table};
use models::accounts_and_payments as tables;

/// One line per change: kind, table, object, and before → after of what differs.
fn summary(change: &Change) -> String {
    let cols = |c: &[String]| c.join(", ");
    match change {
        Change::CreateTable { table } => format!("create_table {}", table.name),
        Change::DropTable { table } => format!("drop_table {}", table.name),
        Change::AddColumn { table, column } => format!("add_column {}.{}", table.name, column.name),
        Change::DropColumn { table, column } => {
            format!("drop_column {}.{}", table.name, column.name)
        }
        Change::AlterColumn {
            table,
            from,
            to,
            changes,
        } => {
            let mut parts = Vec::new();
            if changes.ty {
                parts.push(format!("type {:?} -> {:?}", from.ty, to.ty));
            }
            if changes.nullable {
                parts.push(format!("nullable {} -> {}", from.nullable, to.nullable));
            }
            if changes.default {
                parts.push(format!("default {:?} -> {:?}", from.default, to.default));
            }
            if changes.auto_increment {
                parts.push(format!(
                    "auto_increment {} -> {}",
                    from.auto_increment, to.auto_increment
                ));
            }
            if changes.comment {
                parts.push(format!("comment {:?} -> {:?}", from.comment, to.comment));
            }
            if changes.collation {
                parts.push(format!(
                    "collation {:?} -> {:?}",
                    from.collation, to.collation
                ));
            }
            if changes.generated {
                let expr = |c: &dbconform::Column| c.generated.as_ref().map(|g| g.expr.clone());
                parts.push(format!("generated {:?} -> {:?}", expr(from), expr(to)));
            }
            format!(
                "alter_column {}.{}: {}",
                table.name,
                to.name,
                parts.join("; ")
            )
        }
        Change::AddPrimaryKey { table, key } => {
            format!("add_primary_key {} ({})", table.name, cols(&key.columns))
        }
        Change::DropPrimaryKey { table, key } => {
            format!("drop_primary_key {} ({})", table.name, cols(&key.columns))
        }
        Change::AlterPrimaryKey { table, from, to } => {
            format!(
                "alter_primary_key {} ({}) -> ({})",
                table.name,
                cols(&from.columns),
                cols(&to.columns)
            )
        }
        Change::AddUnique { table, unique } => {
            format!(
                "add_unique {} {} ({})",
                table.name,
                unique.name,
                cols(&unique.columns)
            )
        }
        Change::DropUnique { table, unique } => {
            format!(
                "drop_unique {} {} ({})",
                table.name,
                unique.name,
                cols(&unique.columns)
            )
        }
        Change::AlterUnique { table, from, to } => {
            format!(
                "alter_unique {} {} ({}) -> ({})",
                table.name,
                to.name,
                cols(&from.columns),
                cols(&to.columns)
            )
        }
        Change::AddForeignKey {
            table,
            foreign_key: fk,
        } => format!(
            "add_foreign_key {} {} ({}) -> {}({}) on delete {:?}",
            table.name,
            fk.name,
            cols(&fk.columns),
            fk.references.name,
            cols(&fk.referenced_columns),
            fk.on_delete
        ),
        Change::DropForeignKey {
            table,
            foreign_key: fk,
        } => {
            format!(
                "drop_foreign_key {} {} ({})",
                table.name,
                fk.name,
                cols(&fk.columns)
            )
        }
        Change::AlterForeignKey { table, from, to } => format!(
            "alter_foreign_key {} {} -> {}({}) => {}({}), on delete {:?} -> {:?}, on update {:?} -> {:?}",
            table.name,
            to.name,
            from.references.name,
            cols(&from.referenced_columns),
            to.references.name,
            cols(&to.referenced_columns),
            from.on_delete,
            to.on_delete,
            from.on_update,
            to.on_update
        ),
        Change::AddCheck { table, check } => format!("add_check {} {}", table.name, check.name),
        Change::DropCheck { table, check } => format!("drop_check {} {}", table.name, check.name),
        Change::AlterCheck { table, to, .. } => format!("alter_check {} {}", table.name, to.name),
        Change::AddIndex { table, index } => format!("add_index {} {}", table.name, index.name),
        Change::DropIndex { table, index } => format!("drop_index {} {}", table.name, index.name),
        Change::AlterIndex { table, from, to } => format!(
            "alter_index {} {}: unique {} -> {}, predicate {:?} -> {:?}, columns {:?} -> {:?}",
            table.name,
            to.name,
            from.unique,
            to.unique,
            from.predicate,
            to.predicate,
            from.columns
                .iter()
                .map(|c| (&c.name, c.order))
                .collect::<Vec<_>>(),
            to.columns
                .iter()
                .map(|c| (&c.name, c.order))
                .collect::<Vec<_>>()
        ),
        Change::SetTableComment { table, from, to } => {
            format!("set_table_comment {} {from:?} -> {to:?}", table.name)
        }
        other => format!("{other:?}"),
    }
}

/// The changes of the plan's steps; on SQLite a `rebuild table` step stands for the
/// changes it makes, listed in its place.
fn summaries(plan: &Plan) -> Vec<String> {
    plan.steps()
        .iter()
        .flat_map(|s| match s.parts.as_slice() {
            [] => vec![summary(&s.change)],
            parts => parts.iter().map(|p| summary(&p.change)).collect(),
        })
        .collect()
}

/// A drift case: how to damage the generated DDL, the policy, and what must be reported.
struct Case {
    /// Rewrites the creation script (`S` stands for the schema prefix: `"scratch".` on
    /// PostgreSQL, nothing on SQLite).
    mutate: fn(String, &str) -> String,
    options: fn(Options) -> Options,
    expected: &'static [&'static str],
    /// Substrings that must appear in the plan's drift descriptions.
    drift: &'static [&'static str],
}

fn default_options(o: Options) -> Options {
    o
}

/// Runs the case on `db`: creates the declared tables with the damaged script, then
/// compares.
async fn check(db: &TestDb, case: Case) {
    let conform = db.conform().await;
    let mut script = conform.compare(&tables()).await.unwrap().to_sql();
    if db.is_mysql() {
        script = common::drift::mysql_as_standard(&script);
    }
    let script = (case.mutate)(script, &db.prefix());
    db.exec(&script).await;
    let conform = conform.with_options((case.options)(db.options()));
    let plan = conform.compare(&tables()).await.unwrap();
    assert_eq!(
        summaries(&plan),
        case.expected,
        "\nscript:\n{script}\nplan:\n{plan}"
    );
    let drift: Vec<String> = plan
        .drift()
        .iter()
        .map(|d| format!("{}: {}", d.table.name, d.description))
        .collect();
    for wanted in case.drift {
        assert!(
            drift.iter().any(|d| d.contains(wanted)),
            "no drift mentioning {wanted:?}: {drift:?}"
        );
    }
}

async fn check_sqlite(case: Case) {
    run_on(Backend::Sqlite, "", async move |db| check(db, case).await).await;
}

async fn check_postgres(case: Case, tag: &str) {
    run_on(Backend::Postgres, tag, async move |db| {
        check(db, case).await
    })
    .await;
}

/// Defines the case on every backend (`name::sqlite`, `name::postgres`, `name::mysql`);
/// `mysql: Case { .. }` gives MySQL its own case where the server spells or models the
/// thing differently, `mysql: expected [..]` where only the reported changes differ,
/// `mysql: skip "why"` where it has no such thing.
macro_rules! case {
    ($name:ident, $case:expr) => {
        backend_tests! {
            $name => async |db| check(db, $case).await;
        }
    };
    ($name:ident, $case:expr, mysql: skip $why:literal) => {
        backend_tests! {
            $name => async |db| {
                if db.is_mysql() {
                    eprintln!("not on MySQL: {}", $why);
                    return;
                }
                check(db, $case).await
            };
        }
    };
    ($name:ident, $case:expr, mysql: expected $expected:expr) => {
        backend_tests! {
            $name => async |db| {
                let case = $case;
                let case = if db.is_mysql() {
                    Case { expected: $expected, ..case }
                } else {
                    case
                };
                check(db, case).await
            };
        }
    };
    ($name:ident, $case:expr, mysql: $mysql:expr) => {
        backend_tests! {
            $name => async |db| check(db, if db.is_mysql() { $mysql } else { $case }).await;
        }
    };
}

/// Applies `edit` to the CREATE TABLE statement of `payments` only.
fn in_payments(sql: &str, edit: impl Fn(&str) -> String) -> String {
    in_table(sql, "payments", edit)
}

/// Removes the whole CREATE TABLE of `payments` from the script.
fn without_payments(sql: String, _: &str) -> String {
    in_payments(&sql, |_| String::new())
}

case!(
    detects_missing_table,
    Case {
        mutate: without_payments,
        options: default_options,
        expected: &["create_table payments"],
        drift: &[],
    }
);

case!(
    keeps_extra_table_as_drift,
    Case {
        mutate: |sql, s| format!("{sql}CREATE TABLE {s}legacy (x INTEGER);\n"),
        options: default_options,
        expected: &[],
        drift: &["legacy"],
    }
);

case!(
    detects_extra_table_when_dropping_is_allowed,
    Case {
        mutate: |sql, s| format!("{sql}CREATE TABLE {s}legacy (x INTEGER);\n"),
        options: |o| Options {
            allow_drop_extra_tables: true,
            ..o
        },
        expected: &["drop_table legacy"],
        drift: &[],
    }
);

case!(
    detects_missing_column,
    Case {
        mutate: |sql, _| replace_once(&sql, "  \"nickname\" TEXT,\n", ""),
        options: default_options,
        expected: &["add_column accounts.nickname"],
        drift: &[],
    }
);

case!(
    keeps_extra_column_as_drift,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "  \"nickname\" TEXT,\n",
            "  \"nickname\" TEXT,\n  \"legacy\" TEXT,\n"
        ),
        options: default_options,
        expected: &[],
        drift: &["legacy"],
    }
);

case!(
    detects_extra_column_when_dropping_is_allowed,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "  \"nickname\" TEXT,\n",
            "  \"nickname\" TEXT,\n  \"legacy\" TEXT,\n"
        ),
        options: |o| Options {
            allow_drop_extra_columns: true,
            ..o
        },
        expected: &["drop_column accounts.legacy"],
        drift: &[],
    }
);

case!(
    detects_column_length,
    Case {
        mutate: |sql, _| replace_once(&sql, "VARCHAR(100)", "VARCHAR(50)"),
        options: default_options,
        expected: &["alter_column accounts.email: type Varchar(50) -> Varchar(100)"],
        drift: &[],
    }
);

case!(
    detects_column_type,
    Case {
        mutate: |sql, _| replace_once(&sql, "\"amount\" BIGINT", "\"amount\" INTEGER"),
        options: default_options,
        expected: &["alter_column payments.amount: type Integer -> BigInt"],
        drift: &[],
    }
);

case!(
    detects_nullability,
    Case {
        mutate: |sql, _| replace_once(&sql, "\"nickname\" TEXT,", "\"nickname\" TEXT NOT NULL,"),
        options: default_options,
        expected: &["alter_column accounts.nickname: nullable false -> true"],
        drift: &[],
    }
);

case!(
    detects_changed_default,
    Case {
        mutate: |sql, _| replace_once(&sql, "DEFAULT 0", "DEFAULT 5"),
        options: default_options,
        expected: &["alter_column accounts.balance: default Some(\"5\") -> Some(\"0\")"],
        drift: &[],
    }
);

case!(
    detects_missing_default,
    Case {
        mutate: |sql, _| replace_once(&sql, " DEFAULT 0", ""),
        options: default_options,
        expected: &["alter_column accounts.balance: default None -> Some(\"0\")"],
        drift: &[],
    }
);

#[tokio::test]
async fn postgres_detects_missing_auto_increment() {
    check_postgres(
        Case {
            mutate: |sql, _| {
                sql.replacen(
                    "\"id\" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY",
                    "\"id\" BIGINT NOT NULL",
                    1,
                )
            },
            options: default_options,
            expected: &["alter_column accounts.id: auto_increment false -> true"],
            drift: &[],
        },
        "postgres_detects_missing_auto_increment",
    )
    .await;
}

/// An `INTEGER PRIMARY KEY` without AUTOINCREMENT is the rowid alias, which assigns ids
/// itself and satisfies the declaration (issue 15: adopted, never rebuilt for it;
/// `tests/adopt_keys.rs`); a key that is no rowid alias is still missing its
/// auto-increment.
#[tokio::test]
async fn sqlite_detects_missing_auto_increment() {
    check_sqlite(Case {
        mutate: |sql, _| {
            sql.replacen(
                "\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT",
                "\"id\" INT NOT NULL PRIMARY KEY",
                1,
            )
        },
        options: default_options,
        expected: &[
            "alter_column accounts.id: type Custom(\"INT\") -> Integer; auto_increment false -> true",
        ],
        drift: &[],
    })
    .await;
}

#[tokio::test]
async fn sqlite_detects_missing_primary_key() {
    // SQLite declares the auto-increment key inline, so without the key the column also
    // loses AUTOINCREMENT.
    check_sqlite(Case {
        mutate: |sql, _| in_payments(&sql, |t| replace_once(t, " PRIMARY KEY AUTOINCREMENT", "")),
        options: default_options,
        expected: &[
            "alter_column payments.id: auto_increment false -> true",
            "add_primary_key payments (id)",
        ],
        drift: &[],
    })
    .await;
}

#[tokio::test]
async fn postgres_detects_missing_primary_key() {
    check_postgres(
        Case {
            mutate: |sql, _| {
                in_payments(&sql, |t| replace_once(t, "  PRIMARY KEY (\"id\"),\n", ""))
            },
            options: default_options,
            expected: &["add_primary_key payments (id)"],
            drift: &[],
        },
        "detect_missing_pk",
    )
    .await;
}

#[tokio::test]
async fn postgres_detects_changed_primary_key() {
    check_postgres(
        Case {
            mutate: |sql, _| {
                in_payments(&sql, |t| {
                    replace_once(
                        t,
                        "PRIMARY KEY (\"id\")",
                        "PRIMARY KEY (\"id\", \"account_id\")",
                    )
                })
            },
            options: default_options,
            expected: &["alter_primary_key payments (id, account_id) -> (id)"],
            drift: &[],
        },
        "detect_changed_pk",
    )
    .await;
}

case!(
    detects_missing_unique,
    Case {
        mutate: |sql, _| without_line(&sql, "CONSTRAINT \"uq_accounts_email\""),
        options: default_options,
        expected: &["add_unique accounts uq_accounts_email (email)"],
        drift: &[],
    }
);

case!(
    detects_extra_unique,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "CONSTRAINT \"uq_accounts_email\" UNIQUE (\"email\")",
            "CONSTRAINT \"uq_accounts_email\" UNIQUE (\"email\"),\n  CONSTRAINT \"uq_extra\" UNIQUE (\"balance\")"
        ),
        options: default_options,
        expected: &["drop_unique accounts uq_extra (balance)"],
        drift: &[],
    }
);

case!(
    detects_changed_unique_columns,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "UNIQUE (\"email\")",
            "UNIQUE (\"email\", \"balance\")"
        ),
        options: default_options,
        expected: &["alter_unique accounts uq_accounts_email (email, balance) -> (email)"],
        drift: &[],
    }
);

case!(
    detects_missing_foreign_key,
    Case {
        mutate: |sql, _| without_line(&sql, "CONSTRAINT \"fk_payments_account_id\""),
        options: default_options,
        expected: &[
            "add_foreign_key payments fk_payments_account_id (account_id) -> accounts(id) on delete Cascade"
        ],
        drift: &[],
    }
);

case!(
    detects_changed_foreign_key_action,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "ON DELETE CASCADE",
            "ON DELETE RESTRICT ON UPDATE CASCADE"
        ),
        options: default_options,
        expected: &[
            "alter_foreign_key payments fk_payments_account_id -> accounts(id) => accounts(id), on delete Restrict -> Cascade, on update Cascade -> NoAction"
        ],
        drift: &[],
    },
    // InnoDB checks RESTRICT and NO ACTION alike, at once: one normal form, NO ACTION.
    mysql: expected &[
        "alter_foreign_key payments fk_payments_account_id -> accounts(id) => accounts(id), on delete NoAction -> Cascade, on update Cascade -> NoAction"
    ]
);

case!(
    detects_extra_foreign_key,
    Case {
        mutate: |sql, s| replace_once(
            &sql,
            "  \"amount\" BIGINT NOT NULL,",
            &format!(
                "  \"amount\" BIGINT NOT NULL CONSTRAINT \"fk_extra\" REFERENCES {s}\"accounts\" (\"id\"),"
            )
        ),
        options: default_options,
        expected: &["drop_foreign_key payments fk_extra (amount)"],
        drift: &[],
    }
);

case!(
    detects_missing_check,
    Case {
        mutate: |sql, _| without_line(&sql, "CONSTRAINT \"ck_accounts_balance\""),
        options: default_options,
        expected: &["add_check accounts ck_accounts_balance"],
        drift: &[],
    }
);

case!(
    detects_changed_check,
    Case {
        mutate: |sql, _| replace_once(&sql, "CHECK (balance >= 0)", "CHECK (balance >= -10)"),
        options: default_options,
        expected: &["alter_check accounts ck_accounts_balance"],
        drift: &[],
    }
);

case!(
    detects_extra_check,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "CHECK (balance >= 0)",
            "CHECK (balance >= 0),\n  CONSTRAINT \"ck_extra\" CHECK (balance < 1000000)"
        ),
        options: default_options,
        expected: &["drop_check accounts ck_extra"],
        drift: &[],
    }
);

case!(
    detects_missing_index,
    Case {
        mutate: |sql, _| {
            let at = sql
                .find("CREATE INDEX \"ix_accounts_email_created\"")
                .unwrap();
            let end = sql[at..].find(";\n").unwrap() + at + 2;
            format!("{}{}", &sql[..at], &sql[end..])
        },
        options: default_options,
        expected: &["add_index accounts ix_accounts_email_created"],
        drift: &[],
    }
);

case!(
    detects_extra_index,
    Case {
        mutate: |sql, s| format!(
            "{sql}CREATE INDEX \"ix_extra\" ON {s}\"accounts\" (\"balance\");\n"
        ),
        // Kept by default (allow_drop_extra_indexes is off), reported as drift.
        options: default_options,
        expected: &[],
        drift: &["ix_extra"],
    }
);

case!(
    detects_extra_index_to_drop,
    Case {
        mutate: |sql, s| format!(
            "{sql}CREATE INDEX \"ix_extra\" ON {s}\"accounts\" (\"balance\");\n"
        ),
        options: |o| Options {
            allow_drop_extra_indexes: true,
            ..o
        },
        expected: &["drop_index accounts ix_extra"],
        drift: &[],
    }
);

case!(
    detects_changed_index_columns,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "(\"email\", \"created_at\")",
            "(\"email\" DESC, \"created_at\")"
        ),
        options: default_options,
        expected: &[
            "alter_index accounts ix_accounts_email_created: unique false -> false, predicate None -> None, columns [(\"email\", Desc), (\"created_at\", Asc)] -> [(\"email\", Asc), (\"created_at\", Asc)]"
        ],
        drift: &[],
    }
);

case!(
    detects_changed_index_uniqueness,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "CREATE INDEX \"ix_accounts_email_created\"",
            "CREATE UNIQUE INDEX \"ix_accounts_email_created\""
        ),
        options: default_options,
        expected: &[
            "alter_index accounts ix_accounts_email_created: unique true -> false, predicate None -> None, columns [(\"email\", Asc), (\"created_at\", Asc)] -> [(\"email\", Asc), (\"created_at\", Asc)]"
        ],
        drift: &[],
    },
    // MySQL has one kind of unique index: it is reflected as a unique constraint.
    mysql: expected &[
        "drop_unique accounts ix_accounts_email_created (email, created_at)",
        "add_index accounts ix_accounts_email_created"
    ]
);

case!(
    detects_added_index_predicate,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "(\"email\", \"created_at\");",
            "(\"email\", \"created_at\") WHERE balance > 0;"
        ),
        options: default_options,
        expected: &[
            "alter_index accounts ix_accounts_email_created: unique false -> false, predicate Some(\"balance > 0\") -> None, columns [(\"email\", Asc), (\"created_at\", Asc)] -> [(\"email\", Asc), (\"created_at\", Asc)]"
        ],
        drift: &[],
    },
    mysql: skip "MySQL and MariaDB have no partial indexes"
);

#[tokio::test]
async fn postgres_detects_table_comment() {
    check_postgres(
        Case {
            mutate: |sql, s| format!("{sql}COMMENT ON TABLE {s}\"accounts\" IS 'old words';\n"),
            options: default_options,
            expected: &[
                "set_table_comment accounts Some(\"old words\") -> Some(\"Holders of money.\")",
            ],
            drift: &[],
        },
        "detect_table_comment",
    )
    .await;
}

#[tokio::test]
async fn postgres_detects_column_comment() {
    check_postgres(
        Case {
            mutate: |sql, s| {
                format!("{sql}COMMENT ON COLUMN {s}\"accounts\".\"balance\" IS 'undeclared';\n")
            },
            options: default_options,
            expected: &["alter_column accounts.balance: comment Some(\"undeclared\") -> None"],
            drift: &[],
        },
        "detect_column_comment",
    )
    .await;
}

#[tokio::test]
async fn sqlite_never_reports_comments_it_cannot_store() {
    check_sqlite(Case {
        mutate: |sql, _| sql,
        options: default_options,
        expected: &[],
        drift: &[],
    })
    .await;
}

case!(
    detects_changed_foreign_key_target,
    Case {
        mutate: |sql, s| replace_once(
            &sql,
            &format!("REFERENCES {s}\"accounts\" (\"id\") ON DELETE CASCADE"),
            &format!("REFERENCES {s}\"payments\" (\"id\") ON DELETE CASCADE"),
        ),
        options: default_options,
        expected: &[
            "alter_foreign_key payments fk_payments_account_id -> payments(id) => accounts(id), on delete Cascade -> Cascade, on update NoAction -> NoAction"
        ],
        drift: &[],
    }
);

#[tokio::test]
async fn sqlite_detects_column_collation() {
    check_sqlite(Case {
        mutate: |sql, _| {
            replace_once(
                &sql,
                "\"nickname\" TEXT,",
                "\"nickname\" TEXT COLLATE NOCASE,",
            )
        },
        options: default_options,
        expected: &["alter_column accounts.nickname: collation Some(\"NOCASE\") -> None"],
        drift: &[],
    })
    .await;
}

#[tokio::test]
async fn postgres_detects_column_collation() {
    check_postgres(
        Case {
            mutate: |sql, _| {
                replace_once(
                    &sql,
                    "\"nickname\" TEXT,",
                    "\"nickname\" TEXT COLLATE \"C\",",
                )
            },
            options: default_options,
            expected: &["alter_column accounts.nickname: collation Some(\"C\") -> None"],
            drift: &[],
        },
        "detect_collation",
    )
    .await;
}

case!(
    detects_generated_column,
    Case {
        mutate: |sql, _| replace_once(
            &sql,
            "\"amount\" BIGINT NOT NULL,",
            "\"amount\" BIGINT NOT NULL GENERATED ALWAYS AS (account_id * 2) STORED,"
        ),
        options: default_options,
        expected: &["alter_column payments.amount: generated Some(\"account_id * 2\") -> None"],
        drift: &[],
    },
    // MariaDB takes no NOT NULL on a generated column.
    mysql: Case {
        mutate: |sql, _| replace_once(
            &sql,
            "\"amount\" BIGINT NOT NULL,",
            "\"amount\" BIGINT GENERATED ALWAYS AS (account_id * 2) STORED,"
        ),
        options: default_options,
        expected: &["alter_column payments.amount: nullable true -> false; generated Some(\"`account_id` * 2\") -> None"],
        drift: &[],
    }
);

// Log lines: a table without a primary key (no doc comment, so no table comment).
#[derive(Table)]
#[table(name = "log_lines")]
struct LogLine {
    message: String,
}

// `LogLine` for MySQL, which keys no TEXT column whole (no doc comment: no table comment).
#[derive(Table)]
#[table(name = "log_lines")]
struct ShortLogLine {
    #[column(max_length = 100)]
    message: String,
}

backend_tests! {
    detects_undeclared_primary_key => async |db| {
        let (ddl, table) = if db.is_mysql() {
            ("CREATE TABLE log_lines (message VARCHAR(100) NOT NULL PRIMARY KEY)", ShortLogLine::table_def())
        } else {
            ("CREATE TABLE log_lines (message TEXT NOT NULL PRIMARY KEY)", LogLine::table_def())
        };
        db.ddl(ddl).await;
        let plan = db.conform().await.compare(&[table]).await.unwrap();
        assert_eq!(
            summaries(&plan),
            ["drop_primary_key log_lines (message)"],
            "{plan}"
        );
    };
}
