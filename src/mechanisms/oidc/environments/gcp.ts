/**
 * The GCP environment (`ENVIRONMENT:gcp`): an identity token for `TOKEN_RESOURCE` from the Compute
 * Engine metadata server, for the instance's (or GKE workload's) service account.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
import { tokenResourceMissing } from "../../../credential/oidc.ts";
import type { FetchLike } from "../../../core/runtime-env.ts";
import type {
  OidcCallback,
  OidcCallbackParams,
  OidcCallbackResult,
} from "../../../credential/oidc-callback.ts";
import { getMetadata, METADATA_CALLBACK_OPTION_CHECKS } from "./metadata-request.ts";
import { checkMilliseconds, checkOptions } from "../../../core/options.ts";

/** The GCP metadata server. */
export const GCP_METADATA_ENDPOINT = "http://metadata";

/**
 * Options of {@link createGcpCallback}.
 *
 * @example The audience of the identity token
 * ```ts
 * import assert from "node:assert/strict";
 * import { createGcpCallback, type GcpCallbackOptions } from "@mongo-auth/core";
 *
 * const options: GcpCallbackOptions = { tokenResource: "mongodb", timeoutMs: 5_000 };
 * assert.equal(typeof createGcpCallback(options), "function");
 * ```
 */
export interface GcpCallbackOptions {
  /** Base URL of the metadata server. Default {@link GCP_METADATA_ENDPOINT}; tests use a loopback fake. */
  readonly endpoint?: string;
  /** `fetch`. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Time the server gets to answer, in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** The audience when the caller passes no `tokenAudience` (the driver passes `TOKEN_RESOURCE`). */
  readonly tokenResource?: string;
}

/**
 * A callback that gets an identity token from the GCP metadata server:
 * `GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=<TOKEN_RESOURCE>` with
 * `Metadata-Flavor: Google`; the body is the token. Works as the official `mongodb` driver's
 * `OIDC_CALLBACK` too.
 *
 * @param options endpoint, fetch, timeout, default audience
 * @returns the callback
 * @throws {MongoAuthError} (from the callback) `INVALID_CREDENTIAL` without an audience;
 *   `CREDENTIAL_PROVIDER_ERROR` when the metadata server fails or sends an empty body; (at once)
 *   `INVALID_OPTION` for an option of the wrong type
 *
 * @example Against a stand-in for the metadata server
 * ```ts
 * import assert from "node:assert/strict";
 * import { createGcpCallback } from "@mongo-auth/core";
 *
 * const fetch = async (_input: string | URL | Request, init?: RequestInit) => {
 *   assert.equal(new Headers(init?.headers).get("metadata-flavor"), "Google");
 *   return new Response("eyJ.a.b");
 * };
 * const callback = createGcpCallback({ endpoint: "http://127.0.0.1:9", fetch, tokenResource: "mongo" });
 * const result = await callback({ version: 1, timeoutContext: new AbortController().signal });
 * assert.equal(result.accessToken, "eyJ.a.b");
 * ```
 */
export function createGcpCallback(given?: GcpCallbackOptions): OidcCallback {
  const options = checkOptions(given, "createGcpCallback()", METADATA_CALLBACK_OPTION_CHECKS);
  checkMilliseconds(options.timeoutMs, "timeoutMs", "createGcpCallback()");
  return async (params: OidcCallbackParams): Promise<OidcCallbackResult> => {
    const audience = params.tokenAudience ?? options.tokenResource;
    if (!audience) throw tokenResourceMissing("gcp");
    const body = await getMetadata({
      source: "GCP metadata server",
      endpoint: options.endpoint ?? GCP_METADATA_ENDPOINT,
      path: "/computeMetadata/v1/instance/service-accounts/default/identity",
      query: { audience },
      headers: { "Metadata-Flavor": "Google" },
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      signal: params.timeoutContext,
    });
    const accessToken = body.trim();
    if (accessToken.length === 0) {
      throw new MongoAuthError(
        "CREDENTIAL_PROVIDER_ERROR",
        "GCP metadata server answered 200 with an empty body",
      );
    }
    return { accessToken };
  };
}
