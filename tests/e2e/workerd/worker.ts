// The test Worker: bundled from our sources by tests/e2e/workerd/bundle.ts and run inside workerd by
// tests/e2e/workerd/run.ts. Each path is one scenario; the answer is JSON, `{ error: { code, message } }`
// when the scenario threw. Everything it reaches is on loopback: the reference servers and a
// DNS-over-HTTPS resolver whose addresses come in as bindings.
import { connect, createWorkersTransport, workersTransport } from "../../../src/transport/workers.ts";
import { connectWith } from "../../../src/client/connect.ts";
import { planConnection } from "../../../src/client/connect-plan.ts";
import { seedlistView } from "../../support/seedlist-view.ts";
import { uriSpecView } from "../../support/uri-spec-view.ts";
import type { ConnectOptions } from "../../../src/client/options.ts";
import type { Connection } from "../../../src/client/connection.ts";
import type { Transport } from "../../../src/client/transport.ts";
import { runtimeEnv } from "../../../src/core/runtime-env.ts";

/** The bindings run.ts configures. */
export interface Bindings {
  /** "127.0.0.1:PORT" of the reference server with the default SCRAM iteration counts. */
  MONGODB_ADDRESS: string;
  /** "127.0.0.1:PORT" of a reference server whose SCRAM iteration counts exceed Workers' PBKDF2 cap. */
  MONGODB_CAPPED_ADDRESS: string;
  /** "127.0.0.1:PORT" of the reference server that speaks TLS only (certificate from the test CA). */
  MONGODB_TLS_ADDRESS: string;
  /** The loopback DNS-over-HTTPS resolver. */
  DOH_ENDPOINT: string;
  /** A loopback DNS-over-HTTPS resolver for the seedlist spec's zone (test.build.10gen.cc). */
  SEEDLIST_DOH_ENDPOINT: string;
  /** An AWS access key the reference server's fake STS knows (secrets come in as bindings). */
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  /** A JWT of the reference server's identity provider, for the OIDC callback. */
  OIDC_TOKEN: string;
  /** "127.0.0.1:PORT" of a reference server with requireApiVersion (the Stable API enforced). */
  MONGODB_API_ADDRESS: string;
  /** "127.0.0.1:PORT" of a listener that accepts and never answers. */
  SILENT_ADDRESS: string;
}

type Scenario = (url: URL, env: Bindings) => Promise<unknown>;

// SRV targets are names under example.test (a reserved domain no resolver knows): their sockets go
// to the reference server on loopback, so DNS-over-HTTPS is the only DNS in play.
function loopbackNames(transport: Transport): Transport {
  return {
    ...transport,
    openSocket: (options) =>
      transport.openSocket({
        ...options,
        host: options.host.endsWith(".example.test") ? "127.0.0.1" : options.host,
      }),
  };
}

async function summarize(conn: Connection): Promise<unknown> {
  try {
    const status = await conn.command("admin", { connectionStatus: 1 });
    const users = (status.authInfo as { authenticatedUsers: unknown[] }).authenticatedUsers;
    return {
      host: conn.host,
      mechanism: conn.handshake.mechanism ?? null,
      speculative: conn.handshake.speculative,
      roundTrips: conn.handshake.roundTrips,
      durationMs: conn.handshake.durationMs,
      user: users[0] ?? null,
    };
  } finally {
    await conn.close();
  }
}

function login(address: string, url: URL, options?: ConnectOptions): Promise<Connection> {
  const user = encodeURIComponent(url.searchParams.get("user") ?? "alice");
  const password = encodeURIComponent(url.searchParams.get("password") ?? "alice-pw");
  const mechanism = url.searchParams.get("mechanism");
  const query = mechanism ? `?authMechanism=${mechanism}` : "";
  return connect(`mongodb://${user}:${password}@${address}/${query}`, options);
}

// Cloudflare's production runtime refuses PBKDF2 above 100 000 iterations; workerd has no such cap.
// This scenario puts the production behaviour (its exact DOMException) in front of deriveBits and
// deriveKey (PBKDF2 through either) for the duration of one request, so the error mongo-auth gives on
// Workers is checked inside workerd.
async function withProductionPbkdf2Cap<T>(run: () => Promise<T>): Promise<T> {
  const subtle = crypto.subtle;
  const originals = { deriveBits: subtle.deriveBits, deriveKey: subtle.deriveKey };
  const refuseAboveCap = (algorithm: unknown) => {
    const iterations = (algorithm as { iterations?: number }).iterations ?? 0;
    if (iterations <= 100_000) return undefined;
    return Promise.reject(
      new DOMException(
        `Pbkdf2 failed: iteration counts above 100000 are not supported (requested ${iterations}).`,
        "NotSupportedError",
      ),
    );
  };
  const deriveBits: typeof originals.deriveBits = (algorithm, ...rest) =>
    refuseAboveCap(algorithm) ?? originals.deriveBits.call(subtle, algorithm, ...rest);
  const deriveKey: typeof originals.deriveKey = (algorithm, ...rest) =>
    refuseAboveCap(algorithm) ?? originals.deriveKey.call(subtle, algorithm, ...rest);
  const set = (name: keyof typeof originals, value: unknown) =>
    Object.defineProperty(subtle, name, { value, configurable: true, writable: true });
  set("deriveBits", deriveBits);
  set("deriveKey", deriveKey);
  try {
    return await run();
  } finally {
    set("deriveBits", originals.deriveBits);
    set("deriveKey", originals.deriveKey);
  }
}

// Where connect() put the connection on a replica set, a mongos or a load balancer, and whether a write
// and a read work there (each outcome, or the error's code and server code).
async function placement(url: URL): Promise<unknown> {
  const conn = await connect(url.searchParams.get("uri") ?? "", { connectTimeoutMS: 5000 });
  const outcome = (run: () => Promise<unknown>) =>
    run().then(
      () => "ok",
      (err: { code?: string; serverCode?: number }) => ({ code: err.code, serverCode: err.serverCode }),
    );
  try {
    return {
      address: conn.address,
      role: conn.role,
      setName: conn.setName ?? null,
      serviceId: conn.serviceId ?? null,
      topology: { type: conn.topology.type, hosts: [...conn.topology.hosts].sort() },
      serversChecked: conn.handshake.serversChecked,
      write: await outcome(() => conn.command("app", { insert: "worker", documents: [{}] })),
      read: await outcome(() => conn.command("app", { find: "worker", filter: {}, limit: 1 })),
    };
  } finally {
    await conn.close();
  }
}

const scenarios: Record<string, Scenario> = {
  "/health": () => Promise.resolve({ ok: true }),
  // Replica sets, mongoses and the load balancer: the URI says which; see placement().
  "/placement": (url) => placement(url),
  // Requests of one isolate at once to one replica set: the first one's scan serves the others, which wait for
  // it from their own requests.
  "/placement-shared": async (url) => {
    const conn = await connect(url.searchParams.get("uri") ?? "", { connectTimeoutMS: 5000 });
    try {
      const event = conn.trace.find((e) => e.type === "server.selected");
      const selected = event?.type === "server.selected" ? event.attributes : undefined;
      return {
        address: conn.address,
        role: conn.role,
        rememberedMs: selected?.rememberedMs ?? null,
        waitedMs: selected?.waitedMs ?? null,
      };
    } finally {
      await conn.close();
    }
  },
  "/login": async (url, env) => summarize(await login(env.MONGODB_ADDRESS, url)),
  "/srv": async (_url, env) => {
    const transport = loopbackNames(createWorkersTransport({ dnsOverHttps: env.DOH_ENDPOINT }));
    return summarize(
      await connectWith(transport, "mongodb+srv://carol:carol-pw@cluster0.example.test/?tls=false"),
    );
  },
  "/srv-option": async (_url, env) => {
    const conn = await connectWith(
      loopbackNames(workersTransport),
      "mongodb+srv://carol:carol-pw@cluster0.example.test/?tls=false",
      { dnsOverHttps: env.DOH_ENDPOINT },
    );
    return summarize(conn);
  },
  // Requests of one isolate at once: the answer of one DNS-over-HTTPS lookup (answered late) serves them all.
  "/srv-shared": async (_url, env) => {
    let reused = false;
    const conn = await connectWith(
      loopbackNames(workersTransport),
      "mongodb+srv://carol:carol-pw@cluster1.example.test/?tls=false",
      {
        dnsOverHttps: env.DOH_ENDPOINT,
        onEvent: (event) => void (event.type === "dns.srv" && (reused = event.attributes.reused === true)),
      },
    );
    return { ...await summarize(conn) as object, reused };
  },
  // The connection-string, uri-options and auth legacy spec cases: what a URI parses to, and its credential.
  "/uri": (url) => Promise.resolve(uriSpecView(url.searchParams.get("uri") ?? "")),
  // The seedlist spec's cases: what connect() settles on before its first socket, over DNS-over-HTTPS.
  "/plan": (url, env) => {
    const uri = url.searchParams.get("uri") ?? "";
    return seedlistView(
      uri,
      () => planConnection(workersTransport, uri, { dnsOverHttps: env.SEEDLIST_DOH_ENDPOINT }),
    );
  },
  "/x509": (_url, env) =>
    connect(`mongodb://${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-X509&tls=true`, {
      tlsCertificateKey: { cert: "-----BEGIN CERTIFICATE-----", key: "-----BEGIN PRIVATE KEY-----" },
    }),
  "/tls-ca-file": (url, env) => login(env.MONGODB_ADDRESS, url, { tls: true, tlsCAFile: "/etc/ssl/ca.pem" }),
  "/tls-certificate-key-file": (url, env) =>
    login(env.MONGODB_ADDRESS, url, { tls: true, tlsCertificateKeyFile: "/etc/ssl/client.pem" }),
  "/tls-insecure": (url, env) => login(env.MONGODB_ADDRESS, url, { tls: true, tlsInsecure: true }),
  // tls=true to ports that do not speak TLS: a MongoDB server's plain port, and an HTTP server's.
  "/tls-to-plain": (url, env) => login(env.MONGODB_ADDRESS, url, { tls: true }),
  "/tls-to-http": (url, env) => login(new URL(env.DOH_ENDPOINT).host, url, { tls: true }),
  "/pbkdf2-cap": (url, env) => withProductionPbkdf2Cap(() => login(env.MONGODB_CAPPED_ADDRESS, url)),
  "/refused": (url) => login("127.0.0.1:1", url),
  // connectTimeoutMS=0 / socketTimeoutMS=0: no timeout (uri-options spec), not a TypeError.
  "/no-timeouts": async (_url, env) =>
    summarize(
      await connect(`mongodb://alice:alice-pw@${env.MONGODB_ADDRESS}/?connectTimeoutMS=0&socketTimeoutMS=0`),
    ),
  // A server asking for more SCRAM iterations than maxScramIterations: refused before any PBKDF2.
  "/scram-ceiling": (url, env) => login(env.MONGODB_CAPPED_ADDRESS, url, { maxScramIterations: 100_000 }),
  // A person signs in for longer than connectTimeoutMS: the human callback has its own five minutes.
  "/oidc-human-slow": async (_url, env) => {
    const connectTimeoutMS = 300;
    const conn = await connect(`mongodb://${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-OIDC`, {
      connectTimeoutMS,
      authMechanismProperties: {
        ALLOWED_HOSTS: ["127.0.0.1"],
        OIDC_HUMAN_CALLBACK: async () => {
          await new Promise((resolve) => setTimeout(resolve, 3 * connectTimeoutMS));
          return { accessToken: env.OIDC_TOKEN, expiresInSeconds: 600 };
        },
      },
    });
    return summarize(conn);
  },
  "/tls": async (url, env) => summarize(await login(env.MONGODB_TLS_ADDRESS, url, { tls: true })),
  "/aws-uri": async (_url, env) => {
    const keys = `${encodeURIComponent(env.AWS_ACCESS_KEY_ID)}:${
      encodeURIComponent(env.AWS_SECRET_ACCESS_KEY)
    }`;
    return summarize(await connect(`mongodb://${keys}@${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-AWS`));
  },
  // What the README's Workers section tells users: the bindings are the environment of the credential sources.
  "/aws-bindings": async (_url, env) => {
    const options = { env: runtimeEnv({ env: { ...env } }) };
    return summarize(await connect(`mongodb://${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-AWS`, options));
  },
  "/aws-profile": (_url, env) =>
    connect(`mongodb://${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-AWS`, {
      env: runtimeEnv({ env: { AWS_PROFILE: "dev" } }),
    }),
  "/oidc": async (_url, env) => {
    const conn = await connect(`mongodb://${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-OIDC`, {
      authMechanismProperties: {
        OIDC_CALLBACK: () => Promise.resolve({ accessToken: env.OIDC_TOKEN, expiresInSeconds: 600 }),
      },
    });
    return summarize(conn);
  },
  // The Stable API: a deployment that requires it refuses every command without apiVersion, hello included.
  "/server-api": async (url, env) => {
    const serverApi = url.searchParams.get("serverApi") === "1" ? "1" : undefined;
    return summarize(await connect(`mongodb://alice:alice-pw@${env.MONGODB_API_ADDRESS}/`, { serverApi }));
  },
  // Wire compression, both ways: snappy in TypeScript, or zlib through the Worker's CompressionStream.
  "/compression": async (url, env) => {
    const compressors = url.searchParams.get("compressors") === "snappy" ? "snappy" : "zlib";
    const conn = await connect(`mongodb://alice:alice-pw@${env.MONGODB_ADDRESS}/?compressors=${compressors}`);
    const hello = conn.trace.find((event) => event.type === "hello");
    const { ok } = await conn.command("admin", { ping: 1, comment: "x".repeat(10_000) });
    return { ...(await summarize(conn) as object), compression: hello?.attributes.compression, ping: ok };
  },
  // timeoutMS bounds connect() as a whole, well before connectTimeoutMS.
  "/timeout-ms": (_url, env) =>
    connect(`mongodb://alice:alice-pw@${env.SILENT_ADDRESS}/?timeoutMS=300&directConnection=true`, {
      connectTimeoutMS: 10_000,
    }),
  "/oidc-k8s": (_url, env) =>
    connect(
      `mongodb://${env.MONGODB_ADDRESS}/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s`,
    ),
};

export default {
  async fetch(request: Request, env: Bindings): Promise<Response> {
    const url = new URL(request.url);
    const scenario = scenarios[url.pathname];
    if (!scenario) {
      return Response.json({ error: { code: "NOT_FOUND", message: url.pathname } }, { status: 404 });
    }
    try {
      return Response.json(await scenario(url, env));
    } catch (err) {
      const { name, code, message, serverCode } = err as {
        name?: string;
        code?: string;
        message?: string;
        serverCode?: number;
      };
      return Response.json({ error: { name, code, message, serverCode } });
    }
  },
};
