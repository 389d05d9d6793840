// Section 1: one PBKDF2 derivation at MongoDB's default iteration counts, three ways: WebCrypto (what
// src/crypto/pbkdf2.ts runs), node:crypto's pbkdf2 (Deno and Bun have it too) and a plain
// TypeScript PBKDF2 (bench/pure/), the cost a port without WebCrypto would pay.
import { pbkdf2 as nodePbkdf2 } from "node:crypto";
import { pbkdf2 as purePbkdf2 } from "../pure/pbkdf2.ts";
import { sha1 } from "../pure/sha1.ts";
import { sha256 } from "../pure/sha256.ts";
import type { BlockHash } from "../pure/hash.ts";
import { interleaved, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";

/** A SCRAM hash at its MongoDB default iteration count. */
export interface Pbkdf2Case {
  readonly hash: "SHA-1" | "SHA-256";
  readonly iterations: number;
  readonly length: number;
}

/** SCRAM-SHA-1 with mongod's default 10 000 iterations, SCRAM-SHA-256 with 15 000. */
export const CASES: readonly Pbkdf2Case[] = [
  { hash: "SHA-1", iterations: 10_000, length: 20 },
  { hash: "SHA-256", iterations: 15_000, length: 32 },
];

const encoder = new TextEncoder();
const password = encoder.encode("1c33006ec1ffd90f9cadcbcc0e118200");
const salt = encoder.encode("bench-salt-0123");
const PURE: Record<Pbkdf2Case["hash"], BlockHash> = { "SHA-1": sha1, "SHA-256": sha256 };

/**
 * One WebCrypto PBKDF2, key import included: the "bare PBKDF2" the SCRAM ratios are relative to.
 *
 * @param c hash, iterations, output length
 * @param pw the password bytes
 * @param s the salt
 * @returns the derived bytes
 */
export async function webCryptoPbkdf2(
  c: Pbkdf2Case,
  pw: Uint8Array = password,
  s: Uint8Array = salt,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", pw as Uint8Array<ArrayBuffer>, "PBKDF2", false, [
    "deriveBits",
  ]);
  const params = {
    name: "PBKDF2",
    hash: c.hash,
    salt: s as Uint8Array<ArrayBuffer>,
    iterations: c.iterations,
  };
  return new Uint8Array(await crypto.subtle.deriveBits(params, key, c.length * 8));
}

function nodeCryptoPbkdf2(c: Pbkdf2Case): Promise<Uint8Array> {
  const digest = c.hash === "SHA-1" ? "sha1" : "sha256";
  return new Promise((resolve, reject) =>
    nodePbkdf2(password, salt, c.iterations, c.length, digest, (err, key) => err ? reject(err) : resolve(key))
  );
}

function pureTsPbkdf2(c: Pbkdf2Case): Promise<Uint8Array> {
  return Promise.resolve(purePbkdf2(PURE[c.hash], password, salt, c.iterations, c.length));
}

// All three must agree before any of them is timed.
async function checkAgreement(c: Pbkdf2Case): Promise<void> {
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const [web, node, pure] = await Promise.all([webCryptoPbkdf2(c), nodeCryptoPbkdf2(c), pureTsPbkdf2(c)]);
  if (hex(web) !== hex(node) || hex(web) !== hex(pure)) {
    throw new Error(`PBKDF2 implementations disagree for ${c.hash}`);
  }
}

/**
 * Measures the three PBKDF2 implementations, interleaved.
 *
 * @param plan warm-up and run counts
 * @returns one row per implementation and hash; ratios are relative to WebCrypto
 */
export async function pbkdf2Section(plan: Plan): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of CASES) {
    await checkAgreement(c);
    const samples = await interleaved({
      webcrypto: () => webCryptoPbkdf2(c),
      node: () => nodeCryptoPbkdf2(c),
      pure: () => pureTsPbkdf2(c),
    }, plan);
    const web = stats(samples.webcrypto);
    const label = `${c.hash} × ${c.iterations}`;
    const row = (name: string, list: number[]): Row => {
      const s = stats(list);
      return {
        section: "pbkdf2",
        name: `${label}: ${name}`,
        ...s,
        ratio: s.median / web.median,
        ratioOf: "WebCrypto",
      };
    };
    rows.push(
      { section: "pbkdf2", name: `${label}: WebCrypto deriveBits`, ...web },
      row("node:crypto pbkdf2", samples.node),
      row("plain TypeScript", samples.pure),
    );
  }
  return rows;
}
