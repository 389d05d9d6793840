// Source 7 of the AWS credential chain (src/mechanisms/aws/credentials/source-imds.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";
import { startFakeImds, tempCredentials, testEnv } from "../../../support/aws-fakes.ts";
import { resolveAwsCredentials } from "../../../../src/mechanisms/aws/credentials/chain.ts";
import { AwsCredentialCache } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, home, close } = cleanups();
after(close);

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

  it("goes to 169.254.169.254 by default (stubbed fetch)", async () => {
    const urls: string[] = [];
    const fetch = (input: string | URL | Request) => {
      urls.push(String(input));
      return Promise.resolve(new Response("", { status: 401 }));
    };
    await rejectsWith(
      resolve(testEnv({ AWS_EC2_METADATA_DISABLED: undefined }, { fetch })),
      /EC2 instance metadata: http:\/\/169\.254\.169\.254\/latest\/api\/token answered HTTP 401/,
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
});

// No keys anywhere, IMDS not asked for: it is tried last only because nothing else applied. Its failure is then
// one more source that does not apply, listed with the others, as the AWS SDK's chain moves past a failing
// IMDS to "Could not load credentials from any providers"; a source the user configured keeps its own error.
describe("source 7 unasked, last in the chain: its failure joins the summary of every source", () => {
  // Every other source, as the summary names them when nothing is configured (testEnv: no variables, a home
  // without ~/.aws).
  const OTHER_SOURCES = [
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set",
    'the shared AWS files: no profile "default" in ~/.aws/credentials or ~/.aws/config',
    "AssumeRoleWithWebIdentity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set",
    "the ECS endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set",
  ];
  const ADVICE = "Give the keys as username:password (access key ID and secret access key), set " +
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use a shared credentials profile, or run where an ECS, EKS or " +
    "EC2 role applies";

  // A stand-in for whatever answers 169.254.169.254: never the network.
  function metadataAddress(answer: (path: string) => Response) {
    const urls: string[] = [];
    const fetch: FetchLike = (input) => {
      const url = new URL(String(input));
      assert.equal(url.host, "169.254.169.254");
      urls.push(url.pathname);
      return Promise.resolve(answer(url.pathname));
    };
    return { fetch, urls };
  }

  async function chainError(
    vars: Record<string, string | undefined>,
    fetch: FetchLike,
  ): Promise<MongoAuthError> {
    const error = await resolve(testEnv({ AWS_EC2_METADATA_DISABLED: undefined, ...vars }, { fetch })).then(
      () => assert.fail("no credentials expected"),
      (err: unknown) => err,
    );
    assert.ok(error instanceof MongoAuthError);
    assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
    return error;
  }

  for (
    const [status, text] of [[404, "Not Found"], [405, "Method Not Allowed"], [403, "Forbidden"], [
      500,
      "Internal Server Error",
    ]] as const
  ) {
    it(`an HTTP ${status} to the session token request: every source, IMDS's status, the advice; the ${status} is the cause`, async () => {
      const imds = metadataAddress(() => new Response(text, { status }));
      const error = await chainError({}, imds.fetch);
      const imdsReason =
        `EC2 instance metadata: http://169.254.169.254/latest/api/token answered HTTP ${status}: ` +
        `${text} (not running on EC2?)`;
      assert.equal(
        error.message,
        `MONGODB-AWS: no AWS credentials found. Looked at: ${
          [...OTHER_SOURCES, imdsReason].join("; ")
        }. ${ADVICE}`,
      );
      assert.ok(error.cause instanceof MongoAuthError);
      assert.equal(
        error.cause.message,
        "MONGODB-AWS: the EC2 instance metadata service (IMDSv2): http://169.254.169.254/latest/api/token " +
          `answered HTTP ${status}: ${text}`,
      );
      assert.deepEqual(imds.urls, ["/latest/api/token"]);
    });
  }

  it("a failure after the session token (an instance without a role: 404 for the role list) joins the summary too", async () => {
    const imds = metadataAddress((path) =>
      path === "/latest/api/token" ? new Response("session") : new Response("Not Found", { status: 404 })
    );
    const error = await chainError({}, imds.fetch);
    assert.match(
      error.message,
      /; EC2 instance metadata: http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/ answered HTTP 404: Not Found\. Give the keys/,
    );
    assert.match(String((error.cause as Error).message), /security-credentials\/ answered HTTP 404/);
  });

  it("no answer at all is listed as before, with the network failure as the cause", async () => {
    const error = await chainError({}, () => Promise.reject(new TypeError("fetch failed")));
    assert.match(
      error.message,
      /; EC2 instance metadata: http:\/\/169\.254\.169\.254\/latest\/api\/token is unreachable/,
    );
    assert.match(error.message, /\(not running on EC2\?\)\. Give the keys/);
    assert.ok(error.cause instanceof MongoAuthError);
  });

  it("the caller's abort stays ABORTED: it is no reason a source does not apply", async () => {
    const controller = new AbortController();
    const fetch: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
        controller.abort();
      });
    const env = testEnv({ AWS_EC2_METADATA_DISABLED: undefined }, { fetch });
    await assert.rejects(
      resolveAwsCredentials({ env, cache: new AwsCredentialCache(), signal: controller.signal }),
      { code: "ABORTED" },
    );
  });

  it("IMDS the user pointed at (AWS_EC2_METADATA_SERVICE_ENDPOINT, ..._MODE) keeps its own error", async () => {
    const fetch: FetchLike = () => Promise.resolve(new Response("Not Found", { status: 404 }));
    for (
      const vars of [
        { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://169.254.169.254" },
        { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv4" },
      ]
    ) {
      const error = await chainError(vars, fetch);
      assert.equal(
        error.message,
        "MONGODB-AWS: the EC2 instance metadata service (IMDSv2): http://169.254.169.254/latest/api/token " +
          "answered HTTP 404: Not Found",
        JSON.stringify(vars),
      );
    }
  });

  it("so does a profile's credential_source = Ec2InstanceMetadata", async () => {
    const h = home({
      ".aws/config":
        "[default]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Ec2InstanceMetadata\n",
    });
    const imds = metadataAddress(() => new Response("Not Found", { status: 404 }));
    await rejectsWith(
      resolve(testEnv({ AWS_EC2_METADATA_DISABLED: undefined }, { home: h.home, fetch: imds.fetch })),
      /^MONGODB-AWS: the EC2 instance metadata service \(IMDSv2\): http:\/\/169\.254\.169\.254\/latest\/api\/token answered HTTP 404/,
    );
  });

  it("a source the user configured that fails keeps its own error, and IMDS is not asked (ECS, web identity)", async () => {
    const imds = metadataAddress(() => assert.fail("IMDS must not be asked"));
    const ecs: FetchLike = (input) =>
      String(input).startsWith("http://127.0.0.1:9/")
        ? Promise.resolve(new Response("Internal Server Error", { status: 500 }))
        : imds.fetch(input);
    const ecsError = await chainError(
      { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds" },
      ecs,
    );
    assert.match(
      ecsError.message,
      /^MONGODB-AWS: the ECS container credentials endpoint: .* answered HTTP 500/,
    );
    const webError = await chainError({
      AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent-home/token",
      AWS_ROLE_ARN: "arn:aws:iam::1:role/web",
    }, imds.fetch);
    assert.match(webError.message, /^MONGODB-AWS: AssumeRoleWithWebIdentity/);
    assert.deepEqual(imds.urls, []);
  });
});
