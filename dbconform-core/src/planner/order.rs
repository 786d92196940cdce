//! The order of a plan's changes: renames, drops, the changes inside existing tables,
//! missing tables in foreign-key order, then foreign keys (see
//! [`build_plan`](super::build_plan)); and the dependency order shared with the SQLite
//! rebuild assembly.

use crate::dialect::{Assembled, Dialect};
use crate::diff::{self, Key, Names};
use crate::model::{Schema, TableDef};
use crate::plan::{Change, Plan, Step};
use std::collections::{BTreeMap, BTreeSet};

/// A change in its place in the plan. `cycle_key` marks the foreign keys of new tables
/// that wait until the tables of a cycle exist (these carry SQL).
#[derive(Debug)]
pub(super) struct Planned {
    pub(super) change: Change,
    pub(super) cycle_key: bool,
}

impl From<Change> for Planned {
    fn from(change: Change) -> Self {
        Planned {
            change,
            cycle_key: false,
        }
    }
}

/// Puts the allowed changes in plan order (see [`build_plan`]).
pub(super) fn order(
    renames: Vec<Change>,
    changes: Vec<Change>,
    actual: &Schema,
    names: Names<'_>,
) -> Vec<Planned> {
    let mut creates = Vec::new();
    let mut drops = Vec::new();
    let mut fk_drops = Vec::new();
    let mut fk_adds = Vec::new();
    let mut in_tables = Vec::new();
    for change in changes {
        match change {
            Change::CreateTable { table } => creates.push(table),
            Change::DropTable { table } => drops.push(table),
            change @ Change::DropForeignKey { .. } => fk_drops.push(change),
            change @ (Change::AddForeignKey { .. } | Change::AlterForeignKey { .. }) => {
                fk_adds.push(change)
            }
            change => in_tables.push(change),
        }
    }
    for group in [&mut fk_drops, &mut in_tables, &mut fk_adds] {
        diff::sort_changes(group, names);
    }
    let schemas = missing_schemas(&creates, actual, names);
    let (created, cycle_keys) = create_order(creates, names);
    schemas
        .into_iter()
        .chain(renames)
        .chain(fk_drops)
        .chain(drop_order(drops, names))
        .chain(in_tables)
        .chain(created)
        .map(Planned::from)
        .chain(cycle_keys.into_iter().map(|change| Planned {
            change,
            cycle_key: true,
        }))
        .chain(fk_adds.into_iter().map(Planned::from))
        .collect()
}

/// A [`Change::CreateSchema`] for each missing schema a new table needs, by name.
fn missing_schemas(creates: &[TableDef], actual: &Schema, names: Names<'_>) -> Vec<Change> {
    let dialect = names.dialect;
    let existing: BTreeSet<String> = actual
        .schemas
        .iter()
        .map(|s| names.ident(s))
        .chain(actual.tables.iter().map(|t| names.table_key(t).0))
        .collect();
    let mut schemas: BTreeMap<String, String> = BTreeMap::new();
    for table in creates {
        let schema = names.schema(table.schema.as_deref());
        let key = names.ident(&schema);
        if !existing.contains(&key) && dialect.create_schema_sql(&schema).is_some() {
            schemas.entry(key).or_insert(schema);
        }
    }
    schemas
        .into_values()
        .map(|schema| Change::CreateSchema { schema })
        .collect()
}

/// Tables with every referenced table before the tables referencing it (ties by
/// qualified name), then, where the backend cannot create a table that references one not
/// created yet, an [`Change::AddForeignKey`] for each foreign key closing a cycle.
fn create_order(mut tables: Vec<TableDef>, names: Names<'_>) -> (Vec<Change>, Vec<Change>) {
    tables.sort_by(TableDef::cmp_qualified_name);
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
                        foreign_key: fk.clone(),
                    });
                }
            }
        }
    }
    let mut slots: Vec<Option<TableDef>> = tables.into_iter().map(Some).collect();
    let created = sequence
        .iter()
        .filter_map(|&i| slots[i].take())
        .map(|table| Change::CreateTable { table })
        .collect();
    (created, deferred)
}

/// Undeclared tables in drop order: a table after every table referencing it (ties by
/// qualified name).
fn drop_order(mut tables: Vec<TableDef>, names: Names<'_>) -> Vec<Change> {
    tables.sort_by(TableDef::cmp_qualified_name);
    let keys: Vec<Key> = tables.iter().map(|t| names.table_key(t)).collect();
    let index_of: BTreeMap<&Key, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let mut referenced_by: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); tables.len()];
    for (i, table) in tables.iter().enumerate() {
        for fk in &table.foreign_keys {
            if let Some(&j) = index_of.get(&names.key(&fk.references))
                && j != i
            {
                referenced_by[j].insert(i);
            }
        }
    }
    let sequence = dependency_order(&referenced_by);
    let mut slots: Vec<Option<TableDef>> = tables.into_iter().map(Some).collect();
    sequence
        .iter()
        .filter_map(|&i| slots[i].take())
        .map(|table| Change::DropTable { table })
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
pub(super) fn dependency_order(dependencies: &[BTreeSet<usize>]) -> Vec<usize> {
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

/// The plan a dialect assembled rebuilds for ([`Dialect::assemble_rebuilds`]): the
/// rebuilds put in foreign-key order among the places they took (a table after the
/// rebuilt tables it references), then every step needing a blocked one blocked with it.
pub(super) fn place_rebuilds(
    assembled: Assembled,
    desired: &[TableDef],
    dialect: &dyn Dialect,
) -> Plan {
    let Assembled {
        mut steps,
        rebuilds: slots,
        blocked,
        drift,
    } = assembled;
    let key = |q: &crate::model::QualifiedName| dialect.identifier_key(&q.name);
    let rebuilds: Vec<Step> = slots.iter().map(|&i| steps[i].clone()).collect();
    let index_of: BTreeMap<String, usize> = rebuilds
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.table.as_ref().map(|t| (key(t), i)))
        .collect();
    let dependencies: Vec<BTreeSet<usize>> = rebuilds
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let Change::RebuildTable { table } = &step.change else {
                return BTreeSet::new();
            };
            desired
                .iter()
                .filter(|t| key(&t.qualified_name()) == key(table))
                .flat_map(|t| &t.foreign_keys)
                .filter_map(|fk| index_of.get(&key(&fk.references)).copied())
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    for (&slot, i) in slots.iter().zip(dependency_order(&dependencies)) {
        steps[slot] = rebuilds[i].clone();
    }
    let (steps, blocked) = super::policy::block_dependents(steps, blocked, dialect);
    Plan::new(dialect.name(), steps, blocked, drift)
}
