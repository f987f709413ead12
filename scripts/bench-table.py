#!/usr/bin/env python3
"""Print the README's benchmark table from the last criterion run.

Run the benches first (they write target/criterion/), then this script:

    cargo bench -p tollgate-benches
    cargo bench -p tollgate-benches --features secp256k1 --bench authorize -- es256k/   # the secp256k1 rows
    python3 scripts/bench-table.py

Every figure is a ratio of medians measured in the same run as its baseline, never a bare time.
"""
import json
import pathlib
import sys

CRITERION = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"

# (what, group, function, baseline function, target, compare)
ROWS = [
    ("ES256K `authorize` vs raw k256 `verify_prehash`", "es256k", "tollgate_authorize", "k256_verify_prehash_baseline", 1.05, "le"),
    ("ES256KADR36 `authorize` vs raw k256 `verify_prehash`", "es256kadr36", "tollgate_authorize", "k256_verify_prehash_baseline", 1.05, "le"),
    ("ES256K `authorize`, `secp256k1` feature, vs raw k256", "es256k_secp256k1", "tollgate_authorize", "k256_verify_prehash_baseline", 0.6, "le"),
    ("HS256 `authorize` (forest.policy) vs jsonwebtoken `decode`", "hs256", "tollgate_authorize_forest", "jsonwebtoken_decode_baseline", 0.6, "le"),
    ("cached re-authorization vs uncached ES256K `authorize`", "cache", "cached_es256k_authorize", "uncached_es256k_authorize_baseline", 0.01, "le"),
    ("token parsing vs serde_json `Value` parse of the payload", "parse", "tollgate_parse_token", "serde_json_payload_baseline", None, None),
    ("Akash claims validation (strict) vs serde_json `Value` parse", "schema", "tollgate_validate_strict", "serde_json_value_baseline", None, None),
    ("Forest claims validation vs serde_json `Value` parse", "schema", "tollgate_validate_forest", "serde_json_value_baseline_filecoin", None, None),
    ("2 threads vs 1 thread, time per ES256K `authorize`", "throughput", "es256k_authorize_2_threads", "es256k_authorize_1_threads", 1 / 1.8, "le"),
    ("HTTP `decide` (route, header, cached authorize) vs cached `authorize` alone", "http_cached", "decide", "authorize (baseline)", None, None),
    ("HTTP `decide`, cache off, vs `authorize` alone (ES256K)", "http_uncached", "decide", "authorize (baseline)", None, None),
    ("chain key from memory vs k256 ES256K verify", "chain", "memory_hit", "k256_verify_prehash_baseline", 100, "abs_ns"),
    ("chain key from the persistent cache after a restart vs k256 ES256K verify", "chain", "persistent_hit_after_restart", "k256_verify_prehash_baseline", 50_000, "abs_ns"),
]


def median_ns(group, function):
    path = CRITERION / group / function / "new" / "estimates.json" if function else CRITERION / group / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def main():
    print("| measurement | ratio (median / baseline median) | target | met |")
    print("|---|---|---|---|")
    missing = []
    for what, group, function, baseline, target, compare in ROWS:
        value, base = median_ns(group, function), median_ns(group, baseline)
        if value is None or base is None:
            missing.append(f"{group}/{function}")
            continue
        ratio = value / base
        if compare == "abs_ns":
            shown = f"1/{base / value:.0f} ({value / 1000:.2f} µs)" if value >= 1000 else f"1/{base / value:.0f} ({value:.1f} ns)"
            goal = f"≤ {target / 1000:.0f} µs" if target >= 1000 else f"≤ {target} ns"
            met = "yes" if value <= target else "**no**"
            print(f"| {what} | {shown} | {goal} | {met} |")
            continue
        if group == "throughput":
            shown, goal = f"{base / value:.2f}× throughput", "≥ 1.8×"
        elif group == "cache":
            shown, goal = f"1/{base / value:.0f}", "≤ 1/100"
        else:
            shown, goal = f"{ratio:.3f}", f"≤ {target}" if target else "—"
        met = "—" if target is None else ("yes" if ratio <= target else "**no**")
        print(f"| {what} | {shown} | {goal} | {met} |")
    for what, function in [
        ("policy decision alone, Akash granular allow", "akash-provider_allow granular lease.logs"),
        ("policy decision alone, Forest allow", "forest_allow Filecoin.WalletNew"),
    ]:
        value = median_ns("policy_decide", function)
        if value is None:
            missing.append(f"policy_decide/{function}")
            continue
        met = "yes" if value <= 50 else "**no**"
        print(f"| {what} (absolute target) | {value:.1f} ns | ≤ 50 ns | {met} |")
    compile_ns = median_ns("policy_compile forest.policy", "")
    if compile_ns is not None:
        print(f"| compile `forest.policy` (absolute) | {compile_ns / 1e6:.2f} ms | — | — |")
    if missing:
        print(f"\nmissing (not run): {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
