//! Progress on stderr while an apply or a preflight runs: the runtime's tracing spans and
//! per-statement events become one line each (what is being done, step by step).

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Prints what the runtime is doing to stderr.
#[derive(Default)]
pub(crate) struct Progress {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Steps announced by the `execute` span.
    steps: u64,
    /// An `execute` span was entered: the next reflection verifies.
    executed: bool,
}

/// The fields of a span or event that progress reads.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    numbers: Vec<(&'static str, u64)>,
    statement: Option<String>,
    ok: Option<bool>,
}

impl Fields {
    fn number(&self, name: &str) -> Option<u64> {
        self.numbers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.numbers.push((field.name(), value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.numbers.push((field.name(), value));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "ok" {
            self.ok = Some(value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_text(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_text(field, format!("{value:?}"));
    }
}

impl Fields {
    fn record_text(&mut self, field: &Field, text: String) {
        match field.name() {
            "message" => self.message = Some(text),
            "statement" => self.statement = Some(text),
            _ => {}
        }
    }
}

/// The first line of a statement, cut to `max` characters.
fn short(statement: &str, max: usize) -> String {
    let line = statement.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= max && !statement.trim().contains('\n') {
        line.to_string()
    } else {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}...")
    }
}

fn from_dbconform(target: &str) -> bool {
    target.starts_with("dbconform")
}

impl<S> Layer<S> for Progress
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let metadata = attrs.metadata();
        if !from_dbconform(metadata.target()) {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        match metadata.name() {
            "reflect" if state.executed => eprintln!("  verifying that nothing is left to do"),
            "reflect" => eprintln!("  reading the database catalog"),
            "data_checks" => {
                let n = fields.number("questions").unwrap_or(0);
                eprintln!(
                    "  checking the data ({n} question{})",
                    if n == 1 { "" } else { "s" }
                );
            }
            "execute" => {
                state.executed = true;
                state.steps = fields.number("steps").unwrap_or(0);
                eprintln!(
                    "  executing {} step{}",
                    state.steps,
                    if state.steps == 1 { "" } else { "s" }
                );
            }
            _ => {}
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !from_dbconform(event.metadata().target()) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        // While an apply waits out a lock: `waiting for pid 4242 (app `report`, idle in
        // transaction for 42 s): SELECT ...`.
        if let Some(waiting) = fields
            .message
            .as_deref()
            .and_then(|m| m.strip_prefix("lock timeout: "))
        {
            eprintln!("  {}", short(waiting, 160));
            return;
        }
        let (Some(message), Some(step), Some(statement)) = (
            fields.message.as_deref(),
            fields.number("step"),
            fields.statement.as_deref(),
        ) else {
            return;
        };
        // PostgreSQL answers a round trip's statements together: no time of their own.
        let time = fields
            .number("elapsed_us")
            .map(|us| {
                format!(
                    " ({:.1} ms)",
                    Duration::from_micros(us).as_secs_f64() * 1000.0
                )
            })
            .unwrap_or_default();
        let total = self.state.lock().map(|s| s.steps).unwrap_or(0);
        let of = if total > 0 {
            format!("/{total}")
        } else {
            String::new()
        };
        match message {
            "executed" | "executed online" => {
                eprintln!("    step {step}{of}: {}{time}", short(statement, 72))
            }
            "preflight" => {
                let outcome = if fields.ok == Some(false) {
                    "fails"
                } else {
                    "ok"
                };
                eprintln!("    step {step}: {outcome}: {}{time}", short(statement, 64));
            }
            _ => {}
        }
    }
}

/// Runs `f` with progress printed to stderr when `enabled`. The CLI's runtime is
/// single-threaded, so everything the runtime does inside `f` reports here.
pub(crate) fn with_progress<T>(enabled: bool, f: impl FnOnce() -> T) -> T {
    if !enabled {
        return f();
    }
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(Progress::default());
    tracing::subscriber::with_default(subscriber, f)
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn statements_are_cut_to_one_line() {
        assert_eq!(short("DROP INDEX \"ix\"", 72), "DROP INDEX \"ix\"");
        assert_eq!(
            short("CREATE TABLE \"t\" (\n  \"id\" BIGINT\n)", 72),
            "CREATE TABLE \"t\" (..."
        );
        assert_eq!(short("abcdef", 3), "abc...");
    }
}
