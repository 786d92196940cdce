//! The views, materialized views and rules that use the tables of the scope, read in one
//! statement from `pg_rewrite` and `pg_depend` (which records, for each view and rule,
//! the columns it uses), with everything needed to recreate each exactly: its definition
//! and options, owner, comments, grants, the INSTEAD OF triggers on a view and the
//! indexes of a materialized view. Views reading those views are included, however
//! deep, wherever they live.

use crate::driver::{Scope, StatementCounter};
use crate::driver_error::DriverError;
use dbconform_core::dialect::{Dialect, POSTGRES, quote_literal};
use dbconform_core::{DependentKind, DependentObject, DependentUse, Error, QualifiedName, Result};
use sqlx::Row;
use sqlx::postgres::PgConnection;
use sqlx::postgres::types::Oid;

/// The rewrite rules to read (a view's `_RETURN` rule, or a rule of its own): those on a
/// relation of the scope or using one, and recursively those using the views found.
/// `deptype = 'n'` leaves out a view's internal dependency on itself but keeps a rule's on
/// its table's columns. Every lookup goes through an index of `pg_depend` or
/// `pg_rewrite`: the query costs what the scope holds, not what the server holds.
const FOUND: &str = r#"
WITH RECURSIVE scoped AS (
    SELECT c.oid
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
),
found(rw) AS (
    SELECT d.objid
    FROM pg_catalog.pg_depend d
    WHERE d.refclassid = 'pg_catalog.pg_class'::regclass
      AND d.refobjid IN (SELECT oid FROM scoped)
      AND d.classid = 'pg_catalog.pg_rewrite'::regclass
      AND d.deptype = 'n'
    UNION
    SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class IN (SELECT oid FROM scoped)
    UNION
    SELECT d.objid
    FROM found f
    JOIN pg_catalog.pg_rewrite fr ON fr.oid = f.rw
    JOIN pg_catalog.pg_depend d
      ON d.refclassid = 'pg_catalog.pg_class'::regclass
     AND d.refobjid = fr.ev_class
     AND d.classid = 'pg_catalog.pg_rewrite'::regclass
     AND d.deptype = 'n'
)
SELECT COALESCE(array_agg(rw), '{}') FROM found
"#;

/// Each rule [`FOUND`] found, with what it uses (column by column, from `pg_depend`) and
/// everything needed to recreate it. A second statement over the oids, rather than one
/// statement with the recursion, keeps the planner's estimate small and exact, far below
/// `jit_above_cost`: a recursive CTE is estimated at many times its real size, and the
/// per-row subqueries multiplied by that estimate would make PostgreSQL compile the
/// query (seconds).
const DETAILS: &str = r#"
WITH found(rw) AS (SELECT unnest($1::oid[])),
uses AS (
    SELECT DISTINCT d.objid AS rw, d.refobjid AS rel, d.refobjsubid AS col
    FROM found f
    JOIN pg_catalog.pg_depend d
      ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = f.rw
    WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n'
),
use_arrays AS (
    SELECT u.rw,
           array_agg(un.nspname::text ORDER BY un.nspname, uc.relname, ua.attname) AS schemas,
           array_agg(uc.relname::text ORDER BY un.nspname, uc.relname, ua.attname) AS tables,
           array_agg(ua.attname::text ORDER BY un.nspname, uc.relname, ua.attname) AS columns
    FROM uses u
    JOIN pg_catalog.pg_class uc ON uc.oid = u.rel
    JOIN pg_catalog.pg_namespace un ON un.oid = uc.relnamespace
    LEFT JOIN pg_catalog.pg_attribute ua
      ON ua.attrelid = u.rel AND ua.attnum = u.col AND u.col > 0
    GROUP BY u.rw
)
SELECT
    r.rulename::text AS rulename,
    c.relkind::text AS relkind,
    n.nspname::text AS schema,
    c.relname::text AS relname,
    CASE WHEN r.rulename = '_RETURN' THEN pg_catalog.pg_get_viewdef(c.oid)
         ELSE pg_catalog.pg_get_ruledef(r.oid) END AS definition,
    c.relispopulated AS populated,
    COALESCE(c.reloptions::text[], '{}') AS options,
    pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
    CASE WHEN r.rulename = '_RETURN' THEN pg_catalog.obj_description(c.oid, 'pg_class')
         ELSE pg_catalog.obj_description(r.oid, 'pg_rewrite') END AS comment,
    ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_description d
            ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
           AND d.objsubid = a.attnum
          WHERE r.rulename = '_RETURN' AND a.attrelid = c.oid AND a.attnum > 0
          ORDER BY a.attnum) AS comment_columns,
    ARRAY(SELECT d.description FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_description d
            ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
           AND d.objsubid = a.attnum
          WHERE r.rulename = '_RETURN' AND a.attrelid = c.oid AND a.attnum > 0
          ORDER BY a.attnum) AS comment_texts,
    ARRAY(SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                      ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END
                 || ' ' || g.privilege_type || ' ' || g.is_grantable::text
          FROM pg_catalog.aclexplode(c.relacl) g
          WHERE r.rulename = '_RETURN' AND g.grantee <> c.relowner
          ORDER BY 1) AS grants,
    ARRAY(SELECT pg_catalog.pg_get_triggerdef(t.oid) FROM pg_catalog.pg_trigger t
          WHERE r.rulename = '_RETURN' AND t.tgrelid = c.oid AND NOT t.tgisinternal
          ORDER BY t.tgname) AS triggers,
    ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i
          WHERE r.rulename = '_RETURN' AND c.relkind = 'm' AND i.indrelid = c.oid
          ORDER BY i.indexrelid) AS indexes,
    COALESCE(ua.schemas, '{}') AS use_schemas,
    COALESCE(ua.tables, '{}') AS use_tables,
    COALESCE(ua.columns, '{}') AS use_columns
FROM found f
JOIN pg_catalog.pg_rewrite r ON r.oid = f.rw
LEFT JOIN use_arrays ua ON ua.rw = r.oid
JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
ORDER BY n.nspname, c.relname, r.rulename
"#;

/// Reads the objects (see the module docs).
pub(super) async fn read(
    conn: &mut PgConnection,
    scope: &Scope,
    counter: &StatementCounter,
) -> Result<Vec<DependentObject>> {
    let reflect_error = |e| Error::Reflect {
        what: "views and rules using the tables".into(),
        source: DriverError::boxed(e),
    };
    // In a transaction of their own (a savepoint inside an apply's), with JIT and
    // parallel workers off for them alone: a catalog under churn gets stale statistics,
    // and a recursive query over it can be estimated high enough for PostgreSQL to start
    // workers and compile it, which costs seconds for a query that takes milliseconds.
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(reflect_error)?;
    counter.add(3);
    sqlx::raw_sql("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
        .execute(&mut *tx)
        .await
        .map_err(reflect_error)?;
    counter.add(1);
    let found: Vec<Oid> = sqlx::query_scalar(FOUND)
        .bind(&scope.schemas)
        .fetch_one(&mut *tx)
        .await
        .map_err(reflect_error)?;
    let rows = if found.is_empty() {
        Vec::new()
    } else {
        counter.add(1);
        sqlx::query(DETAILS)
            .bind(&found)
            .fetch_all(&mut *tx)
            .await
            .map_err(reflect_error)?
    };
    counter.add(1);
    // Nothing was changed; rolling back also undoes the two settings.
    tx.rollback().await.map_err(reflect_error)?;
    let d = &POSTGRES;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let rulename: String = row.get("rulename");
        let relkind: String = row.get("relkind");
        let schema: String = row.get("schema");
        let relname: String = row.get("relname");
        let relation = QualifiedName::with_schema(&schema, &relname);
        let quoted = d.quote_table(&relation);
        // The server's text of a definition ends with `;`: statements here never do.
        let definition: String = row
            .get::<Option<String>, _>("definition")
            .unwrap_or_default();
        let definition = definition.trim().trim_end_matches(';').to_string();
        let comment: Option<String> = row.get("comment");
        let schemas: Vec<String> = row.get("use_schemas");
        let tables: Vec<String> = row.get("use_tables");
        let columns: Vec<Option<String>> = row.get("use_columns");
        let uses = schemas
            .into_iter()
            .zip(tables)
            .zip(columns)
            .map(|((s, t), c)| DependentUse {
                table: QualifiedName::with_schema(s, t),
                column: c,
            })
            .collect();
        if rulename != "_RETURN" {
            let mut create = vec![definition];
            if let Some(comment) = comment {
                create.push(format!(
                    "COMMENT ON RULE {} ON {quoted} IS {}",
                    d.quote_ident(&rulename),
                    quote_literal(&comment)
                ));
            }
            let live = format!(
                "pg_catalog.pg_get_ruledef((SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class = {}::pg_catalog.regclass AND r.rulename = {}))",
                quote_literal(&quoted),
                quote_literal(&rulename)
            );
            out.push(DependentObject {
                live_definition: Some(live),
                kind: DependentKind::Rule,
                drop: format!(
                    "DROP RULE IF EXISTS {} ON {quoted}",
                    d.quote_ident(&rulename)
                ),
                name: QualifiedName::with_schema(&schema, &rulename),
                on: Some(relation),
                uses,
                create,
                verify: None,
            });
            continue;
        }
        let materialized = relkind == "m";
        let (kind, keyword) = if materialized {
            (DependentKind::MaterializedView, "MATERIALIZED VIEW")
        } else {
            (DependentKind::View, "VIEW")
        };
        let options: Vec<String> = row.get("options");
        let with = if options.is_empty() {
            String::new()
        } else {
            format!(" WITH ({})", options.join(", "))
        };
        let mut create = vec![if materialized {
            let populated: bool = row.get("populated");
            format!(
                "CREATE MATERIALIZED VIEW {quoted}{with} AS {definition} WITH {}DATA",
                if populated { "" } else { "NO " }
            )
        } else {
            format!("CREATE VIEW {quoted}{with} AS {definition}")
        }];
        // The same statement from the definition as the catalog has it when it runs.
        let live_definition = {
            let definition = format!(
                "pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef({}::pg_catalog.regclass), ';\\s*$', '')",
                quote_literal(&quoted)
            );
            let head = if materialized {
                format!("CREATE MATERIALIZED VIEW {quoted}{with} AS ")
            } else {
                format!("CREATE VIEW {quoted}{with} AS ")
            };
            let tail = if !materialized {
                String::new()
            } else if row.get::<bool, _>("populated") {
                " WITH DATA".to_string()
            } else {
                " WITH NO DATA".to_string()
            };
            format!(
                "{} || {definition} || {}",
                quote_literal(&head),
                quote_literal(&tail)
            )
        };
        let owner: String = row.get("owner");
        create.push(format!(
            "ALTER {keyword} {quoted} OWNER TO {}",
            d.quote_ident(&owner)
        ));
        if let Some(comment) = comment {
            create.push(format!(
                "COMMENT ON {keyword} {quoted} IS {}",
                quote_literal(&comment)
            ));
        }
        let comment_columns: Vec<String> = row.get("comment_columns");
        let comment_texts: Vec<String> = row.get("comment_texts");
        for (column, text) in comment_columns.iter().zip(&comment_texts) {
            create.push(format!(
                "COMMENT ON COLUMN {quoted}.{} IS {}",
                d.quote_ident(column),
                quote_literal(text)
            ));
        }
        // `grantee privilege grantable`; the grantee comes quoted from the server.
        let grants: Vec<String> = row.get("grants");
        for grant in grants {
            let mut parts = grant.rsplitn(3, ' ');
            let (Some(grantable), Some(privilege), Some(grantee)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            create.push(format!(
                "GRANT {privilege} ON {quoted} TO {grantee}{}",
                if grantable == "true" {
                    " WITH GRANT OPTION"
                } else {
                    ""
                }
            ));
        }
        let triggers: Vec<String> = row.get("triggers");
        let indexes: Vec<String> = row.get("indexes");
        create.extend(triggers);
        create.extend(indexes);
        out.push(DependentObject {
            kind,
            drop: format!("DROP {keyword} IF EXISTS {quoted}"),
            verify: Some(format!("SELECT * FROM {quoted} LIMIT 0")),
            live_definition: Some(live_definition),
            name: relation,
            on: None,
            uses,
            create,
        });
    }
    Ok(out)
}
