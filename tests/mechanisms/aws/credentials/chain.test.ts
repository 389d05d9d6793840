// The order of the AWS credential chain and its cache: every source configured at once, then taken
// away one by one; cached temporary credentials before the environment; refresh 5 minutes early.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveAwsCredentials } from "../../../../src/mechanisms/aws/credentials/chain.ts";
import { AwsCredentialCache, EXPIRY_MARGIN_MS } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import { TraceRecorder } from "../../../../src/core/trace.ts";
import {
  type Fake,
  startFakeEcs,
  startFakeImds,
  startFakeSts,
  tempCredentials,
  tempHome,
  testEnv,
} from "../../../support/aws-fakes.ts";

const NOW = Date.UTC(2024, 0, 15, 12, 0, 0);
const HOUR = 60 * 60 * 1000;

describe("AWS credential chain order", () => {
  let sts: Fake, ecs: Fake, imds: Fake;
  let home: ReturnType<typeof tempHome>;
  before(async () => {
    sts = await startFakeSts({
      credentials: tempCredentials("sts", NOW + HOUR),
      signedBy: "AKIDBASE",
      webIdentityToken: "tok",
    });
    ecs = await startFakeEcs({ path: "/c", credentials: tempCredentials("ecs", NOW + HOUR) });
    imds = await startFakeImds({ roleName: "r", credentials: tempCredentials("imds", NOW + HOUR) });
    home = tempHome({
      "static/credentials": "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n",
      "role/config": "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n" +
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n",
      "token": "tok",
    });
  });
  after(async () => {
    await Promise.all([sts.close(), ecs.close(), imds.close()]);
    home.cleanup();
  });

  it("takes the first source that applies, in the documented order", async () => {
    const vars: Record<string, string | undefined> = {
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SHARED_CREDENTIALS_FILE: home.path("static/credentials"),
      AWS_CONFIG_FILE: home.path("none"),
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_WEB_IDENTITY_TOKEN_FILE: home.path("token"),
      AWS_ROLE_ARN: "arn:aws:iam::1:role/web",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/c",
      AWS_EC2_METADATA_DISABLED: "false",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    };
    // Each step: the source expected now, then what to change so that the next one is reached.
    const order: [string, Record<string, string | undefined>][] = [
      ["environment variables", { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }],
      [
        'profile "default" of the shared AWS files',
        // A [default] with role_arn is AssumeRole's, even when a credentials file has keys for it.
        { AWS_CONFIG_FILE: home.path("role/config") },
      ],
      ['AssumeRole for profile "default" of the shared AWS files', { AWS_SHARED_CREDENTIALS_FILE: "" }],
      ["AssumeRoleWithWebIdentity (AWS_WEB_IDENTITY_TOKEN_FILE)", { AWS_WEB_IDENTITY_TOKEN_FILE: undefined }],
      ["the ECS container credentials endpoint", { AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined }],
      ["the EC2 instance metadata service (IMDSv2)", {}],
    ];
    for (const [source, change] of order) {
      // A fresh cache each time: this test is about order, not caching.
      const found = await resolveAwsCredentials({
        env: testEnv(vars, { now: () => NOW }),
        cache: new AwsCredentialCache(),
      });
      assert.equal(found.source, source);
      Object.assign(vars, change);
    }
  });

  it("traces each source in order with its outcome, and who the credentials are when the source says", async () => {
    const vars = {
      AWS_SHARED_CREDENTIALS_FILE: home.path("none"),
      AWS_CONFIG_FILE: home.path("none"),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/c",
    };
    const trace = new TraceRecorder();
    const found = await resolveAwsCredentials({
      env: testEnv(vars, { now: () => NOW }),
      cache: new AwsCredentialCache(),
      trace,
    });
    assert.equal(found.source, "the ECS container credentials endpoint");
    const sources = trace.events.filter((e) => e.type === "aws.source").map((e) => e.attributes);
    assert.deepEqual(sources.map((a) => [a.source, a.outcome]), [
      ["environment variables", "skipped"],
      ["shared files: profile keys", "skipped"],
      ["shared files: profile role", "skipped"],
      ["shared files: profile SSO", "skipped"],
      ["shared files: profile process", "skipped"],
      ["web identity", "skipped"],
      ["ECS container endpoint", "found"],
    ]);
    assert.equal(sources[0].reason, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set");
    assert.deepEqual(
      { ...sources[6], reason: undefined },
      {
        source: "ECS container endpoint",
        outcome: "found",
        reason: undefined,
        temporary: true,
        accessKeyId: "…", // too short to show any of it (real IDs have 20 characters)
        expiresAt: new Date(NOW + HOUR).toISOString(),
      },
    );
    // The fake ECS endpoint names the task role, arn:aws:iam::123456789012:role/task, as ECS does.
    assert.deepEqual(trace.events.at(-1)?.attributes, {
      arn: "arn:aws:sts::123456789012:assumed-role/task/*",
      from: "the ECS endpoint's RoleArn (arn:aws:iam::123456789012:role/task)",
      user: "arn:aws:sts::123456789012:assumed-role/task/*",
    });
    const json = JSON.stringify(trace.events);
    for (const secret of ["secret-ecs", "token-ecs"]) assert.ok(!json.includes(secret), secret);
  });

  it("traces a source that applies and fails, then the error goes on", async () => {
    const trace = new TraceRecorder();
    await assert.rejects(
      resolveAwsCredentials({
        env: testEnv({ AWS_ACCESS_KEY_ID: "AKIDONLY" }),
        cache: new AwsCredentialCache(),
        trace,
      }),
      { code: "CREDENTIAL_PROVIDER_ERROR" },
    );
    assert.deepEqual(
      trace.events.map((e) => e.type === "aws.source" && [e.attributes.source, e.attributes.outcome]),
      [
        ["environment variables", "failed"],
      ],
    );
  });

  it("the IMDS role: names the role, and says the account is not known rather than guessing it", async () => {
    const trace = new TraceRecorder();
    await resolveAwsCredentials({
      env: testEnv({
        AWS_SHARED_CREDENTIALS_FILE: "",
        AWS_EC2_METADATA_DISABLED: "false",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      }, { now: () => NOW }),
      cache: new AwsCredentialCache(),
      trace,
    });
    assert.deepEqual(trace.events.at(-1)?.attributes, {
      arn: "arn:aws:sts::<account>:assumed-role/r/*",
      from: "the instance's role name from IMDS (r); the account is not known here",
      user: "arn:aws:sts::<account>:assumed-role/r/*",
      accountUnknown: true,
    });
  });

  it("puts the credential's own keys, then the user's provider, before everything else", async () => {
    const env = testEnv({ AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "s" });
    const explicit = {
      credentials: { accessKeyId: "AKIDURI", secretAccessKey: "s" },
      source: "the MongoCredential",
      temporary: false,
    };
    const provider = () => Promise.resolve({ accessKeyId: "AKIDFN", secretAccessKey: "s" });
    const cache = new AwsCredentialCache();
    assert.equal(
      (await resolveAwsCredentials({ env, cache, explicit, provider })).credentials.accessKeyId,
      "AKIDURI",
    );
    assert.equal((await resolveAwsCredentials({ env, cache, provider })).credentials.accessKeyId, "AKIDFN");
  });

  it("wraps a provider's failure and checks what it returns", async () => {
    const env = testEnv();
    const cache = new AwsCredentialCache();
    await assert.rejects(
      resolveAwsCredentials({ env, cache, provider: () => Promise.reject(new Error("boom")) }),
      { code: "CREDENTIAL_PROVIDER_ERROR", message: /AWS_CREDENTIAL_PROVIDER: the function threw/ },
    );
    await assert.rejects(
      resolveAwsCredentials({ env, cache, provider: () => Promise.resolve({ accessKeyId: "A" } as never) }),
      { code: "CREDENTIAL_PROVIDER_ERROR", message: /lack accessKeyId or secretAccessKey/ },
    );
  });
});

describe("AWS credential cache", () => {
  it("serves cached temporary credentials before environment variables, until 5 minutes before expiry", async () => {
    const ecs = await startFakeEcs({ path: "/c", credentials: tempCredentials("ecs", NOW + HOUR) });
    try {
      const cache = new AwsCredentialCache();
      let clock = NOW;
      const vars: Record<string, string> = { AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/c" };
      const env = () => testEnv(vars, { now: () => clock });
      const first = await resolveAwsCredentials({ env: env(), cache });
      assert.equal(first.fromCache, false);
      // The spec: once fetched and cached, cached credentials win even if env vars appear later.
      vars.AWS_ACCESS_KEY_ID = "AKIDENV";
      vars.AWS_SECRET_ACCESS_KEY = "s";
      const second = await resolveAwsCredentials({ env: env(), cache });
      assert.equal(second.fromCache, true);
      assert.equal(second.credentials.accessKeyId, first.credentials.accessKeyId);
      clock = NOW + HOUR - EXPIRY_MARGIN_MS; // exactly 5 minutes before: no longer valid
      const third = await resolveAwsCredentials({ env: env(), cache });
      assert.equal(third.source, "environment variables");
      assert.equal(third.fromCache, false);
      assert.equal(ecs.requests.length, 1);
    } finally {
      await ecs.close();
    }
  });

  it("never caches static keys", async () => {
    const cache = new AwsCredentialCache();
    await resolveAwsCredentials({
      env: testEnv({ AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "s" }),
      cache,
    });
    assert.equal(cache.get(NOW), undefined);
  });
});

describe("AWS_CREDENTIAL_PROVIDER and the caller's signal", () => {
  it("a provider that never answers: the caller's abort is ABORTED, the caller's timeout TIMEOUT (one rule)", async () => {
    const never = () => new Promise<never>(() => {});
    const resolving = (signal: AbortSignal) =>
      resolveAwsCredentials({ env: testEnv(), cache: new AwsCredentialCache(), provider: never, signal });
    const controller = new AbortController();
    const aborted = resolving(controller.signal);
    controller.abort();
    await assert.rejects(aborted, {
      code: "ABORTED",
      message: "MONGODB-AWS: AWS_CREDENTIAL_PROVIDER aborted",
    });
    const keepAlive = setTimeout(() => {}, 5000); // Node's AbortSignal.timeout alone lets the process end
    try {
      await assert.rejects(resolving(AbortSignal.timeout(10)), { code: "TIMEOUT" });
    } finally {
      clearTimeout(keepAlive);
    }
  });
});
