/**
 * What one hello says about a server, as the Server Discovery and Monitoring specification reads it: its
 * type (standalone, mongos, replica set primary, secondary, arbiter, other, ghost, load balancer), its
 * view of the set (hosts, passives, arbiters, primary, me, setName, setVersion, electionId), its tags,
 * its last write, its wire versions, and the round trip of the hello.
 *
 * @module
 */
import type { HostAddress } from "../credential/connection-string.ts";
import type { Document } from "../wire/command.ts";

/**
 * A server's type (SDAM's ServerType).
 *
 * @example The types a replica set's members can have
 * ```ts
 * import type { ServerType } from "@mongo-auth/core";
 *
 * const members: ServerType[] = ["RSPrimary", "RSSecondary", "RSArbiter", "RSOther", "RSGhost"];
 * void members;
 * ```
 */
export type ServerType =
  | "Standalone"
  | "Mongos"
  | "PossiblePrimary"
  | "RSPrimary"
  | "RSSecondary"
  | "RSArbiter"
  | "RSOther"
  | "RSGhost"
  | "LoadBalancer"
  | "Unknown";

/**
 * One server as the last hello showed it (SDAM's ServerDescription). Host names are lower-case.
 *
 * @example A secondary as a hello describes it
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeServer } from "./server-description.ts";
 *
 * const server = describeServer("db2.example.net:27017", {
 *   ok: 1,
 *   setName: "rs0",
 *   secondary: true,
 *   hosts: ["db1.example.net:27017", "DB2.example.net:27017"],
 *   primary: "db1.example.net:27017",
 *   me: "db2.example.net:27017",
 * });
 * assert.equal(server.type, "RSSecondary");
 * assert.deepEqual(server.hosts, ["db1.example.net:27017", "db2.example.net:27017"]);
 * ```
 */
export interface ServerDescription {
  /** `host:port` as connect() dials it (not the server's `me`). */
  readonly address: string;
  /** What the hello said the server is (Unknown when the check failed). */
  readonly type: ServerType;
  /** Why the server is Unknown, when a check failed. */
  readonly error?: string;
  /** Milliseconds the hello took, when the check succeeded. */
  readonly roundTripTime?: number;
  /** The server's `lastWrite.lastWriteDate`, in milliseconds since the epoch. */
  readonly lastWriteDate?: number;
  /** When the check ended (the clock the topology uses), in milliseconds. */
  readonly lastUpdateTime: number;
  /** The server's wire versions (0 when unknown; absent for a load balancer, whose are never asked). */
  readonly minWireVersion?: number;
  /** The newest wire version it speaks (see minWireVersion). */
  readonly maxWireVersion?: number;
  /** The member's own name for itself. */
  readonly me?: string;
  /** The data-bearing members it lists. */
  readonly hosts: readonly string[];
  /** The priority-0 members it lists. */
  readonly passives: readonly string[];
  /** The arbiters it lists. */
  readonly arbiters: readonly string[];
  /** Its replica set tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Its replica set's name. */
  readonly setName?: string;
  /** The primary's electionId, as 24 hex digits. */
  readonly electionId?: string;
  /** The replica set configuration's version. */
  readonly setVersion?: number;
  /** Who it thinks the primary is. */
  readonly primary?: string;
  /** How long its sessions live without use, in minutes. */
  readonly logicalSessionTimeoutMinutes?: number;
  /** Its topologyVersion, for telling a newer reply from an older one. */
  readonly topologyVersion?: { readonly processId: string; readonly counter: number };
  /** A service behind a load balancer: its serviceId, as 24 hex digits. */
  readonly serviceId?: string;
}

/**
 * Whether a host is the path of a UNIX domain socket: only a path has a `/` (the connection string
 * percent-encodes it, `%2Ftmp%2Fmongodb-27017.sock`).
 *
 * @param host a host as {@link HostAddress} holds it
 * @returns true for a socket path
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSocketPath } from "./server-description.ts";
 *
 * assert.equal(isSocketPath("/tmp/mongodb-27017.sock"), true);
 * assert.equal(isSocketPath("db1.example.net"), false);
 * ```
 */
export function isSocketPath(host: string): boolean {
  return host.includes("/");
}

/**
 * A host as a URI's authority writes it: an IPv6 literal in brackets (`[::1]`), any other host as given.
 *
 * @param host a host name or IP address, an IPv6 literal without brackets
 * @returns the host, bracketed when it is an IPv6 literal
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uriHost } from "./server-description.ts";
 *
 * assert.equal(uriHost("::1"), "[::1]");
 * assert.equal(uriHost("db1.example.net"), "db1.example.net");
 * ```
 */
export function uriHost(host: string): string {
  return host.includes(":") && !isSocketPath(host) ? `[${host}]` : host;
}

/**
 * Whether a host is one of MongoDB Atlas's (`*.mongodb.net`), whose network rules (the IP Access List) and
 * certificates (from public CAs) a message about it can count on.
 *
 * @param host a host name
 * @returns true for a name under `mongodb.net`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAtlasHost } from "./server-description.ts";
 *
 * assert.equal(isAtlasHost("ac-abc123-shard-00-00.abcde.mongodb.net"), true);
 * assert.equal(isAtlasHost("db.example.net"), false);
 * ```
 */
export function isAtlasHost(host: string): boolean {
  return /\.mongodb\.net$/i.test(host);
}

/**
 * `host:port` of an address as a connection string writes it, for messages: an IPv6 literal in brackets
 * (`[::1]:27017`, where `::1:27017` would read as another address), the host as given; a UNIX domain
 * socket is its path alone (it has no port).
 *
 * @param address a host and port
 * @returns `host:port`, `[host]:port` for an IPv6 literal, or the socket's path
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPort } from "./server-description.ts";
 *
 * assert.equal(hostPort({ host: "db1.example.net", port: 27017 }), "db1.example.net:27017");
 * assert.equal(hostPort({ host: "::1", port: 27018 }), "[::1]:27018");
 * assert.equal(hostPort({ host: "/tmp/mongodb-27017.sock", port: 0 }), "/tmp/mongodb-27017.sock");
 * ```
 */
export function hostPort(address: HostAddress): string {
  if (isSocketPath(address.host)) return address.host;
  return `${uriHost(address.host)}:${address.port}`;
}

/**
 * `host:port` of an address, the host lower-cased (RFC 4343: DNS names are case-insensitive), an IPv6
 * literal in brackets; a UNIX domain socket's path as given (file names are case-sensitive).
 *
 * @param address a host and port
 * @returns the address as SDAM compares addresses
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addressKey } from "./server-description.ts";
 *
 * assert.equal(addressKey({ host: "DB1.Example.net", port: 27017 }), "db1.example.net:27017");
 * assert.equal(addressKey({ host: "::1", port: 27018 }), "[::1]:27018");
 * assert.equal(addressKey({ host: "/tmp/MongoDB.sock", port: 0 }), "/tmp/MongoDB.sock");
 * ```
 */
export function addressKey(address: HostAddress): string {
  if (isSocketPath(address.host)) return address.host;
  return hostPort({ host: address.host.toLowerCase(), port: address.port });
}

/**
 * The host and port of `host:port` (`[v6]:port` for IPv6; port 27017 when absent); a UNIX domain
 * socket's path, with port 0.
 *
 * @param address an address as a server lists it
 * @returns host and port
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAddress } from "./server-description.ts";
 *
 * assert.deepEqual(parseAddress("[::1]:27018"), { host: "::1", port: 27018 });
 * assert.deepEqual(parseAddress("db1.example.net"), { host: "db1.example.net", port: 27017 });
 * assert.deepEqual(parseAddress("/tmp/mongodb-27017.sock"), { host: "/tmp/mongodb-27017.sock", port: 0 });
 * ```
 */
export function parseAddress(address: string): HostAddress {
  if (isSocketPath(address)) return { host: address, port: 0 };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 27017) };
  const colon = address.lastIndexOf(":");
  if (colon === -1 || address.indexOf(":") !== colon) return { host: address, port: 27017 };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** An address as a server lists it, normalised as {@link addressKey} does. */
function normalized(address: string): string {
  return addressKey(parseAddress(address));
}

/**
 * A server that could not be checked, or has not been yet.
 *
 * @param address `host:port`
 * @param error why the check failed
 * @param lastUpdateTime when
 * @returns a description of type Unknown
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownServer } from "./server-description.ts";
 *
 * assert.equal(unknownServer("db1.example.net:27017", "connection refused").type, "Unknown");
 * ```
 */
export function unknownServer(address: string, error?: string, lastUpdateTime = 0): ServerDescription {
  return {
    address,
    type: "Unknown",
    ...(error !== undefined && { error }),
    lastUpdateTime,
    minWireVersion: 0,
    maxWireVersion: 0,
    hosts: [],
    passives: [],
    arbiters: [],
    tags: {},
  };
}

/** When and how fast a hello was answered, and in which mode it was sent. */
export interface CheckTiming {
  /** Milliseconds the hello took. */
  readonly roundTripTime?: number;
  /** When the check ended. Default 0. */
  readonly lastUpdateTime?: number;
  /** The hello was sent in load-balanced mode: the server is the load balancer, whatever it says. */
  readonly loadBalanced?: boolean;
}

/**
 * Reads a hello (or legacy isMaster) reply into a server description.
 *
 * @param address `host:port` as dialled
 * @param hello the reply
 * @param timing the round trip, when the check ended, whether in load-balanced mode
 * @returns the description (type Unknown for a reply without `ok: 1`)
 * @example A mongos
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeServer } from "./server-description.ts";
 *
 * const mongos = describeServer("router.example.net:27017", { ok: 1, isWritablePrimary: true, msg: "isdbgrid" });
 * assert.equal(mongos.type, "Mongos");
 * ```
 */
export function describeServer(
  address: string,
  hello: Document,
  timing: CheckTiming = {},
): ServerDescription {
  const lastUpdateTime = timing.lastUpdateTime ?? 0;
  const type = serverType(hello, timing.loadBalanced ?? false);
  if (type === "Unknown") return unknownServer(address, "the hello reply did not have ok: 1", lastUpdateTime);
  if (type === "LoadBalancer") return loadBalancerServer(address, hello, timing);
  // A server lists members as host:port. A socket path there is left out: it would have this client
  // open a local socket that the connection string never named.
  const member = (field: unknown): field is string => typeof field === "string" && !isSocketPath(field);
  const names = (field: unknown) => Array.isArray(field) ? field.filter(member).map(normalized) : [];
  const text = (field: unknown) => typeof field === "string" ? field : undefined;
  const me = text(hello.me);
  const primary = member(hello.primary) ? hello.primary : undefined;
  const setName = text(hello.setName);
  const setVersion = numeric(hello.setVersion);
  const lastWrite = hello.lastWrite as Document | undefined;
  const lastWriteDate = epochMillis(lastWrite?.lastWriteDate);
  const logicalSessionTimeoutMinutes = numeric(hello.logicalSessionTimeoutMinutes);
  const electionId = hex(hello.electionId);
  const serviceId = hex(hello.serviceId);
  const topologyVersion = readTopologyVersion(hello.topologyVersion);
  return {
    address,
    type,
    ...(timing.roundTripTime !== undefined && { roundTripTime: timing.roundTripTime }),
    ...(lastWriteDate !== undefined && { lastWriteDate }),
    lastUpdateTime,
    minWireVersion: numeric(hello.minWireVersion) ?? 0,
    maxWireVersion: numeric(hello.maxWireVersion) ?? 0,
    ...(me !== undefined && { me: normalized(me) }),
    hosts: names(hello.hosts),
    passives: names(hello.passives),
    arbiters: names(hello.arbiters),
    tags: readTags(hello.tags),
    ...(setName !== undefined && { setName }),
    ...(electionId !== undefined && { electionId }),
    ...(setVersion !== undefined && { setVersion }),
    ...(primary !== undefined && { primary: normalized(primary) }),
    ...(logicalSessionTimeoutMinutes !== undefined && { logicalSessionTimeoutMinutes }),
    ...(topologyVersion !== undefined && { topologyVersion }),
    ...(serviceId !== undefined && { serviceId }),
  };
}

/**
 * The load balancer itself (Load Balancer spec): only its address is set, and the serviceId of the
 * service its hello reached.
 *
 * @param address `host:port` of the load balancer
 * @param hello the hello reply, when one was sent
 * @param timing when
 * @returns a description of type LoadBalancer
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBalancerServer } from "./server-description.ts";
 *
 * assert.equal(loadBalancerServer("lb.example.net:27017").type, "LoadBalancer");
 * ```
 */
export function loadBalancerServer(
  address: string,
  hello: Document = {},
  timing: CheckTiming = {},
): ServerDescription {
  const serviceId = hex(hello.serviceId);
  return {
    address,
    type: "LoadBalancer",
    ...(timing.roundTripTime !== undefined && { roundTripTime: timing.roundTripTime }),
    lastUpdateTime: timing.lastUpdateTime ?? 0,
    hosts: [],
    passives: [],
    arbiters: [],
    tags: {},
    ...(serviceId !== undefined && { serviceId }),
  };
}

/**
 * SDAM's table of server types: `ok` missing is Unknown; load-balanced mode is LoadBalancer;
 * `isreplicaset` a ghost; `msg: "isdbgrid"` a mongos; with a setName, hidden is RSOther, then primary,
 * secondary, arbiter, else RSOther; anything else a standalone.
 */
function serverType(hello: Document, loadBalanced: boolean): ServerType {
  if (hello.ok !== 1 && hello.ok !== true) return "Unknown";
  if (loadBalanced) return "LoadBalancer";
  if (hello.isreplicaset === true) return "RSGhost";
  if (hello.msg === "isdbgrid") return "Mongos";
  if (typeof hello.setName === "string" && hello.setName !== "") {
    if (hello.hidden === true) return "RSOther";
    if (
      hello.isWritablePrimary === true || (hello.isWritablePrimary === undefined && hello.ismaster === true)
    ) {
      return "RSPrimary";
    }
    if (hello.secondary === true) return "RSSecondary";
    if (hello.arbiterOnly === true) return "RSArbiter";
    return "RSOther";
  }
  return "Standalone";
}

/** A BSON number of any width (bson's Long and Int32 included), as a JavaScript number. */
function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "object" && value !== null && "_bsontype" in value) {
    const converted = Number((value as { valueOf(): unknown }).valueOf());
    return Number.isNaN(converted) ? undefined : converted;
  }
  return undefined;
}

function epochMillis(value: unknown): number | undefined {
  return value instanceof Date ? value.getTime() : numeric(value);
}

/** An ObjectId (bson's, or anything with toHexString) as 24 lower-case hex digits. */
function hex(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const toHex = (value as { toHexString?: () => string }).toHexString;
  return typeof toHex === "function" ? toHex.call(value).toLowerCase() : undefined;
}

function readTags(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >;
}

function readTopologyVersion(value: unknown): ServerDescription["topologyVersion"] {
  if (typeof value !== "object" || value === null) return undefined;
  const { processId, counter } = value as { processId?: unknown; counter?: unknown };
  const id = hex(processId);
  const count = numeric(counter);
  return id === undefined || count === undefined ? undefined : { processId: id, counter: count };
}
