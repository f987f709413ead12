//! `load-tokens KEY_HEX COUNT GARBAGE_PERCENT OUT`: writes COUNT distinct tokens, one per line,
//! for the wrk scripts of `benches/load/run.sh`: valid ES256K tokens of the test account (full
//! access, distinct `jti`, valid for a day) and, at a deterministic GARBAGE_PERCENT of the
//! lines, distinct garbage (well-formed base64url segments that do not verify or parse).
//! Signs on every core.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use tollgate_verify::{Secp256k1SigningKey, SigningKey, sign_token};

const ISSUER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

/// Whether line `i` is garbage: a fixed pseudo-random choice (splitmix64).
fn is_garbage(i: u64, percent: u64) -> bool {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    z % 100 < percent
}

fn garbage(i: u64) -> String {
    // Three base64url segments: the header is not JSON, so parsing fails fast; distinct per line.
    format!("Z2FyYmFnZS17{i:016x}.cGF5bG9hZC{i:012x}.c2lnbmF0dXJl{i:020x}")
}

fn token(key: &Secp256k1SigningKey, i: u64, now: u64) -> Result<String, String> {
    let payload = format!(
        r#"{{"iss":"{ISSUER}","iat":{now},"nbf":{now},"exp":{},"jti":"load-{i}","version":"v1","leases":{{"access":"full"}}}}"#,
        now + 86_400
    );
    sign_token(
        br#"{"alg":"ES256K","typ":"JWT"}"#,
        payload.as_bytes(),
        SigningKey::Es256k(key),
    )
    .map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, key, count, percent, out] = args.as_slice() else {
        return Err("usage: load-tokens KEY_HEX_FILE COUNT GARBAGE_PERCENT OUT".to_owned());
    };
    let key_hex = std::fs::read_to_string(key).map_err(|e| format!("{key}: {e}"))?;
    let key = Secp256k1SigningKey::from_hex(key_hex.trim()).map_err(|e| e.to_string())?;
    let count: u64 = count.parse().map_err(|_| format!("bad COUNT `{count}`"))?;
    let percent: u64 = percent
        .parse()
        .map_err(|_| format!("bad GARBAGE_PERCENT `{percent}`"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs()
        - 60;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get() as u64);
    let chunk = count.div_ceil(threads);
    let parts: Vec<Result<Vec<String>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let key = &key;
                scope.spawn(move || {
                    let start = t * chunk;
                    let end = ((t + 1) * chunk).min(count);
                    (start..end)
                        .map(|i| {
                            if is_garbage(i, percent) {
                                Ok(garbage(i))
                            } else {
                                token(key, i, now)
                            }
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a signing thread failed".to_owned())?)
            .collect()
    });
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut writer = std::io::BufWriter::new(file);
    for part in parts {
        for line in part? {
            writeln!(writer, "{line}").map_err(|e| e.to_string())?;
        }
    }
    writer.flush().map_err(|e| e.to_string())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("load-tokens: {error}");
            std::process::ExitCode::from(2)
        }
    }
}
