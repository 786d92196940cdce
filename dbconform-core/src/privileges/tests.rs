//! What a plan's steps need the role to be allowed, and how refusals block them.

use super::*;
use crate::dialect::fixtures::{col, fk, null, resolved, table};
use crate::diff::testing::PG;
use crate::model::{ColumnType, Schema, TableDef};
use crate::options::Options;
use crate::planner::build_plan;

fn public(table: &str) -> QualifiedName {
    QualifiedName::with_schema("public", table)
}

fn customers() -> TableDef {
    table("customers", vec![col("name", ColumnType::Text)])
}

fn orders() -> TableDef {
    table("orders", vec![col("customer_id", ColumnType::BigInt)])
}

/// The database holds `customers` and `orders`; the declaration adds `orders.note`, a
/// foreign key from `orders` to `customers`, and `billing.invoices` (in a new schema)
/// referencing `orders`.
fn plan() -> Plan {
    let mut db = Schema::new(vec![
        resolved(customers(), "public"),
        resolved(orders(), "public"),
    ]);
    db.schemas = vec!["public".into()];
    let mut wanted_orders = orders();
    wanted_orders.columns.push(null("note", ColumnType::Text));
    wanted_orders.foreign_keys.push(fk(
        "fk_orders_customer",
        &["customer_id"],
        "customers",
        &["id"],
    ));
    let mut invoices = table("invoices", vec![col("order_id", ColumnType::BigInt)]);
    invoices.schema = Some("billing".into());
    let mut to_orders = fk("fk_invoices_order", &["order_id"], "orders", &["id"]);
    to_orders.references.schema = Some("public".into());
    invoices.foreign_keys = vec![to_orders];
    build_plan(
        &[customers(), wanted_orders, invoices],
        &db,
        &PG,
        &Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn refusal(why: &str, remedy: &str) -> Refusal {
    Refusal {
        why: why.into(),
        remedy: remedy.into(),
    }
}

#[test]
fn the_steps_need_what_exists_before_the_plan_runs() {
    let plan = plan();
    assert_eq!(
        plan.steps().iter().map(Step::describe).collect::<Vec<_>>(),
        [
            "create schema billing",
            "add column public.orders.note",
            "create table billing.invoices",
            "add foreign key fk_orders_customer on public.orders",
        ]
    );
    assert_eq!(
        needs(&plan),
        [
            Need::CreateSchema {
                schema: "billing".into()
            },
            Need::Alter {
                table: public("orders")
            },
            Need::Reference {
                table: public("customers")
            },
            Need::Reference {
                table: public("orders")
            },
        ]
    );
    // Nothing to do: nothing to ask.
    assert!(needs(&Plan::new("postgres", vec![], vec![], vec![])).is_empty());
}

/// Each refused step says who cannot do what and why, its suggestion starting with the
/// way out (the planner's own suggestion after it); a step needing a blocked one names it.
#[test]
fn a_refused_need_blocks_its_steps_and_those_needing_them() {
    let who = "role \"app\"";
    let privileges = Privileges {
        who: who.into(),
        refused: BTreeMap::from([
            (
                Need::Alter {
                    table: public("orders"),
                },
                refusal(
                    "it is owned by \"admin\"",
                    "run as the owner, or GRANT \"admin\" TO \"app\"",
                ),
            ),
            (
                Need::CreateSchema {
                    schema: "billing".into(),
                },
                refusal(
                    "it lacks CREATE on the database",
                    "GRANT CREATE ON DATABASE \"test\" TO \"app\"",
                ),
            ),
            (
                Need::Reference {
                    table: public("customers"),
                },
                refusal(
                    "it lacks REFERENCES on it",
                    "GRANT REFERENCES ON \"public\".\"customers\" TO \"app\"",
                ),
            ),
        ]),
    };
    let plan = block(plan(), &privileges);
    assert!(plan.steps().is_empty(), "{plan}");
    let blocked: Vec<(String, String, Option<String>, Option<String>)> = plan
        .blocked()
        .iter()
        .map(|b| {
            assert_eq!(b.unlocked_by, "", "no option unlocks {}", b.step.describe());
            (
                b.step.describe(),
                b.why(),
                b.step.suggestion.clone(),
                b.depends_on.clone(),
            )
        })
        .collect();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        blocked,
        [
            (
                "create schema billing".to_string(),
                "role \"app\" cannot create schema billing: it lacks CREATE on the database"
                    .to_string(),
                some("GRANT CREATE ON DATABASE \"test\" TO \"app\""),
                None,
            ),
            (
                "add column public.orders.note".to_string(),
                "role \"app\" cannot alter public.orders: it is owned by \"admin\"".to_string(),
                some("run as the owner, or GRANT \"admin\" TO \"app\""),
                None,
            ),
            (
                "add foreign key fk_orders_customer on public.orders".to_string(),
                "role \"app\" cannot alter public.orders: it is owned by \"admin\"; \
                 role \"app\" cannot reference public.customers in a foreign key: it lacks REFERENCES on it"
                    .to_string(),
                some(
                    "run as the owner, or GRANT \"admin\" TO \"app\"; \
                     GRANT REFERENCES ON \"public\".\"customers\" TO \"app\"; \
                     fails if rows reference values of `public.customers` that do not exist"
                ),
                None,
            ),
            (
                "create table billing.invoices".to_string(),
                "it needs `create schema billing`, which is blocked".to_string(),
                None,
                some("create schema billing"),
            ),
        ]
    );
}

#[test]
fn nothing_refused_leaves_the_plan_as_it_was() {
    let plan = plan();
    assert_eq!(block(plan.clone(), &Privileges::default()), plan);
    // A refusal of something no step needs blocks nothing.
    let unrelated = Privileges {
        who: "role \"app\"".into(),
        refused: BTreeMap::from([(
            Need::Drop {
                table: public("orders"),
            },
            refusal("it is owned by \"admin\"", "run as the owner"),
        )]),
    };
    assert_eq!(block(plan.clone(), &unrelated), plan);
}
