// Producer: Akash provider JWTs minted by the published npm client
// (@akashnetwork/chain-sdk JwtTokenManager), never by Tollgate.
//
// usage: node mint.mjs REPO_ROOT   (run from a folder whose node_modules holds the pinned packages)
// stdout: one JSON object {selfcheck, cases, remint}
//   cases:  [{name, producer, alg, token, op, resource?, provider, owner?, now, expect}]
//   remint: [{name, alg, token}]  chain-sdk tokens that the harness re-signs with
//           `tollgate token mint --payload-file` and compares byte for byte
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JwtTokenManager } from "@akashnetwork/chain-sdk";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { Secp256k1, sha256 } from "@cosmjs/crypto";
import { toBase64, toBech32, toUtf8 } from "@cosmjs/encoding";

const repo = process.argv[2];
if (!repo) {
  console.error("usage: node mint.mjs REPO_ROOT");
  process.exit(2);
}

// Fixed clock: every token is minted for NOW and every authorize call passes `--now NOW`.
const NOW = 1900000000;
const realDateNow = Date.now;
function atClock(seconds, fn) {
  Date.now = () => seconds * 1000;
  return Promise.resolve()
    .then(fn)
    .finally(() => {
      Date.now = realDateNow;
    });
}

const mnemonic = readFileSync(join(repo, "fixtures/akash/test-mnemonic.txt"), "utf8").trim();
const wallet = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
const [account] = await wallet.getAccountsWithPrivkeys();
const SELF = account.address;
if (SELF !== "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh") {
  throw new Error(`test mnemonic derived unexpected address ${SELF}`);
}
// A second valid bech32 address: 20 bytes of 0x01.
const OTHER = toBech32("akash", new Uint8Array(20).fill(1));

// ES256KADR36: the amino wallet itself (chain-sdk wraps it as an ADR-36 signer).
const adr36 = new JwtTokenManager(wallet);
// ES256K: a raw OfflineDataSigner, r||s over sha256(data) with @cosmjs/crypto (RFC 6979, low-S).
const es256k = new JwtTokenManager({
  algorithm: "ES256K",
  async signArbitrary(_signer, data) {
    const sig = await Secp256k1.createSignature(sha256(toUtf8(data)), account.privkey);
    const rs = new Uint8Array([...sig.r(32), ...sig.s(32)]);
    return {
      pub_key: { type: "tendermint/PubKeySecp256k1", value: toBase64(account.pubkey) },
      signature: toBase64(rs),
    };
  },
});
const managers = { ES256KADR36: adr36, ES256K: es256k };

// A manager whose own payload checks are switched off, for negative tokens (AKASH.md §10.2).
function unchecked(alg) {
  const m = new JwtTokenManager(alg === "ES256K" ? es256k.signer : wallet);
  m.validatePayload = () => ({ isValid: true });
  return m;
}

const times = { iat: NOW - 60, nbf: NOW - 60, exp: NOW + 900 };

// Positive tokens go through chain-sdk's full validation at the fixed clock.
async function mint(alg, leases, extra = {}) {
  return atClock(NOW, () => managers[alg].generateToken({ iss: SELF, version: "v1", ...times, leases, ...extra }));
}

// Negative tokens: first prove chain-sdk itself refuses the payload, then sign it anyway.
async function mintRefused(alg, leases, extra = {}) {
  const opts = { iss: SELF, version: "v1", ...times, leases, ...extra };
  let refused = false;
  try {
    await atClock(NOW, () => managers[alg].generateToken(opts));
  } catch (e) {
    refused = /Invalid payload/.test(String(e.message));
  }
  if (!refused) {
    throw new Error(`chain-sdk accepted a payload meant to be invalid: ${JSON.stringify(opts)}`);
  }
  return atClock(NOW, () => unchecked(alg).generateToken(opts));
}

// Every case runs under policies/akash-provider.policy (strict claims) and
// policies/akash-provider-compat.policy (upstream-compatible claims); `compat` overrides the
// expectation under the latter where the two differ.
const cases = [];
function add(name, alg, token, op, resource, expect, more = {}) {
  const { compat, ...rest } = more;
  const base = { producer: "chain-sdk", alg, token, op, resource, provider: SELF, now: NOW, ...rest };
  cases.push({ name, policy: "akash", ...base, expect });
  cases.push({ name: `${name} [compat]`, policy: "akash-compat", ...base, expect: compat ?? expect });
}

// Signature tampering helpers: a token is header.payload.signature.
const seg = (t) => t.split(".");
const b64u = (s) => Buffer.from(s).toString("base64url");

for (const alg of ["ES256KADR36", "ES256K"]) {
  const p = alg.toLowerCase();

  const full = await mint(alg, { access: "full" });
  add(`${p}/full/lease.logs`, alg, full, "lease.logs", "42/1/1", "allow");
  add(`${p}/full/manifest.send`, alg, full, "manifest.send", "42", "allow");
  add(`${p}/full/lease.shell`, alg, full, "lease.shell", "42/1/1", "allow");
  add(`${p}/full/no-resource`, alg, full, "lease.logs", undefined, "resource_required");
  add(`${p}/full/owner-mismatch`, alg, full, "lease.logs", "42/1/1", "owner_mismatch", { owner: OTHER });
  add(`${p}/full/owner-match`, alg, full, "lease.status", "42/1/1", "allow", { owner: SELF });
  // Time boundaries (akash-provider.policy has leeway 0s; Go: valid iff nbf <= now < exp).
  add(`${p}/full/at-nbf`, alg, full, "lease.logs", "42/1/1", "allow", { now: times.nbf });
  add(`${p}/full/before-nbf`, alg, full, "lease.logs", "42/1/1", "token_not_yet_valid", { now: times.nbf - 1 });
  add(`${p}/full/last-second`, alg, full, "lease.logs", "42/1/1", "allow", { now: times.exp - 1 });
  add(`${p}/full/at-exp`, alg, full, "lease.logs", "42/1/1", "token_expired", { now: times.exp });

  const scoped = await mint(alg, { access: "scoped", scope: ["logs", "status"] });
  add(`${p}/scoped/lease.logs`, alg, scoped, "lease.logs", "42/1/1", "allow");
  add(`${p}/scoped/lease.status`, alg, scoped, "lease.status", "7/2/3", "allow");
  add(`${p}/scoped/lease.shell`, alg, scoped, "lease.shell", "42/1/1", "scope_missing");
  add(`${p}/scoped/manifest.send`, alg, scoped, "manifest.send", "42", "scope_missing");

  const provScoped = await mint(alg, {
    access: "granular",
    permissions: [{ provider: SELF, access: "scoped", scope: ["shell", "send-manifest"] }],
  });
  add(`${p}/granular-provider-scoped/lease.shell`, alg, provScoped, "lease.shell", "42/1/1", "allow");
  add(`${p}/granular-provider-scoped/manifest.send`, alg, provScoped, "manifest.send", "9", "allow");
  add(`${p}/granular-provider-scoped/lease.logs`, alg, provScoped, "lease.logs", "42/1/1", "scope_missing");

  const provGranular = await mint(alg, {
    access: "granular",
    permissions: [
      {
        provider: SELF,
        access: "granular",
        deployments: [
          { dseq: 42, gseq: 1, oseq: 1, scope: ["logs", "shell"], services: ["web"] },
          { dseq: 7, scope: ["status", "send-manifest"], services: ["api"] },
        ],
      },
    ],
  });
  const g = `${p}/granular-deployment`;
  add(`${g}/lease.logs-42/1/1`, alg, provGranular, "lease.logs", "42/1/1", "allow");
  add(`${g}/lease.shell-42/1/1`, alg, provGranular, "lease.shell", "42/1/1", "allow");
  add(`${g}/lease.logs-42/1/2`, alg, provGranular, "lease.logs", "42/1/2", "deployment_not_granted");
  add(`${g}/lease.logs-42/2/1`, alg, provGranular, "lease.logs", "42/2/1", "deployment_not_granted");
  add(`${g}/lease.logs-43/1/1`, alg, provGranular, "lease.logs", "43/1/1", "deployment_not_granted");
  add(`${g}/lease.status-42/1/1`, alg, provGranular, "lease.status", "42/1/1", "scope_missing");
  add(`${g}/lease.status-7/3/9-wildcard`, alg, provGranular, "lease.status", "7/3/9", "allow");
  add(`${g}/manifest.send-7`, alg, provGranular, "manifest.send", "7", "allow");
  add(`${g}/manifest.send-42`, alg, provGranular, "manifest.send", "42", "scope_missing");

  const otherProvider = await mint(alg, {
    access: "granular",
    permissions: [{ provider: OTHER, access: "scoped", scope: ["logs"] }],
  });
  add(`${p}/other-provider/lease.logs`, alg, otherProvider, "lease.logs", "42/1/1", "provider_not_granted");
  add(`${p}/other-provider/at-other`, alg, otherProvider, "lease.logs", "42/1/1", "allow", { provider: OTHER });

  const expired = await mintRefused(alg, { access: "full" }, { iat: NOW - 7200, nbf: NOW - 7200, exp: NOW - 600 });
  add(`${p}/expired`, alg, expired, "lease.logs", "42/1/1", "token_expired");
  const early = await mintRefused(alg, { access: "full" }, { iat: NOW, nbf: NOW + 600, exp: NOW + 1500 });
  add(`${p}/not-yet-valid`, alg, early, "lease.logs", "42/1/1", "token_not_yet_valid");
  const dupScope = await mintRefused(alg, { access: "scoped", scope: ["logs", "logs"] });
  add(`${p}/duplicate-scope`, alg, dupScope, "lease.logs", "42/1/1", "claims_invalid");
  const badScope = await mintRefused(alg, { access: "scoped", scope: ["logs", "reboot"] });
  add(`${p}/unknown-scope`, alg, badScope, "lease.logs", "42/1/1", "claims_invalid");
  const dupProvider = await mintRefused(alg, {
    access: "granular",
    permissions: [
      { provider: SELF, access: "full" },
      { provider: SELF, access: "scoped", scope: ["logs"] },
    ],
  });
  add(`${p}/duplicate-provider`, alg, dupProvider, "lease.logs", "42/1/1", "claims_invalid");

  // `attestation` is a current scope that npm alpha.25's schema does not know yet (AKASH.md §3.2).
  const attest = await mintRefused(alg, { access: "scoped", scope: ["attestation"] });
  add(`${p}/attestation-scope/lease.attestation`, alg, attest, "lease.attestation", "42/1/1", "allow");
  add(`${p}/attestation-scope/lease.logs`, alg, attest, "lease.logs", "42/1/1", "scope_missing");

  // Shapes the Go provider accepts but the JSON schema (and chain-sdk) rejects (AKASH.md §4.4).
  const fullEmptyScope = await mintRefused(alg, { access: "full", scope: [] });
  add(`${p}/full-empty-scope`, alg, fullEmptyScope, "lease.logs", "42/1/1", "claims_invalid", { compat: "allow" });
  const granularTopScope = await mintRefused(alg, {
    access: "granular",
    scope: ["logs"],
    permissions: [{ provider: SELF, access: "scoped", scope: ["shell"] }],
  });
  add(`${p}/granular-with-top-scope/lease.shell`, alg, granularTopScope, "lease.shell", "42/1/1", "claims_invalid", { compat: "allow" });

  // Tampering with chain-sdk's tokens: payload swapped under the original signature.
  const [h, , s] = seg(scoped);
  add(`${p}/payload-swapped`, alg, `${h}.${seg(full)[1]}.${s}`, "lease.shell", "42/1/1", "signature_invalid");
}

// Cross-algorithm: an ES256K signature presented as ES256KADR36 (and the reverse) must not verify.
{
  const fullK = await mint("ES256K", { access: "full" });
  const fullA = await mint("ES256KADR36", { access: "full" });
  const hdr = (alg) => b64u(JSON.stringify({ alg, typ: "JWT" }));
  const [, pk, sk] = seg(fullK);
  const [, pa, sa] = seg(fullA);
  add("cross/es256k-sig-as-adr36", "ES256KADR36", `${hdr("ES256KADR36")}.${pk}.${sk}`, "lease.logs", "42/1/1", "signature_invalid");
  add("cross/adr36-sig-as-es256k", "ES256K", `${hdr("ES256K")}.${pa}.${sa}`, "lease.logs", "42/1/1", "signature_invalid");
}

// Self-check: chain-sdk reproduces the derived vectors 7 and 8 byte for byte.
const derived = JSON.parse(readFileSync(join(repo, "fixtures/akash/derived-vectors.json"), "utf8"));
const selfcheck = {};
for (const [i, alg] of [
  [7, "ES256KADR36"],
  [8, "ES256K"],
]) {
  const v = derived.vectors[i];
  const payload = JSON.parse(v.payload_json);
  const token = await atClock(NOW, () =>
    managers[alg].generateToken({
      iss: payload.iss,
      version: payload.version,
      iat: payload.iat,
      nbf: payload.nbf,
      exp: payload.exp,
      leases: payload.leases,
    }),
  );
  if (token !== v.token) {
    console.error(`self-check failed: vector ${i} differs\n  chain-sdk: ${token}\n  fixture:   ${v.token}`);
    process.exit(1);
  }
  selfcheck[`vector${i}`] = "reproduced";
  // The fixture vectors are also authorization cases at their own time.
  cases.push({
    name: `fixture-vector-${i}/lease.logs`,
    producer: "chain-sdk (fixture)",
    policy: "akash",
    alg,
    token,
    op: "lease.logs",
    resource: "42/1/1",
    provider: SELF,
    now: payload.nbf + 100,
    expect: "allow",
  });
}

// Tokens the harness re-signs with Tollgate from chain-sdk's exact payload bytes.
const remint = [];
for (const alg of ["ES256K", "ES256KADR36"]) {
  remint.push({ name: `${alg}/full`, alg, token: await mint(alg, { access: "full" }, { jti: "interop-1" }) });
  remint.push({
    name: `${alg}/granular`,
    alg,
    token: await mint(alg, {
      access: "granular",
      permissions: [
        { provider: SELF, access: "granular", deployments: [{ dseq: 42, gseq: 1, oseq: 1, scope: ["logs"], services: ["web"] }] },
        { provider: OTHER, access: "scoped", scope: ["status", "events"] },
      ],
    }),
  });
}

process.stdout.write(JSON.stringify({ selfcheck, cases, remint }, null, 1) + "\n");
