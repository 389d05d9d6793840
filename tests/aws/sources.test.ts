// Each AWS credential source on its own: what it reads, what it sends, how it fails. Every env is
// injected (never the process env or ~/.aws) and every fetch is loopback-only or a stub.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveAwsCredentials } from "../../src/aws/chain.ts";
import { AwsCredentialCache } from "../../src/aws/credential-cache.ts";
import { MongoAuthError } from "../../src/errors.ts";
import type { RuntimeEnv } from "../../src/runtime-env.ts";
import {
  type Fake,
  startFake,
  startFakeEcs,
  startFakeImds,
  startFakeSts,
  tempCredentials,
  tempHome,
  testEnv,
} from "../support/aws-fakes.ts";

const NOW = Date.UTC(2024, 0, 15, 12, 0, 0);
const HOUR = 60 * 60 * 1000;

function resolve(env: RuntimeEnv, cache = new AwsCredentialCache()) {
  return resolveAwsCredentials({ env, cache });
}

/** Asserts a CREDENTIAL_PROVIDER_ERROR whose message matches and which names none of `secrets`. */
async function rejectsWith(
  promise: Promise<unknown>,
  message: RegExp,
  secrets: string[] = [],
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(err.message, message);
    const printed = `${err.message} ${String(err.cause ?? "")} ${JSON.stringify(err)}`;
    for (const secret of secrets) assert.ok(!printed.includes(secret), `error leaks ${secret}`);
    return true;
  });
}

const fakes: Fake[] = [];
const homes: { cleanup(): void }[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  homes.forEach((h) => h.cleanup());
});
async function track<T extends Fake>(fake: Promise<T>): Promise<T> {
  const f = await fake;
  fakes.push(f);
  return f;
}
function home(files: Record<string, string>) {
  const h = tempHome(files);
  homes.push(h);
  return h;
}

describe("source 2: environment variables", () => {
  it("reads the keys and the session token", async () => {
    const found = await resolve(
      testEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "SECRET", AWS_SESSION_TOKEN: "TOK" }),
    );
    assert.deepEqual(found.credentials, {
      accessKeyId: "AKID",
      secretAccessKey: "SECRET",
      sessionToken: "TOK",
    });
    assert.equal(found.source, "environment variables");
    assert.equal(found.temporary, false);
  });

  it("refuses one key without the other, naming the variable and not the value", async () => {
    await rejectsWith(resolve(testEnv({ AWS_ACCESS_KEY_ID: "AKIDONLY" })), /AWS_SECRET_ACCESS_KEY is not/, [
      "AKIDONLY",
    ]);
    await rejectsWith(resolve(testEnv({ AWS_SECRET_ACCESS_KEY: "SECRETONLY" })), /AWS_ACCESS_KEY_ID is not/, [
      "SECRETONLY",
    ]);
  });
});

describe("source 3: shared credentials and config files", () => {
  const files = {
    ".aws/credentials":
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n" +
      "[dev]\naws_access_key_id = AKIDDEVCREDS\naws_secret_access_key = dev-secret\n",
    ".aws/config": "[default]\nregion = us-east-2\n[profile dev]\naws_access_key_id = AKIDDEVCONFIG\n" +
      "aws_secret_access_key = dev-config-secret\n[profile conf]\naws_access_key_id = AKIDCONF\n" +
      "aws_secret_access_key = conf-secret\naws_session_token = conf-token\n[profile half]\naws_access_key_id = AKIDHALF\n",
  };

  it("uses the default profile of ~/.aws/credentials", async () => {
    const h = home(files);
    const found = await resolve(testEnv({}, { home: h.home }));
    assert.equal(found.credentials.accessKeyId, "AKIDDEFAULT");
    assert.equal(found.source, 'profile "default" of the shared AWS files');
  });

  it("uses AWS_PROFILE; the credentials file wins over the config file; [profile x] sections count", async () => {
    const h = home(files);
    assert.equal(
      (await resolve(testEnv({ AWS_PROFILE: "dev" }, { home: h.home }))).credentials.accessKeyId,
      "AKIDDEVCREDS",
    );
    assert.deepEqual((await resolve(testEnv({ AWS_PROFILE: "conf" }, { home: h.home }))).credentials, {
      accessKeyId: "AKIDCONF",
      secretAccessKey: "conf-secret",
      sessionToken: "conf-token",
    });
  });

  it("honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE", async () => {
    const h = home({
      "elsewhere/creds": "[default]\naws_access_key_id = AKIDELSE\naws_secret_access_key = s\n",
      "elsewhere/conf": "[profile p]\naws_access_key_id = AKIDP\naws_secret_access_key = s\n",
    });
    assert.equal(
      (await resolve(testEnv({ AWS_SHARED_CREDENTIALS_FILE: h.path("elsewhere/creds") }))).credentials
        .accessKeyId,
      "AKIDELSE",
    );
    assert.equal(
      (await resolve(testEnv({ AWS_CONFIG_FILE: h.path("elsewhere/conf"), AWS_PROFILE: "p" }))).credentials
        .accessKeyId,
      "AKIDP",
    );
  });

  it('is turned off by AWS_SHARED_CREDENTIALS_FILE=""', async () => {
    const h = home(files);
    await rejectsWith(
      resolve(testEnv({ AWS_SHARED_CREDENTIALS_FILE: "" }, { home: h.home })),
      /no AWS credentials found/,
    );
  });

  it("refuses a missing AWS_PROFILE and a profile with one key", async () => {
    const h = home(files);
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "nope" }, { home: h.home })),
      /AWS_PROFILE is "nope" but no such profile/,
    );
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "half" }, { home: h.home })),
      /only one of aws_access_key_id/,
      ["AKIDHALF"],
    );
  });

  it("without readTextFile (Workers) says what to pass instead", async () => {
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "dev" }, { files: false })),
      /cannot read files: pass readTextFile/,
    );
    await rejectsWith(
      resolve(testEnv({}, { files: false })),
      /the shared AWS files: not read \(this runtime env cannot read files\)/,
    );
  });
});

describe("source 4: AssumeRole from a profile", () => {
  it("calls STS AssumeRole signed with the source profile's keys and caches the answer", async () => {
    const creds = tempCredentials("role", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, signedBy: "AKIDBASE" }));
    const h = home({
      ".aws/credentials": "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
      ".aws/config": "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n" +
        "role_session_name = my-session\nexternal_id = ext-1\nregion = eu-west-3\n",
    });
    const cache = new AwsCredentialCache();
    const env = testEnv({ AWS_PROFILE: "app", AWS_ENDPOINT_URL_STS: sts.url }, {
      home: h.home,
      now: () => NOW,
    });
    const found = await resolve(env, cache);
    assert.deepEqual(found.credentials, {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      sessionToken: creds.Token,
      expiration: new Date(creds.Expiration),
    });
    assert.equal(found.temporary, true);
    const [req] = sts.requests;
    const form = new URLSearchParams(req.body);
    assert.equal(form.get("Action"), "AssumeRole");
    assert.equal(form.get("RoleArn"), "arn:aws:iam::123456789012:role/app");
    assert.equal(form.get("RoleSessionName"), "my-session");
    assert.equal(form.get("ExternalId"), "ext-1");
    assert.match(
      req.headers.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDBASE\/20240115\/eu-west-3\/sts\/aws4_request/,
    );
    assert.equal(req.headers["x-amz-date"], "20240115T120000Z");
    assert.equal((await resolve(env, cache)).fromCache, true);
    assert.equal(sts.requests.length, 1);
  });

  it("follows source_profile hops and stops at loops", async () => {
    const creds = tempCredentials("hop", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds }));
    const h = home({
      ".aws/credentials": "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
      ".aws/config": "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\nsource_profile = base\n" +
        "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = mid\n" +
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n" +
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
    });
    await resolve(testEnv({ AWS_PROFILE: "top", AWS_ENDPOINT_URL: sts.url }, { home: h.home }));
    assert.deepEqual(sts.requests.map((r) => new URLSearchParams(r.body).get("RoleArn")), [
      "arn:aws:iam::1:role/mid",
      "arn:aws:iam::1:role/top",
    ]);
    assert.match(sts.requests[1].headers.authorization, new RegExp(`Credential=${creds.AccessKeyId}/`));
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "a", AWS_ENDPOINT_URL: sts.url }, { home: h.home })),
      /is there a loop/,
    );
  });

  it("reports STS's refusal by status and error code, never the keys", async () => {
    const sts = await track(
      startFakeSts({ credentials: tempCredentials("x", NOW + HOUR), signedBy: "AKIDOTHER" }),
    );
    const h = home({
      ".aws/config": "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = app\n" +
        "aws_access_key_id = AKIDSELF\naws_secret_access_key = self-secret\n",
    });
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "app", AWS_ENDPOINT_URL_STS: sts.url }, { home: h.home })),
      /AssumeRole for profile "app".*answered HTTP 403 \(InvalidClientTokenId\)/,
      ["self-secret"],
    );
  });
});

describe("source 5: AssumeRoleWithWebIdentity", () => {
  it("exchanges the token file's token at STS, unsigned, with AWS_ROLE_SESSION_NAME", async () => {
    const creds = tempCredentials("web", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, webIdentityToken: "eyJ.web.token" }));
    const h = home({ "token": "eyJ.web.token\n" });
    const found = await resolve(testEnv({
      AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token"),
      AWS_ROLE_ARN: "arn:aws:iam::1:role/web",
      AWS_ROLE_SESSION_NAME: "pod-1",
      AWS_ENDPOINT_URL_STS: sts.url,
    }));
    assert.equal(found.credentials.sessionToken, creds.Token);
    assert.equal(found.temporary, true);
    const form = new URLSearchParams(sts.requests[0].body);
    assert.equal(form.get("Action"), "AssumeRoleWithWebIdentity");
    assert.equal(form.get("RoleSessionName"), "pod-1");
    assert.equal(form.get("WebIdentityToken"), "eyJ.web.token");
    assert.equal(sts.requests[0].headers.authorization, undefined);
    assert.equal(sts.requests[0].path, "/", "the token never goes in the URL");
  });

  it("picks a random session name when none is set", async () => {
    const sts = await track(
      startFakeSts({ credentials: tempCredentials("web", NOW + HOUR), webIdentityToken: "t" }),
    );
    const h = home({ "token": "t" });
    await resolve(
      testEnv({
        AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token"),
        AWS_ROLE_ARN: "arn:aws:iam::1:role/web",
        AWS_ENDPOINT_URL: sts.url,
      }),
    );
    assert.match(
      new URLSearchParams(sts.requests[0].body).get("RoleSessionName")!,
      /^mongo-auth-[0-9a-f]{16}$/,
    );
  });

  it("reports a refused token without echoing it, and an unreadable file", async () => {
    const sts = await track(
      startFakeSts({ credentials: tempCredentials("web", NOW + HOUR), webIdentityToken: "other" }),
    );
    const h = home({ "token": "eyJ.secret.token" });
    const vars = { AWS_ROLE_ARN: "arn:aws:iam::1:role/web", AWS_ENDPOINT_URL_STS: sts.url };
    await rejectsWith(
      resolve(testEnv({ ...vars, AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token") })),
      /HTTP 400 \(InvalidIdentityToken\)/,
      ["eyJ.secret.token"],
    );
    await rejectsWith(
      resolve(testEnv({ ...vars, AWS_WEB_IDENTITY_TOKEN_FILE: h.path("missing") })),
      /cannot read the web identity token file/,
    );
    await rejectsWith(
      resolve(testEnv({ ...vars, AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token") }, { files: false })),
      /cannot read files: pass readTextFile.*or .*AWS_CREDENTIAL_PROVIDER/,
    );
  });
});

describe("source 6: ECS container endpoint", () => {
  it("calls 169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (stubbed fetch, no network)", async () => {
    const creds = tempCredentials("ecs", NOW + HOUR);
    const urls: string[] = [];
    const fetch = (input: string | URL | Request) => {
      urls.push(String(input));
      return Promise.resolve(
        new Response(JSON.stringify(creds), { headers: { "content-type": "application/json" } }),
      );
    };
    const found = await resolve(
      testEnv({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc" }, { fetch }),
    );
    assert.deepEqual(urls, ["http://169.254.170.2/v2/credentials/abc"]);
    assert.equal(found.credentials.sessionToken, creds.Token);
    assert.deepEqual(found.credentials.expiration, new Date(creds.Expiration));
  });

  it("calls AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)", async () => {
    const creds = tempCredentials("pod", NOW + HOUR);
    const ecs = await track(
      startFakeEcs({ path: "/pod", authorization: "pod-auth-token", credentials: creds }),
    );
    const found = await resolve(
      testEnv({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/pod",
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-auth-token",
      }),
    );
    assert.equal(found.credentials.accessKeyId, creds.AccessKeyId);
    const h = home({ "eks-token": "pod-auth-token\n" });
    await resolve(
      testEnv({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/pod",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: h.path("eks-token"),
      }),
    );
    assert.deepEqual(ecs.requests.map((r) => r.headers.authorization), ["pod-auth-token", "pod-auth-token"]);
  });

  it("reports a refusal by status without the token; refuses plain http to a non-loopback host", async () => {
    const ecs = await track(
      startFakeEcs({ path: "/pod", authorization: "right", credentials: tempCredentials("p", NOW + HOUR) }),
    );
    await rejectsWith(
      resolve(
        testEnv({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/pod",
          AWS_CONTAINER_AUTHORIZATION_TOKEN: "wrong-token-value",
        }),
      ),
      /ECS container credentials endpoint: http:\/\/127\.0\.0\.1:\d+\/pod answered HTTP 403/,
      ["wrong-token-value"],
    );
    await rejectsWith(
      resolve(
        testEnv({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://example.com/creds",
          AWS_CONTAINER_AUTHORIZATION_TOKEN: "t",
        }),
      ),
      /must be https, or http to a loopback/,
    );
  });

  it("gives up after the timeout and honours the caller's AbortSignal", async () => {
    const silent = await track(startFake(() => new Promise(() => {})));
    const env = testEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: silent.url + "/x" });
    await rejectsWith(
      resolveAwsCredentials({ env, cache: new AwsCredentialCache(), timeoutMs: 50 }),
      /no answer within 50 ms/,
    );
    const controller = new AbortController();
    const pending = resolveAwsCredentials({
      env,
      cache: new AwsCredentialCache(),
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(pending, { code: "ABORTED" });
  });
});

describe("source 7: EC2 instance metadata (IMDSv2)", () => {
  it("takes a session token (PUT with TTL), the role name, then the role's credentials", async () => {
    const creds = tempCredentials("ec2", NOW + HOUR);
    const imds = await track(startFakeImds({ roleName: "web-role", credentials: creds }));
    const found = await resolve(
      testEnv({ AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url + "/" }),
    );
    assert.equal(found.credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(found.temporary, true);
    assert.deepEqual(imds.requests.map((r) => `${r.method} ${r.path}`), [
      "PUT /latest/api/token",
      "GET /latest/meta-data/iam/security-credentials/",
      "GET /latest/meta-data/iam/security-credentials/web-role",
    ]);
    assert.equal(imds.requests[0].headers["x-aws-ec2-metadata-token-ttl-seconds"], "30");
    assert.equal(imds.requests[2].headers["x-aws-ec2-metadata-token"], "imds-session-token");
  });

  it("goes to 169.254.169.254 by default (stubbed fetch) and reports a 401", async () => {
    const urls: string[] = [];
    const fetch = (input: string | URL | Request) => {
      urls.push(String(input));
      return Promise.resolve(new Response("", { status: 401 }));
    };
    await rejectsWith(
      resolve(testEnv({ AWS_EC2_METADATA_DISABLED: undefined }, { fetch })),
      /EC2 instance metadata service \(IMDSv2\): http:\/\/169\.254\.169\.254\/latest\/api\/token answered HTTP 401/,
    );
    assert.deepEqual(urls, ["http://169.254.169.254/latest/api/token"]);
  });

  it("is skipped when AWS_EC2_METADATA_DISABLED=true", async () => {
    let called = false;
    const fetch = () => {
      called = true;
      return Promise.reject(new Error("no"));
    };
    await rejectsWith(
      resolve(testEnv({ AWS_EC2_METADATA_DISABLED: "TRUE" }, { fetch })),
      /no AWS credentials found/,
    );
    assert.equal(called, false);
  });

  it("refuses an answer whose Code is not Success", async () => {
    const fetch = (input: string | URL | Request) => {
      const path = new URL(String(input)).pathname;
      const body = path.endsWith("/token")
        ? "tok"
        : path.endsWith("credentials/")
        ? "role"
        : JSON.stringify({ Code: "Failed" });
      return Promise.resolve(new Response(body));
    };
    await rejectsWith(resolve(testEnv({ AWS_EC2_METADATA_DISABLED: undefined }, { fetch })), /Code "Failed"/);
  });
});
