"""Consumer: tokens minted by `tollgate token mint`, verified by PyJWT + cryptography.

usage: python verify.py REPO_ROOT TOKENS.json
  TOKENS.json: [{name, alg, token, ...}] with, per alg:
    ES256K: nothing else (checked against the test account's public key)
    HS256:  perm (read|write|sign|admin), header ("forest"|"lotus"), exp ("1h"|"never")
stdout: one JSON object {results: [{name, ok, checks, error?}]}; exit 0 iff every token passed.
"""

import base64
import json
import sys
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

PUBKEY_HEX = "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76"
ADDRESS = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
EXPANSION = {
    "read": ["read"],
    "write": ["read", "write"],
    "sign": ["read", "write", "sign"],
    "admin": ["read", "write", "sign", "admin"],
}
HEADERS = {
    "forest": '{"typ":"JWT","alg":"HS256"}',  # jsonwebtoken Header::default()
    "lotus": '{"alg":"HS256","typ":"JWT"}',  # gbrlsnchs/jwt v3
}


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def private_to_public_matches(repo: Path, pub: ec.EllipticCurvePublicKey) -> bool:
    priv_hex = (repo / "fixtures/keys/akash-test-private-key.hex").read_text().strip()
    priv = ec.derive_private_key(int(priv_hex, 16), ec.SECP256K1())
    return priv.public_key() == pub


def check_es256k(token: str, pub, other_pub) -> dict:
    checks = {}
    claims = jwt.decode(token, pub, algorithms=["ES256K"], options={"require": ["exp", "iat", "nbf", "iss"]})
    checks["pyjwt_decode"] = True
    checks["issuer"] = claims.get("iss") == ADDRESS
    checks["version"] = claims.get("version") == "v1"
    header = jwt.get_unverified_header(token)
    checks["header"] = header == {"alg": "ES256K", "typ": "JWT"}
    sig = b64u_decode(token.split(".")[2])
    checks["low_s"] = len(sig) == 64 and int.from_bytes(sig[32:], "big") <= N // 2
    try:
        jwt.decode(token, other_pub, algorithms=["ES256K"], options={"verify_exp": False})
        checks["wrong_key_rejected"] = False
    except jwt.InvalidSignatureError:
        checks["wrong_key_rejected"] = True
    return checks


def check_hs256(entry: dict, secret: bytes) -> dict:
    token = entry["token"]
    checks = {}
    never = entry["exp"] == "never"
    options = {"verify_exp": False} if never else {"verify_exp": True, "require": ["exp"]}
    claims = jwt.decode(token, secret, algorithms=["HS256"], options=options)
    checks["pyjwt_decode"] = True
    checks["allow_expansion"] = claims.get("Allow") == EXPANSION[entry["perm"]]
    raw_header = b64u_decode(token.split(".")[0]).decode()
    checks["header_bytes"] = raw_header == HEADERS[entry["header"]]
    raw_payload = b64u_decode(token.split(".")[1]).decode()
    if never:
        checks["no_exp"] = "exp" not in claims
        # Lotus writes exactly {"Allow":[...]}
        checks["payload_bytes"] = raw_payload == json.dumps({"Allow": EXPANSION[entry["perm"]]}, separators=(",", ":"))
    else:
        exp = claims.get("exp")
        checks["exp_about_1h"] = isinstance(exp, int) and abs(exp - (int(time.time()) + 3600)) <= 300
        # Forest (serde, struct order) writes exactly {"Allow":[...],"exp":N}
        checks["payload_bytes"] = raw_payload == json.dumps({"Allow": EXPANSION[entry["perm"]], "exp": exp}, separators=(",", ":"))
    try:
        jwt.decode(token, bytes(range(1, 33)), algorithms=["HS256"], options={"verify_exp": False})
        checks["wrong_secret_rejected"] = False
    except jwt.InvalidSignatureError:
        checks["wrong_secret_rejected"] = True
    return checks


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python verify.py REPO_ROOT TOKENS.json")
    repo = Path(sys.argv[1])
    entries = json.loads(Path(sys.argv[2]).read_text())
    pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(PUBKEY_HEX))
    if not private_to_public_matches(repo, pub):
        raise SystemExit("fixtures/keys/akash-test-private-key.hex does not match the test public key")
    other_pub = ec.derive_private_key(12345, ec.SECP256K1()).public_key()
    secret = base64.b64decode((repo / "fixtures/keys/filecoin-secret.base64").read_text().strip())
    results = []
    for entry in entries:
        checks, error = {}, None
        try:
            if entry["alg"] == "ES256K":
                checks = check_es256k(entry["token"], pub, other_pub)
            elif entry["alg"] == "HS256":
                checks = check_hs256(entry, secret)
            else:
                error = f"verify.py does not handle alg {entry['alg']}"
        except Exception as e:  # noqa: BLE001 - any failure is reported per token
            error = f"{type(e).__name__}: {e}"
        ok = error is None and all(v is True for v in checks.values())
        results.append({"name": entry["name"], "alg": entry["alg"], "ok": ok, "checks": checks, **({"error": error} if error else {})})
    json.dump({"results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
