//! `policy-check` and `tollgate fmt`: lint and format policy files.
//!
//! Exit codes: 0 clean, 1 problems found (errors, or warnings with `--deny-warnings`; for
//! `fmt --check`, a file not in canonical form), 2 usage or I/O error (or, for `fmt`, a file that
//! does not parse).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tollgate_policy::lint::{render_github, render_human, render_json, render_sarif};
use tollgate_policy::{PolicyDiagnostic, Severity, check, format_source};

/// Output formats of `policy-check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report (unicode, no colour, 100 columns) and a summary line.
    Human,
    /// A versioned JSON envelope.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

/// `policy-check [--format human|json|sarif|github] [--deny-warnings] PATH...`
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "policy-check",
    version,
    about = "Check Tollgate policy files and report every problem"
)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Treat warnings as problems (exit 1).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Policy files, or directories searched recursively for `*.policy`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// An I/O problem with one of the paths given.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read `{path}`: {reason}")]
#[diagnostic(code(policy_check::io))]
pub struct IoError {
    path: String,
    reason: String,
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), IoError> {
    let io = |e: std::io::Error| IoError {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                collect(&entry, out)?;
            } else if entry.extension().is_some_and(|e| e == "policy") {
                out.push(entry);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Expands the paths (directories recursively, `*.policy` only; files as given), sorted within
/// each directory.
///
/// # Errors
/// The first path that cannot be read.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IoError> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files)?;
    }
    Ok(files)
}

/// The result of checking some files, before rendering.
#[derive(Debug)]
pub struct Outcome {
    /// The files checked, as displayed.
    pub files: Vec<String>,
    /// Every diagnostic, file by file, sorted by position within each file.
    pub diagnostics: Vec<PolicyDiagnostic>,
}

/// Checks every policy file under `paths`.
///
/// # Errors
/// A path that cannot be read.
pub fn check_paths(paths: &[PathBuf]) -> Result<Outcome, IoError> {
    let mut outcome = Outcome {
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    for file in policy_files(paths)? {
        let shown = file.display().to_string();
        let source = std::fs::read_to_string(&file).map_err(|e| IoError {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        outcome
            .diagnostics
            .extend(check(&source, &shown).diagnostics);
        outcome.files.push(shown);
    }
    Ok(outcome)
}

/// Renders an outcome in the chosen format.
#[must_use]
pub fn render(format: Format, outcome: &Outcome) -> String {
    let pretty = |v: serde_json::Value| {
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    };
    match format {
        Format::Human => render_human(&outcome.files, &outcome.diagnostics),
        Format::Json => pretty(render_json(&outcome.files, &outcome.diagnostics)),
        Format::Sarif => pretty(render_sarif(&outcome.diagnostics)),
        Format::Github => render_github(&outcome.diagnostics),
    }
}

/// The exit status for an outcome: 1 if any error, or any warning under `--deny-warnings`.
#[must_use]
pub fn status(outcome: &Outcome, deny_warnings: bool) -> u8 {
    let failing = outcome
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error || deny_warnings);
    u8::from(failing)
}

/// Runs `policy-check`, writing the report to `out` and I/O errors to `err`; returns the status.
pub fn run_with(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match check_paths(&args.paths) {
        Ok(outcome) => {
            if out
                .write_all(render(args.format, &outcome).as_bytes())
                .is_err()
            {
                return 2;
            }
            status(&outcome, args.deny_warnings)
        }
        Err(e) => {
            let _ = writeln!(err, "{:?}", miette::Report::new(e));
            2
        }
    }
}

/// Runs `policy-check` on stdout and stderr.
#[must_use]
pub fn run(args: &Args) -> ExitCode {
    let code = run_with(
        args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}

/// Runs `tollgate fmt`: prints each file in canonical form to `out`, or with `check` prints
/// nothing there and names each file that is not in canonical form on `err`. Returns 0, 1 (some
/// file not canonical, with `check`) or 2 (unreadable file or syntax error).
pub fn run_fmt_with(
    check: bool,
    files: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut status = 0;
    for file in files {
        let shown = file.display().to_string();
        let source = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(
                    err,
                    "{:?}",
                    miette::Report::new(IoError {
                        path: shown,
                        reason: e.to_string()
                    })
                );
                return 2;
            }
        };
        match format_source(&source, &shown) {
            Ok(formatted) if check => {
                if formatted != source {
                    let _ = writeln!(
                        err,
                        "{shown}: not in canonical form (run `tollgate fmt {shown}`)"
                    );
                    status = 1;
                }
            }
            Ok(formatted) => {
                if out.write_all(formatted.as_bytes()).is_err() {
                    return 2;
                }
            }
            Err(errors) => {
                let _ = write!(err, "{}", render_human(&[shown], &errors.into_vec()));
                return 2;
            }
        }
    }
    status
}

/// `tollgate fmt [--check] FILE...` on stdout and stderr.
#[must_use]
pub fn run_fmt(check: bool, files: &[PathBuf]) -> ExitCode {
    let code = run_fmt_with(
        check,
        files,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
