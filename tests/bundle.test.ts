// What each entry point costs in a bundle, and the "bleed" rule: importing SCRAM alone must not pull in
// AWS, OIDC, aws4fetch or bson. esbuild (a dev dependency) bundles and minifies; budgets are bytes of
// minified output, a little above today's sizes, so growth is a decision and not an accident.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../testing/paths.ts";
import { codeBlocks } from "./docs/blocks.ts";

interface Bundle {
  bytes: number;
  inputs: string[];
}

async function bundle(
  source: string,
  platform: "node" | "browser",
  minify = true,
): Promise<Bundle & { code: string }> {
  const root = repoRoot();
  const dir = await mkdtemp(join(tmpdir(), "mongo-auth-bundle-"));
  try {
    const entry = join(dir, "entry.ts");
    await writeFile(entry, source.replaceAll("ROOT", root));
    const outfile = join(dir, "out.js");
    await promisify(execFile)(join(root, "node_modules", ".bin", "esbuild"), [
      entry,
      "--bundle",
      ...(minify ? ["--minify"] : []),
      "--format=esm",
      `--platform=${platform}`,
      "--external:cloudflare:*",
      // The runtime's own modules (Deno's node:tls for a pinned CA) are not part of the bundle.
      "--external:node:*",
      "--log-level=error",
      `--outfile=${outfile}`,
      `--metafile=${outfile}.json`,
    ], { cwd: root });
    const meta = JSON.parse(await readFile(`${outfile}.json`, "utf8"));
    const output =
      Object.values(meta.outputs as Record<string, { bytes: number; inputs: Record<string, unknown> }>)[0];
    return { bytes: output.bytes, inputs: Object.keys(output.inputs), code: await readFile(outfile, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("bundle size and bleed", () => {
  // 12 KB before HMACs and digests could be written into scratch arrays (HmacState.sign's `out`, checked;
  // src/crypto/hmac.ts and src/mechanisms/scram/client.ts: 0.4 KB), which spares Deno a typed array each.
  it("ScramClient alone pulls in no AWS, OIDC, aws4fetch or bson, and stays under 13 KB", async () => {
    const b = await bundle(
      `import { ScramClient } from "ROOT/mod.ts";
       console.log(new ScramClient({ hash: "SHA-256", username: "u", password: "p" }).clientFirstMessage());`,
      "browser",
    );
    const bled = b.inputs.filter((name) =>
      /src\/(mechanisms\/(aws|oidc)|wire|transport)\/|aws4fetch|bson|credential|oauth4webapi/.test(name)
    );
    assert.deepEqual(bled, []);
    assert.ok(b.bytes < 13_000, `ScramClient bundles to ${b.bytes} bytes`);
  });

  // 16 KB before the connection string was validated option by option (src/credential/uri-options.ts: the URI
  // Options spec's ~50 options, their values and the rules between them); 24 KB before its errors said what
  // stands where the scheme should and that an undefined string is an environment variable not set, and before
  // options right after the hosts were told from a '?' in the password (25.0 KB then); 26 KB before PLAIN and
  // SCRAM refused a NUL in the username or password with a message saying why (src/credential/rules.ts: 0.5 KB).
  it("parseCredential alone pulls in no mechanism, and stays under 27 KB", async () => {
    const b = await bundle(
      `import { parseCredential } from "ROOT/mod.ts"; console.log(parseCredential("mongodb://a:b@h/"));`,
      "browser",
    );
    assert.deepEqual(
      b.inputs.filter((name) => /src\/(aws|oidc|mechanisms|wire)\/|aws4fetch|bson/.test(name)),
      [],
    );
    assert.ok(b.bytes < 27_000, `parseCredential bundles to ${b.bytes} bytes`);
  });

  // The human sign-in (oauth4webapi) is only in the bundle of a program that signs people in.
  it("the machine OIDC flows and connect() pull in no oauth4webapi and no human sign-in", async () => {
    for (
      const source of [
        `import { authenticate, createAzureCallback } from "ROOT/mod.ts"; console.log(authenticate, createAzureCallback);`,
        `import { connect } from "ROOT/src/transport/node.ts"; console.log(connect);`,
        `import { connect } from "ROOT/src/transport/deno.ts"; console.log(connect);`,
        `import { connect } from "ROOT/src/transport/workers.ts"; console.log(connect);`,
      ]
    ) {
      const b = await bundle(source, "node");
      const human = b.inputs.filter((name) => /oauth4webapi|src\/mechanisms\/oidc\/human\//.test(name));
      assert.deepEqual(human, [], source);
    }
  });

  // 47–50 KB while each entry point's transport was made at load time, which kept its sockets, TLS and DNS
  // code in any bundle of the entry point. 40 KB before its options were checked for their type (about 1 KB).
  // 41 KB before a time budget gave back, once, the time its process had stopped (src/core/abort.ts: 0.5 KB).
  // 42 KB before time budgets could wait on one timer between them (src/core/timer-queue.ts: 0.5 KB).
  for (
    const [entry, platform] of [
      ["src/transport/node.ts", "node"],
      ["src/transport/deno.ts", "browser"],
      ["src/transport/workers.ts", "browser"],
    ] as const
  ) {
    it(`createHumanCallback alone from ${entry} (oauth4webapi included) stays under 43 KB, without the transport`, async () => {
      const b = await bundle(
        `import { createHumanCallback } from "ROOT/${entry}"; console.log(createHumanCallback);`,
        platform,
      );
      assert.ok(b.inputs.some((name) => name.includes("oauth4webapi")));
      assert.deepEqual(
        b.inputs.filter((name) =>
          /src\/(mechanisms\/(?!oidc\/human\/)|wire\/|client\/connect|dns\/)|aws4fetch|bson/.test(name)
        ),
        [],
      );
      assert.deepEqual(b.inputs.filter((name) => /src\/transport\/(node-|deno-)?socket/.test(name)), []);
      assert.ok(b.bytes < 43_000, `createHumanCallback bundles to ${b.bytes} bytes`);
    });
  }

  // 190 KB before the errors of a user's first hour said what to do (what answered instead of MongoDB,
  // every AWS source tried and why, who the server refused and what to check): about 6 KB of words.
  // 200 KB before connect() found the member a replica set's read preference asks for (SDAM and server
  // selection in src/topology, the scan in src/client/discovery.ts): about 20 KB.
  // 225 KB before the trace of every login (issue 19): each layer's events and their reasons in words, the
  // TLS certificate's details, the AWS identity and the OIDC token's claims: about 15 KB.
  // 240 KB before SOCKS5 proxies (proxyHost) and UNIX domain socket hosts: the SOCKS5 handshake on each
  // transport and what each failure says: about 4 KB.
  // 248 KB before wire compression (compressors=zlib): OP_COMPRESSED both ways, the option's rules and what
  // each refusal of a compressed reply says: about 3.6 KB.
  // 254 KB before snappy (compressors=snappy): Google's format both ways, in TypeScript: about 2 KB.
  // 257 KB before every option, argument and hand-built credential was checked for its type, with a
  // message naming it (connect(), commands, the conversation, the constructors and factories): about 5 KB.
  // 262 KB before IAM Identity Center (SSO) profiles, credential_source and credential_process in the AWS
  // chain, the command runner of the Node.js and Deno envs, and the checks the fuzzing of the AWS sources
  // asked for (keys and regions no request can carry, secrets redacted by field name): about 8 KB.
  // 271 KB before hello's client metadata described the host as the handshake specification has it (the OS's
  // name, architecture and version; the FaaS and container environment; driverInfo): about 3.5 KB; and
  // before tlsCRLFile (its rules, capability, and what each refusal of a revocation list says): about 2.5 KB.
  // 276 KB before encrypted private keys on Deno and Bun (PBES2 and OpenSSL's traditional form decrypted
  // with WebCrypto, a DER reader, and what each refusal says): about 7.5 KB.
  // 284 KB before tlsCRLFile on Deno (revocation lists read and checked against the verified chain, their
  // ECDSA, RSA and Ed25519 signatures checked with WebCrypto): about 5.5 KB.
  // 290 KB before zstd (compressors=zstd through the runtime's node:zlib, the transport's codec, its warning
  // and refusals): about 1.3 KB.
  // 292 KB before keys encrypted with DES and triple DES, with scrypt, and by the schemes before PBES2 (a
  // bitsliced DES with FIPS 46-3's tables, scrypt's ROMix and Salsa20/8, PKCS#12's and PBKDF1's derivations,
  // the cache of decrypted keys): about 9 KB.
  // 302 KB before Deno's revocation check compared names in OpenSSL's canonical form and read RSA-PSS and SHA-1
  // signatures: about 3.3 KB (measured: Workers 266 KB, Node.js 299 KB, Deno 303 KB).
  // 306 KB before the TLS refusals Node.js and Bun name UNSPECIFIED were read by OpenSSL's words, each with what
  // to do, and rustls's refused signature algorithm was named: about 3.1 KB (measured: Workers 269 KB, Node.js
  // 302 KB, Deno 306 KB).
  // 310 KB before a client's scan of a replica set served its next connections (the topology memory, the wait
  // for a scan in flight, their words in the trace and --explain): about 3.4 KB (measured: Workers 273 KB,
  // Node.js 307 KB, Deno 311 KB). Mongoses chosen by distance and remembered: about 0.9 KB more (274, 308 and
  // 312 KB).
  // 315 KB before the slips of a first connection were named: a connectTimeoutMS that ran out says where the
  // check stood (and Atlas's IP Access List for its hosts), a DNS server that never answered, a plaintext answer
  // to TLS, a closed or silent connection's server, a copied string's quotes, NAME= or capitals, Atlas's
  // <db_password>, GSSAPI before any socket: about 3.4 KB (measured: Workers 278 KB, Node.js 312 KB, Deno
  // 316 KB).
  // 320 KB before more of a first connection's slips were named: a replica set named by hosts this machine
  // cannot reach (Docker, Kubernetes, with a member's name in the trace's hello) or not yet initiated, a
  // password's reserved character, a certificate leading to no trusted CA (Atlas behind a network that inspects
  // TLS), workerd's connect failure, an Atlas cluster's name without +srv, Atlas's database users, a 13
  // (Unauthorized), a binary CA or key file, MONGODB-OIDC without a source of tokens, an ARN as the AWS username:
  // about 6 KB (measured: Workers 283 KB, Node.js 318 KB, Deno 322 KB).
  // 325 KB before a connection string that is undefined, empty or without its scheme said so, a TLS file's
  // working directory was named, a duration in a *MS option was turned into milliseconds, a timeoutMS that ran
  // out said where the connection stood, and an X509 username other than the subject was named: about 2 KB
  // (measured: Workers 285 KB, Node.js 320 KB, Deno 324 KB).
  // 330 KB before Deno's environment read each variable on its own and named those Deno refused, and before
  // connect()'s planning allocated less and a paused budget kept its timer: about 0.6 KB (measured: Workers
  // 291 KB, Node.js 326 KB, Deno 330.3 KB).
  // 335 KB before a hostile or unlucky peer got the words it deserves: a compressed message that must wrap an
  // OP_MSG, a TLS record told from a reply by its header, commands past bson's buffer encoded at their size,
  // serverSelectionTimeoutMS bounding the checks, the list of AWS sources that do not apply, a timeout
  // option's range, the SCRAM faults naming server and user: about 5.5 KB (measured: Workers 299 KB, Node.js
  // 335 KB, Deno 339.2 KB).
  for (
    const [entry, platform, budget] of [
      ["src/transport/node.ts", "node", 345_000],
      ["src/transport/deno.ts", "browser", 345_000],
      ["src/transport/workers.ts", "browser", 345_000],
    ] as const
  ) {
    it(`connect() from ${entry} with every mechanism stays under ${budget / 1000} KB`, async () => {
      const b = await bundle(`import { connect } from "ROOT/${entry}"; console.log(connect);`, platform);
      assert.ok(b.bytes < budget, `${entry} bundles to ${b.bytes} bytes`);
      assert.ok(!b.inputs.some((name) => name.includes("@mongodb-js/saslprep")), "SASLprep is our own");
    });
  }

  // docs/workers.md tells a Workers user what the quick start weighs: its figures are the quick start's, bundled
  // as that page says (esbuild, cloudflare:* left to the runtime), give or take the page's rounding.
  it("docs/workers.md gives the Workers quick start's bundle size as it is (within 5 %)", async () => {
    const page = readFileSync(join(repoRoot(), "docs", "workers.md"), "utf8");
    const stated = /about (\d+) KiB\s+unminified, (\d+) KB minified \((\d+) KB gzipped\)/.exec(page);
    assert.ok(stated, "docs/workers.md has no size line");
    const [unminifiedKiB, minifiedKB, gzippedKB] = stated.slice(1).map(Number);
    const quickStart = codeBlocks("docs/workers.md").find((b) => b.lang === "ts")!.code
      .replace(`"@mongo-auth/core/workers"`, `"ROOT/src/transport/workers.ts"`)
      .replace(`"@mongo-auth/core"`, `"ROOT/mod.ts"`);
    const minified = await bundle(quickStart, "browser");
    const unminified = await bundle(quickStart, "browser", false);
    const near = (what: string, said: number, is: number) =>
      assert.ok(
        Math.abs(said - is) <= 0.05 * is,
        `docs/workers.md says ${said} for the ${what}; it is ${is.toFixed(0)}`,
      );
    near("unminified KiB", unminifiedKiB, unminified.bytes / 1024);
    near("minified KB", minifiedKB, minified.bytes / 1000);
    near("gzipped KB", gzippedKB, gzipSync(minified.code, { level: 9 }).length / 1000);
  });
});
