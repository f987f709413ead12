//! `tollgate authorize` and `tollgate explain`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use tollgate::{Authorizer, Decision, Operation, parse_resource};

use crate::exit::{Exit, report};
use crate::inputs::{
    AuthorizerError, KeyArgs, build_authorizer, key_resolver, load_policy, load_secret, load_token,
};

/// Output format of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DecisionFormat {
    /// One line for a person.
    Human,
    /// Exactly one JSON object on stdout.
    Json,
}

/// The arguments `authorize` and `explain` share.
#[derive(Args, Debug)]
pub struct AuthorizeArgs {
    /// The policy file.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// The operation name, as declared by the policy (e.g. `lease.logs`, `Filecoin.ChainHead`).
    #[arg(long, value_name = "NAME")]
    pub op: String,
    /// The resource: a deployment `DSEQ` or a lease `DSEQ/GSEQ/OSEQ`.
    #[arg(long, value_name = "DSEQ[/GSEQ/OSEQ]")]
    pub resource: Option<String>,
    /// This provider's own `akash1…` address (granular tokens must name it).
    #[arg(long, value_name = "AKASH_ADDR")]
    pub provider: Option<String>,
    /// The resource owner's `akash1…` address, when known (must equal the token's `iss`).
    #[arg(long, value_name = "AKASH_ADDR")]
    pub owner: Option<String>,
    /// Keys, node secret and clock.
    #[command(flatten)]
    pub key_args: KeyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DecisionFormat,
    /// The token (compact JWS). Without `--token` or `--token-file` the request is anonymous.
    #[arg(long, value_name = "JWT", conflicts_with = "token_file")]
    pub token: Option<String>,
    /// Read the token from a file, or `-` for stdin.
    #[arg(long, value_name = "PATH|-")]
    pub token_file: Option<PathBuf>,
}

/// The JSON form of a decision: the stable contract of `--format json`.
#[derive(serde::Serialize)]
struct DecisionJson<'a> {
    decision: &'static str,
    code: Option<&'static str>,
    reason: &'a str,
    op: &'a str,
    issuer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<Vec<StepJson<'a>>>,
}

/// One trace step in `explain --format json`.
#[derive(serde::Serialize)]
struct StepJson<'a> {
    check: &'static str,
    outcome: &'static str,
    detail: &'a str,
}

/// Runs `tollgate authorize`.
pub fn run_authorize(args: &AuthorizeArgs) -> Exit {
    run(args, false)
}

/// Runs `tollgate explain`: the same decision, preceded by the trace of every check.
pub fn run_explain(args: &AuthorizeArgs) -> Exit {
    run(args, true)
}

fn run(args: &AuthorizeArgs, explain: bool) -> Exit {
    let prepared = match prepare(args) {
        Ok(prepared) => prepared,
        Err(error) => return report(error),
    };
    let (authorizer, token) = prepared;
    let resource = match args.resource.as_deref().map(parse_resource).transpose() {
        Ok(resource) => resource,
        Err(error) => return report(error),
    };
    let mut op = Operation::new(&args.op);
    if let Some(resource) = resource {
        op = op.with_resource(resource);
    }
    if let Some(owner) = args.owner.as_deref() {
        op = op.with_owner(owner);
    }
    let (decision, trace) = if explain {
        let (decision, trace) = authorizer.explain(token.as_deref(), &op);
        (decision, Some(trace))
    } else {
        (authorizer.authorize(token.as_deref(), &op), None)
    };
    print_decision(&decision, &args.op, args.format, trace.as_ref());
    if decision.is_allow() {
        Exit::Allow
    } else {
        Exit::Deny
    }
}

fn prepare(args: &AuthorizeArgs) -> Result<(Authorizer, Option<String>), AuthorizerError> {
    let policy = load_policy(&args.policy)?;
    let keys = key_resolver(&args.key_args)?;
    let secret = args
        .key_args
        .secret
        .as_deref()
        .map(load_secret)
        .transpose()?;
    let authorizer = build_authorizer(
        policy,
        keys,
        secret,
        args.provider.as_deref(),
        args.key_args.now,
        None,
    )?;
    let token = load_token(args.token.as_deref(), args.token_file.as_deref())?;
    Ok((authorizer, token))
}

fn print_decision(
    decision: &Decision,
    op: &str,
    format: DecisionFormat,
    trace: Option<&tollgate::Trace>,
) {
    match format {
        DecisionFormat::Json => {
            let json = DecisionJson {
                decision: if decision.is_allow() { "allow" } else { "deny" },
                code: decision.code().map(|code| code.as_str()),
                reason: decision.reason(),
                op,
                issuer: decision.issuer(),
                trace: trace.map(|trace| {
                    trace
                        .steps()
                        .iter()
                        .map(|step| StepJson {
                            check: step.check.as_str(),
                            outcome: match step.outcome {
                                tollgate::StepOutcome::Passed => "passed",
                                tollgate::StepOutcome::Failed => "failed",
                                tollgate::StepOutcome::Skipped => "skipped",
                            },
                            detail: &step.detail,
                        })
                        .collect()
                }),
            };
            match serde_json::to_string(&json) {
                Ok(line) => println!("{line}"),
                Err(error) => eprintln!("cannot serialise the decision: {error}"),
            }
        }
        DecisionFormat::Human => {
            if let Some(trace) = trace {
                print!("{trace}");
            }
            match decision {
                Decision::Allow {
                    issuer: Some(issuer),
                    ..
                } => println!("allow `{op}` for `{issuer}`"),
                Decision::Allow { issuer: None, .. } => println!("allow `{op}`"),
                Decision::Deny(denial) => {
                    println!("deny `{op}` [{}]: {}", denial.code, denial.reason)
                }
            }
        }
    }
}
