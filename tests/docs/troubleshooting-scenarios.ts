// The failures docs/troubleshooting.md shows, staged for real: the reference server, a stand-in STS and
// an identity provider's token, and `mongo-auth whoami --explain` run against them as a user would (a
// child process of this runtime, with only the environment given here). tests/docs/troubleshooting.test.ts
// compares what it prints with the documented blocks; scripts/make-troubleshooting-docs.ts writes them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { createIdentityProvider, oidcServerConfig } from "../../testing/identity-provider.ts";
import { type Fake, startFakeSts, tempCredentials } from "../support/aws-fakes.ts";
import { type CliRun, runCli } from "../support/cli.ts";

/** The address the documentation shows for every server (each really listens on a free port). */
export const SHOWN_ADDRESS = "127.0.0.1:27017";

/** One documented failure. */
export interface Scenario {
  /** The `output=` name of its block. */
  readonly name: string;
  /** Runs the CLI; resolves to what it printed. */
  run(): Promise<CliRun>;
}

/** The scenarios, with the servers they need running. */
export interface Stage {
  readonly scenarios: readonly Scenario[];
  close(): Promise<void>;
}

const ROLE_ARN = "arn:aws:iam::123456789012:role/app";
const SESSION = "app-pod";
const ASSUMED_ROLE = `arn:aws:sts::123456789012:assumed-role/app/${SESSION}`;

/**
 * Starts what the scenarios need.
 * @returns the scenarios and how to stop everything
 */
export async function stage(): Promise<Stage> {
  const dir = mkdtempSync(join(tmpdir(), "mongo-auth-troubleshooting-"));
  const idp = await createIdentityProvider("https://login.example.com/tenant", "api://mongodb");
  const temp = tempCredentials("eksapppod", Date.now() + 3600_000);
  const sts: Fake = await startFakeSts({
    credentials: temp,
    assumedRoleArn: ASSUMED_ROLE,
    webIdentityToken: "eyJhbGciOiJSUzI1NiJ9.service-account-token.signature",
  });
  const server: RunningServer = await startServer({
    users: [
      { db: "app", user: "bob", password: "bob-pw", mechanisms: ["SCRAM-SHA-256"] },
      { db: "$external", user: "reporting", mechanisms: ["MONGODB-OIDC"] },
    ],
    aws: {
      accounts: [{
        accessKeyId: temp.AccessKeyId,
        secretAccessKey: temp.SecretAccessKey,
        sessionToken: temp.Token,
        arn: ASSUMED_ROLE,
      }],
    },
    oidc: oidcServerConfig(idp),
  } as ServerConfig);
  writeFileSync(join(dir, "web-identity-token"), "eyJhbGciOiJSUzI1NiJ9.service-account-token.signature");
  writeFileSync(join(dir, "oidc-token"), await idp.token("reporting", -180));
  // What every run sees: no credentials of the machine it runs on, no cloud metadata.
  const base = { HOME: "/home/app", NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true" };
  const scenarios: Scenario[] = [
    {
      name: "wrong-auth-source",
      run: () =>
        runCli(["whoami", "--explain", `mongodb://bob:bob-pw@${server.address}/app?authSource=admin`], base),
    },
    {
      name: "iam-role-without-user",
      run: () =>
        runCli(["whoami", "--explain", `mongodb://${server.address}/?authMechanism=MONGODB-AWS`], {
          ...base,
          AWS_ROLE_ARN: ROLE_ARN,
          AWS_ROLE_SESSION_NAME: SESSION,
          AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "web-identity-token"),
          AWS_ENDPOINT_URL_STS: sts.url,
        }),
    },
    {
      name: "expired-token",
      run: () =>
        runCli([
          "whoami",
          "--explain",
          `mongodb://${server.address}/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:test`,
        ], { ...base, OIDC_TOKEN_FILE: join(dir, "oidc-token") }),
    },
  ];
  return {
    scenarios,
    async close() {
      await Promise.all([server.close(), sts.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a run printed, as the documentation shows it: the error line (stderr, printed first), then the
 * explanation, with every loopback address shown as {@link SHOWN_ADDRESS}.
 * @param run the CLI run
 * @returns the text
 */
export function shown(run: CliRun): string {
  return (run.stderr + run.stdout).replace(/127\.0\.0\.1:\d+/g, SHOWN_ADDRESS).trimEnd() + "\n";
}

/**
 * The text with what differs from run to run made equal: times and durations, dates, how long ago a
 * token expired, and the spaces that align them.
 * @param text documented or fresh output
 * @returns the comparable text
 */
export function comparable(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<date>")
    .replace(/\+\d+ ms/g, "+<n> ms")
    .replace(/\d+(\.\d+)? ms/g, "<n> ms")
    .replace(/expired -?\d+ s ago/g, "expired <n> s ago")
    .replace(/[ \t]+/g, " ")
    .trim();
}
