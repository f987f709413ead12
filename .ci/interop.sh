#!/usr/bin/env bash
# Interop suite: Tollgate against tokens minted by software we did not write (npm
# @akashnetwork/chain-sdk + cosmjs, PyJWT + cryptography), and the reverse direction.
#
# usage: bash .ci/interop.sh [TOLLGATE_BIN]     (default: $TOLLGATE_BIN or target/debug/tollgate)
# env:   INTEROP_DIR  throwaway install folder (default: <repo>/.interop, gitignored)
#
# Every install failure is fatal and names the registry: this suite never passes silently.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-${TOLLGATE_BIN:-target/debug/tollgate}}"
work="${INTEROP_DIR:-$repo/.interop}"

# Pinned versions (see interop/README.md). The cosmjs pins are the versions
# @akashnetwork/chain-sdk@1.0.0-alpha.25 itself depends on (~0.36.1, resolved 0.36.2).
CHAIN_SDK="@akashnetwork/chain-sdk@1.0.0-alpha.25"
COSMJS_VERSION="0.36.2"
PYJWT_VERSION="2.15.1"
CRYPTOGRAPHY_VERSION="50.0.2"

fail() {
  echo "interop: FAILED: $*" >&2
  echo "interop: 0 passed, 1 failed"
  exit 1
}

command -v node >/dev/null || fail "node is not installed (Node >= 20 is needed for the npm producers)"
command -v npm >/dev/null || fail "npm is not installed"
command -v python3 >/dev/null || fail "python3 is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old; Node >= 20 is needed"

case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
[ -x "$bin" ] || fail "tollgate binary '$bin' not found or not executable (build it with: cargo build -p tollgate-cli)"

mkdir -p "$work/node"

# --- npm: chain-sdk and cosmjs --------------------------------------------------------------
echo "interop: installing $CHAIN_SDK and @cosmjs/{amino,crypto,encoding}@$COSMJS_VERSION into $work/node"
printf '{"private":true,"description":"tollgate interop (throwaway, created by .ci/interop.sh)"}\n' >"$work/node/package.json"
rm -f "$work/node/package-lock.json"
if ! (cd "$work/node" && npm install --no-audit --no-fund --save-exact --loglevel=error \
  "$CHAIN_SDK" \
  "@cosmjs/amino@$COSMJS_VERSION" "@cosmjs/crypto@$COSMJS_VERSION" "@cosmjs/encoding@$COSMJS_VERSION" \
  >"$work/npm-install.log" 2>&1); then
  tail -n 20 "$work/npm-install.log" >&2 || true
  fail "npm install failed: could not install from the npm registry ($(npm config get registry 2>/dev/null || echo 'registry unknown'))"
fi
# chain-sdk must resolve to the same cosmjs we pinned (one copy, no nested older/newer one).
nested="$(cd "$work/node" && find node_modules -mindepth 3 -path '*/node_modules/@cosmjs/*' -name package.json -maxdepth 5 2>/dev/null | head -n 5)"
[ -z "$nested" ] || fail "cosmjs is installed twice; the pin $COSMJS_VERSION no longer matches chain-sdk's dependency: $nested"

# --- PyPI: PyJWT and cryptography -----------------------------------------------------------
echo "interop: installing PyJWT[crypto]==$PYJWT_VERSION cryptography==$CRYPTOGRAPHY_VERSION into $work/py"
if [ ! -x "$work/py/bin/python" ]; then
  python3 -m venv "$work/py" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi
if ! "$work/py/bin/python" -m pip install --disable-pip-version-check --quiet \
  "PyJWT[crypto]==$PYJWT_VERSION" "cryptography==$CRYPTOGRAPHY_VERSION" >"$work/pip-install.log" 2>&1; then
  tail -n 20 "$work/pip-install.log" >&2 || true
  index="${PIP_INDEX_URL:-$("$work/py/bin/python" -m pip config get global.index-url 2>/dev/null || echo 'default index')}"
  fail "pip install failed: could not install from PyPI ($index)"
fi

# --- run -------------------------------------------------------------------------------------
echo "interop: node $(node --version), python $("$work/py/bin/python" -c 'import sys; print(sys.version.split()[0])'), tollgate $bin"
exec "$work/py/bin/python" "$repo/interop/run.py" --tollgate "$bin" --work "$work"
