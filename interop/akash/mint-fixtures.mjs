// Generator of fixtures/akash/ts-client-tokens.json: long-lived Akash provider JWTs minted by
// the published npm client (@akashnetwork/chain-sdk@1.0.0-alpha.25 JwtTokenManager), exactly as
// interop/akash/mint.mjs does, for the `tollgate serve` tests behind nginx.
//
// usage (after `bash .ci/interop.sh` installed the pinned packages into .interop/node):
//   cp interop/akash/mint-fixtures.mjs .interop/node/ &&
//   (cd .interop/node && node mint-fixtures.mjs "$PWD/../..") > fixtures/akash/ts-client-tokens.json
//
// Tokens are deterministic (RFC 6979 signatures, fixed times), so re-running reproduces the file
// byte for byte. They expire on 2100-01-01.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JwtTokenManager } from "@akashnetwork/chain-sdk";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { Secp256k1, sha256 } from "@cosmjs/crypto";
import { toBase64, toBech32, toUtf8 } from "@cosmjs/encoding";

const repo = process.argv[2];
if (!repo) {
  console.error("usage: node mint-fixtures.mjs REPO_ROOT");
  process.exit(2);
}

// Minted "at" IAT; valid until EXP (2100-01-01T00:00:00Z).
const IAT = 1767225600; // 2026-01-01T00:00:00Z
const EXP = 4102444800; // 2100-01-01T00:00:00Z
const realDateNow = Date.now;
async function atClock(seconds, fn) {
  Date.now = () => seconds * 1000;
  try {
    return await fn();
  } finally {
    Date.now = realDateNow;
  }
}

const mnemonic = readFileSync(join(repo, "fixtures/akash/test-mnemonic.txt"), "utf8").trim();
const wallet = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
const [account] = await wallet.getAccountsWithPrivkeys();
const ISSUER = account.address;
if (ISSUER !== "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh") {
  throw new Error(`test mnemonic derived unexpected address ${ISSUER}`);
}
// The provider the serve tests run as: 20 bytes of 0x02.
const PROVIDER = toBech32("akash", new Uint8Array(20).fill(2));

const managers = {
  // ES256KADR36: the amino wallet itself (chain-sdk wraps it as an ADR-36 signer).
  ES256KADR36: new JwtTokenManager(wallet),
  // ES256K: a raw OfflineDataSigner, r||s over sha256(data) with @cosmjs/crypto (RFC 6979, low-S).
  ES256K: new JwtTokenManager({
    algorithm: "ES256K",
    async signArbitrary(_signer, data) {
      const sig = await Secp256k1.createSignature(sha256(toUtf8(data)), account.privkey);
      const rs = new Uint8Array([...sig.r(32), ...sig.s(32)]);
      return {
        pub_key: { type: "tendermint/PubKeySecp256k1", value: toBase64(account.pubkey) },
        signature: toBase64(rs),
      };
    },
  }),
};

const shapes = {
  full: { access: "full" },
  scoped: { access: "scoped", scope: ["logs", "status"] },
  granular: {
    access: "granular",
    permissions: [
      {
        provider: PROVIDER,
        access: "granular",
        deployments: [{ dseq: 42, gseq: 1, oseq: 1, scope: ["logs", "shell"], services: ["web"] }],
      },
    ],
  },
};

const tokens = [];
for (const alg of ["ES256K", "ES256KADR36"]) {
  for (const [access, leases] of Object.entries(shapes)) {
    // chain-sdk's own payload validation runs (at the mint clock): these are tokens it accepts.
    const token = await atClock(IAT, () =>
      managers[alg].generateToken({ iss: ISSUER, version: "v1", iat: IAT, nbf: IAT, exp: EXP, leases }),
    );
    tokens.push({ name: `${alg.toLowerCase()}/${access}`, alg, access, leases, token });
  }
}

const out = {
  producer: "@akashnetwork/chain-sdk@1.0.0-alpha.25 JwtTokenManager.generateToken",
  generator: "interop/akash/mint-fixtures.mjs",
  issuer: ISSUER,
  provider: PROVIDER,
  iat: IAT,
  exp: EXP,
  tokens,
};
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
