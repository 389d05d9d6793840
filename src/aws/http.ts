/**
 * Every HTTP call of the AWS credential sources: through the injected `fetch`, with a timeout and the
 * caller's `AbortSignal`, and with failures worded as `CREDENTIAL_PROVIDER_ERROR`s that name the
 * source and the HTTP status but never echo a request's secrets.
 *
 * @module
 */
import { MongoAuthError } from "../errors.ts";
import type { RuntimeEnv } from "../runtime-env.ts";
import { awsSourceError } from "./provider-error.ts";

/** The MongoDB auth spec asks for a 10 second read timeout on the ECS and EC2 endpoints; STS gets the same. */
export const DEFAULT_AWS_HTTP_TIMEOUT_MS = 10_000;

/** How one HTTP call is made. */
export interface AwsHttpOptions {
  /** The source's name for messages, e.g. "the ECS endpoint". */
  readonly source: string;
  /** The caller's signal; aborting it aborts the call. */
  readonly signal?: AbortSignal;
  /** Milliseconds before the call is given up. */
  readonly timeoutMs?: number;
}

/** A response whose body has been read. */
export interface AwsHttpResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The body as text. */
  readonly body: string;
  /** `content-type`, lower-cased, or "". */
  readonly contentType: string;
}

/**
 * Sends one request and reads the whole body, under a timeout.
 *
 * @param env where `fetch` comes from
 * @param url the URL (never holds a secret: tokens go in headers or the body)
 * @param init method, headers, body
 * @param options source name, signal, timeout
 * @returns status and body; any status (the caller decides what is an error)
 * @throws {MongoAuthError} `ABORTED` when the caller's signal fired, `CREDENTIAL_PROVIDER_ERROR` on a
 *   timeout or network failure
 */
export async function awsHttp(
  env: RuntimeEnv,
  url: string,
  init: { method: string; headers?: Record<string, string> | Headers; body?: string },
  options: AwsHttpOptions,
): Promise<AwsHttpResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AWS_HTTP_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await env.fetch(url, { ...init, signal, redirect: "error" });
    const body = await response.text();
    return {
      status: response.status,
      body,
      contentType: (response.headers.get("content-type") ?? "").toLowerCase(),
    };
  } catch (err) {
    if (options.signal?.aborted) {
      throw new MongoAuthError("ABORTED", `MONGODB-AWS: ${options.source}: the request was aborted`, {
        cause: options.signal.reason,
      });
    }
    if (timeout.aborted) {
      throw awsSourceError(options.source, `no answer within ${timeoutMs} ms from ${safeUrl(url)}`);
    }
    throw awsSourceError(options.source, `request to ${safeUrl(url)} failed (${networkReason(err)})`, err);
  }
}

// Node's fetch says only "fetch failed" and keeps the reason (ECONNREFUSED, …) in `cause`; Deno says
// it outright (including a missing --allow-net). One line, from the network layer: no secret in it.
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const reason = typeof cause?.code === "string"
    ? cause.code
    : typeof cause?.message === "string"
    ? cause.message
    : String((err as Error)?.message ?? err);
  return reason.replace(/[\r\n]+/g, " ").slice(0, 200);
}

/**
 * Throws unless the status is 2xx. STS error codes (`<Code>`) are named; bodies are not echoed,
 * since an error body may repeat what was sent.
 *
 * @param response the response
 * @param source the source's name
 * @param url the URL called, for the message
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` naming the source and status
 */
export function expectOk(response: AwsHttpResponse, source: string, url: string): void {
  if (response.status >= 200 && response.status < 300) return;
  const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(response.body)?.[1] ??
    /"(?:Code|__type)"\s*:\s*"([A-Za-z0-9.#:]{1,64})"/.exec(response.body)?.[1];
  throw awsSourceError(
    source,
    `${safeUrl(url)} answered HTTP ${response.status}${code ? ` (${code})` : ""}`,
  );
}

/** The URL without user info, query or fragment: what is safe to print. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "an invalid URL";
  }
}
