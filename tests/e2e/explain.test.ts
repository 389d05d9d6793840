// Every failure class of issue 19, end to end: connect() through each transport of this runtime against
// the reference server (and the AWS and OIDC fakes), and the hint hintsFor(err.trace) gives, with its
// evidence. Then the trace's contract: delivered to onEvent as it happens, kept on the Connection, a
// throwing listener never breaks a login. No request leaves loopback: AWS and OIDC envs are injected.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthCacheStore,
  connectWith,
  type Hint,
  hintsFor,
  MongoAuthError,
  type TraceEvent,
  type Transport,
} from "@mongo-auth/core";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { fixturePath } from "../../testing/paths.ts";
import { type RunningReplicaSet, startReplicaSet } from "../../testing/reference-server/replica-set.ts";
import { type Fake, startFakeSts, tempCredentials, testEnv } from "../support/aws-fakes.ts";
import { type FakeEndpoint, startAzureImds } from "../support/oidc-fakes.ts";
import { transports } from "../support/transports.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const ROLE_ARN = "arn:aws:iam::123456789012:role/app";
const ASSUMED_ROLE = "arn:aws:sts::123456789012:assumed-role/app/mongo-auth-session";
const KEY_ID = "AKIAEXPLAINKEY000001";
const SECRET_KEY = "explain/Secret+Key";

/** Connects and expects a failure; returns the error and its hints. */
async function failing(
  transport: Transport,
  uri: string,
  options: Parameters<typeof connectWith>[2] = {},
): Promise<{ error: MongoAuthError; hints: Hint[]; trace: readonly TraceEvent[] }> {
  const error = await connectWith(transport, uri, options).then(
    (conn) => (void conn.close(), assert.fail("expected the login to fail")),
    (err: unknown) => err,
  );
  assert.ok(error instanceof MongoAuthError, String(error));
  assert.ok(error.trace && error.trace.length > 0, "the error carries the trace");
  return { error, hints: hintsFor(error.trace), trace: error.trace };
}

function hint(hints: Hint[], id: string): Hint {
  const found = hints.find((h) => h.id === id);
  assert.ok(found, `expected hint ${id}, got ${JSON.stringify(hints.map((h) => h.id))}`);
  return found;
}

function evidence(found: Hint): string {
  return found.evidence.map((e) => `${e.event}: ${e.fact}`).join("\n");
}

for (const { name, transport } of await transports()) {
  describe(`why a login fails, from its trace (${name} transport)`, () => {
    let idp: TestIdentityProvider;
    let server: RunningServer;
    let sts: Fake;
    let azure: FakeEndpoint;
    let home: string;
    const temp = tempCredentials("explainrole", Date.now() + 3600_000);

    before(async () => {
      idp = await createIdentityProvider();
      azure = await startAzureImds({
        token: await idp.token("azure-identity", 3600, { aud: "api://another-app" }),
      });
      sts = await startFakeSts({
        credentials: temp,
        assumedRoleArn: ASSUMED_ROLE,
        webIdentityToken: "web-identity-jwt",
        identities: { [KEY_ID]: "arn:aws:iam::123456789012:user/ci" },
      });
      server = await startServer({
        users: [
          { db: "app", user: "bob", password: "bob-pw", mechanisms: ["SCRAM-SHA-256"] },
          { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
          { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
        ],
        aws: {
          accounts: [
            {
              accessKeyId: temp.AccessKeyId,
              secretAccessKey: temp.SecretAccessKey,
              sessionToken: temp.Token,
              arn: ASSUMED_ROLE,
            },
            { accessKeyId: KEY_ID, secretAccessKey: SECRET_KEY, arn: "arn:aws:iam::123456789012:user/ci" },
          ],
        },
        oidc: oidcServerConfig(idp),
      } as ServerConfig);
      home = mkdtempSync(join(tmpdir(), "mongo-auth-explain-"));
      writeFileSync(join(home, "token"), "web-identity-jwt");
    });
    after(async () => {
      await Promise.all([server.close(), sts.close(), azure.close()]);
      rmSync(home, { recursive: true, force: true });
    });

    it("wrong authSource: the user was looked up in admin, but the connection string's database is app", async () => {
      const { hints } = await failing(
        transport,
        `mongodb://bob:bob-pw@${server.address}/app?authSource=admin`,
      );
      const found = hint(hints, "auth-source");
      assert.match(found.message, /looked up in "admin", but the connection string's database is "app"/);
      assert.match(found.message, /set authSource=app/);
      assert.match(
        evidence(found),
        /auth\.source: the user was looked up in "admin": authSource=admin in the connection string/,
      );
      assert.match(evidence(found), /hello: hello listed no mechanisms for admin\.bob/);
      assert.match(evidence(found), /auth\.failed: .*server error 18/);
    });

    it("the user in admin, looked up in the connection string's database", async () => {
      const { hints } = await failing(transport, `mongodb://legacy:legacy-pw@${server.address}/app`);
      const found = hint(hints, "auth-source");
      assert.match(found.message, /no user "legacy" in "app"/);
      assert.match(evidence(found), /the connection string's database \(\/app\) is used/);
    });

    it("the server offers only SCRAM-SHA-1 for this user", async () => {
      const { error, hints } = await failing(
        transport,
        `mongodb://legacy:legacy-pw@${server.address}/?authMechanism=SCRAM-SHA-256`,
      );
      assert.match(error.message, /no SCRAM-SHA-256 credentials \(hello lists SCRAM-SHA-1 for it\)/);
      const found = hint(hints, "mechanism");
      assert.match(
        found.message,
        /offers only SCRAM-SHA-1 for admin\.legacy, and the login used SCRAM-SHA-256/,
      );
      assert.match(evidence(found), /hello: hello lists SCRAM-SHA-1 for admin\.legacy/);
      assert.match(evidence(found), /auth\.mechanism: SCRAM-SHA-256 was used: authMechanism=SCRAM-SHA-256/);
    });

    it("an expired token: it expired 3 minutes before it was sent", async () => {
      const expired = await idp.token("test_user1", -180);
      const { hints, trace } = await failing(
        transport,
        `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`,
        {
          cacheStore: new AuthCacheStore(),
          authMechanismProperties: { OIDC_CALLBACK: () => Promise.resolve({ accessToken: expired }) },
        },
      );
      const found = hint(hints, "oidc-token-expired");
      assert.match(found.message, /^The token expired 3 minutes before it was sent/);
      assert.match(evidence(found), /oidc\.source: tokens come from OIDC_CALLBACK/);
      assert.match(evidence(found), /oidc\.token: the token fetched for this login has exp \d{4}-\d\d-\d\dT/);
      const token = trace.find((e) => e.type === "oidc.token");
      assert.equal(token?.type === "oidc.token" && token.attributes.subject, "test_user1");
      assert.ok(!JSON.stringify(trace).includes(expired), "the token itself is never in the trace");
    });

    it("a token whose aud differs from what TOKEN_RESOURCE asked for (ENVIRONMENT:azure)", async () => {
      // Azure IMDS is the loopback fake: fetch sends its well-known address there, so nothing leaves loopback.
      const env = testEnv({}, {
        fetch: (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          assert.equal(url.origin, "http://169.254.169.254");
          return fetch(azure.url + url.pathname + url.search, init);
        },
      });
      const { hints } = await failing(transport, `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`, {
        env,
        authMechanismProperties: { ENVIRONMENT: "azure", TOKEN_RESOURCE: "api://mongodb" },
      });
      const found = hint(hints, "oidc-audience");
      assert.match(found.message, /aud is api:\/\/another-app, but TOKEN_RESOURCE asked for api:\/\/mongodb/);
      assert.match(evidence(found), /oidc\.source: ENVIRONMENT:azure with TOKEN_RESOURCE api:\/\/mongodb/);
    });

    it("an IAM role without a user: the $external user must be the assumed role's simplified ARN", async () => {
      const env = testEnv({
        AWS_WEB_IDENTITY_TOKEN_FILE: join(home, "token"),
        AWS_ROLE_ARN: ROLE_ARN,
        AWS_ENDPOINT_URL_STS: sts.url,
      });
      const { error, hints } = await failing(
        transport,
        `mongodb://${server.address}/?authMechanism=MONGODB-AWS`,
        {
          env,
          cacheStore: new AuthCacheStore(),
        },
      );
      // The message names the user mongod looks up for a role (it named the role's IAM ARN before).
      assert.match(error.message, /arn:aws:sts::<account>:assumed-role\/<role>\/\*/);
      const found = hint(hints, "aws-user");
      assert.equal(
        found.message,
        `The AWS identity is ${ASSUMED_ROLE}, so the $external user must be ` +
          'arn:aws:sts::123456789012:assumed-role/app/*: create it with db.getSiblingDB("$external").runCommand(' +
          '{ createUser: "arn:aws:sts::123456789012:assumed-role/app/*", roles: [...] }).',
      );
      assert.match(
        evidence(found),
        /aws\.source: temporary credentials ASIA…ROLE from AssumeRoleWithWebIdentity/,
      );
      assert.match(
        evidence(found),
        /aws\.identity: the credentials are .* \(from the AssumeRoleWithWebIdentity answer\)/,
      );
    });

    it("static keys of an identity without a user: explain asks STS GetCallerIdentity (one bounded request)", async () => {
      const env = testEnv({
        AWS_ACCESS_KEY_ID: KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_ENDPOINT_URL_STS: sts.url,
      });
      const uri = `mongodb://${server.address}/?authMechanism=MONGODB-AWS`;
      const plain = await failing(transport, uri, { env });
      assert.match(hint(plain.hints, "aws-identity-unknown").message, /whoami --explain/);
      const asked = sts.requests.length;
      const explained = await failing(transport, uri, { env, explain: true });
      assert.equal(sts.requests.length, asked + 1, "one GetCallerIdentity");
      const found = hint(explained.hints, "aws-user");
      assert.match(
        found.message,
        /identity is arn:aws:iam::123456789012:user\/ci, so the \$external user must be arn:aws:iam::123456789012:user\/ci/,
      );
      assert.match(evidence(found), /from STS GetCallerIdentity at 127\.0\.0\.1:\d+/);
    });

    describe("TLS", () => {
      let tlsServer: RunningServer;
      before(async () => {
        tlsServer = await startServer({
          users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
          tls: {
            cert: pki("wrong-host-server.pem"),
            key: pki("wrong-host-server.pem"),
            ca: pki("ca.pem"),
            allowConnectionsWithoutCertificates: true,
          },
        } as ServerConfig);
      });
      after(() => tlsServer.close());

      it("the server certificate is not for this host name", async () => {
        const ca = encodeURIComponent(pki("wrong-host-ca.pem"));
        const { error, hints } = await failing(
          transport,
          `mongodb://alice:alice-pw@${tlsServer.address}/?tls=true&tlsCAFile=${ca}`,
        );
        assert.equal(error.code, "TLS_ERROR");
        const found = hint(hints, "tls-hostname");
        assert.match(
          found.message,
          /^The server's certificate is not for 127\.0\.0\.1 \(it names DNS:db\.example\.net\)/,
        );
        assert.match(evidence(found), /tls\.failed: the server's certificate names DNS:db\.example\.net/);
      });

      it("TLS asked of a plain server: with explain, a plain hello to the same port answers", async () => {
        const uri = `mongodb://bob:bob-pw@${server.address}/app?tls=true&connectTimeoutMS=5000`;
        const without = await failing(transport, uri);
        assert.match(hint(without.hints, "tls-plain-server").message, /did not complete the TLS handshake/);
        const { hints } = await failing(transport, uri, { explain: true });
        const found = hint(hints, "tls-plain-server");
        assert.match(
          found.message,
          /^TLS was asked of a server that does not speak it: 127\.0\.0\.1:\d+ answers hello without TLS/,
        );
        assert.match(
          evidence(found),
          /tls\.plain_probe: without TLS, 127\.0\.0\.1:\d+ answered hello \(MongoDB 7\.0\)/,
        );
      });

      it("a successful TLS login shows the server certificate where the runtime exposes it", async () => {
        const trusted = await startServer({
          users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
          tls: {
            cert: pki("server-cert.pem"),
            key: pki("server-key.pem"),
            ca: pki("ca.pem"),
            allowConnectionsWithoutCertificates: true,
          },
        } as ServerConfig);
        try {
          const conn = await connectWith(transport, `mongodb://alice:alice-pw@${trusted.address}/?tls=true`, {
            tlsCAFile: pki("ca.pem"),
          });
          await conn.close();
          const handshake = conn.trace.find((e) => e.type === "tls.handshake");
          assert.ok(handshake?.type === "tls.handshake");
          // A pinned CA goes through node:tls on every runtime, which shows the certificate.
          assert.equal(handshake.attributes.serverSubject, "CN=localhost,O=mongo-auth tests");
          assert.deepEqual(handshake.attributes.serverAltNames?.slice(0, 2), [
            "DNS:localhost",
            "IP:127.0.0.1",
          ]);
          assert.match(handshake.attributes.protocol ?? "", /^TLSv1\.[23]$/);
        } finally {
          await trusted.close();
        }
      });
    });

    describe("X509", () => {
      let x509: RunningServer;
      before(async () => {
        x509 = await startServer({
          users: [],
          tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
        } as ServerConfig);
      });
      after(() => x509.close());

      it("no $external user is named as the client certificate's subject", async () => {
        const { hints } = await failing(
          transport,
          `mongodb://${x509.address}/?tls=true&authMechanism=MONGODB-X509`,
          {
            tlsCAFile: pki("ca.pem"),
            tlsCertificateKeyFile: pki("client.pem"),
          },
        );
        const found = hint(hints, "x509-user");
        assert.match(found.message, /subject is CN=client,OU=apps,O=Example,L=City,ST=State,C=US/);
      });

      it("a username that is not the certificate's subject: mongod's 18, the error and the hint say to leave it out", async () => {
        const { error, hints } = await failing(
          transport,
          `mongodb://CN=someone@${x509.address}/?tls=true&authMechanism=MONGODB-X509`,
          { tlsCAFile: pki("ca.pem"), tlsCertificateKeyFile: pki("client.pem") },
        );
        assert.equal(error.code, "AUTHENTICATION_FAILED");
        assert.equal(
          error.message,
          'the server refused user "CN=someone" on database "$external" with MONGODB-X509 (server error 18 ' +
            "AuthenticationFailed): the username must be the client certificate's subject, exactly as mongod " +
            "writes it (RFC 2253: CN=…,OU=…,O=…): leave it out of the connection string, and the server takes " +
            "the subject",
        );
        const found = hint(hints, "x509-user");
        assert.equal(
          found.message,
          "The user given is CN=someone, but the client certificate's subject is " +
            "CN=client,OU=apps,O=Example,L=City,ST=State,C=US: mongod refuses any other name than the subject. " +
            "Leave the username out, and the server takes the subject.",
        );
        assert.match(evidence(found), /the user given is CN=someone/);
      });
    });

    describe("the trace itself", () => {
      it("is delivered to onEvent as it happens, in order, and kept on the Connection", async () => {
        const seen: TraceEvent[] = [];
        const conn = await connectWith(transport, `mongodb://bob:bob-pw@${server.address}/app`, {
          onEvent: (event) => seen.push(event),
        });
        await conn.close();
        assert.deepEqual(seen, conn.trace);
        assert.deepEqual(conn.trace.map((e) => e.type), [
          "connect.started",
          "host.connecting",
          "socket.opened",
          "auth.started",
          "auth.source",
          "hello",
          "auth.mechanism",
          "sasl.step",
          "sasl.step",
          "auth.succeeded",
          "connect.succeeded",
        ]);
        for (let i = 1; i < seen.length; i++) {
          assert.ok(seen[i].time >= seen[i - 1].time, "times never go back");
        }
        const steps = seen.filter((e) => e.type === "sasl.step");
        assert.deepEqual(steps.map((e) => e.type === "sasl.step" && e.attributes.command), [
          "speculativeAuthenticate",
          "saslContinue",
        ]);
        assert.equal(typeof steps[1].durationMs, "number", "each step sent has its round trip");
      });

      it("takes its times from the injected clock", async () => {
        const conn = await connectWith(transport, `mongodb://bob:bob-pw@${server.address}/app`, {
          env: testEnv({}, { now: () => 1_700_000_000_000 }),
        });
        await conn.close();
        assert.ok(conn.trace.every((e) => e.time === 1_700_000_000_000));
      });

      it("a listener that throws does not break the login: its failure is recorded, not delivered", async () => {
        let calls = 0;
        const conn = await connectWith(transport, `mongodb://bob:bob-pw@${server.address}/app`, {
          onEvent: (event) => {
            calls++;
            if (event.type === "hello") throw new TypeError("listener bug");
          },
        });
        await conn.close();
        const failed = conn.trace.filter((e) => e.type === "trace.listener_failed");
        assert.deepEqual(failed.map((e) => e.attributes), [{ failedType: "hello", error: "TypeError" }]);
        assert.equal(calls, conn.trace.length - 1);
      });

      it("a rejected listener promise is recorded the same way", async () => {
        const conn = await connectWith(transport, `mongodb://bob:bob-pw@${server.address}/app`, {
          onEvent: ((event: TraceEvent) =>
            event.type === "auth.started" ? Promise.reject(new RangeError("x")) : undefined) as never,
        });
        await new Promise((resolve) => setTimeout(resolve, 10));
        await conn.close();
        assert.ok(
          conn.trace.some((e) => e.type === "trace.listener_failed" && e.attributes.error === "RangeError"),
        );
      });

      it("every event maps to an OpenTelemetry span event: flat attributes of strings, numbers, booleans, arrays", async () => {
        const { trace } = await failing(
          transport,
          `mongodb://bob:bob-pw@${server.address}/app?authSource=admin`,
        );
        for (const event of trace) {
          assert.match(event.type, /^[a-z]+(\.[a-z_]+)+$|^hello$/);
          for (const [key, value] of Object.entries(event.attributes)) {
            const scalar = (v: unknown) => ["string", "number", "boolean"].includes(typeof v);
            assert.ok(scalar(value) || (Array.isArray(value) && value.every(scalar)), `${event.type}.${key}`);
          }
        }
      });
    });

    describe("a replica set", () => {
      let rs: RunningReplicaSet;
      before(async () => {
        rs = await startReplicaSet({
          setName: "rs0",
          users: [{ db: "app", user: "bob", password: "bob-pw", mechanisms: ["SCRAM-SHA-256"] }],
          members: [{}, {}, {}],
        });
      });
      after(() => rs?.close());

      it("shows the way from a secondary to the primary it names: checks, topology, the member chosen", async () => {
        const [secondary] = rs.secondaries();
        const primary = rs.primary()!;
        const conn = await connectWith(
          transport,
          `mongodb://bob:bob-pw@${secondary.address}/app?replicaSet=rs0`,
        );
        await conn.close();
        const lines = conn.trace
          .filter((e) => ["host.connecting", "hello", "topology.updated", "server.selected"].includes(e.type))
          .map((e) => {
            const a = e.attributes as Record<string, unknown>;
            if (e.type === "topology.updated") return `${e.type} ${a.type}`;
            return `${e.type} ${a.host}:${a.port}` + (e.type === "hello" ? ` ${a.role}` : "") +
              (e.type === "server.selected" ? ` ${a.serverType} ${a.readPreference} after ${a.checks}` : "");
          });
        assert.deepEqual(lines, [
          `host.connecting ${secondary.address}`,
          `hello ${secondary.address} secondary`,
          "topology.updated ReplicaSetNoPrimary",
          `host.connecting ${primary.address}`,
          `hello ${primary.address} primary`,
          "topology.updated ReplicaSetWithPrimary",
          `server.selected ${primary.address} RSPrimary primary after 2`,
        ]);
        const named = conn.trace.find((e) => e.type === "topology.updated")!.attributes as {
          servers: readonly string[];
        };
        assert.ok(named.servers.includes(`${primary.address} PossiblePrimary`), named.servers.join(", "));
        assert.equal(conn.trace.at(-1)?.type, "connect.succeeded");
      });

      it("wrong authSource on a secondary read: the hint reads the chosen member's hello", async () => {
        const { hints, trace } = await failing(
          transport,
          `mongodb://bob:bob-pw@${rs.seedList()}/app?replicaSet=rs0&authSource=admin&readPreference=secondary`,
        );
        const selected = trace.find((e) => e.type === "server.selected");
        assert.equal((selected?.attributes as { serverType?: string }).serverType, "RSSecondary");
        const found = hint(hints, "auth-source");
        assert.match(found.message, /looked up in "admin", but the connection string's database is "app"/);
        assert.match(evidence(found), /hello: hello listed no mechanisms for admin\.bob/);
      });
    });
  });
}
