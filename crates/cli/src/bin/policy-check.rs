//! `policy-check`: lint Tollgate policy files (see `tollgate_cli::policy_check`).

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    tollgate_cli::policy_check::run(&tollgate_cli::policy_check::Args::parse())
}
