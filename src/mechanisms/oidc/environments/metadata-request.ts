/**
 * One HTTP GET to a cloud metadata endpoint (Azure IMDS, GCP metadata server) through the one HTTP
 * helper (`core/http.ts`): failures are `CREDENTIAL_PROVIDER_ERROR`s that name the endpoint, and a body
 * shown in a message is a redacted excerpt.
 *
 * @module
 */
import { type HttpRequest, httpRequest, statusError } from "../../../core/http.ts";
import type { FetchLike } from "../../../core/runtime-env.ts";

/** Default time a metadata endpoint gets to answer. They answer in milliseconds when present. */
export const METADATA_TIMEOUT_MS = 10_000;

/** A request to a metadata endpoint. */
export interface MetadataRequest {
  /** The source's name for messages, e.g. `"Azure IMDS"`. */
  readonly source: string;
  /** The full URL. */
  readonly url: URL;
  /** Request headers (`Metadata: true`, `Metadata-Flavor: Google`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The `fetch` to use. */
  readonly fetch: FetchLike;
  /** Time budget in milliseconds. */
  readonly timeoutMs: number;
  /** Cancellation from the caller (the callback's `timeoutContext`). */
  readonly signal?: AbortSignal;
}

/**
 * GETs `request.url` and returns the body of a 200 reply.
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
 *   getMetadata({ source: "GCP metadata", url: new URL("http://127.0.0.1:1/x"), headers: {}, fetch, timeoutMs: 1000 }),
 *   { code: "CREDENTIAL_PROVIDER_ERROR", message: /GCP metadata .*HTTP 403: forbidden/ },
 * );
 * ```
 */
export async function getMetadata(request: MetadataRequest): Promise<string> {
  const { source, url } = request;
  const http: HttpRequest = {
    ...request,
    what: `${source} (${url.origin}${url.pathname})`,
    failure: "CREDENTIAL_PROVIDER_ERROR",
  };
  const response = await httpRequest(http);
  if (response.status !== 200) throw statusError(response, http);
  return response.text;
}

/**
 * A base URL without its trailing slashes, so paths can be appended to it.
 *
 * @param base a base URL such as `http://127.0.0.1:8080/` or `http://host/prefix`
 * @returns the same URL text without trailing `/`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutTrailingSlash } from "./metadata-request.ts";
 *
 * assert.equal(withoutTrailingSlash("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
 * ```
 */
export function withoutTrailingSlash(base: string): string {
  return base.replace(/\/+$/, "");
}
