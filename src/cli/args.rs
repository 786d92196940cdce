//! The command line's arguments (clap derive), for the embedded CLI and the standalone
//! binary.

use super::Exit;
use crate::Options;
use crate::dialect::Dialect;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

const EXIT_CODES: &str = "\
Exit codes:
  0  success: done, or the database conforms
  1  error (the message is on stderr)
  2  changes pending (check, diff, snapshot --check)
  3  changes blocked by the policy or by the data (check, diff, apply, preflight)
  4  preflight found steps that would fail";

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub(crate) struct GlobalArgs {
    /// When to colour the output: auto (when stdout is a terminal and NO_COLOR is unset),
    /// always, never
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, display_order = 100)]
    pub color: ColorChoice,
    /// No progress messages on stderr (errors are still printed)
    #[arg(long, short, global = true, display_order = 100)]
    pub quiet: bool,
}

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Make the database conform to the tables this program declares.",
    after_help = EXIT_CODES
)]
struct EmbeddedCli {
    #[command(subcommand)]
    command: EmbeddedCommand,
    #[command(flatten)]
    global: GlobalArgs,
}

#[derive(Subcommand, Debug)]
enum EmbeddedCommand {
    /// Show what would change to make the database conform; changes nothing
    Plan(PlanArgs),
    /// Like plan, with the exit code telling whether the database conforms (0), has
    /// changes pending (2) or has blocked changes (3); changes nothing
    Check(PlanArgs),
    /// Make the database conform, in one transaction (asks before caution/danger steps)
    Apply(ApplyArgs),
    /// Run the plan in a transaction that is rolled back and report the steps that would
    /// fail; changes nothing
    Preflight(PreflightArgs),
    /// Write the declared schema as a JSON snapshot file (to commit, for offline diffs)
    Snapshot(SnapshotArgs),
    /// Write a database's schema as a JSON snapshot file
    Inspect(InspectArgs),
    /// The plan that takes FROM to TO, each a database URL or a snapshot file (TO defaults
    /// to the declared tables); works offline with two files
    Diff(DiffArgs),
    /// Wait until the database answers (exit 0), or fail after the timeout (exit 1)
    Wait(WaitArgs),
}

#[derive(Parser, Debug)]
#[command(
    name = "dbconform",
    version,
    about = "Inspect and diff database schemas, offline or live, and wait for a database.\n\
             To plan or apply your own tables, build a binary calling dbconform::cli::run().",
    after_help = EXIT_CODES
)]
struct StandaloneCli {
    #[command(subcommand)]
    command: StandaloneCommand,
    #[command(flatten)]
    global: GlobalArgs,
}

#[derive(Subcommand, Debug)]
enum StandaloneCommand {
    /// Write a database's schema as a JSON snapshot file
    Inspect(InspectArgs),
    /// The plan that takes FROM to TO, each a database URL or a snapshot file; works
    /// offline with two files
    Diff(StandaloneDiffArgs),
    /// Wait until the database answers (exit 0), or fail after the timeout (exit 1)
    Wait(WaitArgs),
}

/// How to reach the database.
#[derive(Args, Debug, Clone)]
pub(crate) struct DbArgs {
    /// Database URL (sqlite://app.db, postgres://user@host:5432/db); default: $DATABASE_URL
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub url: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Retrying the connection.
#[derive(Args, Debug, Clone)]
pub(crate) struct ConnectArgs {
    /// Keep trying to connect for this long while the database does not answer yet
    /// (e.g. 30s, 2m); default: one attempt
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0s")]
    pub connect_timeout: Duration,
}

/// The policy, mirroring [`Options`].
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct PolicyArgs {
    /// The PostgreSQL schema for tables without an explicit one (default: public)
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// Drop tables that exist in the database but are not declared
    #[arg(long)]
    pub allow_drop_extra_tables: bool,
    /// Drop columns that exist in the database but are not declared
    #[arg(long)]
    pub allow_drop_extra_columns: bool,
    /// Allow column changes that can lose values (narrowing a type, making a column
    /// generated)
    #[arg(long)]
    pub allow_shrink_column: bool,
    /// Keep constraints (keys, uniques, unique indexes, foreign keys, checks) that are
    /// not declared (by default they are dropped)
    #[arg(long)]
    pub no_drop_extra_constraints: bool,
    /// Drop non-unique indexes that are not declared (by default they are kept as drift)
    #[arg(long)]
    pub allow_drop_extra_indexes: bool,
    /// Never rebuild SQLite tables; steps that need a rebuild are blocked
    #[arg(long)]
    pub no_sqlite_table_rebuild: bool,
    /// Do not count rows before applying (for very large tables); steps that fail on the
    /// data then fail at apply time and roll everything back
    #[arg(long)]
    pub skip_data_checks: bool,
    /// How long one statement of an apply waits for a lock another session holds before
    /// the apply is rolled back and tried again (PostgreSQL; default 2s; 0: wait as long
    /// as it takes)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Option<Duration>,
    /// How long to keep trying again after lock timeouts before giving up with the
    /// sessions holding the tables (default 60s)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_retry_for: Option<Duration>,
    /// The longest one statement of an apply may run (PostgreSQL; default: no limit)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub statement_timeout: Option<Duration>,
    /// Online mode (PostgreSQL): apply in phases that keep the application's writes going
    /// (indexes built CONCURRENTLY, constraints added NOT VALID then validated, NOT NULL
    /// through a validated check), each committing on its own: not one transaction
    #[arg(long)]
    pub online: bool,
    /// With --online: the largest table a step may rewrite (a rewrite locks the table
    /// while it copies every row), e.g. 500MB, 2GB; `none`: no limit (default 100MB)
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub online_rewrite_limit: Option<Option<u64>>,
}

impl PolicyArgs {
    /// The [`Options`] these flags describe, with `target_schema` given explicitly.
    // `..defaults` keeps any option added later at its default.
    #[allow(clippy::needless_update)]
    pub fn options_with_schema(&self, target_schema: Option<String>) -> Options {
        let defaults = Options::default();
        Options {
            allow_drop_extra_tables: self.allow_drop_extra_tables,
            allow_drop_extra_columns: self.allow_drop_extra_columns,
            allow_shrink_column: self.allow_shrink_column,
            allow_drop_extra_constraints: !self.no_drop_extra_constraints,
            allow_drop_extra_indexes: self.allow_drop_extra_indexes,
            allow_sqlite_table_rebuild: !self.no_sqlite_table_rebuild,
            target_schema: target_schema.unwrap_or_else(|| defaults.target_schema.clone()),
            skip_data_checks: self.skip_data_checks,
            lock_timeout: match self.lock_timeout {
                Some(wait) => Some(wait).filter(|w| !w.is_zero()),
                None => defaults.lock_timeout,
            },
            lock_retry_for: self.lock_retry_for.unwrap_or(defaults.lock_retry_for),
            statement_timeout: self.statement_timeout.filter(|w| !w.is_zero()),
            online: self.online,
            online_rewrite_limit: self
                .online_rewrite_limit
                .unwrap_or(defaults.online_rewrite_limit),
            ..defaults
        }
    }

    /// The [`Options`] these flags describe.
    pub fn options(&self) -> Options {
        self.options_with_schema(self.schema.clone())
    }
}

/// `plan` and `check`.
#[derive(Args, Debug, Clone)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format: text (for people), sql (a runnable script), json, dot (Graphviz
    /// graph of step dependencies)
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

/// `apply`.
#[derive(Args, Debug, Clone)]
pub(crate) struct ApplyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Apply caution and danger steps without asking (required when stdin is not a
    /// terminal and the plan has such steps)
    #[arg(long, short)]
    pub yes: bool,
    /// Create the database first when it does not exist (PostgreSQL: CREATE DATABASE via
    /// the postgres maintenance database; SQLite: the file)
    #[arg(long)]
    pub create_database_if_missing: bool,
    /// Output format of the report
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `preflight`.
#[derive(Args, Debug, Clone)]
pub(crate) struct PreflightArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format of the report
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `snapshot`.
#[derive(Args, Debug, Clone)]
pub(crate) struct SnapshotArgs {
    /// The database kind the snapshot is for; default: the scheme of --url / $DATABASE_URL
    #[arg(long, value_parser = dialect_parser())]
    pub dialect: Option<&'static dyn Dialect>,
    /// Only read for its scheme when --dialect is not given; never connected to
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub url: Option<String>,
    /// Record this PostgreSQL target schema in the snapshot (used by diff)
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// Write to FILE instead of stdout
    #[arg(long, short, value_name = "FILE", conflicts_with = "check")]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 0 when FILE holds this snapshot, 2 when it is out of date
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

/// `inspect`.
#[derive(Args, Debug, Clone)]
pub(crate) struct InspectArgs {
    /// Database URL; default: $DATABASE_URL
    #[arg(env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub url: String,
    /// The PostgreSQL schema to inspect (default: public)
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// Write to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// `diff` in the embedded CLI.
#[derive(Args, Debug, Clone)]
pub(crate) struct DiffArgs {
    /// The current state: a database URL, a snapshot file, or - for stdin
    #[arg(value_name = "FROM")]
    pub from: String,
    /// The wanted state: a database URL or a snapshot file; default: the declared tables
    #[arg(value_name = "TO")]
    pub to: Option<String>,
    #[command(flatten)]
    pub common: DiffCommon,
}

/// `diff` in the standalone binary: both sides are required.
#[derive(Args, Debug, Clone)]
pub(crate) struct StandaloneDiffArgs {
    /// The current state: a database URL, a snapshot file, or - for stdin
    #[arg(value_name = "FROM")]
    pub from: String,
    /// The wanted state: a database URL or a snapshot file
    #[arg(value_name = "TO")]
    pub to: String,
    #[command(flatten)]
    pub common: DiffCommon,
}

/// What both `diff`s take.
#[derive(Args, Debug, Clone)]
pub(crate) struct DiffCommon {
    /// The database kind, when neither side records it
    #[arg(long, value_parser = dialect_parser())]
    pub dialect: Option<&'static dyn Dialect>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format: text, sql, json, dot
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// `wait`.
#[derive(Args, Debug, Clone)]
pub(crate) struct WaitArgs {
    /// Database URL; default: $DATABASE_URL
    #[arg(env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub url: String,
    /// How long to keep trying (e.g. 500ms, 30s, 2m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    pub timeout: Duration,
    /// Create the database once the server answers, when it does not exist
    #[arg(long)]
    pub create_database_if_missing: bool,
}

/// How plans print.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanFormat {
    /// For people: grouped by table, risk marked
    Text,
    /// A runnable SQL script, each step commented
    Sql,
    /// The plan as JSON
    Json,
    /// A Graphviz DOT graph of step dependencies
    Dot,
}

/// How reports print.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportFormat {
    /// For people
    Text,
    /// JSON
    Json,
}

/// When to colour.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset or empty
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// Parses `--dialect`: one of the names of [`crate::dialect::all`], listed in the help
/// with their display names, so a new dialect is offered without editing the CLI.
fn dialect_parser() -> impl clap::builder::TypedValueParser<Value = &'static dyn Dialect> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let names = crate::dialect::all()
        .map(|dialect| PossibleValue::new(dialect.name()).help(dialect.display_name()));
    PossibleValuesParser::new(names)
        .try_map(|name| crate::dialect::by_name(&name).ok_or("unknown dialect"))
}

/// What to run.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Plan(PlanArgs),
    Check(PlanArgs),
    Apply(ApplyArgs),
    Preflight(PreflightArgs),
    Snapshot(SnapshotArgs),
    Inspect(InspectArgs),
    Diff {
        from: String,
        /// `None`: the declared tables.
        to: Option<String>,
        common: DiffCommon,
    },
    Wait(WaitArgs),
}

/// A parsed command line.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub global: GlobalArgs,
    pub command: Command,
}

/// The outcome of parsing: a command to run, or the exit code of `--help`, `--version`
/// or a usage error (already printed).
pub(crate) enum Parsed {
    Run(Invocation),
    Exit(Exit),
}

pub(crate) fn parse_embedded<I, T>(args: I) -> Parsed
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match EmbeddedCli::try_parse_from(args) {
        Ok(cli) => Parsed::Run(Invocation {
            global: cli.global,
            command: match cli.command {
                EmbeddedCommand::Plan(a) => Command::Plan(a),
                EmbeddedCommand::Check(a) => Command::Check(a),
                EmbeddedCommand::Apply(a) => Command::Apply(a),
                EmbeddedCommand::Preflight(a) => Command::Preflight(a),
                EmbeddedCommand::Snapshot(a) => Command::Snapshot(a),
                EmbeddedCommand::Inspect(a) => Command::Inspect(a),
                EmbeddedCommand::Diff(a) => Command::Diff {
                    from: a.from,
                    to: a.to,
                    common: a.common,
                },
                EmbeddedCommand::Wait(a) => Command::Wait(a),
            },
        }),
        Err(error) => Parsed::Exit(usage_error(error)),
    }
}

pub(crate) fn parse_standalone<I, T>(args: I) -> Parsed
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match StandaloneCli::try_parse_from(args) {
        Ok(cli) => Parsed::Run(Invocation {
            global: cli.global,
            command: match cli.command {
                StandaloneCommand::Inspect(a) => Command::Inspect(a),
                StandaloneCommand::Diff(a) => Command::Diff {
                    from: a.from,
                    to: Some(a.to),
                    common: a.common,
                },
                StandaloneCommand::Wait(a) => Command::Wait(a),
            },
        }),
        Err(error) => Parsed::Exit(usage_error(error)),
    }
}

/// Prints clap's message; `--help` and `--version` succeed, usage errors exit 1 (clap's
/// own 2 would read as "changes pending").
fn usage_error(error: clap::Error) -> Exit {
    let _ = error.print();
    if error.use_stderr() {
        Exit::Error
    } else {
        Exit::Success
    }
}

/// Parses `30s`, `500ms`, `2m`, `1h`, or a plain number of seconds (`30`, `1.5`).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 500ms, 30s, 2m or 1h"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; use ms, s, m or h"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is not a valid duration"))
}

/// A size for `--online-rewrite-limit`: bytes, or with a unit (`kB`, `MB`, `GB`, `TB`,
/// powers of 1024 as in PostgreSQL's settings and `pg_size_pretty`); `none` for no limit.
fn parse_size(text: &str) -> Result<Option<u64>, String> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let digits = trimmed.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &trimmed[digits.len()..];
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1 << 10,
        "mb" => 1 << 20,
        "gb" => 1 << 30,
        "tb" => 1 << 40,
        _ => return Err(format!("`{text}` is not a size (e.g. 500MB, 2GB, none)")),
    };
    let number: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 500MB, 2GB, none)"))?;
    if !(number >= 0.0 && number.is_finite()) {
        return Err(format!("`{text}` is not a size (e.g. 500MB, 2GB, none)"));
    }
    Ok(Some((number * factor as f64) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_flags_with_the_options_defaults() {
        let defaults = PolicyArgs::default().options();
        assert_eq!(defaults.lock_timeout, Some(Duration::from_secs(2)));
        assert_eq!(defaults.lock_retry_for, Duration::from_secs(60));
        assert_eq!(defaults.statement_timeout, None);
        let set = PolicyArgs {
            lock_timeout: Some(Duration::ZERO),
            lock_retry_for: Some(Duration::from_secs(5)),
            statement_timeout: Some(Duration::from_millis(1500)),
            ..PolicyArgs::default()
        }
        .options();
        assert_eq!(set.lock_timeout, None, "0 waits as long as it takes");
        assert_eq!(set.lock_retry_for, Duration::from_secs(5));
        assert_eq!(set.statement_timeout, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("500MB"), Ok(Some(500 << 20)));
        assert_eq!(parse_size("2GB"), Ok(Some(2 << 30)));
        assert_eq!(parse_size("1.5kB"), Ok(Some(1_536)));
        assert_eq!(parse_size("1024"), Ok(Some(1_024)));
        assert_eq!(parse_size("none"), Ok(None));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("-1MB").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(parse_duration("3d").unwrap_err().contains("unknown unit"));
    }

    #[test]
    fn clap_definitions_are_consistent() {
        use clap::CommandFactory;
        EmbeddedCli::command().debug_assert();
        StandaloneCli::command().debug_assert();
    }

    #[test]
    fn policy_flags_mirror_options() {
        assert_eq!(PolicyArgs::default().options(), Options::default());
        let all = PolicyArgs {
            schema: Some("app".into()),
            allow_drop_extra_tables: true,
            allow_drop_extra_columns: true,
            allow_shrink_column: true,
            no_drop_extra_constraints: true,
            allow_drop_extra_indexes: true,
            no_sqlite_table_rebuild: true,
            skip_data_checks: true,
            lock_timeout: Some(Duration::from_millis(500)),
            lock_retry_for: Some(Duration::from_secs(10)),
            statement_timeout: Some(Duration::from_secs(30)),
            online: true,
            online_rewrite_limit: Some(None),
        };
        #[allow(clippy::needless_update)]
        let expected = Options {
            allow_drop_extra_tables: true,
            allow_drop_extra_columns: true,
            allow_shrink_column: true,
            allow_drop_extra_constraints: false,
            allow_drop_extra_indexes: true,
            allow_sqlite_table_rebuild: false,
            target_schema: "app".into(),
            skip_data_checks: true,
            lock_timeout: Some(Duration::from_millis(500)),
            lock_retry_for: Duration::from_secs(10),
            statement_timeout: Some(Duration::from_secs(30)),
            online: true,
            online_rewrite_limit: None,
            ..Options::default()
        };
        assert_eq!(all.options(), expected);
    }
}
