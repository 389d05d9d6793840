// The Workers proof: starts the reference servers and a loopback DNS-over-HTTPS resolver, bundles the
// test Worker (worker.ts) from our sources, serves it with the real workerd binary (npm package
// `workerd`) under a config that lets it reach loopback only, asks it each scenario over HTTP and checks
// the answers. Always stops workerd and the servers; a hard timeout ends everything.
//
//   node_modules/.bin/tsc -p tsconfig.json && node dist/tests/e2e/workerd/run.js
//
// The last line is `workerd: N passed, M failed`; the exit code is non-zero on any failure.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import assert from "node:assert/strict";
import { fixturePath } from "../../../testing/paths.ts";
import { type RunningServer, startServer } from "../../../testing/reference-server/server.ts";
import { type RunningReplicaSet, startReplicaSet } from "../../../testing/reference-server/replica-set.ts";
import {
  type RunningShardedCluster,
  startShardedCluster,
} from "../../../testing/reference-server/sharded.ts";
import { bundleWorker } from "./bundle.ts";
import { workerdConfig } from "./config.ts";
import { freePort, startWorkerd, stopWorkerd, type WorkerdProcess } from "./workerd-process.ts";
import { type DohServer, startDohServer } from "./doh-server.ts";
import { createIdentityProvider, oidcServerConfig } from "../../../testing/identity-provider.ts";
import { checkSeedlistCase, readSeedlistCases, SEEDLIST_ZONE, srvTargetsOf } from "../../support/seedlist.ts";
import type { SeedlistView } from "../../support/seedlist-view.ts";
import { readdirSync } from "node:fs";
import {
  AUTH_LEGACY_DEVIATIONS,
  type AuthLegacyCase,
  checkAuthLegacyCase,
  checkUriSpecCase,
  type UriSpecCase,
} from "../../support/uri-spec.ts";
import type { UriSpecView } from "../../support/uri-spec-view.ts";
import { readSpec, specPath } from "../../support/paths.ts";
import { type SilentListener, startSilentListener, startSocks5Proxy } from "../../support/socks5-proxy.ts";

const HARD_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SRV_NAME = "_mongodb._tcp.cluster0.example.test";
const SHARED_SRV_NAME = "_mongodb._tcp.cluster1.example.test";

// deno-lint-ignore no-explicit-any
type Answer = Record<string, any>;

interface Check {
  readonly name: string;
  readonly path: string;
  expect(answer: Answer): void;
}

const AWS_ARN = "arn:aws:iam::123456789012:user/worker";
const AWS_KEYS = { accessKeyId: "AKIAWORKERTEST000001", secretAccessKey: "worker/secret+key=" };
const OIDC_USER = "worker-principal";

const users = [
  {
    db: "admin",
    user: "alice",
    password: "alice-pw",
    mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"],
    // The placement checks write and read in app.
    roles: [{ role: "readWrite", db: "app" }],
  },
  { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
  // SASLprep refuses this password (a control character); SCRAM-SHA-1 never SASLpreps.
  { db: "admin", user: "legacy-bell", password: "bell\u0007pw", mechanisms: ["SCRAM-SHA-1"] },
  { db: "app", user: "carol", password: "carol-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "$external", user: AWS_ARN, mechanisms: ["MONGODB-AWS"] },
  { db: "$external", user: OIDC_USER, mechanisms: ["MONGODB-OIDC"] },
];

function loggedIn(mechanism: string, user: { user: string; db: string }, extra: Answer = {}) {
  return (answer: Answer) => {
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.equal(answer.mechanism, mechanism);
    assert.deepEqual(answer.user, user);
    for (const [key, value] of Object.entries(extra)) assert.deepEqual(answer[key], value, key);
  };
}

function failsWith(code: string, ...patterns: RegExp[]) {
  return (answer: Answer) => {
    assert.equal(answer.error?.code, code, JSON.stringify(answer));
    for (const pattern of patterns) assert.match(answer.error.message, pattern);
  };
}

const alice = { user: "alice", db: "admin" };
const checks: Check[] = [
  {
    name: "SCRAM-SHA-256, speculative in hello (cold request)",
    path: "/login?mechanism=SCRAM-SHA-256",
    expect: loggedIn("SCRAM-SHA-256", alice, { speculative: true, roundTrips: 2 }),
  },
  {
    name: "SCRAM-SHA-256 again (warm: keys cached in the isolate)",
    path: "/login?mechanism=SCRAM-SHA-256",
    expect: loggedIn("SCRAM-SHA-256", alice, { speculative: true, roundTrips: 2 }),
  },
  {
    name: "SCRAM-SHA-1",
    path: "/login?mechanism=SCRAM-SHA-1",
    expect: loggedIn("SCRAM-SHA-1", alice, { speculative: true, roundTrips: 2 }),
  },
  {
    name: "negotiation picks SCRAM-SHA-256",
    path: "/login",
    expect: loggedIn("SCRAM-SHA-256", alice),
  },
  {
    name: "negotiation falls back to SCRAM-SHA-1 for a SHA-1-only user",
    path: "/login?user=legacy&password=legacy-pw",
    expect: loggedIn("SCRAM-SHA-1", { user: "legacy", db: "admin" }, { speculative: false, roundTrips: 3 }),
  },
  {
    name: "negotiation reaches SCRAM-SHA-1 for a user whose password SASLprep refuses",
    path: "/login?user=legacy-bell&password=bell%07pw",
    expect: loggedIn("SCRAM-SHA-1", { user: "legacy-bell", db: "admin" }),
  },
  {
    name: "connectTimeoutMS=0 and socketTimeoutMS=0 mean no timeout",
    path: "/no-timeouts",
    expect: loggedIn("SCRAM-SHA-256", alice),
  },
  {
    name: "an iteration count above maxScramIterations is refused before deriving",
    path: "/scram-ceiling?mechanism=SCRAM-SHA-256",
    expect: failsWith("SCRAM_ITERATIONS_TOO_HIGH", /150000/, /maxScramIterations/, /127\.0\.0\.1/),
  },
  {
    name: "MONGODB-OIDC human sign-in longer than connectTimeoutMS still connects",
    path: "/oidc-human-slow",
    expect: loggedIn("MONGODB-OIDC", { user: OIDC_USER, db: "$external" }),
  },
  {
    name: "a wrong password is AUTHENTICATION_FAILED, without the password in the message",
    path: "/login?password=not-the-pw",
    expect: (answer) => {
      failsWith("AUTHENTICATION_FAILED")(answer);
      assert.doesNotMatch(answer.error.message, /not-the-pw|alice-pw/);
    },
  },
  {
    name: "TLS (secureTransport: on), server certificate checked against the trusted CA",
    path: "/tls?mechanism=SCRAM-SHA-256",
    expect: loggedIn("SCRAM-SHA-256", alice),
  },
  {
    name: "mongodb+srv:// over DNS-over-HTTPS (transport option), authSource from TXT",
    path: "/srv",
    expect: loggedIn("SCRAM-SHA-256", { user: "carol", db: "app" }, { host: "db1.cluster0.example.test" }),
  },
  {
    name: "mongodb+srv:// over DNS-over-HTTPS (dnsOverHttps connect option)",
    path: "/srv-option",
    expect: loggedIn("SCRAM-SHA-256", { user: "carol", db: "app" }, { host: "db1.cluster0.example.test" }),
  },
  {
    name: "MONGODB-X509 is RUNTIME_UNSUPPORTED and names the alternatives",
    path: "/x509",
    expect: failsWith(
      "RUNTIME_UNSUPPORTED",
      /client certificate/,
      /SCRAM-SHA-256, MONGODB-AWS or MONGODB-OIDC/,
    ),
  },
  {
    name: "tlsCAFile is RUNTIME_UNSUPPORTED",
    path: "/tls-ca-file",
    expect: failsWith("RUNTIME_UNSUPPORTED", /tlsCAFile/, /trust store/),
  },
  {
    name: "tlsCertificateKeyFile is RUNTIME_UNSUPPORTED",
    path: "/tls-certificate-key-file",
    expect: failsWith("RUNTIME_UNSUPPORTED", /tlsCertificateKeyFile/),
  },
  {
    name: "tlsInsecure is RUNTIME_UNSUPPORTED",
    path: "/tls-insecure",
    expect: failsWith("RUNTIME_UNSUPPORTED", /tlsInsecure/),
  },
  {
    // workerd's words are a refused port's: the error names both causes.
    name: "tls=true to a MongoDB server's plain port: CONNECTION_FAILED naming a TLS handshake that failed",
    path: "/tls-to-plain",
    expect: failsWith("CONNECTION_FAILED", /and when the TLS handshake fails/, /or remove tls=true/),
  },
  {
    name: "tls=true to an HTTP port: the same",
    path: "/tls-to-http",
    expect: failsWith("CONNECTION_FAILED", /and when the TLS handshake fails/, /or remove tls=true/),
  },
  {
    name: "a SCRAM iteration count above the production PBKDF2 cap is RUNTIME_UNSUPPORTED",
    path: "/pbkdf2-cap?mechanism=SCRAM-SHA-256",
    expect: failsWith("RUNTIME_UNSUPPORTED", /150000/, /scramSHA256IterationCount/, /100000 or less/),
  },
  {
    name: "MONGODB-AWS with static keys in the connection string",
    path: "/aws-uri",
    expect: loggedIn("MONGODB-AWS", { user: AWS_ARN, db: "$external" }),
  },
  {
    name: "MONGODB-AWS with static keys from the Worker's bindings (env: runtimeEnv({ env }))",
    path: "/aws-bindings",
    expect: loggedIn("MONGODB-AWS", { user: AWS_ARN, db: "$external" }),
  },
  {
    name: "MONGODB-AWS with AWS_PROFILE says Workers cannot read the shared files and what to pass",
    path: "/aws-profile",
    expect: failsWith("CREDENTIAL_PROVIDER_ERROR", /cannot read files/, /AWS_ACCESS_KEY_ID/),
  },
  {
    name: "MONGODB-OIDC with a machine callback",
    path: "/oidc",
    expect: loggedIn("MONGODB-OIDC", { user: OIDC_USER, db: "$external" }),
  },
  {
    name: "MONGODB-OIDC ENVIRONMENT:k8s says Workers have no token file and what to pass",
    path: "/oidc-k8s",
    expect: failsWith("RUNTIME_UNSUPPORTED", /token file/, /OIDC_CALLBACK/),
  },
  {
    name: "a refused port is CONNECTION_FAILED",
    path: "/refused",
    expect: failsWith("CONNECTION_FAILED", /127\.0\.0\.1:1/, /nothing accepts connections there/),
  },
  {
    name: "serverApi: a deployment that requires the Stable API lets the Worker in",
    path: "/server-api?serverApi=1",
    expect: loggedIn("SCRAM-SHA-256", alice, { speculative: true }),
  },
  {
    name: "without serverApi the same deployment refuses hello (498870), and the message says what to set",
    path: "/server-api",
    expect: (answer) => {
      failsWith("SERVER_ERROR", /serverApi/)(answer);
      assert.equal(answer.error.serverCode, 498870);
    },
  },
  {
    name: "compressors=zlib: the commands after the login go compressed (CompressionStream in the Worker)",
    path: "/compression?compressors=zlib",
    expect: loggedIn("SCRAM-SHA-256", alice, { compression: "zlib", ping: 1 }),
  },
  {
    name: "compressors=snappy: the commands after the login go compressed with snappy (in the Worker)",
    path: "/compression?compressors=snappy",
    expect: loggedIn("SCRAM-SHA-256", alice, { compression: "snappy", ping: 1 }),
  },
  {
    name: "timeoutMS bounds connect() as a whole: TIMEOUT at 300 ms, not at connectTimeoutMS (10 s)",
    path: "/timeout-ms",
    expect: failsWith("TIMEOUT", /did not finish within timeoutMS \(300 ms\)/),
  },
];

// The workerd child of this run, so that a hard timeout or a signal can still end it.
let running: WorkerdProcess | undefined;

async function ask(base: string, path: string): Promise<{ answer: Answer; ms: number }> {
  const started = performance.now();
  const response = await fetch(base + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const answer = await response.json() as Answer;
  return { answer, ms: performance.now() - started };
}

async function main(): Promise<number> {
  let passed = 0;
  let failed = 0;
  const result = (ok: boolean, name: string, detail = "") => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? "ok" : "not ok"} - ${name}${detail ? `: ${detail}` : ""}`);
  };

  const dir = await mkdtemp(join(tmpdir(), "mongo-auth-workerd-"));
  let server: RunningServer | undefined;
  let capped: RunningServer | undefined;
  let tlsServer: RunningServer | undefined;
  let apiServer: RunningServer | undefined;
  let silent: SilentListener | undefined;
  let doh: DohServer | undefined;
  let seedlistDoh: DohServer | undefined;
  let workerd: WorkerdProcess | undefined;
  try {
    const idp = await createIdentityProvider();
    server = await startServer({
      users,
      aws: { accounts: [{ ...AWS_KEYS, arn: AWS_ARN }] },
      oidc: oidcServerConfig(idp),
    });
    capped = await startServer({
      users: [users[0]],
      scram: { iterationsSha1: 150_000, iterationsSha256: 150_000 },
    });
    tlsServer = await startServer({
      users: [users[0]],
      tls: {
        cert: fixturePath("pki/server-cert.pem"),
        key: fixturePath("pki/server-key.pem"),
        ca: fixturePath("pki/ca.pem"),
        allowConnectionsWithoutCertificates: true,
      },
    });
    apiServer = await startServer({ users: [users[0]], requireApiVersion: true });
    silent = await startSilentListener();
    doh = await startDohServer({
      srv: {
        [SRV_NAME]: [{ target: "db1.cluster0.example.test", port: server.port }],
        [SHARED_SRV_NAME]: [{ target: "db1.cluster1.example.test", port: server.port }],
      },
      txt: { "cluster0.example.test": [["authSource=app"]], "cluster1.example.test": [["authSource=app"]] },
      delayMs: { [SHARED_SRV_NAME]: 300 },
    });
    seedlistDoh = await startDohServer(SEEDLIST_ZONE);
    const bytes = await bundleWorker(join(dir, "worker.js"));
    console.log(`# worker bundle: ${(bytes / 1024).toFixed(1)} KiB`);
    const port = await freePort();
    await writeFile(
      join(dir, "config.capnp"),
      workerdConfig({
        port,
        bundle: "worker.js",
        trustedCertificates: [await readFile(fixturePath("pki/ca.pem"), "utf8")],
        bindings: {
          MONGODB_ADDRESS: server.address,
          MONGODB_CAPPED_ADDRESS: capped.address,
          MONGODB_TLS_ADDRESS: tlsServer.address,
          DOH_ENDPOINT: doh.endpoint,
          SEEDLIST_DOH_ENDPOINT: seedlistDoh.endpoint,
          AWS_ACCESS_KEY_ID: AWS_KEYS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: AWS_KEYS.secretAccessKey,
          OIDC_TOKEN: await idp.token(OIDC_USER, 600),
          MONGODB_API_ADDRESS: apiServer.address,
          SILENT_ADDRESS: `127.0.0.1:${silent.port}`,
        },
      }),
    );
    const started = performance.now();
    workerd = await startWorkerd(dir, port);
    running = workerd;
    console.log(`# workerd listening after ${(performance.now() - started).toFixed(0)} ms`);

    const base = `http://127.0.0.1:${port}`;
    const timings: number[] = [];
    for (const check of checks) {
      try {
        const { answer, ms } = await ask(base, check.path);
        if (check.path.startsWith("/login?mechanism=SCRAM-SHA-256")) timings.push(ms);
        check.expect(answer);
        result(true, `${check.name} (${ms.toFixed(0)} ms)`);
      } catch (err) {
        result(false, check.name, (err as Error).message.split("\n")[0]);
      }
    }
    await runSharedLookupCheck(base, result);
    await runTopologyChecks(base, result);
    await runSharedScanCheck(base, result);
    await runUriSpecs(base, result);
    await runSeedlistSpec(base, result);
    const [cold, warm] = timings;
    if (cold !== undefined && warm !== undefined) {
      console.log(
        `# cold request (connect + hello + SCRAM-SHA-256 + connectionStatus): ${cold.toFixed(1)} ms`,
      );
      console.log(`# warm request (same, SCRAM keys cached in the isolate): ${warm.toFixed(1)} ms`);
    }
    try {
      // /srv, /srv-option, and one for the three requests of /srv-shared.
      assert.deepEqual(
        doh.queries.filter((q) => q.startsWith("SRV")).length,
        3,
        `SRV queries: ${doh.queries.join(", ")}`,
      );
      assert.ok((server.stats.authSuccessesByMechanism["SCRAM-SHA-1"] ?? 0) >= 2);
      assert.ok((server.stats.authSuccessesByMechanism["SCRAM-SHA-256"] ?? 0) >= 5);
      assert.equal(server.stats.authSuccessesByMechanism["MONGODB-AWS"], 2);
      assert.equal(server.stats.authSuccessesByMechanism["MONGODB-OIDC"], 2); // machine, human
      assert.equal(capped.stats.authSuccesses, 0);
      assert.equal(tlsServer.stats.authSuccesses, 1);
      assert.equal(apiServer.stats.authSuccesses, 1);
      // The Worker's compressed scenarios: ping and connectionStatus went compressed with each compressor,
      // and came back so.
      assert.deepEqual(server.stats.compressedInBy, { zlib: 2, snappy: 2 });
      assert.deepEqual(server.stats.compressedOutBy, { zlib: 2, snappy: 2 });
      result(true, "the resolver and the servers saw what the Worker reported");
    } catch (err) {
      result(false, "the resolver and the servers saw what the Worker reported", (err as Error).message);
    }
  } catch (err) {
    result(false, "workerd run", (err as Error).message);
  } finally {
    if (workerd) await stopWorkerd(workerd);
    await Promise.allSettled([
      server?.close(),
      capped?.close(),
      tlsServer?.close(),
      apiServer?.close(),
      silent?.close(),
      doh?.close(),
      seedlistDoh?.close(),
    ]);
    await rm(dir, { recursive: true, force: true });
  }
  const output = workerd?.output();
  if (failed > 0 && output) console.log(`# workerd output (last 8000 characters):\n${output}`);
  console.log(`workerd: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

// Three requests at once to one isolate, each connecting to the same mongodb+srv:// name through the same
// DNS-over-HTTPS endpoint, whose answer comes late: one lookup serves the three (made by the first, waited for
// by the others from their own requests), and each logs in.
async function runSharedLookupCheck(
  base: string,
  result: (ok: boolean, name: string, detail?: string) => void,
) {
  const name = "three requests at once share one mongodb+srv:// lookup (DNS-over-HTTPS answering late)";
  try {
    const answers = await Promise.all([0, 1, 2].map(() => ask(base, "/srv-shared")));
    const expect = loggedIn("SCRAM-SHA-256", { user: "carol", db: "app" }, {
      host: "db1.cluster1.example.test",
    });
    for (const { answer } of answers) expect(answer);
    assert.deepEqual(answers.map(({ answer }) => answer.reused).sort(), [false, true, true]);
    result(true, name);
  } catch (err) {
    result(false, name, (err as Error).message.split("\n")[0]);
  }
}

// Three requests at once to one isolate, each connecting to the same replica set (replicaSet= given) from a seed
// whose first hello answers late: one scan serves the three (made by the first, waited for by the others from
// their own requests), and each ends on the primary.
async function runSharedScanCheck(
  base: string,
  result: (ok: boolean, name: string, detail?: string) => void,
) {
  const name = "three requests at once make one scan of a replica set (its first hello answering late)";
  const rs = await startReplicaSet({ setName: "rs3", users: [users[0]], members: [{}, {}] });
  try {
    const [primary, secondary] = rs.members;
    secondary.failPoints.configure({
      configureFailPoint: "failCommand",
      mode: { times: 1 },
      data: { failCommands: ["hello"], blockConnection: true, blockTimeMS: 300 },
    });
    const uri = `mongodb://alice:alice-pw@${secondary.address}/?replicaSet=rs3`;
    const answers = await Promise.all(
      [0, 1, 2].map(() => ask(base, `/placement-shared?uri=${encodeURIComponent(uri)}`)),
    );
    for (const { answer } of answers) {
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      assert.equal(answer.address, primary.name);
    }
    assert.equal(answers.filter(({ answer }) => answer.rememberedMs === null).length, 1, "one scan");
    assert.equal(answers.filter(({ answer }) => typeof answer.waitedMs === "number").length, 2, "two waited");
    result(true, name);
  } catch (err) {
    result(false, name, (err as Error).message.split("\n")[0]);
  } finally {
    await rs.close();
  }
}

// Replica sets, mongoses and a load balancer, reached from the Worker over cloudflare:sockets as from the
// other runtimes (tests/e2e/replica-set.test.ts, tests/e2e/sharded.test.ts): where connect() ends, what
// works there, and the failures. The deployments live for this function only.
async function runTopologyChecks(base: string, result: (ok: boolean, name: string, detail?: string) => void) {
  const login = "alice:alice-pw";
  const alice = [users[0]];
  const started: { close(): Promise<void> }[] = [];
  const start = async <T extends { close(): Promise<void> }>(deployment: Promise<T>) => {
    const running = await deployment;
    started.push(running);
    return running;
  };
  try {
    const rs: RunningReplicaSet = await start(startReplicaSet({
      setName: "rs0",
      users: alice,
      members: [{}, { tags: { dc: "east" } }, {}],
    }));
    const noPrimary = await start(startReplicaSet({ setName: "rs1", users: alice, members: [{}, {}] }));
    noPrimary.stepDown();
    const deadPrimary = await start(startReplicaSet({ setName: "rs2", users: alice, members: [{}, {}] }));
    const dead = deadPrimary.primary()!;
    await deadPrimary.cutOff(dead);
    const cluster: RunningShardedCluster = await start(
      startShardedCluster({ users: alice, mongoses: 2, loadBalancer: true }),
    );
    const [primary, east, other] = rs.members;
    const allHosts = rs.members.map((m) => m.name).sort();
    const mongoses = cluster.mongoses.map((m) => m.address).join(",");
    const notPrimary = { code: "NOT_PRIMARY", serverCode: 10107 };
    const placed = (expected: Answer) => (answer: Answer) => {
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(answer[key], value, key);
    };
    const topologyChecks: { name: string; uri: string; expect: (answer: Answer) => void }[] = [
      {
        name: "replica set: a seed of secondaries reaches the primary, which takes the write",
        uri: `mongodb://${login}@${east.address},${other.address}/?replicaSet=rs0`,
        expect: placed({
          address: primary.name,
          role: "primary",
          setName: "rs0",
          topology: { type: "ReplicaSetWithPrimary", hosts: allHosts },
          serversChecked: 2,
          write: "ok",
          read: "ok",
        }),
      },
      {
        name: "replica set: readPreference=secondary with tags lands on that member, reads work there",
        uri: `mongodb://${login}@${rs.seedList()}/?readPreference=secondary&readPreferenceTags=dc:east`,
        expect: placed({ address: east.name, role: "secondary", read: "ok", write: notPrimary }),
      },
      {
        name: "replica set: directConnection=true stays on the secondary (reads work, writes NOT_PRIMARY)",
        uri: `mongodb://${login}@${other.address}/?directConnection=true`,
        expect: placed({
          address: other.name,
          role: "secondary",
          topology: { type: "Single", hosts: [other.name] },
          serversChecked: 1,
          read: "ok",
          write: notPrimary,
        }),
      },
      {
        name: "replica set: a member of another set is never used",
        uri: `mongodb://${login}@${rs.seedList()}/?replicaSet=other`,
        expect: failsWith("SERVER_SELECTION_FAILED", /no member of replica set "other"/, /replica set "rs0"/),
      },
      {
        name: "replica set: no primary is SERVER_SELECTION_FAILED",
        uri: `mongodb://${login}@${noPrimary.seedList()}/?replicaSet=rs1`,
        expect: failsWith("SERVER_SELECTION_FAILED", /replica set "rs1" has no primary that answers/),
      },
      {
        name: "replica set: a primary nobody reaches is SERVER_SELECTION_FAILED naming it",
        uri: `mongodb://${login}@${deadPrimary.seedList(deadPrimary.secondaries())}/?replicaSet=rs2`,
        expect: failsWith(
          "SERVER_SELECTION_FAILED",
          /replica set "rs2" has no primary that answers/,
          new RegExp(`naming ${dead.name.replace(/\./g, "\\.")} as primary`),
        ),
      },
      {
        name:
          "mongoses: both checked at once, ends on one, readPreference=secondary goes to it as $readPreference",
        uri: `mongodb://${login}@${mongoses}/?readPreference=secondary`,
        expect: (answer) => {
          placed({ role: "mongos", serversChecked: 2, read: "ok", write: "ok" })(answer);
          const mongos = cluster.mongoses.find((m) => m.address === answer.address)!;
          assert.equal(mongos.stats.readPreferences.find?.at(-1), "secondary");
        },
      },
      {
        name: "loadBalanced=true: the load-balanced handshake, serviceId from the mongos behind",
        uri: `mongodb://${login}@${cluster.loadBalancer!.address}/?loadBalanced=true`,
        expect: (answer) => {
          placed({ role: "loadBalancer", write: "ok", read: "ok" })(answer);
          assert.match(answer.serviceId, /^[0-9a-f]{24}$/);
        },
      },
      {
        name: "loadBalanced=true to a replica set member is SERVER_SELECTION_FAILED",
        uri: `mongodb://${login}@${primary.address}/?loadBalanced=true`,
        expect: failsWith("SERVER_SELECTION_FAILED", /load balancing mode/, /without a serviceId/),
      },
      {
        name: "loadBalanced=true with replicaSet is INVALID_OPTION",
        uri: `mongodb://${login}@${cluster.loadBalancer!.address}/?loadBalanced=true&replicaSet=rs0`,
        expect: failsWith("INVALID_OPTION", /loadBalanced=true cannot be combined with replicaSet/),
      },
    ];
    // Through a SOCKS5 proxy (RFC 1929 credentials): a name only the proxy knows, passed on unresolved, and
    // a replica set whose members are all reached through it.
    const proxy = await start(startSocks5Proxy({
      auth: { username: "username", password: "p4ssw0rd" },
      map: { "db.mongo-auth.invalid:27017": other.address },
    }));
    const viaProxy =
      `proxyHost=127.0.0.1&proxyPort=${proxy.port}&proxyUsername=username&proxyPassword=p4ssw0rd`;
    topologyChecks.push(
      {
        name: "through a SOCKS5 proxy: a host name only the proxy knows, passed on as given",
        uri: `mongodb://${login}@db.mongo-auth.invalid:27017/?directConnection=true&${viaProxy}`,
        expect: (answer) => {
          placed({ address: "db.mongo-auth.invalid:27017", role: "secondary", read: "ok" })(answer);
          assert.deepEqual(proxy.requests.at(-1), {
            addressType: 3,
            host: "db.mongo-auth.invalid",
            port: 27017,
            methods: [0, 2],
            username: "username",
          });
        },
      },
      {
        name: "through a SOCKS5 proxy: a replica set seen through it, ending on the primary",
        uri: `mongodb://${login}@${east.address}/?replicaSet=rs0&${viaProxy}`,
        expect: placed({ address: primary.name, role: "primary", write: "ok" }),
      },
      {
        name:
          "through a SOCKS5 proxy with the wrong password: CONNECTION_FAILED naming the user, not the password",
        uri: `mongodb://${login}@${east.address}/?${viaProxy.replace("p4ssw0rd", "badauth")}`,
        expect: (answer) => {
          failsWith("CONNECTION_FAILED", /refused proxyUsername "username" and its password/)(answer);
          assert.doesNotMatch(JSON.stringify(answer), /badauth/);
        },
      },
    );
    // An IPv6 literal host: cloudflare:sockets wants it in brackets. Not run (and said so) on a machine
    // without an IPv6 loopback, where nothing can listen on ::1.
    const v6 = await start(startServer({ host: "::1", users: alice })).catch((err: { code?: string }) => {
      if (err.code !== "EADDRNOTAVAIL" && err.code !== "EAFNOSUPPORT") throw err;
      console.log(`# not run: the IPv6 literal check (this machine cannot listen on ::1: ${err.code})`);
      return undefined;
    });
    if (v6) {
      topologyChecks.push({
        name: "an IPv6 literal host: mongodb://[::1]:port reaches the server listening there",
        uri: `mongodb://${login}@[::1]:${v6.port}/`,
        expect: placed({
          address: `[::1]:${v6.port}`,
          role: "standalone",
          topology: { type: "Single", hosts: [`[::1]:${v6.port}`] },
          write: "ok",
          read: "ok",
        }),
      });
    }
    for (const check of topologyChecks) {
      try {
        const { answer, ms } = await ask(base, `/placement?uri=${encodeURIComponent(check.uri)}`);
        check.expect(answer);
        result(true, `${check.name} (${ms.toFixed(0)} ms)`);
      } catch (err) {
        result(false, check.name, (err as Error).message.split("\n")[0]);
      }
    }
  } catch (err) {
    result(false, "replica set, mongos and load balancer checks", (err as Error).message);
  } finally {
    await Promise.allSettled(started.map((deployment) => deployment.close()));
  }
}

// Every case of the connection-string, uri-options (all twelve files) and auth legacy spec files,
// parsed inside the Worker and checked here as tests/spec/*.test.ts check them on the other runtimes.
// The one deliberate deviation (MONGODB-AWS keys in the URI) is the runners' own, with its reason.
async function runUriSpecs(base: string, result: (ok: boolean, name: string, detail?: string) => void) {
  const cases: {
    suite: string;
    name: string;
    uri: string;
    check: (view: UriSpecView) => void;
    deviation?: string;
  }[] = [];
  for (const folder of ["connection-string", "uri-options"]) {
    for (const file of readdirSync(specPath(folder)).filter((f) => f.endsWith(".json")).sort()) {
      for (const test of readSpec<{ tests: UriSpecCase[] }>(`${folder}/${file}`).tests) {
        const check = (view: UriSpecView) => checkUriSpecCase(`${folder}/${file}`, test, view);
        cases.push({ suite: `${folder} spec`, name: `${file}: ${test.description}`, uri: test.uri, check });
      }
    }
  }
  for (const test of readSpec<{ tests: AuthLegacyCase[] }>("auth/legacy/connection-string.json").tests) {
    const check = (view: UriSpecView) => checkAuthLegacyCase(test, view);
    const deviation = AUTH_LEGACY_DEVIATIONS[test.description]?.reason;
    cases.push({ suite: "auth spec legacy", name: test.description, uri: test.uri, check, deviation });
  }
  const tallies = new Map<string, { passed: number; total: number; deviations: string[] }>();
  for (const entry of cases) {
    const tally = tallies.get(entry.suite) ?? { passed: 0, total: 0, deviations: [] };
    tallies.set(entry.suite, tally);
    tally.total++;
    if (entry.deviation) tally.deviations.push(`${JSON.stringify(entry.name)}: ${entry.deviation}`);
    try {
      const { answer } = await ask(base, `/uri?uri=${encodeURIComponent(entry.uri)}`);
      entry.check(answer as UriSpecView);
      tally.passed++;
      result(true, `${entry.suite}: ${entry.name}`);
    } catch (err) {
      result(false, `${entry.suite}: ${entry.name}`, (err as Error).message.split("\n")[0]);
    }
  }
  for (const [suite, { passed, total, deviations }] of tallies) {
    console.log(
      `# ${suite} (workerd): ${passed} of ${total} cases passed; ${
        total - deviations.length
      } run as the files ` +
        `say, ${deviations.length} deliberate deviation${deviations.length === 1 ? "" : "s"}` +
        deviations.map((line) => `\n#   - ${line}`).join(""),
    );
  }
}

// Every case of the Initial DNS Seedlist Discovery spec files, resolved inside the Worker over
// DNS-over-HTTPS and checked here as tests/spec/seedlist.test.ts checks them on the other runtimes
// (what is and is not asserted: tests/support/seedlist.ts). No ping here: the Worker's connect over
// DNS-over-HTTPS is proven by the /srv scenarios. No deliberate deviation.
async function runSeedlistSpec(base: string, result: (ok: boolean, name: string, detail?: string) => void) {
  const cases = readSeedlistCases();
  let passed = 0;
  for (const { name, test } of cases) {
    try {
      const { answer } = await ask(base, `/plan?uri=${encodeURIComponent(test.uri)}`);
      checkSeedlistCase(test, answer as SeedlistView, srvTargetsOf(test.uri));
      passed++;
      result(true, `seedlist spec: ${name}`);
    } catch (err) {
      result(false, `seedlist spec: ${name}`, (err as Error).message.split("\n")[0]);
    }
  }
  console.log(
    `# initial-dns-seedlist-discovery spec through DNS-over-HTTPS (workerd): ${passed} of ${cases.length} ` +
      `cases passed; ${cases.length} run as the files say, 0 deliberate deviations`,
  );
}

function abandon(why: string): never {
  running?.child.kill("SIGKILL");
  console.log(`not ok - ${why}`);
  console.log("workerd: 0 passed, 1 failed");
  process.exit(1);
}

const hardTimeout = setTimeout(() => abandon(`hard timeout after ${HARD_TIMEOUT_MS} ms`), HARD_TIMEOUT_MS);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => abandon(`stopped by ${signal}`));
}
const code = await main();
clearTimeout(hardTimeout);
process.exit(code);
