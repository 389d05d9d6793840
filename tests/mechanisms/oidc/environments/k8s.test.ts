// ENVIRONMENT:k8s: the pod's projected service-account token, from the file AKS workload identity or EKS
// IRSA names, else Kubernetes' default path; the variables read at each call. Variables and the file
// reader are injected.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createK8sCallback, runtimeEnv } from "@mongo-auth/core";
import { K8S_DEFAULT_TOKEN_FILE } from "../../../../src/mechanisms/oidc/environments/k8s.ts";

const params = { version: 1 as const, timeoutContext: new AbortController().signal };

/** An env whose files are `files`; every path read is recorded in `read`. */
function filesEnv(vars: Record<string, string>, files: Record<string, string>) {
  const read: string[] = [];
  const env = runtimeEnv({
    env: vars,
    readTextFile: (path) => {
      read.push(path);
      return path in files
        ? Promise.resolve(files[path])
        : Promise.reject(new Error(`ENOENT: no such file or directory, open '${path}'`));
    },
  });
  return { env, read };
}

describe("createK8sCallback", () => {
  it("prefers AZURE_FEDERATED_TOKEN_FILE (AKS), then AWS_WEB_IDENTITY_TOKEN_FILE (EKS)", async () => {
    const files = { "/azure/token": "azure-token\n", "/aws/token": "aws-token" };
    const both = filesEnv({
      AZURE_FEDERATED_TOKEN_FILE: "/azure/token",
      AWS_WEB_IDENTITY_TOKEN_FILE: "/aws/token",
    }, files);
    assert.deepEqual(await createK8sCallback({ env: both.env })(params), { accessToken: "azure-token" });
    assert.deepEqual(both.read, ["/azure/token"]);
    const awsOnly = filesEnv({ AWS_WEB_IDENTITY_TOKEN_FILE: "/aws/token" }, files);
    assert.deepEqual(await createK8sCallback({ env: awsOnly.env })(params), { accessToken: "aws-token" });
  });

  it("falls back to the service-account token path, also when a variable is set but empty", async () => {
    assert.equal(K8S_DEFAULT_TOKEN_FILE, "/var/run/secrets/kubernetes.io/serviceaccount/token");
    for (
      const vars of [{}, { AZURE_FEDERATED_TOKEN_FILE: "", AWS_WEB_IDENTITY_TOKEN_FILE: "" }] as Record<
        string,
        string
      >[]
    ) {
      const { env, read } = filesEnv(vars, { [K8S_DEFAULT_TOKEN_FILE]: "sa-token" });
      assert.deepEqual(await createK8sCallback({ env })(params), { accessToken: "sa-token" });
      assert.deepEqual(read, [K8S_DEFAULT_TOKEN_FILE]);
    }
  });

  it("reads the variables and the file at each call (rotation)", async () => {
    const vars: Record<string, string> = { AZURE_FEDERATED_TOKEN_FILE: "/one" };
    const files: Record<string, string> = { "/one": "one", "/two": "two" };
    const callback = createK8sCallback({ env: filesEnv(vars, files).env });
    assert.equal((await callback(params)).accessToken, "one");
    vars.AZURE_FEDERATED_TOKEN_FILE = "/two";
    assert.equal((await callback(params)).accessToken, "two");
    files["/two"] = "two-rotated";
    assert.equal((await callback(params)).accessToken, "two-rotated");
  });

  it("returns only the access token: no expiry, no refresh token", async () => {
    const { env } = filesEnv({}, { [K8S_DEFAULT_TOKEN_FILE]: "sa-token" });
    assert.deepEqual(Object.keys(await createK8sCallback({ env })(params)), ["accessToken"]);
  });

  it("names the file and where its path came from when it cannot be read", async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [
        { AWS_WEB_IDENTITY_TOKEN_FILE: "/missing/aws" },
        "/missing/aws",
        /ENVIRONMENT:k8s \(AWS_WEB_IDENTITY_TOKEN_FILE\)/,
      ],
      [
        { AZURE_FEDERATED_TOKEN_FILE: "/missing/azure" },
        "/missing/azure",
        /ENVIRONMENT:k8s \(AZURE_FEDERATED_TOKEN_FILE\)/,
      ],
      [{}, K8S_DEFAULT_TOKEN_FILE, /ENVIRONMENT:k8s \(default path\)/],
    ];
    for (const [vars, path, from] of cases) {
      await assert.rejects(
        createK8sCallback({ env: filesEnv(vars, {}).env })(params),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
          assert.match(err.message, from);
          assert.ok(err.message.includes(`cannot read token file ${path}`), err.message);
          return true;
        },
      );
    }
  });

  it("refuses an empty token file, and a runtime without a file reader", async () => {
    const { env } = filesEnv({ AZURE_FEDERATED_TOKEN_FILE: "/empty" }, { "/empty": " \n" });
    await assert.rejects(createK8sCallback({ env })(params), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /ENVIRONMENT:k8s \(AZURE_FEDERATED_TOKEN_FILE\): token file \/empty is empty/,
    });
    await assert.rejects(createK8sCallback({ env: runtimeEnv() })(params), {
      code: "RUNTIME_UNSUPPORTED",
      message:
        /ENVIRONMENT:k8s \(default path\) reads a token file, but this runtime environment has no readTextFile/,
    });
  });
});

describe("createK8sCallback: without an env", () => {
  it("is INVALID_OPTION at once, saying where to get one", () => {
    for (const options of [undefined, null, {}, { env: null }]) {
      assert.throws(() => createK8sCallback(options as never), {
        code: "INVALID_OPTION",
        message: /^createK8sCallback\(\) needs options\.env, .*nodeEnv\(\) or denoEnv\(\)/,
      });
    }
    assert.throws(() => createK8sCallback({ env: { HOME: "/root" } } as never), {
      code: "INVALID_OPTION",
      message: /^option env of createK8sCallback\(\) must be a RuntimeEnv/,
    });
  });
});
