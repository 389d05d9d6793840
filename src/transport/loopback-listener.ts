/**
 * What the loopback listeners of the OIDC browser sign-in share (`loopback-listener-deno.ts` on
 * `Deno.serve`, `loopback-listener-node.ts` on `node:http`): the headers of the page the browser is
 * shown, and one reading of a listener that could not start.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { LoopbackListenOptions } from "../mechanisms/oidc/human/redirect-listener.ts";
import { hostPort } from "../topology/server-description.ts";

/** The headers of every page a listener answers with: HTML, never cached, no kept-alive connection. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  connection: "close",
});

/**
 * The error for a listener that could not start: a port in use (Node's `EADDRINUSE`, Deno's
 * `AddrInUse`) says what to do about it; anything else points to the device flow.
 *
 * @param options what was asked
 * @param error the runtime's error
 * @returns `CREDENTIAL_PROVIDER_ERROR`, with the runtime's error as `cause`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenError } from "./loopback-listener.ts";
 *
 * const options = { hostname: "127.0.0.1", port: 27097, handle: () => ({ status: 200, html: "" }) };
 * assert.match(listenError(options, { code: "EADDRINUSE" }).message, /127\.0\.0\.1:27097.*port is in use/);
 * assert.match(listenError(options, { name: "PermissionDenied" }).message, /flow: "device"/);
 * ```
 */
export function listenError(
  options: LoopbackListenOptions,
  error: { code?: unknown; name?: unknown },
): MongoAuthError {
  const where = hostPort({ host: options.hostname, port: options.port });
  const inUse = error.code === "EADDRINUSE" || error.name === "AddrInUse";
  return new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    inUse
      ? `cannot listen on ${where} for the sign-in's redirect: the port is in use (another sign-in still ` +
        "running?); finish or stop it, or set redirectUri to another port registered with the identity provider"
      : `cannot listen on ${where} for the sign-in's redirect (${String(error.code ?? error.name)}); ` +
        'sign in with flow: "device" instead',
    { cause: error },
  );
}
