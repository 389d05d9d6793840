// Load: many concurrent connect()+authenticate from one process against the reference server, with zero
// failures; one PBKDF2 for all SCRAM connections (counted on the client's own ScramKeyCache); one OIDC
// callback call for all OIDC connections. Prints wall time and peak RSS.
//
// The suite runs the full figures (1000 SCRAM, 100 OIDC: about 2 s on 2 cores on each runtime). More:
//   MONGO_AUTH_LOAD_SCRAM=5000 MONGO_AUTH_LOAD_OIDC=1000 node_modules/.bin/deno test -A tests/hardening/load.test.ts
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  AuthCacheStore,
  type Connection,
  connectWith,
  type OidcCallbackParams,
  ScramKeyCache,
} from "@mongo-auth/core";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { runtime, transports } from "../support/transports.ts";

const SCRAM_CONNECTIONS = count("MONGO_AUTH_LOAD_SCRAM", 1000);
const OIDC_CONNECTIONS = count("MONGO_AUTH_LOAD_OIDC", 100);

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new TypeError(`${name} must be a positive integer, got ${raw}`);
  }
  return n;
}

/** Peak resident set size while `work` runs, sampled every 20 ms (and at the end). */
async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ result: T; startRss: number; peakRss: number; wallMs: number }> {
  const rss = () => {
    try {
      return process.memoryUsage().rss;
    } catch {
      return -1;
    }
  };
  const startRss = rss();
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 20);
  const started = performance.now();
  try {
    const result = await work();
    peakRss = Math.max(peakRss, rss());
    return { result, startRss, peakRss, wallMs: performance.now() - started };
  } finally {
    clearInterval(sampler);
  }
}

function rssText(startRss: number, peakRss: number): string {
  return `peakRssMB=${(peakRss / 1e6).toFixed(1)} (startRssMB=${(startRss / 1e6).toFixed(1)})`;
}

/** Opens `n` connections at once; returns them all, or throws listing every failure. */
async function connectAll(n: number, open: () => Promise<Connection>): Promise<Connection[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, open));
  const connections = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failures = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
  if (failures.length > 0) {
    await Promise.all(connections.map((c) => c.close()));
    const distinct = [...new Set(failures)].slice(0, 5).join("; ");
    throw new Error(`${failures.length} of ${n} connections failed: ${distinct}`);
  }
  return connections;
}

// One transport per runtime is enough for load (the transports' own suites cover each of them).
const { name, transport } = (await transports())[0];

describe(`load (${runtime}, ${name} transport)`, () => {
  let server: RunningServer;
  let idp: TestIdentityProvider;
  before(async () => {
    idp = await createIdentityProvider();
    server = await startServer({
      users: [
        { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
        { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
      ],
      oidc: oidcServerConfig(idp),
    } as ServerConfig);
  });
  after(() => server.close());

  it(`${SCRAM_CONNECTIONS} concurrent SCRAM-SHA-256 connections: no failure, one PBKDF2`, async () => {
    const scramKeyCache = new ScramKeyCache();
    const cacheStore = new AuthCacheStore({ scramKeyCache });
    const uri = `mongodb://alice:alice-pw@${server.address}/?authMechanism=SCRAM-SHA-256`;
    const successesBefore = server.stats.authSuccesses;
    const { result: connections, startRss, peakRss, wallMs } = await withPeakRss(() =>
      connectAll(
        SCRAM_CONNECTIONS,
        () => connectWith(transport, uri, { cacheStore, connectTimeoutMS: 60_000 }),
      )
    );
    try {
      assert.equal(connections.length, SCRAM_CONNECTIONS);
      assert.ok(connections.every((c) => c.handshake.mechanism === "SCRAM-SHA-256"));
      assert.equal(server.stats.authSuccesses - successesBefore, SCRAM_CONNECTIONS);
      assert.equal(scramKeyCache.computations, 1, "PBKDF2 ran once for all connections");
      assert.equal(scramKeyCache.hits, SCRAM_CONNECTIONS - 1);
      const reply = await connections[SCRAM_CONNECTIONS - 1].command("admin", { ping: 1 });
      assert.equal(reply.ok, 1);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
    }
    console.info(
      `load scram: runtime=${runtime} transport=${name} connections=${SCRAM_CONNECTIONS} failures=0 ` +
        `pbkdf2=${scramKeyCache.computations} wallMs=${wallMs.toFixed(0)} ${rssText(startRss, peakRss)}`,
    );
  });

  it(`${OIDC_CONNECTIONS} concurrent MONGODB-OIDC connections: no failure, one callback call`, async () => {
    const calls: OidcCallbackParams[] = [];
    const options = {
      cacheStore: new AuthCacheStore(),
      connectTimeoutMS: 60_000,
      authMechanismProperties: {
        OIDC_CALLBACK: async (params: OidcCallbackParams) => {
          calls.push(params);
          return { accessToken: await idp.token("test_user1"), expiresInSeconds: 3600 };
        },
      },
    };
    const uri = `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`;
    const { result: connections, startRss, peakRss, wallMs } = await withPeakRss(() =>
      connectAll(OIDC_CONNECTIONS, () => connectWith(transport, uri, options))
    );
    try {
      assert.equal(connections.length, OIDC_CONNECTIONS);
      assert.equal(calls.length, 1, "the callback ran once for all connections");
    } finally {
      await Promise.all(connections.map((c) => c.close()));
    }
    console.info(
      `load oidc: runtime=${runtime} transport=${name} connections=${OIDC_CONNECTIONS} failures=0 ` +
        `callbackCalls=${calls.length} wallMs=${wallMs.toFixed(0)} ${rssText(startRss, peakRss)}`,
    );
  });
});
