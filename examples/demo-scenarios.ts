// What the demo logs in with: one scenario per mechanism, against one reference server that speaks
// TLS (with the test PKI) so that X509 works and every other mechanism runs over TLS too. Kept apart
// from demo.ts so that tests/e2e/demo.test.ts runs the very same scenarios on every runtime.
// A person's sign-in (MONGODB-OIDC with createHumanCallback) goes through a real identity provider,
// oidc-provider, to a second server that trusts it; the person at the browser is scripted.
import { AuthCacheStore, type ConnectOptions, runtimeEnv } from "@mongo-auth/core";
import type { ServerConfig } from "../testing/reference-server/config.ts";
import { createIdentityProvider, oidcServerConfig } from "../testing/identity-provider.ts";
import { startIdentityProvider } from "../testing/oidc-provider/oidc-provider.ts";
import { ScriptedPerson } from "../testing/oidc-provider/person.ts";
import { fixturePath } from "../testing/paths.ts";

// This runtime's sign-in (Deno.serve on Deno, node:http on Node.js and Bun), as demo.ts picks its transport.
const { createHumanCallback } = "Deno" in globalThis
  ? await import("../src/transport/deno.ts")
  : await import("../src/transport/node.ts");

export interface DemoScenario {
  /** What the row shows when the login fails. */
  label: string;
  /** The mechanism and round trips the login must end with. */
  expect: { mechanism: string; roundTrips: number; user: string; db: string };
  uri(address: string): string;
  options?: ConnectOptions;
  /** "person": the login goes to the server of {@link DemoSetup.personServerConfig}. */
  server?: "person";
}

export interface DemoSetup {
  serverConfig: ServerConfig;
  /** The server a person signs in to: it trusts the oidc-provider identity provider. */
  personServerConfig: ServerConfig;
  /** The logins, as one new client: every call starts with empty caches (no OIDC token yet). */
  scenarios(): DemoScenario[];
  /** Stops the identity provider. */
  close(): Promise<void>;
}

const pki = (name: string) => fixturePath(`pki/${name}`);
const X509_SUBJECT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const AWS_KEY_ID = "AKIADEMOEXAMPLE12345";
const AWS_SECRET = "demo/secret+key/EXAMPLE";
const AWS_ARN = "arn:aws:iam::123456789012:user/demo";

export async function demoScenarios(): Promise<DemoSetup> {
  const idp = await createIdentityProvider();
  const people = await startIdentityProvider();
  const tlsConfig = {
    cert: pki("server-cert.pem"),
    key: pki("server-key.pem"),
    ca: pki("ca.pem"),
    allowConnectionsWithoutCertificates: true,
  };
  const personServerConfig = {
    tls: tlsConfig,
    oidc: { issuer: people.issuer, audience: people.audience, clientId: people.clientId },
    users: [{ db: "$external", user: "demo-person", mechanisms: ["MONGODB-OIDC"] }],
  } as ServerConfig;
  const serverConfig = {
    tls: tlsConfig,
    aws: { accounts: [{ accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET, arn: AWS_ARN }] },
    oidc: oidcServerConfig(idp),
    users: [
      { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
      { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
      { db: "$external", user: X509_SUBJECT, mechanisms: ["MONGODB-X509"] },
      { db: "$external", user: AWS_ARN, mechanisms: ["MONGODB-AWS"] },
      { db: "$external", user: "demo-workload", mechanisms: ["MONGODB-OIDC"] },
      { db: "$external", user: "ldap-user", password: "ldap-pw", mechanisms: ["PLAIN"] },
    ],
  } as ServerConfig;
  const tls = `tls=true&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}`;
  const scenarios = (): DemoScenario[] => {
    // The OIDC callback stands in for a workload's identity provider; one cache store plays one
    // client, so the second OIDC login reuses the token speculatively inside hello.
    const oidcOptions: ConnectOptions = {
      authMechanism: "MONGODB-OIDC",
      authMechanismProperties: {
        OIDC_CALLBACK: async () => ({ accessToken: await idp.token("demo-workload") }),
      },
      cacheStore: new AuthCacheStore(),
    };
    return [
      {
        label: "SCRAM-SHA-256",
        expect: { mechanism: "SCRAM-SHA-256", roundTrips: 2, user: "alice", db: "admin" },
        uri: (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-256&${tls}`,
      },
      {
        label: "SCRAM-SHA-1",
        expect: { mechanism: "SCRAM-SHA-1", roundTrips: 2, user: "alice", db: "admin" },
        uri: (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-1&${tls}`,
      },
      {
        label: "negotiated",
        expect: { mechanism: "SCRAM-SHA-256", roundTrips: 2, user: "alice", db: "admin" },
        uri: (a) => `mongodb://alice:alice-pw@${a}/?${tls}`,
      },
      {
        label: "negotiated (SHA-1 user)",
        expect: { mechanism: "SCRAM-SHA-1", roundTrips: 3, user: "legacy", db: "admin" },
        uri: (a) => `mongodb://legacy:legacy-pw@${a}/?${tls}`,
      },
      {
        label: "MONGODB-X509",
        expect: { mechanism: "MONGODB-X509", roundTrips: 1, user: X509_SUBJECT, db: "$external" },
        uri: (a) =>
          `mongodb://${a}/?authMechanism=MONGODB-X509&${tls}&tlsCertificateKeyFile=${
            encodeURIComponent(pki("client.pem"))
          }`,
      },
      {
        label: "MONGODB-AWS",
        expect: { mechanism: "MONGODB-AWS", roundTrips: 3, user: AWS_ARN, db: "$external" },
        uri: (a) =>
          `mongodb://${AWS_KEY_ID}:${encodeURIComponent(AWS_SECRET)}@${a}/?authMechanism=MONGODB-AWS&${tls}`,
        // Keys come from the URI; an empty env keeps the chain away from this machine's AWS setup.
        options: { env: runtimeEnv({ env: { AWS_EC2_METADATA_DISABLED: "true" } }) },
      },
      {
        label: "MONGODB-OIDC (callback)",
        expect: { mechanism: "MONGODB-OIDC", roundTrips: 2, user: "demo-workload", db: "$external" },
        uri: (a) => `mongodb://${a}/?${tls}`,
        options: oidcOptions,
      },
      {
        label: "MONGODB-OIDC (cached token)",
        expect: { mechanism: "MONGODB-OIDC", roundTrips: 1, user: "demo-workload", db: "$external" },
        uri: (a) => `mongodb://${a}/?${tls}`,
        options: oidcOptions,
      },
      {
        label: "MONGODB-OIDC (person, oidc-provider)",
        expect: { mechanism: "MONGODB-OIDC", roundTrips: 3, user: "demo-person", db: "$external" },
        uri: (a) => `mongodb://${a}/?authMechanism=MONGODB-OIDC&${tls}`,
        options: {
          authMechanismProperties: {
            OIDC_HUMAN_CALLBACK: createHumanCallback({
              redirectUri: "http://127.0.0.1:0/redirect", // the registered URI's host and path, a free port
              openUrl: (url) => void new ScriptedPerson("demo-person").signIn(url),
            }),
          },
        },
        server: "person",
      },
      {
        label: "PLAIN",
        expect: { mechanism: "PLAIN", roundTrips: 2, user: "ldap-user", db: "$external" },
        uri: (a) => `mongodb://ldap-user:ldap-pw@${a}/?authMechanism=PLAIN&${tls}`,
      },
    ];
  };
  return { serverConfig, personServerConfig, scenarios, close: () => people.close() };
}
