/**
 * What `connect()` settles before its first socket: the connection string and options validated, a
 * `mongodb+srv://` name resolved (SRV and TXT) and the option rules checked again with what DNS said,
 * the seedlist (after `srvMaxHosts`), the credential, and the warnings met on the way.
 *
 * @module
 */
import { withTimeout } from "../core/abort.ts";
import { type ConnectOptions, type ConnectSettings, connectSettings } from "./options.ts";
import { credentialWithSrvDefaults } from "../credential/credential.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { dnsOverHttpsResolver } from "../dns/dns-over-https.ts";
import { MongoAuthError } from "../core/errors.ts";
import { resolveSrvHosts, selectSrvHosts } from "../dns/srv.ts";
import { type HostAddress, parseConnectionString } from "../credential/connection-string.ts";
import { checkOptionRules, type UriOptions } from "../credential/uri-options.ts";
import { requireCapabilities, type Transport } from "./transport.ts";
import { addressKey } from "../topology/server-description.ts";
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
  /**
   * TLS, timeouts, appName, the SRV settings and how to choose the member, from the connection string and
   * the options (`settings.selection` with a TXT record's `replicaSet` and `loadBalanced` added).
   */
  readonly settings: ConnectSettings;
  /** The seeds as SDAM keeps them (`host:port`, lower-case) and what decides the initial topology. */
  readonly topology: TopologySettings;
  /** Every warning so far, in the order found (each already passed to `onWarning`). */
  readonly warnings: readonly string[];
}

/**
 * Parses and validates `uri` and `options`, resolves `mongodb+srv://` (SRV and TXT, then the option
 * rules again with what DNS said), and builds the credential: everything but the connection.
 *
 * @param transport the runtime's DNS (only used for `mongodb+srv://`) and capabilities
 * @param uri the connection string
 * @param options the options of `connect()`
 * @returns the plan
 * @throws {MongoAuthError} `INVALID_URI`, `INVALID_OPTION`, `INVALID_CREDENTIAL`, `DNS_ERROR`,
 *   `RUNTIME_UNSUPPORTED`, `TIMEOUT`, `ABORTED`, as `connectWith` does, before any socket is opened
 */
export async function planConnection(
  transport: Transport,
  uri: string,
  options: ConnectOptions = {},
): Promise<ConnectionPlan> {
  const warnings: string[] = [];
  const warn = (found: readonly string[]) => {
    for (const message of found) {
      warnings.push(message);
      options.onWarning?.(message);
    }
  };
  const cs = parseConnectionString(uri);
  warn(cs.warnings);
  const settings = connectSettings(cs, options);
  warn(settings.warnings);
  refuseSocketPaths(cs.hosts);
  requireCapabilities(transport.capabilities, settings.tls);

  // Built (and its endpoint checked) for any connection string: a bad dnsOverHttps is an error either way.
  const resolver = options.dnsOverHttps === undefined
    ? transport
    : dnsOverHttpsResolver({ endpoint: options.dnsOverHttps, fetch: options.env?.fetch });
  let hosts: readonly HostAddress[] = cs.hosts;
  let txt: UriOptions = {};
  if (cs.scheme === "mongodb+srv") {
    const signal = withTimeout(options.signal, settings.connectTimeoutMS);
    const srv = await resolveSrvHosts(resolver, cs.hosts[0].host, settings.srvServiceName, signal);
    warn(srv.warnings);
    txt = srv.options;
    hosts = srv.hosts;
  }
  const { ssl: _ssl, ...given } = cs.parsedOptions;
  const effective: UriOptions = {
    ...txt,
    ...given,
    // The options object's, so that a TXT loadBalanced meets an options replicaSet in the rules below.
    ...definedTopologyOptions(options),
    tls: settings.tls !== undefined,
    ...(cs.scheme === "mongodb+srv" &&
      { srvServiceName: settings.srvServiceName, srvMaxHosts: settings.srvMaxHosts }),
  };
  // The seedlist spec: validate once DNS has answered (a TXT loadBalanced or replicaSet counts).
  checkOptionRules(effective, new Set(Object.keys(effective)), {
    srv: cs.scheme === "mongodb+srv",
    hostCount: hosts.length,
  });
  if (cs.scheme === "mongodb+srv") hosts = selectSrvHosts(hosts, settings.srvMaxHosts);
  const credential = credentialWithSrvDefaults(cs, options, { authSource: txt.authSource });
  requireCapabilities(transport.capabilities, undefined, credential?.mechanism);
  checkMechanismNeeds(credential, settings);
  // A TXT record may say replicaSet and loadBalanced; the connection string and the options win.
  const selection = {
    ...settings.selection,
    ...(settings.selection.replicaSet === undefined && txt.replicaSet !== undefined &&
      { replicaSet: txt.replicaSet }),
    ...(settings.selection.loadBalanced === undefined && txt.loadBalanced !== undefined &&
      { loadBalanced: txt.loadBalanced }),
  };
  const topology: TopologySettings = {
    seeds: [...new Set(hosts.map(addressKey))],
    ...(selection.directConnection !== undefined && { directConnection: selection.directConnection }),
    ...(selection.replicaSet !== undefined && { replicaSet: selection.replicaSet }),
    ...(selection.loadBalanced !== undefined && { loadBalanced: selection.loadBalanced }),
  };
  return { hosts, options: effective, credential, settings: { ...settings, selection }, topology, warnings };
}

function definedTopologyOptions(options: ConnectOptions): UriOptions {
  const { replicaSet, directConnection, loadBalanced } = options;
  return {
    ...(replicaSet !== undefined && { replicaSet }),
    ...(directConnection !== undefined && { directConnection }),
    ...(loadBalanced !== undefined && { loadBalanced }),
  };
}

/** connect() has no way to dial a UNIX domain socket: say so before trying any host. */
function refuseSocketPaths(hosts: readonly HostAddress[]): void {
  const index = hosts.findIndex((address) => address.host.includes("/"));
  if (index === -1) return;
  throw new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `host #${index + 1} is a UNIX domain socket, which connect() cannot dial; connect over TCP ` +
      "(host:port, mongod listens on 127.0.0.1:27017 by default)",
  );
}

function checkMechanismNeeds(credential: MongoCredential | undefined, settings: ConnectSettings): void {
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
