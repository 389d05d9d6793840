// Fuzz: hostile server replies into each mechanism's conversation, through the public entry points —
// random hello replies into beginAuthentication().complete for every mechanism, mutated AWS `{ s, h }`
// replies into MONGODB-AWS, mutated identity provider information into the OIDC human flow. The
// "server" is a CommandRunner that answers each command with something plausible, mutated, random, an
// `ok: 0`, or a thrown server error. See fuzz.ts for the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, BSON } from "bson";
import {
  AuthCacheStore,
  authenticate,
  beginAuthentication,
  type CommandRunner,
  type Document,
  MongoServerError,
  type OidcCallbackParams,
  parseCredential,
  runtimeEnv,
  ScramKeyCache,
} from "@mongo-auth/core";
import { deriveScramKeys } from "../../src/crypto/scram-key-cache.ts";
import { encodeBase64 } from "../../src/crypto/base64.ts";
import { loopbackOnlyFetch } from "../support/aws-fakes.ts";
import { failureMessage, fuzzCases, mutateBytes, mutateText, type Prng, randomDoc, runFuzz } from "./fuzz.ts";
import { concatBytes } from "../../src/crypto/bytes.ts";

// PBKDF2 with 1 iteration whatever the server asks: the conversation is fuzzed, not the key derivation.
const scramKeyCache = new ScramKeyCache({
  maxEntries: 1024,
  derive: (params) => deriveScramKeys({ ...params, iterations: 1 }),
});
const env = runtimeEnv({ fetch: loopbackOnlyFetch });

const CREDENTIALS = [
  "mongodb://alice:pw@localhost/",
  "mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256",
  "mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-1",
  "mongodb://alice:pw@localhost/?authMechanism=PLAIN",
  "mongodb://localhost/?authMechanism=MONGODB-X509",
  "mongodb://AKIDEXAMPLE:wJalrXUtnFEMI@localhost/?authMechanism=MONGODB-AWS",
  "mongodb://localhost/?authMechanism=MONGODB-OIDC&machine",
  "mongodb://localhost/?authMechanism=MONGODB-OIDC&human",
];

function credentialFor(uri: string) {
  const [base, flow] = uri.split("&");
  if (!flow) return parseCredential(uri)!;
  const callback = () => Promise.resolve({ accessToken: "eyJ.fuzz.token", expiresInSeconds: 3600 });
  const property = flow === "human" ? "OIDC_HUMAN_CALLBACK" : "OIDC_CALLBACK";
  return parseCredential(base, { authMechanismProperties: { [property]: callback } })!;
}

function payloadText(cmd: Document): string {
  const p = cmd.payload;
  const bytes = p instanceof Binary ? p.value() : p instanceof Uint8Array ? p : new Uint8Array(0);
  return new TextDecoder().decode(bytes);
}

/** A SCRAM server-first for the client-first inside `cmd`, or a mutation of it. */
function scramServerFirst(rng: Prng, cmd: Document): string {
  const nonce = /r=([^,]*)/.exec(payloadText(cmd))?.[1] ?? "";
  const valid = `r=${nonce}${encodeBase64(rng.bytes(18))},s=${encodeBase64(rng.bytes(16))},i=4096`;
  return rng.chance(0.5) ? valid : mutateText(rng, valid);
}

/** A reply a hostile or broken server might send to `cmd`. */
function hostileReply(rng: Prng, cmd: Document): Document {
  const roll = rng.int(10);
  if (roll === 0) throw new MongoServerError(rng.pick([18, 391, 11600, 0]), "Fuzz", "fuzzed failure");
  if (roll === 1) return { ok: 0, code: rng.pick([18, 2, 391]), errmsg: "fuzzed", ...randomDoc(rng) };
  if (roll === 2) return randomDoc(rng);
  const reply: Document = { ok: rng.chance(0.9) ? 1 : rng.pick([true, "1", 0]), conversationId: 1 };
  reply.done = rng.chance(0.6);
  if (cmd.saslStart !== undefined && typeof cmd.mechanism === "string" && cmd.mechanism.startsWith("SCRAM")) {
    reply.payload = new TextEncoder().encode(scramServerFirst(rng, cmd));
  } else if (cmd.saslContinue !== undefined) {
    reply.payload = new TextEncoder().encode(rng.pick(["v=" + encodeBase64(rng.bytes(32)), "e=x", ""]));
  } else {
    reply.payload = rng.chance(0.5) ? rng.bytes(rng.int(40)) : BSON.serialize(randomDoc(rng));
  }
  return reply;
}

function hostileRunner(rng: Prng, onCommand?: (cmd: Document) => void): CommandRunner {
  let commands = 0;
  return {
    command(_db, cmd) {
      onCommand?.(cmd);
      // A conversation is a handful of steps; a server that never ends it is a protocol error to catch,
      // not a loop to sit in (the case's time bound would flag it).
      if (++commands > 12) throw new Error("client sent more than 12 commands in one conversation");
      return Promise.resolve().then(() => hostileReply(rng, cmd));
    },
  };
}

/** A hello reply: random fields, random mechanism lists, a plausible or random speculative reply. */
function hostileHello(rng: Prng, helloFields: Document): Document {
  const hello: Document = { ok: 1, isWritablePrimary: true, maxWireVersion: 21, ...randomDoc(rng) };
  if (rng.chance(0.6)) {
    hello.saslSupportedMechs = rng.pick([
      ["SCRAM-SHA-256", "SCRAM-SHA-1"],
      ["SCRAM-SHA-1"],
      [],
      "SCRAM-SHA-256",
      [1, null, {}],
      null,
    ]);
  }
  const speculative = helloFields.speculativeAuthenticate as Document | undefined;
  if (speculative && rng.chance(0.6)) {
    hello.speculativeAuthenticate = rng.chance(0.5)
      ? {
        conversationId: 1,
        done: rng.chance(0.5),
        payload: new TextEncoder().encode(scramServerFirst(rng, speculative)),
      }
      : rng.pick([randomDoc(rng), null, "x", [], { done: true }, { dbname: "$external", user: "CN=x" }]);
  }
  return hello;
}

describe("fuzz: mechanisms", () => {
  it("hello: random hello replies and follow-up replies, every mechanism", async () => {
    const report = await runFuzz("hello + conversation", fuzzCases(2500), async (rng) => {
      const credential = credentialFor(rng.pick(CREDENTIALS));
      const cacheStore = new AuthCacheStore({ scramKeyCache });
      const auth = await beginAuthentication(credential, { cacheStore, env, host: "localhost" });
      await auth.complete(hostileRunner(rng), hostileHello(rng, auth.helloFields));
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("MONGODB-AWS: mutated { s, h } and final replies", async () => {
    const credential = parseCredential(
      "mongodb://AKIDEXAMPLE:wJalrXUtnFEMI@localhost/?authMechanism=MONGODB-AWS",
    )!;
    const report = await runFuzz("aws {s,h}", fuzzCases(2500), async (rng) => {
      let step = 0;
      const runner: CommandRunner = {
        command(_db, cmd) {
          step++;
          if (step === 1) {
            const payload = cmd.payload as Binary;
            const r = BSON.deserialize(payload.value()).r as Binary;
            const clientNonce = r.value();
            let s: unknown = concatBytes(clientNonce, rng.bytes(32));
            let h: unknown = "sts.amazonaws.com";
            switch (rng.int(6)) {
              case 0:
                s = rng.pick([
                  concatBytes(rng.bytes(32), rng.bytes(32)),
                  concatBytes(clientNonce, rng.bytes(rng.int(64))),
                  "not-binary",
                  undefined,
                ]);
                break;
              case 1:
                h = rng.pick([
                  "",
                  ".",
                  "a..b",
                  "x".repeat(256),
                  "sts.amazonaws.com.",
                  "sts us-east-1.amazonaws.com",
                  "sts.amazonaws.com/path",
                  "sts.amazonaws.com:99999",
                  "user@sts.amazonaws.com",
                  "[::1]",
                  "b\u00fccher.example",
                  "%41",
                  "#",
                  "?",
                  rng.text(1 + rng.int(30)),
                  42,
                  null,
                ]);
                break;
              case 2:
                h = mutateText(rng, "sts.us-west-2.amazonaws.com");
                break;
              default:
            }
            let bytes = BSON.serialize({ s: s instanceof Uint8Array ? new Binary(s) : s, h });
            if (rng.chance(0.25)) bytes = mutateBytes(rng, bytes);
            return Promise.resolve({ ok: 1, conversationId: 1, done: false, payload: new Binary(bytes) });
          }
          return Promise.resolve(
            rng.chance(0.7) ? { ok: 1, conversationId: 1, done: true } : hostileReply(rng, cmd),
          );
        },
      };
      await authenticate(runner, credential, {
        cacheStore: new AuthCacheStore(),
        env,
        helloReply: { ok: 1, maxWireVersion: 21 },
      });
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("MONGODB-OIDC human flow: mutated identity provider information", async () => {
    const report = await runFuzz("oidc idp info", fuzzCases(2500), async (rng) => {
      const seen: OidcCallbackParams[] = [];
      const credential = parseCredential("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
        authMechanismProperties: {
          OIDC_HUMAN_CALLBACK: (params: OidcCallbackParams) => {
            seen.push(params);
            return Promise.resolve({ accessToken: "eyJ.fuzz.token" });
          },
        },
      })!;
      const valid = { issuer: "https://idp.example", clientId: "client", requestScopes: ["offline_access"] };
      const runner: CommandRunner = {
        command(_db, cmd) {
          if (cmd.saslStart !== undefined) {
            let doc: Document = { ...valid };
            if (rng.chance(0.7)) doc = { ...doc, ...randomDoc(rng) };
            if (rng.chance(0.2)) doc = randomDoc(rng);
            let bytes = BSON.serialize(doc);
            if (rng.chance(0.3)) bytes = mutateBytes(rng, bytes);
            const payload = rng.chance(0.9) ? new Binary(bytes) : rng.pick([undefined, "x", bytes]);
            return Promise.resolve({ ok: 1, conversationId: 1, done: false, payload });
          }
          return Promise.resolve(
            rng.chance(0.7) ? { ok: 1, conversationId: 1, done: true } : hostileReply(rng, cmd),
          );
        },
      };
      // The human flow checks the server's host against ALLOWED_HOSTS before anything is sent: without it, every
      // case would stop there (INVALID_OPTION) and no IdP information would be read.
      await authenticate(runner, credential, {
        cacheStore: new AuthCacheStore(),
        env,
        host: "localhost",
        helloReply: { ok: 1, maxWireVersion: 21 },
      });
      // What parseIdpInfo promises the callback: an issuer, a clientId only when the server gave one (an
      // identity provider for machines has none: the auth specification's prose test 1.8), scopes as strings.
      for (const { idpInfo: info } of seen) {
        const scopes = info?.requestScopes;
        const wellFormed = info !== undefined && typeof info.issuer === "string" && info.issuer !== "" &&
          (info.clientId === undefined || (typeof info.clientId === "string" && info.clientId !== "")) &&
          (scopes === undefined ||
            (Array.isArray(scopes) && scopes.every((scope) => typeof scope === "string"))) &&
          Object.keys(info).every((key) => ["issuer", "clientId", "requestScopes"].includes(key));
        if (!wellFormed) {
          throw new Error(`the callback got malformed IdP information: ${JSON.stringify(info)}`);
        }
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
    assert.ok(
      !report.outcomes.INVALID_OPTION,
      `every case should reach the server's reply: ${JSON.stringify(report.outcomes)}`,
    );
    assert.ok(
      (report.outcomes.resolved ?? 0) > 0,
      `some IdP information should be taken: ${JSON.stringify(report.outcomes)}`,
    );
  });
});
