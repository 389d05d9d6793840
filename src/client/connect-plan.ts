/**
 * What `connect()` settles before its first socket: the connection string and options validated, a
 * `mongodb+srv://` name resolved (SRV and TXT) and the option rules checked again with what DNS said,
 * the seedlist (after `srvMaxHosts`), the credential, and the warnings met on the way.
 *
 * @module
 */
import { Deadline } from "../core/abort.ts";
import { type ConnectOptions, type ConnectSettings, connectSettings } from "./options.ts";
import {
  type AuthSourceOrigin,
  authSourceOrigin,
  credentialWithSrvDefaults,
} from "../credential/credential.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { dnsOverHttpsEndpoint, dnsOverHttpsResolver } from "../dns/dns-over-https.ts";
import { MongoAuthError } from "../core/errors.ts";
import { mechanismNamed } from "../mechanisms/registry.ts";
import { selectSrvHosts } from "../dns/srv.ts";
import type { DnsResolver } from "../dns/resolver.ts";
import { seedlistCacheOf } from "../dns/seedlist-cache.ts";
import { type HostAddress, parseConnectionString } from "../credential/connection-string.ts";
import { checkOptionRules, type UriOptions } from "../credential/uri-options.ts";
import { requireCapabilities, requireCapability, type Transport } from "./transport.ts";
import { stopwatch, type TraceEmitter } from "../core/trace.ts";
import { clientDocumentOf, type ClientMetadata } from "./handshake.ts";
import { PlanCache } from "./plan-cache.ts";
import { perClient } from "../core/client-scope.ts";
import { addressKey, hostPort, isSocketPath } from "../topology/server-description.ts";
import type { TopologySettings } from "../topology/topology-description.ts";

/** Everything `connect()` settles before its first socket: the seedlist, the options, the credential. */
export interface ConnectionPlan {
  /** The hosts to try, in order: the connection string's, or the SRV records' (after `srvMaxHosts`). */
  readonly hosts: readonly HostAddress[];
  /**
   * The options in effect: a TXT record's under the connection string's, `tls` as decided (`ssl` folded
   * into it), and `srvServiceName`/`srvMaxHosts` as used.
   */
  readonly options: UriOptions;
  /** The credential, or `undefined` when nothing asks for authentication. */
  readonly credential?: MongoCredential;
  /** Why the credential's authentication database is that one (with the credential). */
  readonly authSource?: AuthSourceOrigin & { readonly uriDatabase?: string };
  /**
   * TLS, timeouts, appName, the SRV settings and how to choose the member, from the connection string and
   * the options (`settings.selection` with a TXT record's `replicaSet` and `loadBalanced` added).
   */
  readonly settings: ConnectSettings;
  /** The seeds as SDAM keeps them (`host:port`, lower-case) and what decides the initial topology. */
  readonly topology: TopologySettings;
  /** hello's `client` metadata document, built (and its size checked) before any socket. */
  readonly client: ClientMetadata;
  /** Every warning so far, in the order found (each already passed to `onWarning`). */
  readonly warnings: readonly string[];
  /**
   * `timeoutMS`'s clock, started once the options are read: its signal bounds all of connect() after
   * them (the caller's signal included); dispose it when connect() ends.
   */
  readonly operation?: Deadline;
}

/**
 * Parses and validates `uri` and `options`, resolves `mongodb+srv://` (SRV and TXT, then the option
 * rules again with what DNS said), and builds the credential: everything but the connection.
 *
 * @param transport the runtime's DNS (only used for `mongodb+srv://`) and capabilities
 * @param uri the connection string
 * @param options the options of `connect()`
 * @param trace where to record what was found (the connect's trace)
 * @returns the plan
 * @throws {MongoAuthError} `INVALID_URI`, `INVALID_OPTION`, `INVALID_CREDENTIAL`, `DNS_ERROR`,
 *   `RUNTIME_UNSUPPORTED`, `TIMEOUT`, `ABORTED`, as `connectWith` does, before any socket is opened
 */
export async function planConnection(
  transport: Transport,
  uri: string,
  options: ConnectOptions = {},
  trace?: TraceEmitter,
): Promise<ConnectionPlan> {
  const warnings: string[] = [];
  const warn = (found: readonly string[]) => {
    for (const message of found) {
      warnings.push(message);
      trace?.emit("option.warning", { message });
      const returned: unknown = options.onWarning?.(message);
      // Not awaited (warnings are found synchronously); an async listener's rejection must not become an
      // unhandled rejection, which ends a Node.js process.
      if (returned instanceof Promise) returned.catch(ignoreRejection);
    }
  };
  // A client's connections start alike: the next takes the plan of the one before when it can (plan-cache.ts).
  const last = options.cacheStore && planCacheOf(options.cacheStore).find(transport, uri, options);
  if (last) {
    trace?.emit("connect.started", last.started);
    warn(last.warnings);
    const { timeoutMS } = last.plan.settings;
    const operation = timeoutMS
      ? operationDeadline(options.signal, timeoutMS, last.started.hosts)
      : undefined;
    return Object.assign({}, last.plan, { warnings, operation });
  }
  const cs = parseConnectionString(uri);
  const started = { scheme: cs.scheme, hosts: cs.hosts.map(hostPort) };
  trace?.emit("connect.started", started);
  warn(cs.warnings);
  const settings = connectSettings(cs, options, transport);
  warn(settings.warnings);
  // Built here, before any socket, so that a driverInfo too long for the handshake fails as an option does.
  const client = clientDocumentOf(transport, settings.appName, settings.driverInfo);
  // timeoutMS: one clock for all of connect() from here on (disposed by connectWith, or here on a throw).
  const operation = settings.timeoutMS
    ? operationDeadline(options.signal, settings.timeoutMS, started.hosts)
    : undefined;
  try {
    const socketPath = cs.hosts.find((address) => isSocketPath(address.host));
    if (socketPath) requireCapability(transport.capabilities, "unixDomainSockets");
    if (settings.proxy) {
      requireCapability(transport.capabilities, "socks5Proxy");
      if (socketPath) {
        throw new MongoAuthError(
          "INVALID_OPTION",
          `a SOCKS5 proxy (proxyHost) cannot reach the UNIX domain socket ${socketPath.host}: remove the proxy ` +
            "options, or give the server's TCP host and port",
        );
      }
    }
    requireCapabilities(transport.capabilities, settings.tls);

    // Built (and its endpoint checked) for any connection string: a bad dnsOverHttps is an error either way.
    const resolver = options.dnsOverHttps === undefined
      ? transport
      : dnsOverHttpsResolverOf(options.dnsOverHttps, options.env?.fetch);
    let hosts: readonly HostAddress[] = cs.hosts;
    let txt: UriOptions | undefined;
    let srvName = "";
    let resolvedIn = 0;
    let reused = false;
    if (cs.scheme === "mongodb+srv") {
      srvName = cs.hosts[0].host;
      const lookup = srvLookupDeadline(operation ?? options.signal, settings, srvName, options.dnsOverHttps);
      const elapsed = stopwatch();
      const now = options.env ? options.env.now() : Date.now();
      // What another connection of the client looked up in the last minute, or a lookup (seedlist-cache.ts).
      const answer = await seedlistCacheOf(options.cacheStore).resolve(
        resolver,
        srvName,
        settings.srvServiceName,
        lookup.signal,
        now,
      ).finally(() => lookup.dispose());
      resolvedIn = elapsed();
      reused = answer.reused;
      warn(answer.result.warnings);
      txt = answer.result.options;
      hosts = answer.result.hosts;
    }
    const { ssl: _ssl, ...given } = cs.parsedOptions;
    // Object.assign rather than a spread followed by keys, here and below: on Node.js 20 such a spread builds a
    // slow object (1.3 µs against 0.1, and slower to read).
    const effective: UriOptions = Object.assign(
      {},
      txt,
      given,
      // The options object's, so that a TXT loadBalanced meets an options replicaSet in the rules below.
      definedTopologyOptions(options),
      { tls: settings.tls !== undefined },
      cs.scheme === "mongodb+srv"
        ? { srvServiceName: settings.srvServiceName, srvMaxHosts: settings.srvMaxHosts }
        : undefined,
    );
    // The seedlist spec: validate once DNS has answered (a TXT loadBalanced or replicaSet counts).
    checkOptionRules(effective, new Set(Object.keys(effective)), {
      srv: cs.scheme === "mongodb+srv",
      hostCount: hosts.length,
    });
    const srvFound = hosts;
    if (cs.scheme === "mongodb+srv") hosts = selectSrvHosts(hosts, settings.srvMaxHosts);
    const credential = credentialWithSrvDefaults(cs, options, { authSource: txt?.authSource });
    const authSource = credential && Object.assign(
      {},
      authSourceOrigin(cs, options, { authSource: txt?.authSource }, credential),
      { uriDatabase: cs.database },
    );
    if (txt && trace) {
      trace.emit("dns.srv", {
        name: `_${settings.srvServiceName}._tcp.${srvName}`,
        hosts: srvFound.map(hostPort),
        selected: hosts.length < srvFound.length ? hosts.map(hostPort) : undefined,
        reused: reused || undefined,
      }, resolvedIn);
      trace.emit("dns.txt", {
        name: srvName,
        ...txtOutcome(txt, cs.parsedOptions, options, credential, authSource),
      });
    }
    requireCapabilities(transport.capabilities, undefined, credential?.mechanism);
    checkMechanismNeeds(credential, settings);
    // A TXT record may say replicaSet and loadBalanced; the connection string and the options win.
    const selection = {
      ...settings.selection,
      ...(settings.selection.replicaSet === undefined && txt?.replicaSet !== undefined &&
        { replicaSet: txt?.replicaSet }),
      ...(settings.selection.loadBalanced === undefined && txt?.loadBalanced !== undefined &&
        { loadBalanced: txt?.loadBalanced }),
    };
    const topology: TopologySettings = {
      seeds: [...new Set(hosts.map(addressKey))],
      ...(selection.directConnection !== undefined && { directConnection: selection.directConnection }),
      ...(selection.replicaSet !== undefined && { replicaSet: selection.replicaSet }),
      ...(selection.loadBalanced !== undefined && { loadBalanced: selection.loadBalanced }),
    };
    const plan = {
      hosts,
      options: effective,
      credential,
      authSource,
      settings: Object.assign({}, settings, { selection }),
      topology,
      client,
    };
    if (cs.scheme === "mongodb" && options.cacheStore) {
      planCacheOf(options.cacheStore).keep(transport, uri, options, kept(plan, warnings, started));
    }
    return Object.assign({}, plan, { warnings, operation });
  } catch (err) {
    operation?.dispose();
    throw err;
  }
}

/** What a plan is made of that each connect() makes anew: its warnings (reported again) and its clock. */
type SharedPlan = Omit<ConnectionPlan, "warnings" | "operation">;

/** A kept plan, with the warnings met making it and what connect.started said. */
interface KeptPlan {
  readonly plan: SharedPlan;
  readonly warnings: readonly string[];
  readonly started: { readonly scheme: string; readonly hosts: readonly string[] };
}

/**
 * The last `mongodb://` plan of a client with a `cacheStore` (plan-cache.ts), which its next connect() with
 * the same arguments takes. Only for a client of its own, and dropped with it: a plan holds the credential,
 * password included, which a client keeps for as long as it lives, as a MongoClient keeps its options;
 * connections without a `cacheStore` keep nothing beyond themselves. Not for `mongodb+srv://`, whose plan
 * depends on what DNS answers (seedlist-cache.ts keeps the answers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planCacheOf } from "./connect-plan.ts";
 *
 * const cacheStore = {};
 * assert.equal(planCacheOf(cacheStore), planCacheOf(cacheStore));
 * ```
 */
export const planCacheOf: (cacheStore: object) => PlanCache<KeptPlan> = perClient(() => new PlanCache());

// Shared by the client's connections from now on: nothing writes to a plan, and freezing makes sure of it.
function kept(plan: SharedPlan, warnings: readonly string[], started: KeptPlan["started"]): KeptPlan {
  const parts = [
    plan.hosts,
    plan.options,
    plan.authSource,
    plan.settings,
    plan.settings.selection,
    plan.topology,
  ];
  for (const part of parts) Object.freeze(part);
  return { plan: Object.freeze(plan), warnings: [...warnings], started };
}

// What a promise onWarning returned rejected with: nothing to do with it (see ConnectOptions.onWarning).
function ignoreRejection(): void {}

// The Client Side Operations Timeout's clock for connect() as a whole.
function operationDeadline(
  signal: AbortSignal | undefined,
  timeoutMS: number,
  hosts: readonly string[],
): Deadline {
  return new Deadline(signal, timeoutMS, () => timeoutMSRanOut(hosts.join(","), timeoutMS));
}

/**
 * The `TIMEOUT` of a `timeoutMS` that ran out while connecting to `hosts` (all of them, or one host of several).
 *
 * @param hosts the hosts, `host:port` joined by commas
 * @param timeoutMS the connection string's timeoutMS
 * @returns the error
 */
export function timeoutMSRanOut(hosts: string, timeoutMS: number): MongoAuthError {
  return new MongoAuthError("TIMEOUT", `connecting to ${hosts}${notWithin(timeoutMS)}`);
}

/**
 * What {@link timeoutMSRanOut} says after the hosts: connect()'s TIMEOUT says it once before each host's words.
 *
 * @param timeoutMS the connection string's timeoutMS
 * @returns the words
 */
export function notWithin(timeoutMS: number): string {
  return ` did not finish within timeoutMS (${timeoutMS} ms)`;
}

// connectTimeoutMS bounds the SRV and TXT lookups too. A DNS server that never answers is what most often
// spends it (some routers' do not answer SRV queries at all), so its TIMEOUT says where to look.
function srvLookupDeadline(
  caller: AbortSignal | Deadline | undefined,
  { connectTimeoutMS, srvServiceName }: ConnectSettings,
  srvName: string,
  dnsOverHttps: ConnectOptions["dnsOverHttps"],
): Deadline {
  const advice = dnsOverHttps === undefined
    ? "no DNS answer came: check this machine's DNS server, or resolve over HTTPS with the dnsOverHttps option"
    : "the DNS-over-HTTPS resolver did not answer: check dnsOverHttps, and that this machine may reach it";
  return new Deadline(caller, connectTimeoutMS, () =>
    new MongoAuthError(
      "TIMEOUT",
      `looking up ${srvName} in DNS (SRV _${srvServiceName}._tcp.${srvName}, and TXT) timed out after ` +
        `${connectTimeoutMS} ms (connectTimeoutMS): ${advice}`,
    ));
}

// What became of each option of a TXT record, and why: the connection string's own value wins, and a
// TXT authSource is only a default for the mechanisms whose users live in a database (SCRAM).
function txtOutcome(
  txt: UriOptions,
  given: UriOptions,
  options: ConnectOptions,
  credential: MongoCredential | undefined,
  authSource: AuthSourceOrigin | undefined,
): { found: boolean; applied: string[]; ignored: string[] } {
  const applied: string[] = [];
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(txt)) {
    const option = `${name}=${value}`;
    const mine = (given as Record<string, unknown>)[name] ?? (options as Record<string, unknown>)[name];
    if (mine !== undefined) {
      ignored.push(`${option}: the connection string or the options set ${name} themselves, which wins`);
    } else if (name !== "authSource") {
      applied.push(option);
    } else if (!credential) {
      ignored.push(`${option}: no credential, so nothing authenticates`);
    } else if (authSource?.origin === "TXT record") {
      applied.push(option);
    } else {
      ignored.push(
        `${option}: ${credential.mechanism} users live in ${credential.source}, not in a database a TXT record names`,
      );
    }
  }
  return { found: Object.keys(txt).length > 0, applied, ignored };
}

function definedTopologyOptions(options: ConnectOptions): UriOptions {
  const { replicaSet, directConnection, loadBalanced } = options;
  return {
    ...(replicaSet !== undefined && { replicaSet }),
    ...(directConnection !== undefined && { directConnection }),
    ...(loadBalanced !== undefined && { loadBalanced }),
  };
}

function checkMechanismNeeds(credential: MongoCredential | undefined, settings: ConnectSettings): void {
  // GSSAPI parses (the specification's rules) but no runtime here speaks it: say so before the scan, whose
  // hosts would otherwise be checked, and their failures reported, in its place.
  if (credential?.mechanism !== undefined) mechanismNamed(credential.mechanism);
  if (credential?.mechanism !== "MONGODB-X509") return;
  if (!settings.tls) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      "MONGODB-X509 needs TLS: add tls=true and a client certificate",
    );
  }
  if (settings.tls.certificateKeyFile === undefined && settings.tls.certificateKey === undefined) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      "MONGODB-X509 needs a client certificate: set tlsCertificateKeyFile (or tlsCertificateKey)",
    );
  }
}

// One resolver per DNS-over-HTTPS endpoint and fetch, so that a client's seedlist cache (which keeps answers
// by resolver) serves the connections that give the same dnsOverHttps, as it serves the transport's DNS.
const dnsOverHttpsResolvers = new WeakMap<object, Map<string, DnsResolver>>();
const defaultFetch = {};

function dnsOverHttpsResolverOf(endpoint: true | string, fetch?: typeof globalThis.fetch): DnsResolver {
  const href = dnsOverHttpsEndpoint(endpoint).href;
  let byEndpoint = dnsOverHttpsResolvers.get(fetch ?? defaultFetch);
  if (!byEndpoint) dnsOverHttpsResolvers.set(fetch ?? defaultFetch, byEndpoint = new Map());
  let resolver = byEndpoint.get(href);
  if (!resolver) byEndpoint.set(href, resolver = dnsOverHttpsResolver({ endpoint: href, fetch }));
  return resolver;
}
