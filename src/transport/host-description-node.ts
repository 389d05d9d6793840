/**
 * What Node.js and Bun know of their host for hello's client metadata, as the official Node.js driver
 * reports it: `process.platform`, `process.arch` and `os.release()`, the handshake's variables from
 * `process.env`, and whether `/.dockerenv` exists.
 *
 * @module
 */
import os from "node:os";
import process from "node:process";
import { existsSync } from "node:fs";
import type { HostDescription } from "../client/handshake.ts";
import { describeDenoHost } from "./host-description-deno.ts";

/**
 * Describes the host Node.js or Bun runs on; on Deno (which runs the Node.js transport too), what Deno
 * has been granted, never asking for more.
 *
 * @returns the host description
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeNodeHost } from "./host-description-node.ts";
 *
 * assert.equal(typeof describeNodeHost().dockerenv, "boolean");
 * ```
 */
export function describeNodeHost(): HostDescription {
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return describeDenoHost();
  return {
    os: { name: process.platform, architecture: process.arch, version: os.release() },
    getEnv: (name) => process.env[name],
    dockerenv: existsSync("/.dockerenv"),
  };
}
