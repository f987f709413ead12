// Consumer: Akash tokens minted by `tollgate token mint`, verified by software we did not write.
//
// usage: node verify.mjs REPO_ROOT TOKENS.json
//   TOKENS.json: [{name, alg: "ES256K"|"ES256KADR36", token}]
// stdout: one JSON object {results: [{name, ok, checks: {check: true|false|string}, error?}]}
// exit 0 when every token passed every check, 1 otherwise.
//
// Checks per token:
//   signature   cosmjs Secp256k1.verifySignature over sha256(signing input) (ES256K) or over
//               sha256 of the ADR-036 amino sign doc built with cosmjs makeSignDoc/serializeSignDoc
//               (ES256KADR36), with the test account's public key derived here from the mnemonic
//   low_s       s <= n/2 (Akash rejects high-S; cosmjs verifies with lowS:false so this is separate)
//   tamper      the same check fails when one payload character changes (the check can fail)
//   header      {"alg":<alg>,"typ":"JWT"} as JSON
//   schema      chain-sdk JwtValidator().validateToken(payload) (npm alpha.25 embedded schema)
//   schema_token chain-sdk JwtValidator().validateToken(token) where its atob can read the token
//   decode      chain-sdk JwtTokenManager.decodeToken(token) equals the payload JSON
//   issuer      payload iss equals the address derived from the mnemonic
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JwtTokenManager, JwtValidator } from "@akashnetwork/chain-sdk";
import { Secp256k1HdWallet, makeSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { toBase64, toUtf8 } from "@cosmjs/encoding";

const [repo, file] = process.argv.slice(2);
if (!repo || !file) {
  console.error("usage: node verify.mjs REPO_ROOT TOKENS.json");
  process.exit(2);
}
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const mnemonic = readFileSync(join(repo, "fixtures/akash/test-mnemonic.txt"), "utf8").trim();
const wallet = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
const [account] = await wallet.getAccounts();
const pubkey = account.pubkey; // 33-byte compressed
const address = account.address;

// The bytes that are hashed and signed for a given algorithm.
function signedBytes(alg, signingInput, signer) {
  if (alg === "ES256K") return toUtf8(signingInput);
  if (alg === "ES256KADR36") {
    const msg = { type: "sign/MsgSignData", value: { signer, data: toBase64(toUtf8(signingInput)) } };
    const doc = makeSignDoc([msg], { gas: "0", amount: [] }, "", "", "0", "0");
    return serializeSignDoc(doc);
  }
  throw new Error(`unsupported alg ${alg}`);
}

async function sigValid(alg, signingInput, sig, signer) {
  if (sig.length !== 64) return false;
  const hash = sha256(signedBytes(alg, signingInput, signer));
  return Secp256k1.verifySignature(Secp256k1Signature.fromFixedLength(sig), hash, pubkey);
}

const validator = new JwtValidator();
const manager = new JwtTokenManager(wallet);
const entries = JSON.parse(readFileSync(file, "utf8"));
const results = [];
for (const { name, alg, token } of entries) {
  const checks = {};
  let error;
  try {
    const parts = token.split(".");
    if (parts.length !== 3) throw new Error(`token has ${parts.length} segments`);
    const [h, p, s] = parts;
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    const payloadText = Buffer.from(p, "base64url").toString("utf8");
    const payload = JSON.parse(payloadText);
    const sig = new Uint8Array(Buffer.from(s, "base64url"));
    const si = `${h}.${p}`;

    checks.header = header.alg === alg && header.typ === "JWT" && Object.keys(header).length === 2;
    checks.issuer = payload.iss === address;
    checks.signature = await sigValid(alg, si, sig, payload.iss);
    const sInt = BigInt("0x" + Buffer.from(sig.slice(32)).toString("hex"));
    checks.low_s = sig.length === 64 && sInt <= N / 2n;
    // Flip one payload character: the verification above must now fail.
    const i = Math.floor(p.length / 2);
    const flipped = p.slice(0, i) + (p[i] === "A" ? "B" : "A") + p.slice(i + 1);
    checks.tamper = !(await sigValid(alg, `${h}.${flipped}`, sig, payload.iss));

    const schema = validator.validateToken(payload);
    checks.schema = schema.isValid ? true : `invalid: ${(schema.errors ?? []).join("; ")}`;
    // chain-sdk's string path decodes with atob, which reads standard base64 only; a
    // base64url segment containing - or _ cannot be read there, which is chain-sdk's limit.
    if (/[-_]/.test(h + p)) {
      checks.schema_token = "skipped (base64url - or _ in token; chain-sdk decodes with atob)";
    } else {
      const r = validator.validateToken(token);
      checks.schema_token = r.isValid ? true : `invalid: ${(r.errors ?? []).join("; ")}`;
    }
    checks.decode = JSON.stringify(manager.decodeToken(token)) === JSON.stringify(JSON.parse(payloadText));
  } catch (e) {
    error = String(e?.stack ?? e);
  }
  const ok = !error && Object.values(checks).every((v) => v === true || (typeof v === "string" && v.startsWith("skipped")));
  results.push({ name, alg, ok, checks, ...(error ? { error } : {}) });
}
process.stdout.write(JSON.stringify({ results }, null, 1) + "\n");
process.exit(results.every((r) => r.ok) ? 0 : 1);
