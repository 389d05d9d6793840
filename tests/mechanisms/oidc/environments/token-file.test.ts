import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createK8sCallback, runtimeEnv } from "@mongo-auth/core";
import { createTestCallback } from "../../../../src/mechanisms/oidc/environments/oidc-token-file.ts";
import { K8S_DEFAULT_TOKEN_FILE } from "../../../../src/mechanisms/oidc/environments/k8s.ts";

const dir = mkdtempSync(join(tmpdir(), "mongo-auth-oidc-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const params = { version: 1 as const, timeoutContext: new AbortController().signal };
const readTextFile = (path: string) => readFile(path, "utf8");

describe("k8s and test environments (token files)", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("k8s prefers AZURE_FEDERATED_TOKEN_FILE, then AWS_WEB_IDENTITY_TOKEN_FILE", async () => {
    const azure = write("azure", "azure-token\n");
    const aws = write("aws", "aws-token");
    const both = runtimeEnv({
      env: { AZURE_FEDERATED_TOKEN_FILE: azure, AWS_WEB_IDENTITY_TOKEN_FILE: aws },
      readTextFile,
    });
    assert.deepEqual(await createK8sCallback({ env: both })(params), { accessToken: "azure-token" });
    const awsOnly = runtimeEnv({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: aws }, readTextFile });
    assert.deepEqual(await createK8sCallback({ env: awsOnly })(params), { accessToken: "aws-token" });
  });

  it("k8s falls back to the service-account token path", async () => {
    const seen: string[] = [];
    const env = runtimeEnv({ readTextFile: (path) => (seen.push(path), Promise.resolve("sa-token")) });
    assert.deepEqual(await createK8sCallback({ env })(params), { accessToken: "sa-token" });
    assert.deepEqual(seen, [K8S_DEFAULT_TOKEN_FILE]);
    assert.equal(K8S_DEFAULT_TOKEN_FILE, "/var/run/secrets/kubernetes.io/serviceaccount/token");
  });

  it("k8s reads the variables at each call (rotation)", async () => {
    const vars: Record<string, string> = { AZURE_FEDERATED_TOKEN_FILE: write("one", "one") };
    const env = runtimeEnv({ env: vars, readTextFile });
    const callback = createK8sCallback({ env });
    assert.equal((await callback(params)).accessToken, "one");
    vars.AZURE_FEDERATED_TOKEN_FILE = write("two", "two");
    assert.equal((await callback(params)).accessToken, "two");
  });

  it("k8s reports a missing file with its path and where the path came from", async () => {
    const missing = join(dir, "missing");
    const env = runtimeEnv({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: missing }, readTextFile });
    await assert.rejects(createK8sCallback({ env })(params), (error: Error & { code?: string }) => {
      assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
      assert.ok(error.message.includes(missing));
      assert.match(error.message, /AWS_WEB_IDENTITY_TOKEN_FILE/);
      return true;
    });
  });

  it("refuses an empty token file, and says so when the runtime has no file reader", async () => {
    const env = runtimeEnv({ env: { AZURE_FEDERATED_TOKEN_FILE: write("empty", "\n") }, readTextFile });
    await assert.rejects(createK8sCallback({ env })(params), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /is empty/,
    });
    await assert.rejects(createK8sCallback({ env: runtimeEnv() })(params), {
      code: "RUNTIME_UNSUPPORTED",
      message: /readTextFile/,
    });
  });

  it("test reads OIDC_TOKEN_FILE", async () => {
    const env = runtimeEnv({ env: { OIDC_TOKEN_FILE: write("test_user1", "test-token\n") }, readTextFile });
    assert.deepEqual(await createTestCallback({ env })(params), { accessToken: "test-token" });
  });

  it("test needs OIDC_TOKEN_FILE", async () => {
    await assert.rejects(createTestCallback({ env: runtimeEnv({ readTextFile }) })(params), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /OIDC_TOKEN_FILE/,
    });
  });

  it("test says why OIDC_TOKEN_FILE may be invisible (Deno without --allow-env)", async () => {
    const env = runtimeEnv({ readTextFile, envRestriction: "Deno runs without --allow-env" });
    await assert.rejects(createTestCallback({ env })(params), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /OIDC_TOKEN_FILE environment variable .*\. Deno runs without --allow-env/,
    });
  });
});
