// How the AWS credential sources make their HTTP calls: the spec's 10 second timeout unless the caller
// sets one, the source and a printable URL in every message, failures coded CREDENTIAL_PROVIDER_ERROR,
// and an error status named with the STS or ECS error code its body carries, never with a secret.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  awsRequest,
  DEFAULT_AWS_HTTP_TIMEOUT_MS,
  expectOk,
} from "../../../../src/mechanisms/aws/credentials/http.ts";
import { httpRequest } from "../../../../src/core/http.ts";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";
import { testEnv } from "../../../support/aws-fakes.ts";
import { settledWithin } from "../../../support/settled-within.ts";

const URL_WITH_SECRETS = "http://user:pw@127.0.0.1:9/role?X-Amz-Security-Token=tok#frag";

function answering(status: number, body: string): FetchLike {
  // A 204 may not carry a body, not even an empty one.
  return () => Promise.resolve(new Response(body === "" ? null : body, { status }));
}

async function failure(status: number, body: string, secrets?: string[]): Promise<MongoAuthError> {
  const request = awsRequest(testEnv({}, { fetch: answering(status, body) }), "http://127.0.0.1:9/sts", {
    method: "POST",
  }, { source: "STS", secrets });
  const response = await httpRequest(request);
  try {
    expectOk(response, request);
  } catch (err) {
    assert.ok(err instanceof MongoAuthError);
    return err;
  }
  assert.fail(`HTTP ${status} was accepted`);
}

describe("awsRequest", () => {
  it("names the source and the URL without user info, query or fragment", () => {
    const request = awsRequest(testEnv(), URL_WITH_SECRETS, { method: "GET" }, {
      source: "the ECS endpoint",
    });
    assert.equal(request.what, "MONGODB-AWS: the ECS endpoint: http://127.0.0.1:9/role");
    assert.equal(request.url, URL_WITH_SECRETS);
    assert.equal(request.failure, "CREDENTIAL_PROVIDER_ERROR");
  });

  it("uses the env's fetch, the spec's 10 second timeout unless told, and the caller's signal", () => {
    const env = testEnv();
    const signal = new AbortController().signal;
    const byDefault = awsRequest(env, "http://127.0.0.1:9/", { method: "GET" }, { source: "s" });
    assert.equal(DEFAULT_AWS_HTTP_TIMEOUT_MS, 10_000);
    assert.equal(byDefault.timeoutMs, 10_000);
    assert.equal(byDefault.fetch, env.fetch);
    const told = awsRequest(env, "http://127.0.0.1:9/", { method: "GET" }, {
      source: "s",
      timeoutMs: 250,
      signal,
    });
    assert.equal(told.timeoutMs, 250);
    assert.equal(told.signal, signal);
  });

  it("passes method, headers, body and the secrets to keep out of messages", () => {
    const request = awsRequest(testEnv(), "http://127.0.0.1:9/", {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "30" },
      body: "Action=GetCallerIdentity",
    }, { source: "s", secrets: ["tok", undefined] });
    assert.equal(request.method, "PUT");
    assert.deepEqual(request.headers, { "x-aws-ec2-metadata-token-ttl-seconds": "30" });
    assert.equal(request.body, "Action=GetCallerIdentity");
    assert.deepEqual(request.secrets, ["tok", undefined]);
  });

  it("a source that does not answer in time is a CREDENTIAL_PROVIDER_ERROR naming it and the limit", async () => {
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      );
    const request = awsRequest(testEnv({}, { fetch: hanging }), "http://127.0.0.1:9/latest/api/token", {
      method: "PUT",
    }, { source: "the EC2 instance metadata service", timeoutMs: 20 });
    // settledWithin: Node does not keep the process alive for the request's own timer.
    await assert.rejects(settledWithin(5000, "the request", httpRequest(request)), (err: unknown) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
      assert.match(
        err.message,
        /^MONGODB-AWS: the EC2 instance metadata service: http:\/\/127\.0\.0\.1:9\/latest\/api\/token did not answer within 20 ms/,
      );
      return true;
    });
  });
});

describe("expectOk", () => {
  it("accepts every 2xx status", async () => {
    for (const status of [200, 201, 204, 299]) {
      const env = testEnv({}, { fetch: answering(status, "") });
      const request = awsRequest(env, "http://127.0.0.1:9/", { method: "GET" }, { source: "s" });
      expectOk(await httpRequest(request), request);
    }
  });

  it("refuses every other status: redirects, client and server errors", async () => {
    for (const status of [300, 302, 400, 403, 500, 503]) {
      const err = await failure(status, "");
      assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
      assert.equal(
        err.message,
        `MONGODB-AWS: STS: http://127.0.0.1:9/sts answered HTTP ${status}: (empty body)`,
      );
    }
  });

  it("names the STS XML error <Code>", async () => {
    const body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>" +
      "<Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>";
    const err = await failure(403, body);
    assert.match(
      err.message,
      /^MONGODB-AWS: STS: http:\/\/127\.0\.0\.1:9\/sts answered HTTP 403 \(InvalidClientTokenId\): /,
    );
  });

  it("names a JSON error's Code, code or __type", async () => {
    assert.match((await failure(400, '{"Code": "ExpiredToken"}')).message, /HTTP 400 \(ExpiredToken\)/);
    assert.match((await failure(400, '{"code":"AccessDenied"}')).message, /HTTP 400 \(AccessDenied\)/);
    assert.match(
      (await failure(400, '{"__type":"com.amazonaws#ThrottlingException"}')).message,
      /HTTP 400 \(com\.amazonaws#ThrottlingException\)/,
    );
  });

  it("does not take a code that is too long or has other characters as the error code", async () => {
    const long = "A".repeat(65);
    assert.doesNotMatch((await failure(400, `<Code>${long}</Code>`)).message, /HTTP 400 \(/);
    assert.doesNotMatch((await failure(400, "<Code>a b</Code>")).message, /HTTP 400 \(/);
    assert.doesNotMatch((await failure(400, '{"Code":"<script>"}')).message, /HTTP 400 \(/);
  });

  it("never shows a secret the request carried, even when the error body echoes it", async () => {
    const err = await failure(401, "token s3cr3t-session is not valid", ["s3cr3t-session"]);
    assert.ok(!err.message.includes("s3cr3t-session"), err.message);
    assert.match(err.message, /HTTP 401: token \[redacted\] is not valid$/);
  });
});
