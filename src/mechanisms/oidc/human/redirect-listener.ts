/**
 * The loopback redirect of the authorization code flow (RFC 8252 §7.3): the redirect URI's rules, and
 * what the sign-in needs from a runtime that can listen (`src/transport/` provides it per runtime).
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";

/**
 * The redirect URI the code flow uses unless told otherwise. Register it with your identity provider
 * for the client the cluster names (a "native" or "public" client). Port 27097 is the one MongoDB's
 * own tools use; identity providers that follow RFC 8252 accept any port for a loopback IP, so the
 * tests run on a free port with the same registration.
 *
 * @example The redirect URI to register
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_REDIRECT_URI } from "@mongo-auth/core";
 *
 * assert.equal(DEFAULT_REDIRECT_URI, "http://127.0.0.1:27097/redirect");
 * // Registered another one? createHumanCallback({ redirectUri: "http://localhost:27097/redirect" })
 * ```
 */
export const DEFAULT_REDIRECT_URI = "http://127.0.0.1:27097/redirect";

/** A request the loopback listener received. */
export interface LoopbackRequest {
  /** `GET`, usually. */
  readonly method: string;
  /** The full URL, query included. */
  readonly url: URL;
}

/** What the listener answers: an HTML page for the person's browser. */
export interface LoopbackResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The HTML body (sent as `text/html; charset=utf-8`). */
  readonly html: string;
}

/** What a {@link ListenLoopback} is asked to serve. */
export interface LoopbackListenOptions {
  /** The address: `"127.0.0.1"` or `"::1"`. */
  readonly hostname: string;
  /** The port; 0 picks a free one. */
  readonly port: number;
  /** Answers each request, synchronously. */
  readonly handle: (request: LoopbackRequest) => LoopbackResponse;
}

/** A listening loopback HTTP server. */
export interface LoopbackServer {
  /** The port it listens on (the one picked, when asked for 0). */
  readonly port: number;
  /** Stops listening and ends open connections; resolves once both are done. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on a loopback address. The runtime entry points (`@mongo-auth/core/deno`,
 * `@mongo-auth/core/node`) pass theirs; Workers cannot listen. Rejects with a `MongoAuthError` when the
 * port is taken.
 */
export type ListenLoopback = (options: LoopbackListenOptions) => Promise<LoopbackServer>;

/** A checked redirect URI: where to listen, and the URI to send for the port actually used. */
export interface RedirectTarget {
  /** The address to listen on. */
  readonly listenAddress: string;
  /** The port to listen on (0: any free one). */
  readonly port: number;
  /** The path the identity provider redirects to, e.g. `/redirect`. */
  readonly path: string;
  /**
   * The redirect URI for the port the listener got.
   * @param port the listening port
   */
  uriFor(port: number): string;
}

/**
 * Checks a redirect URI: `http`, a loopback host (`127.0.0.1`, `[::1]`, or `localhost`, which is
 * served on 127.0.0.1), no credentials, query or fragment.
 *
 * @param uri the redirect URI
 * @returns where to listen and how to spell the URI
 * @throws {MongoAuthError} `INVALID_OPTION` naming what is wrong
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRedirectUri } from "./redirect-listener.ts";
 *
 * const target = parseRedirectUri("http://127.0.0.1:0/callback");
 * assert.equal(target.listenAddress, "127.0.0.1");
 * assert.equal(target.uriFor(43210), "http://127.0.0.1:43210/callback");
 * assert.throws(() => parseRedirectUri("https://example.com/cb"), { code: "INVALID_OPTION" });
 * ```
 */
export function parseRedirectUri(uri: string): RedirectTarget {
  const fail = (why: string) =>
    new MongoAuthError(
      "INVALID_OPTION",
      `redirectUri ${
        JSON.stringify(uri)
      } ${why}: use http://127.0.0.1:<port>/<path> (RFC 8252 loopback redirect)`,
    );
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail("is not a URL");
  }
  if (url.protocol !== "http:") throw fail("is not http: the redirect goes to this machine");
  const listenAddress = { "127.0.0.1": "127.0.0.1", "[::1]": "::1", localhost: "127.0.0.1" }[url.hostname];
  if (listenAddress === undefined) throw fail("is not on a loopback address");
  if (url.username || url.password || url.search || url.hash) {
    throw fail("has credentials, a query or a fragment");
  }
  const port = url.port === "" ? 80 : Number(url.port);
  const path = url.pathname;
  return {
    listenAddress,
    port,
    path,
    uriFor: (actual) => `http://${url.hostname}:${actual}${path}`,
  };
}

/**
 * The page the person's browser shows after the redirect. Fixed texts only: nothing from the request
 * (code, state, error description) is echoed into it.
 *
 * @param outcome how the sign-in went
 * @returns the response
 */
export function redirectPage(outcome: "signed-in" | "failed" | "not-found" | "done"): LoopbackResponse {
  const [status, title, text] = {
    "signed-in": [
      200,
      "Signed in",
      "You are signed in. You can close this window and return to the application.",
    ],
    failed: [400, "Sign-in failed", "The sign-in did not complete. Return to the application to see why."],
    "not-found": [404, "Not found", "This address only receives the sign-in redirect."],
    done: [410, "Sign-in already complete", "This sign-in has finished. Return to the application."],
  }[outcome] as [number, string, string];
  return {
    status,
    html: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body><h1>${title}</h1><p>${text}</p></body></html>`,
  };
}
