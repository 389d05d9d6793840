/**
 * This package's version, sent in hello's client metadata. A test keeps it equal to package.json's.
 *
 * @example The version hello's client metadata carries
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "@mongo-auth/core";
 *
 * assert.match(VERSION, /^\d+\.\d+\.\d+/);
 * ```
 */
export const VERSION = "0.1.0";
