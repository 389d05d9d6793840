// Secrets: every error path of every mechanism — wrong password, wrong secret key, bad token, server
// errors, timeouts, parse errors, cancellation, credential-provider HTTP errors that echo what was sent,
// TLS key errors — and then every public object that held a secret (credentials, connections, cache
// stores, key caches, SCRAM clients, providers). None of password, AWS secret key, session token, access
// or refresh token, private key or key passphrase may appear in a message, a `cause` chain, a stack,
// JSON.stringify, node:util inspect, Deno.inspect or Bun.inspect (tests/hardening/exposure.ts). Nor in
// any trace event (each error's `trace`, each connection's, and every event `onEvent` received), any hint
// derived from them, or what `mongo-auth whoami --explain` and `--json` print.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import {
  AuthCacheStore,
  authenticate,
  beginAuthentication,
  type CommandRunner,
  type ConnectOptions,
  connectWith,
  createAzureCallback,
  createGcpCallback,
  hintsFor,
  MongoAuthError,
  parseCredential,
  ScramClient,
  ScramKeyCache,
  type TraceEvent,
} from "@mongo-auth/core";
import { cliMain } from "../../src/cli/main.ts";
import { awsCredentialProvider } from "../../src/transport/node.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { startHostileServer } from "../support/hostile-server.ts";
import { startFake, testEnv } from "../support/aws-fakes.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { startAzureImds, startGcpMetadata } from "../support/oidc-fakes.ts";
import { fixturePath } from "../../testing/paths.ts";
import { runtime, transports } from "../support/transports.ts";
import { exposures, type Secret } from "./exposure.ts";

const PASSWORD = "Pw-9f3c1e-SECRET";
const WRONG_PASSWORD = "Wrong-7c2a-SECRET";
const PLAIN_PASSWORD = "plain-pw-1e2d-SECRET";
const KEY_ID = "AKIASECRETSWEEP00001";
const SECRET_KEY = "aws/Secret+Key-8b1dSECRET";
const WRONG_SECRET_KEY = "aws/Wrong+Secret-3a9cSECRET";
const TEMP_KEY_ID = "ASIASECRETSWEEP00002";
const TEMP_SECRET_KEY = "temp/Secret+Key-6d6dSECRET";
const SESSION_TOKEN = "IQoSessionToken-5e7fSECRET==";
const ECS_AUTH_TOKEN = "ecs-auth-token-41c2SECRET";
const WEB_IDENTITY_TOKEN = "web-identity-jwt-77aaSECRET";
const REFRESH_TOKEN = "refresh-token-c0ffeeSECRET";
// Cloud metadata tokens as the services issue them: Azure a JWT, GCP an opaque "ya29." token. Error
// bodies are shown redacted by a heuristic (JWTs, token fields, runs of 24+ token characters): an opaque
// token shorter than that in an error body would show (the README's Guarantees section lists it).
const GCP_TOKEN = "ya29.a0AfB_byC1x2y3z4-Qm9vSECRETbWV0YWRhdGEtdG9rZW4";
const KEY_PASSWORD = "pki-test-password"; // scripts/make-test-pki.sh
const ARN = "arn:aws:iam::123456789012:user/sweep";
const TEMP_ARN = "arn:aws:iam::123456789012:user/sweep-temp";

const pki = (name: string) => fixturePath(`pki/${name}`);
function pemBlocks(name: string): { cert: string; key: string } {
  const text = readFileSync(pki(name), "utf8");
  const block = (label: string) =>
    text.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----\\n`))![0];
  return { cert: block("CERTIFICATE"), key: block("(?:ENCRYPTED )?PRIVATE KEY") };
}
// A private key is searched for by each line of its base64 body (any line would be a leak).
function keyLines(name: string, key = pemBlocks(name).key): Secret[] {
  return key.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----") && !l.includes(":")).map((
    line,
    i,
  ) => ({ name: `${name} private key line ${i + 1}`, value: line }));
}

/** What each scenario produced, checked at the end. */
const errors: { label: string; error: unknown }[] = [];
const objects: { label: string; value: unknown }[] = [];
let secrets: Secret[] = [];

async function expectError(label: string, attempt: () => Promise<unknown>): Promise<MongoAuthError> {
  const error = await attempt().then(
    () => assert.fail(`${label}: expected an error`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof MongoAuthError, `${label}: ${String(error)}`);
  assert.equal(typeof error.code, "string");
  if (process.env.MONGO_AUTH_SECRETS_VERBOSE) console.info(`  ${label} [${error.code}]: ${error.message}`);
  errors.push({ label: `${label} [${error.code}]`, error });
  if (error.trace) {
    objects.push({ label: `${label}: its trace`, value: error.trace });
    objects.push({ label: `${label}: its hints`, value: hintsFor(error.trace) });
  }
  return error;
}

describe("secrets never leak", () => {
  let server: RunningServer;
  let tlsServer: RunningServer;
  let idp: TestIdentityProvider;
  let home: string;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    idp = await createIdentityProvider();
    const accessToken = await idp.token("test_user1");
    const expiredToken = await idp.token("test_user1", -60);
    const azureToken = await idp.token("azure-managed-identity");
    tokens.azure = azureToken;
    secrets = [
      { name: "password", value: PASSWORD },
      { name: "wrong password", value: WRONG_PASSWORD },
      { name: "PLAIN password", value: PLAIN_PASSWORD },
      { name: "AWS secret key", value: SECRET_KEY },
      { name: "wrong AWS secret key", value: WRONG_SECRET_KEY },
      { name: "temporary AWS secret key", value: TEMP_SECRET_KEY },
      { name: "session token", value: SESSION_TOKEN },
      { name: "ECS authorization token", value: ECS_AUTH_TOKEN },
      { name: "web identity token", value: WEB_IDENTITY_TOKEN },
      { name: "OIDC access token", value: accessToken },
      { name: "expired OIDC access token", value: expiredToken },
      { name: "OIDC refresh token", value: REFRESH_TOKEN },
      { name: "Azure token", value: azureToken },
      { name: "GCP token", value: GCP_TOKEN },
      { name: "key passphrase", value: KEY_PASSWORD },
      ...keyLines("client.pem"),
      ...keyLines("client-encrypted.pem"),
      // What Deno and Bun decrypt it to (in memory only; scripts/make-encrypted-keys.sh).
      ...keyLines("encrypted-keys/plain.pem", readFileSync(pki("encrypted-keys/plain.pem"), "utf8")),
      ...keyLines(
        "encrypted-keys/traditional-aes256.pem",
        readFileSync(pki("encrypted-keys/traditional-aes256.pem"), "utf8").split(
          "-----END CERTIFICATE-----",
        )[1],
      ),
    ];
    server = await startServer({
      users: [
        { db: "admin", user: "alice", password: PASSWORD, mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
        { db: "$external", user: ARN, mechanisms: ["MONGODB-AWS"] },
        { db: "$external", user: TEMP_ARN, mechanisms: ["MONGODB-AWS"] },
        { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
      ],
      aws: {
        accounts: [
          { accessKeyId: KEY_ID, secretAccessKey: SECRET_KEY, arn: ARN },
          {
            accessKeyId: TEMP_KEY_ID,
            secretAccessKey: TEMP_SECRET_KEY,
            sessionToken: SESSION_TOKEN,
            arn: TEMP_ARN,
          },
        ],
      },
      oidc: oidcServerConfig(idp),
    } as ServerConfig);
    tlsServer = await startServer({
      users: ["CN=client,OU=apps,O=Example,L=City,ST=State,C=US"].map((user) => ({
        db: "$external",
        user,
        mechanisms: ["MONGODB-X509"],
      })),
      tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
    } as ServerConfig);
    home = mkdtempSync(join(tmpdir(), "mongo-auth-secrets-"));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    // Keep the tokens the tests below need.
    tokens.access = accessToken;
    tokens.expired = expiredToken;
  });
  after(async () => {
    await Promise.all([server.close(), tlsServer.close()]);
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const tokens = { access: "", expired: "", azure: "" };

  it("SCRAM error paths", async () => {
    for (const { name, transport } of await transports()) {
      const base = `mongodb://alice:${encodeURIComponent(PASSWORD)}@${server.address}/`;
      const wrong = `mongodb://alice:${encodeURIComponent(WRONG_PASSWORD)}@${server.address}/`;
      for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
        await expectError(
          `${name}: ${mechanism} wrong password`,
          () => connectWith(transport, `${wrong}?authMechanism=${mechanism}`),
        );
      }
      await expectError(
        `${name}: password failing SASLprep`,
        () =>
          connectWith(
            transport,
            `mongodb://alice:${encodeURIComponent(PASSWORD + "\u0007")}@${server.address}/`,
          ),
      );
      await expectError(
        `${name}: invalid URI carrying a password`,
        () =>
          connectWith(transport, `mongodb://alice:${encodeURIComponent(PASSWORD)}@${server.address}:99999/`),
      );
      await expectError(
        `${name}: invalid option next to a password`,
        () => connectWith(transport, `${base}?tls=soon`),
      );

      // A server that fails the conversation with its own error.
      const admin = await connectWith(transport, base);
      await admin.command("admin", {
        configureFailPoint: "failCommand",
        mode: { times: 1 },
        data: { failCommands: ["saslContinue"], errorCode: 11600 },
      });
      await admin.close();
      await expectError(`${name}: server error in saslContinue`, () => connectWith(transport, base));

      // Hostile peers: tampered signature, garbage server-first, silence, a closed connection, cancellation.
      const upstream = { host: server.host, port: server.port };
      const plans = {
        "tampered server signature": {
          rewriteReply: (body: Record<string, unknown>, index: number) =>
            index === 2 ? { ...body, payload: new TextEncoder().encode("v=" + btoa("x".repeat(32))) } : body,
        },
        "garbage server-first": {
          rewriteReply: (body: Record<string, unknown>, index: number) =>
            index === 1
              ? {
                ...body,
                speculativeAuthenticate: { conversationId: 1, done: false, payload: new Uint8Array(3) },
              }
              : body,
        },
        "silent server (timeout)": { silent: true },
        "connection closed after hello": { closeAtMessage: 2 },
      };
      for (const [fault, plan] of Object.entries(plans)) {
        const peer = await startHostileServer({ upstream, plan });
        try {
          await expectError(
            `${name}: ${fault}`,
            () =>
              connectWith(transport, `mongodb://alice:${encodeURIComponent(PASSWORD)}@${peer.address}/`, {
                connectTimeoutMS: 300,
              }),
          );
          const controller = new AbortController();
          const attempt = connectWith(
            transport,
            `mongodb://alice:${encodeURIComponent(PASSWORD)}@${peer.address}/`,
            {
              signal: controller.signal,
            },
          );
          controller.abort();
          await expectError(`${name}: ${fault}, aborted`, () => attempt);
        } finally {
          await peer.close();
        }
      }

      const conn = await connectWith(transport, `${base}?authMechanism=SCRAM-SHA-256`);
      objects.push({ label: `${name}: SCRAM Connection`, value: conn });
      await conn.close();
    }
    const credential = parseCredential(`mongodb://alice:${encodeURIComponent(PASSWORD)}@h/`)!;
    objects.push({ label: "SCRAM MongoCredential", value: credential });
    const auth = await beginAuthentication(credential);
    objects.push({ label: "SCRAM Authentication (begun)", value: auth });
    const keyCache = new ScramKeyCache();
    const client = new ScramClient({
      hash: "SHA-256",
      username: "alice",
      password: PASSWORD,
      cache: keyCache,
    });
    const first = client.clientFirstMessage();
    const nonce = first.slice(first.lastIndexOf("r=") + 2);
    await client.clientFinalMessage(`r=${nonce}abc,s=${btoa("0123456789abcdef")},i=4096`);
    objects.push({ label: "ScramClient mid-conversation", value: client });
    objects.push({ label: "ScramKeyCache after use", value: keyCache });
    await expectError("ScramClient wrong server signature", () => client.verifyServerFinalMessage("v=AAAA"));
  });

  it("PLAIN error paths", async () => {
    const credential = parseCredential(
      `mongodb://alice:${encodeURIComponent(PLAIN_PASSWORD)}@h/?authMechanism=PLAIN&authSource=$external`,
    )!;
    objects.push({ label: "PLAIN MongoCredential", value: credential });
    const replies = [
      { ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." },
      { ok: 1, done: false },
      { ok: 0, code: 2, errmsg: "bad" },
    ];
    for (const reply of replies) {
      const runner: CommandRunner = { command: () => Promise.resolve(reply) };
      await expectError(
        `PLAIN reply ${JSON.stringify(reply)}`,
        () => authenticate(runner, credential, { helloReply: { ok: 1 } }),
      );
    }
  });

  it("MONGODB-AWS error paths, provider HTTP errors that echo what was sent", async () => {
    const { name, transport } = (await transports())[0];
    const awsUri = (key: string, secret: string, extra = "") =>
      `mongodb://${key}:${encodeURIComponent(secret)}@${server.address}/?authMechanism=MONGODB-AWS${extra}`;
    await expectError(
      `${name}: AWS wrong secret key`,
      () => connectWith(transport, awsUri(KEY_ID, WRONG_SECRET_KEY), { env: testEnv() }),
    );
    const wrongToken = `&authMechanismProperties=AWS_SESSION_TOKEN:${
      encodeURIComponent(SESSION_TOKEN + "x")
    }`;
    await expectError(
      `${name}: AWS wrong session token`,
      () => connectWith(transport, awsUri(TEMP_KEY_ID, TEMP_SECRET_KEY, wrongToken), { env: testEnv() }),
    );
    const goodToken = `&authMechanismProperties=AWS_SESSION_TOKEN:${encodeURIComponent(SESSION_TOKEN)}`;
    objects.push({
      label: "AWS MongoCredential with session token",
      value: parseCredential(awsUri(TEMP_KEY_ID, TEMP_SECRET_KEY, goodToken)),
    });
    const cacheStore = new AuthCacheStore();
    const conn = await connectWith(transport, awsUri(TEMP_KEY_ID, TEMP_SECRET_KEY, goodToken), {
      env: testEnv(),
      cacheStore,
    });
    objects.push({ label: `${name}: AWS Connection`, value: conn });
    await conn.close();

    // An ECS endpoint that refuses and echoes everything it got (the Authorization token included),
    // answers malformed JSON holding a secret, or hangs.
    const echo = await startFake((req) => ({
      status: 403,
      contentType: "application/json",
      body: JSON.stringify({
        code: "AccessDenied",
        message: `bad token ${req.headers.authorization}`,
        SECRET_KEY,
      }),
    }));
    const malformed = await startFake(() => ({
      contentType: "application/json",
      body: `{"AccessKeyId":"${TEMP_KEY_ID}","SecretAccessKey":"${SECRET_KEY}","Token":"${SESSION_TOKEN}"`,
    }));
    const partial = await startFake(() => ({
      contentType: "application/json",
      body: JSON.stringify({ SecretAccessKey: SECRET_KEY, Token: SESSION_TOKEN, Expiration: "soon" }),
    }));
    const hang = await startFake(() => new Promise(() => {}));
    const sts = await startFake((req) => ({
      status: 400,
      contentType: "text/xml",
      body:
        `<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>${req.body}</Message></Error></ErrorResponse>`,
    }));
    const imds = await startFake((req) =>
      req.path === "/latest/api/token"
        ? { body: "imds-token" }
        : { status: 500, body: `${SECRET_KEY} ${SESSION_TOKEN}` }
    );
    cleanups.push(...[echo, malformed, partial, hang, sts, imds].map((f) => () => f.close()));
    const ecsEnv = (url: string) =>
      testEnv({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: ECS_AUTH_TOKEN,
      });
    for (
      const [label, fake] of [["ECS echoes the request", echo], ["ECS malformed JSON", malformed], [
        "ECS JSON without AccessKeyId",
        partial,
      ]] as const
    ) {
      await expectError(`AWS provider: ${label}`, () => awsCredentialProvider({ env: ecsEnv(fake.url) })());
      await expectError(
        `${name}: AWS connect: ${label}`,
        () =>
          connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, {
            env: ecsEnv(fake.url),
          }),
      );
    }
    await expectError(
      "AWS provider: ECS never answers",
      () => awsCredentialProvider({ env: ecsEnv(hang.url), timeoutMs: 100 })(),
    );
    const tokenFile = join(home, "web-identity-token");
    writeFileSync(tokenFile, WEB_IDENTITY_TOKEN);
    const webEnv = testEnv({
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r",
      AWS_STS_REGIONAL_ENDPOINTS: "regional",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL: sts.url,
    });
    await expectError(
      "AWS provider: STS refuses the web identity token and echoes it",
      () => awsCredentialProvider({ env: webEnv })(),
    );
    const imdsEnv = testEnv({
      AWS_EC2_METADATA_DISABLED: "false",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    });
    await expectError(
      "AWS provider: IMDS fails with secrets in the body",
      () => awsCredentialProvider({ env: imdsEnv })(),
    );
    const badProvider = parseCredential(`mongodb://${server.address}/?authMechanism=MONGODB-AWS`, {
      authMechanismProperties: {
        // A provider that breaks its type, as plain JavaScript can: the check must not echo its values.
        AWS_CREDENTIAL_PROVIDER: (() =>
          Promise.resolve({
            accessKeyId: TEMP_KEY_ID,
            secretAccessKey: 42,
            sessionToken: SESSION_TOKEN,
          })) as never,
      },
    })!;
    await expectError(
      "AWS_CREDENTIAL_PROVIDER returns an invalid object",
      () =>
        authenticate({ command: () => Promise.resolve({ ok: 1 }) }, badProvider, { helloReply: { ok: 1 } }),
    );
    const provider = awsCredentialProvider({
      env: testEnv({
        AWS_ACCESS_KEY_ID: KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
      }),
    });
    await provider();
    objects.push({ label: "awsCredentialProvider after a call", value: provider });
    objects.push({ label: "AuthCacheStore after AWS", value: cacheStore });
  });

  it("MONGODB-OIDC error paths", async () => {
    const { name, transport } = (await transports())[0];
    const uri = `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`;
    const machine = (callback: unknown, extra: ConnectOptions = {}): ConnectOptions => ({
      cacheStore: new AuthCacheStore(),
      ...extra,
      authMechanismProperties: {
        OIDC_CALLBACK: callback as never,
        ...(extra.authMechanismProperties as object),
      },
    });
    await expectError(
      `${name}: OIDC expired token`,
      () => connectWith(transport, uri, machine(() => Promise.resolve({ accessToken: tokens.expired }))),
    );
    await expectError(
      `${name}: OIDC callback returns an invalid result`,
      () =>
        connectWith(
          transport,
          uri,
          machine(() => Promise.resolve({ accessToken: 42, refreshToken: REFRESH_TOKEN })),
        ),
    );
    const humanStore = new AuthCacheStore();
    const human = {
      cacheStore: humanStore,
      authMechanismProperties: {
        OIDC_HUMAN_CALLBACK: () =>
          Promise.resolve({ accessToken: tokens.expired, refreshToken: REFRESH_TOKEN }),
      },
    };
    await expectError(
      `${name}: OIDC human flow, refused token with a refresh token`,
      () => connectWith(transport, uri, human),
    );
    objects.push({ label: "AuthCacheStore after a refused human flow", value: humanStore });

    const controller = new AbortController();
    const attempt = connectWith(
      transport,
      uri,
      machine(() => new Promise(() => {}), { signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 20);
    await expectError(`${name}: OIDC aborted during the callback`, () => attempt);

    const failing = await startAzureImds({
      token: tokens.azure,
      fail: { status: 500, body: `{"error":"server_error","token":"${tokens.azure}"} ${tokens.azure}` },
    });
    const garbled = await startEndpointReturning(`{"access_token":"${tokens.azure}"`);
    const gcp = await startGcpMetadata({
      token: GCP_TOKEN,
      fail: { status: 403, body: `refused ${GCP_TOKEN}` },
    });
    cleanups.push(() => failing.close(), () => garbled.close(), () => gcp.close());
    const azure = (endpoint: string) =>
      machine(createAzureCallback({ endpoint, tokenResource: "api://x", timeoutMs: 2000 }));
    await expectError(
      `${name}: Azure IMDS fails echoing a token`,
      () => connectWith(transport, uri, azure(failing.url)),
    );
    await expectError(
      `${name}: Azure IMDS answers malformed JSON holding a token`,
      () => connectWith(transport, uri, azure(garbled.url)),
    );
    await expectError(
      `${name}: GCP metadata fails echoing a token`,
      () =>
        connectWith(transport, uri, machine(createGcpCallback({ endpoint: gcp.url, tokenResource: "x" }))),
    );

    const okStore = new AuthCacheStore();
    const conn = await connectWith(transport, uri, {
      cacheStore: okStore,
      authMechanismProperties: { OIDC_CALLBACK: () => Promise.resolve({ accessToken: tokens.access }) },
    });
    objects.push({ label: `${name}: OIDC Connection`, value: conn });
    objects.push({ label: "AuthCacheStore holding an OIDC token", value: okStore });
    objects.push({
      label: "OIDC MongoCredential",
      value: parseCredential(uri, {
        authMechanismProperties: { OIDC_CALLBACK: (() => Promise.resolve({})) as never },
      }),
    });
    await conn.close();
  });

  it("MONGODB-X509 error paths: the private key and its passphrase never show", async () => {
    for (const { name, transport } of await transports()) {
      const uri = (cert: string, extra = "") =>
        `mongodb://${tlsServer.address}/?tls=true&authMechanism=MONGODB-X509` +
        `&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}&tlsCertificateKeyFile=${
          encodeURIComponent(pki(cert))
        }${extra}`;
      await expectError(
        `${name}: X509 wrong key passphrase`,
        () => connectWith(transport, uri("client-encrypted.pem", "&tlsCertificateKeyFilePassword=wrong")),
      );
      for (const key of ["encrypted-keys/traditional-aes256.pem", "encrypted-keys/pbes2-aes192-sha512.pem"]) {
        await expectError(
          `${name}: X509 wrong key passphrase (${key})`,
          () => connectWith(transport, uri(key, "&tlsCertificateKeyFilePassword=wrong")),
        );
        // Decrypted (by mongo-auth on Deno and Bun) and presented; the subject is no user of this server.
        await expectError(
          `${name}: X509 decrypted key of a subject that is no user (${key})`,
          () => connectWith(transport, uri(key, `&tlsCertificateKeyFilePassword=${KEY_PASSWORD}`)),
        );
      }
      await expectError(
        `${name}: X509 right passphrase where it cannot be used, or not at all`,
        () =>
          connectWith(
            transport,
            uri("client-unregistered.pem", `&tlsCertificateKeyFilePassword=${KEY_PASSWORD}`),
          ),
      );
      await expectError(
        `${name}: X509 certificate from another CA`,
        () => connectWith(transport, uri("client-other-ca.pem"), { connectTimeoutMS: 2000 }),
      );
      const { key } = pemBlocks("client.pem");
      await expectError(
        `${name}: X509 in-memory key with a garbage certificate`,
        () =>
          connectWith(transport, `mongodb://${tlsServer.address}/?tls=true&authMechanism=MONGODB-X509`, {
            tlsCAFile: pki("ca.pem"),
            tlsCertificateKey: {
              cert: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
              key,
            },
            connectTimeoutMS: 2000,
          }),
      );
      const conn = await connectWith(
        transport,
        `mongodb://${tlsServer.address}/?tls=true&authMechanism=MONGODB-X509`,
        {
          tlsCAFile: pki("ca.pem"),
          tlsCertificateKey: pemBlocks("client.pem"),
        },
      );
      objects.push({ label: `${name}: X509 Connection`, value: conn });
      await conn.close();
    }
  });

  it("traces, hints and the CLI's --explain and --json output, with explain's extra requests", async () => {
    const { name, transport } = (await transports())[0];
    const events: TraceEvent[] = [];
    const onEvent = (event: TraceEvent) => void events.push(event);
    // STS echoes everything it was sent, signature and session token included, in its refusal.
    const echoSts = await startFake((req) => ({
      status: 403,
      contentType: "text/xml",
      body:
        `<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>${JSON.stringify(req.headers)} ` +
        `${req.body}</Message></Error></ErrorResponse>`,
    }));
    cleanups.push(() => echoSts.close());
    const awsEnv = testEnv({
      AWS_ACCESS_KEY_ID: TEMP_KEY_ID,
      AWS_SECRET_ACCESS_KEY: WRONG_SECRET_KEY,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_ENDPOINT_URL_STS: echoSts.url,
    });
    const scenarios: [string, string, ConnectOptions][] = [
      [
        "SCRAM wrong password",
        `mongodb://alice:${encodeURIComponent(WRONG_PASSWORD)}@${server.address}/app?authSource=admin`,
        {},
      ],
      [
        "AWS wrong secret key, explained with GetCallerIdentity",
        `mongodb://${server.address}/?authMechanism=MONGODB-AWS`,
        {
          env: awsEnv,
        },
      ],
      ["OIDC expired token", `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`, {
        cacheStore: new AuthCacheStore(),
        authMechanismProperties: {
          OIDC_CALLBACK: () => Promise.resolve({ accessToken: tokens.expired, refreshToken: REFRESH_TOKEN }),
        },
      }],
      ["OIDC human flow with a refresh token", `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`, {
        cacheStore: new AuthCacheStore(),
        authMechanismProperties: {
          OIDC_HUMAN_CALLBACK: () =>
            Promise.resolve({ accessToken: tokens.expired, refreshToken: REFRESH_TOKEN }),
        },
      }],
      [
        "X509 with an encrypted key",
        `mongodb://${tlsServer.address}/?tls=true&authMechanism=MONGODB-X509&tlsCAFile=${
          encodeURIComponent(pki("ca.pem"))
        }&tlsCertificateKeyFile=${encodeURIComponent(pki("client-encrypted.pem"))}` +
        `&tlsCertificateKeyFilePassword=${KEY_PASSWORD}`,
        {},
      ],
    ];
    for (const [label, uri, options] of scenarios) {
      await expectError(
        `${name}: explained: ${label}`,
        () => connectWith(transport, uri, { ...options, onEvent, explain: true }),
      );
      for (const flag of ["--explain", "--json"]) {
        const printed: string[] = [];
        const io = {
          args: ["whoami", flag, uri],
          out: (l: string) => printed.push(l),
          err: (l: string) => printed.push(l),
        };
        await cliMain(
          io,
          (cliUri, cliOptions) => connectWith(transport, cliUri, { ...options, ...cliOptions, onEvent }),
        );
        objects.push({ label: `${name}: whoami ${flag}: ${label}`, value: printed.join("\n") });
      }
    }
    const ok = await connectWith(
      transport,
      `mongodb://alice:${encodeURIComponent(PASSWORD)}@${server.address}/`,
      {
        onEvent,
      },
    );
    await ok.close();
    assert.ok(events.some((e) => e.type === "aws.identity.unknown"), "explain asked STS, which refused");
    assert.ok(events.some((e) => e.type === "oidc.token"), "token claims were traced");
    objects.push({ label: `${name}: every event onEvent received`, value: events });
  });

  it(`no secret in any error or public object (${runtime})`, () => {
    assert.ok(errors.length >= 40, `only ${errors.length} error paths were exercised`);
    const leaks = [
      ...errors.flatMap(({ label, error }) => exposures(error, label, secrets)),
      ...objects.flatMap(({ label, value }) => exposures(value, label, secrets)),
    ];
    console.info(
      `secrets: runtime=${runtime} errorPaths=${errors.length} publicObjects=${objects.length} ` +
        `secrets=${secrets.length} leaks=${leaks.length}`,
    );
    assert.deepEqual(leaks, []);
  });
});

// A loopback endpoint answering 200 with `body` (JSON content type) to everything.
async function startEndpointReturning(body: string) {
  return await startFake(() => ({ contentType: "application/json", body }));
}
