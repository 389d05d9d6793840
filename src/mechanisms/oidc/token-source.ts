/**
 * Where a MONGODB-OIDC credential gets its tokens: a built-in environment, `OIDC_CALLBACK`, or
 * `OIDC_HUMAN_CALLBACK`, chosen from the mechanism properties.
 *
 * @module
 */
import type { MongoCredential } from "../../credential/credential.ts";
import { MongoAuthError } from "../../core/errors.ts";
import type { RuntimeEnv } from "../../core/runtime-env.ts";
import { createAzureCallback } from "./environments/azure.ts";
import { HUMAN_CALLBACK_TIMEOUT_MS, MACHINE_CALLBACK_TIMEOUT_MS, type OidcCallback } from "./callback.ts";
import { createGcpCallback } from "./environments/gcp.ts";
import { createK8sCallback } from "./environments/k8s.ts";
import { createTestCallback } from "./environments/test.ts";

/** Where the built-in environments' HTTP endpoints are; tests point them at loopback fakes. */
export interface EnvironmentEndpoints {
  /** Base URL of Azure IMDS. Default `http://169.254.169.254`. */
  readonly azure?: string;
  /** Base URL of the GCP metadata server. Default `http://metadata`. */
  readonly gcp?: string;
  /** Time a metadata endpoint gets to answer, in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
}

/** The callback a credential uses, and how to run it. */
export interface TokenSource {
  /** `"human"`: two-step conversation, IdP information, refresh tokens, ALLOWED_HOSTS. */
  readonly flow: "machine" | "human";
  /** The callback (a built-in environment's, or the user's). */
  readonly callback: OidcCallback;
  /** The property it came from, for messages. */
  readonly name: string;
  /** The callback's time budget. */
  readonly timeoutMs: number;
}

/** The values `ENVIRONMENT` accepts. */
export const OIDC_ENVIRONMENTS: readonly string[] = ["azure", "gcp", "k8s", "test"];

/**
 * Picks the token source from the credential's mechanism properties: exactly one of `ENVIRONMENT`,
 * `OIDC_CALLBACK` and `OIDC_HUMAN_CALLBACK` must be set.
 *
 * @param credential the MONGODB-OIDC credential
 * @param env fetch, environment variables and files for the built-in environments
 * @param endpoints where the built-in environments' endpoints are
 * @returns the source
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` when none or several are set, a callback is not a
 *   function, or `ENVIRONMENT` is unknown
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 * import { tokenSourceOf } from "./token-source.ts";
 *
 * const credential = { source: "$external", mechanism: "MONGODB-OIDC" as const, mechanismProperties: { ENVIRONMENT: "k8s" } };
 * assert.equal(tokenSourceOf(credential, runtimeEnv()).name, "ENVIRONMENT:k8s");
 * ```
 */
export function tokenSourceOf(
  credential: MongoCredential,
  env: RuntimeEnv,
  endpoints: EnvironmentEndpoints = {},
): TokenSource {
  const { ENVIRONMENT, OIDC_CALLBACK, OIDC_HUMAN_CALLBACK } = credential.mechanismProperties;
  const given = [ENVIRONMENT, OIDC_CALLBACK, OIDC_HUMAN_CALLBACK].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new MongoAuthError(
      "INVALID_CREDENTIAL",
      `MONGODB-OIDC needs exactly one of ENVIRONMENT, OIDC_CALLBACK and OIDC_HUMAN_CALLBACK (got ${given.length})`,
    );
  }
  if (OIDC_CALLBACK !== undefined) return userCallback(OIDC_CALLBACK, "OIDC_CALLBACK", "machine");
  if (OIDC_HUMAN_CALLBACK !== undefined) {
    return userCallback(OIDC_HUMAN_CALLBACK, "OIDC_HUMAN_CALLBACK", "human");
  }
  return {
    flow: "machine",
    callback: environmentCallback(ENVIRONMENT, env, endpoints),
    name: `ENVIRONMENT:${ENVIRONMENT}`,
    timeoutMs: MACHINE_CALLBACK_TIMEOUT_MS,
  };
}

function userCallback(value: unknown, name: string, flow: "machine" | "human"): TokenSource {
  if (typeof value !== "function") {
    throw new MongoAuthError(
      "INVALID_CREDENTIAL",
      `${name} must be a function (params) => Promise<{ accessToken }>`,
    );
  }
  const timeoutMs = flow === "human" ? HUMAN_CALLBACK_TIMEOUT_MS : MACHINE_CALLBACK_TIMEOUT_MS;
  return { flow, callback: value as OidcCallback, name, timeoutMs };
}

function environmentCallback(name: unknown, env: RuntimeEnv, endpoints: EnvironmentEndpoints): OidcCallback {
  const http = { fetch: env.fetch, timeoutMs: endpoints.timeoutMs };
  switch (name) {
    case "azure":
      return createAzureCallback({ ...http, endpoint: endpoints.azure });
    case "gcp":
      return createGcpCallback({ ...http, endpoint: endpoints.gcp });
    case "k8s":
      return createK8sCallback({ env });
    case "test":
      return createTestCallback({ env });
    default:
      throw new MongoAuthError(
        "INVALID_CREDENTIAL",
        `MONGODB-OIDC ENVIRONMENT must be one of ${OIDC_ENVIRONMENTS.join(", ")} (got '${String(name)}')`,
      );
  }
}
