/**
 * The Azure environment (`ENVIRONMENT:azure`): an access token for `TOKEN_RESOURCE` from the Azure
 * Instance Metadata Service, for the VM's or app's managed identity.
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

/** The Azure Instance Metadata Service. */
export const AZURE_IMDS_ENDPOINT = "http://169.254.169.254";

/**
 * Options of {@link createAzureCallback}.
 *
 * @example The audience and a user-assigned identity's endpoint
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AzureCallbackOptions, createAzureCallback } from "@mongo-auth/core";
 *
 * const options: AzureCallbackOptions = { tokenResource: "api://mongodb", timeoutMs: 5_000 };
 * assert.equal(typeof createAzureCallback(options), "function");
 * ```
 */
export interface AzureCallbackOptions {
  /** Base URL of the metadata service. Default {@link AZURE_IMDS_ENDPOINT}; tests use a loopback fake. */
  readonly endpoint?: string;
  /** `fetch`. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Time the endpoint gets to answer, in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** The audience when the caller passes no `tokenAudience` (the driver passes `TOKEN_RESOURCE`). */
  readonly tokenResource?: string;
}

/**
 * A callback that gets an access token from Azure IMDS:
 * `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=<TOKEN_RESOURCE>[&client_id=<username>]`
 * with `Metadata: true`. The credential's username, when set, picks a user-assigned managed identity
 * by its client ID. Works as the official `mongodb` driver's `OIDC_CALLBACK` too.
 *
 * @param options endpoint, fetch, timeout, default audience
 * @returns the callback
 * @throws {MongoAuthError} (from the callback) `INVALID_CREDENTIAL` without an audience;
 *   `CREDENTIAL_PROVIDER_ERROR` when IMDS fails or answers without `access_token`/`expires_in`; (at once)
 *   `INVALID_OPTION` for an option of the wrong type
 *
 * @example Against a stand-in for IMDS
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAzureCallback } from "@mongo-auth/core";
 *
 * const fetch = async (input: string | URL | Request) => {
 *   assert.equal(new URL(String(input)).searchParams.get("resource"), "api://mongo");
 *   return Response.json({ access_token: "eyJ.a.b", expires_in: "3599" });
 * };
 * const callback = createAzureCallback({ endpoint: "http://127.0.0.1:9", fetch });
 * const result = await callback({ version: 1, timeoutContext: new AbortController().signal, tokenAudience: "api://mongo" });
 * assert.deepEqual(result, { accessToken: "eyJ.a.b", expiresInSeconds: 3599 });
 * ```
 */
export function createAzureCallback(given?: AzureCallbackOptions): OidcCallback {
  const options = checkOptions(given, "createAzureCallback()", METADATA_CALLBACK_OPTION_CHECKS);
  checkMilliseconds(options.timeoutMs, "timeoutMs", "createAzureCallback()");
  return async (params: OidcCallbackParams): Promise<OidcCallbackResult> => {
    const resource = params.tokenAudience ?? options.tokenResource;
    if (!resource) throw tokenResourceMissing("azure");
    const body = await getMetadata({
      source: "Azure IMDS",
      endpoint: options.endpoint ?? AZURE_IMDS_ENDPOINT,
      path: "/metadata/identity/oauth2/token",
      query: { "api-version": "2018-02-01", resource, client_id: params.username || undefined },
      headers: { Metadata: "true", Accept: "application/json" },
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      signal: params.timeoutContext,
    });
    return parseAzureToken(body);
  };
}

function parseAzureToken(body: string): OidcCallbackResult {
  const fail = (what: string) =>
    new MongoAuthError("CREDENTIAL_PROVIDER_ERROR", `Azure IMDS answered 200 but ${what}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw fail("the body is not JSON");
  }
  const { access_token: accessToken, expires_in: expiresIn } = (json ?? {}) as Record<string, unknown>;
  if (typeof accessToken !== "string" || accessToken.length === 0) throw fail("without an access_token");
  // IMDS sends expires_in as a string of seconds.
  const expiresInSeconds = typeof expiresIn === "string" && /^\d+$/.test(expiresIn)
    ? Number(expiresIn)
    : expiresIn;
  if (typeof expiresInSeconds !== "number" || !Number.isFinite(expiresInSeconds) || expiresInSeconds < 0) {
    throw fail("without a valid expires_in");
  }
  return { accessToken, expiresInSeconds };
}
