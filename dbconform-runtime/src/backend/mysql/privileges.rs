//! What the connected account may not do of what a plan needs (see
//! [`dbconform_core::privileges`]), from its grants in one statement:
//! `information_schema.USER_PRIVILEGES` (global), `SCHEMA_PRIVILEGES` (the database, or a
//! pattern matching it) and `TABLE_PRIVILEGES` (its tables), for the account
//! `CURRENT_USER()` names. A new table needs CREATE (a table-level CREATE in the database,
//! which may be granted for a name not yet created, counts as enough), a change of an
//! existing table ALTER (an index too: dbconform adds and drops them with `ALTER TABLE`),
//! a drop DROP, and on MySQL a foreign key REFERENCES on the table it references (MariaDB
//! does not use that privilege).
//!
//! Privileges that come through roles are not read: an account with an applicable role
//! (`information_schema.APPLICABLE_ROLES`) is refused nothing, rather than refused what a
//! role may grant it.

use crate::driver::{StatementCounter, db_error};
use dbconform_core::dialect::{Dialect, MYSQL};
use dbconform_core::privileges::{Need, Privileges, Refusal};
use dbconform_core::{QualifiedName, Result};
use sqlx::mysql::MySqlConnection;
use std::collections::{BTreeMap, BTreeSet};

/// The account's grants, one row each: where (`global`, `database`, `table`), the table,
/// the privilege; first a row with the account and the database's name, one when the
/// server is MariaDB, and one per applicable role. `{grantee}` stands for [`GRANTEE`].
const GRANTS: &str = "SELECT 'account', CAST(CURRENT_USER() AS CHAR), CAST(DATABASE() AS CHAR) \
UNION ALL SELECT 'mariadb', '', '' FROM DUAL WHERE VERSION() LIKE '%MariaDB%' \
UNION ALL SELECT 'role', CAST(ROLE_NAME AS CHAR), '' FROM information_schema.APPLICABLE_ROLES \
UNION ALL SELECT 'global', '', CAST(PRIVILEGE_TYPE AS CHAR) FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = {grantee} \
UNION ALL SELECT 'database', '', CAST(PRIVILEGE_TYPE AS CHAR) FROM information_schema.SCHEMA_PRIVILEGES \
  WHERE GRANTEE = {grantee} AND DATABASE() LIKE TABLE_SCHEMA \
UNION ALL SELECT 'table', CAST(TABLE_NAME AS CHAR), CAST(PRIVILEGE_TYPE AS CHAR) FROM information_schema.TABLE_PRIVILEGES \
  WHERE GRANTEE = {grantee} AND TABLE_SCHEMA = DATABASE()";

/// `CURRENT_USER()` (`app@%`) spelled as `information_schema` names grantees
/// (`'app'@'%'`); the host never holds `@`, the user name may.
const GRANTEE: &str = "CONCAT('''', SUBSTRING(CURRENT_USER(), 1, CHAR_LENGTH(CURRENT_USER()) \
- CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1), '''@''', \
SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";

/// What the account's grants say.
#[derive(Debug, Default)]
struct Grants {
    /// `'app'@'%'`.
    account: String,
    database: String,
    mariadb: bool,
    roles: bool,
    global: BTreeSet<String>,
    in_database: BTreeSet<String>,
    /// By table name, lower case.
    tables: BTreeMap<String, BTreeSet<String>>,
}

impl Grants {
    /// Whether `privilege` is granted globally, on the database, or on `table`.
    fn allows(&self, privilege: &str, table: Option<&QualifiedName>) -> bool {
        self.global.contains(privilege)
            || self.in_database.contains(privilege)
            || table.is_some_and(|t| {
                self.tables
                    .get(&MYSQL.identifier_key(&t.name))
                    .is_some_and(|p| p.contains(privilege))
            })
    }

    /// The privilege `need` lacks, if it does.
    fn lacks<'n>(&self, need: &'n Need) -> Option<(&'static str, Option<&'n QualifiedName>)> {
        if self.roles {
            return None;
        }
        let (privilege, table) = match need {
            // A table-level CREATE may be for the very table: not refused.
            Need::CreateIn { .. } if self.tables.values().any(|p| p.contains("CREATE")) => {
                return None;
            }
            Need::CreateIn { .. } => ("CREATE", None),
            Need::Alter { table } => ("ALTER", Some(table)),
            Need::Drop { table } => ("DROP", Some(table)),
            Need::Reference { table } if !self.mariadb => ("REFERENCES", Some(table)),
            // MySQL creates no schema; MariaDB does not check REFERENCES.
            _ => return None,
        };
        (!self.allows(privilege, table)).then_some((privilege, table))
    }

    /// Why the account may not do `need` (it lacks `privilege`), and the grant that lets it.
    fn refusal(&self, privilege: &str, table: Option<&QualifiedName>) -> Refusal {
        let database = MYSQL.quote_ident(&self.database);
        match table {
            Some(table) => Refusal {
                why: format!("it lacks {privilege} on it"),
                remedy: format!(
                    "GRANT {privilege} ON {database}.{} TO {}",
                    MYSQL.quote_ident(&table.name),
                    self.account
                ),
            },
            None => Refusal {
                why: format!("it lacks {privilege} on the database"),
                remedy: format!("GRANT {privilege} ON {database}.* TO {}", self.account),
            },
        }
    }
}

/// `app@%` as `'app'@'%'`.
fn account(current_user: &str) -> String {
    let (user, host) = current_user.rsplit_once('@').unwrap_or((current_user, ""));
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    format!("{}@{}", quote(user), quote(host))
}

/// Which of `needs` the connected account may not do (one statement; none for no needs).
pub(super) async fn refused(
    conn: &mut MySqlConnection,
    counter: &StatementCounter,
    needs: &[Need],
) -> Result<Privileges> {
    if needs.is_empty() {
        return Ok(Privileges::default());
    }
    counter.add(1);
    let rows: Vec<(String, String, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(GRANTS.replace("{grantee}", GRANTEE)))
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error("reading the account's grants"))?;
    let mut grants = Grants::default();
    for (level, name, privilege) in rows {
        match level.as_str() {
            "account" => {
                grants.account = account(&name);
                grants.database = privilege;
            }
            "mariadb" => grants.mariadb = true,
            "role" => grants.roles = true,
            "global" => {
                grants.global.insert(privilege);
            }
            "database" => {
                grants.in_database.insert(privilege);
            }
            _ => {
                grants
                    .tables
                    .entry(MYSQL.identifier_key(&name))
                    .or_default()
                    .insert(privilege);
            }
        }
    }
    let mut privileges = Privileges {
        who: format!("user {}", grants.account),
        ..Privileges::default()
    };
    for need in needs {
        if let Some((privilege, table)) = grants.lacks(need) {
            privileges
                .refused
                .insert(need.clone(), grants.refusal(privilege, table));
        }
    }
    Ok(privileges)
}
