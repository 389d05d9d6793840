import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAzureCallback, type FetchLike, type MongoAuthError } from "@mongo-auth/core";
import { AZURE_IMDS_ENDPOINT } from "../../../../src/mechanisms/oidc/environments/azure.ts";
import { type FakeEndpoint, loopbackOnlyFetch, startAzureImds } from "../../../support/oidc-fakes.ts";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhenVyZSJ9.c2lnbmF0dXJlLWJ5dGVz";
const params = (extra: Record<string, unknown> = {}) => ({
  version: 1 as const,
  timeoutContext: new AbortController().signal,
  ...extra,
});

describe("Azure environment", () => {
  let imds: FakeEndpoint;
  before(async () => {
    imds = await startAzureImds({ token: TOKEN, expiresIn: "3599" });
  });
  after(() => imds.close());

  it("defaults to the real IMDS address (never contacted in tests)", () => {
    assert.equal(AZURE_IMDS_ENDPOINT, "http://169.254.169.254");
  });

  it("GETs the token for TOKEN_RESOURCE with Metadata: true", async () => {
    const callback = createAzureCallback({ endpoint: imds.url, fetch: loopbackOnlyFetch });
    const result = await callback(params({ tokenAudience: "api://mongodb" }));
    assert.deepEqual(result, { accessToken: TOKEN, expiresInSeconds: 3599 });
    const request = imds.requests.at(-1)!;
    assert.equal(request.method, "GET");
    assert.equal(request.url.pathname, "/metadata/identity/oauth2/token");
    assert.equal(request.url.searchParams.get("api-version"), "2018-02-01");
    assert.equal(request.url.searchParams.get("resource"), "api://mongodb");
    assert.equal(request.url.searchParams.has("client_id"), false);
    assert.equal(request.headers["metadata"], "true");
  });

  it("sends the username as client_id (user-assigned managed identity)", async () => {
    const callback = createAzureCallback({
      endpoint: imds.url + "/",
      fetch: loopbackOnlyFetch,
      tokenResource: "api://x",
    });
    await callback(params({ username: "11111111-2222-3333-4444-555555555555" }));
    const request = imds.requests.at(-1)!;
    assert.equal(request.url.searchParams.get("client_id"), "11111111-2222-3333-4444-555555555555");
    assert.equal(request.url.searchParams.get("resource"), "api://x");
  });

  it("needs an audience", async () => {
    await assert.rejects(createAzureCallback({ endpoint: imds.url, fetch: loopbackOnlyFetch })(params()), {
      code: "INVALID_CREDENTIAL",
      message: /TOKEN_RESOURCE/,
    });
  });

  it("reports an HTTP error with status and a redacted excerpt", async () => {
    const failing = await startAzureImds({
      token: TOKEN,
      fail: {
        status: 400,
        body: `{"error":"invalid_resource","error_description":"bad","access_token":"${TOKEN}"}`,
      },
    });
    try {
      await assert.rejects(
        createAzureCallback({ endpoint: failing.url, fetch: loopbackOnlyFetch })(
          params({ tokenAudience: "api://x" }),
        ),
        (error: MongoAuthError) => {
          assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
          assert.match(
            error.message,
            /^Azure IMDS \(http:\/\/127\.0\.0\.1:\d+\/metadata\/identity\/oauth2\/token\) answered HTTP 400: /,
          );
          assert.match(error.message, /invalid_resource/);
          assert.ok(!error.message.includes(TOKEN), "no token in the message");
          return true;
        },
      );
    } finally {
      await failing.close();
    }
  });

  it("refuses a 200 without access_token or expires_in", async () => {
    for (
      const body of [
        "not json",
        "{}",
        JSON.stringify({ access_token: TOKEN }),
        JSON.stringify({ access_token: TOKEN, expires_in: "soon" }),
      ]
    ) {
      const fetch: FetchLike = () => Promise.resolve(new Response(body, { status: 200 }));
      await assert.rejects(
        createAzureCallback({ endpoint: "http://127.0.0.1:9", fetch })(params({ tokenAudience: "api://x" })),
        (error: MongoAuthError) =>
          error.code === "CREDENTIAL_PROVIDER_ERROR" && !error.message.includes(TOKEN),
      );
    }
  });

  it("reports an unreachable endpoint and a slow one", async () => {
    const closed = await startAzureImds({ token: TOKEN });
    const url = closed.url;
    await closed.close();
    await assert.rejects(
      createAzureCallback({ endpoint: url, fetch: loopbackOnlyFetch })(params({ tokenAudience: "a" })),
      {
        code: "CREDENTIAL_PROVIDER_ERROR",
        message: /Azure IMDS .* is unreachable/,
      },
    );
    const hanging = await startAzureImds({ token: TOKEN, hang: true });
    try {
      await assert.rejects(
        createAzureCallback({ endpoint: hanging.url, fetch: loopbackOnlyFetch, timeoutMs: 50 })(
          params({ tokenAudience: "a" }),
        ),
        { code: "CREDENTIAL_PROVIDER_ERROR", message: /did not answer within 50 ms/ },
      );
    } finally {
      await hanging.close();
    }
  });

  it("stops when the callback's signal fires", async () => {
    const hanging = await startAzureImds({ token: TOKEN, hang: true });
    try {
      const controller = new AbortController();
      const pending = createAzureCallback({ endpoint: hanging.url, fetch: loopbackOnlyFetch })(
        params({ tokenAudience: "a", timeoutContext: controller.signal }),
      );
      controller.abort();
      await assert.rejects(pending, { code: "ABORTED" });
    } finally {
      await hanging.close();
    }
  });
});

describe("createAzureCallback: options of the wrong type", () => {
  it("are INVALID_OPTION at once, not a TypeError when the driver calls", () => {
    const wrong: [unknown, RegExp][] = [
      [
        { endpoint: 169 },
        /^option endpoint of createAzureCallback\(\) must be an http or https URL .*, got a number$/,
      ],
      // Not a URL, or not a web one: refused here, not a TypeError from new URL() when the driver calls.
      [
        { endpoint: "169.254.169.254" },
        /^option endpoint of createAzureCallback\(\) must be an http or https URL/,
      ],
      [
        { endpoint: "file:///etc/passwd" },
        /^option endpoint of createAzureCallback\(\) must be an http or https URL/,
      ],
      [{ fetch: "https://proxy" }, /^option fetch of createAzureCallback\(\) must be a function/],
      [{ tokenResource: ["api://db"] }, /^option tokenResource of createAzureCallback\(\) must be a string/],
      [5, /^the options of createAzureCallback\(\) must be an object/],
      // A timer would throw a RangeError for 1.5 when the driver calls; -1 would mean no timeout.
      [{ timeoutMs: -1 }, /^option timeoutMs of createAzureCallback\(\) must be a whole number .*, got -1$/],
      [
        { timeoutMs: 1.5 },
        /^option timeoutMs of createAzureCallback\(\) must be a whole number .*, got 1\.5$/,
      ],
    ];
    for (const [options, message] of wrong) {
      assert.throws(() => createAzureCallback(options as never), { code: "INVALID_OPTION", message });
    }
    assert.equal(typeof createAzureCallback(null as never), "function");
  });
});
