// Nothing is logged by default: full connects of every mechanism, successful and failing, with every
// console method spied, write nothing.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthCacheStore, connectWith, type OidcCallbackParams } from "@mongo-auth/core";
import { awsCredentialProvider } from "../../src/transport/node.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { startHostileServer } from "../support/hostile-server.ts";
import { testEnv } from "../support/aws-fakes.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { fixturePath } from "../../testing/paths.ts";
import { transports } from "../support/transports.ts";

const METHODS = [
  "log",
  "info",
  "warn",
  "error",
  "debug",
  "trace",
  "dir",
  "table",
  "group",
  "assert",
] as const;
const KEY_ID = "AKIANOLOGGING0000001";
const SECRET = "no/logging+secret";
const ARN = "arn:aws:iam::123456789012:user/quiet";
const pki = (name: string) => fixturePath(`pki/${name}`);

/** Runs `work` with every console method replaced by a recorder; returns what was written. */
async function spyConsole(work: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const console_ = console as unknown as Record<string, (...args: unknown[]) => void>;
  const originals = METHODS.map((m) => [m, console_[m]] as const);
  for (const [method] of originals) {
    console_[method] = (...args) => void written.push(`${method}: ${args.join(" ")}`);
  }
  try {
    await work();
  } finally {
    for (const [method, original] of originals) console_[method] = original;
  }
  return written;
}

describe("nothing is logged by default", () => {
  let server: RunningServer;
  let tlsServer: RunningServer;
  let idp: TestIdentityProvider;
  before(async () => {
    idp = await createIdentityProvider();
    server = await startServer({
      users: [
        { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
        { db: "$external", user: ARN, mechanisms: ["MONGODB-AWS"] },
        { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
      ],
      aws: { accounts: [{ accessKeyId: KEY_ID, secretAccessKey: SECRET, arn: ARN }] },
      oidc: oidcServerConfig(idp),
    } as ServerConfig);
    tlsServer = await startServer({
      users: [{
        db: "$external",
        user: "CN=client,OU=apps,O=Example,L=City,ST=State,C=US",
        mechanisms: ["MONGODB-X509"],
      }],
      tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
    } as ServerConfig);
  });
  after(() => Promise.all([server.close(), tlsServer.close()]).then(() => {}));

  it("connect, command and close with every mechanism, and their failures, write nothing", async () => {
    let attempts = 0;
    const written = await spyConsole(async () => {
      for (const { transport } of await transports()) {
        const ok = async (uri: string, options = {}) => {
          attempts++;
          const conn = await connectWith(transport, uri, options);
          await conn.command("admin", { ping: 1 });
          await conn.close();
        };
        const fails = async (uri: string, options = {}) => {
          attempts++;
          await assert.rejects(connectWith(transport, uri, options));
        };
        const a = server.address;
        const oidc = (token: () => Promise<string>) => ({
          cacheStore: new AuthCacheStore(),
          authMechanismProperties: {
            OIDC_CALLBACK: async (_: OidcCallbackParams) => ({ accessToken: await token() }),
          },
        });
        await ok(`mongodb://alice:alice-pw@${a}/`);
        await ok(`mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-1`);
        await fails(`mongodb://alice:wrong@${a}/`);
        await ok(`mongodb://${KEY_ID}:${encodeURIComponent(SECRET)}@${a}/?authMechanism=MONGODB-AWS`, {
          env: testEnv(),
        });
        await fails(`mongodb://${KEY_ID}:wrong@${a}/?authMechanism=MONGODB-AWS`, { env: testEnv() });
        await fails(`mongodb://${a}/?authMechanism=MONGODB-AWS`, {
          env: testEnv(),
          cacheStore: new AuthCacheStore(),
        });
        await ok(`mongodb://${a}/?authMechanism=MONGODB-OIDC`, oidc(() => idp.token("test_user1")));
        await fails(`mongodb://${a}/?authMechanism=MONGODB-OIDC`, oidc(() => idp.token("test_user1", -60)));
        const x509 = (cert: string) =>
          `mongodb://${tlsServer.address}/?tls=true&authMechanism=MONGODB-X509` +
          `&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}&tlsCertificateKeyFile=${
            encodeURIComponent(pki(cert))
          }`;
        await ok(x509("client.pem"));
        await fails(x509("client-unregistered.pem"));
        const silent = await startHostileServer({ plan: { silent: true } });
        try {
          await fails(`mongodb://alice:alice-pw@${silent.address}/`, { connectTimeoutMS: 100 });
        } finally {
          await silent.close();
        }
        await fails("mongodb://alice:pw@127.0.0.1:1/");
        // Warnings (an unknown option, an ignored value, a misspelt options key) are data, not log lines.
        attempts++;
        const warned = await connectWith(transport, `mongodb://alice:alice-pw@${a}/?authSorce=admin&w=-1`, {
          connectTimeoutMs: 1000,
        } as Record<string, unknown>);
        assert.equal(warned.warnings.length, 3);
        await warned.close();
      }
      attempts++;
      await assert.rejects(awsCredentialProvider({ env: testEnv() })());
    });
    assert.deepEqual(written, []);
    assert.ok(attempts >= 12);
  });
});
