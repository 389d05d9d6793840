/**
 * The Kubernetes environment (`ENVIRONMENT:k8s`): the projected service-account token of the pod,
 * as set up by AKS workload identity, EKS IRSA, or plain Kubernetes.
 *
 * @module
 */
import type { OidcCallback, OidcCallbackResult } from "../../../credential/oidc-callback.ts";
import type { RuntimeEnv } from "../../../core/runtime-env.ts";
import { readTokenFile, type TokenFileEnv } from "./token-file.ts";
import { checkOptions, optionChecks } from "../../../core/options.ts";
import { MongoAuthError } from "../../../core/errors.ts";

/** The token file Kubernetes projects into every pod by default. */
export const K8S_DEFAULT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * Options of {@link createK8sCallback}.
 *
 * @example The environment the token file is named in
 * ```ts
 * import assert from "node:assert/strict";
 * import { createK8sCallback, type K8sCallbackOptions, runtimeEnv } from "@mongo-auth/core";
 *
 * const options: K8sCallbackOptions = { env: runtimeEnv({ readTextFile: () => Promise.resolve("eyJ.a.b\n") }) };
 * const result = await createK8sCallback(options)({ version: 1, timeoutContext: new AbortController().signal });
 * assert.equal(result.accessToken, "eyJ.a.b");
 * ```
 */
export interface K8sCallbackOptions {
  /** Environment variables and a file reader (a `RuntimeEnv`, or just these three of its members). */
  readonly env: Pick<RuntimeEnv, "getEnv" | "readTextFile" | "envRestriction">;
}

/**
 * A callback that reads the pod's token: the file named by `AZURE_FEDERATED_TOKEN_FILE` (AKS), else
 * by `AWS_WEB_IDENTITY_TOKEN_FILE` (EKS), else {@link K8S_DEFAULT_TOKEN_FILE}. The variables are read
 * at each call, so a rotated path is picked up. Works as the official driver's `OIDC_CALLBACK` too.
 *
 * @param options the environment to read variables and files from
 * @returns the callback
 * @throws {MongoAuthError} (from the callback) `CREDENTIAL_PROVIDER_ERROR` when the file cannot be read
 *   or is empty; `RUNTIME_UNSUPPORTED` when the environment has no file reader; (at once) `INVALID_OPTION`
 *   without `env`
 *
 * @example The token file AKS workload identity names
 * ```ts
 * import assert from "node:assert/strict";
 * import { createK8sCallback, runtimeEnv } from "@mongo-auth/core";
 *
 * const files: Record<string, string> = { "/var/run/secrets/azure/tokens/azure-identity-token": "eyJ.a.b" };
 * const env = runtimeEnv({
 *   env: { AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" },
 *   readTextFile: async (path) => files[path],
 * });
 * const result = await createK8sCallback({ env })({ version: 1, timeoutContext: new AbortController().signal });
 * assert.equal(result.accessToken, "eyJ.a.b");
 * ```
 */
export function createK8sCallback(options: K8sCallbackOptions): OidcCallback {
  const { env } = checkOptions(options, "createK8sCallback()", K8S_OPTION_CHECKS);
  if (env === undefined) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      "createK8sCallback() needs options.env, where the token file's path and contents are read: " +
        "nodeEnv() or denoEnv() for the process's, or runtimeEnv({ env, readTextFile })",
    );
  }
  return async (): Promise<OidcCallbackResult> => {
    const [path, from] = k8sTokenFile(env);
    return { accessToken: await readTokenFile(env, path, `ENVIRONMENT:k8s (${from})`) };
  };
}

const K8S_OPTION_CHECKS = optionChecks({
  env: [
    (v) => typeof (v as { getEnv?: unknown }).getEnv === "function",
    "a RuntimeEnv (getEnv, readTextFile)",
  ],
});

function k8sTokenFile(env: TokenFileEnv): [path: string, from: string] {
  for (const name of ["AZURE_FEDERATED_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE"]) {
    const path = env.getEnv(name);
    if (path) return [path, name];
  }
  return [K8S_DEFAULT_TOKEN_FILE, "default path"];
}
