import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createGcpCallback, type MongoAuthError } from "@mongo-auth/core";
import { GCP_METADATA_ENDPOINT } from "../../../../src/mechanisms/oidc/environments/gcp.ts";
import { type FakeEndpoint, loopbackOnlyFetch, startGcpMetadata } from "../../../support/oidc-fakes.ts";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnY3AifQ.c2lnbmF0dXJlLWJ5dGVz";
const params = (extra: Record<string, unknown> = {}) => ({
  version: 1 as const,
  timeoutContext: new AbortController().signal,
  ...extra,
});

describe("GCP environment", () => {
  let metadata: FakeEndpoint;
  before(async () => {
    metadata = await startGcpMetadata({ token: TOKEN });
  });
  after(() => metadata.close());

  it("defaults to the real metadata server (never contacted in tests)", () => {
    assert.equal(GCP_METADATA_ENDPOINT, "http://metadata");
  });

  it("GETs an identity token for the audience with Metadata-Flavor: Google", async () => {
    const result = await createGcpCallback({ endpoint: metadata.url, fetch: loopbackOnlyFetch })(
      params({ tokenAudience: "https://mongodb.example/aud" }),
    );
    assert.deepEqual(result, { accessToken: TOKEN });
    const request = metadata.requests.at(-1)!;
    assert.equal(request.url.pathname, "/computeMetadata/v1/instance/service-accounts/default/identity");
    assert.equal(request.url.searchParams.get("audience"), "https://mongodb.example/aud");
    assert.equal(request.headers["metadata-flavor"], "Google");
  });

  it("takes the audience from its options when the caller passes none", async () => {
    await createGcpCallback({ endpoint: metadata.url, fetch: loopbackOnlyFetch, tokenResource: "aud-2" })(
      params(),
    );
    assert.equal(metadata.requests.at(-1)!.url.searchParams.get("audience"), "aud-2");
  });

  it("needs an audience", async () => {
    await assert.rejects(createGcpCallback({ endpoint: metadata.url, fetch: loopbackOnlyFetch })(params()), {
      code: "INVALID_CREDENTIAL",
    });
  });

  it("reports a 403 with status and excerpt", async () => {
    const failing = await startGcpMetadata({
      token: TOKEN,
      fail: { status: 403, body: "Missing Metadata-Flavor:Google header." },
    });
    try {
      await assert.rejects(
        createGcpCallback({ endpoint: failing.url, fetch: loopbackOnlyFetch })(
          params({ tokenAudience: "a" }),
        ),
        (error: MongoAuthError) => {
          assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
          assert.match(
            error.message,
            /^GCP metadata server .* answered HTTP 403: Missing Metadata-Flavor:Google header\.$/,
          );
          return true;
        },
      );
    } finally {
      await failing.close();
    }
  });

  it("refuses an empty body", async () => {
    const empty = await startGcpMetadata({ token: "  \n" });
    try {
      await assert.rejects(
        createGcpCallback({ endpoint: empty.url, fetch: loopbackOnlyFetch })(params({ tokenAudience: "a" })),
        {
          code: "CREDENTIAL_PROVIDER_ERROR",
          message: /empty body/,
        },
      );
    } finally {
      await empty.close();
    }
  });
});

describe("createGcpCallback: options of the wrong type", () => {
  it("are INVALID_OPTION at once, not a TypeError when the driver calls", () => {
    assert.throws(() => createGcpCallback({ endpoint: new URL("http://metadata") } as never), {
      code: "INVALID_OPTION",
      message:
        "option endpoint of createGcpCallback() must be an http or https URL (like http://169.254.169.254), " +
        "got an object",
    });
    assert.throws(() => createGcpCallback({ endpoint: "metadata.google.internal" }), {
      code: "INVALID_OPTION",
      message: /^option endpoint of createGcpCallback\(\) must be an http or https URL/,
    });
    assert.throws(() => createGcpCallback({ timeoutMs: "10s" } as never), {
      code: "INVALID_OPTION",
      message: "option timeoutMs of createGcpCallback() must be a number, got a string",
    });
    for (const timeoutMs of [-1, 0, 1.5, Number.NaN]) {
      assert.throws(() => createGcpCallback({ timeoutMs }), {
        code: "INVALID_OPTION",
        message: "option timeoutMs of createGcpCallback() must be a whole number of milliseconds from 1 to " +
          `2147483647, got ${timeoutMs}`,
      });
    }
    assert.equal(typeof createGcpCallback(null as never), "function");
  });
});
