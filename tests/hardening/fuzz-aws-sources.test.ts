// Fuzz: what the MONGODB-AWS credential sources read — the shared files, the SSO token cache, a
// credential_process's output, and the answers of STS, the SSO portal and the ECS endpoint — mutated, into
// the whole chain. Each case is a profile set-up that works unmutated; the outcome must be credentials or a
// coded error that shows none of the secrets the set-up holds. Files come from memory, commands from a
// stand-in, and fetch answers from memory for 127.0.0.1 only. See fuzz.ts for the rules and the long mode.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "@mongo-auth/core";
import { resolveAwsCredentials } from "../../src/mechanisms/aws/credentials/chain.ts";
import { AwsCredentialCache } from "../../src/mechanisms/aws/credentials/cache.ts";
import { runtimeEnv } from "../../src/core/runtime-env.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { sha1 } from "../../src/crypto/sha1.ts";
import { failureMessage, fuzzCases, mutateText, type Prng, runFuzz } from "./fuzz.ts";

const NOW = Date.UTC(2024, 0, 15, 12, 0, 0);
const LATER = new Date(NOW + 3_600_000).toISOString();
const HOME = "/home/fuzz";
const SSO_CACHE = (key: string) => `${HOME}/.aws/sso/cache/${toHex(sha1(key))}.json`;

const stsAnswer = (action: string) =>
  `<${action}Response><${action}Result><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/app/s</Arn>` +
  `</AssumedRoleUser><Credentials><AccessKeyId>ASIAFUZZ</AccessKeyId><SecretAccessKey>Zq9FuzzSecretKey` +
  `</SecretAccessKey><SessionToken>Zq9FuzzSessionToken</SessionToken><Expiration>${LATER}</Expiration>` +
  `</Credentials></${action}Result></${action}Response>`;
const jsonCredentials = JSON.stringify({
  AccessKeyId: "ASIAFUZZ",
  SecretAccessKey: "Zq9FuzzSecretKey",
  Token: "Zq9FuzzSessionToken",
  Expiration: LATER,
});

const ssoAnswer = JSON.stringify({
  roleCredentials: {
    accessKeyId: "ASIAFUZZ",
    secretAccessKey: "Zq9FuzzSecretKey",
    sessionToken: "Zq9FuzzSessionToken",
    expiration: NOW + 3_600_000,
  },
});

/** A set-up that yields credentials as it is: variables, files, the HTTP answer, the command's output. */
interface Scenario {
  readonly vars: Record<string, string>;
  readonly files: Record<string, string>;
  readonly answer?: string;
  readonly stdout?: string;
}

const SCENARIOS: Scenario[] = [
  {
    vars: {},
    files: {
      [`${HOME}/.aws/credentials`]:
        "[default]\naws_access_key_id = AKIDFUZZ\naws_secret_access_key = Zq9FuzzSecretKey\n",
    },
  },
  {
    vars: { AWS_PROFILE: "app" },
    files: {
      [`${HOME}/.aws/config`]: "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n" +
        "role_session_name = s\nregion = eu-west-1\n",
      [`${HOME}/.aws/credentials`]:
        "[base]\naws_access_key_id = AKIDFUZZ\naws_secret_access_key = Zq9FuzzSecretKey\n",
    },
    answer: stsAnswer("AssumeRole"),
  },
  {
    vars: { AWS_PROFILE: "dev" },
    files: {
      [`${HOME}/.aws/config`]: "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n" +
        "sso_role_name = ReadOnly\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n" +
        "sso_region = eu-west-1\n",
      [SSO_CACHE("corp")]: JSON.stringify({
        accessToken: "Zq9FuzzSsoToken",
        expiresAt: LATER,
        region: "eu-west-1",
      }),
    },
    answer: ssoAnswer,
  },
  {
    vars: {},
    files: {
      [`${HOME}/.aws/config`]:
        "[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n" +
        "sso_account_id = 1\nsso_role_name = R\n",
      [SSO_CACHE("https://corp.awsapps.com/start")]: JSON.stringify({
        accessToken: "Zq9FuzzSsoToken",
        expiresAt: LATER,
      }),
    },
    answer: ssoAnswer,
  },
  {
    vars: { AWS_PROFILE: "tool" },
    files: { [`${HOME}/.aws/config`]: "[profile tool]\ncredential_process = helper --profile tool\n" },
    stdout: JSON.stringify({
      Version: 1,
      AccessKeyId: "ASIAFUZZ",
      SecretAccessKey: "Zq9FuzzSecretKey",
      SessionToken: "Zq9FuzzSessionToken",
      Expiration: LATER,
    }),
  },
  {
    vars: { AWS_PROFILE: "ecs", AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:1/creds" },
    files: {
      [`${HOME}/.aws/config`]:
        "[profile ecs]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = EcsContainer\n",
    },
    answer: jsonCredentials, // the ECS endpoint's answer, then (the same fetch) STS's: one of them is mutated
  },
  {
    vars: { AWS_WEB_IDENTITY_TOKEN_FILE: "/var/token", AWS_ROLE_ARN: "arn:aws:iam::1:role/pod" },
    files: { "/var/token": "Zq9FuzzWebToken" },
    answer: stsAnswer("AssumeRoleWithWebIdentity"),
  },
];

function mutateSometimes(rng: Prng, text: string, p: number): string {
  return rng.chance(p) ? mutateText(rng, text) : text;
}

async function oneCase(rng: Prng): Promise<unknown> {
  const scenario = rng.pick(SCENARIOS);
  const files = Object.fromEntries(
    Object.entries(scenario.files).map(([path, text]) => [path, mutateSometimes(rng, text, 0.5)]),
  );
  const answer = scenario.answer === undefined ? "" : mutateSometimes(rng, scenario.answer, 0.6);
  // The secrets no message may show: the tokens a request carries, always (they are redacted by value);
  // and the keys of an answer that came unmutated. A mutated answer's error excerpt may show a key whose
  // field name the mutation garbled: redaction goes by field names and by length (real AWS keys are 40
  // characters, tokens hundreds, and both are redacted by length alone).
  const secrets = ["Zq9FuzzSsoToken", "Zq9FuzzWebToken"];
  if (answer === scenario.answer) secrets.push("Zq9FuzzSecretKey", "Zq9FuzzSessionToken");
  const status = rng.pick([200, 200, 200, 200, 400, 401, 403, 404, 500]);
  const env = runtimeEnv({
    env: {
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL: "http://127.0.0.1:1",
      ...scenario.vars,
    },
    homeDir: HOME,
    now: () => NOW,
    readTextFile: (path) =>
      path in files
        ? Promise.resolve(files[path])
        : Promise.reject(new Error(`ENOENT: no such file ${path}`)),
    fetch: (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname !== "127.0.0.1") return Promise.reject(new TypeError(`refused ${url.origin}`));
      // The ECS scenario asks twice (ECS, then STS): STS's answer is the XML, mutated or not.
      const body = url.pathname === "/creds"
        ? answer
        : scenario.answer === jsonCredentials
        ? mutateSometimes(rng, stsAnswer("AssumeRole"), 0.5)
        : answer;
      return Promise.resolve(new Response(body, { status }));
    },
    runCommand: () =>
      Promise.resolve({
        exitCode: rng.pick([0, 0, 0, 0, 1, null]),
        stdout: mutateSometimes(rng, scenario.stdout ?? "", 0.6),
        stderr: rng.chance(0.5) ? "" : rng.text(rng.int(40)),
      }),
  });
  try {
    return await resolveAwsCredentials({ env, cache: new AwsCredentialCache() });
  } catch (err) {
    if (err instanceof MongoAuthError) {
      const shown = `${err.message} ${String(err.cause ?? "")}`;
      const leaked = secrets.find((secret) => shown.includes(secret));
      if (leaked) throw new Error(`the error shows the secret ${leaked}: ${err.message}`);
    }
    throw err;
  }
}

describe("fuzz: what the AWS credential sources read", () => {
  it("shared files, the SSO token cache, credential_process output and endpoint answers, mutated: credentials, or a coded error without secrets", async () => {
    const report = await runFuzz("AWS credential sources", fuzzCases(3000), oneCase);
    assert.equal(report.failures.length, 0, failureMessage(report));
    assert.ok((report.outcomes.resolved ?? 0) > 0, "some cases still find credentials");
    assert.ok((report.outcomes.CREDENTIAL_PROVIDER_ERROR ?? 0) > 0, "some cases are refused");
  });
});
