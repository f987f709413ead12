//! `tollgate token inspect`: decode a token and say what is wrong with it, without trusting it.

use clap::Args;
use tollgate::schema::{
    AkashBehaviour, AkashValidator, ClaimErrors, FilecoinBehaviour, FilecoinValidator,
};
use tollgate::verify::{Algorithm, KeyFamily, Limits, UnverifiedToken, VerificationKey, Verifier};

use crate::exit::{Exit, report};
use crate::inputs::{KeyArgs, key_resolver, load_secret, read_text};

/// Arguments of `tollgate token inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The token, or `-` (the default) to read it from stdin.
    #[arg(value_name = "TOKEN|-", default_value = "-")]
    pub token: String,
    /// Keys or node secret to check the signature with, and the clock to judge times by.
    #[command(flatten)]
    pub key_args: KeyArgs,
}

/// Runs `tollgate token inspect`. Exit 0 when the token decodes and has no claim problems
/// under the strict rules, 1 otherwise, 2 on input errors.
pub fn run_inspect(args: &InspectArgs) -> Exit {
    let text = if args.token == "-" {
        match read_text(std::path::Path::new("-")) {
            Ok(text) => text,
            Err(error) => return report(error),
        }
    } else {
        args.token.clone()
    };
    let now = args
        .key_args
        .now
        .unwrap_or_else(|| tollgate::Clock::now(&tollgate::SystemClock));
    let token = match UnverifiedToken::parse(text.trim(), &Limits::default()) {
        Ok(token) => token,
        Err(error) => {
            println!("token      does not decode: {error}");
            return Exit::Deny;
        }
    };
    let header = token.header();
    println!("header     {}", header.json());
    let payload: serde_json::Value =
        serde_json::from_slice(token.payload()).unwrap_or(serde_json::Value::Null);
    let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
    println!("payload    {}", pretty.replace('\n', "\n           "));
    let mut clean = true;
    let alg = Algorithm::from_name(token.alg());
    match alg.map(Algorithm::family) {
        Some(KeyFamily::Secp256k1) => {
            clean &= print_akash_claims(token.payload());
            print_times(&payload, now, &["nbf", "exp"]);
        }
        Some(KeyFamily::Hmac) => {
            clean &= print_filecoin_claims(token.payload());
            print_times(&payload, now, &["exp"]);
        }
        None => {
            println!("algorithm  `{}` is not one Tollgate verifies", token.alg());
            clean = false;
        }
    }
    match check_signature(args, token, alg) {
        Ok(line) => println!("signature  {line}"),
        Err(exit) => return exit,
    }
    if clean { Exit::Allow } else { Exit::Deny }
}

fn print_akash_claims(payload: &[u8]) -> bool {
    let mut clean = true;
    for (name, behaviour) in [
        ("strict", AkashBehaviour::Strict),
        ("upstream-compatible", AkashBehaviour::UpstreamCompatible),
    ] {
        match AkashValidator::new(behaviour) {
            Ok(validator) => match validator.validate(payload) {
                Ok(_) => println!("claims     {name}: no problems"),
                Err(errors) => {
                    clean &= behaviour != AkashBehaviour::Strict;
                    print_claim_errors(name, &errors);
                }
            },
            Err(error) => println!("claims     {name}: cannot validate: {error}"),
        }
    }
    clean
}

fn print_filecoin_claims(payload: &[u8]) -> bool {
    let mut clean = true;
    for (name, behaviour) in [
        ("forest", FilecoinBehaviour::Forest),
        ("lotus", FilecoinBehaviour::Lotus),
    ] {
        match FilecoinValidator::new(behaviour) {
            Ok(validator) => match validator.validate(payload) {
                Ok(claims) => println!("claims     {name}: no problems; allows {:?}", claims.allow),
                Err(errors) => {
                    clean = false;
                    print_claim_errors(name, &errors);
                }
            },
            Err(error) => println!("claims     {name}: cannot validate: {error}"),
        }
    }
    clean
}

fn print_claim_errors(name: &str, errors: &ClaimErrors) {
    println!("claims     {name}: {} problem(s)", errors.len());
    for error in errors.iter() {
        let help = error
            .help
            .as_deref()
            .map(|help| format!(" (help: {help})"))
            .unwrap_or_default();
        println!(
            "           - `{}`: {} [{}]{help}",
            error.pointer,
            error.message,
            error.code.as_str()
        );
    }
}

fn print_times(payload: &serde_json::Value, now: i64, fields: &[&str]) {
    for field in fields {
        let Some(value) = payload.get(field).and_then(serde_json::Value::as_i64) else {
            println!("time       `{field}` absent or not an integer");
            continue;
        };
        let delta = value.saturating_sub(now);
        let relation = match (*field, delta) {
            ("exp", d) if d <= 0 => format!("expired {}s ago", d.unsigned_abs()),
            ("exp", d) => format!("expires in {d}s"),
            (_, d) if d > 0 => format!("not valid for another {d}s"),
            (_, d) => format!("valid since {}s", d.unsigned_abs()),
        };
        println!("time       {field} {value}: {relation} (now {now})");
    }
}

fn check_signature(
    args: &InspectArgs,
    token: UnverifiedToken<'_>,
    alg: Option<Algorithm>,
) -> Result<String, Exit> {
    let Some(alg) = alg else {
        return Ok("not checked (unknown algorithm)".to_owned());
    };
    let family_algs: &[Algorithm] = match alg.family() {
        KeyFamily::Secp256k1 => &[Algorithm::Es256k, Algorithm::Es256kAdr36],
        KeyFamily::Hmac => &[Algorithm::Hs256],
    };
    let verifier = Verifier::new(family_algs).map_err(report)?;
    match alg.family() {
        KeyFamily::Secp256k1 => {
            let Some(keys) = key_resolver(&args.key_args).map_err(report)? else {
                return Ok(
                    "not checked: pass `--keys FILE` to verify (the token is UNVERIFIED)"
                        .to_owned(),
                );
            };
            let Some(issuer) = token.issuer().map(str::to_owned) else {
                return Ok("not checked: the token has no `iss`".to_owned());
            };
            let key = match keys.resolve(&issuer) {
                Ok(key) => key,
                Err(tollgate::verify::ResolveError::UnknownIssuer { .. })
                    if args.key_args.chain.chain_nodes.is_empty() =>
                {
                    return Ok(format!(
                        "not checked: no key for `{issuer}` in the key files"
                    ));
                }
                Err(error) => return Ok(format!("not checked: {error}")),
            };
            Ok(
                match verifier.verify(token, VerificationKey::Secp256k1(&key.key)) {
                    Ok(_) => format!("valid `{}` signature by `{issuer}`", alg.name()),
                    Err(error) => format!("INVALID: {error}"),
                },
            )
        }
        KeyFamily::Hmac => {
            let Some(path) = &args.key_args.secret else {
                return Ok(
                    "not checked: pass `--secret FILE` to verify (the token is UNVERIFIED)"
                        .to_owned(),
                );
            };
            let secret = load_secret(path).map_err(report)?;
            Ok(
                match verifier.verify(token, VerificationKey::Hmac(&secret)) {
                    Ok(_) => "valid `HS256` signature with the node secret".to_owned(),
                    Err(error) => format!("INVALID: {error}"),
                },
            )
        }
    }
}
