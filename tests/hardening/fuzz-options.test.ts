// Fuzz: what a user passes — mutated connection strings and options of every type into parseConnectionString,
// parseCredential and connect(); options, credentials built by hand, runners and hello replies of every type
// into beginAuthentication, complete and authenticate. A user's mistake is an error with a code, never a
// TypeError from inside. No socket opens (the transport refuses them), DNS answers from a table, and every
// fetch is refused unless it goes to 127.0.0.1. See fuzz.ts for the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  authenticate,
  beginAuthentication,
  connectWith,
  createAzureCallback,
  createGcpCallback,
  createK8sCallback,
  dnsOverHttpsResolver,
  hintsFor,
  parseConnectionString,
  parseCredential,
  runtimeEnv,
  ScramClient,
  ScramKeyCache,
  WireConnection,
} from "@mongo-auth/core";
import { awsCredentialProvider, createHumanCallback } from "../../src/transport/node.ts";
import { CONNECT_OPTION_NAMES } from "../../src/client/options.ts";
import { AUTH_MECHANISMS } from "../../src/credential/mongo-credential.ts";
import { failureMessage, fuzzCases, mutateText, type Prng, runFuzz } from "./fuzz.ts";
import { noNetworkEnv, noNetworkTransport } from "./no-network.ts";

const transport = noNetworkTransport;
const env = noNetworkEnv;

const URIS = [
  "mongodb://alice:pw@127.0.0.1:27017/db?authSource=admin&authMechanism=SCRAM-SHA-256&connectTimeoutMS=100",
  "mongodb://127.0.0.1:27017,[::1]:27018/?replicaSet=rs&readPreference=secondaryPreferred&readPreferenceTags=dc:ny,rack:1&maxStalenessSeconds=90",
  "mongodb+srv://user:pw@cluster.example.com/?authMechanism=SCRAM-SHA-1&srvMaxHosts=2&srvServiceName=mongodb",
  "mongodb://AKIDEXAMPLE:secret@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok",
  "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:api://x",
  "mongodb://h/?authMechanism=MONGODB-X509&tls=true&tlsCAFile=/x/ca.pem&tlsCertificateKeyFile=/x/c.pem",
  "mongodb://u:p@h/?authMechanism=PLAIN&authSource=$external&compressors=snappy,zlib,zstd&zlibCompressionLevel=9",
  "mongodb://%2Ftmp%2Fmongodb-27017.sock/?directConnection=true&appName=x&timeoutMS=50&loadBalanced=false",
  "mongodb://u:p@h1,h2/?authMechanism=GSSAPI&authMechanismProperties=SERVICE_NAME:mongodb,CANONICALIZE_HOST_NAME:true",
  "mongodb://u:p@h/?proxyHost=127.0.0.1&proxyPort=1080&proxyUsername=a&proxyPassword=b&heartbeatFrequencyMS=500",
];

// Every option of connect(), then those of the conversation and of the constructors and factories.
const OPTION_NAMES = [
  ...CONNECT_OPTION_NAMES,
  "host",
  "helloReply",
  "endpoint",
  "fetch",
  "timeoutMs",
  "tokenResource",
  "maxEntries",
  "derive",
  "maxScopes",
  "scramKeyCache",
  "hash",
  "nonce",
  "cache",
  "maxIterations",
  "store",
  "openUrl",
  "flow",
  "redirectUri",
  "readTextFile",
  "runCommand",
  "now",
  "getEnv",
  "peer",
  "maxMessageSizeBytes",
];

// Every public constructor and factory that takes options. Built only, never called: a callback called
// without a loopback-only fetch could reach a real metadata address.
const FACTORIES: ((options: unknown) => unknown)[] = [
  (o) => createAzureCallback(o as never),
  (o) => createGcpCallback(o as never),
  (o) => createK8sCallback(o as never),
  (o) => createHumanCallback(o as never),
  (o) => awsCredentialProvider(o as never),
  (o) => dnsOverHttpsResolver(o as never),
  (o) => new AuthCacheStore(o as never),
  (o) => new ScramKeyCache(o as never),
  (o) => new ScramClient(o as never),
  (o) => runtimeEnv(o as never),
  (o) => hintsFor(o as never),
  (o) => new WireConnection(o as never),
];

/** A value of any type a JavaScript caller could pass (never one whose getter throws: that is the caller's). */
function anyValue(rng: Prng): unknown {
  const values: (() => unknown)[] = [
    () => undefined,
    () => null,
    () => 0,
    () => -1,
    () => NaN,
    () => Infinity,
    () => 2 ** 53,
    () => 1.5,
    () => rng.edgeInt(),
    () => "",
    () => "true",
    () => "1080",
    () => rng.text(1 + rng.int(12)),
    () => true,
    () => false,
    () => [],
    () => ["zlib", 3],
    () => [{ dc: "ny" }, "x"],
    () => ({}),
    () => ({ username: "u", password: 5 }),
    () => ({ mode: "nearest", tags: "x" }),
    () => ({ version: "1", strict: "yes" }),
    () => ({ cert: 1, key: {} }),
    () => () => {},
    () => Symbol("fuzz"),
    () => 10n,
    () => new Date(0),
    () => Object.create(null),
    () => new Map(),
    () => new AbortController().signal,
    () => AbortSignal.abort(),
    () => env,
    () => new AuthCacheStore(),
  ];
  return rng.pick(values)();
}

function randomOptions(rng: Prng): Record<string, unknown> {
  const options: Record<string, unknown> = { serverSelectionTimeoutMS: 50, connectTimeoutMS: 50, env };
  for (let n = rng.int(4); n > 0; n--) options[rng.pick(OPTION_NAMES)] = anyValue(rng);
  // Without a valid env, DNS-over-HTTPS and the credential sources would use the runtime's own fetch.
  if (options.env === null || options.env === undefined) options.env = env;
  return options;
}

function randomCredential(rng: Prng): unknown {
  if (rng.chance(0.4)) {
    try {
      return parseCredential(rng.pick(URIS));
    } catch {
      return undefined;
    }
  }
  if (rng.chance(0.1)) return anyValue(rng);
  const mechanisms = [...AUTH_MECHANISMS, "DEFAULT"];
  return {
    mechanism: rng.chance(0.8) ? rng.pick(mechanisms) : anyValue(rng),
    username: rng.chance(0.6) ? rng.pick(["alice", "", "CN=client"]) : anyValue(rng),
    password: rng.chance(0.6) ? rng.pick(["pw", ""]) : anyValue(rng),
    source: rng.chance(0.6) ? rng.pick(["admin", "$external", ""]) : anyValue(rng),
    mechanismProperties: rng.chance(0.6) ? rng.pick([{}, { ENVIRONMENT: "test" }]) : anyValue(rng),
  };
}

describe("fuzz: what a user passes", () => {
  it("connection strings and options into parseConnectionString, parseCredential and connect()", async () => {
    const report = await runFuzz("connection strings and options", fuzzCases(3000), async (rng) => {
      const uri = rng.chance(0.8) ? mutateText(rng, rng.pick(URIS)) : rng.pick(URIS);
      const options = randomOptions(rng);
      switch (rng.int(3)) {
        case 0:
          return parseConnectionString(uri);
        case 1:
          return parseCredential(uri, options);
        default:
          return await connectWith(transport, uri, options);
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("credentials, options, runners and hello replies into beginAuthentication, complete and authenticate", async () => {
    const refusing = {
      command: () => Promise.resolve({ ok: 0, code: 18, errmsg: "Authentication failed." }),
    };
    const report = await runFuzz("conversation arguments", fuzzCases(3000), async (rng) => {
      const credential = randomCredential(rng) as never;
      // Options that are not an object are refused before any I/O; no options at all would mean the
      // runtime's own fetch for the AWS and OIDC sources, so the fuzz never passes none.
      const options = rng.chance(0.9) ? randomOptions(rng) : rng.pick([5, "x", [], true, Symbol("o")]);
      const runner = rng.chance(0.8) ? refusing : anyValue(rng);
      if (rng.chance(0.5)) return await authenticate(runner as never, credential, options as never);
      const auth = await beginAuthentication(credential, options as never);
      const hello = rng.chance(0.7)
        ? { ok: 1, maxWireVersion: 21, saslSupportedMechs: ["SCRAM-SHA-256"] }
        : anyValue(rng);
      return await auth.complete(runner as never, hello as never);
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("options of every type into every public constructor and factory", async () => {
    const report = await runFuzz("constructors and factories", fuzzCases(3000), (rng) => {
      const options = rng.chance(0.8) ? randomOptions(rng) : anyValue(rng);
      if (rng.chance(0.8) && typeof options === "object" && options !== null) {
        delete (options as Record<string, unknown>).serverSelectionTimeoutMS;
        delete (options as Record<string, unknown>).connectTimeoutMS;
      }
      return rng.pick(FACTORIES)(options);
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
