//! What the connected role may not do of what a plan needs (see
//! [`dbconform_core::privileges`]), read with one statement: CREATE on the database for a
//! new schema (`has_database_privilege`), CREATE on a schema for a new table
//! (`has_schema_privilege`), ownership of an existing table to alter it — membership of
//! the owning role counts (`pg_has_role(.., 'USAGE')`), and superusers pass — or of the
//! table or its schema to drop it, and REFERENCES on a table a new foreign key references
//! (`has_table_privilege`). An object that does not exist (yet) refuses nothing.

use crate::driver::{StatementCounter, db_error};
use dbconform_core::dialect::{Dialect, POSTGRES};
use dbconform_core::privileges::{Need, Privileges, Refusal};
use dbconform_core::{QualifiedName, Result};
use sqlx::postgres::PgConnection;

/// The needs refused, one row each: the need as sent, the role, the table's owner (when
/// there is a table) and the database.
const REFUSED: &str = r"
SELECT n.ord::int8, current_user::text, pg_catalog.pg_get_userbyid(c.relowner)::text,
       current_database()::text
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS n(kind, schema_name, table_name, ord)
LEFT JOIN pg_catalog.pg_namespace s ON s.nspname = n.schema_name
LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = s.oid AND c.relname = n.table_name
WHERE NOT coalesce(CASE n.kind
    WHEN 'create_schema' THEN pg_catalog.has_database_privilege(current_database()::text, 'CREATE')
    WHEN 'create_in' THEN pg_catalog.has_schema_privilege(s.oid, 'CREATE')
    WHEN 'alter' THEN pg_catalog.pg_has_role(c.relowner, 'USAGE')
    WHEN 'drop' THEN pg_catalog.pg_has_role(c.relowner, 'USAGE')
                     OR pg_catalog.pg_has_role(s.nspowner, 'USAGE')
    WHEN 'reference' THEN pg_catalog.has_table_privilege(c.oid, 'REFERENCES')
  END, true)
ORDER BY n.ord";

/// The kind, schema and table of `need` as [`REFUSED`] takes them.
fn parts(need: &Need) -> (&'static str, &str, &str) {
    match need {
        Need::CreateSchema { schema } => ("create_schema", schema, ""),
        Need::CreateIn { schema } => ("create_in", schema, ""),
        Need::Alter { table } => on("alter", table),
        Need::Drop { table } => on("drop", table),
        Need::Reference { table } => on("reference", table),
        // A need this backend does not know of refuses nothing.
        _ => ("", "", ""),
    }
}

/// A need of `kind` on `table`, as [`REFUSED`] takes it.
fn on<'a>(kind: &'static str, table: &'a QualifiedName) -> (&'static str, &'a str, &'a str) {
    (
        kind,
        table.schema.as_deref().unwrap_or_default(),
        &table.name,
    )
}

/// Why the role `role` may not do `need`, and the way out; `owner` is the table's owner,
/// `database` the database's name.
fn refusal(need: &Need, role: &str, owner: Option<&str>, database: &str) -> Refusal {
    let q = |name: &str| POSTGRES.quote_ident(name);
    let (why, remedy) = match need {
        Need::CreateSchema { .. } => (
            "it lacks CREATE on the database".to_string(),
            format!("GRANT CREATE ON DATABASE {} TO {}", q(database), q(role)),
        ),
        Need::CreateIn { schema } => (
            "it lacks CREATE on the schema".to_string(),
            format!("GRANT CREATE ON SCHEMA {} TO {}", q(schema), q(role)),
        ),
        Need::Reference { table } => (
            "it lacks REFERENCES on it".to_string(),
            format!(
                "GRANT REFERENCES ON {} TO {}",
                POSTGRES.quote_table(table),
                q(role)
            ),
        ),
        _ => {
            let owner = owner.unwrap_or_default();
            (
                format!("it is owned by {}", q(owner)),
                format!("run as the owner, or GRANT {} TO {}", q(owner), q(role)),
            )
        }
    };
    Refusal { why, remedy }
}

/// Which of `needs` the connected role may not do (one statement; none for no needs).
pub(super) async fn refused(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    needs: &[Need],
) -> Result<Privileges> {
    if needs.is_empty() {
        return Ok(Privileges::default());
    }
    let (mut kinds, mut schemas, mut tables) = (Vec::new(), Vec::new(), Vec::new());
    for need in needs {
        let (kind, schema, table) = parts(need);
        kinds.push(kind);
        schemas.push(schema);
        tables.push(table);
    }
    counter.add(1);
    let rows: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(REFUSED)
        .bind(&kinds)
        .bind(&schemas)
        .bind(&tables)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("reading what the role may do"))?;
    let mut privileges = Privileges::default();
    for (ord, role, owner, database) in rows {
        // WITH ORDINALITY counts from 1.
        let Some(need) = usize::try_from(ord - 1).ok().and_then(|i| needs.get(i)) else {
            continue;
        };
        privileges.who = format!("role {}", POSTGRES.quote_ident(&role));
        privileges.refused.insert(
            need.clone(),
            refusal(need, &role, owner.as_deref(), &database),
        );
    }
    Ok(privileges)
}
