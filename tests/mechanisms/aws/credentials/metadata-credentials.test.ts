// The credentials document the ECS container endpoint and EC2 instance metadata both answer, and what
// becomes of every malformed, slow or hostile answer from either: a CREDENTIAL_PROVIDER_ERROR that names
// the source and never shows a key or token the answer carried. Every fetch is injected; no test
// leaves the machine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { metadataCredentials } from "../../../../src/mechanisms/aws/credentials/metadata-credentials.ts";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";
import { AwsCredentialCache } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import { resolveAwsCredentials } from "../../../../src/mechanisms/aws/credentials/chain.ts";
import { testEnv } from "../../../support/aws-fakes.ts";
import { settledWithin } from "../../../support/settled-within.ts";

const SOURCE = "the ECS endpoint";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
const DOC = {
  Code: "Success",
  LastUpdated: "2024-01-15T11:00:00Z",
  Type: "AWS-HMAC",
  AccessKeyId: "ASIAEXAMPLE",
  SecretAccessKey: SECRET,
  Token: TOKEN,
  Expiration: "2024-01-15T18:00:00Z",
};

function refused(body: string, message: RegExp): void {
  assert.throws(() => metadataCredentials(body, SOURCE), (err: unknown) => {
    assert.ok(err instanceof MongoAuthError, String(err));
    assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(err.message, message);
    for (const secret of [SECRET, TOKEN]) assert.ok(!err.message.includes(secret), err.message);
    return true;
  });
}

describe("metadataCredentials", () => {
  it("reads the EC2 answer: the keys, the session token and the expiration as a Date", () => {
    assert.deepEqual(metadataCredentials(JSON.stringify(DOC), SOURCE), {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: new Date("2024-01-15T18:00:00Z"),
    });
  });

  it("reads the ECS answer, which has no Code, and keeps the task role's ARN beside the keys", () => {
    const { Code: _c, LastUpdated: _l, Type: _t, ...ecs } = DOC;
    const found = metadataCredentials(
      JSON.stringify({ ...ecs, RoleArn: "arn:aws:iam::123456789012:role/task" }),
      SOURCE,
    );
    assert.equal(found.roleArn, "arn:aws:iam::123456789012:role/task");
    assert.equal(found.accessKeyId, "ASIAEXAMPLE");
    assert.equal(found.sessionToken, TOKEN);
  });

  it("ignores a RoleArn that is not a string", () => {
    const found = metadataCredentials(JSON.stringify({ ...DOC, RoleArn: { evil: true } }), SOURCE);
    assert.equal(Object.hasOwn(found, "roleArn"), false);
  });

  it("refuses an answer that is not JSON without quoting it", () => {
    refused(
      `{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"${SECRET}"`,
      /^MONGODB-AWS: the ECS endpoint: the credentials answer is not JSON$/,
    );
    refused("<html>gateway error</html>", /the credentials answer is not JSON$/);
    refused("", /the credentials answer is not JSON$/);
  });

  it("refuses a JSON answer that is not an object (null, a string, a number, an array)", () => {
    for (const body of ["null", `"${SECRET}"`, "42", "[]"]) {
      refused(body, /^MONGODB-AWS: the ECS endpoint: the credentials answer is not a JSON object$/);
    }
  });

  it("refuses an answer whose Code is not Success, quoting at most 64 characters of it", () => {
    refused(
      JSON.stringify({ ...DOC, Code: "AssumeRoleUnauthorizedAccess" }),
      /the credentials answer has Code "AssumeRoleUnauthorizedAccess"$/,
    );
    refused(JSON.stringify({ ...DOC, Code: "X".repeat(500) }), new RegExp(`has Code "${"X".repeat(64)}"$`));
    refused(JSON.stringify({ ...DOC, Code: 7 }), /has Code "7"$/);
  });

  it("refuses an answer that lacks a key, or whose token or expiration is malformed, naming the source", () => {
    const { SecretAccessKey: _s, ...noSecret } = DOC;
    refused(
      JSON.stringify(noSecret),
      /^AWS credentials from the ECS endpoint lack accessKeyId or secretAccessKey$/,
    );
    refused(JSON.stringify({ ...DOC, AccessKeyId: "" }), /lack accessKeyId or secretAccessKey$/);
    refused(JSON.stringify({ ...DOC, Token: 42 }), /sessionToken is not a string$/);
    refused(JSON.stringify({ ...DOC, Expiration: "soon" }), /expiration is not a valid date$/);
  });
});

// The two sources that parse this document, each pointed at a loopback URL through an injected fetch that
// answers `credentials` on the credentials request (IMDS also gets its session token and role name).
const SOURCES = {
  "the ECS container credentials endpoint": {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds",
  },
  "the EC2 instance metadata service (IMDSv2)": {
    AWS_EC2_METADATA_DISABLED: undefined,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9",
  },
};

function metadataFetch(credentials: () => Promise<Response>): FetchLike {
  return (input) => {
    const url = new URL(String(input));
    assert.equal(url.hostname, "127.0.0.1");
    if (url.pathname === "/latest/api/token") return Promise.resolve(new Response("imds-session"));
    if (url.pathname.endsWith("/security-credentials/")) return Promise.resolve(new Response("web-role\n"));
    return credentials();
  };
}

const HOSTILE: Record<string, (signal?: AbortSignal) => Promise<Response>> = {
  "not JSON": () => Promise.resolve(new Response(`{"SecretAccessKey":"${SECRET}"`)),
  "JSON null": () => Promise.resolve(new Response("null")),
  "a failure Code": () => Promise.resolve(new Response(JSON.stringify({ ...DOC, Code: "Failed" }))),
  "no secret key": () =>
    Promise.resolve(new Response(JSON.stringify({ ...DOC, SecretAccessKey: undefined }))),
  "an HTTP 500 echoing the keys": () => Promise.resolve(new Response(JSON.stringify(DOC), { status: 500 })),
  "a body larger than a megabyte": () => Promise.resolve(new Response("x".repeat(1_100_000))),
  "a body that never ends": (signal) =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`{"SecretAccessKey":"${SECRET}",`));
            signal?.addEventListener("abort", () => controller.error(signal.reason));
          },
        }),
      ),
    ),
  "no answer at all": (signal) =>
    new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
};

describe("ECS and EC2 metadata answers, through the chain", () => {
  for (const [source, vars] of Object.entries(SOURCES)) {
    for (const [what, answer] of Object.entries(HOSTILE)) {
      it(`${source}: ${what} is a CREDENTIAL_PROVIDER_ERROR naming the source, with no key in it`, async () => {
        const base = metadataFetch(() => Promise.reject(new Error("unused")));
        const fetch: FetchLike = (input, init) => {
          const path = new URL(String(input)).pathname;
          return path === "/creds" || path.endsWith("/web-role")
            ? answer(init?.signal ?? undefined)
            : base(input, init);
        };
        const env = testEnv(vars, { fetch });
        const attempt = resolveAwsCredentials({ env, cache: new AwsCredentialCache(), timeoutMs: 50 });
        // settledWithin: Node does not keep the process alive for the request's own timer.
        await assert.rejects(settledWithin(5000, "resolving", attempt), (err: unknown) => {
          assert.ok(err instanceof MongoAuthError, String(err));
          assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
          assert.ok(err.message.includes(source), err.message);
          const printed = `${err.message} ${String(err.cause ?? "")}`;
          for (const secret of [SECRET, TOKEN, "imds-session"]) assert.ok(!printed.includes(secret), printed);
          return true;
        });
      });
    }
  }
});
