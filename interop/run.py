"""Interop harness: Tollgate against tokens minted by software we did not write, and the reverse.

usage: python run.py --tollgate BIN --work DIR
  DIR holds node/ (node_modules with the pinned npm packages) and py/ (the venv); .ci/interop.sh
  creates both. Run with the venv's python or any python3 >= 3.9 (only the stdlib is used here).

Producer direction: interop/akash/mint.mjs (chain-sdk, cosmjs) and interop/python/mint.py (PyJWT,
cryptography) mint tokens; every case goes through `tollgate authorize --format json` and must
give the expected decision, deny code and exit status.
Consumer direction: `tollgate token mint` mints tokens; interop/akash/verify.mjs (cosmjs,
chain-sdk) and interop/python/verify.py (PyJWT) must verify them, and Tollgate re-signing
chain-sdk's exact payload bytes must give chain-sdk's token byte for byte.

Exit 0 only when every check passed. The last line is "interop: N passed, M failed".
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SELF = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"
MNEMONIC = "fixtures/akash/test-mnemonic.txt"
PRIVATE_KEY = "fixtures/keys/akash-test-private-key.hex"
AKASH_KEYS = "fixtures/keys/akash-test-accounts.yaml"
FILECOIN_SECRET = "fixtures/keys/MF2XI2BNNJ3XILLQOJUXMYLUMU"
POLICIES = {
    "akash": "policies/akash-provider.policy",
    "akash-compat": "policies/akash-provider-compat.policy",
    "forest": "policies/forest.policy",
    "lotus": "policies/lotus.policy",
}
DENY_CODES = {
    "unknown_operation", "token_required", "token_too_large", "token_malformed", "header_invalid",
    "payload_invalid", "duplicate_json_key", "alg_not_allowed", "issuer_missing", "issuer_unknown",
    "key_unavailable", "signature_malformed", "signature_high_s", "signature_invalid",
    "claims_invalid", "token_expired", "token_not_yet_valid", "resource_required",
    "owner_mismatch", "provider_not_granted", "deployment_not_granted", "scope_missing",
    "permission_missing", "access_not_unlocked",
}  # fmt: skip
RESULT_KEYS = {"decision", "code", "reason", "op", "issuer"}


class HarnessError(Exception):
    """A setup problem: the run cannot produce results."""


@dataclass
class Report:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def record(self, section: str, name: str, expected: str, got: str, problem: str | None) -> None:
        self.rows.append((section, "ok" if problem is None else "FAIL", name, expected, got))
        if problem is not None:
            self.failures.append(f"[{section}] {name}: {problem}")

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r[1] == "ok")


def run(cmd: list[str], *, stdin: str | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=REPO, timeout=timeout)


def run_json(cmd: list[str], what: str) -> dict:
    p = run(cmd, timeout=600)
    if p.returncode != 0:
        raise HarnessError(f"{what} failed (exit {p.returncode}):\n{p.stderr.strip()}\n{p.stdout[-2000:]}")
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise HarnessError(f"{what} printed no JSON: {e}\n{p.stdout[:2000]}") from e


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ---------------------------------------------------------------- producer direction


def authorize_cmd(tollgate: str, case: dict) -> list[str]:
    policy = case.get("policy", "akash")
    cmd = [tollgate, "authorize", "--policy", POLICIES[policy], "--op", case["op"]]
    if policy.startswith("akash"):
        cmd += ["--keys", AKASH_KEYS, "--provider", case.get("provider", SELF)]
    else:
        cmd += ["--secret", FILECOIN_SECRET]
    if case.get("resource") is not None:
        cmd += ["--resource", case["resource"]]
    if case.get("owner") is not None:
        cmd += ["--owner", case["owner"]]
    cmd += ["--now", str(case["now"]), "--format", "json", "--token", case["token"]]
    return cmd


def check_authorize(tollgate: str, case: dict) -> tuple[str, str | None]:
    """Returns (what tollgate said, problem or None)."""
    p = run(authorize_cmd(tollgate, case))
    out = p.stdout.strip()
    try:
        obj = json.loads(out)
    except json.JSONDecodeError:
        return f"exit {p.returncode}", f"stdout is not one JSON object: {out[:300]!r}; stderr: {p.stderr.strip()[:500]}"
    if not isinstance(obj, dict):
        return f"exit {p.returncode}", f"stdout is JSON but not an object: {out[:300]!r}"
    got = obj.get("code") or obj.get("decision") or "?"
    problems = []
    if set(obj) != RESULT_KEYS:
        problems.append(f"keys {sorted(obj)} != {sorted(RESULT_KEYS)}")
    expect = case["expect"]
    if expect == "allow":
        if obj.get("decision") != "allow" or obj.get("code") is not None:
            problems.append(f"expected allow, got decision={obj.get('decision')} code={obj.get('code')} reason={obj.get('reason')!r}")
        if p.returncode != 0:
            problems.append(f"allow must exit 0, exited {p.returncode}")
    else:
        if obj.get("decision") != "deny" or obj.get("code") != expect:
            problems.append(f"expected deny {expect}, got decision={obj.get('decision')} code={obj.get('code')} reason={obj.get('reason')!r}")
        if p.returncode != 1:
            problems.append(f"deny must exit 1, exited {p.returncode}")
        if obj.get("code") is not None and obj.get("code") not in DENY_CODES:
            problems.append(f"code {obj.get('code')!r} is not a documented deny code")
        if not obj.get("reason"):
            problems.append("deny without a reason")
    if obj.get("op") != case["op"]:
        problems.append(f"op {obj.get('op')!r} != {case['op']!r}")
    if obj.get("decision") == "allow":
        want_issuer = SELF if case.get("policy", "akash").startswith("akash") else None
        if obj.get("issuer") != want_issuer:
            problems.append(f"issuer {obj.get('issuer')!r} != {want_issuer!r}")
    if p.stdout.count("\n") > 1:
        problems.append("stdout has more than one line")
    return got, ("; ".join(problems) or None)


def producer_direction(args, report: Report) -> None:
    node_dir = args.work / "node"
    for script in ("mint.mjs", "verify.mjs"):
        shutil.copyfile(REPO / "interop/akash" / script, node_dir / script)
    akash = run_json(["node", str(node_dir / "mint.mjs"), str(REPO)], "interop/akash/mint.mjs")
    for k, v in akash["selfcheck"].items():
        report.record("chain-sdk self-check", f"derived {k}", "reproduced", v, None if v == "reproduced" else v)
    py = run_json([args.python, str(REPO / "interop/python/mint.py"), str(REPO)], "interop/python/mint.py")
    sc = py["selfcheck"]
    print(f"PyJWT {sc['pyjwt']} / cryptography {sc['cryptography']}: {sc['es256k_low_s']} low-S and {sc['es256k_high_s']} high-S ES256K signatures")
    for case in akash["cases"] + py["cases"]:
        got, problem = check_authorize(args.tollgate, case)
        report.record(f"authorize {case['producer']}", case["name"], case["expect"], got, problem)
    args.remint = akash["remint"]


# ---------------------------------------------------------------- consumer direction


def mint(tollgate: str, argv: list[str]) -> tuple[str | None, str]:
    p = run([tollgate, "token", "mint", *argv])
    token = p.stdout.strip()
    if p.returncode != 0 or token.count(".") != 2 or "\n" in token:
        return None, f"`tollgate token mint {' '.join(argv)}` exit {p.returncode}: {p.stderr.strip()[:500]} {p.stdout[:200]!r}"
    return token, ""


def consumer_direction(args, report: Report, tmp: Path) -> None:
    tg = args.tollgate
    akash_specs = []
    for alg in ("ES256K", "ES256KADR36"):
        for keyflag, keyfile in (("--mnemonic-file", MNEMONIC), ("--private-key-file", PRIVATE_KEY)):
            k = "mnemonic" if keyflag == "--mnemonic-file" else "privkey"
            base = ["--alg", alg, keyflag, keyfile, "--exp", "15m"]
            akash_specs += [
                (f"{alg}/{k}/full", base + ["--access", "full"], ("lease.shell", "42/1/1")),
                (f"{alg}/{k}/scoped", base + ["--access", "scoped", "--scope", "logs,status"], ("lease.logs", "42/1/1")),
                (
                    f"{alg}/{k}/granular-provider-scoped",
                    base + ["--access", "granular", "--provider", SELF, "--scope", "shell"],
                    ("lease.shell", "42/1/1"),
                ),
                (
                    f"{alg}/{k}/granular-deployment",
                    base + ["--access", "granular", "--provider", SELF, "--deployment", "42/1/1", "--scope", "logs,shell", "--service", "web"],
                    ("lease.logs", "42/1/1"),
                ),
            ]
    akash_tokens = []
    for name, argv, (op, resource) in akash_specs:
        token, err = mint(tg, argv)
        report.record("token mint (akash)", name, "token", "token" if token else "error", None if token else err)
        if token:
            akash_tokens.append({"name": name, "alg": argv[1], "token": token})
            # The minted token is also authorized by Tollgate itself at the real clock.
            case = {"name": name, "op": op, "resource": resource, "now": int(time.time()), "token": token, "expect": "allow"}
            got, problem = check_authorize(tg, case)
            report.record("authorize tollgate-minted", name, "allow", got, problem)

    hs_tokens = []
    for header, exp in (("forest", "1h"), ("lotus", "never")):
        for perm in ("read", "write", "sign", "admin"):
            name = f"HS256/{header}/{perm}/exp-{exp}"
            token, err = mint(tg, ["--alg", "HS256", "--secret", FILECOIN_SECRET, "--perm", perm, "--exp", exp, "--header", header])
            report.record("token mint (filecoin)", name, "token", "token" if token else "error", None if token else err)
            if token:
                hs_tokens.append({"name": name, "alg": "HS256", "perm": perm, "header": header, "exp": exp, "token": token})

    # cosmjs + chain-sdk verify the Akash tokens
    if akash_tokens:
        f = tmp / "akash-tokens.json"
        f.write_text(json.dumps(akash_tokens))
        p = run(["node", str(args.work / "node/verify.mjs"), str(REPO), str(f)], timeout=300)
        record_verifier(report, "verify cosmjs/chain-sdk", p)
    # PyJWT verifies the ES256K and HS256 tokens
    py_tokens = [t for t in akash_tokens if t["alg"] == "ES256K"] + hs_tokens
    if py_tokens:
        f = tmp / "py-tokens.json"
        f.write_text(json.dumps(py_tokens))
        p = run([args.python, str(REPO / "interop/python/verify.py"), str(REPO), str(f)], timeout=300)
        record_verifier(report, "verify PyJWT", p)

    # Tollgate re-signs chain-sdk's exact payload bytes: the tokens must be identical.
    for item in args.remint:
        payload = b64u_decode(item["token"].split(".")[1])
        pf = tmp / f"payload-{item['name'].replace('/', '-')}.json"
        pf.write_bytes(payload)
        for keyflag, keyfile in (("--mnemonic-file", MNEMONIC), ("--private-key-file", PRIVATE_KEY)):
            name = f"{item['name']} ({keyflag})"
            token, err = mint(tg, ["--alg", item["alg"], keyflag, keyfile, "--payload-file", str(pf)])
            if token is None:
                report.record("re-mint = chain-sdk", name, "identical", "error", err)
            elif token != item["token"]:
                report.record("re-mint = chain-sdk", name, "identical", "differs", f"tollgate {token}\n    chain-sdk {item['token']}")
            else:
                report.record("re-mint = chain-sdk", name, "identical", "identical", None)


def record_verifier(report: Report, section: str, p: subprocess.CompletedProcess) -> None:
    try:
        results = json.loads(p.stdout)["results"]
    except (json.JSONDecodeError, KeyError) as e:
        report.record(section, "(verifier run)", "results", "crash", f"{e}: {p.stderr.strip()[:1000]}")
        return
    for r in results:
        bad = {k: v for k, v in r["checks"].items() if not (v is True or (isinstance(v, str) and v.startswith("skipped")))}
        problem = None if r["ok"] else (r.get("error") or f"failed checks: {bad}")
        report.record(section, r["name"], "verified", "verified" if r["ok"] else "rejected", problem)


# ---------------------------------------------------------------- main


def preflight(args) -> None:
    tg = Path(args.tollgate)
    if not tg.is_file() or not os.access(tg, os.X_OK):
        raise HarnessError(f"tollgate binary `{args.tollgate}` does not exist or is not executable (build it with `cargo build -p tollgate-cli`)")
    for sub in (["authorize", "--help"], ["token", "mint", "--help"]):
        p = run([args.tollgate, *sub])
        if p.returncode != 0:
            raise HarnessError(f"`{args.tollgate} {' '.join(sub)}` exited {p.returncode}: {p.stderr.strip()[:500]}")
    for rel in [*POLICIES.values(), AKASH_KEYS, FILECOIN_SECRET, MNEMONIC, PRIVATE_KEY]:
        if not (REPO / rel).is_file():
            raise HarnessError(f"missing `{rel}`")
    if not (args.work / "node/node_modules/@akashnetwork/chain-sdk").is_dir():
        raise HarnessError(f"no chain-sdk under `{args.work}/node/node_modules` (run .ci/interop.sh)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tollgate", default=os.environ.get("TOLLGATE_BIN", "target/debug/tollgate"))
    ap.add_argument("--work", type=Path, default=REPO / ".interop")
    ap.add_argument("--python", default=None, help="python of the venv with PyJWT (default WORK/py/bin/python)")
    ap.add_argument("--quiet", action="store_true", help="print only failing rows")
    args = ap.parse_args()
    args.work = args.work.resolve()
    args.tollgate = str((REPO / args.tollgate).resolve()) if not os.path.isabs(args.tollgate) else args.tollgate
    args.python = args.python or str(args.work / "py/bin/python")
    report = Report()
    try:
        preflight(args)
        with tempfile.TemporaryDirectory(prefix="tollgate-interop-") as tmp:
            producer_direction(args, report)
            consumer_direction(args, report, Path(tmp))
    except HarnessError as e:
        print(f"interop: FAILED: {e}", file=sys.stderr)
        print(f"interop: {report.passed} passed, {len(report.failures) + 1} failed")
        return 1

    width = max((len(r[2]) for r in report.rows), default=10)
    sections: dict[str, list[int]] = {}
    for section, status, name, expected, got in report.rows:
        s = sections.setdefault(section, [0, 0])
        s[0 if status == "ok" else 1] += 1
        if not args.quiet or status != "ok":
            print(f"{status:4} {section:28} {name:{width}}  expected {expected:24} got {got}")
    print()
    for section, (ok, bad) in sections.items():
        print(f"  {section:30} {ok:4} passed {bad:3} failed")
    if report.failures:
        print("\nfailures:")
        for f in report.failures:
            print(f"  {f}")
    print(f"interop: {report.passed} passed, {len(report.failures)} failed")
    return 0 if not report.failures and report.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
