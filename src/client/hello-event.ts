/**
 * What a hello reply tells a person reading the trace: the server's release (from its wire version),
 * its role in the topology, and what it said about the user's mechanisms and the speculative step.
 *
 * @module
 */
import type { TraceEventAttributes } from "../core/trace.ts";
import type { Document } from "../wire/command.ts";

// The wire version each MongoDB release introduced (the server's maxWireVersion). Releases in between
// (the rapid releases 5.1–5.3, 6.1–6.3, 7.1–7.3) are left out: the trace then shows the number alone.
const RELEASES: ReadonlyMap<number, string> = new Map([
  [6, "3.6"],
  [7, "4.0"],
  [8, "4.2"],
  [9, "4.4"],
  [13, "5.0"],
  [17, "6.0"],
  [21, "7.0"],
  [25, "8.0"],
]);

/**
 * The server's role as its hello reply states it.
 *
 * @param reply the hello reply
 * @returns `mongos`, `load balancer`, `primary`, `secondary`, `arbiter`, `standalone` or `other`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverRole } from "./hello-event.ts";
 *
 * assert.equal(serverRole({ isWritablePrimary: true, setName: "rs0" }), "primary");
 * assert.equal(serverRole({ isWritablePrimary: true }), "standalone");
 * assert.equal(serverRole({ msg: "isdbgrid" }), "mongos");
 * ```
 */
export function serverRole(reply: Document): string {
  if (reply.msg === "isdbgrid") return "mongos";
  if (reply.serviceId !== undefined) return "load balancer";
  if (typeof reply.setName === "string") {
    if (reply.isWritablePrimary === true || reply.ismaster === true) return "primary";
    if (reply.secondary === true) return "secondary";
    if (reply.arbiterOnly === true) return "arbiter";
    return "other";
  }
  if (reply.isreplicaset === true) return "other";
  return "standalone";
}

/**
 * The mechanisms hello's `saslSupportedMechs` lists for the user: its strings. An entry of another type names
 * no mechanism and is left out: a server sends none, and a peer that lists a document (`[{ toString: 1 }]`,
 * which BSON reads as an object whose own `toString` is a number) would otherwise make `String()` throw a
 * TypeError in the middle of the login.
 *
 * @param reply the hello reply
 * @returns the names listed, or `undefined` when there is no list (the server has no such user there, or
 *   was not asked)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listedMechanisms } from "./hello-event.ts";
 *
 * assert.deepEqual(listedMechanisms({ saslSupportedMechs: ["SCRAM-SHA-256", { toString: 1 }] }), ["SCRAM-SHA-256"]);
 * assert.equal(listedMechanisms({ ok: 1 }), undefined);
 * ```
 */
export function listedMechanisms(reply: Document): string[] | undefined {
  const mechs = reply.saslSupportedMechs;
  return Array.isArray(mechs) ? mechs.filter((m): m is string => typeof m === "string") : undefined;
}

/** What was sent in hello that its reply answers. */
export interface HelloSent {
  /** `hello` or `isMaster`. */
  readonly command: string;
  /** The `saslSupportedMechs` asked for (`<db>.<user>`), if any. */
  readonly mechsAskedFor?: string;
  /** Whether a `speculativeAuthenticate` was sent. */
  readonly speculative: boolean;
  /** The declared Stable API version hello carried, in words (`1 (strict)`), if any. */
  readonly serverApi?: string;
  /** The compressor negotiated, `none` when the server shares none offered; absent when none were. */
  readonly compression?: string;
}

/**
 * The attributes of the `hello` trace event.
 *
 * @param reply the hello reply
 * @param sent what hello asked
 * @returns the event's attributes
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helloAttributes } from "./hello-event.ts";
 *
 * const attributes = helloAttributes(
 *   { isWritablePrimary: true, maxWireVersion: 21, saslSupportedMechs: ["SCRAM-SHA-1"] },
 *   { command: "hello", mechsAskedFor: "admin.alice", speculative: true },
 * );
 * assert.equal(attributes.serverRelease, "7.0");
 * assert.equal(attributes.speculative, "not answered");
 * ```
 */
export function helloAttributes(reply: Document, sent: HelloSent): TraceEventAttributes["hello"] {
  const maxWireVersion = typeof reply.maxWireVersion === "number" ? reply.maxWireVersion : 0;
  return {
    command: sent.command,
    maxWireVersion,
    minWireVersion: typeof reply.minWireVersion === "number" ? reply.minWireVersion : undefined,
    serverRelease: RELEASES.get(maxWireVersion),
    role: serverRole(reply),
    setName: typeof reply.setName === "string" ? reply.setName : undefined,
    me: typeof reply.me === "string" ? reply.me : undefined,
    mechsAskedFor: sent.mechsAskedFor,
    saslSupportedMechs: listedMechanisms(reply),
    speculative: !sent.speculative
      ? "not sent"
      : reply.speculativeAuthenticate !== undefined
      ? "answered"
      : "not answered",
    serverApi: sent.serverApi,
    compression: sent.compression,
  };
}
