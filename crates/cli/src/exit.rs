//! The exit-code contract scripts rely on.

use std::process::{ExitCode, Termination};

/// How a `tollgate` command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The request was allowed, or the command succeeded (0).
    Allow,
    /// The request was denied, or a check found problems (1).
    Deny,
    /// Usage, policy, key-file or I/O error (2); a diagnostic went to stderr.
    Error,
}

impl Exit {
    /// The numeric status.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Allow => 0,
            Exit::Deny => 1,
            Exit::Error => 2,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// Prints a diagnostic to stderr with miette's renderer and returns [`Exit::Error`].
///
/// On a terminal the output follows miette's defaults (colours, links); otherwise it is
/// rendered without colour at a fixed width, so logs and tests see stable text.
pub fn report(diagnostic: impl miette::Diagnostic + Send + Sync + 'static) -> Exit {
    use std::io::IsTerminal as _;
    if std::io::stderr().is_terminal() {
        eprintln!("{:?}", miette::Report::new(diagnostic));
    } else {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(100)
                .with_links(false);
        let mut out = String::new();
        match handler.render_report(&mut out, &diagnostic) {
            Ok(()) => eprint!("{out}"),
            Err(_) => eprintln!("{diagnostic}"),
        }
    }
    Exit::Error
}
