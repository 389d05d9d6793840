/**
 * What `mongodb+srv://` needs from a DNS resolver: SRV and TXT lookups that take a signal. Each
 * runtime's transport is one (Node's DNS module, Deno's resolver); DNS-over-HTTPS is another.
 *
 * @module
 */

/**
 * One SRV record.
 *
 * @example One SRV target
 * ```ts
 * import type { SrvRecord } from "@mongo-auth/core";
 *
 * const record: SrvRecord = { name: "db1.cluster0.example.net", port: 27017 };
 * ```
 */
export interface SrvRecord {
  /** The target host name. */
  readonly name: string;
  /** The target port. */
  readonly port: number;
}

/**
 * SRV and TXT lookups.
 *
 * @example SRV records from a fixed table
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DnsResolver } from "@mongo-auth/core";
 *
 * const resolver: DnsResolver = {
 *   resolveSrv: () => Promise.resolve([{ name: "db1.cluster0.example.net", port: 27017 }]),
 *   resolveTxt: () => Promise.resolve([["authSource=admin"]]),
 * };
 * assert.equal((await resolver.resolveSrv("_mongodb._tcp.cluster0.example.net", AbortSignal.timeout(1000)))[0].port, 27017);
 * ```
 */
export interface DnsResolver {
  /** SRV records of `name` (`_mongodb._tcp.<host>`). */
  resolveSrv(name: string, signal: AbortSignal): Promise<SrvRecord[]>;
  /** TXT records of `name`, each as its list of strings. */
  resolveTxt(name: string, signal: AbortSignal): Promise<string[][]>;
}
