//! `tollgate`: authorize, explain, inspect and mint tokens, format policies.

use clap::{Parser, Subcommand};
use tollgate_cli::authorize::{AuthorizeArgs, run_authorize, run_explain};
use tollgate_cli::exit::Exit;
use tollgate_cli::inspect::{InspectArgs, run_inspect};
use tollgate_cli::keys::{FetchArgs, run_fetch};
use tollgate_cli::mint::{MintArgs, run_mint};
use tollgate_cli::serve::{ServeArgs, run_serve};

/// May this token perform this operation?
#[derive(Parser, Debug)]
#[command(name = "tollgate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decide one request: exit 0 allow, 1 deny, 2 usage or input error.
    Authorize(AuthorizeArgs),
    /// Decide one request and print the trace of every check.
    Explain(AuthorizeArgs),
    /// Inspect or mint tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Issuer public keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Forward-auth service for nginx, ingress-nginx, Traefik and Envoy (`/auth`, `/metrics`).
    Serve(ServeArgs),
    /// Print policy files in canonical form (with `--check`, exit 1 if any is not canonical).
    Fmt(FmtArgs),
}

/// Arguments of `tollgate fmt`.
#[derive(clap::Args, Debug)]
struct FmtArgs {
    /// Do not print; exit 1 and name each file that is not in canonical form.
    #[arg(long)]
    check: bool,
    /// The policy files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<std::path::PathBuf>,
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Fetch issuer keys from chain nodes and write them as a `--keys` file.
    Fetch(FetchArgs),
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Decode a token and report its header, claims problems and time status.
    Inspect(InspectArgs),
    /// Mint an Akash (ES256K, ES256KADR36) or Filecoin (HS256) token.
    Mint(MintArgs),
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let exit = if error.use_stderr() {
                Exit::Error
            } else {
                Exit::Allow
            };
            return std::process::ExitCode::from(exit.code());
        }
    };
    let exit = match &cli.command {
        Command::Authorize(args) => run_authorize(args),
        Command::Explain(args) => run_explain(args),
        Command::Token(TokenCommand::Inspect(args)) => run_inspect(args),
        Command::Token(TokenCommand::Mint(args)) => run_mint(args),
        Command::Keys(KeysCommand::Fetch(args)) => run_fetch(args),
        Command::Serve(args) => run_serve(args),
        Command::Fmt(args) => return tollgate_cli::policy_check::run_fmt(args.check, &args.files),
    };
    std::process::ExitCode::from(exit.code())
}
