// Fuzz: connect() against deployments whose members answer hello with lies — wrong types, wire versions no
// client speaks, sets that name other hosts, primaries that are not, sizes of 0 or 2⁴⁰, compressors and
// mechanisms that do not exist — and then refuse, stall or hang up. Server discovery, selection, the
// handshake and the login must end in a coded error or a connection, within the timeouts, with every socket
// they opened closed. Each socket is an in-memory peer; no network. See fuzz.ts for the rules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  connectWith,
  type Document,
  MongoAuthError,
  runtimeEnv,
  ScramKeyCache,
  type Transport,
} from "@mongo-auth/core";
import { FULL_CAPABILITIES } from "../../src/client/transport.ts";
import { deriveScramKeys } from "../../src/crypto/scram-key-cache.ts";
import { loopbackOnlyFetch } from "../support/aws-fakes.ts";
import { memorySocket, type Peer, replyTo, requestBody } from "../support/memory-socket.ts";
import { failureMessage, fuzzCases, type Prng, randomDoc, randomValue, runFuzz } from "./fuzz.ts";

const env = runtimeEnv({ env: {}, fetch: loopbackOnlyFetch });
// PBKDF2 with 1 iteration whatever the server asks: the handshake is fuzzed, not the key derivation.
const scramKeyCache = new ScramKeyCache({
  derive: (params) => deriveScramKeys({ ...params, iterations: 1 }),
});

const URIS = [
  "mongodb://alice:pw@h:27017/",
  "mongodb://h:27017/",
  "mongodb://alice:pw@h:27017/?replicaSet=rs",
  "mongodb://h:27017,a:27017/?readPreference=secondaryPreferred",
  "mongodb://h:27017/?directConnection=true&compressors=zlib,snappy",
  "mongodb://h:27017/?loadBalanced=true",
  "mongodb://alice:pw@h:27017/?authMechanism=PLAIN",
  "mongodb://h:27017/?readPreference=nearest&maxStalenessSeconds=90&replicaSet=rs",
];

/** Hostile values for the fields a hello reply carries. */
const FIELDS: Record<string, unknown[]> = {
  ok: [1, 0, true, "1", null],
  isWritablePrimary: [true, false, 1, "yes"],
  secondary: [true, false, 1],
  arbiterOnly: [true, 1],
  msg: ["isdbgrid", 5, ""],
  setName: ["rs", "", 5, {}, "other"],
  hosts: [["a:27017", "b:27017"], [], "a:27017", [5, null], ["[::1]:1", "x:0", "y:99999"], ["h:27017"]],
  passives: [["c:1"], 5],
  primary: ["a:27017", 5, "h:27017", ""],
  me: ["h:27017", 5, "zz"],
  maxWireVersion: [21, 0, -1, 1e9, "21", null, 6, 2 ** 53],
  minWireVersion: [0, 21, 30, "0", -5],
  setVersion: [1, "x", -1, 2 ** 40],
  electionId: ["x", 5, {}],
  topologyVersion: [{ processId: "p", counter: 1 }, 5, {}, { counter: "x" }],
  logicalSessionTimeoutMinutes: [30, null, "x"],
  maxBsonObjectSize: [16_777_216, -1, "x", 0],
  maxMessageSizeBytes: [48_000_000, 0, -5, "x", 2 ** 40, 10],
  compression: [["zlib"], ["snappy", "zlib"], "zlib", [5], ["zstd"], {}],
  saslSupportedMechs: [["SCRAM-SHA-256"], [], "SCRAM-SHA-1", [5], null],
  serviceId: ["x", 5, {}],
  speculativeAuthenticate: [{}, 5, { conversationId: 1, done: false, payload: new Uint8Array([1, 2]) }, null],
  lastWrite: [{ lastWriteDate: new Date(0) }, 5, { lastWriteDate: "x" }],
  tags: [{ dc: "ny" }, 5, { dc: 5 }],
};

const PRIMARY = {
  ok: 1,
  isWritablePrimary: true,
  maxWireVersion: 21,
  minWireVersion: 0,
  maxMessageSizeBytes: 48_000_000,
  maxBsonObjectSize: 16_777_216,
  setName: "rs",
  hosts: ["h:27017"],
  me: "h:27017",
  primary: "h:27017",
  setVersion: 1,
  electionId: "7fffffff0000000000000001",
};

function hostileHello(rng: Prng): Document {
  const hello: Document = rng.chance(0.2) ? randomDoc(rng) : { ...PRIMARY };
  if (rng.chance(0.3)) {
    for (const name of ["setName", "hosts", "primary", "me", "electionId", "setVersion"]) delete hello[name];
  }
  for (let n = rng.int(5); n > 0; n--) {
    const name = rng.pick(Object.keys(FIELDS));
    hello[name] = rng.chance(0.8) ? rng.pick(FIELDS[name]) : randomValue(rng);
  }
  return hello;
}

/** A transport whose every socket is a peer that answers hello with lies, then refuses, stalls or hangs up. */
function hostileDeployment(rng: Prng, peers: Peer[]): Transport {
  return {
    platform: "Fuzz 1.0",
    osType: "Linux",
    capabilities: { runtime: "Fuzz", ...FULL_CAPABILITIES },
    defaultEnv: () => env,
    resolveSrv: () => Promise.resolve([]),
    resolveTxt: () => Promise.resolve([]),
    openSocket: () => {
      if (rng.chance(0.05)) return Promise.reject(new MongoAuthError("CONNECTION_FAILED", "refused"));
      const { socket, peer } = memorySocket(rng.chance(0.5) ? "raw" : "streams");
      peers.push(peer);
      void answer(rng, peer);
      return Promise.resolve(socket);
    },
  };
}

async function answer(rng: Prng, peer: Peer): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const request = await peer.nextWrite();
    const name = Object.keys(requestBody(request))[0];
    if (rng.chance(0.03)) return peer.end();
    if (rng.chance(0.03)) continue; // never answered: a timeout must end it
    const reply = name === "hello" || name === "isMaster"
      ? hostileHello(rng)
      : rng.chance(0.5)
      ? { ok: 0, code: rng.pick([18, 391, 11600, 2]), errmsg: "refused by the fuzz" }
      : { ok: 1, ...randomDoc(rng) };
    peer.send(replyTo(request, reply));
  }
}

describe("fuzz: connect() against lying members", () => {
  it("hello replies of every shape, then refusals, stalls and hang-ups: a coded error or a connection, sockets closed", async () => {
    const report = await runFuzz("connect() against lying members", fuzzCases(400), async (rng) => {
      const peers: Peer[] = [];
      try {
        const conn = await connectWith(hostileDeployment(rng, peers), rng.pick(URIS), {
          env,
          cacheStore: new AuthCacheStore({ scramKeyCache }),
          connectTimeoutMS: 200,
          serverSelectionTimeoutMS: 300,
          socketTimeoutMS: 200,
        });
        await conn.close();
      } finally {
        const open = peers.filter((peer) => !peer.closed).length;
        assert.equal(open, 0, `${open} socket(s) left open`);
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
