//! The one error type of dbconform.

use crate::model::QualifiedName;
use crate::plan::{BlockedStep, Plan};

/// A boxed error from a lower layer (the database driver, I/O).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in dbconform. Variants name the table, column and
/// statement involved; database URLs in messages never carry a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two Rust types claim the same table.
    #[error(
        "table `{table}` is declared twice: by `{first}` and by `{second}`; give one of them another `#[table(name = \"...\")]`"
    )]
    DuplicateTable {
        /// The table both claim.
        table: QualifiedName,
        /// The first Rust type.
        first: String,
        /// The second Rust type.
        second: String,
    },

    /// A declared table cannot be created on this backend as written.
    #[error("table `{table}`: {message}")]
    InvalidTable {
        /// The table.
        table: QualifiedName,
        /// What is wrong and what to do.
        message: String,
    },

    /// A foreign key names a table or column that is declared nowhere and does not exist.
    #[error(
        "table `{table}`: foreign key `{constraint}` references `{references}`, which is neither declared nor present in the database"
    )]
    UnknownReference {
        /// The referencing table.
        table: QualifiedName,
        /// The foreign key's name.
        constraint: String,
        /// The referenced table.
        references: QualifiedName,
    },

    /// The database URL is malformed or names an unsupported backend.
    #[error("invalid database URL `{url}`: {message}")]
    InvalidUrl {
        /// The URL with any password removed.
        url: String,
        /// What is wrong.
        message: String,
    },

    /// Connecting to the database failed.
    #[error("cannot connect to `{url}`: {source}")]
    Connect {
        /// The URL with any password removed.
        url: String,
        /// The driver's error.
        #[source]
        source: BoxError,
    },

    /// Reading the database's catalog failed.
    #[error("reflecting the database failed ({what}): {source}")]
    Reflect {
        /// Which part of the reflection.
        what: String,
        /// The driver's error.
        #[source]
        source: BoxError,
    },

    /// A step of the plan failed; the whole transaction was rolled back.
    #[error(
        "step {step} ({description}) failed; the transaction was rolled back and nothing was changed\n  statement: {statement}\n  database said: {source}"
    )]
    StepFailed {
        /// 1-based index of the step in the plan.
        step: usize,
        /// What the step does (`create table "users"`).
        description: String,
        /// The SQL statement that failed.
        statement: String,
        /// The database's error.
        #[source]
        source: BoxError,
    },

    /// A step of the plan failed on a database whose DDL is not transactional (MySQL,
    /// MariaDB: each DDL statement commits on its own), so nothing was rolled back: the
    /// steps before it (`committed`) stay applied, and so do the statements of the failing
    /// step before the failing one. The next apply plans from the database as it now is
    /// and continues from there.
    #[error(
        "step {step} ({description}) failed, and this database commits each DDL statement on its own, so nothing was rolled back: {}\n  statement: {statement}\n  database said: {source}\n  fix the cause and run again: the next apply plans from the database as it now is and continues from there",
        committed_message(committed, *step)
    )]
    PartiallyApplied {
        /// What each step that committed did, in plan order (steps 1 to `step - 1`).
        committed: Vec<String>,
        /// 1-based index of the failing step in the plan.
        step: usize,
        /// What the failing step does.
        description: String,
        /// The SQL statement that failed.
        statement: String,
        /// The database's error.
        #[source]
        source: BoxError,
    },

    /// An online apply ([`Options::online`](crate::Options::online)) failed part-way.
    /// Online mode commits phase by phase, so what ran before the failure stays (see
    /// [`OnlineFailure`]); the next apply plans from the database as it now is and does
    /// only what is left (an index a failed `CREATE INDEX CONCURRENTLY` left invalid is
    /// dropped and built again).
    #[error("{0}")]
    OnlinePartiallyApplied(Box<OnlineFailure>),

    /// An apply failed after the steps that must commit before the others
    /// ([`Dialect::commits_before_others`](crate::dialect::Dialect::commits_before_others):
    /// PostgreSQL's new enum labels) had committed in a transaction of their own: they
    /// stay; everything else was rolled back.
    #[error(
        "{error}\n  committed in a transaction of its own before, and kept: {}",
        committed.join("; ")
    )]
    FailedAfterCommitted {
        /// What each step that committed first did.
        committed: Vec<String>,
        /// The failure of the rest.
        #[source]
        error: Box<Error>,
    },

    /// An apply kept hitting its lock timeout ([`Options::lock_timeout`]) until
    /// [`Options::lock_retry_for`] ran out: other sessions hold the tables it changes.
    /// Every try was rolled back; nothing was changed — except in online mode, where what
    /// the tries committed before their lock timeout stays (`online`).
    ///
    /// [`Options::lock_timeout`]: crate::Options::lock_timeout
    /// [`Options::lock_retry_for`]: crate::Options::lock_retry_for
    #[error(
        "gave up after {attempts} tries over {:.1} s: step {step} ({description}) waited longer than the lock timeout for a lock other sessions hold; {}{}\n  end those sessions (or wait until they are done) and run again, or raise lock_retry_for",
        waited.as_secs_f64(),
        if *online {
            "online mode commits phase by phase: what the tries committed before their lock timeout stays, and the next apply goes on from there"
        } else {
            "every try was rolled back and nothing was changed"
        },
        blockers_message(blockers)
    )]
    LockTimeout {
        /// How many times the apply was tried.
        attempts: u32,
        /// How long it kept trying.
        waited: std::time::Duration,
        /// 1-based index of the step that waited in the last try.
        step: usize,
        /// What that step does.
        description: String,
        /// The sessions holding locks on the plan's tables when the last try gave up, one
        /// line each (`pid 4242 (app `report`, idle in transaction for 62 s): SELECT ...`).
        blockers: Vec<String>,
        /// `true` for an online apply ([`Options::online`](crate::Options::online)), whose
        /// tries committed phase by phase: what they committed stays.
        online: bool,
    },

    /// A database operation outside any step failed (begin, lock, commit).
    #[error("{operation} failed: {source}")]
    Database {
        /// What was being done.
        operation: String,
        /// The driver's error.
        #[source]
        source: BoxError,
    },

    /// After the plan's steps ran, a view, rule or trigger that existed before no longer
    /// works; the whole transaction was rolled back.
    #[error(
        "{object} no longer works after the plan's steps; the transaction was rolled back and nothing was changed\n  check: {statement}\n  database said: {source}\n  change or drop {object} so that it works with the declared schema, or keep what it uses, then run again"
    )]
    DependentBroken {
        /// The object (``view `main.v` ``).
        object: String,
        /// The statement that checked it.
        statement: String,
        /// The database's error.
        #[source]
        source: BoxError,
    },

    /// A change this backend cannot make, or that dbconform cannot make on it: a schema
    /// or a comment on SQLite, foreign keys added after `CREATE TABLE` on SQLite, a table
    /// rebuild on PostgreSQL. The message says what to declare instead.
    #[error("{}{what}", table.as_ref().map(|t| format!("table `{t}`: ")).unwrap_or_default())]
    Unsupported {
        /// The backend (`sqlite`, `postgres`).
        dialect: &'static str,
        /// The table concerned, when there is one.
        table: Option<QualifiedName>,
        /// What cannot be done, and what to do instead.
        what: String,
    },

    /// A step of the plan has no SQL on this backend (it needs a table rebuild dbconform
    /// cannot perform, or this version cannot execute it): the plan was refused before
    /// anything ran.
    #[error(
        "step {step} ({description}) cannot be executed: {}; nothing was changed",
        step_not_executable_why(rebuild.as_deref(), dialect)
    )]
    StepNotExecutable {
        /// 1-based index of the step in the plan.
        step: usize,
        /// What the step does (`alter column main.users.email`).
        description: String,
        /// The backend (`sqlite`, `postgres`).
        dialect: String,
        /// Why the step needs a table rebuild, when that is what it needs.
        rebuild: Option<String>,
    },

    /// The plan needs more locks in one transaction than the PostgreSQL server's lock
    /// table holds: raise `max_locks_per_transaction` (then restart the server) or apply
    /// fewer tables at a time. Nothing was executed.
    #[error(
        "the plan's {steps} steps need about {needed} locks in one transaction, more than \
         the server's lock table holds: max_locks_per_transaction ({max_locks_per_transaction}) × \
         (max_connections ({max_connections}) + max_prepared_transactions ({max_prepared_transactions})) = {capacity} \
         entries, at most {ceiling} locks for one transaction; \
         set max_locks_per_transaction to at least {at_least} (it takes effect after a \
         server restart) or apply fewer tables at a time. Nothing was executed."
    )]
    LockBudget {
        /// The plan's number of steps.
        steps: usize,
        /// The estimated number of locks the plan takes.
        needed: u64,
        /// The server's `max_locks_per_transaction`.
        max_locks_per_transaction: u64,
        /// The server's `max_connections`.
        max_connections: u64,
        /// The server's `max_prepared_transactions`.
        max_prepared_transactions: u64,
        /// The lock table's entries.
        capacity: u64,
        /// The most locks one transaction can hold.
        ceiling: u64,
        /// The smallest `max_locks_per_transaction` under which the plan fits.
        at_least: u64,
    },

    /// After executing the plan, planning again still found changes to make: a bug in
    /// dbconform (the change would be proposed forever). Nothing was committed.
    #[error(
        "after applying, dbconform still finds changes to make ({}); this is a bug in dbconform, please report it. Nothing was committed.",
        plan.steps().iter().map(|s| s.describe()).collect::<Vec<_>>().join("; ")
    )]
    NotConverged {
        /// What is still left to do.
        plan: Box<Plan>,
    },

    /// Creating a PostgreSQL database needs a maintenance database to connect to, and the
    /// server has neither `postgres` nor `template1`: create the database by hand.
    #[error(
        "cannot create database `{database}` for `{url}`: neither the `postgres` nor the `template1` maintenance database exists; create it by hand"
    )]
    MissingMaintenanceDatabase {
        /// The database to create.
        database: String,
        /// The URL with any password removed.
        url: String,
    },

    /// Something dbconform relies on did not hold: an invariant of the planner, a worker
    /// thread that panicked, a database that answered fewer statements than it was sent.
    /// Nothing was changed; usually a bug in dbconform, please report it with the message.
    #[error("{message}")]
    Internal {
        /// What did not hold.
        message: String,
    },

    /// `check` found the database not conformant; the plan says what differs.
    #[error("the database does not conform to the declared schema:\n{plan}")]
    NotConformant {
        /// The plan that would make it conform.
        plan: Box<Plan>,
    },

    /// No table is registered: the program links no `#[derive(Table)]` struct. Usually
    /// the models live in a library (or models crate) that the test or binary never
    /// names, so the linker left it out; conforming would give an empty database.
    #[error(
        "no tables are registered: this program links no `#[derive(Table)]` struct, so there is nothing to conform to. A crate the program does not name is left out by the linker, tables and all: in an integration test (`tests/*.rs`) or a binary whose models live in a library, name it at the top of that file with `use {library} as _;` (the crate that declares the structs)"
    )]
    NoTables {
        /// The crate to name in the suggested `use` line: the library of the package cargo
        /// is running (`CARGO_PKG_NAME`), else `my_app`.
        library: String,
    },

    /// Steps needed for the database to conform are blocked (by the policy, or because the
    /// data would make them fail), and the caller asked for all or nothing
    /// ([`Options::fail_on_blocked`](crate::Options::fail_on_blocked), which
    /// `dbconform::conform_all` sets): nothing was changed.
    #[error("{}", blocked_message(blocked))]
    Blocked {
        /// The blocked steps, each with what would unblock it.
        blocked: Vec<BlockedStep>,
    },
}

/// The text of [`Error::Blocked`]: every blocked step with its reason, then the way out.
fn blocked_message(blocked: &[BlockedStep]) -> String {
    let mut text = format!(
        "the database does not conform and nothing was changed: {} step{} needed for it {} blocked",
        blocked.len(),
        if blocked.len() == 1 { "" } else { "s" },
        if blocked.len() == 1 { "is" } else { "are" },
    );
    for b in blocked {
        text.push_str(&format!("\n  - {} ({})", b.step.describe(), b.why()));
    }
    text.push_str(
        "\nunblock it as it says, or use `DbConform::apply_all`, which applies the other steps and reports the blocked ones in its `Report`",
    );
    text
}

/// Where an online apply failed, what committed before it and what is left
/// ([`Error::OnlinePartiallyApplied`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "online apply failed in phase {} ({}) at step {step} ({description}); online mode commits phase by phase, so nothing was rolled back: {}\n  statement: {statement}\n  database said: {source}\n  still to do: {}\n  fix the cause and run again: the next apply continues from there",
    phase.number(),
    phase,
    online_committed_message(committed),
    if left.is_empty() { "nothing (read again after the failure)".to_string() } else { left.join("; ") }
)]
pub struct OnlineFailure {
    /// The statements that committed, in order, each as `phase N: <statement>`.
    pub committed: Vec<String>,
    /// The phase that failed.
    pub phase: crate::online::PhaseKind,
    /// 1-based index of the failing step in the plan.
    pub step: usize,
    /// What the failing step does.
    pub description: String,
    /// The SQL statement that failed.
    pub statement: String,
    /// What the database still needs, read again after the failure (the steps of a new
    /// plan); one line saying so when it could not be read.
    pub left: Vec<String>,
    /// The database's error.
    #[source]
    pub source: BoxError,
}

/// Which statements [`Error::OnlinePartiallyApplied`] left committed.
fn online_committed_message(committed: &[String]) -> String {
    if committed.is_empty() {
        "no statement had committed before it".to_string()
    } else {
        format!(
            "{} statement(s) committed and stay applied ({})",
            committed.len(),
            committed.join("; ")
        )
    }
}

/// `: <blockers>` for [`Error::LockTimeout`], or nothing when none was found.
fn blockers_message(blockers: &[String]) -> String {
    if blockers.is_empty() {
        String::new()
    } else {
        format!("\n  held by: {}", blockers.join("\n  held by: "))
    }
}

/// Which steps [`Error::PartiallyApplied`] left committed.
fn committed_message(committed: &[String], step: usize) -> String {
    let tail = format!(
        "statements of step {step} before the failing one (if any) committed too; nothing after it ran"
    );
    if committed.is_empty() {
        return format!("no step had committed before it; {tail}");
    }
    let list: Vec<String> = committed
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{}. {d}", i + 1))
        .collect();
    format!(
        "step{} 1{} committed and stay{} applied ({}); {tail}",
        if committed.len() == 1 { "" } else { "s" },
        if committed.len() == 1 {
            String::new()
        } else {
            format!("–{}", committed.len())
        },
        if committed.len() == 1 { "s" } else { "" },
        list.join("; ")
    )
}

/// The reason in [`Error::StepNotExecutable`]'s text.
fn step_not_executable_why(rebuild: Option<&str>, dialect: &str) -> String {
    match rebuild {
        Some(why) => {
            format!("it needs a table rebuild ({why}), which dbconform cannot perform on {dialect}")
        }
        None => format!("this version of dbconform cannot execute it on {dialect}"),
    }
}

impl Error {
    /// An [`Error::Internal`] with `message`.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::Internal {
            message: message.into(),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Removes the password from a database URL so it can be shown in errors and logs.
///
/// Whatever lies between `user:` and the `@` before the host becomes `***`, also when the
/// URL is malformed (`postgresql:/alice:pw@host/db` with one slash, `postgres//alice:pw@host`
/// without the colon, a `/` or `#` typed into the password): in doubt more is masked, never
/// less.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::redact_url;
/// assert_eq!(redact_url("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
/// assert_eq!(redact_url("postgresql:/app:s3cret@db/x"), "postgresql:/app:***@db/x");
/// assert_eq!(redact_url("sqlite://app.db"), "sqlite://app.db");
/// ```
pub fn redact_url(url: &str) -> String {
    // Well formed: the userinfo ends at the authority's last `@` (a password may hold `@`).
    if let Some(scheme_end) = url.find("://") {
        let start = scheme_end + 3;
        let rest = &url[start..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return mask_password(url, start, start + at);
        }
    }
    // Anything else: the last `@` of the text ends the userinfo, since a password typed
    // without percent-encoding may hold `/`, `?` or `#`, which would end a parsed authority
    // early and leave the rest of the password in view.
    let Some(at) = url.rfind('@') else {
        return url.to_string();
    };
    mask_password(url, userinfo_start(&url[..at]), at)
}

/// Where the userinfo starts in `prefix` (the text before the `@`): after `scheme:` and
/// any slashes when a `user:password` follows them, else at the start (`alice:pw`, or
/// `postgres//alice:pw`, whose `user:` part then runs from the start).
fn userinfo_start(prefix: &str) -> usize {
    let scheme_len = prefix
        .find(':')
        .filter(|&colon| {
            let scheme = &prefix[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
        .map_or(0, |colon| colon + 1);
    let after_slashes = scheme_len + prefix[scheme_len..].len()
        - prefix[scheme_len..].trim_start_matches('/').len();
    // `postgres:alice@host` has no password: the "scheme" may then be the user name.
    if scheme_len > 0 && prefix[after_slashes..].contains(':') {
        after_slashes
    } else {
        0
    }
}

/// `url` with the text between the first `:` of `url[start..at]` and `at` replaced by
/// `***`; unchanged when that userinfo has no `:` (no password).
fn mask_password(url: &str, start: usize, at: usize) -> String {
    match url[start..at].find(':') {
        Some(colon) => format!("{}:***{}", &url[..start + colon], &url[at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Error, redact_url};
    use crate::model::{QualifiedName, TableDef};
    use crate::plan::{Change, ChangeKind, Plan, Risk, Step};

    #[test]
    fn typed_errors_keep_their_texts() {
        let table = QualifiedName::with_schema("main", "t");
        let unsupported = Error::Unsupported {
            dialect: "sqlite",
            table: Some(table.clone()),
            what: "SQLite cannot store comments".into(),
        };
        assert_eq!(
            unsupported.to_string(),
            "table `main.t`: SQLite cannot store comments"
        );
        let schemaless = Error::Unsupported {
            dialect: "sqlite",
            table: None,
            what: "SQLite has no schemas to create (`x`)".into(),
        };
        assert_eq!(
            schemaless.to_string(),
            "SQLite has no schemas to create (`x`)"
        );

        let step = |rebuild: Option<&str>| Error::StepNotExecutable {
            step: 2,
            description: "alter column main.t.x (type)".into(),
            dialect: "sqlite".into(),
            rebuild: rebuild.map(str::to_string),
        };
        assert_eq!(
            step(Some(
                "SQLite cannot change a column's type with ALTER TABLE"
            ))
            .to_string(),
            "step 2 (alter column main.t.x (type)) cannot be executed: it needs a table rebuild (SQLite cannot change a column's type with ALTER TABLE), which dbconform cannot perform on sqlite; nothing was changed"
        );
        assert_eq!(
            step(None).to_string(),
            "step 2 (alter column main.t.x (type)) cannot be executed: this version of dbconform cannot execute it on sqlite; nothing was changed"
        );

        let create = Step {
            kind: ChangeKind::CreateTable,
            table: Some(table.clone()),
            risk: Risk::Safe,
            code: "DC002".into(),
            reason: String::new(),
            suggestion: None,
            sql: vec!["CREATE TABLE t (id INTEGER)".into()],
            rebuild: None,
            change: Change::CreateTable {
                table: TableDef {
                    schema: Some("main".into()),
                    name: "t".into(),
                    ..TableDef::default()
                },
            },
            parts: Vec::new(),
            effects: Vec::new(),
        };
        let plan = Box::new(Plan::new("sqlite", vec![create], Vec::new(), Vec::new()));
        assert_eq!(
            Error::NotConverged { plan: plan.clone() }.to_string(),
            "after applying, dbconform still finds changes to make (create table main.t); this is a bug in dbconform, please report it. Nothing was committed."
        );
        let not_conformant = Error::NotConformant { plan: plan.clone() }.to_string();
        assert_eq!(
            not_conformant,
            format!("the database does not conform to the declared schema:\n{plan}")
        );

        assert_eq!(
            Error::MissingMaintenanceDatabase {
                database: "app".into(),
                url: "postgres://u:***@db/app".into(),
            }
            .to_string(),
            "cannot create database `app` for `postgres://u:***@db/app`: neither the `postgres` nor the `template1` maintenance database exists; create it by hand"
        );
        assert_eq!(
            Error::Internal {
                message: "the dbconform worker thread panicked".into()
            }
            .to_string(),
            "the dbconform worker thread panicked"
        );
    }

    #[test]
    fn well_formed_urls_lose_their_password_only() {
        for (url, shown) in [
            (
                "postgres://app:s3cret@db:5432/x",
                "postgres://app:***@db:5432/x",
            ),
            ("postgres://app:p@ss@db/x", "postgres://app:***@db/x"),
            ("postgres://app@db/x", "postgres://app@db/x"),
            (
                "postgres://db/x?sslmode=require",
                "postgres://db/x?sslmode=require",
            ),
            ("sqlite://app.db", "sqlite://app.db"),
            ("sqlite::memory:", "sqlite::memory:"),
            ("sqlite:data/app.db?mode=rwc", "sqlite:data/app.db?mode=rwc"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn malformed_urls_are_masked_too() {
        for (url, shown) in [
            (
                "postgresql:/alice:s3cret@host/db",
                "postgresql:/alice:***@host/db",
            ),
            (
                "postgres:alice:s3cret@host/db",
                "postgres:alice:***@host/db",
            ),
            (
                "postgres//alice:s3cret@host/db",
                "postgres//alice:***@host/db",
            ),
            (
                "postgres/alice:s3cret@host/db",
                "postgres/alice:***@host/db",
            ),
            ("alice:s3cret@host/db", "alice:***@host/db"),
            // Unencoded `/` and `#` in the password end a parsed authority early.
            (
                "postgres://alice:s3/cret@host/db",
                "postgres://alice:***@host/db",
            ),
            (
                "postgres://alice:s3#cret@host/db",
                "postgres://alice:***@host/db",
            ),
            (
                "postgres://alice:s3?cret@host/db",
                "postgres://alice:***@host/db",
            ),
            // No password to hide; the user name may be masked when it cannot be told apart.
            ("postgres:alice@host/db", "postgres:***@host/db"),
            ("mysql://alice:s3cret@host/db", "mysql://alice:***@host/db"),
        ] {
            let redacted = redact_url(url);
            assert_eq!(redacted, shown, "{url}");
            assert!(!redacted.contains("s3"), "{redacted}");
        }
    }

    #[test]
    fn partially_applied_names_the_committed_steps_and_never_says_rolled_back() {
        let error = |committed: Vec<String>, step| Error::PartiallyApplied {
            committed,
            step,
            description: "alter column t.c (nullability)".into(),
            statement: "ALTER TABLE `t` MODIFY COLUMN `c` int NOT NULL".into(),
            source: "Data truncated".into(),
        };
        let first = error(Vec::new(), 1).to_string();
        assert!(
            first.starts_with("step 1 (alter column t.c (nullability)) failed, and this database commits each DDL statement on its own, so nothing was rolled back: no step had committed before it"),
            "{first}"
        );
        let third = error(vec!["create table a".into(), "add index i on t".into()], 3).to_string();
        assert!(
            third.contains(
                "steps 1–2 committed and stay applied (1. create table a; 2. add index i on t)"
            ),
            "{third}"
        );
        assert!(
            third.contains("statements of step 3 before the failing one"),
            "{third}"
        );
        assert!(third.contains("continues from there"), "{third}");
        assert!(!third.contains("nothing was changed"), "{third}");
        let second = error(vec!["create table a".into()], 2).to_string();
        assert!(
            second.contains("step 1 committed and stays applied (1. create table a)"),
            "{second}"
        );
    }
}
