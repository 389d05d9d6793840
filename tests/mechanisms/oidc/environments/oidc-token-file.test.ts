// ENVIRONMENT:test of the auth specification: the token in the file OIDC_TOKEN_FILE names, read at each
// call. Variables and the file reader are injected.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtimeEnv } from "@mongo-auth/core";
import { createTestCallback } from "../../../../src/mechanisms/oidc/environments/oidc-token-file.ts";

const params = { version: 1 as const, timeoutContext: new AbortController().signal };

function filesEnv(vars: Record<string, string>, files: Record<string, string>, envRestriction?: string) {
  return runtimeEnv({
    env: vars,
    envRestriction,
    readTextFile: (path) =>
      path in files ? Promise.resolve(files[path]) : Promise.reject(new Error(`ENOENT: ${path}`)),
  });
}

describe("createTestCallback", () => {
  it("reads the token in OIDC_TOKEN_FILE, without the trailing newline", async () => {
    const env = filesEnv({ OIDC_TOKEN_FILE: "/tmp/tokens/test_user1" }, {
      "/tmp/tokens/test_user1": "test-token\n",
    });
    assert.deepEqual(await createTestCallback({ env })(params), { accessToken: "test-token" });
  });

  it("reads OIDC_TOKEN_FILE and the file at each call", async () => {
    const vars: Record<string, string> = { OIDC_TOKEN_FILE: "/tokens/test_user1" };
    const files = { "/tokens/test_user1": "one", "/tokens/test_user2": "two" };
    const callback = createTestCallback({ env: filesEnv(vars, files) });
    assert.equal((await callback(params)).accessToken, "one");
    vars.OIDC_TOKEN_FILE = "/tokens/test_user2";
    assert.equal((await callback(params)).accessToken, "two");
  });

  it("needs OIDC_TOKEN_FILE, set and not empty", async () => {
    for (const vars of [{}, { OIDC_TOKEN_FILE: "" }] as Record<string, string>[]) {
      await assert.rejects(createTestCallback({ env: filesEnv(vars, {}) })(params), {
        code: "CREDENTIAL_PROVIDER_ERROR",
        message:
          /^MONGODB-OIDC ENVIRONMENT:test needs the OIDC_TOKEN_FILE environment variable \(path of a token file\)$/,
      });
    }
  });

  it("says why OIDC_TOKEN_FILE may be invisible (Deno without --allow-env)", async () => {
    const env = filesEnv({}, {}, "Deno refused to show the environment variable OIDC_TOKEN_FILE");
    await assert.rejects(createTestCallback({ env })(params), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message:
        /OIDC_TOKEN_FILE environment variable .*\. Deno refused to show the environment variable OIDC_TOKEN_FILE$/,
    });
  });

  it("names the file and the variable when the file cannot be read or is empty", async () => {
    await assert.rejects(createTestCallback({ env: filesEnv({ OIDC_TOKEN_FILE: "/nope" }, {}) })(params), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message:
        /^MONGODB-OIDC ENVIRONMENT:test \(OIDC_TOKEN_FILE\): cannot read token file \/nope: ENOENT: \/nope$/,
    });
    await assert.rejects(
      createTestCallback({ env: filesEnv({ OIDC_TOKEN_FILE: "/e" }, { "/e": "" }) })(params),
      {
        code: "CREDENTIAL_PROVIDER_ERROR",
        message: /^MONGODB-OIDC ENVIRONMENT:test \(OIDC_TOKEN_FILE\): token file \/e is empty$/,
      },
    );
  });
});
