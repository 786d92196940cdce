//! The driver's errors as dbconform shows them.
//!
//! sqlx prints a PostgreSQL error as its message followed by `at line 13588`, the line of
//! the server's C source that raised it, and leaves out the DETAIL and HINT that often
//! name the row or object at fault (`Key (email)=(a@x) is duplicated.`, `rule _RETURN on
//! view v depends on column "b"`). [`DriverError`] shows the message with its DETAIL and
//! HINT and without the source line; the sqlx error stays reachable through
//! [`DriverError::sqlx`].

use dbconform_core::BoxError;
use std::fmt;

/// A database driver (sqlx) error, displayed as the database reported it: the message,
/// then the server's `DETAIL:` and `HINT:` lines when it sent them (PostgreSQL), never the
/// server's source line. It is the `source` of dbconform's errors that come from the
/// database.
///
/// ```
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// use dbconform::DriverError;
/// let error = DriverError::new(sqlx::Error::PoolTimedOut);
/// assert!(matches!(error.sqlx(), sqlx::Error::PoolTimedOut));
/// ```
#[derive(Debug)]
pub struct DriverError(sqlx::Error);

impl DriverError {
    /// Wraps a sqlx error.
    pub fn new(error: sqlx::Error) -> Self {
        DriverError(error)
    }

    /// The sqlx error, for its code (`as_database_error().code()`) or kind.
    pub fn sqlx(&self) -> &sqlx::Error {
        &self.0
    }

    /// The sqlx error, owned.
    pub fn into_sqlx(self) -> sqlx::Error {
        self.0
    }

    /// The boxed form dbconform's errors hold as their `source`.
    pub(crate) fn boxed(error: sqlx::Error) -> BoxError {
        Box::new(DriverError(error))
    }

    /// The sqlx error under a boxed `source`, whether it was wrapped or not.
    pub(crate) fn find(source: &BoxError) -> Option<&sqlx::Error> {
        source
            .downcast_ref::<DriverError>()
            .map(DriverError::sqlx)
            .or_else(|| source.downcast_ref::<sqlx::Error>())
    }
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let sqlx::Error::Database(db) = &self.0
            && let Some(details) = crate::backend::error_details(db.as_ref())
        {
            // sqlx's own text, less the source line it appends.
            write!(f, "error returned from database: {}", db.message())?;
            for (label, text) in details {
                write!(f, "\n  {label}: {text}")?;
            }
            return Ok(());
        }
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for DriverError {
    /// What lies under the sqlx error (an I/O error, ...). Not the database's own error:
    /// its text is this one's, and printed again down an error chain it would bring the
    /// source line back.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            sqlx::Error::Database(_) => None,
            other => std::error::Error::source(other),
        }
    }
}

/// The database's error code (SQLSTATE) of `error` or of what it wraps, if a database
/// error is among them.
pub(crate) fn database_code(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(e) = current {
        let sqlx_error = e
            .downcast_ref::<DriverError>()
            .map(DriverError::sqlx)
            .or_else(|| e.downcast_ref::<sqlx::Error>());
        if let Some(code) = sqlx_error
            .and_then(sqlx::Error::as_database_error)
            .and_then(|db| db.code())
        {
            return Some(code.into_owned());
        }
        current = e.source();
    }
    None
}

/// The database's message with its DETAIL and HINT on one line, for a report's outcome
/// (`could not create unique index "uq" (DETAIL: Key (email)=(a) is duplicated.)`); the
/// driver's own text for anything else.
pub(crate) fn one_line_message(error: &sqlx::Error) -> String {
    let Some(db) = error.as_database_error() else {
        return error.to_string();
    };
    let out = db.message().to_string();
    let extra: Vec<String> = crate::backend::error_details(db)
        .unwrap_or_default()
        .into_iter()
        .map(|(label, text)| format!("{label}: {text}"))
        .collect();
    if extra.is_empty() {
        out
    } else {
        format!("{out} ({})", extra.join("; "))
    }
}
