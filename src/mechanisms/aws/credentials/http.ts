/**
 * How the AWS credential sources use the one HTTP helper (`core/http.ts`): the spec's 10 second
 * timeout, failures worded as `CREDENTIAL_PROVIDER_ERROR`s that name the source and the URL, and the
 * STS error code (`<Code>`) named beside the HTTP status.
 *
 * @module
 */
import { type HttpRequest, type HttpResponse, safeUrl, statusError } from "../../../core/http.ts";
import type { RuntimeEnv } from "../../../core/runtime-env.ts";

/** The MongoDB auth spec asks for a 10 second read timeout on the ECS and EC2 endpoints; STS gets the same. */
export const DEFAULT_AWS_HTTP_TIMEOUT_MS = 10_000;

/** How one request of a source is made. */
export interface AwsHttpOptions {
  /** The source's name for messages, e.g. "the ECS endpoint". */
  readonly source: string;
  /** The caller's signal; aborting it aborts the call. */
  readonly signal?: AbortSignal;
  /** Milliseconds before the call is given up. Default {@link DEFAULT_AWS_HTTP_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** What the request carries that an error body must never show (a token). */
  readonly secrets?: readonly (string | undefined)[];
}

/**
 * The request of one credential source.
 *
 * @param env where `fetch` comes from
 * @param url the URL (never holds a secret: tokens go in headers or the body)
 * @param init method, headers, body
 * @param options source name, signal, timeout, secrets
 * @returns the request for `httpRequest`
 */
export function awsRequest(
  env: RuntimeEnv,
  url: string,
  init: { method: string; headers?: Record<string, string> | Headers; body?: string },
  options: AwsHttpOptions,
): HttpRequest {
  return {
    what: `MONGODB-AWS: ${options.source}: ${safeUrl(url)}`,
    url,
    ...init,
    fetch: env.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_AWS_HTTP_TIMEOUT_MS,
    signal: options.signal,
    failure: "CREDENTIAL_PROVIDER_ERROR",
    secrets: options.secrets,
  };
}

/**
 * Throws unless the status is 2xx, naming the STS (or ECS) error code when the body has one.
 *
 * @param response the response
 * @param request the request it answers
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` naming the source, the URL and the status
 */
export function expectOk(response: HttpResponse, request: HttpRequest): void {
  if (response.status >= 200 && response.status < 300) return;
  const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(response.text)?.[1] ??
    /"(?:Code|code|__type)"\s*:\s*"([A-Za-z0-9.#:]{1,64})"/.exec(response.text)?.[1];
  throw statusError(response, request, code);
}
