//! What each command does.

use super::Exit;
use super::args::{
    ApplyArgs, Command, ConnectArgs, DbArgs, DiffCommon, InspectArgs, Invocation, Parsed, PlanArgs,
    PlanFormat, PolicyArgs, PreflightArgs, ReportFormat, SnapshotArgs, WaitArgs,
};
use super::output::Out;
use super::progress::with_progress;
use super::snapshot_file::{SnapshotFile, SnapshotSource};
use crate::dialect::Dialect;
use crate::{
    ConnectOptions, DbConform, Options, Plan, Risk, Schema, TableDef, redact_url, wait_for_database,
};
use dbconform_runtime::deploy::human_duration;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

/// A failure: the message printed after `error:`.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    exit: Exit,
}

impl Failure {
    /// A failure exiting with [`Exit::Error`].
    fn new(message: String) -> Self {
        Failure {
            message,
            exit: Exit::Error,
        }
    }
}

impl From<crate::Error> for Failure {
    fn from(error: crate::Error) -> Self {
        // Where DDL is not transactional, a failure half-way leaves the steps before it
        // applied: scripts must tell that from a failure that changed nothing.
        let exit = match error {
            crate::Error::PartiallyApplied { .. } | crate::Error::OnlinePartiallyApplied(_) => {
                Exit::PartiallyApplied
            }
            _ => Exit::Error,
        };
        // dbconform's errors never carry a password.
        Failure {
            message: error.to_string(),
            exit,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::new(message)
    }
}

type Outcome = Result<Exit, Failure>;

/// Runs a parsed command line.
pub(crate) fn run(parsed: Parsed) -> Exit {
    let invocation = match parsed {
        Parsed::Run(invocation) => invocation,
        Parsed::Exit(exit) => return exit,
    };
    let out = Out::new(invocation.global.color, invocation.global.quiet);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            out.error(&format!("cannot start the async runtime: {e}"));
            return Exit::Error;
        }
    };
    let outcome = execute(invocation, &out, &runtime);
    // Close pools and connections before the process exits.
    drop(runtime);
    match outcome {
        Ok(exit) => exit,
        Err(Failure { message, exit }) => {
            out.error(&message);
            exit
        }
    }
}

fn execute(invocation: Invocation, out: &Out, rt: &tokio::runtime::Runtime) -> Outcome {
    match invocation.command {
        Command::Plan(args) => plan(args, out, rt, false),
        Command::Check(args) => plan(args, out, rt, true),
        Command::Apply(args) => apply(args, out, rt),
        Command::Preflight(args) => preflight(args, out, rt),
        Command::Snapshot(args) => snapshot(args, out),
        Command::Inspect(args) => inspect(args, out, rt),
        Command::Diff { from, to, common } => diff(&from, to.as_deref(), common, out, rt),
        Command::Wait(args) => wait(args, out, rt),
    }
}

/// Connects (retrying as asked) and applies the policy.
fn connect(
    url: &str,
    connect: &ConnectArgs,
    create_database_if_missing: bool,
    options: Options,
    out: &Out,
    rt: &tokio::runtime::Runtime,
) -> Result<DbConform, Failure> {
    out.progress(&format!("connecting to {}", redact_url(url)));
    let connect = ConnectOptions {
        retry_for: connect.connect_timeout,
        create_database_if_missing,
        ..ConnectOptions::default()
    };
    let db = rt
        .block_on(DbConform::connect_with(url, &connect))
        .map_err(|error| {
            if is_missing_database(&error) {
                Failure::new(format!(
                    "{error}; create the database, or let `apply --create-database-if-missing` (or `wait --create-database-if-missing`) create it"
                ))
            } else {
                Failure::from(error)
            }
        })?;
    Ok(db.with_options(options))
}

/// `true` when PostgreSQL refused the connection because the database does not exist.
fn is_missing_database(error: &crate::Error) -> bool {
    let crate::Error::Connect { source, .. } = error else {
        return false;
    };
    let sqlx_error = source
        .downcast_ref::<crate::DriverError>()
        .map(crate::DriverError::sqlx)
        .or_else(|| source.downcast_ref::<crate::sqlx::Error>());
    matches!(
        sqlx_error,
        Some(crate::sqlx::Error::Database(db)) if db.code().as_deref() == Some("3D000")
    )
}

fn connect_db(
    db: &DbArgs,
    policy: &PolicyArgs,
    create: bool,
    out: &Out,
    rt: &tokio::runtime::Runtime,
) -> Result<DbConform, Failure> {
    connect(&db.url, &db.connect, create, policy.options(), out, rt)
}

/// Prints a plan in the chosen format.
fn print_plan(plan: &Plan, format: PlanFormat, out: &Out) -> Result<(), Failure> {
    match format {
        PlanFormat::Text => out.stdout_text(&plan.to_string())?,
        PlanFormat::Sql => out.stdout(&plan.to_sql())?,
        PlanFormat::Json => out.stdout(&json(plan)?)?,
        PlanFormat::Dot => out.stdout(&plan.to_dot())?,
    }
    Ok(())
}

fn json(value: &impl serde::Serialize) -> Result<String, Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// `check` and `diff`: conformant (0), changes pending (2), some blocked (3).
fn plan_exit(plan: &Plan) -> Exit {
    if !plan.blocked().is_empty() {
        Exit::Blocked
    } else if !plan.steps().is_empty() {
        Exit::ChangesPending
    } else {
        Exit::Success
    }
}

fn plan(args: PlanArgs, out: &Out, rt: &tokio::runtime::Runtime, check: bool) -> Outcome {
    let db = connect_db(&args.db, &args.policy, false, out, rt)?;
    out.progress("planning");
    let plan = rt.block_on(db.compare_all())?;
    print_plan(&plan, args.format, out)?;
    Ok(if check {
        plan_exit(&plan)
    } else {
        Exit::Success
    })
}

/// The steps a person should confirm: caution and danger.
fn risky(plan: &Plan) -> Vec<String> {
    plan.steps()
        .iter()
        .filter(|s| s.risk >= Risk::Caution)
        .map(|s| format!("[{} {}] {}", s.risk, s.code, s.describe()))
        .collect()
}

fn apply(args: ApplyArgs, out: &Out, rt: &tokio::runtime::Runtime) -> Outcome {
    let db = connect_db(
        &args.db,
        &args.policy,
        args.create_database_if_missing,
        out,
        rt,
    )?;
    out.progress("planning");
    let planned = rt.block_on(db.compare_all())?;
    let risky = risky(&planned);
    if !risky.is_empty() && !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::new(format!(
                "the plan has {} caution/danger step{} and stdin is not a terminal to confirm {}: {}; review the plan (`plan`), then run `apply --yes`. Nothing was changed.",
                risky.len(),
                plural(risky.len()),
                if risky.len() == 1 { "it" } else { "them" },
                risky.join("; ")
            )));
        }
        out.stderr_text(&planned.to_string());
        let question = format!(
            "\nApply {} step{} to {}, {} of them caution/danger? [y/N] ",
            planned.steps().len(),
            plural(planned.steps().len()),
            redact_url(&args.db.url),
            risky.len()
        );
        if !confirm(&question)? {
            return Err(Failure::new("not confirmed: nothing was changed".into()));
        }
    }
    if planned.steps().is_empty() {
        out.progress("nothing to execute");
    } else {
        let how = if db.dialect().transactional_ddl() {
            "in one transaction".to_string()
        } else {
            format!(
                "one after another ({} commits each DDL statement on its own)",
                db.dialect().display_name()
            )
        };
        out.progress(&format!(
            "applying {} step{} {how}",
            planned.steps().len(),
            plural(planned.steps().len())
        ));
    }
    let report = with_progress(out.progress, || rt.block_on(db.apply_all()))?;
    let executed: Vec<String> = report.executed.iter().map(|e| e.step.describe()).collect();
    let confirmed: Vec<String> = planned.steps().iter().map(|s| s.describe()).collect();
    if executed != confirmed && !executed.is_empty() {
        out.note(
            "the database changed between planning and applying: the steps executed (below) differ from the plan shown",
        );
    }
    match args.format {
        ReportFormat::Text => out.stdout_text(&report.to_string())?,
        ReportFormat::Json => out.stdout(&json(&report)?)?,
    }
    Ok(if report.blocked.is_empty() {
        Exit::Success
    } else {
        Exit::Blocked
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Asks on stderr, reads one line from stdin: `y` or `yes` confirms.
fn confirm(question: &str) -> Result<bool, Failure> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::new(format!("cannot read the answer from stdin: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn preflight(args: PreflightArgs, out: &Out, rt: &tokio::runtime::Runtime) -> Outcome {
    let db = connect_db(&args.db, &args.policy, false, out, rt)?;
    out.progress("preflight: executing the plan in a transaction that is rolled back");
    let report = with_progress(out.progress, || rt.block_on(db.preflight_all()))?;
    match args.format {
        ReportFormat::Text => out.stdout_text(&report.to_string())?,
        ReportFormat::Json => out.stdout(&json(&report)?)?,
    }
    Ok(if !report.is_ok() {
        Exit::PreflightFailed
    } else if !report.blocked.is_empty() {
        Exit::Blocked
    } else {
        Exit::Success
    })
}

/// The dialect a URL's scheme names, without connecting.
fn dialect_of_url(url: &str) -> Option<&'static dyn Dialect> {
    let scheme = url.split(':').next()?.to_ascii_lowercase();
    crate::dialect::all()
        .into_iter()
        .find(|dialect| dialect.url_schemes().contains(&scheme.as_str()))
}

/// `--dialect a or --dialect b`, for messages asking for the database kind.
fn dialect_choices() -> String {
    crate::dialect::all()
        .map(|dialect| format!("--dialect {}", dialect.name()))
        .join(" or ")
}

/// The target schema a snapshot records: only where the dialect has one (its default
/// when none is given).
fn recorded_schema(dialect: &dyn Dialect, schema: Option<String>) -> Option<String> {
    dialect
        .default_schema()
        .map(|default| schema.unwrap_or_else(|| default.to_string()))
}

fn snapshot(args: SnapshotArgs, out: &Out) -> Outcome {
    let dialect = match (args.dialect, args.url.as_deref()) {
        (Some(dialect), _) => Some(dialect),
        (None, Some(url)) => dialect_of_url(url),
        (None, None) => None,
    };
    let Some(dialect) = dialect else {
        return Err(Failure::new(match args.url {
            Some(url) => format!(
                "cannot tell the database kind from `{}`; pass {}",
                redact_url(&url),
                dialect_choices()
            ),
            None => format!(
                "say which database the snapshot is for: {} (or --url / DATABASE_URL)",
                dialect_choices()
            ),
        }));
    };
    let declared = crate::desired_schema()?;
    // Only a dialect with a target schema records one.
    let target = dialect.default_schema().and(args.schema.clone());
    let file = SnapshotFile::new(SnapshotSource::Declared, dialect.name(), target, declared);
    if let Some(path) = &args.check {
        let committed = read_snapshot(path)?;
        if committed == file {
            out.progress(&format!(
                "{} is up to date with the declared tables",
                path.display()
            ));
            return Ok(Exit::Success);
        }
        out.note(&format!(
            "{} is out of date with the declared tables; regenerate it with `snapshot --dialect {}{} --output {}`",
            path.display(),
            dialect.name(),
            args.schema
                .as_deref()
                .map(|s| format!(" --schema {s}"))
                .unwrap_or_default(),
            path.display()
        ));
        return Ok(Exit::ChangesPending);
    }
    write_output(args.output.as_deref(), &file.to_json(), out)?;
    Ok(Exit::Success)
}

/// Writes to `path`, or to stdout without one.
fn write_output(path: Option<&Path>, text: &str, out: &Out) -> Result<(), Failure> {
    match path {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| Failure::new(format!("cannot write `{}`: {e}", path.display())))?;
            out.progress(&format!("wrote {}", path.display()));
            Ok(())
        }
        None => Ok(out.stdout(text)?),
    }
}

fn read_snapshot(path: &Path) -> Result<SnapshotFile, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(format!(
            "cannot read snapshot file `{}`: {e}",
            path.display()
        ))
    })?;
    SnapshotFile::from_json(&text)
        .map_err(|e| Failure::new(format!("snapshot file `{}`: {e}", path.display())))
}

fn inspect(args: InspectArgs, out: &Out, rt: &tokio::runtime::Runtime) -> Outcome {
    let options = PolicyArgs::default().options_with_schema(args.schema.clone());
    let db = connect(&args.url, &args.connect, false, options, out, rt)?;
    let file = inspect_db(&db, args.schema, rt)?;
    write_output(args.output.as_deref(), &file.to_json(), out)?;
    Ok(Exit::Success)
}

fn inspect_db(
    db: &DbConform,
    schema: Option<String>,
    rt: &tokio::runtime::Runtime,
) -> Result<SnapshotFile, Failure> {
    let reflected = rt.block_on(db.snapshot())?;
    Ok(SnapshotFile::new(
        SnapshotSource::Database,
        db.dialect().name(),
        recorded_schema(db.dialect(), schema),
        reflected,
    ))
}

/// One side of a diff.
struct Side {
    /// What it is, for messages (`the declared tables`, `snapshot file a.json`, a URL).
    what: String,
    source: SnapshotSource,
    dialect: Option<String>,
    target_schema: Option<String>,
    schema: Schema,
}

/// `true` when `text` starts with a URL scheme (`sqlite:`, `postgres://`); a one-letter
/// "scheme" is a Windows drive.
fn looks_like_url(text: &str) -> bool {
    match text.find(':') {
        Some(colon) if colon > 1 => text[..colon]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
        _ => false,
    }
}

fn load_side(
    spec: &str,
    common: &DiffCommon,
    out: &Out,
    rt: &tokio::runtime::Runtime,
) -> Result<Side, Failure> {
    if looks_like_url(spec) {
        let options = common.policy.options();
        let db = connect(spec, &common.connect, false, options, out, rt)?;
        let file = inspect_db(&db, common.policy.schema.clone(), rt)?;
        return Ok(Side {
            what: redact_url(spec),
            source: file.source,
            dialect: Some(file.dialect),
            target_schema: file.target_schema,
            schema: file.schema,
        });
    }
    let (what, text) = if spec == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::new(format!("cannot read a snapshot from stdin: {e}")))?;
        ("the snapshot on stdin".to_string(), text)
    } else {
        let text = std::fs::read_to_string(spec).map_err(|e| {
            Failure::new(format!(
                "cannot read snapshot file `{}`: {e} (a side of diff is a snapshot file or a database URL such as sqlite://app.db)",
                // A mistyped URL (`postgres//user:pw@host/db`) lands here as a file name.
                redact_url(spec)
            ))
        })?;
        (format!("snapshot file `{}`", redact_url(spec)), text)
    };
    let file = SnapshotFile::from_json(&text).map_err(|e| Failure::new(format!("{what}: {e}")))?;
    Ok(Side {
        what,
        source: file.source,
        dialect: Some(file.dialect),
        target_schema: file.target_schema,
        schema: file.schema,
    })
}

/// A declared schema used as the current state: every table (and foreign-key target)
/// without a schema gets the one it would live in, as reflection reports it.
fn as_database(schema: &Schema, dialect: &dyn Dialect, target_schema: &str) -> Schema {
    let effective =
        |s: &Option<String>| Some(dialect.effective_schema(s.as_deref(), target_schema));
    let tables: Vec<TableDef> = schema
        .tables
        .iter()
        .cloned()
        .map(|mut table| {
            table.schema = effective(&table.schema);
            for fk in &mut table.foreign_keys {
                fk.references.schema = effective(&fk.references.schema);
            }
            table
        })
        .collect();
    let mut schemas: Vec<String> = tables.iter().filter_map(|t| t.schema.clone()).collect();
    schemas.push(dialect.effective_schema(None, target_schema));
    schemas.sort();
    schemas.dedup();
    let mut database = Schema::new(tables);
    database.schemas = schemas;
    database
}

fn diff(
    from: &str,
    to: Option<&str>,
    common: DiffCommon,
    out: &Out,
    rt: &tokio::runtime::Runtime,
) -> Outcome {
    let from = load_side(from, &common, out, rt)?;
    let to = match to {
        Some(spec) => load_side(spec, &common, out, rt)?,
        None => Side {
            what: "the declared tables".into(),
            source: SnapshotSource::Declared,
            dialect: None,
            target_schema: None,
            schema: crate::desired_schema()?,
        },
    };
    let dialect_name = match (common.dialect, &from.dialect, &to.dialect) {
        (Some(dialect), _, _) => dialect.name().to_string(),
        (None, Some(a), Some(b)) if a != b => {
            return Err(Failure::new(format!(
                "{} is for {a} and {} for {b}; diff compares two schemas of the same database kind",
                from.what, to.what
            )));
        }
        (None, Some(a), _) | (None, None, Some(a)) => a.clone(),
        (None, None, None) => {
            return Err(Failure::new(format!(
                "neither side says which database kind it is for; pass {}",
                dialect_choices()
            )));
        }
    };
    let Some(dialect) = crate::dialect::by_name(&dialect_name) else {
        return Err(Failure::new(format!("unknown dialect `{dialect_name}`")));
    };
    let target_schema = common
        .policy
        .schema
        .clone()
        .or_else(|| from.target_schema.clone())
        .or_else(|| to.target_schema.clone());
    let options = common.policy.options_with_schema(target_schema);
    let actual = match from.source {
        SnapshotSource::Database => from.schema,
        SnapshotSource::Declared => as_database(&from.schema, dialect, &options.target_schema),
    };
    // A schema read from a database is what that database accepted, not a declaration:
    // it is never refused by the declaration checks.
    let plan = match to.source {
        SnapshotSource::Database => crate::diff_reflected(&to.schema, &actual, dialect, &options)?,
        SnapshotSource::Declared => crate::diff_snapshots(&to.schema, &actual, dialect, &options)?,
    };
    print_plan(&plan, common.format, out)?;
    Ok(plan_exit(&plan))
}

fn wait(args: WaitArgs, out: &Out, rt: &tokio::runtime::Runtime) -> Outcome {
    out.progress(&format!(
        "waiting up to {} for {}",
        human_duration(args.timeout),
        redact_url(&args.url)
    ));
    let options = ConnectOptions {
        // Zero still makes one attempt.
        retry_for: args.timeout,
        create_database_if_missing: args.create_database_if_missing,
        ..ConnectOptions::default()
    };
    let waited = rt.block_on(wait_for_database(&args.url, &options))?;
    out.progress(&format!(
        "{} answered after {} attempt{} ({})",
        redact_url(&args.url),
        waited.attempts,
        plural(waited.attempts as usize),
        human_duration(round_ms(waited.elapsed))
    ));
    Ok(Exit::Success)
}

fn round_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_files_are_told_apart() {
        assert!(looks_like_url("sqlite://app.db"));
        assert!(looks_like_url("sqlite::memory:"));
        assert!(looks_like_url("postgres://u@h/db"));
        assert!(!looks_like_url("schema.json"));
        assert!(!looks_like_url("C:\\snapshots\\a.json"));
        assert!(!looks_like_url("./dir:with/colon.json"));
        assert!(!looks_like_url("-"));
    }

    #[test]
    fn exit_codes_follow_the_plan() {
        assert_eq!(plan_exit(&Plan::default()), Exit::Success);
    }
}
