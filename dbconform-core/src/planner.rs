//! Desired schema + actual schema → ordered, classified [`Plan`].
//!
//! The stages are small functions over plain data:
//!
//! 1. `resolve`: give every declared table (and every foreign-key target) its schema;
//! 2. `check`: validate every table, refuse duplicates and unknown references;
//! 3. `diff`: the [`Change`]s that make the database conform (missing schemas, missing
//!    tables), in no particular order;
//! 4. `order`: schemas first, then tables in foreign-key dependency order, then the
//!    foreign keys that had to wait for a cycle;
//! 5. `steps`: each change with its risk, code, reason and SQL;
//! 6. `drift`: what the database has that the declaration does not mention.

use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::model::{QualifiedName, Schema, TableDef};
use crate::options::Options;
use crate::plan::{Change, Drift, Plan, Risk, Step};
use std::collections::{BTreeMap, BTreeSet};

/// Builds the plan that makes `actual` conform to `desired`.
///
/// `desired` holds the declared tables as registered (schema `None` = target schema);
/// `actual` is what reflection found, with every table's schema resolved (`Some`).
/// The result is deterministic: the same inputs, in any order, give the same plan, byte
/// for byte.
///
/// Errors: a declared table the backend cannot create ([`Error::InvalidTable`]), and a
/// foreign key whose table is neither declared nor present ([`Error::UnknownReference`]).
pub fn build_plan(
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    let names = Names {
        dialect,
        target_schema: &options.target_schema,
    };
    let desired = resolve(desired, names);
    check(&desired, actual, names)?;
    let changes = order(diff(&desired, actual, names), names);
    let steps = steps(changes, &desired, dialect)?;
    Ok(Plan::new(
        dialect.name(),
        steps,
        Vec::new(),
        drift(&desired, actual, names),
    ))
}

/// A table name under the dialect's identifier rules: two names denote the same table
/// exactly when their keys are equal.
type Key = (String, String);

/// Resolves and compares table names for one dialect and target schema.
#[derive(Clone, Copy)]
struct Names<'a> {
    dialect: &'a dyn Dialect,
    target_schema: &'a str,
}

impl Names<'_> {
    /// The schema `name` lives in.
    fn schema(&self, schema: Option<&str>) -> String {
        self.dialect.effective_schema(schema, self.target_schema)
    }

    /// The key of a (possibly unresolved) table name.
    fn key(&self, name: &QualifiedName) -> Key {
        let schema = self.schema(name.schema.as_deref());
        (
            self.dialect.identifier_key(&schema),
            self.dialect.identifier_key(&name.name),
        )
    }

    /// The key of a table.
    fn table_key(&self, table: &TableDef) -> Key {
        self.key(&table.qualified_name())
    }
}

/// Copies of the declared tables with their schema and their foreign keys' target schemas
/// resolved, constraints in their deterministic order, sorted by qualified name.
fn resolve(desired: &[TableDef], names: Names<'_>) -> Vec<TableDef> {
    let mut tables: Vec<TableDef> = desired
        .iter()
        .map(|table| {
            let mut table = table.clone();
            table.schema = Some(names.schema(table.schema.as_deref()));
            for fk in &mut table.foreign_keys {
                fk.references.schema = Some(names.schema(fk.references.schema.as_deref()));
            }
            table.normalized_order();
            table
        })
        .collect();
    tables.sort_by_key(TableDef::qualified_name);
    tables
}

/// Validates every table, refuses a table declared twice, and checks that every foreign
/// key references a declared or existing table, its columns, and a key of it.
fn check(desired: &[TableDef], actual: &Schema, names: Names<'_>) -> Result<()> {
    let dialect = names.dialect;
    let mut declared: BTreeMap<Key, &TableDef> = BTreeMap::new();
    for table in desired {
        if let Some(first) = declared.insert(names.table_key(table), table) {
            return Err(Error::InvalidTable {
                table: table.qualified_name(),
                message: format!(
                    "the table is declared twice (as `{}` and `{}`); rename or remove one of them",
                    first.qualified_name(),
                    table.qualified_name()
                ),
            });
        }
    }
    for table in desired {
        dialect.validate_table(table)?;
    }
    let existing: BTreeMap<Key, &TableDef> = actual
        .tables
        .iter()
        .map(|t| (names.table_key(t), t))
        .collect();
    for table in desired {
        for fk in &table.foreign_keys {
            let target_key = names.key(&fk.references);
            let Some(target) = declared
                .get(&target_key)
                .or_else(|| existing.get(&target_key))
            else {
                return Err(Error::UnknownReference {
                    table: table.qualified_name(),
                    constraint: fk.name.clone(),
                    references: fk.references.clone(),
                });
            };
            referenced_key(table, fk, target, dialect)?;
        }
    }
    index_names_are_distinct(desired, names)
}

/// The referenced columns exist and are the target's primary key or a unique key (both
/// PostgreSQL and SQLite refuse anything else, PostgreSQL at CREATE, SQLite on every write).
fn referenced_key(
    table: &TableDef,
    fk: &crate::model::ForeignKey,
    target: &TableDef,
    dialect: &dyn Dialect,
) -> Result<()> {
    let invalid = |message: String| Error::InvalidTable {
        table: table.qualified_name(),
        message,
    };
    for name in &fk.referenced_columns {
        if !target
            .columns
            .iter()
            .any(|c| dialect.same_identifier(&c.name, name))
        {
            return Err(invalid(format!(
                "foreign key `{}` references column `{name}` of `{}`, which has no such column; reference one of its columns",
                fk.name, fk.references
            )));
        }
    }
    let set = |columns: &mut dyn Iterator<Item = &str>| -> BTreeSet<String> {
        columns.map(|c| dialect.identifier_key(c)).collect()
    };
    let wanted = set(&mut fk.referenced_columns.iter().map(String::as_str));
    let mut keys: Vec<BTreeSet<String>> = Vec::new();
    if let Some(pk) = &target.primary_key {
        keys.push(set(&mut pk.columns.iter().map(String::as_str)));
    }
    keys.extend(
        target
            .uniques
            .iter()
            .map(|u| set(&mut u.columns.iter().map(String::as_str))),
    );
    keys.extend(
        target
            .indexes
            .iter()
            .filter(|i| i.unique && i.predicate.is_none())
            .map(|i| set(&mut i.columns.iter().map(|c| c.name.as_str()))),
    );
    if !keys.contains(&wanted) {
        return Err(invalid(format!(
            "foreign key `{}` references ({}) of `{}`, which is neither its primary key nor a unique key; the database refuses such a foreign key: reference the primary key, or declare ({}) unique on `{}`",
            fk.name,
            fk.referenced_columns.join(", "),
            fk.references,
            fk.referenced_columns.join(", "),
            fk.references
        )));
    }
    Ok(())
}

/// Index names are unique per schema (they share a namespace with tables), so two declared
/// tables cannot use the same index name, nor an index the name of a table.
fn index_names_are_distinct(desired: &[TableDef], names: Names<'_>) -> Result<()> {
    let mut owners: BTreeMap<Key, (&str, &TableDef)> = BTreeMap::new();
    for table in desired {
        owners.insert(names.table_key(table), ("table", table));
    }
    for table in desired {
        for index in &table.indexes {
            let name = QualifiedName {
                schema: table.schema.clone(),
                name: index.name.clone(),
            };
            if let Some((kind, owner)) = owners.insert(names.key(&name), ("index", table)) {
                let clash = if kind == "table" {
                    format!("the table `{}`", owner.qualified_name())
                } else {
                    format!("an index of table `{}`", owner.qualified_name())
                };
                return Err(Error::InvalidTable {
                    table: table.qualified_name(),
                    message: format!(
                        "index `{}` has the same name as {clash}; index names are unique per schema, rename the index",
                        index.name
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The changes that make `actual` conform to `desired`: a [`Change::CreateSchema`] for each
/// missing schema a new table needs, a [`Change::CreateTable`] for each missing table.
fn diff(desired: &[TableDef], actual: &Schema, names: Names<'_>) -> Vec<Change> {
    let dialect = names.dialect;
    let existing_tables: BTreeSet<Key> = actual.tables.iter().map(|t| names.table_key(t)).collect();
    let existing_schemas: BTreeSet<String> = actual
        .schemas
        .iter()
        .map(|s| dialect.identifier_key(s))
        .chain(existing_tables.iter().map(|(schema, _)| schema.clone()))
        .collect();
    let missing: Vec<&TableDef> = desired
        .iter()
        .filter(|t| !existing_tables.contains(&names.table_key(t)))
        .collect();

    let mut schemas: BTreeMap<String, String> = BTreeMap::new();
    for table in &missing {
        let schema = table.schema.clone().unwrap_or_default();
        let schema_key = dialect.identifier_key(&schema);
        if !existing_schemas.contains(&schema_key) && dialect.create_schema_sql(&schema).is_some() {
            schemas.entry(schema_key).or_insert(schema);
        }
    }
    schemas
        .into_values()
        .map(|schema| Change::CreateSchema { schema })
        .chain(
            missing
                .into_iter()
                .map(|t| Change::CreateTable { table: t.clone() }),
        )
        .collect()
}

/// Schemas first (by name), then tables with every referenced table before the tables
/// referencing it (ties by qualified name), then, where the backend cannot create a table
/// that references one not created yet, an [`Change::AddForeignKey`] for each foreign key
/// closing a cycle.
fn order(changes: Vec<Change>, names: Names<'_>) -> Vec<Change> {
    let mut schemas = Vec::new();
    let mut tables = Vec::new();
    for change in changes {
        match change {
            Change::CreateTable { table } => tables.push(table),
            other => schemas.push(other),
        }
    }
    schemas.sort_by_key(|c| c.describe());
    tables.sort_by_key(TableDef::qualified_name);

    let keys: Vec<Key> = tables.iter().map(|t| names.table_key(t)).collect();
    let index_of: BTreeMap<&Key, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let dependencies: Vec<BTreeSet<usize>> = tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            table
                .foreign_keys
                .iter()
                .filter_map(|fk| index_of.get(&names.key(&fk.references)).copied())
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    let sequence = dependency_order(&dependencies);

    let mut position = vec![0; tables.len()];
    for (pos, &i) in sequence.iter().enumerate() {
        position[i] = pos;
    }
    let mut deferred = Vec::new();
    if !names.dialect.accepts_forward_references() {
        for &i in &sequence {
            for fk in &tables[i].foreign_keys {
                if let Some(&j) = index_of.get(&names.key(&fk.references))
                    && position[j] > position[i]
                {
                    deferred.push(Change::AddForeignKey {
                        table: tables[i].qualified_name(),
                        name: fk.name.clone(),
                    });
                }
            }
        }
    }
    let mut slots: Vec<Option<TableDef>> = tables.into_iter().map(Some).collect();
    let created = sequence
        .iter()
        .filter_map(|&i| slots[i].take())
        .map(|table| Change::CreateTable { table });
    schemas.into_iter().chain(created).chain(deferred).collect()
}

/// Each change as a step: risk, stable code, reason and SQL.
fn steps(changes: Vec<Change>, desired: &[TableDef], dialect: &dyn Dialect) -> Result<Vec<Step>> {
    let mut deferred: BTreeMap<QualifiedName, Vec<String>> = BTreeMap::new();
    for change in &changes {
        if let Change::AddForeignKey { table, name } = change {
            deferred
                .entry(table.clone())
                .or_default()
                .push(name.clone());
        }
    }
    changes
        .into_iter()
        .map(|change| {
            let (reason, sql) = match &change {
                Change::CreateSchema { schema } => (
                    format!("schema `{schema}` does not exist; the tables declared in it need it"),
                    dialect.create_schema_sql(schema).into_iter().collect(),
                ),
                Change::CreateTable { table } => {
                    let name = table.qualified_name();
                    let later = deferred.get(&name).map(Vec::as_slice).unwrap_or_default();
                    (
                        format!("table `{name}` is declared but does not exist in the database"),
                        dialect.create_table_sql(table, later)?,
                    )
                }
                Change::AddForeignKey { table, name } => {
                    let def = desired.iter().find(|t| &t.qualified_name() == table).ok_or_else(|| {
                        Error::NotExecutable(format!(
                            "foreign key `{name}` of `{table}` belongs to no declared table"
                        ))
                    })?;
                    let fk = def.foreign_keys.iter().find(|fk| &fk.name == name);
                    let target = fk.map(|fk| fk.references.to_string()).unwrap_or_default();
                    let sql = dialect.add_foreign_key_sql(def, name)?.ok_or_else(|| {
                        Error::NotExecutable(format!(
                            "{} cannot add foreign key `{name}` to `{table}` after CREATE TABLE",
                            dialect.name()
                        ))
                    })?;
                    (
                        format!(
                            "foreign key `{name}` references `{target}`, which is created after `{table}` because the tables reference each other in a cycle; it is added once both exist"
                        ),
                        vec![sql],
                    )
                }
            };
            let kind = change.kind();
            Ok(Step {
                kind,
                table: change.table(),
                risk: Risk::Safe,
                code: kind.code().to_string(),
                reason,
                suggestion: None,
                sql,
                change,
            })
        })
        .collect()
}

/// Tables the database has and the declaration does not mention, kept.
fn drift(desired: &[TableDef], actual: &Schema, names: Names<'_>) -> Vec<Drift> {
    let declared: BTreeSet<Key> = desired.iter().map(|t| names.table_key(t)).collect();
    let mut extra: Vec<QualifiedName> = actual
        .tables
        .iter()
        .filter(|t| !declared.contains(&names.table_key(t)))
        .map(TableDef::qualified_name)
        .collect();
    extra.sort();
    extra
        .into_iter()
        .map(|table| Drift {
            table,
            description: "table exists in the database but is not declared; kept".to_string(),
        })
        .collect()
}

/// An order of the nodes `0..dependencies.len()` in which every node comes after the
/// nodes it depends on (`dependencies[i]` holds what `i` depends on), wherever cycles allow.
///
/// Groups of nodes that depend on each other (strongly connected components) are placed
/// as wholes, dependencies first, ties going to the group holding the smallest node.
/// Inside a group, a node comes as soon as its dependencies in the group are placed; when
/// none can, the smallest remaining node is placed first, and its dependencies on nodes
/// placed later are the ones that close the cycle.
fn dependency_order(dependencies: &[BTreeSet<usize>]) -> Vec<usize> {
    let mut dependents = vec![Vec::new(); dependencies.len()];
    for (node, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            dependents[dep].push(node);
        }
    }
    let graph = Graph {
        dependencies,
        dependents,
        component: components(dependencies),
    };
    let component = &graph.component;
    let count = component.iter().max().map_or(0, |&c| c + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (node, &c) in component.iter().enumerate() {
        members[c].push(node);
    }
    // What each component waits for, and who waits for it.
    let mut waiting_on: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    let mut waited_by: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    for (node, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            let (c, d) = (component[node], component[dep]);
            if c != d {
                waiting_on[c].insert(d);
                waited_by[d].insert(c);
            }
        }
    }
    let mut ready: BTreeSet<(usize, usize)> = (0..count)
        .filter(|&c| waiting_on[c].is_empty())
        .map(|c| (members[c][0], c))
        .collect();
    let mut placed = vec![false; dependencies.len()];
    let mut order = Vec::with_capacity(dependencies.len());
    while let Some((_, c)) = ready.pop_first() {
        place_component(c, &members[c], &graph, &mut placed, &mut order);
        for &w in &waited_by[c] {
            waiting_on[w].remove(&c);
            if waiting_on[w].is_empty() {
                ready.insert((members[w][0], w));
            }
        }
    }
    order
}

/// Places the members of component `c`: each as soon as its dependencies inside the
/// component are placed, the smallest remaining one when a cycle leaves no other choice.
fn place_component(
    c: usize,
    members: &[usize],
    graph: &Graph<'_>,
    placed: &mut [bool],
    order: &mut Vec<usize>,
) {
    let inside = |n: usize| graph.component[n] == c;
    let mut waiting: BTreeMap<usize, usize> = members
        .iter()
        .map(|&n| {
            (
                n,
                graph.dependencies[n]
                    .iter()
                    .filter(|&&d| inside(d) && !placed[d])
                    .count(),
            )
        })
        .collect();
    let mut ready: BTreeSet<usize> = waiting
        .iter()
        .filter(|&(_, &count)| count == 0)
        .map(|(&n, _)| n)
        .collect();
    let mut remaining: BTreeSet<usize> = members.iter().copied().collect();
    while let Some(&smallest) = remaining.first() {
        let node = ready.pop_first().unwrap_or(smallest);
        remaining.remove(&node);
        placed[node] = true;
        order.push(node);
        for &w in &graph.dependents[node] {
            if inside(w)
                && !placed[w]
                && let Some(count) = waiting.get_mut(&w)
            {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    ready.insert(w);
                }
            }
        }
    }
}

/// The dependency graph with what `dependency_order` derives from it.
struct Graph<'a> {
    /// What each node depends on.
    dependencies: &'a [BTreeSet<usize>],
    /// What depends on each node.
    dependents: Vec<Vec<usize>>,
    /// The strongly connected component of each node.
    component: Vec<usize>,
}

/// The strongly connected component of every node (Tarjan's algorithm, iterative so a
/// long chain of tables cannot overflow the stack). Numbers are dense, from 0.
fn components(dependencies: &[BTreeSet<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = dependencies.len();
    let edges: Vec<Vec<usize>> = dependencies
        .iter()
        .map(|d| d.iter().copied().collect())
        .collect();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![UNSEEN; n];
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, edge)) = calls.last() {
            if let Some(&w) = edges[v].get(edge) {
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::fixtures::{self, col, fk, referencing, table};
    use crate::dialect::{POSTGRES, SQLITE};
    use crate::model::{ColumnType, Index, IndexColumn, UniqueConstraint};
    use crate::plan::ChangeKind;

    fn plan(desired: &[TableDef], actual: &Schema, dialect: &dyn Dialect) -> Plan {
        match build_plan(desired, actual, dialect, &Options::default()) {
            Ok(plan) => plan,
            Err(e) => panic!("{e}"),
        }
    }

    fn error(desired: &[TableDef], actual: &Schema, dialect: &dyn Dialect) -> String {
        match build_plan(desired, actual, dialect, &Options::default()) {
            Ok(plan) => panic!("expected an error, got\n{plan}"),
            Err(e) => e.to_string(),
        }
    }

    /// A database holding `tables` (resolved to `schema`) and the schema itself.
    fn database(schema: &str, tables: Vec<TableDef>) -> Schema {
        let mut db = Schema::new(
            tables
                .into_iter()
                .map(|t| fixtures::resolved(t, schema))
                .collect(),
        );
        db.schemas = vec![schema.to_string()];
        db
    }

    fn steps_of(plan: &Plan) -> Vec<String> {
        plan.steps().iter().map(Step::describe).collect()
    }

    #[test]
    fn chain_is_created_referenced_first() {
        let desired = [
            referencing("c", &["b"]),
            referencing("b", &["a"]),
            table("a", vec![]),
        ];
        for (dialect, schema) in [(&SQLITE as &dyn Dialect, "main"), (&POSTGRES, "public")] {
            let plan = plan(&desired, &database(schema, vec![]), dialect);
            assert_eq!(
                steps_of(&plan),
                [
                    format!("create table {schema}.a"),
                    format!("create table {schema}.b"),
                    format!("create table {schema}.c"),
                ]
            );
        }
    }

    #[test]
    fn diamond_is_created_referenced_first_ties_by_name() {
        let desired = [
            referencing("d", &["c", "b"]),
            referencing("c", &["a"]),
            referencing("b", &["a"]),
            table("a", vec![]),
        ];
        let plan = plan(&desired, &database("public", vec![]), &POSTGRES);
        assert_eq!(
            steps_of(&plan),
            [
                "create table public.a",
                "create table public.b",
                "create table public.c",
                "create table public.d"
            ]
        );
        assert!(
            plan.steps()
                .iter()
                .all(|s| s.kind == ChangeKind::CreateTable)
        );
    }

    #[test]
    fn self_reference_stays_inline() {
        let desired = [referencing("tree", &["tree"])];
        for dialect in [&SQLITE as &dyn Dialect, &POSTGRES] {
            let plan = plan(
                &desired,
                &database(&dialect.effective_schema(None, "public"), vec![]),
                dialect,
            );
            assert_eq!(plan.steps().len(), 1);
            assert!(plan.steps()[0].sql[0].contains("CONSTRAINT \"fk_tree_tree\" FOREIGN KEY"));
        }
    }

    #[test]
    fn two_table_cycle_on_postgres_adds_the_closing_key_afterwards() {
        let desired = [referencing("b", &["a"]), referencing("a", &["b"])];
        let plan = plan(&desired, &database("public", vec![]), &POSTGRES);
        assert_eq!(
            steps_of(&plan),
            [
                "create table public.a",
                "create table public.b",
                "add foreign key fk_a_b on public.a",
            ]
        );
        let sql: Vec<&str> = plan
            .steps()
            .iter()
            .flat_map(|s| s.sql.iter().map(String::as_str))
            .collect();
        assert_eq!(
            sql,
            [
                "CREATE TABLE \"public\".\"a\" (\n  \"id\" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n  \"b_id\" BIGINT,\n  PRIMARY KEY (\"id\")\n)",
                "CREATE TABLE \"public\".\"b\" (\n  \"id\" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n  \"a_id\" BIGINT,\n  PRIMARY KEY (\"id\"),\n  CONSTRAINT \"fk_b_a\" FOREIGN KEY (\"a_id\") REFERENCES \"public\".\"a\" (\"id\")\n)",
                "ALTER TABLE \"public\".\"a\" ADD CONSTRAINT \"fk_a_b\" FOREIGN KEY (\"b_id\") REFERENCES \"public\".\"b\" (\"id\")",
            ]
        );
        let add = &plan.steps()[2];
        assert_eq!(
            (add.kind, add.code.as_str(), add.risk),
            (ChangeKind::AddForeignKey, "DC003", Risk::Safe)
        );
        assert_eq!(
            add.reason,
            "foreign key `fk_a_b` references `public.b`, which is created after `public.a` because the tables reference each other in a cycle; it is added once both exist"
        );
    }

    #[test]
    fn two_table_cycle_on_sqlite_stays_inline() {
        let desired = [referencing("b", &["a"]), referencing("a", &["b"])];
        let plan = plan(&desired, &database("main", vec![]), &SQLITE);
        assert_eq!(
            steps_of(&plan),
            ["create table main.a", "create table main.b"]
        );
        assert_eq!(
            plan.steps()[0].sql,
            [
                "CREATE TABLE \"a\" (\n  \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n  \"b_id\" BIGINT,\n  CONSTRAINT \"fk_a_b\" FOREIGN KEY (\"b_id\") REFERENCES \"b\" (\"id\")\n)"
            ]
        );
    }

    #[test]
    fn only_cycle_closing_keys_are_deferred() {
        // `a` merely depends on the cycle m <-> n; it must not lose its foreign key, though
        // its name sorts first.
        let desired = [
            referencing("a", &["m"]),
            referencing("m", &["n"]),
            referencing("n", &["m"]),
        ];
        let plan = plan(&desired, &database("public", vec![]), &POSTGRES);
        assert_eq!(
            steps_of(&plan),
            [
                "create table public.m",
                "create table public.n",
                "create table public.a",
                "add foreign key fk_m_n on public.m",
            ]
        );
    }

    #[test]
    fn three_table_ring_defers_one_key() {
        let desired = [
            referencing("a", &["b"]),
            referencing("b", &["c"]),
            referencing("c", &["a"]),
        ];
        let plan = plan(&desired, &database("public", vec![]), &POSTGRES);
        assert_eq!(
            steps_of(&plan),
            [
                "create table public.a",
                "create table public.c",
                "create table public.b",
                "add foreign key fk_a_b on public.a",
            ]
        );
    }

    #[test]
    fn existing_tables_are_referenced_not_created() {
        let desired = [referencing("orders", &["users"]), table("users", vec![])];
        let actual = database("public", vec![table("users", vec![])]);
        let plan = plan(&desired, &actual, &POSTGRES);
        assert_eq!(steps_of(&plan), ["create table public.orders"]);
        // A reference to a table only the database has is fine too.
        let plan =
            super::build_plan(&desired[..1], &actual, &POSTGRES, &Options::default()).unwrap();
        assert_eq!(steps_of(&plan), ["create table public.orders"]);
        // ... and that table, undeclared, is reported as drift.
        assert_eq!(plan.drift().len(), 1);
    }

    #[test]
    fn unknown_reference_is_an_error() {
        let desired = [referencing("orders", &["users"])];
        assert_eq!(
            error(&desired, &database("public", vec![]), &POSTGRES),
            "table `public.orders`: foreign key `fk_orders_users` references `public.users`, which is neither declared nor present in the database"
        );
        // The reference resolves in the target schema, not in the referencing table's.
        let mut other = referencing("orders", &["users"]);
        other.schema = Some("shop".into());
        let actual = database("shop", vec![table("users", vec![])]);
        assert_eq!(
            error(&[other], &actual, &POSTGRES),
            "table `shop.orders`: foreign key `fk_orders_users` references `public.users`, which is neither declared nor present in the database"
        );
    }

    #[test]
    fn referenced_columns_must_exist_and_be_a_key() {
        let mut orders = table("orders", vec![col("user_email", ColumnType::Text)]);
        orders.foreign_keys = vec![fk("fk_orders_user", &["user_email"], "users", &["email"])];
        let users = table("users", vec![]);
        assert_eq!(
            error(
                &[orders.clone(), users],
                &database("public", vec![]),
                &POSTGRES
            ),
            "table `public.orders`: foreign key `fk_orders_user` references column `email` of `public.users`, which has no such column; reference one of its columns"
        );
        let users = table("users", vec![col("email", ColumnType::Text)]);
        assert_eq!(
            error(
                &[orders.clone(), users.clone()],
                &database("public", vec![]),
                &POSTGRES
            ),
            "table `public.orders`: foreign key `fk_orders_user` references (email) of `public.users`, which is neither its primary key nor a unique key; the database refuses such a foreign key: reference the primary key, or declare (email) unique on `public.users`"
        );
        let mut unique = users.clone();
        unique.uniques = vec![UniqueConstraint {
            name: "uq_users_email".into(),
            columns: vec!["email".into()],
        }];
        assert_eq!(
            plan(
                &[orders.clone(), unique],
                &database("public", vec![]),
                &POSTGRES
            )
            .steps()
            .len(),
            2
        );
        let mut indexed = users;
        indexed.indexes = vec![Index {
            name: "ux_users_email".into(),
            columns: vec![IndexColumn::asc("email")],
            unique: true,
            predicate: None,
        }];
        assert_eq!(
            plan(&[orders, indexed], &database("public", vec![]), &SQLITE)
                .steps()
                .len(),
            2
        );
    }

    #[test]
    fn invalid_tables_stop_the_plan() {
        let mut bad = table("t", vec![]);
        bad.columns.push(col("id", ColumnType::Text));
        assert_eq!(
            error(&[bad], &database("main", vec![]), &SQLITE),
            "table `main.t`: column `id` is declared twice; rename one of them"
        );
    }

    #[test]
    fn a_table_declared_twice_is_an_error() {
        let mut qualified = table("users", vec![]);
        qualified.schema = Some("public".into());
        assert_eq!(
            error(
                &[table("users", vec![]), qualified],
                &database("public", vec![]),
                &POSTGRES
            ),
            "table `public.users`: the table is declared twice (as `public.users` and `public.users`); rename or remove one of them"
        );
        assert_eq!(
            error(
                &[table("Users", vec![]), table("users", vec![])],
                &database("main", vec![]),
                &SQLITE
            ),
            "table `main.users`: the table is declared twice (as `main.Users` and `main.users`); rename or remove one of them"
        );
        // On PostgreSQL quoted names are exact: these are two tables.
        let plan = plan(
            &[table("Users", vec![]), table("users", vec![])],
            &database("public", vec![]),
            &POSTGRES,
        );
        assert_eq!(
            steps_of(&plan),
            ["create table public.Users", "create table public.users"]
        );
    }

    #[test]
    fn index_names_are_unique_per_schema() {
        let index = |name: &str| Index {
            name: name.into(),
            columns: vec![IndexColumn::asc("id")],
            unique: false,
            predicate: None,
        };
        let mut a = table("a", vec![]);
        a.indexes = vec![index("ix_shared")];
        let mut b = table("b", vec![]);
        b.indexes = vec![index("ix_shared")];
        assert_eq!(
            error(&[a.clone(), b], &database("public", vec![]), &POSTGRES),
            "table `public.b`: index `ix_shared` has the same name as an index of table `public.a`; index names are unique per schema, rename the index"
        );
        a.indexes = vec![index("B")];
        assert_eq!(
            error(&[a, table("b", vec![])], &database("main", vec![]), &SQLITE),
            "table `main.a`: index `B` has the same name as the table `main.b`; index names are unique per schema, rename the index"
        );
    }

    #[test]
    fn sqlite_matches_existing_tables_case_insensitively() {
        let actual = database("main", vec![table("users", vec![])]);
        let plan = plan(&[table("Users", vec![])], &actual, &SQLITE);
        assert!(plan.is_empty());
        assert!(plan.drift().is_empty());
    }

    #[test]
    fn undeclared_tables_are_drift_and_declared_existing_tables_are_left_alone() {
        let actual = database(
            "public",
            vec![
                table("legacy", vec![]),
                table("users", vec![]),
                table("audit", vec![]),
            ],
        );
        let plan = plan(&[table("users", vec![])], &actual, &POSTGRES);
        assert!(plan.is_empty());
        let drift: Vec<(String, &str)> = plan
            .drift()
            .iter()
            .map(|d| (d.table.to_string(), d.description.as_str()))
            .collect();
        assert_eq!(
            drift,
            [
                (
                    "public.audit".to_string(),
                    "table exists in the database but is not declared; kept"
                ),
                (
                    "public.legacy".to_string(),
                    "table exists in the database but is not declared; kept"
                ),
            ]
        );
    }

    #[test]
    fn missing_schemas_come_first_on_postgres_only() {
        let mut invoices = referencing("invoices", &["customers"]);
        invoices.schema = Some("billing".into());
        invoices.foreign_keys[0].references.schema = Some("crm".into());
        let mut customers = table("customers", vec![]);
        customers.schema = Some("crm".into());
        let desired = [invoices, customers, table("users", vec![])];
        let plan = plan(&desired, &database("public", vec![]), &POSTGRES);
        assert_eq!(
            steps_of(&plan),
            [
                "create schema billing",
                "create schema crm",
                "create table crm.customers",
                "create table billing.invoices",
                "create table public.users",
            ]
        );
        assert_eq!(
            plan.steps()[0].sql,
            ["CREATE SCHEMA IF NOT EXISTS \"billing\""]
        );
        assert_eq!(
            plan.steps()[0].reason,
            "schema `billing` does not exist; the tables declared in it need it"
        );
        assert_eq!(
            (plan.steps()[0].code.as_str(), plan.steps()[0].risk),
            ("DC001", Risk::Safe)
        );
        assert!(plan.steps()[3].sql[0].contains("REFERENCES \"crm\".\"customers\" (\"id\")"));

        // A schema that only reflection's table list mentions exists too.
        let mut actual = database("public", vec![]);
        actual
            .tables
            .push(fixtures::resolved(table("other", vec![]), "billing"));
        let plan =
            super::build_plan(&desired[2..], &actual, &POSTGRES, &Options::default()).unwrap();
        assert_eq!(steps_of(&plan), ["create table public.users"]);

        let sqlite = plan_sqlite_without_schemas();
        assert_eq!(steps_of(&sqlite), ["create table main.users"]);
    }

    fn plan_sqlite_without_schemas() -> Plan {
        plan(&[table("users", vec![])], &Schema::default(), &SQLITE)
    }

    #[test]
    fn target_schema_option_is_used() {
        let options = Options {
            target_schema: "app".into(),
            ..Options::default()
        };
        let desired = [referencing("orders", &["users"]), table("users", vec![])];
        let plan = build_plan(&desired, &database("app", vec![]), &POSTGRES, &options).unwrap();
        assert_eq!(
            steps_of(&plan),
            ["create table app.users", "create table app.orders"]
        );
        assert!(plan.steps()[1].sql[0].contains("REFERENCES \"app\".\"users\""));
    }

    #[test]
    fn same_inputs_in_any_order_give_the_same_plan() {
        let mut products = fixtures::products();
        products.foreign_keys.reverse();
        products.indexes.reverse();
        let tables = vec![
            referencing("d", &["c", "b"]),
            referencing("c", &["a", "d"]),
            referencing("b", &["a"]),
            table("a", vec![]),
            fixtures::vendors(),
            fixtures::products(),
            referencing("x", &["y"]),
            referencing("y", &["x"]),
        ];
        let legacy = |name: &str| fixtures::resolved(table(name, vec![]), "public");
        let actual = Schema {
            tables: vec![legacy("old_b"), legacy("old_a")],
            schemas: vec!["public".into()],
        };
        let reference = plan(&tables, &actual, &POSTGRES);
        let mut shuffled = tables.clone();
        for round in 0..8 {
            shuffled.rotate_left(3);
            if round % 2 == 0 {
                shuffled.reverse();
            }
            let mut shuffled_actual = actual.clone();
            shuffled_actual.tables.reverse();
            let mut with_products = shuffled.clone();
            for t in &mut with_products {
                if t.name == "products" {
                    *t = products.clone();
                }
            }
            let again = plan(&with_products, &shuffled_actual, &POSTGRES);
            assert_eq!(again, reference);
            assert_eq!(again.to_sql(), reference.to_sql());
        }
        assert_eq!(reference.drift().len(), 2);
    }

    #[test]
    fn plan_prints_as_sql_and_text() {
        let desired = [referencing("b", &["a"]), table("a", vec![])];
        let actual = database("main", vec![table("legacy", vec![])]);
        let plan = plan(&desired, &actual, &SQLITE);
        assert_eq!(plan.dialect, "sqlite");
        assert_eq!(
            plan.to_sql(),
            r#"-- step 1: create table main.a [DC002 safe]
CREATE TABLE "a" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT
);
-- step 2: create table main.b [DC002 safe]
CREATE TABLE "b" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "a_id" BIGINT,
  CONSTRAINT "fk_b_a" FOREIGN KEY ("a_id") REFERENCES "a" ("id")
);
"#
        );
        assert_eq!(
            plan.to_string(),
            r#"2 step(s):
    1. [safe DC002] create table main.a
       table `main.a` is declared but does not exist in the database
    2. [safe DC002] create table main.b
       table `main.b` is declared but does not exist in the database
1 drift item(s) kept:
  - main.legacy: table exists in the database but is not declared; kept
"#
        );
    }

    #[test]
    fn an_empty_declaration_against_an_empty_database_is_empty() {
        let plan = plan(&[], &Schema::default(), &POSTGRES);
        assert!(plan.is_empty());
        assert_eq!(plan.to_sql(), "");
        assert_eq!(plan.to_string(), "Nothing to do: the database conforms.\n");
    }

    /// A change to a table, for the degenerate-input sweep.
    type Edit<'a> = Box<dyn Fn(&mut TableDef) + 'a>;

    #[test]
    fn degenerate_input_gives_errors_never_panics() {
        let long = "x".repeat(100);
        let strings = [
            "",
            " ",
            "\"",
            "'",
            "(",
            ")",
            ";",
            "--",
            "/*",
            "\0",
            "é",
            "main",
            long.as_str(),
        ];
        let types = [
            ColumnType::Varchar(u32::MAX),
            ColumnType::Decimal {
                precision: Some(u32::MAX),
                scale: Some(u32::MAX),
            },
            ColumnType::Decimal {
                precision: None,
                scale: Some(0),
            },
            ColumnType::Custom(String::new()),
        ];
        let mut variants: Vec<TableDef> = Vec::new();
        for s in strings {
            let s = s.to_string();
            let base = fixtures::products();
            let mut edits: Vec<Edit<'_>> = vec![
                Box::new(|t| t.name = s.clone()),
                Box::new(|t| t.schema = Some(s.clone())),
                Box::new(|t| t.comment = Some(s.clone())),
                Box::new(|t| t.columns[2].name = s.clone()),
                Box::new(|t| t.columns[2].default = Some(s.clone())),
                Box::new(|t| t.columns[2].comment = Some(s.clone())),
                Box::new(|t| t.columns[2].ty = ColumnType::Custom(s.clone())),
                Box::new(|t| t.checks[0].expr = s.clone()),
                Box::new(|t| t.indexes[1].predicate = Some(s.clone())),
                Box::new(|t| t.indexes[0].columns[0].name = s.clone()),
                Box::new(|t| t.foreign_keys[1].references.name = s.clone()),
                Box::new(|t| t.foreign_keys[1].references.schema = Some(s.clone())),
                Box::new(|t| t.foreign_keys[1].referenced_columns[0] = s.clone()),
                Box::new(|t| t.foreign_keys[0].name = s.clone()),
                Box::new(|t| t.uniques[0].columns.clear()),
                Box::new(|t| t.primary_key = None),
                Box::new(|t| t.columns.clear()),
            ];
            for ty in &types {
                let ty = ty.clone();
                edits.push(Box::new(move |t| t.columns[3].ty = ty.clone()));
            }
            for edit in &edits {
                let mut t = base.clone();
                edit(&mut t);
                variants.push(t);
            }
        }
        let options = Options::default();
        for t in &variants {
            for dialect in [&SQLITE as &dyn Dialect, &POSTGRES] {
                let _ = build_plan(
                    &[t.clone(), fixtures::vendors()],
                    &Schema::default(),
                    dialect,
                    &options,
                );
                let resolved =
                    fixtures::resolved(t.clone(), &dialect.effective_schema(None, "public"));
                let _ = dialect.create_table_sql(&resolved, &[]);
                let _ = dialect.create_table_sql(&resolved, &["fk_products_vendor".to_string()]);
                let _ = dialect.add_foreign_key_sql(&resolved, "fk_products_vendor");
                let _ = dialect.add_foreign_key_sql(&resolved, "");
            }
        }
    }

    #[test]
    fn dependency_order_handles_long_chains_without_recursion() {
        // 20,000 tables in one chain: an iterative SCC search keeps the stack flat.
        let n = 20_000;
        let deps: Vec<BTreeSet<usize>> = (0..n)
            .map(|i| {
                if i + 1 < n {
                    BTreeSet::from([i + 1])
                } else {
                    BTreeSet::new()
                }
            })
            .collect();
        let order = dependency_order(&deps);
        assert_eq!(order.first(), Some(&(n - 1)));
        assert_eq!(order.last(), Some(&0));
        // And one big ring: every node placed exactly once.
        let ring: Vec<BTreeSet<usize>> = (0..n).map(|i| BTreeSet::from([(i + 1) % n])).collect();
        let mut order = dependency_order(&ring);
        order.sort_unstable();
        assert_eq!(order, (0..n).collect::<Vec<_>>());
    }
}
