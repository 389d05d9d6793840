// Source 6 of the AWS credential chain (src/mechanisms/aws/credentials/source-ecs.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AwsCredentialCache } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import { resolveAwsCredentials } from "../../../../src/mechanisms/aws/credentials/chain.ts";
import { startFake, startFakeEcs, tempCredentials, testEnv } from "../../../support/aws-fakes.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, home, close } = cleanups();
after(close);

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

  it("names the token file it cannot read, and why", async () => {
    const h = home({});
    await rejectsWith(
      resolve(
        testEnv({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:1/pod",
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: h.path("gone"),
        }),
      ),
      /cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \S+gone: ENOENT: no such file or directory/,
    );
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
      /did not answer within 50 ms/,
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
