/**
 * Every HTTP request of mongo-auth (AWS credential sources and STS, the OIDC environments' metadata
 * endpoints, DNS-over-HTTPS, the OIDC sign-in's identity provider) goes through {@link httpRequest}: the injected `fetch`, a timeout on top of
 * the caller's signal, no redirect followed, a bounded body, and errors that follow two rules.
 *
 * - A timeout or the caller's abort: the caller's signal is looked at first, so its abort is reported by
 *   {@link abortError}'s rule (`ABORTED`, or `TIMEOUT` when the caller's own budget ran out); only
 *   then is it this request's own timeout, reported with the request's failure code ("did not answer
 *   within N ms").
 * - A response body in an error message is an excerpt of at most 200 characters with everything that
 *   looks like a credential replaced by `[redacted]`, and so is every secret the request itself carried
 *   (its {@link HttpRequest.secrets}): an error body that echoes the request never shows its token.
 *
 * @module
 */
import { abortError, withTimeout } from "./abort.ts";
import { MongoAuthError, type MongoAuthErrorCode } from "./errors.ts";
import type { FetchLike } from "./runtime-env.ts";
import { readBounded } from "./read-bounded.ts";

/** The most bytes of a response body read when the request does not say. */
const DEFAULT_MAX_BODY_BYTES = 1_000_000;
const EXCERPT_LENGTH = 200;
// Anything that looks like a credential: JWTs, JSON or form token fields, long opaque runs.
const TOKENISH: readonly [RegExp, string][] = [
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?/g, "[redacted]"],
  // The value of any field named like a secret, in JSON or a form (`"SecretAccessKey": "…"`, `Token=…`),
  // and in XML (`<SessionToken>…`): an error answer may carry credentials however short they are.
  [
    /("?[\w-]*(?:secret|token|password)[\w-]*"?\s*[:=]\s*)(?:"(?:[^"\\]|\\.)*"?|[^\s,;&}<"]+)/gi,
    "$1[redacted]",
  ],
  [/(<[\w-]*(?:secret|token|password)[\w-]*>)[^<]*/gi, "$1[redacted]"],
  [/[A-Za-z0-9+/_=-]{24,}/g, "[redacted]"],
];

/** One request. */
export interface HttpRequest {
  /** Names the endpoint in messages, e.g. `"Azure IMDS (http://169.254.169.254/metadata/…)"`; no secret. */
  readonly what: string;
  /** The URL. Never holds a secret: tokens go in headers or the body. */
  readonly url: string | URL;
  /** Default `GET`. */
  readonly method?: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>> | Headers;
  /** A form or text body. */
  readonly body?: string;
  /** What the request carries that must never be shown (a token in a header or the body). */
  readonly secrets?: readonly (string | undefined)[];
  /** The `fetch` to use. */
  readonly fetch: FetchLike;
  /** Milliseconds for the whole request, body included; 0 (or less): none beyond the caller's signal. */
  readonly timeoutMs: number;
  /** The caller's signal. */
  readonly signal?: AbortSignal;
  /** The code of a network failure, a bad status, an oversized body, and of this request's own timeout. */
  readonly failure: MongoAuthErrorCode;
  /**
   * The code of a network failure and of this request's own timeout, when it is not {@link failure}
   * (the OIDC sign-in: an identity provider it cannot reach is not one that answers wrongly).
   */
  readonly unreachableFailure?: MongoAuthErrorCode;
  /** The code of this request's own timeout, when it is neither {@link unreachableFailure} nor {@link failure}. */
  readonly timeoutFailure?: MongoAuthErrorCode;
  /**
   * What to do, appended to the message of a network failure, a timeout of its own and an oversized
   * body (`<what> did not answer within N ms; <remedy>`).
   */
  readonly remedy?: string;
  /** The most bytes of body read. Default 1 000 000. */
  readonly maxBodyBytes?: number;
}

/** A response whose body has been read. */
export interface HttpResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** The body. */
  readonly bytes: Uint8Array;
  /** The body as UTF-8 text. */
  readonly text: string;
}

/**
 * Sends one request and reads the whole body, bounded in time and size. Any status is returned: the
 * caller decides what is an error (see {@link statusError}).
 *
 * @param request the endpoint, the request, fetch, time budget, signal and failure code
 * @returns the status, headers and body
 * @throws {MongoAuthError} by {@link abortError}'s rule when the caller's signal fires; `request.failure`
 *   (or `request.timeoutFailure`) when the request's own timeout passes; `request.failure` when the
 *   endpoint is unreachable or the body is larger than `maxBodyBytes`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpRequest } from "./http.ts";
 *
 * const fetch = async () => new Response("ok");
 * const response = await httpRequest({
 *   what: "a stand-in",
 *   url: "http://127.0.0.1:9/",
 *   fetch,
 *   timeoutMs: 1000,
 *   failure: "CREDENTIAL_PROVIDER_ERROR",
 * });
 * assert.equal(response.text, "ok");
 * ```
 */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const { what, fetch, timeoutMs, signal: caller } = request;
  const signal = withTimeout(caller, timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method ?? "GET",
      headers: request.headers,
      body: request.body,
      signal,
      // Never followed: a redirect is answered as what it is, a status the caller does not accept.
      // ("manual", since Cloudflare Workers refuse "error".)
      redirect: "manual",
    });
    const bytes = await readBody(response, request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, request);
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      text: new TextDecoder().decode(bytes),
    };
  } catch (err) {
    if (caller?.aborted) throw abortError(caller, what);
    const unreachable = request.unreachableFailure ?? request.failure;
    if (signal.aborted) {
      throw new MongoAuthError(
        request.timeoutFailure ?? unreachable,
        withRemedy(`${what} did not answer within ${timeoutMs} ms`, request),
        { cause: err },
      );
    }
    if (err instanceof MongoAuthError) throw err;
    throw new MongoAuthError(
      unreachable,
      withRemedy(`${what} is unreachable: ${networkReason(err, request)}`, request),
      { cause: err },
    );
  }
}

/**
 * The error for a response with a status the caller does not accept: the status, what the caller
 * makes of the body (an STS error code, say), and a redacted excerpt of the body.
 *
 * @param response the response
 * @param request the request it answers
 * @param detail a short reading of the body, e.g. `InvalidClientTokenId`
 * @returns `request.failure`, saying `<what> answered HTTP <status> (<detail>): <excerpt>`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpRequest, statusError } from "./http.ts";
 *
 * const request = {
 *   what: "GCP metadata",
 *   url: "http://127.0.0.1:9/x",
 *   headers: { Authorization: "s3cr3t" },
 *   secrets: ["s3cr3t"],
 *   fetch: async () => new Response("forbidden: s3cr3t", { status: 403 }),
 *   timeoutMs: 1000,
 *   failure: "CREDENTIAL_PROVIDER_ERROR" as const,
 * };
 * const err = statusError(await httpRequest(request), request);
 * assert.equal(err.message, "GCP metadata answered HTTP 403: forbidden: [redacted]");
 * ```
 */
export function statusError(response: HttpResponse, request: HttpRequest, detail?: string): MongoAuthError {
  const excerpt = redactedExcerpt(response.text, secretsOf(request)) || "(empty body)";
  return new MongoAuthError(
    request.failure,
    `${request.what} answered HTTP ${response.status}${detail ? ` (${detail})` : ""}: ${excerpt}`,
  );
}

/**
 * A short, printable excerpt of a response body: everything token-like, and each of `secrets`, replaced
 * by `[redacted]`; whitespace folded; at most about 200 characters.
 *
 * @param body the response body
 * @param secrets values never to be shown (what the request carried)
 * @returns the excerpt, safe for an error message
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactedExcerpt } from "./http.ts";
 *
 * assert.equal(redactedExcerpt('{"error":"bad","access_token":"abc"}'), '{"error":"bad","access_token":[redacted]}');
 * assert.equal(redactedExcerpt("token eyJhbGciOi.eyJzdWIi.c2ln"), "token [redacted]");
 * assert.equal(redactedExcerpt("bad key k3y", ["k3y"]), "bad key [redacted]");
 * ```
 */
export function redactedExcerpt(body: string, secrets: readonly string[] = []): string {
  let text = body;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== "") text = text.replaceAll(secret, "[redacted]");
  }
  for (const [pattern, replacement] of TOKENISH) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, " ").trim();
  return text.length > EXCERPT_LENGTH ? text.slice(0, EXCERPT_LENGTH) + "…" : text;
}

/**
 * A URL without user info, query or fragment: what is safe to print.
 *
 * @param url the URL
 * @returns `protocol//host/path`, or "an invalid URL"
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safeUrl } from "./http.ts";
 *
 * assert.equal(safeUrl("http://user:pw@127.0.0.1:8080/token?secret=1#x"), "http://127.0.0.1:8080/token");
 * ```
 */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "an invalid URL";
  }
}

/**
 * True for the host names that are this machine: `localhost`, `127.0.0.0/8` and `[::1]` (a URL's
 * `hostname`, brackets included). Plain `http` is acceptable only to them: nothing sent leaves the machine.
 *
 * @param hostname a URL's `hostname`
 * @returns whether it is a loopback host
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopbackHost } from "./http.ts";
 *
 * assert.equal(isLoopbackHost(new URL("http://127.0.0.1:8053/").hostname), true);
 * assert.equal(isLoopbackHost(new URL("http://[::1]/").hostname), true);
 * assert.equal(isLoopbackHost(new URL("http://idp.example.com/").hostname), false);
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(hostname);
}

function withRemedy(message: string, request: HttpRequest): string {
  return request.remedy ? `${message}; ${request.remedy}` : message;
}

// A secret as sent, as UTF-8 brings it back, and as a form body or a URL would encode it.
function secretsOf(request: HttpRequest): string[] {
  return (request.secrets ?? []).flatMap((secret) => {
    if (!secret) return [];
    const wellFormed = secret.replace(LONE_SURROGATE, "\ufffd");
    return [
      secret,
      wellFormed,
      encodeURIComponent(wellFormed),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ];
  });
}

// A half of a surrogate pair without its other half (a garbled token file): UTF-8 carries it as U+FFFD,
// and encodeURIComponent throws on it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

async function readBody(response: Response, maxBytes: number, request: HttpRequest): Promise<Uint8Array> {
  const tooLarge = () =>
    new MongoAuthError(
      request.failure,
      withRemedy(`${request.what}: the answer is larger than ${maxBytes} bytes`, request),
    );
  if (Number(response.headers.get("content-length") ?? "0") > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const bytes = await readBounded(response.body.getReader(), maxBytes);
  if (!bytes) throw tooLarge();
  return bytes;
}

// Node's fetch says only "fetch failed" and keeps the reason (ECONNREFUSED, …) in `cause`; Deno says
// it outright (including a missing --allow-net). One line, from the network layer, redacted.
function networkReason(err: unknown, request: HttpRequest): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const reason = typeof cause?.code === "string"
    ? cause.code
    : typeof cause?.message === "string"
    ? cause.message
    : String((err as Error)?.message ?? err);
  return redactedExcerpt(reason, secretsOf(request));
}
