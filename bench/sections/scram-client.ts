// Section 2: the client side of a SCRAM conversation without a network. ScramClient is driven against
// precomputed server messages (fixed client nonce; the server's answers are computed once with the
// plain TypeScript HMAC/PBKDF2 of bench/pure/, independent of src/). "Fresh" uses a new key cache each
// time, so it pays PBKDF2; "cached" reuses a warm one, as a re-authentication does.
import { ScramClient, ScramKeyCache, scramPassword } from "../../mod.ts";
import { wordsToBytes } from "../pure/hash.ts";
import { hmac, hmacKey } from "../pure/hmac.ts";
import { pbkdf2 } from "../pure/pbkdf2.ts";
import { sha1 } from "../pure/sha1.ts";
import { sha256 } from "../pure/sha256.ts";
import { interleaved, pairedRatio, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import { countSubtleCalls } from "../../tests/support/subtle-counter.ts";
import { CASES, type Pbkdf2Case, webCryptoPbkdf2 } from "./pbkdf2.ts";

const encoder = new TextEncoder();
const USER = "bench";
const PASSWORD = "bench-password";
const CLIENT_NONCE = "ZmFrZS1jbGllbnQtbm9uY2UtZm9yLWJlbmNo";
const SERVER_NONCE = "c2VydmVyLXBhcnQtb2YtdGhlLW5vbmNl";
const SALT_B64 = "YmVuY2gtc2FsdC0xMjM0NQ==";

/** A user's SCRAM conversation, precomputed from the server's side. */
export interface Fixture {
  readonly c: Pbkdf2Case;
  readonly hiPassword: string;
  readonly salt: Uint8Array;
  readonly serverFirst: string;
  readonly serverFinal: string;
  readonly authMessage: Uint8Array;
}

/**
 * What a server holding this user's keys would answer; computed outside src/ so a bug there shows.
 *
 * @param c hash and iteration count
 * @returns the fixture
 */
export function fixture(c: Pbkdf2Case): Fixture {
  const hash = c.hash === "SHA-1" ? sha1 : sha256;
  const hiPassword = scramPassword(c.hash, USER, PASSWORD);
  const salt = Uint8Array.from(atob(SALT_B64), (ch) => ch.charCodeAt(0));
  const serverFirst = `r=${CLIENT_NONCE}${SERVER_NONCE},s=${SALT_B64},i=${c.iterations}`;
  const authMessage = encoder.encode(
    `n=${USER},r=${CLIENT_NONCE},${serverFirst},c=biws,r=${CLIENT_NONCE}${SERVER_NONCE}`,
  );
  const salted = pbkdf2(hash, encoder.encode(hiPassword), salt, c.iterations, c.length);
  const serverKey = wordsToBytes(hmac(hmacKey(hash, salted), encoder.encode("Server Key")));
  const signature = wordsToBytes(hmac(hmacKey(hash, serverKey), authMessage));
  return {
    c,
    hiPassword,
    salt,
    serverFirst,
    serverFinal: `v=${btoa(String.fromCharCode(...signature))}`,
    authMessage,
  };
}

/**
 * One conversation's client side, as the SCRAM mechanism runs it (Hi() password included).
 *
 * @param f the precomputed server side
 * @param cache the key cache to use
 */
export async function conversation(f: Fixture, cache: ScramKeyCache): Promise<void> {
  const client = new ScramClient({
    hash: f.c.hash,
    username: USER,
    password: scramPassword(f.c.hash, USER, PASSWORD),
    nonce: CLIENT_NONCE,
    cache,
  });
  client.clientFirstMessage();
  await client.clientFinalMessage(f.serverFirst);
  await client.verifyServerFinalMessage(f.serverFinal);
}

// The least any WebCrypto SCRAM client can do after PBKDF2: HMAC -> H -> import -> HMAC, one after
// the other (ClientKey, StoredKey, ClientSignature). No JavaScript work, no server signature.
async function webCryptoFloor(f: Fixture): Promise<void> {
  const { hash } = f.c;
  const base = await crypto.subtle.importKey("raw", encoder.encode(f.hiPassword), "PBKDF2", false, [
    "deriveKey",
  ]);
  const salted = await crypto.subtle.deriveKey(
    { name: "PBKDF2", hash, salt: f.salt as Uint8Array<ArrayBuffer>, iterations: f.c.iterations },
    base,
    { name: "HMAC", hash, length: f.c.length * 8 },
    false,
    ["sign"],
  );
  const clientKey = await crypto.subtle.sign("HMAC", salted, encoder.encode("Client Key"));
  const storedKey = await crypto.subtle.digest(hash, clientKey);
  const key = await crypto.subtle.importKey("raw", storedKey, { name: "HMAC", hash }, false, ["sign"]);
  await crypto.subtle.sign("HMAC", key, f.authMessage as Uint8Array<ArrayBuffer>);
}

function callsText(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return `${total} WebCrypto calls (${Object.entries(counts).map(([m, n]) => `${m} ${n}`).join(", ")})`;
}

/**
 * Measures fresh and cached conversations against one bare WebCrypto PBKDF2, interleaved.
 *
 * @param plan warm-up and run counts
 * @returns rows with the fresh ÷ PBKDF2 and cached ÷ fresh ratios and the WebCrypto calls made
 */
export async function scramClientSection(plan: Plan): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of CASES) {
    const f = fixture(c);
    const warm = new ScramKeyCache();
    await conversation(f, warm); // also proves the fixture: a wrong v= would throw here
    const freshCalls = await countSubtleCalls(() => conversation(f, new ScramKeyCache()));
    const cachedCalls = await countSubtleCalls(() => conversation(f, warm));
    const hiPassword = encoder.encode(f.hiPassword);
    const bare = () => webCryptoPbkdf2(c, hiPassword, f.salt);
    const samples = await interleaved({
      bare,
      fresh: () => conversation(f, new ScramKeyCache()),
      cached: () => conversation(f, warm),
    }, plan);
    // The floor's six WebCrypto calls slowed the PBKDF2 of the run after the next one on Deno (the same
    // deriveBits, 3-4 % longer inside "fresh" than in "bare"), which is no client work: it has a loop of
    // its own, with bare PBKDF2 runs of its own to be paired with.
    const floorSamples = await interleaved({ bare, floor: () => webCryptoFloor(f) }, plan);
    const freshRatio = pairedRatio(samples.fresh, samples.bare);
    const cachedRatio = pairedRatio(samples.cached, samples.fresh);
    const label = `SCRAM-${c.hash}`;
    // SHA-256's PBKDF2 (15 000 iterations) is the longer one, so the same finish weighs less against it.
    const freshTarget = c.hash === "SHA-256" ? 1.07 : 1.10;
    const cachedTarget = c.hash === "SHA-256" ? 0.04 : 0.05;
    rows.push(
      {
        section: "scram-client",
        name: `${label}: bare PBKDF2 (WebCrypto)`,
        ...stats(samples.bare),
        note: "2 WebCrypto calls (importKey 1, deriveBits 1)",
      },
      {
        section: "scram-client",
        name: `${label}: fresh conversation`,
        ...stats(samples.fresh),
        ratio: freshRatio,
        ratioOf: "bare PBKDF2",
        target: `<= ${freshTarget.toFixed(2)}`,
        met: freshRatio <= freshTarget,
        note: callsText(freshCalls),
      },
      {
        section: "scram-client",
        name: `${label}: WebCrypto floor (PBKDF2, HMAC, H, import, HMAC)`,
        ...stats(floorSamples.floor),
        ratio: pairedRatio(floorSamples.floor, floorSamples.bare),
        ratioOf: "bare PBKDF2",
        note: "6 WebCrypto calls, nothing else",
      },
      {
        section: "scram-client",
        name: `${label}: cached re-authentication`,
        ...stats(samples.cached),
        ratio: cachedRatio,
        ratioOf: "fresh",
        target: `<= ${cachedTarget.toFixed(2)}`,
        met: cachedRatio <= cachedTarget,
        note: callsText(cachedCalls),
      },
    );
  }
  return rows;
}
