/**
 * `mongodb+srv://` resolution per the Initial DNS Seedlist Discovery specification: SRV records give
 * the hosts, one optional TXT record gives defaults for `authSource`, `replicaSet` and `loadBalanced`.
 *
 * @module
 */
import { abortError, raceAbort } from "../core/abort.ts";
import { MongoAuthError, reasonOf } from "../core/errors.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import {
  asciiLowerCase,
  type OptionPair,
  parseUriOptions,
  type UriOptions,
} from "../credential/uri-options.ts";
import type { DnsResolver } from "./resolver.ts";
import { shuffled } from "../crypto/random.ts";

/** What an SRV name resolved to. */
export interface SrvResult {
  /** Every SRV target, in answer order (before `srvMaxHosts`). */
  readonly hosts: HostAddress[];
  /** The TXT record's options: `authSource`, `replicaSet`, `loadBalanced`; `{}` without a TXT record. */
  readonly options: UriOptions;
  /** What the TXT record's options gave to warn about (a value an option does not accept, a repeat). */
  readonly warnings: string[];
}

/** The only options a TXT record may set (seedlist spec, "Default Connection String Options"). */
const TXT_OPTIONS: ReadonlyMap<string, string> = new Map(
  ["authSource", "replicaSet", "loadBalanced"].map((name) => [asciiLowerCase(name), name]),
);

/**
 * Resolves `_<service>._tcp.<name>` and the TXT record of `name`, both before any connection.
 *
 * @param resolver the runtime's DNS (or DNS-over-HTTPS)
 * @param name the host of the `mongodb+srv://` string
 * @param service the SRV service name (`srvServiceName`, default `mongodb`)
 * @param signal cancels the lookups
 * @returns the hosts and the TXT options
 * @throws {MongoAuthError} `DNS_ERROR` when a lookup fails, yields no host, or a host lies outside
 *   the name's domain; `INVALID_URI` for several TXT records, or one with another option, an option
 *   without `=`, an empty value or a bad `%` escape
 */
export async function resolveSrvHosts(
  resolver: DnsResolver,
  name: string,
  service: string,
  signal: AbortSignal,
): Promise<SrvResult> {
  const srvName = `_${service}._tcp.${name}`;
  const [records, txt] = await Promise.all([
    lookup(() => resolver.resolveSrv(srvName, signal), `SRV records of ${name}`, signal, (reason, err) => {
      throw noSrvRecord(srvName, reason, err);
    }),
    lookup(() => resolver.resolveTxt(name, signal), `TXT records of ${name}`, signal, () => []),
  ]);
  if (records.length === 0) throw noSrvRecord(srvName, "the answer lists none", undefined);
  const hosts = records.map((r) => {
    const host = r.name.replace(/\.$/, "").toLowerCase();
    if (!inDomainOf(host, name.toLowerCase())) {
      throw new MongoAuthError("DNS_ERROR", `SRV record ${host} is not in the domain of ${name}`);
    }
    return { host, port: r.port };
  });
  if (txt.length > 1) throw new MongoAuthError("INVALID_URI", `${name} has more than one TXT record`);
  const where = `TXT record of ${name}`;
  const parsed = parseUriOptions(txt.length === 0 ? [] : txtPairs(txt[0].join(""), where), where);
  return { hosts, options: parsed.values, warnings: parsed.warnings };
}

/**
 * The seedlist: all hosts when `max` is 0 or covers them, else `max` of them picked at random
 * (Fisher–Yates with `crypto.getRandomValues`), as the spec asks for `srvMaxHosts`.
 *
 * @param hosts the SRV hosts
 * @param max `srvMaxHosts`
 * @returns the hosts to try
 */
export function selectSrvHosts(hosts: readonly HostAddress[], max: number): HostAddress[] {
  if (max === 0 || max >= hosts.length) return [...hosts];
  return shuffled(hosts).slice(0, max);
}

/** The TXT text as option pairs; anything but `key=value` with an allowed key and a value is an error. */
function txtPairs(text: string, where: string): OptionPair[] {
  const pairs: OptionPair[] = [];
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    if (equals === -1) {
      throw new MongoAuthError(
        "INVALID_URI",
        `the ${where} has an option without '=' (the record is misformatted)`,
      );
    }
    const key = decodeTxt(pair.slice(0, equals), where);
    const value = decodeTxt(pair.slice(equals + 1), where);
    if (!TXT_OPTIONS.has(asciiLowerCase(key))) {
      throw new MongoAuthError(
        "INVALID_URI",
        `the ${where} sets ${key}, which it may not: only ${[...TXT_OPTIONS.values()].join(", ")}`,
      );
    }
    if (value === "") throw new MongoAuthError("INVALID_URI", `the ${where} gives ${key} an empty value`);
    pairs.push({ key, value });
  }
  return pairs;
}

function decodeTxt(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new MongoAuthError("INVALID_URI", `the ${where} is not valid percent-encoded UTF-8`);
  }
}

// A host must share the SRV name's parent domain (or, for names of fewer than three labels, lie
// under the name itself), so a DNS answer cannot send credentials to an unrelated domain.
function inDomainOf(host: string, name: string): boolean {
  const labels = name.split(".");
  const domain = labels.length >= 3 ? labels.slice(1).join(".") : name;
  return host.endsWith("." + domain) && host !== domain;
}

// What Node's DNS module (a code) and Deno's resolver (an error name) say of a name with no such record.
const NOT_FOUND: ReadonlySet<string> = new Set(["ENOTFOUND", "ENODATA", "NotFound"]);
// Deno without --allow-net for the DNS server: its own message says what to do.
const NO_PERMISSION: ReadonlySet<string> = new Set(["NotCapable", "PermissionDenied"]);

function errorCode(err: unknown): string {
  const { code, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  return typeof code === "string" ? code : String(name ?? "");
}

function noSrvRecord(srvName: string, reason: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "DNS_ERROR",
    `no SRV record ${srvName} exists (${reason}): check the host name after mongodb+srv:// (for Atlas, ` +
      "copy the connection string from the cluster's Connect dialog); a server that has no such record is " +
      "reached with mongodb://host:port",
    { cause },
  );
}

// The runtime's words for a failed lookup, and what to do about it.
function lookupFailure(what: string, err: unknown): MongoAuthError {
  const reason = reasonOf(err);
  if (NO_PERMISSION.has(errorCode(err))) {
    return new MongoAuthError("DNS_ERROR", `could not resolve ${what}: ${reason}`, { cause: err });
  }
  return new MongoAuthError(
    "DNS_ERROR",
    `could not resolve ${what} (${reason}): check this machine's DNS server, or resolve ` +
      "over HTTPS with the dnsOverHttps option",
    { cause: err },
  );
}

async function lookup<T>(
  run: () => Promise<T[]>,
  what: string,
  signal: AbortSignal,
  whenMissing: (reason: string, err: unknown) => T[],
): Promise<T[]> {
  try {
    // Raced, so that a resolver which ignores the signal (a transport of one's own) cannot hold the connect.
    return await raceAbort(run(), signal, `resolving ${what}`);
  } catch (err) {
    if (signal.aborted) throw abortError(signal, `resolving ${what}`);
    if (err instanceof MongoAuthError) throw err;
    const code = errorCode(err);
    if (NOT_FOUND.has(code)) return whenMissing(code, err);
    throw lookupFailure(what, err);
  }
}
