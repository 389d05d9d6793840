// Fuzz: mutated and random SCRAM server messages into ScramClient — server-first, server-final, and
// calls in random order. Besides "resolve or a coded MongoAuthError", two invariants: a server-first is
// only ever answered when its nonce extends ours, and a server-final is only ever accepted when it
// carries exactly the right signature. See fuzz.ts for the rules and the long-mode command.
//
// PBKDF2 is not what is fuzzed here: the key cache derives with 1 iteration whatever the server asks, so a
// hostile i=4294967295 costs nothing (through a real cache it would: see the README's Guarantees section).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ScramClient, ScramKeyCache } from "@mongo-auth/core";
import { deriveScramKeys } from "../../src/crypto/scram-key-cache.ts";
import { encodeBase64 } from "../../src/crypto/base64.ts";
import { failureMessage, fuzzCases, mutateText, type Prng, runFuzz } from "./fuzz.ts";

const cache = new ScramKeyCache({
  maxEntries: 4096,
  derive: (params) => deriveScramKeys({ ...params, iterations: 1 }),
});

interface Conversation {
  client: ScramClient;
  hash: "SHA-1" | "SHA-256";
  clientFirstBare: string;
  clientNonce: string;
  serverFirst: string;
  salt: Uint8Array;
  iterations: number;
}

function started(rng: Prng): Conversation {
  const hash = rng.pick(["SHA-1", "SHA-256"] as const);
  const username = rng.pick(["user", "we=ird,user", "\u00e9", "a".repeat(1 + rng.int(64))]);
  const client = new ScramClient({ hash, username, password: rng.pick(["pencil", "p,w=", ""]), cache });
  const clientFirst = client.clientFirstMessage();
  const clientFirstBare = clientFirst.slice(3);
  const clientNonce = clientFirst.slice(clientFirst.lastIndexOf("r=") + 2);
  const salt = rng.bytes(rng.pick([16, 28, 1, 64]));
  const iterations = rng.pick([4096, 10000, 15000]);
  const serverNonce = clientNonce + encodeBase64(rng.bytes(24));
  const serverFirst = `r=${serverNonce},s=${encodeBase64(salt)},i=${iterations}`;
  return { client, hash, clientFirstBare, clientNonce, serverFirst, salt, iterations };
}

/** A server-first: valid, mutated, random text, a valid one with extensions, or not a string at all. */
function serverFirstVariant(rng: Prng, conv: Conversation): unknown {
  switch (rng.int(6)) {
    case 0:
      return conv.serverFirst;
    case 1:
      return rng.text(rng.int(120));
    case 2:
      return `${conv.serverFirst},${rng.pick(["x=1", "m=ext", "=", "x=", "ab=c", rng.text(5)])}`;
    case 3:
      return rng.pick([undefined, null, 42, {}, [], new Uint8Array(4)]);
    default:
      return mutateText(rng, conv.serverFirst);
  }
}

// The signature a server that knows the password sends: HMAC(ServerKey, AuthMessage), with the keys of
// the client's own cache entry (same hash, password, salt, iterations).
async function serverSignature(conv: Conversation, password: string, clientFinal: string): Promise<string> {
  const keys = await cache.keys({ hash: conv.hash, password, salt: conv.salt, iterations: conv.iterations });
  const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(",p="));
  const authMessage = new TextEncoder().encode(`${conv.clientFirstBare},${conv.serverFirst},${withoutProof}`);
  return encodeBase64(keys.serverKey.sign(authMessage));
}

describe("fuzz: ScramClient", () => {
  it("server-first: answered only when well-formed and the nonce extends ours; else a coded error", async () => {
    const report = await runFuzz("scram server-first", fuzzCases(4000), async (rng) => {
      const conv = started(rng);
      const message = serverFirstVariant(rng, conv);
      const final = await conv.client.clientFinalMessage(message as string);
      const nonce = /^c=biws,r=([^,]*),p=/.exec(final)?.[1];
      if (
        nonce === undefined || !nonce.startsWith(conv.clientNonce) || nonce.length <= conv.clientNonce.length
      ) {
        throw new Error(
          `answered a server-first whose nonce does not extend ours: ${JSON.stringify(message)}`,
        );
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("server-final: accepted only with exactly the right signature; else a coded error", async () => {
    const report = await runFuzz("scram server-final", fuzzCases(4000), async (rng) => {
      const password = rng.pick(["pencil", "p,w=", "x"]);
      const hash = rng.pick(["SHA-1", "SHA-256"] as const);
      const client = new ScramClient({ hash, username: "user", password, cache });
      const clientFirst = client.clientFirstMessage();
      const clientNonce = clientFirst.slice(clientFirst.lastIndexOf("r=") + 2);
      const salt = rng.bytes(16);
      const serverFirst = `r=${clientNonce}${encodeBase64(rng.bytes(24))},s=${encodeBase64(salt)},i=4096`;
      const conv: Conversation = {
        client,
        hash,
        clientFirstBare: clientFirst.slice(3),
        clientNonce,
        serverFirst,
        salt,
        iterations: 4096,
      };
      const clientFinal = await client.clientFinalMessage(serverFirst);
      const valid = `v=${await serverSignature(conv, password, clientFinal)}`;
      const message = rng.pick([
        () => valid,
        () => mutateText(rng, valid),
        () => `${valid},${rng.pick(["x=1", "m=", rng.text(4)])}`,
        () => `e=${rng.text(rng.int(300))}`,
        () => rng.text(rng.int(80)),
        () => rng.pick([undefined, null, 1, {}]),
      ])();
      await client.verifyServerFinalMessage(message as string);
      if (typeof message !== "string" || message.split(",")[0] !== valid) {
        throw new Error(
          `accepted a server-final that is not the right signature: ${JSON.stringify(message)}`,
        );
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("calls in random order with random arguments: only coded errors", async () => {
    const report = await runFuzz("scram call order", fuzzCases(3000), async (rng) => {
      const conv = started(rng);
      const calls: (() => unknown)[] = [
        () => conv.client.clientFirstMessage(),
        () => conv.client.clientFinalMessage(serverFirstVariant(rng, conv) as string),
        () => conv.client.verifyServerFinalMessage(rng.pick(["v=AAAA", rng.text(10)])),
      ];
      // Some calls overlap (the next starts before the previous settled): the state machine must hold.
      const results: Promise<unknown>[] = [];
      for (let i = 0; i < 1 + rng.int(5); i++) {
        const call = rng.pick(calls);
        const result = Promise.resolve().then(() => call());
        results.push(result);
        if (rng.chance(0.5)) await result.catch(() => {});
      }
      // Every call's outcome is checked: the first failure is this case's outcome.
      const settled = await Promise.allSettled(results);
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
