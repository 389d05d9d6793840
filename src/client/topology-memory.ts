/**
 * What a client last found of a replica set, kept for `heartbeatFrequencyMS`: its later connections check the
 * member they will end on first, and only that one when its hello confirms the choice, instead of scanning
 * the set again. An official driver does the same with its monitors: its pool connects to the member the
 * monitors' last heartbeats chose, not to every member. A choice always stands on the chosen member's own
 * hello of that connection; what is remembered is the other members (who is primary, their round trips and
 * tags), as old as one heartbeat at most. Connections that start while another connection of the client scans
 * the same replica set wait for that scan (at most `connectTimeoutMS`), as an official driver's pool waits for
 * its monitors.
 *
 * @module
 */
import { setNewest } from "../core/bounded-map.ts";
import { perClient } from "../core/client-scope.ts";
import type { TopologyDescription } from "../topology/topology-description.ts";

/** Deployments kept per client and transport, the oldest dropped first. */
const MAX_DEPLOYMENTS = 64;

/** A scan a client made of a replica set. */
export interface RememberedScan {
  readonly topology: TopologyDescription;
  /** When the scan ended, by discovery's clock (milliseconds). */
  readonly at: number;
  /**
   * Whether the scan checked every member. A scan for the primary stops there, and serves only the
   * connections that want the primary.
   */
  readonly complete: boolean;
}

/** A scan one of the client's connections is making. */
export interface ScanInFlight {
  /** Settles once the scan has ended and what it found is remembered (or it failed). */
  readonly ended: Promise<void>;
  /**
   * Whether what it finds serves connections of every read preference: it checks every member (for a read
   * preference other than the primary's), or the deployment may be mongoses.
   */
  readonly servesEveryReader: boolean;
}

/** A client's scans through one transport, by deployment ({@link deploymentKey}). */
interface DeploymentsSeen {
  /** The last scan of each, the oldest dropped first. */
  readonly scans: Map<string, RememberedScan>;
  /** The scan in flight of each; it removes itself once it settles. */
  readonly inFlight: Map<string, ScanInFlight>;
}

/**
 * The replica sets one client has scanned, by transport and by what names a deployment (its seeds, the
 * replica set asked for, the proxy), and the scans its connections are making.
 *
 * @example A scan serves the client's connections for heartbeatFrequencyMS
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialTopology } from "../topology/topology-description.ts";
 * import { TopologyMemory } from "./topology-memory.ts";
 *
 * const memory = new TopologyMemory();
 * const transport = {};
 * const topology = initialTopology({ seeds: ["a.example.net:27017"], replicaSet: "rs0" });
 * memory.remember(transport, "rs0 a.example.net:27017", { topology, at: 0, complete: true });
 * assert.equal(memory.recall(transport, "rs0 a.example.net:27017", 9_999, 10_000)?.topology, topology);
 * assert.equal(memory.recall(transport, "rs0 a.example.net:27017", 10_000, 10_000), undefined);
 * ```
 */
export class TopologyMemory {
  readonly #byTransport = new WeakMap<object, DeploymentsSeen>();

  // What the client has seen through one transport.
  #through(transport: object): DeploymentsSeen {
    let seen = this.#byTransport.get(transport);
    if (seen === undefined) {
      this.#byTransport.set(transport, seen = { scans: new Map(), inFlight: new Map() });
    }
    return seen;
  }

  /**
   * The scan of a deployment younger than `maxAgeMS`, if there is one.
   *
   * @param transport the transport the scan went through
   * @param key the deployment ({@link deploymentKey})
   * @param now discovery's clock now
   * @param maxAgeMS how old a scan may be (heartbeatFrequencyMS)
   * @returns the scan, or undefined
   */
  recall(transport: object, key: string, now: number, maxAgeMS: number): RememberedScan | undefined {
    const scan = this.#byTransport.get(transport)?.scans.get(key);
    return scan !== undefined && now - scan.at < maxAgeMS ? scan : undefined;
  }

  /**
   * Keeps a scan, in place of the deployment's earlier one.
   *
   * @param transport the transport the scan went through
   * @param key the deployment ({@link deploymentKey})
   * @param scan what the scan found
   */
  remember(transport: object, key: string, scan: RememberedScan): void {
    setNewest(this.#through(transport).scans, key, scan, MAX_DEPLOYMENTS);
  }

  /**
   * Drops a scan the deployment no longer agrees with, unless a newer one has taken its place.
   *
   * @param transport the transport the scan went through
   * @param key the deployment ({@link deploymentKey})
   * @param scan the scan found wrong
   */
  forget(transport: object, key: string, scan: RememberedScan): void {
    const scans = this.#byTransport.get(transport)?.scans;
    if (scans?.get(key) === scan) scans.delete(key);
  }

  /**
   * Notes a scan of the deployment in flight until `scan` settles, so that the connections that start
   * meanwhile can wait for it; a second scan while one is noted is not.
   *
   * @param transport the transport the scan goes through
   * @param key the deployment ({@link deploymentKey})
   * @param scan the scan, settling once what it found is remembered
   * @param servesEveryReader whether what it finds serves connections of every read preference
   */
  track(transport: object, key: string, scan: Promise<unknown>, servesEveryReader: boolean): void {
    const scans = this.#through(transport).inFlight;
    if (scans.has(key)) return;
    const inFlight = { ended: scan.then(() => {}, () => {}), servesEveryReader };
    scans.set(key, inFlight);
    void inFlight.ended.then(() => scans.delete(key));
  }

  /**
   * The scan of the deployment in flight, if there is one.
   *
   * @param transport the transport
   * @param key the deployment ({@link deploymentKey})
   * @returns the scan, or undefined
   */
  inFlight(transport: object, key: string): ScanInFlight | undefined {
    return this.#byTransport.get(transport)?.inFlight.get(key);
  }
}

/**
 * What names a deployment to a client: its seeds (in any order), the replica set asked for, and the SOCKS5
 * proxy that reaches it.
 *
 * @param seeds the seeds' addresses
 * @param replicaSet `replicaSet`, if given
 * @param proxy the proxy's `host:port`, if any
 * @returns the key
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deploymentKey } from "./topology-memory.ts";
 *
 * assert.equal(deploymentKey(["b:27017", "a:27017"], "rs0"), deploymentKey(["a:27017", "b:27017"], "rs0"));
 * assert.notEqual(deploymentKey(["a:27017"], "rs0"), deploymentKey(["a:27017"], "rs1"));
 * ```
 */
export function deploymentKey(seeds: readonly string[], replicaSet?: string, proxy?: string): string {
  return JSON.stringify([[...seeds].sort(), replicaSet ?? null, proxy ?? null]);
}

/**
 * The topology memory of a client: of its `cacheStore`, or the process's when there is none (as
 * `maxConnecting` counts per client).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { topologyMemoryOf } from "./topology-memory.ts";
 *
 * const store = {};
 * assert.equal(topologyMemoryOf(store), topologyMemoryOf(store));
 * assert.notEqual(topologyMemoryOf(store), topologyMemoryOf(undefined));
 * ```
 */
export const topologyMemoryOf: (scope: object | undefined) => TopologyMemory = perClient(() =>
  new TopologyMemory()
);
