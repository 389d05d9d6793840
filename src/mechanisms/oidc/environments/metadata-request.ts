/**
 * One HTTP GET to a cloud metadata endpoint (Azure IMDS, GCP metadata server), with a timeout, the
 * caller's cancellation, and errors that say which source failed and why without echoing a token.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
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

// Anything that looks like a credential: JWTs, JSON token fields, long opaque runs.
const TOKENISH = [
  /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?/g,
  /("?(?:access|refresh|id)_?token"?\s*[:=]\s*)"?[^"\s,}]+"?/gi,
  /[A-Za-z0-9+/_=-]{24,}/g,
];
const EXCERPT_LENGTH = 200;

/**
 * A short, printable excerpt of a response body with anything token-like replaced by `[redacted]`.
 *
 * @param body the response body
 * @returns at most about 200 characters, safe for an error message
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactedExcerpt } from "./metadata-request.ts";
 *
 * assert.equal(redactedExcerpt('{"error":"bad","access_token":"abc"}'), '{"error":"bad","access_token":[redacted]}');
 * assert.equal(redactedExcerpt("token eyJhbGciOi.eyJzdWIi.c2ln"), "token [redacted]");
 * ```
 */
export function redactedExcerpt(body: string): string {
  let text = body;
  text = text.replace(TOKENISH[0], "[redacted]");
  text = text.replace(TOKENISH[1], "$1[redacted]");
  text = text.replace(TOKENISH[2], "[redacted]");
  text = text.replace(/\s+/g, " ").trim();
  return text.length > EXCERPT_LENGTH ? text.slice(0, EXCERPT_LENGTH) + "…" : text;
}

/**
 * GETs `request.url` and returns the body of a 200 reply.
 *
 * @param request the endpoint, headers, fetch, time budget and cancellation
 * @returns the response body as text
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the endpoint is unreachable, too slow, or
 *   answers other than 200 (the message has the status and a redacted body excerpt); `ABORTED` when
 *   `request.signal` fired
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
  const { source, url, headers, fetch, timeoutMs, signal } = request;
  const where = `${source} (${url.origin}${url.pathname})`;
  if (signal?.aborted) throw new MongoAuthError("ABORTED", `${where}: request cancelled`);
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { method: "GET", headers, signal: combined, redirect: "error" });
    body = await response.text();
  } catch (error) {
    if (signal?.aborted) throw new MongoAuthError("ABORTED", `${where}: request cancelled`, { cause: error });
    const why = timeout.aborted
      ? `did not answer within ${timeoutMs} ms`
      : `is unreachable: ${describe(error)}`;
    throw new MongoAuthError("CREDENTIAL_PROVIDER_ERROR", `${where} ${why}`, { cause: error });
  }
  if (response.status !== 200) {
    throw new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `${where} answered HTTP ${response.status}: ${redactedExcerpt(body) || "(empty body)"}`,
    );
  }
  return body;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactedExcerpt(message);
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
