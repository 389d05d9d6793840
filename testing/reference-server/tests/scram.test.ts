// The server's SCRAM verifier against the RFC 5802 (SHA-1) and RFC 7677 (SHA-256) example
// exchanges, replayed with the RFCs' fixed nonce and salt, plus mongod's rejection rules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthFailure, CommandError } from "../errors.ts";
import {
  deriveScramCredential,
  mongoScramPassword,
  type ScramCredential,
  type ScramHash,
  scramMechanism,
  type ScramServerOptions,
} from "../mechanisms/scram.ts";
import type { SaslConversation, ServerAuthContext, StoredUser } from "../sasl.ts";

const RFC = {
  sha1: {
    name: "SCRAM-SHA-1",
    salt: "QSXCR+Q6sek8bf92",
    clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    serverNonce: "3rfcNHYJY1ZVvWVs7j",
    serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  },
  sha256: {
    name: "SCRAM-SHA-256",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  },
} as const;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const credentials = new Map<ScramHash, ScramCredential>();

/** The RFC user's stored credential, derived once per hash. */
function rfcCredential(hash: ScramHash): ScramCredential {
  let credential = credentials.get(hash);
  if (credential === undefined) {
    credential = deriveScramCredential(hash, "pencil", Buffer.from(RFC[hash].salt, "base64"), 4096);
    credentials.set(hash, credential);
  }
  return credential;
}

/** A conversation for the RFC's user "user" / password "pencil" (fed to Hi() as is). */
function rfcConversation(
  hash: ScramHash,
  options: Record<string, unknown> = {},
  mechanismOptions: ScramServerOptions = { serverNonce: () => RFC[hash].serverNonce },
) {
  const vector = RFC[hash];
  const credential = rfcCredential(hash);
  const user: StoredUser = {
    db: "admin",
    user: "user",
    mechanisms: [vector.name],
    roles: [],
    credentials: new Map([[vector.name, credential]]),
  };
  const outcome: { principal?: string } = {};
  const ctx: ServerAuthContext = {
    db: "admin",
    config: {},
    connection: { id: 1, remoteAddress: "127.0.0.1", remotePort: 1, tls: false },
    speculative: false,
    options,
    findUser: (name, db) => (name === user.user && db === user.db ? user : undefined),
    authenticated: (name, db) => {
      outcome.principal = `${name}@${db}`;
    },
  };
  const conversation = scramMechanism(hash, mechanismOptions).start(ctx);
  return { vector, conversation, outcome };
}

async function rejects(conversation: SaslConversation, payload: string): Promise<void> {
  await assert.rejects(() => conversation.step(enc(payload)), AuthFailure);
}

for (const hash of ["sha1", "sha256"] as const) {
  describe(`server ${RFC[hash].name} verifier`, () => {
    it("replays the RFC example exchange and finishes with an empty third step", async () => {
      const { vector, conversation, outcome } = rfcConversation(hash);
      const first = await conversation.step(enc(vector.clientFirst));
      assert.deepEqual([dec(first.payload), first.done], [vector.serverFirst, false]);
      const final = await conversation.step(enc(vector.clientFinal));
      assert.deepEqual([dec(final.payload), final.done], [vector.serverFinal, false]);
      assert.equal(outcome.principal, undefined, "not authenticated before the conversation is done");
      const last = await conversation.step(new Uint8Array(0));
      assert.deepEqual([dec(last.payload), last.done], ["", true]);
      assert.equal(outcome.principal, "user@admin");
      await rejects(conversation, "");
    });

    it("makes each server nonce of 24 random bytes, never the same twice", async () => {
      // Past 256 conversations: the random bytes come from a pool that is refilled.
      const nonces = new Set<string>();
      for (let i = 0; i < 600; i++) {
        const { vector, conversation } = rfcConversation(hash, {}, {});
        const serverFirst = dec((await conversation.step(enc(vector.clientFirst))).payload);
        const nonce = /^r=([^,]*),/.exec(serverFirst)![1];
        assert.ok(nonce.startsWith(vector.clientFirst.split("r=")[1]), "the client's nonce comes first");
        const serverPart = nonce.slice(vector.clientFirst.split("r=")[1].length);
        assert.equal(Buffer.from(serverPart, "base64").length, 24);
        assert.equal(Buffer.from(serverPart, "base64").toString("base64"), serverPart);
        nonces.add(serverPart);
      }
      assert.equal(nonces.size, 600);
    });

    it("is done after the server signature with skipEmptyExchange", async () => {
      const { vector, conversation, outcome } = rfcConversation(hash, { skipEmptyExchange: true });
      await conversation.step(enc(vector.clientFirst));
      const final = await conversation.step(enc(vector.clientFinal));
      assert.deepEqual([dec(final.payload), final.done], [vector.serverFinal, true]);
      assert.equal(outcome.principal, "user@admin");
      await rejects(conversation, "");
    });

    it("fails a wrong proof", async () => {
      const { vector, conversation, outcome } = rfcConversation(hash);
      await conversation.step(enc(vector.clientFirst));
      const proof = vector.clientFinal.slice(vector.clientFinal.lastIndexOf("p=") + 2);
      const flipped = Buffer.from(proof, "base64");
      flipped[0] ^= 1;
      await rejects(conversation, vector.clientFinal.replace(proof, flipped.toString("base64")));
      assert.equal(outcome.principal, undefined);
    });

    it("throws mongod's uasserts, not an AuthFailure, for a proof that is no base64 or not one hash long", async () => {
      const block = hash === "sha1" ? "SHA1Block" : "SHA256Block";
      const cases = [
        ["AAAA", 16, `Unsupported ${block} hash length: 3`],
        ["AAAAA", 10270, "invalid base64"],
        [
          "AA!A",
          40537,
          "Invalid base64 character",
        ],
      ] as const;
      for (const [proof, code, message] of cases) {
        const { vector, conversation } = rfcConversation(hash);
        await conversation.step(enc(vector.clientFirst));
        const final = vector.clientFinal.replace(/p=.*$/, `p=${proof}`);
        await assert.rejects(
          () => conversation.step(enc(final)),
          (e: unknown) => e instanceof CommandError && e.code === code && e.message === message,
        );
      }
    });

    it("fails a final message whose nonce is not the combined nonce", async () => {
      const { vector, conversation } = rfcConversation(hash);
      await conversation.step(enc(vector.clientFirst));
      await rejects(conversation, vector.clientFinal.replace(vector.serverNonce, "x".repeat(18)));
    });

    it("fails channel-binding data that is not base64 of the gs2 header", async () => {
      const { vector, conversation } = rfcConversation(hash);
      await conversation.step(enc(vector.clientFirst));
      await rejects(conversation, vector.clientFinal.replace("c=biws", "c=eSws"));
    });

    it("refuses channel binding (p=) and bad first messages as mongod does", async () => {
      const bad = [
        "p=tls-unique,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "x,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "n,,m=ext,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "n,,n=user,r=abc",
        "n,,n=,r=fyko+d2lbbFgONRv9qkxdawL",
        "n,a=other,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "n,,n=nobody,r=fyko+d2lbbFgONRv9qkxdawL",
      ];
      for (const message of bad) await rejects(rfcConversation(hash).conversation, message);
    });

    it("rejects a non-boolean skipEmptyExchange at start with BadValue", () => {
      assert.throws(() => rfcConversation(hash, { skipEmptyExchange: 1 }), (e: unknown) => {
        return e instanceof CommandError && e.code === 2;
      });
    });
  });
}

describe("mongod's SCRAM passwords", () => {
  it("SCRAM-SHA-1 digests the raw user name; SCRAM-SHA-256 SASLpreps the password", () => {
    // hex(MD5("user:mongo:pencil"))
    assert.equal(mongoScramPassword("sha1", "user", "pencil"), "1c33006ec1ffd90f9cadcbcc0e118200");
    assert.equal(mongoScramPassword("sha256", "user", "I\u00ADX"), "IX");
    assert.equal(mongoScramPassword("sha256", "user", "\u2168"), "IX");
  });
});
