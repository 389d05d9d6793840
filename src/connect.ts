/**
 * `connect()` without a runtime: resolves hosts, opens a socket through a {@link Transport}, runs
 * hello and authentication in as few round trips as the mechanism allows.
 *
 * @module
 */
import { abortError, withTimeout } from "./abort.ts";
import { beginAuthentication } from "./authenticate.ts";
import { type ConnectOptions, type ConnectSettings, connectSettings } from "./connect-options.ts";
import { Connection } from "./connection.ts";
import { credentialWithSrvDefaults, type MongoCredential } from "./credential.ts";
import { MongoAuthError, MongoServerError } from "./errors.ts";
import type { Document } from "./mechanisms/types.ts";
import { withDnsOverHttps } from "./dns-over-https.ts";
import { resolveSrvHosts, selectSrvHosts } from "./srv.ts";
import { type HostAddress, parseConnectionString } from "./uri.ts";
import { checkOptionRules, type UriOptions } from "./uri-options.ts";
import type { Transport } from "./wire/transport.ts";
import { WireConnection } from "./wire/wire-connection.ts";
import { VERSION } from "./version.ts";

/**
 * Connects to the first reachable host of `uri` and authenticates.
 *
 * Warnings (an unknown or misspelt option, a value an option does not accept, a repeated option; see
 * `ConnectionString.warnings`) go to `options.onWarning` as they are found and end up on
 * `Connection.warnings`; nothing is logged.
 *
 * @param transport the runtime's sockets and DNS
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options; they win over the connection string's
 * @returns the authenticated connection
 * @throws {MongoAuthError} `INVALID_URI`, `INVALID_CREDENTIAL`, `INVALID_OPTION`, `CONNECTION_FAILED`,
 *   `AUTHENTICATION_FAILED`, `TIMEOUT`, `ABORTED`, `TLS_ERROR`, `DNS_ERROR`, `RUNTIME_UNSUPPORTED`
 */
export async function connectWith(
  transport: Transport,
  uri: string,
  options: ConnectOptions = {},
): Promise<Connection> {
  const { hosts, credential, settings, warnings } = await planConnection(transport, uri, options);
  const failures: unknown[] = [];
  for (const address of hosts) {
    try {
      return await connectHost(transport, address, credential, settings, options, warnings);
    } catch (err) {
      // A server that answered and refused us will refuse on every host, and what the runtime cannot
      // do it cannot do for any host: stop here.
      if (err instanceof MongoAuthError && STOP_CODES.has(err.code)) throw err;
      failures.push(err);
    }
  }
  if (failures.length === 1 && failures[0] instanceof MongoAuthError) throw failures[0];
  const list = hosts.map((h) => `${h.host}:${h.port}`).join(", ");
  throw new MongoAuthError("CONNECTION_FAILED", `could not connect to any host (${list})`, {
    cause: new AggregateError(failures, "every host failed"),
  });
}

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
  readonly settings: ConnectSettings;
  /** Every warning so far, in the order found (each already passed to `onWarning`). */
  readonly warnings: readonly string[];
}

/**
 * Parses and validates `uri` and `options`, resolves `mongodb+srv://` (SRV and TXT, then the option
 * rules again with what DNS said), and builds the credential: everything but the connection.
 *
 * @param dns the runtime's DNS (only used for `mongodb+srv://`)
 * @param uri the connection string
 * @param options the options of `connect()`
 * @returns the plan
 * @throws {MongoAuthError} as {@link connectWith}, before any socket is opened
 */
export async function planConnection(
  dns: Transport,
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

  // Built (and its endpoint checked) for any connection string: a bad dnsOverHttps is an error either way.
  const resolver = options.dnsOverHttps === undefined
    ? dns
    : withDnsOverHttps(dns, { endpoint: options.dnsOverHttps, fetch: options.env?.fetch });
  let hosts: readonly HostAddress[] = cs.hosts;
  let txt: UriOptions = {};
  if (cs.scheme === "mongodb+srv") {
    const signal = withTimeout(options.signal, settings.connectTimeoutMS)!;
    const srv = await resolveSrvHosts(resolver, cs.hosts[0].host, settings.srvServiceName, signal);
    warn(srv.warnings);
    txt = srv.options;
    hosts = srv.hosts;
  }
  const { ssl: _ssl, ...given } = cs.parsedOptions;
  const effective: UriOptions = {
    ...txt,
    ...given,
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
  checkMechanismNeeds(credential, settings);
  return { hosts, options: effective, credential, settings, warnings };
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

const STOP_CODES: ReadonlySet<string> = new Set(["AUTHENTICATION_FAILED", "ABORTED", "RUNTIME_UNSUPPORTED"]);

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

async function connectHost(
  transport: Transport,
  address: HostAddress,
  credential: MongoCredential | undefined,
  settings: ConnectSettings,
  options: ConnectOptions,
  warnings: readonly string[],
): Promise<Connection> {
  const started = performance.now();
  const signal = withTimeout(options.signal, settings.connectTimeoutMS)!;
  const socket = await transport.openSocket({
    host: address.host,
    port: address.port,
    tls: settings.tls,
    signal,
  });
  const wire = new WireConnection(socket, { timeoutMS: settings.socketTimeoutMS });
  try {
    const commandOptions = { signal, timeoutMS: 0 };
    const auth = credential
      ? await beginAuthentication(credential, {
        host: address.host,
        env: options.env ?? transport.defaultEnv(),
        cacheStore: options.cacheStore,
        signal,
      })
      : undefined;
    const hello = await sendHello(wire, transport, settings, auth?.helloFields ?? {}, commandOptions);
    if (typeof hello.maxMessageSizeBytes === "number" && hello.maxMessageSizeBytes > 0) {
      wire.maxMessageSizeBytes = hello.maxMessageSizeBytes;
    }
    const runner = { command: (db: string, cmd: Document) => wire.command(db, cmd, commandOptions) };
    const result = auth ? await auth.complete(runner, hello) : undefined;
    return new Connection(
      wire,
      address,
      {
        mechanism: result?.mechanism,
        speculative: result?.speculative ?? false,
        roundTrips: wire.roundTrips,
        durationMs: performance.now() - started,
        maxWireVersion: typeof hello.maxWireVersion === "number" ? hello.maxWireVersion : 0,
      },
      auth,
      warnings,
    );
  } catch (err) {
    await wire.close();
    if (signal.aborted && !(err instanceof MongoAuthError && err.code === "AUTHENTICATION_FAILED")) {
      throw abortError(signal, `connecting to ${address.host}:${address.port}`);
    }
    throw err;
  }
}

async function sendHello(
  wire: WireConnection,
  transport: Transport,
  settings: ConnectSettings,
  authFields: Document,
  commandOptions: { signal: AbortSignal; timeoutMS: number },
): Promise<Document> {
  const client: Document = {
    driver: { name: "mongo-auth", version: VERSION },
    os: { type: transport.osType },
    platform: transport.platform,
  };
  if (settings.appName !== undefined) client.application = { name: settings.appName };
  const fields = { helloOk: true, client, ...authFields };
  try {
    return await wire.command("admin", { hello: 1, ...fields }, commandOptions);
  } catch (err) {
    // Servers before 4.4.2 know only the legacy name.
    if (!(err instanceof MongoServerError) || err.serverCode !== 59) throw err;
    return await wire.command("admin", { isMaster: 1, ...fields }, commandOptions);
  }
}
