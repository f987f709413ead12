"""Producer: tokens minted by PyJWT + cryptography, never by Tollgate.

usage: python mint.py REPO_ROOT
stdout: one JSON object {"selfcheck": {...}, "cases": [...]} where every case is
{name, producer, family, policy, alg, token, op, resource?, provider?, now, expect}.

- ES256K (Akash): `jwt.encode(..., algorithm="ES256K")` signs with a random nonce and does not
  normalise S, so about half of the signatures are high-S. Akash (and Tollgate) reject those; the
  expectation of each token is computed from its own signature.
- HS256 (Filecoin): Forest-style header `{"typ","alg"}` (PyJWT with sort_headers=False writes
  exactly jsonwebtoken's order) and Lotus-style `{"alg","typ"}` (PyJWT's default, sorted).
"""

import base64
import warnings
import json
import sys
from pathlib import Path

import cryptography
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

NOW = 1900000000
SELF = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"
# HS512 with a 32-byte key is only used to build an alg_not_allowed case
warnings.filterwarnings("ignore", message="The HMAC key is")

# secp256k1 group order
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ES256K_COUNT = 40


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def akash_cases(repo: Path) -> tuple[list[dict], dict]:
    priv_hex = (repo / "fixtures/keys/akash-test-private-key.hex").read_text().strip()
    key = ec.derive_private_key(int(priv_hex, 16), ec.SECP256K1())
    cases = []
    high = low = 0
    scopes = [["logs"], ["logs", "shell"], ["status", "logs", "events"]]
    for i in range(ES256K_COUNT):
        if i % 2 == 0:
            leases = {"access": "full"}
        else:
            leases = {"access": "scoped", "scope": scopes[i % len(scopes)]}
        payload = {
            "iss": SELF,
            "iat": NOW - 60,
            "nbf": NOW - 60,
            "exp": NOW + 900,
            "jti": f"pyjwt-{i}",
            "version": "v1",
            "leases": leases,
        }
        token = jwt.encode(payload, key, algorithm="ES256K")
        header = json.loads(b64u_decode(token.split(".")[0]))
        if header.get("alg") != "ES256K":
            raise SystemExit(f"PyJWT wrote an unexpected header {header}")
        sig = b64u_decode(token.split(".")[2])
        if len(sig) != 64:
            raise SystemExit(f"PyJWT ES256K signature is {len(sig)} bytes, expected 64 (r||s)")
        s = int.from_bytes(sig[32:], "big")
        is_high = s > N // 2
        if is_high:
            high += 1
        else:
            low += 1
        cases.append(
            {
                "name": f"pyjwt-es256k/{i:02}-{'high' if is_high else 'low'}-s",
                "producer": "PyJWT",
                "family": "akash",
                "policy": "akash",
                "alg": "ES256K",
                "token": token,
                "op": "lease.logs",
                "resource": "42/1/1",
                "provider": SELF,
                "now": NOW,
                "expect": "signature_high_s" if is_high else "allow",
            }
        )
    if high == 0 or low == 0:
        raise SystemExit(f"expected both high-S and low-S signatures, got high={high} low={low}")
    return cases, {"es256k_high_s": high, "es256k_low_s": low}


def filecoin_cases(repo: Path) -> list[dict]:
    secret = base64.b64decode((repo / "fixtures/keys/filecoin-secret.base64").read_text().strip())
    if secret != bytes(range(32)):
        raise SystemExit("fixtures/keys/filecoin-secret.base64 is not the test key 000102..1f")
    wrong = bytes(range(1, 33))
    cases = []

    def tok(payload: dict, style: str, key: bytes = secret, alg: str = "HS256") -> str:
        # Forest: jsonwebtoken Header::default() -> {"typ":"JWT","alg":"HS256"}; PyJWT builds
        # {"typ", "alg"} and keeps that order with sort_headers=False.
        # Lotus: gbrlsnchs -> {"alg":"HS256","typ":"JWT"}; PyJWT's default sorts the keys.
        token = jwt.encode(payload, key, algorithm=alg, sort_headers=(style == "lotus"))
        raw = b64u_decode(token.split(".")[0]).decode()
        want = {
            "forest": '{"typ":"JWT","alg":"%s"}' % alg,
            "lotus": '{"alg":"%s","typ":"JWT"}' % alg,
        }[style]
        if raw != want:
            raise SystemExit(f"PyJWT header {raw} is not the {style} header {want}")
        return token

    def add(name, policy, token, op, expect):
        cases.append(
            {
                "name": name,
                "producer": "PyJWT",
                "family": "filecoin",
                "policy": policy,
                "alg": "HS256",
                "token": token,
                "op": op,
                "now": NOW,
                "expect": expect,
            }
        )

    exp = NOW + 3600
    read = {"Allow": ["read"], "exp": exp}
    rw = {"Allow": ["read", "write"], "exp": exp}
    admin_only = {"Allow": ["admin"], "exp": exp}
    all4 = {"Allow": ["read", "write", "sign", "admin"], "exp": exp}

    # Forest policy (jsonwebtoken defaults: exp required, 60 s leeway, aud rejected)
    f = "forest"
    add("forest/read/ChainHead", f, tok(read, "forest"), "Filecoin.ChainHead", "allow")
    add("forest/read/WalletNew", f, tok(read, "forest"), "Filecoin.WalletNew", "permission_missing")
    add("forest/read-write/WalletNew", f, tok(rw, "forest"), "Filecoin.WalletNew", "allow")
    add("forest/read-write/WalletSign", f, tok(rw, "forest"), "Filecoin.WalletSign", "permission_missing")
    add("forest/all/AuthNew", f, tok(all4, "forest"), "Filecoin.AuthNew", "allow")
    add("forest/admin-only/ChainHead", f, tok(admin_only, "forest"), "Filecoin.ChainHead", "permission_missing")
    add("forest/empty-allow/ChainHead", f, tok({"Allow": [], "exp": exp}, "forest"), "Filecoin.ChainHead", "permission_missing")
    add("forest/no-exp", f, tok({"Allow": ["read"]}, "forest"), "Filecoin.ChainHead", "claims_invalid")
    add("forest/exp-null", f, tok({"Allow": ["read"], "exp": None}, "forest"), "Filecoin.ChainHead", "claims_invalid")
    add("forest/lotus-token-no-exp", f, tok({"Allow": ["read"]}, "lotus"), "Filecoin.ChainHead", "claims_invalid")
    add("forest/expired-within-leeway", f, tok({"Allow": ["read"], "exp": NOW - 30}, "forest"), "Filecoin.ChainHead", "allow")
    # jsonwebtoken: ExpiredSignature iff exp < now - leeway, so exp == now - 60 is still accepted
    add("forest/exp-at-leeway-edge", f, tok({"Allow": ["read"], "exp": NOW - 60}, "forest"), "Filecoin.ChainHead", "allow")
    add("forest/exp-past-leeway-edge", f, tok({"Allow": ["read"], "exp": NOW - 61}, "forest"), "Filecoin.ChainHead", "token_expired")
    add("forest/expired-beyond-leeway", f, tok({"Allow": ["read"], "exp": NOW - 120}, "forest"), "Filecoin.ChainHead", "token_expired")
    add("forest/aud", f, tok({"Allow": ["read"], "exp": exp, "aud": "x"}, "forest"), "Filecoin.ChainHead", "claims_invalid")
    add("forest/allow-missing", f, tok({"exp": exp}, "forest"), "Filecoin.ChainHead", "claims_invalid")
    add("forest/wrong-secret", f, tok(read, "forest", key=wrong), "Filecoin.ChainHead", "signature_invalid")
    add("forest/hs512", f, tok(read, "forest", alg="HS512"), "Filecoin.ChainHead", "alg_not_allowed")

    # Lotus policy (go-jsonrpc/auth: no exp, Allow only)
    lo = "lotus"
    add("lotus/read-write/WalletNew", lo, tok({"Allow": ["read", "write"]}, "lotus"), "Filecoin.WalletNew", "allow")
    add("lotus/read-write/ChainHead", lo, tok({"Allow": ["read", "write"]}, "lotus"), "Filecoin.ChainHead", "allow")
    add("lotus/read/WalletNew", lo, tok({"Allow": ["read"]}, "lotus"), "Filecoin.WalletNew", "permission_missing")
    add("lotus/admin-only/ChainHead", lo, tok({"Allow": ["admin"]}, "lotus"), "Filecoin.ChainHead", "permission_missing")
    add("lotus/all/AuthNew", lo, tok({"Allow": ["read", "write", "sign", "admin"]}, "lotus"), "Filecoin.AuthNew", "allow")
    add("lotus/forest-token-exp", lo, tok(read, "forest"), "Filecoin.ChainHead", "allow")
    add("lotus/expired-exp-ignored", lo, tok({"Allow": ["read"], "exp": NOW - 120}, "forest"), "Filecoin.ChainHead", "allow")
    add("lotus/wrong-secret", lo, tok({"Allow": ["read"]}, "lotus", key=wrong), "Filecoin.ChainHead", "signature_invalid")
    return cases


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python mint.py REPO_ROOT")
    repo = Path(sys.argv[1])
    akash, counts = akash_cases(repo)
    selfcheck = {"pyjwt": jwt.__version__, "cryptography": cryptography.__version__, **counts}
    json.dump({"selfcheck": selfcheck, "cases": akash + filecoin_cases(repo)}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
