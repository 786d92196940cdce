//! The pure stages on the benchmark schema (1,000 tables, `sample::benchmark_schema`):
//! normalize, diff, plan (no-op, no-op with the database's spellings, create-everything)
//! and render, for each dialect.
//!
//! `cargo bench -p dbconform-core --bench stages`

use criterion::{Criterion, criterion_group, criterion_main};
use dbconform_core::dialect::{Dialect, POSTGRES, SQLITE};
use dbconform_core::{Options, Schema, TableDef, build_plan, diff_tables, sample};
use std::hint::black_box;

/// The declaration, and the database as reflection would give it after creating it
/// (schemas resolved).
fn inputs(dialect: &dyn Dialect, options: &Options) -> (Vec<TableDef>, Schema) {
    let desired = sample::benchmark_schema(1000);
    let schema = dialect.effective_schema(None, &options.target_schema);
    let actual: Vec<TableDef> = desired
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.schema = Some(schema.clone());
            for fk in &mut t.foreign_keys {
                fk.references.schema = Some(schema.clone());
            }
            t
        })
        .collect();
    let mut actual = Schema::new(actual);
    actual.schemas = vec![schema];
    (desired, actual)
}

fn stages(c: &mut Criterion) {
    let options = Options::default();
    for dialect in [&SQLITE as &dyn Dialect, &POSTGRES] {
        let name = dialect.name();
        let (desired, actual) = inputs(dialect, &options);
        c.bench_function(&format!("{name}/normalize_1000"), |b| {
            b.iter(|| {
                for table in &actual.tables {
                    black_box(dialect.normalize_table(table));
                }
            })
        });
        c.bench_function(&format!("{name}/diff_noop_1000"), |b| {
            b.iter(|| black_box(diff_tables(&desired, &actual, dialect)))
        });
        c.bench_function(&format!("{name}/plan_noop_1000"), |b| {
            b.iter(|| black_box(build_plan(&desired, &actual, dialect, &options).unwrap()))
        });
        // The same database as reflection spells it on PostgreSQL (lower-case defaults, a
        // named primary key): equal after normalization only, so every table is
        // normalized and compared instead of found identical.
        let mut respelled = actual.clone();
        for t in &mut respelled.tables {
            if let Some(pk) = &mut t.primary_key {
                pk.name = Some(format!("{}_pkey", t.name));
            }
            for c in &mut t.columns {
                c.default = c.default.as_deref().map(str::to_lowercase);
            }
        }
        assert!(
            build_plan(&desired, &respelled, dialect, &options)
                .unwrap()
                .is_empty()
        );
        c.bench_function(&format!("{name}/plan_noop_respelled_1000"), |b| {
            b.iter(|| black_box(build_plan(&desired, &respelled, dialect, &options).unwrap()))
        });
        let empty = Schema::default();
        c.bench_function(&format!("{name}/plan_create_1000"), |b| {
            b.iter(|| black_box(build_plan(&desired, &empty, dialect, &options).unwrap()))
        });
        let plan = build_plan(&desired, &empty, dialect, &options).unwrap();
        c.bench_function(&format!("{name}/render_sql_1000"), |b| {
            b.iter(|| black_box(plan.to_sql()))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = stages
}
criterion_main!(benches);
