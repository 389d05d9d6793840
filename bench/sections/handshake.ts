// Section 3: connect + hello + authentication per mechanism, against the reference server on loopback
// (in this process), one connection after another. The handshake's own round-trip count
// (conn.handshake.roundTrips) is reported with each.
import {
  AuthCacheStore,
  type ConnectOptions,
  connectWith,
  type OidcCallback,
  runtimeEnv,
  ScramKeyCache,
  type Transport,
} from "../../mod.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { createIdentityProvider, oidcServerConfig } from "../../testing/identity-provider.ts";
import { fixturePath } from "../../testing/paths.ts";
import { TraceRecorder } from "../../src/core/trace.ts";
import { type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";

const AWS_KEY_ID = "AKIAEXAMPLEKEY123456";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AWS_ARN = "arn:aws:iam::123456789012:user/bench";

interface Scenario {
  readonly name: string;
  readonly uri: (address: string) => string;
  /** Called before every connect: a scenario decides which caches carry over between connects. */
  readonly options?: () => ConnectOptions;
  /** Which server to connect to; the plain one unless said. */
  readonly server?: "tls";
  /** The round trips the mechanism should take (issue #8), if it sets a target. */
  readonly roundTrips?: number;
}

async function scenarios(): Promise<{ config: ServerConfig; list: Scenario[] }> {
  const idp = await createIdentityProvider();
  const token = await idp.token("bench-oidc", 3600);
  const callback: OidcCallback = () => Promise.resolve({ accessToken: token });
  const config = {
    users: [
      { db: "admin", user: "bench", password: "bench-pw", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
      { db: "$external", user: AWS_ARN, mechanisms: ["MONGODB-AWS"] },
      { db: "$external", user: "bench-oidc", mechanisms: ["MONGODB-OIDC"] },
    ],
    aws: { accounts: [{ accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET, arn: AWS_ARN }] },
    oidc: oidcServerConfig(idp),
  } as ServerConfig;
  const scram = (mechanism: string) => (a: string) =>
    `mongodb://bench:bench-pw@${a}/?authMechanism=${mechanism}`;
  // One store per scenario: its connects share SCRAM keys and OIDC tokens, as a client's pool does.
  const shared = () => {
    const store = new AuthCacheStore();
    return () => ({ cacheStore: store });
  };
  const pki = (name: string) => encodeURIComponent(fixturePath(`pki/${name}`));
  const list: Scenario[] = [
    { name: "no authentication (hello only)", uri: (a) => `mongodb://${a}/` },
    { name: "SCRAM-SHA-256, cached keys", uri: scram("SCRAM-SHA-256"), options: shared(), roundTrips: 2 },
    { name: "SCRAM-SHA-1, cached keys", uri: scram("SCRAM-SHA-1"), options: shared(), roundTrips: 2 },
    {
      name: "SCRAM-SHA-256, fresh keys (PBKDF2 each time)",
      uri: scram("SCRAM-SHA-256"),
      options: () => ({ cacheStore: new AuthCacheStore({ scramKeyCache: new ScramKeyCache() }) }),
      roundTrips: 2,
    },
    {
      name: "MONGODB-X509 (TLS, client certificate)",
      uri: (a) =>
        `mongodb://${a}/?tls=true&authMechanism=MONGODB-X509&tlsCAFile=${pki("ca.pem")}` +
        `&tlsCertificateKeyFile=${pki("client.pem")}`,
      server: "tls",
      roundTrips: 1,
    },
    {
      name: "MONGODB-AWS, keys in the URI",
      uri: (a) => `mongodb://${AWS_KEY_ID}:${encodeURIComponent(AWS_SECRET)}@${a}/?authMechanism=MONGODB-AWS`,
      // Keys come from the URI; an env of its own keeps the chain away from this machine's AWS setup.
      options: () => ({ env: runtimeEnv({ env: { AWS_EC2_METADATA_DISABLED: "true" } }) }),
    },
    {
      name: "MONGODB-OIDC, cached token",
      uri: (a) => `mongodb://${a}/?authMechanism=MONGODB-OIDC`,
      // The first (warm-up) connect gets the token from the callback; the timed ones reuse it.
      options: (() => {
        const store = new AuthCacheStore();
        const env = runtimeEnv();
        return () => ({ cacheStore: store, env, authMechanismProperties: { OIDC_CALLBACK: callback } });
      })(),
      roundTrips: 1,
    },
  ];
  return { config, list };
}

const X509_USER = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";

// The TLS server for MONGODB-X509 (testing/fixtures/pki); undefined where this checkout's reference
// server has no TLS support yet, and the X509 row is then left out.
async function startTlsServer(): Promise<RunningServer | undefined> {
  const pem = (name: string) => fixturePath(`pki/${name}`);
  try {
    return await startServer({
      users: [{ db: "$external", user: X509_USER, mechanisms: ["MONGODB-X509"] }],
      tls: { cert: pem("server-cert.pem"), key: pem("server-key.pem"), ca: pem("ca.pem") },
    } as ServerConfig);
  } catch {
    return undefined;
  }
}

/**
 * Times sequential handshakes per mechanism.
 *
 * @param plan warm-up and run counts
 * @param transport the runtime's transport
 * @returns one row per mechanism with median, p99 and round trips
 */
export async function handshakeSection(plan: Plan, transport: Transport): Promise<Row[]> {
  const { config, list } = await scenarios();
  const server = await startServer(config);
  const tlsServer = await startTlsServer();
  const rows: Row[] = [];
  try {
    for (const scenario of list) {
      const target = scenario.server === "tls" ? tlsServer : server;
      if (target === undefined) continue;
      const samples: number[] = [];
      const roundTrips = new Set<number>();
      for (let i = 0; i < plan.warmup + plan.runs; i++) {
        const options = scenario.options?.();
        const started = performance.now();
        const conn = await connectWith(transport, scenario.uri(target.address), options);
        const elapsed = performance.now() - started;
        if (i >= plan.warmup) {
          samples.push(elapsed);
          roundTrips.add(conn.handshake.roundTrips);
        }
        await conn.close();
      }
      const trips = [...roundTrips];
      rows.push({
        section: "handshake",
        name: scenario.name,
        ...stats(samples),
        ...(scenario.roundTrips === undefined ? {} : {
          target: `${scenario.roundTrips} round trip${scenario.roundTrips > 1 ? "s" : ""}`,
          met: trips.length === 1 && trips[0] === scenario.roundTrips,
        }),
        note: `${trips.join("/")} round trip(s)`,
      });
    }
    const cached = rows.find((row) => row.name === "SCRAM-SHA-256, cached keys");
    if (cached) rows.push(...await traceCosts(plan, transport, server.address, cached.median));
  } finally {
    await server.close();
    await tlsServer?.close();
  }
  return rows;
}

// Logins re-recorded per timed run: one takes microseconds, too little for the clock to time alone.
const TRACE_REPEAT = 1000;

// What the trace of a login costs when no one listens (every connect() records one): a cached
// SCRAM-SHA-256 login's own events, recorded again into fresh recorders, per login, ÷ that login; unread
// (as most connections' traces are), and read (its events made).
async function traceCosts(plan: Plan, transport: Transport, address: string, login: number): Promise<Row[]> {
  const uri = `mongodb://bench:bench-pw@${address}/?authMechanism=SCRAM-SHA-256`;
  const cacheStore = new AuthCacheStore();
  await (await connectWith(transport, uri, { cacheStore })).close();
  const conn = await connectWith(transport, uri, { cacheStore });
  const events = conn.trace;
  await conn.close();
  const time = (read: boolean): Row => {
    const samples: number[] = [];
    for (let i = 0; i < plan.warmup + plan.runs; i++) {
      const started = performance.now();
      for (let r = 0; r < TRACE_REPEAT; r++) {
        const trace = new TraceRecorder();
        for (const event of events) {
          trace.emit(event.type, { ...event.attributes } as never, event.durationMs);
        }
        if (read) void trace.events;
      }
      if (i >= plan.warmup) samples.push((performance.now() - started) / TRACE_REPEAT);
    }
    const summary = stats(samples);
    return {
      section: "handshake",
      name: `the trace of that login, recorded with no listener${read ? " and read" : ""}`,
      ...summary,
      ratio: summary.median / login,
      ratioOf: "SCRAM-SHA-256, cached keys",
      note: `${events.length} events`,
    };
  };
  return [time(false), time(true)];
}
