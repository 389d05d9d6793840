/**
 * One HTTP GET to a cloud metadata endpoint (Azure IMDS, GCP metadata server) through the one HTTP
 * helper (`core/http.ts`): failures are `CREDENTIAL_PROVIDER_ERROR`s that name the endpoint, and a body
 * shown in a message is a redacted excerpt.
 *
 * @module
 */
import { type HttpRequest, httpRequest, statusError } from "../../../core/http.ts";
import type { FetchLike } from "../../../core/runtime-env.ts";
import { IS, optionChecks } from "../../../core/options.ts";

/** The option checks of the Azure and GCP callbacks (`checkOptions`), which share this request. */
export const METADATA_CALLBACK_OPTION_CHECKS = optionChecks({
  // Checked here, so that a typo fails where the callback is made, not when the driver first calls it.
  endpoint: [
    (v) => typeof v === "string" && URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
    "an http or https URL (like http://169.254.169.254)",
  ],
  fetch: IS.function,
  timeoutMs: IS.number,
  tokenResource: IS.string,
});

/** Default time a metadata endpoint gets to answer. They answer in milliseconds when present. */
export const METADATA_TIMEOUT_MS = 10_000;

/** A request to a metadata endpoint. */
export interface MetadataRequest {
  /** The source's name for messages, e.g. `"Azure IMDS"`. */
  readonly source: string;
  /** The endpoint's base URL (`http://169.254.169.254`; tests: a loopback fake), with or without a trailing `/`. */
  readonly endpoint: string;
  /** The path below the base URL. */
  readonly path: string;
  /** Query parameters; an `undefined` one is left out. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Request headers (`Metadata: true`, `Metadata-Flavor: Google`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The `fetch` to use. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Time budget in milliseconds. Default {@link METADATA_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Cancellation from the caller (the callback's `timeoutContext`). */
  readonly signal?: AbortSignal;
}

/**
 * GETs `endpoint` + `path` + `query` and returns the body of a 200 reply.
 *
 * @param request the endpoint, headers, fetch, time budget and cancellation
 * @returns the response body as text
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the endpoint is unreachable, too slow, or
 *   answers other than 200 (the message has the status and a redacted body excerpt); `ABORTED` when
 *   `request.signal` fired (`TIMEOUT` when it was the caller's own timeout)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getMetadata } from "./metadata-request.ts";
 *
 * const fetch = async () => new Response("forbidden", { status: 403 });
 * await assert.rejects(
 *   getMetadata({ source: "GCP metadata", endpoint: "http://127.0.0.1:1/", path: "/x", headers: {}, fetch }),
 *   { code: "CREDENTIAL_PROVIDER_ERROR", message: "GCP metadata (http://127.0.0.1:1/x) answered HTTP 403: forbidden" },
 * );
 * ```
 */
export async function getMetadata(request: MetadataRequest): Promise<string> {
  const { source, endpoint, path, query = {} } = request;
  const url = new URL(endpoint.replace(/\/+$/, "") + path);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  const http: HttpRequest = {
    what: `${source} (${url.origin}${url.pathname})`,
    url,
    headers: request.headers,
    fetch: request.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: request.timeoutMs ?? METADATA_TIMEOUT_MS,
    signal: request.signal,
    failure: "CREDENTIAL_PROVIDER_ERROR",
  };
  const response = await httpRequest(http);
  if (response.status !== 200) throw statusError(response, http);
  return response.text;
}
