/**
 * Where a MONGODB-OIDC credential gets its tokens: a built-in environment, `OIDC_CALLBACK`, or
 * `OIDC_HUMAN_CALLBACK`, chosen from the mechanism properties.
 *
 * @module
 */
import type { MongoCredential } from "../../credential/mongo-credential.ts";
import { type OidcEnvironment, oidcTokenOrigin } from "../../credential/oidc.ts";
import type { RuntimeEnv } from "../../core/runtime-env.ts";
import { createAzureCallback } from "./environments/azure.ts";
import {
  HUMAN_CALLBACK_TIMEOUT_MS,
  MACHINE_CALLBACK_TIMEOUT_MS,
  type OidcCallback,
} from "../../credential/oidc-callback.ts";
import { createGcpCallback } from "./environments/gcp.ts";
import { createK8sCallback } from "./environments/k8s.ts";
import { createTestCallback } from "./environments/oidc-token-file.ts";

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

/**
 * The callback of a credential and how to run it: its own (`OIDC_CALLBACK`, `OIDC_HUMAN_CALLBACK`), or
 * the built-in `ENVIRONMENT`'s. The credential's rules (`credential/oidc.ts`) already made sure there is
 * exactly one.
 *
 * @param credential the MONGODB-OIDC credential, validated
 * @param env fetch, environment variables and files for the built-in environments
 * @param endpoints where the built-in environments' endpoints are
 * @returns the source
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential, runtimeEnv } from "@mongo-auth/core";
 * import { tokenSourceOf } from "./token-source.ts";
 *
 * const credential = parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s")!;
 * assert.equal(tokenSourceOf(credential, runtimeEnv()).name, "ENVIRONMENT:k8s");
 * ```
 */
export function tokenSourceOf(
  credential: MongoCredential,
  env: RuntimeEnv,
  endpoints: EnvironmentEndpoints = {},
): TokenSource {
  const origin = oidcTokenOrigin(credential);
  if ("callback" in origin) {
    const { callback, flow } = origin;
    const name = flow === "human" ? "OIDC_HUMAN_CALLBACK" : "OIDC_CALLBACK";
    const timeoutMs = flow === "human" ? HUMAN_CALLBACK_TIMEOUT_MS : MACHINE_CALLBACK_TIMEOUT_MS;
    return { flow, callback, name, timeoutMs };
  }
  return {
    flow: "machine",
    callback: environmentCallback(origin.environment, env, endpoints),
    name: `ENVIRONMENT:${origin.environment}`,
    timeoutMs: MACHINE_CALLBACK_TIMEOUT_MS,
  };
}

function environmentCallback(
  environment: OidcEnvironment,
  env: RuntimeEnv,
  endpoints: EnvironmentEndpoints,
): OidcCallback {
  const http = { fetch: env.fetch, timeoutMs: endpoints.timeoutMs };
  switch (environment) {
    case "azure":
      return createAzureCallback({ ...http, endpoint: endpoints.azure });
    case "gcp":
      return createGcpCallback({ ...http, endpoint: endpoints.gcp });
    case "k8s":
      return createK8sCallback({ env });
    case "test":
      return createTestCallback({ env });
  }
}
