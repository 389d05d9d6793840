/**
 * The human sign-in's requests to the identity provider: oauth4webapi makes them, through a `fetch` that
 * is the one HTTP helper (`core/http.ts`: a timeout per request on top of the sign-in's signal, no
 * redirect followed, a bounded body) with the sign-in's own rules on top: plain `http` only to this
 * machine, and failures that say the identity provider could not be reached and what to check.
 *
 * @module
 */
import { allowInsecureRequests, customFetch, type CustomFetchOptions } from "oauth4webapi";
import { httpRequest, isLoopbackHost } from "../../../core/http.ts";
import { MongoAuthError } from "../../../core/errors.ts";
import type { FetchLike } from "../../../core/runtime-env.ts";

/** How long one request to the identity provider may take (headers and body), by default. */
export const IDP_REQUEST_TIMEOUT_MS = 10_000;

/** Identity provider answers larger than this are refused (discovery documents are a few KB). */
export const MAX_IDP_RESPONSE_BYTES = 1_048_576;

// What the token and device endpoints are sent that must never be shown, even in a network error.
const SECRET_FIELDS = ["code", "code_verifier", "refresh_token", "device_code"];

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
 * Whether the sign-in may talk to `url`: `https`, or plain `http` to this machine.
 *
 * @param url an issuer or endpoint URL
 * @returns true when it is allowed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAllowedIdpUrl } from "./idp-http.ts";
 *
 * assert.equal(isAllowedIdpUrl(new URL("https://idp.example.com")), true);
 * assert.equal(isAllowedIdpUrl(new URL("http://127.0.0.1:9000")), true);
 * assert.equal(isAllowedIdpUrl(new URL("http://idp.example.com")), false);
 * ```
 */
export function isAllowedIdpUrl(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}

/**
 * A `fetch` for identity provider requests: refuses `http` to a host that is not loopback, then sends
 * the request through the one HTTP helper, which reads the whole body within the request's time (so
 * its timer is done with before oauth4webapi sees the response) and caps its size. Failures are
 * `OIDC_IDP_UNREACHABLE` (network, timeout), `CREDENTIAL_PROVIDER_ERROR` (an oversized answer), or the
 * sign-in's own `ABORTED`/`TIMEOUT`.
 *
 * @param settings fetch, signal, per-request timeout
 * @returns the fetch
 */
export function idpFetch(
  settings: IdpHttpSettings,
): (url: string, options: CustomFetchOptions<string, unknown>) => Promise<Response> {
  return async (url, options) => {
    const target = new URL(url);
    if (!isAllowedIdpUrl(target)) {
      throw new MongoAuthError(
        "OIDC_DISCOVERY_FAILED",
        `the identity provider's configuration names ${target.origin}, which is not https: ` +
          "refusing to send sign-in requests over plain http to another machine; fix the identity provider's " +
          "issuer or endpoints to use https",
      );
    }
    const body = options.body === undefined || options.body === null ? undefined : String(options.body);
    const response = await httpRequest({
      what: `the identity provider at ${target.origin}`,
      url,
      method: options.method,
      headers: options.headers,
      body,
      secrets: body === undefined
        ? []
        : SECRET_FIELDS.map((name) => new URLSearchParams(body).get(name) ?? ""),
      fetch: settings.fetch,
      timeoutMs: settings.timeoutMs,
      signal: settings.signal,
      failure: "CREDENTIAL_PROVIDER_ERROR",
      unreachableFailure: "OIDC_IDP_UNREACHABLE",
      remedy:
        "check that the issuer the cluster names is right and that the network (proxy, VPN, firewall) " +
        "lets its answers through, then sign in again",
      maxBodyBytes: MAX_IDP_RESPONSE_BYTES,
    });
    return new Response(response.bytes.byteLength > 0 ? response.bytes.slice().buffer : null, {
      status: response.status,
      headers: response.headers,
    });
  };
}
