//! How a [`Plan`] reads: `Display` for people (grouped by table, risk marked, a summary
//! line first) and [`Plan::to_sql`] for a runnable script.

use crate::model::QualifiedName;
use crate::plan::{BlockedStep, ChangeKind, Plan, Step};
use std::fmt;

/// What a step does to the schema, for the summary line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    Create,
    Add,
    Alter,
    Rebuild,
    Drop,
}

fn effect(kind: ChangeKind) -> Effect {
    use ChangeKind::*;
    match kind {
        CreateSchema | CreateTable => Effect::Create,
        // Added to a table that exists: "2 to create" read as two new tables.
        AddColumn | AddPrimaryKey | AddUnique | AddForeignKey | AddCheck | AddIndex => Effect::Add,
        DropTable | DropColumn | DropPrimaryKey | DropUnique | DropForeignKey | DropCheck
        | DropIndex => Effect::Drop,
        RebuildTable => Effect::Rebuild,
        _ => Effect::Alter,
    }
}

impl Plan {
    /// One line counting what the plan does: `3 to create, 2 to add, 2 to alter, 1 to
    /// rebuild, 1 blocked`. "To create" counts schemas and tables, "to add" the columns,
    /// keys, constraints and indexes added to tables that exist (a new table's come with
    /// it).
    ///
    /// ```
    /// # extern crate dbconform_core as dbconform;
    /// use dbconform::Plan;
    /// assert_eq!(Plan::default().summary(), "nothing to do");
    /// ```
    pub fn summary(&self) -> String {
        let count = |e: Effect| self.steps().iter().filter(|s| effect(s.kind) == e).count();
        let not_executable = self.steps().iter().filter(|s| s.sql.is_empty()).count();
        let parts = [
            (count(Effect::Create), "to create"),
            (count(Effect::Add), "to add"),
            (count(Effect::Alter), "to alter"),
            (count(Effect::Rebuild), "to rebuild"),
            (count(Effect::Drop), "to drop"),
            (not_executable, "not executable"),
            (self.blocked().len(), "blocked"),
            (self.drift().len(), "kept as drift"),
        ];
        let parts: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if parts.is_empty() {
            "nothing to do".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// The plan as a runnable SQL script: running it (`sqlite3 app.db < plan.sql`, `psql
    /// -1 -v ON_ERROR_STOP=1 -f plan.sql`) leaves the database as `apply` of the same plan
    /// does. Each step starts with comment lines giving its number, risk, code, what it
    /// does and why; then its statements, each ending with `;`, including the drops and
    /// re-creations of the views, rules and triggers a step must put back. Steps without
    /// SQL (a change this backend cannot perform) and blocked steps appear as comments
    /// only, so the script never runs half a plan silently. The backend frames the
    /// script (see [`Dialect::script_prologue`]): on SQLite one transaction, with foreign
    /// keys off around table rebuilds. Steps that must commit before the others
    /// ([`Dialect::commits_before_others`]: PostgreSQL's new enum labels) are followed by
    /// `COMMIT; BEGIN;`, as `apply` commits them first.
    ///
    /// [`Dialect::commits_before_others`]: crate::dialect::Dialect::commits_before_others
    /// [`Dialect::script_prologue`]: crate::dialect::Dialect::script_prologue
    ///
    /// An online plan ([`Plan::phases`]) is written phase by phase instead: the steps as
    /// comments first, then each phase's statements, those that share a transaction
    /// between `BEGIN;` and `COMMIT;` and those that must run outside one
    /// (`CREATE INDEX CONCURRENTLY`) on their own — run it without `-1`: `psql -v
    /// ON_ERROR_STOP=1 -f plan.sql`.
    pub fn to_sql(&self) -> String {
        if !self.phases().is_empty() {
            return self.to_phased_sql();
        }
        let mut out = format!("-- dbconform plan ({}): {}\n", self.dialect, self.summary());
        // An empty script needs no frame.
        let dialect = crate::dialect::by_name(&self.dialect)
            .filter(|_| self.steps().iter().any(|s| !s.sql.is_empty()));
        for warning in self.warnings() {
            out.push_str(&format!("-- warning: {}\n", one_line(warning)));
        }
        if let Some(dialect) = dialect {
            out.push_str(&dialect.script_prologue(self));
        }
        for (i, step) in self.steps().iter().enumerate() {
            out.push_str(&format!(
                "\n-- step {}: [{} {}] {}\n-- {}\n",
                i + 1,
                step.risk,
                step.code,
                one_line(&step.describe()),
                one_line(&step.reason)
            ));
            for effect in &step.effects {
                out.push_str(&format!("-- {}\n", one_line(&effect.to_string())));
            }
            for part in &step.parts {
                out.push_str(&format!(
                    "--   [{} {}] {}: {}\n",
                    part.risk,
                    part.code,
                    one_line(&part.describe()),
                    one_line(&part.reason)
                ));
            }
            match (&step.rebuild, step.sql.is_empty()) {
                (Some(why), true) => out.push_str(&format!(
                    "-- not executable: needs a table rebuild ({})\n",
                    one_line(why)
                )),
                (Some(why), false) => {
                    out.push_str(&format!("-- rebuild because {}\n", one_line(why)))
                }
                (None, true) => out.push_str(&format!("-- not executable on {}\n", self.dialect)),
                (None, false) => {}
            }
            for statement in &step.sql {
                out.push_str(statement);
                out.push_str(";\n");
            }
            // As `apply` does: the steps that must commit before the others do.
            let first =
                |s: &crate::plan::Step| dialect.is_some_and(|d| d.commits_before_others(&s.change));
            if first(step) && !self.steps().get(i + 1).is_some_and(first) {
                out.push_str(
                    "\n-- the steps above commit before the rest, as apply commits them: the database cannot use what they add in the transaction adding it\nCOMMIT;\nBEGIN;\n",
                );
            }
        }
        if let Some(dialect) = dialect {
            out.push_str(&dialect.script_epilogue(self));
        }
        self.push_blocked_comments(&mut out);
        out
    }
}

impl Plan {
    /// [`Plan::to_sql`] of an online plan.
    fn to_phased_sql(&self) -> String {
        let mut out = format!(
            "-- dbconform online plan ({}): {}\n-- not one transaction: each phase commits as it goes; run it with psql -v ON_ERROR_STOP=1 -f plan.sql (without -1)\n",
            self.dialect,
            self.summary()
        );
        for (i, step) in self.steps().iter().enumerate() {
            out.push_str(&format!(
                "-- step {}: [{} {}] {}\n",
                i + 1,
                step.risk,
                step.code,
                one_line(&step.describe())
            ));
        }
        for phase in self.phases() {
            out.push_str(&format!(
                "\n-- phase {}: {}\n",
                phase.kind.number(),
                phase.kind
            ));
            for unit in phase.units() {
                let transaction = unit.iter().all(|s| s.transaction);
                if transaction {
                    out.push_str("BEGIN;\n");
                }
                for statement in unit {
                    out.push_str(&format!("-- step {}\n{};\n", statement.step, statement.sql));
                }
                if transaction {
                    out.push_str("COMMIT;\n");
                }
            }
        }
        self.push_blocked_comments(&mut out);
        out
    }
}

impl Plan {
    /// The blocked steps as comments closing a script: never run, always said.
    fn push_blocked_comments(&self, out: &mut String) {
        for blocked in self.blocked() {
            out.push_str(&format!(
                "\n-- blocked: [{} {}] {}\n-- {}\n",
                blocked.step.risk,
                blocked.step.code,
                one_line(&blocked.step.describe()),
                blocked.why()
            ));
        }
    }
}

/// Keeps a text on one comment line, whatever names or messages it contains.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

impl BlockedStep {
    /// Why the step is not executed and what would let it run, in one line: the data
    /// problem (`will fail: 2 rows have NULL in ...`), the options that unlock it (`set
    /// allow_shrink_column to allow it`; after a data problem, `the data must change first,
    /// then set ...`), and the blocked step it needs, if any.
    pub fn why(&self) -> String {
        let mut parts = Vec::new();
        if let Some(problem) = &self.problem {
            parts.push(problem.clone());
        }
        match (&self.problem, self.unlocked_by.is_empty()) {
            (_, true) => {}
            // The data makes the step fail whatever the options say: the flag alone would
            // not help.
            (Some(_), false) => parts.push(format!(
                "the data must change first, then set {} to allow it",
                self.unlocked_by
            )),
            (None, false) => parts.push(format!("set {} to allow it", self.unlocked_by)),
        }
        if let Some(needed) = &self.depends_on {
            parts.push(format!("it needs `{needed}`, which is blocked"));
        }
        if parts.is_empty() {
            parts.push(self.step.reason.clone());
        }
        one_line(&parts.join("; "))
    }
}

/// The steps touching one table (`None`: schemas), each with its number in execution order.
type TableGroup<'a> = (Option<QualifiedName>, Vec<(usize, &'a Step)>);

/// Steps grouped by the table they touch, in order of first appearance.
fn by_table(steps: &[Step]) -> Vec<TableGroup<'_>> {
    let mut groups: Vec<TableGroup<'_>> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match groups.iter_mut().find(|(table, _)| *table == step.table) {
            Some((_, members)) => members.push((i + 1, step)),
            None => groups.push((step.table.clone(), vec![(i + 1, step)])),
        }
    }
    groups
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            write!(f, "Nothing to do: the database conforms")?;
            if self.drift().is_empty() {
                return writeln!(f, ".");
            }
            writeln!(f, " ({} kept as drift).", self.drift().len())?;
        } else {
            writeln!(f, "Plan ({}): {}", self.dialect, self.summary())?;
        }
        if !self.warnings().is_empty() {
            writeln!(f, "\nWarnings:")?;
            for warning in self.warnings() {
                writeln!(f, "  - {warning}")?;
            }
        }
        for (table, steps) in by_table(self.steps()) {
            match table {
                Some(table) => writeln!(f, "\n{table}")?,
                None => writeln!(f, "\n(schemas)")?,
            }
            for (n, step) in steps {
                writeln!(
                    f,
                    "  {n:>3}. [{} {}] {}",
                    step.risk,
                    step.code,
                    step.describe()
                )?;
                writeln!(f, "       {}", step.reason)?;
                for effect in &step.effects {
                    writeln!(f, "       {effect}")?;
                }
                for part in &step.parts {
                    writeln!(
                        f,
                        "       - [{} {}] {}: {}",
                        part.risk,
                        part.code,
                        part.describe(),
                        part.reason
                    )?;
                }
                match (&step.rebuild, step.sql.is_empty()) {
                    (Some(why), true) => {
                        writeln!(f, "       not executable: needs a table rebuild: {why}")?
                    }
                    (Some(why), false) => writeln!(f, "       rebuilt because {why}")?,
                    _ => {}
                }
                if let Some(suggestion) = &step.suggestion {
                    writeln!(f, "       suggestion: {suggestion}")?;
                }
            }
        }
        if !self.phases().is_empty() {
            writeln!(
                f,
                "\nOnline, in phases (each commits on its own; see `to_sql` for the statements):"
            )?;
            for phase in self.phases() {
                let mut steps: Vec<usize> = phase.statements.iter().map(|s| s.step).collect();
                steps.dedup();
                let alone = phase.statements.iter().filter(|s| !s.transaction).count();
                writeln!(
                    f,
                    "  {}. {}: step{} {} ({} statement{}{})",
                    phase.kind.number(),
                    phase.kind,
                    if steps.len() == 1 { "" } else { "s" },
                    steps
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    phase.statements.len(),
                    if phase.statements.len() == 1 { "" } else { "s" },
                    if alone == 0 {
                        String::new()
                    } else {
                        format!(", {alone} outside a transaction")
                    }
                )?;
            }
        }
        if !self.blocked().is_empty() {
            writeln!(f, "\nBlocked (not executed):")?;
            for blocked in self.blocked() {
                writeln!(
                    f,
                    "  - [{} {}] {}",
                    blocked.step.risk,
                    blocked.step.code,
                    blocked.step.describe()
                )?;
                writeln!(f, "       {}", blocked.step.reason)?;
                for effect in &blocked.step.effects {
                    writeln!(f, "       {effect}")?;
                }
                writeln!(f, "       {}", blocked.why())?;
                if let Some(suggestion) = &blocked.step.suggestion {
                    writeln!(f, "       suggestion: {suggestion}")?;
                }
            }
        }
        if !self.drift().is_empty() {
            writeln!(f, "\nKept as drift (in the database, not declared):")?;
            for drift in self.drift() {
                writeln!(f, "  - {}: {}", drift.table, drift.description)?;
            }
        }
        Ok(())
    }
}
