//! The plan as a Graphviz DOT graph of step dependencies: [`Plan::to_dot`].

use crate::model::QualifiedName;
use crate::plan::{Change, Plan, Risk, Step};
use std::fmt::Write as _;

/// Why one step comes after another, as an edge label.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    /// The schema the table lives in is created first.
    Schema,
    /// Steps on the same table run in plan order.
    SameTable,
    /// A foreign key needs the table it references to exist (and be altered) first.
    References,
    /// A table is dropped after the foreign keys and tables referencing it.
    ReferencedBy,
}

impl Why {
    fn label(self) -> &'static str {
        match self {
            Why::Schema => "schema",
            Why::SameTable => "same table",
            Why::References => "references",
            Why::ReferencedBy => "referenced by",
        }
    }
}

impl Plan {
    /// The plan as a [Graphviz](https://graphviz.org) DOT graph of step dependencies,
    /// e.g. `dbconform plan --format dot | dot -Tsvg > plan.svg`.
    ///
    /// One box per step (`s1`, `s2`, ... in execution order), outlined by risk (safe green,
    /// caution orange, danger red). An edge `a -> b` says `b` must run after `a`:
    ///
    /// - `schema`: a missing schema is created before the first step on each of its tables;
    /// - `same table`: steps on one table follow each other in plan order;
    /// - `references`: a table created, or a foreign key added or changed, after the last
    ///   earlier step on each table it references;
    /// - `referenced by`: a table dropped after the earlier steps dropping the foreign keys
    ///   and tables that reference it.
    ///
    /// Blocked steps (`b1`, `b2`, ...) are dashed, labelled with what unlocks them
    /// ([`BlockedStep::why`](crate::BlockedStep::why)), with a dashed `needs` edge from
    /// the blocked step they depend on. The output is deterministic.
    ///
    /// ```
    /// # extern crate dbconform_core as dbconform;
    /// use dbconform::Plan;
    /// assert!(Plan::default().to_dot().starts_with("digraph plan {"));
    /// ```
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph plan {\n");
        let title = format!("dbconform plan ({}): {}", self.dialect, self.summary());
        let _ = writeln!(
            out,
            "  graph [label=\"{}\", labelloc=t, rankdir=TB, fontname=\"Helvetica\"];",
            escape(&title)
        );
        out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
        out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        for (i, step) in self.steps().iter().enumerate() {
            let label = format!(
                "{}. {}\n{} {}",
                i + 1,
                step.describe(),
                step.risk,
                step.code
            );
            let _ = writeln!(
                out,
                "  s{} [label=\"{}\", color=\"{}\"];",
                i + 1,
                escape(&label),
                color(step.risk)
            );
        }
        for (from, to, why) in edges(self.steps()) {
            let _ = writeln!(
                out,
                "  s{} -> s{} [label=\"{}\"];",
                from + 1,
                to + 1,
                why.label()
            );
        }
        for (i, blocked) in self.blocked().iter().enumerate() {
            let label = format!(
                "blocked: {}\n{} {}\n{}",
                blocked.step.describe(),
                blocked.step.risk,
                blocked.step.code,
                blocked.why()
            );
            let _ = writeln!(
                out,
                "  b{} [label=\"{}\", color=\"{}\", style=\"rounded,dashed\"];",
                i + 1,
                escape(&label),
                color(blocked.step.risk)
            );
        }
        for (i, blocked) in self.blocked().iter().enumerate() {
            let Some(needed) = &blocked.depends_on else {
                continue;
            };
            if let Some(j) = self
                .blocked()
                .iter()
                .position(|other| &other.step.describe() == needed)
            {
                let _ = writeln!(
                    out,
                    "  b{} -> b{} [label=\"needs\", style=dashed];",
                    j + 1,
                    i + 1
                );
            }
        }
        out.push_str("}\n");
        out
    }
}

/// The dependency edges between steps (indexes into `steps`), sorted, without duplicates;
/// where two reasons link the same pair, the first in [`Why`]'s order is kept.
fn edges(steps: &[Step]) -> Vec<(usize, usize, Why)> {
    let mut edges: Vec<(usize, usize, Why)> = Vec::new();
    let last_on = |table: &QualifiedName, before: usize| {
        steps[..before]
            .iter()
            .rposition(|s| s.table.as_ref() == Some(table))
    };
    for (j, step) in steps.iter().enumerate() {
        let Some(table) = &step.table else {
            continue;
        };
        match last_on(table, j) {
            Some(i) => edges.push((i, j, Why::SameTable)),
            None => {
                let created_schema = steps[..j].iter().position(|s| {
                    matches!(&s.change, Change::CreateSchema { schema }
                        if table.schema.as_deref() == Some(schema.as_str()))
                });
                if let Some(i) = created_schema {
                    edges.push((i, j, Why::Schema));
                }
            }
        }
        for referenced in references(&step.change) {
            if &referenced != table
                && let Some(i) = last_on(&referenced, j)
            {
                edges.push((i, j, Why::References));
            }
        }
        if let Change::DropTable { .. } = &step.change {
            for (i, earlier) in steps[..j].iter().enumerate() {
                let references_it = match &earlier.change {
                    Change::DropForeignKey { foreign_key, .. } => &foreign_key.references == table,
                    Change::DropTable { table: dropped } => dropped
                        .foreign_keys
                        .iter()
                        .any(|fk| &fk.references == table),
                    _ => false,
                };
                if references_it && earlier.table.as_ref() != Some(table) {
                    edges.push((i, j, Why::ReferencedBy));
                }
            }
        }
    }
    edges.sort();
    edges.dedup_by(|later, earlier| (later.0, later.1) == (earlier.0, earlier.1));
    edges
}

/// The tables a step's foreign keys reference, when the step creates or changes them.
fn references(change: &Change) -> Vec<QualifiedName> {
    let mut tables: Vec<QualifiedName> = match change {
        Change::CreateTable { table } => table
            .foreign_keys
            .iter()
            .map(|fk| fk.references.clone())
            .collect(),
        Change::AddForeignKey { foreign_key, .. } => vec![foreign_key.references.clone()],
        Change::AlterForeignKey { to, .. } => vec![to.references.clone()],
        _ => Vec::new(),
    };
    tables.sort();
    tables.dedup();
    tables
}

fn color(risk: Risk) -> &'static str {
    match risk {
        Risk::Safe => "darkgreen",
        Risk::Caution => "darkorange",
        Risk::Danger => "red3",
    }
}

/// Escapes text for a double-quoted DOT string: backslashes and quotes escaped, line
/// breaks as `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::POSTGRES;
    use crate::dialect::fixtures::{referencing, table};
    use crate::model::Schema;
    use crate::options::Options;
    use crate::plan::BlockedStep;
    use crate::planner::build_plan;

    fn app_options() -> Options {
        Options {
            target_schema: "app".into(),
            ..Options::default()
        }
    }

    #[test]
    fn create_path_links_schema_references_and_same_table() {
        let desired = [
            referencing("loans", &["books", "members"]),
            referencing("books", &["authors"]),
            table("authors", vec![]),
            table("members", vec![]),
        ];
        let plan = build_plan(&desired, &Schema::default(), &POSTGRES, &app_options()).unwrap();
        let expected = r#"digraph plan {
  graph [label="dbconform plan (postgres): 5 to create", labelloc=t, rankdir=TB, fontname="Helvetica"];
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  s1 [label="1. create schema app\nsafe DC001", color="darkgreen"];
  s2 [label="2. create table app.authors\nsafe DC002", color="darkgreen"];
  s3 [label="3. create table app.books\nsafe DC002", color="darkgreen"];
  s4 [label="4. create table app.members\nsafe DC002", color="darkgreen"];
  s5 [label="5. create table app.loans\nsafe DC002", color="darkgreen"];
  s1 -> s2 [label="schema"];
  s1 -> s3 [label="schema"];
  s1 -> s4 [label="schema"];
  s1 -> s5 [label="schema"];
  s2 -> s3 [label="references"];
  s3 -> s5 [label="references"];
  s4 -> s5 [label="references"];
}
"#;
        assert_eq!(plan.to_dot(), expected);
    }

    #[test]
    fn blocked_steps_are_dashed_with_what_unlocks_them_and_what_they_need() {
        let desired = [referencing("books", &["authors"]), table("authors", vec![])];
        let plan = build_plan(&desired, &Schema::default(), &POSTGRES, &app_options()).unwrap();
        let (dialect, steps, _, drift) = plan.into_parts();
        let mut authors = steps[1].clone();
        authors.risk = Risk::Danger;
        let mut books = steps[2].clone();
        books.reason = "a \"quoted\" reason".into();
        let blocked = vec![
            BlockedStep::by_policy(authors, "allow_shrink_column"),
            BlockedStep {
                step: books,
                unlocked_by: "allow_shrink_column".into(),
                problem: None,
                depends_on: Some("create table app.authors".into()),
            },
        ];
        let plan = Plan::new(dialect, steps[..1].to_vec(), blocked, drift);
        let expected = r#"digraph plan {
  graph [label="dbconform plan (postgres): 1 to create, 2 blocked", labelloc=t, rankdir=TB, fontname="Helvetica"];
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  s1 [label="1. create schema app\nsafe DC001", color="darkgreen"];
  b1 [label="blocked: create table app.authors\ndanger DC002\nset allow_shrink_column to allow it", color="red3", style="rounded,dashed"];
  b2 [label="blocked: create table app.books\nsafe DC002\nset allow_shrink_column to allow it; it needs `create table app.authors`, which is blocked", color="darkgreen", style="rounded,dashed"];
  b1 -> b2 [label="needs", style=dashed];
}
"#;
        assert_eq!(plan.to_dot(), expected);
    }

    #[test]
    fn alters_follow_each_other_per_table_and_drops_follow_their_referencers() {
        use crate::dialect::fixtures::resolved;
        // The database has `old_parent` referenced by `old_child`, both undeclared, and
        // `authors` without its `bio` column; `books` is new.
        let mut authors = table("authors", vec![]);
        let mut declared_authors = authors.clone();
        declared_authors
            .columns
            .push(crate::dialect::fixtures::null(
                "bio",
                crate::ColumnType::Text,
            ));
        declared_authors.indexes.push(crate::model::Index {
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
            name: "ix_authors_bio".into(),
            columns: vec![crate::model::IndexColumn::asc("bio")],
            unique: false,
            predicate: None,
        });
        authors = resolved(authors, "app");
        let mut actual = Schema::new(vec![
            authors,
            resolved(table("old_parent", vec![]), "app"),
            resolved(referencing("old_child", &["old_parent"]), "app"),
        ]);
        actual.schemas = vec!["app".into()];
        let desired = [declared_authors, referencing("books", &["authors"])];
        let options = Options {
            allow_drop_extra_tables: true,
            ..app_options()
        };
        let plan = build_plan(&desired, &actual, &POSTGRES, &options).unwrap();
        let dot = plan.to_dot();
        let steps: Vec<String> = plan.steps().iter().map(Step::describe).collect();
        assert_eq!(
            steps,
            [
                "drop table app.old_child",
                "drop table app.old_parent",
                "add column app.authors.bio",
                "add index ix_authors_bio on app.authors",
                "create table app.books",
            ],
            "{dot}"
        );
        let edges: Vec<&str> = dot.lines().filter(|l| l.contains("->")).collect();
        assert_eq!(
            edges,
            [
                "  s1 -> s2 [label=\"referenced by\"];",
                "  s3 -> s4 [label=\"same table\"];",
                "  s4 -> s5 [label=\"references\"];",
            ]
        );
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape("a \"b\" \\ c\nd"), "a \\\"b\\\" \\\\ c\\nd");
    }
}
