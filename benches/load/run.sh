#!/usr/bin/env bash
# Load and fault test of `tollgate serve` (issue #8, item 4). NOT part of .ci/run (minutes long).
#
# usage: bash benches/load/run.sh            (from anywhere; needs cargo, installs wrk if missing)
# env:   DURATION (default 10s per throughput run), CONNECTIONS (64), THREADS (2 wrk threads),
#        MIXED_COUNT (1000000 tokens for the fault run), OUT (default target/load)
#
# Builds `tollgate` in release with the libsecp256k1 backend, starts `tollgate serve --proxy
# nginx` (direct requests, no nginx in the loop) and the trivial axum handler
# (benches/src/bin/load-upstream.rs), and drives both with wrk in the same run:
#   trivial  the trivial handler, same requests            -> the throughput baseline
#   (a)      one token repeated                            -> target >= 0.7 x trivial
#   (b)      100k distinct valid tokens                    -> target >= 0.9 x 2 / k256 verify time
#   (c)      1M distinct tokens, 30 % garbage, sent once   -> no 5xx, only decision lines logged,
#                                                             RSS <= cache byte bound + 32 MiB
# Prints a table of ratios and writes it to $OUT/results.md.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
out="${OUT:-$repo/target/load}"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
mixed_count="${MIXED_COUNT:-1000000}"
cache_bytes=$((32 * 1024 * 1024))
mkdir -p "$out"

if ! command -v wrk >/dev/null; then
  echo "load: installing wrk (Debian package)"
  apt-get update -qq && apt-get install -y --no-install-recommends wrk >/dev/null
fi

echo "load: building release binaries (tollgate with --features secp256k1, bench helpers)"
cargo build -q --release --locked -p tollgate-cli --features secp256k1 --bin tollgate
cargo build -q --release --locked -p tollgate-benches --bin load-upstream --bin load-tokens --bin k256-verify
bin="$repo/target/release"

key="$repo/fixtures/keys/akash-test-private-key.hex"
echo "load: minting tokens"
"$bin/load-tokens" "$key" 1 0 "$out/one.txt"
"$bin/load-tokens" "$key" 100000 0 "$out/distinct.txt"
"$bin/load-tokens" "$key" "$mixed_count" 30 "$out/mixed.txt"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

upstream_port=$(free_port)
"$bin/load-upstream" "$upstream_port" & pids+=($!)
serve_port=$(free_port)
"$bin/tollgate" serve --proxy nginx --listen "127.0.0.1:$serve_port" \
  --policy policies/akash-provider.policy --keys fixtures/keys/akash-test-accounts.yaml \
  --provider akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh \
  --cache-bytes "$cache_bytes" --max-concurrency 4096 2>"$out/serve.log" & pids+=($!)
serve_pid=$!
wait_port "$upstream_port"
wait_port "$serve_port"

run() { # name port tokens [once-duration]
  local name=$1 port=$2 tokens=$3 once=0 d="$duration"
  if [ -n "${4:-}" ]; then once=1; d="$4"; fi
  TOKENS="$tokens" THREADS="$threads" ONCE="$once" \
    wrk -t"$threads" -c"$connections" -d"$d" -s benches/load/tokens.lua "http://127.0.0.1:$port" \
    | tail -n 1 | tee "$out/$name.json"
}

echo "load: raw k256 verification (one core)"
verify_ns=$("$bin/k256-verify" 3000)
echo "load: trivial handler";        run trivial "$upstream_port" "$out/one.txt"
echo "load: (a) one token";           run a "$serve_port" "$out/one.txt"
echo "load: (b) 100k distinct tokens"; run b "$serve_port" "$out/distinct.txt"
log_lines_before=$(wc -l <"$out/serve.log")
# (c) sends each token once: wrk threads stop at the end of their share, but wrk's main thread
# waits for the full duration, so size it from (b)'s throughput (garbage is cheaper than (b)).
c_seconds=$(python3 -c "import json,math; print(math.ceil($mixed_count / (0.6 * json.load(open('$out/b.json'))['rps'])) + 5)")
echo "load: (c) $mixed_count distinct tokens, 30 % garbage, each sent once (<= ${c_seconds}s)"
run c "$serve_port" "$out/mixed.txt" "${c_seconds}s"
rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$serve_pid/status")
tail -n +"$((log_lines_before + 1))" "$out/serve.log" >"$out/serve-c.log"

python3 - "$out" "$verify_ns" "$rss_kib" "$cache_bytes" "$mixed_count" <<'PY'
import json, sys
out, verify_ns, rss_kib, cache_bytes, mixed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
r = {k: json.load(open(f"{out}/{k}.json")) for k in ["trivial", "a", "b", "c"]}
ceiling = 2 * 1e9 / verify_ns
log = open(f"{out}/serve-c.log").read().splitlines()
other = [l for l in log if '"tollgate::decision"' not in l]
decisions = len(log) - len(other)
bound_kib = cache_bytes // 1024 + 32 * 1024
rows = [
    ("(a) one token / trivial handler, throughput", r["a"]["rps"] / r["trivial"]["rps"], ">= 0.7"),
    ("(a) one token / trivial handler, p99 latency", r["a"]["p99_us"] / max(r["trivial"]["p99_us"], 1), "(lower is better)"),
    ("(b) 100k distinct / 2-core k256 ceiling (2 / verify), throughput", r["b"]["rps"] / ceiling, ">= 0.9"),
    ("(b) 100k distinct / trivial handler, p99 latency", r["b"]["p99_us"] / max(r["trivial"]["p99_us"], 1), "(lower is better)"),
    (f"(c) RSS after {mixed:,} distinct tokens / (cache bound + 32 MiB)", rss_kib / bound_kib, "<= 1.0"),
]
lines = ["| run | ratio | target |", "|---|---:|---|"]
lines += [f"| {name} | {ratio:.2f} | {target} |" for name, ratio, target in rows]
lines += [
    "",
    f"(c) answers: {r['c']['requests']} for {mixed} tokens; 5xx answers: {r['c']['fivexx']}; socket errors: {r['c']['socket_errors']}; "
    f"log lines that are not decisions: {len(other)} (of {len(log)}; {decisions} decision lines for {r['c']['requests']} requests)",
    f"baselines in this run: trivial handler {r['trivial']['rps']:.0f} req/s, p99 {r['trivial']['p99_us']} us; "
    f"k256 verify {verify_ns:.0f} ns (ceiling {ceiling:.0f} req/s); RSS {rss_kib} KiB",
]
text = "\n".join(lines)
print(text)
open(f"{out}/results.md", "w").write(text + "\n")
ok = r["c"]["fivexx"] == 0 and not other and rss_kib <= bound_kib
sys.exit(0 if ok else 1)
PY
