// The hash and HMAC test vectors vendored in tests/crypto/data/ (see its README for where they come from).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../testing/paths.ts";

/** One known answer of a NIST SHAVS file: the message and its digest. */
export interface DigestVector {
  /** Message length in bits, as the file says. */
  readonly bits: number;
  readonly message: Uint8Array;
  readonly digest: string;
}

/** One RFC 2202 / RFC 4231 test case; `mac` may be a truncated prefix (test case 5). */
export interface HmacVector {
  readonly case: number;
  readonly key: Uint8Array;
  readonly data: Uint8Array;
  readonly mac: string;
}

function dataPath(name: string): string {
  return join(repoRoot(), "tests", "crypto", "data", name);
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

/**
 * The `Len`/`Msg`/`MD` triples of a NIST CAVP SHAVS response file, e.g. `nist/SHA1ShortMsg.rsp`. A message
 * of length 0 is written as one zero byte (`Msg = 00`), which is not part of it.
 */
export function nistDigestVectors(name: string): DigestVector[] {
  const vectors: DigestVector[] = [];
  let bits: number | undefined;
  let message: Uint8Array | undefined;
  for (const line of readFileSync(dataPath(name), "utf8").split(/\r?\n/)) {
    const [key, value] = line.split(" = ");
    if (key === "Len") bits = Number(value);
    else if (key === "Msg") message = fromHex(value).subarray(0, bits! / 8);
    else if (key === "MD") {
      vectors.push({ bits: bits!, message: message!, digest: value.trim() });
      bits = message = undefined;
    }
  }
  if (vectors.length === 0) throw new Error(`no vectors in ${name}`);
  return vectors;
}

/** The test cases of `rfc2202-hmac-sha1.json` or `rfc4231-hmac-sha256.json`. */
export function rfcHmacVectors(name: string): HmacVector[] {
  const { cases } = JSON.parse(readFileSync(dataPath(name), "utf8")) as {
    cases: { case: number; key: string; data: string; mac: string }[];
  };
  return cases.map((c) => ({ case: c.case, key: fromHex(c.key), data: fromHex(c.data), mac: c.mac }));
}
