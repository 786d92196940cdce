//! Writing to stdout and stderr: colour, and a closed pipe that is not an error.

use super::args::ColorChoice;
use std::io::{IsTerminal, Write};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";

/// Whether to colour a stream.
pub(crate) fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // https://no-color.org: present and not empty disables colour.
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Where the CLI writes.
pub(crate) struct Out {
    /// Colour stdout.
    pub color: bool,
    /// Colour stderr.
    pub color_err: bool,
    /// Print progress on stderr.
    pub progress: bool,
}

impl Out {
    pub fn new(choice: ColorChoice, quiet: bool) -> Self {
        Out {
            color: use_color(choice, std::io::stdout().is_terminal()),
            color_err: use_color(choice, std::io::stderr().is_terminal()),
            progress: !quiet,
        }
    }

    /// Writes `text` to stdout as is. A closed pipe (`| head`) is not an error.
    pub fn stdout(&self, text: &str) -> Result<(), String> {
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(format!("cannot write to stdout: {e}"))
            }
            _ => Ok(()),
        }
    }

    /// Writes human-readable text (plan, report) to stdout, coloured if enabled.
    pub fn stdout_text(&self, text: &str) -> Result<(), String> {
        if self.color {
            self.stdout(&paint(text))
        } else {
            self.stdout(text)
        }
    }

    /// A progress line on stderr (unless `--quiet`).
    pub fn progress(&self, line: &str) {
        if self.progress {
            eprintln!("{line}");
        }
    }

    /// A note on stderr that is always shown (warnings, what was written where).
    pub fn note(&self, line: &str) {
        if self.color_err {
            eprintln!("{YELLOW}note:{RESET} {line}");
        } else {
            eprintln!("note: {line}");
        }
    }

    /// Human-readable text on stderr (the plan before a confirmation), coloured if enabled.
    pub fn stderr_text(&self, text: &str) {
        if self.color_err {
            eprint!("{}", paint(text));
        } else {
            eprint!("{text}");
        }
    }

    /// The error line on stderr.
    pub fn error(&self, message: &str) {
        if self.color_err {
            eprintln!("{RED}{BOLD}error:{RESET} {message}");
        } else {
            eprintln!("error: {message}");
        }
    }
}

/// Colours plan, report and preflight text: risk tags (`[safe DC002]`, `[caution ...]`,
/// `[danger ...]`) green, yellow and red; section headings bold; failures red.
pub(crate) fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let trimmed = body.trim_start();
        if trimmed.starts_with("Blocked")
            || trimmed.starts_with("FAILED")
            || trimmed.starts_with("Nothing applied")
            || trimmed.starts_with("The database does not conform")
        {
            out.push_str(&format!("{RED}{BOLD}{body}{RESET}"));
        } else if trimmed.starts_with("Kept as drift") {
            out.push_str(&format!("{YELLOW}{BOLD}{body}{RESET}"));
        } else if trimmed.starts_with("Nothing to do") {
            out.push_str(&format!("{GREEN}{body}{RESET}"));
        } else if !body.is_empty() && !body.starts_with(' ') {
            out.push_str(&format!("{BOLD}{}{RESET}", body));
        } else {
            out.push_str(&paint_risk_tags(body));
        }
        out.push_str(newline);
    }
    out
}

/// Colours each `[risk CODE]` tag of a line.
fn paint_risk_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(start) = rest.find('[') {
        let tag = &rest[start..];
        let color = if tag.starts_with("[safe ") {
            Some(GREEN)
        } else if tag.starts_with("[caution ") {
            Some(YELLOW)
        } else if tag.starts_with("[danger ") {
            Some(RED)
        } else {
            None
        };
        match (color, tag.find(']')) {
            (Some(color), Some(end)) => {
                out.push_str(&rest[..start]);
                out.push_str(color);
                out.push_str(&tag[..=end]);
                out.push_str(RESET);
                rest = &tag[end + 1..];
            }
            _ => {
                out.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_tags_and_headings_are_coloured() {
        let text = "Plan (sqlite): 1 to create\n\nmain.users\n    1. [safe DC002] create table main.users\n       [x] stays\n  - [danger DC101] drop\n";
        let painted = paint(text);
        assert!(painted.contains("\x1b[1mPlan (sqlite): 1 to create\x1b[0m\n"));
        assert!(painted.contains("\x1b[32m[safe DC002]\x1b[0m create table"));
        assert!(painted.contains("\x1b[31m[danger DC101]\x1b[0m drop"));
        assert!(painted.contains("       [x] stays\n"));
        let plain: String = painted
            .replace(RESET, "")
            .replace(BOLD, "")
            .replace(GREEN, "")
            .replace(RED, "")
            .replace(YELLOW, "");
        assert_eq!(plain, text);
    }

    #[test]
    fn colour_choice() {
        assert!(use_color(ColorChoice::Always, false));
        assert!(!use_color(ColorChoice::Never, true));
        assert!(!use_color(ColorChoice::Auto, false));
    }
}
