//! The one error type of dbconform.

use crate::model::QualifiedName;

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

    /// The plan contains steps this version of dbconform cannot execute on this backend.
    #[error("{0}")]
    NotExecutable(String),

    /// `check` found the database not conformant.
    #[error("the database does not conform to the declared schema:\n{0}")]
    NotConformant(String),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Removes the password from a database URL so it can be shown in errors and logs.
///
/// ```
/// use dbconform_core::redact_url;
/// assert_eq!(redact_url("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
/// assert_eq!(redact_url("sqlite://app.db"), "sqlite://app.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}
