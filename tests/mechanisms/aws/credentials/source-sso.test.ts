// Source 4 for profiles of IAM Identity Center (src/mechanisms/aws/credentials/source-sso.ts), through the
// chain: the token `aws sso login` cached, GetRoleCredentials, and every way it fails saying what to run.
// Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AwsCredentialCache } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import {
  ssoCacheFile,
  startFakeSsoPortal,
  startFakeSts,
  tempCredentials,
  testEnv,
} from "../../../support/aws-fakes.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, home, close } = cleanups();
after(close);

const TOKEN = "sso-access-token-SECRET";
const ACCOUNT = "123456789012";
const START_URL = "https://d-1234567890.awsapps.com/start";
const SESSION_CONFIG = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n" +
  "sso_role_name = ReadOnly\nregion = eu-west-1\n" +
  `[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\n`;
const cached = (expiresAt: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ accessToken: TOKEN, expiresAt: new Date(expiresAt).toISOString(), ...extra });

async function portal() {
  const credentials = tempCredentials("sso", NOW + HOUR);
  return {
    credentials,
    fake: await track(
      startFakeSsoPortal({ token: TOKEN, accountId: ACCOUNT, roleName: "ReadOnly", credentials }),
    ),
  };
}

describe("source 4: a profile of IAM Identity Center (SSO)", () => {
  it("trades the cached token of the profile's sso-session for the role's credentials, and caches them", async () => {
    const { credentials, fake } = await portal();
    const h = home({ ".aws/config": SESSION_CONFIG, [ssoCacheFile("corp")]: cached(NOW + HOUR) });
    const env = testEnv({ AWS_PROFILE: "dev", AWS_ENDPOINT_URL_SSO: fake.url }, {
      home: h.home,
      now: () => NOW,
    });
    const cache = new AwsCredentialCache();
    const found = await resolve(env, cache);
    assert.deepEqual(found.credentials, {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.Token,
      expiration: new Date(credentials.Expiration),
    });
    assert.equal(found.source, 'IAM Identity Center (SSO) for profile "dev" of the shared AWS files');
    assert.equal(found.temporary, true);
    const [req] = fake.requests;
    assert.equal(req.method, "GET");
    assert.equal(req.path, "/federation/credentials?account_id=123456789012&role_name=ReadOnly");
    assert.equal(req.headers["x-amz-sso_bearer_token"], TOKEN);
    assert.equal((await resolve(env, cache)).fromCache, true);
    assert.equal(fake.requests.length, 1);
  });

  it("finds a legacy profile's token by its start URL, and takes the default profile without AWS_PROFILE", async () => {
    const { fake } = await portal();
    const h = home({
      ".aws/config": `[default]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\n` +
        "sso_account_id = 123456789012\nsso_role_name = ReadOnly\n",
      [ssoCacheFile(START_URL)]: cached(NOW + HOUR),
    });
    const found = await resolve(testEnv({ AWS_ENDPOINT_URL: fake.url }, { home: h.home, now: () => NOW }));
    assert.equal(found.credentials.accessKeyId, "ASIASSO");
    assert.equal(fake.requests.length, 1);
  });

  it("asks for `aws sso login` when the token expired, is missing or is not JSON, and never shows it", async () => {
    const { fake } = await portal();
    const vars = { AWS_PROFILE: "dev", AWS_ENDPOINT_URL_SSO: fake.url };
    const expired = home({ ".aws/config": SESSION_CONFIG, [ssoCacheFile("corp")]: cached(NOW - 1) });
    await rejectsWith(
      resolve(testEnv(vars, { home: expired.home, now: () => NOW })),
      /profile "dev".*the SSO token expired at 2024-01-15T11:59:59\.999Z: run "aws sso login --profile dev"/,
      [TOKEN],
    );
    const missing = home({ ".aws/config": SESSION_CONFIG });
    await rejectsWith(
      resolve(testEnv(vars, { home: missing.home, now: () => NOW })),
      /no SSO token in .*\.aws\/sso\/cache\/[0-9a-f]{40}\.json .*: run "aws sso login --profile dev"/,
    );
    const garbled = home({
      ".aws/config": SESSION_CONFIG,
      [ssoCacheFile("corp")]: `{"accessToken": "${TOKEN}`,
    });
    await rejectsWith(
      resolve(testEnv(vars, { home: garbled.home, now: () => NOW })),
      /is not JSON: run "aws sso login --profile dev"/,
      [TOKEN],
    );
    const noExpiry = home({
      ".aws/config": SESSION_CONFIG,
      [ssoCacheFile("corp")]: JSON.stringify({ accessToken: TOKEN }),
    });
    await rejectsWith(
      resolve(testEnv(vars, { home: noExpiry.home, now: () => NOW })),
      /lacks accessToken or expiresAt/,
      [TOKEN],
    );
    const garbledToken = home({
      ".aws/config": SESSION_CONFIG,
      [ssoCacheFile("corp")]: JSON.stringify({
        accessToken: `${TOKEN}\n`,
        expiresAt: new Date(NOW + HOUR).toISOString(),
      }),
    });
    await rejectsWith(
      resolve(testEnv(vars, { home: garbledToken.home, now: () => NOW })),
      /the token in .* is garbled \(it must go into an HTTP header\): run "aws sso login --profile dev"/,
      [TOKEN],
    );
    assert.equal(fake.requests.length, 0);
  });

  it("names what the profile lacks, and refuses a profile that contradicts its sso-session", async () => {
    const vars = { AWS_PROFILE: "dev" };
    const lacking = home({
      ".aws/config": "[profile dev]\nsso_start_url = https://x/start\nsso_role_name = R\n",
    });
    await rejectsWith(resolve(testEnv(vars, { home: lacking.home })), /missing sso_region, sso_account_id$/);
    const noSection = home({
      ".aws/config": "[profile dev]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n",
    });
    await rejectsWith(
      resolve(testEnv(vars, { home: noSection.home })),
      /sso_session "gone" has no \[sso-session gone\]/,
    );
    const conflicting = home({
      ".aws/config": SESSION_CONFIG.replace(
        "sso_session = corp",
        "sso_session = corp\nsso_region = us-west-2",
      ),
    });
    await rejectsWith(
      resolve(testEnv(vars, { home: conflicting.home })),
      /its sso_region differs from that of \[sso-session corp\]/,
    );
  });

  it("says to sign in again when the portal refuses the token, and checks the answer", async () => {
    const { fake } = await portal();
    const stale = home({
      ".aws/config": SESSION_CONFIG,
      [ssoCacheFile("corp")]: JSON.stringify({
        accessToken: "revoked",
        expiresAt: new Date(NOW + HOUR).toISOString(),
      }),
    });
    await rejectsWith(
      resolve(
        testEnv({ AWS_PROFILE: "dev", AWS_ENDPOINT_URL_SSO: fake.url }, { home: stale.home, now: () => NOW }),
      ),
      /refused the cached token for role ReadOnly in account 123456789012 \(HTTP 401\): run "aws sso login --profile dev"/,
      ["revoked"],
    );
    const half = await track(startFakeSsoPortal({
      token: TOKEN,
      accountId: ACCOUNT,
      roleName: "ReadOnly",
      credentials: { ...tempCredentials("half", NOW + HOUR), Token: "" },
    }));
    const h = home({ ".aws/config": SESSION_CONFIG, [ssoCacheFile("corp")]: cached(NOW + HOUR) });
    await rejectsWith(
      resolve(
        testEnv({ AWS_PROFILE: "dev", AWS_ENDPOINT_URL_SSO: half.url }, { home: h.home, now: () => NOW }),
      ),
      /the GetRoleCredentials answer lacks sessionToken or expiration/,
      [TOKEN],
    );
  });

  it("is the source profile of a role: AssumeRole is signed with the SSO role's credentials", async () => {
    const { fake } = await portal();
    const creds = tempCredentials("chained", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, signedBy: "ASIASSO" }));
    const h = home({
      ".aws/config": SESSION_CONFIG + "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n" +
        "source_profile = dev\n",
      [ssoCacheFile("corp")]: cached(NOW + HOUR),
    });
    const env = testEnv(
      { AWS_PROFILE: "admin", AWS_ENDPOINT_URL_SSO: fake.url, AWS_ENDPOINT_URL_STS: sts.url },
      { home: h.home, now: () => NOW },
    );
    const found = await resolve(env);
    assert.equal(found.credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(fake.requests.length, 1);
    assert.equal(new URLSearchParams(sts.requests[0].body).get("Action"), "AssumeRole");
  });
});
