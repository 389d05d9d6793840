/**
 * Every HTTP request of the human sign-in goes through {@link idpRequestOptions}: one timeout per
 * request, the sign-in's cancellation, plain `http` only on this machine, and failures that say the
 * identity provider could not be reached.
 *
 * @module
 */
import { allowInsecureRequests, customFetch, type CustomFetchOptions } from "oauth4webapi";
import { abortError } from "../../abort.ts";
import { MongoAuthError } from "../../errors.ts";
import type { FetchLike } from "../../runtime-env.ts";
import { readBounded } from "../../read-bounded.ts";

/** How long one request to the identity provider may take (headers and body), by default. */
export const IDP_REQUEST_TIMEOUT_MS = 10_000;

/** Identity provider answers larger than this are refused (discovery documents are a few KB). */
export const MAX_IDP_RESPONSE_BYTES = 1_048_576;

/** What {@link idpRequestOptions} needs. */
export interface IdpHttpSettings {
  /** `fetch`. */
  readonly fetch: FetchLike;
  /** The sign-in's signal (the caller's cancellation and the sign-in's own time budget). */
  readonly signal: AbortSignal;
  /** Time per request in milliseconds. */
  readonly timeoutMs: number;
}

/** The request options every oauth4webapi call of a sign-in gets (they fit each call's options type). */
export interface IdpRequestOptions {
  /** See {@link idpFetch}. */
  readonly [customFetch]: (url: string, options: CustomFetchOptions<string, unknown>) => Promise<Response>;
  /** Checked by {@link idpFetch} instead: plain http only to this machine. */
  readonly [allowInsecureRequests]: boolean;
}

/**
 * True for the hosts that are this machine: `127.0.0.0/8`, `[::1]` and `localhost`.
 *
 * @param hostname a URL's `hostname`
 * @returns whether it is a loopback host
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopbackHost } from "./idp-http.ts";
 *
 * assert.equal(isLoopbackHost("127.0.0.1"), true);
 * assert.equal(isLoopbackHost("[::1]"), true);
 * assert.equal(isLoopbackHost("idp.example.com"), false);
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The oauth4webapi request options for one sign-in: a `fetch` that applies the settings, and plain
 * `http` allowed, because {@link idpFetch} itself refuses it for any host but this machine's (an
 * identity provider on loopback is a development setup; nothing it is sent leaves the machine).
 *
 * @param settings fetch, signal, per-request timeout
 * @returns options to pass to every oauth4webapi request function
 */
export function idpRequestOptions(settings: IdpHttpSettings): IdpRequestOptions {
  return { [customFetch]: idpFetch(settings), [allowInsecureRequests]: true };
}

/**
 * A `fetch` for identity provider requests: refuses `http` to a host that is not loopback, reads the
 * whole body within the request's time (so the timer is released before oauth4webapi sees the
 * response), caps its size, and turns failures into `OIDC_IDP_UNREACHABLE` (or the sign-in's own
 * `ABORTED`/`TIMEOUT`).
 *
 * @param settings fetch, signal, per-request timeout
 * @returns the fetch
 */
export function idpFetch(
  settings: IdpHttpSettings,
): (url: string, options: CustomFetchOptions<string, unknown>) => Promise<Response> {
  const { fetch, signal, timeoutMs } = settings;
  return async (url, options) => {
    const target = new URL(url);
    if (target.protocol !== "https:" && !(target.protocol === "http:" && isLoopbackHost(target.hostname))) {
      throw new MongoAuthError(
        "OIDC_DISCOVERY_FAILED",
        `the identity provider's configuration names ${target.origin}, which is not https: ` +
          "refusing to send sign-in requests over plain http to another machine; fix the identity provider's " +
          "issuer or endpoints to use https",
      );
    }
    if (signal.aborted) throw abortError(signal, "the OIDC sign-in");
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await fetch(url, {
        ...options,
        body: options.body as BodyInit,
        signal: controller.signal,
      });
      const body = await readBounded(response, MAX_IDP_RESPONSE_BYTES, () =>
        new MongoAuthError(
          "CREDENTIAL_PROVIDER_ERROR",
          `the identity provider sent more than ${MAX_IDP_RESPONSE_BYTES} bytes in one answer: it is not an ` +
            "OpenID Connect provider, or it misbehaves; check the issuer the cluster names",
        ));
      return new Response(body.byteLength > 0 ? body.buffer as ArrayBuffer : null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (error instanceof MongoAuthError) throw error;
      if (signal.aborted) throw abortError(signal, "the OIDC sign-in");
      const why = timedOut
        ? `did not answer within ${timeoutMs} ms`
        : `could not be reached (${describe(error)})`;
      throw new MongoAuthError(
        "OIDC_IDP_UNREACHABLE",
        `the identity provider at ${target.origin} ${why}: check the network (proxy, VPN, firewall) and that ` +
          "the issuer the cluster names is right, then sign in again",
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === "string") return cause.code;
  return error instanceof Error ? error.message : String(error);
}
