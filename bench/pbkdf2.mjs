// PBKDF2 benchmark: WebCrypto (`crypto.subtle` importKey + deriveBits, what src/crypto/pbkdf2.ts does)
// against `node:crypto` pbkdf2 where the runtime has it, for SCRAM's iteration counts: MongoDB's
// defaults, SHA-1 x 10000 and SHA-256 x 15000. Prints a Markdown table of medians.
//
//   deno run -A bench/pbkdf2.ts      bun bench/pbkdf2.ts      node bench/pbkdf2.mjs
//
// Plain JavaScript so that Node 20 runs it as is; bench/pbkdf2.ts only imports it for Deno and Bun.

const WARMUP = 3;
const RUNS = 21;
const CASES = [
  { hash: "SHA-1", iterations: 10_000, length: 20 },
  { hash: "SHA-256", iterations: 15_000, length: 32 },
];

const encoder = new TextEncoder();
const password = encoder.encode("1c33006ec1ffd90f9cadcbcc0e118200");
const salt = crypto.getRandomValues(new Uint8Array(16));

/** One WebCrypto PBKDF2, key import included, as a SCRAM conversation runs it. */
async function webCrypto({ hash, iterations, length }) {
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt, iterations }, key, length * 8);
}

/** `node:crypto` pbkdf2 (async, on the thread pool), or undefined where the runtime has none. */
async function loadNodePbkdf2() {
  try {
    const { pbkdf2 } = await import("node:crypto");
    return ({ hash, iterations, length }) =>
      new Promise((resolve, reject) => {
        const digest = hash === "SHA-1" ? "sha1" : "sha256";
        pbkdf2(password, salt, iterations, length, digest, (err, key) => err ? reject(err) : resolve(key));
      });
  } catch {
    return undefined;
  }
}

async function median(run, params) {
  for (let i = 0; i < WARMUP; i++) await run(params);
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run(params);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function runtimeName() {
  const g = globalThis;
  if (g.Deno?.version) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun?.version) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node}`;
  return "unknown runtime";
}

const nodePbkdf2 = await loadNodePbkdf2();
const rows = [
  `PBKDF2 on ${runtimeName()}, median of ${RUNS} runs (after ${WARMUP} warm-up runs), milliseconds`,
  "",
  "| hash | iterations | WebCrypto deriveBits | node:crypto pbkdf2 | WebCrypto / node:crypto |",
  "| --- | ---: | ---: | ---: | ---: |",
];
for (const params of CASES) {
  const web = await median(webCrypto, params);
  const node = nodePbkdf2 ? await median(nodePbkdf2, params) : undefined;
  const ratio = node === undefined ? "n/a" : (web / node).toFixed(2);
  const nodeText = node === undefined ? "n/a" : node.toFixed(2);
  rows.push(`| ${params.hash} | ${params.iterations} | ${web.toFixed(2)} | ${nodeText} | ${ratio} |`);
}
console.log(rows.join("\n"));
