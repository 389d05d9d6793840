/**
 * `mongodb+srv://` resolution per the Initial DNS Seedlist Discovery specification: SRV records give
 * the hosts, one optional TXT record gives `authSource`/`replicaSet`/`loadBalanced`.
 *
 * @module
 */
import { abortError } from "./abort.ts";
import { MongoAuthError } from "./errors.ts";
import type { HostAddress } from "./uri.ts";
import type { Transport } from "./wire/transport.ts";

/** What an SRV name resolved to. */
export interface SrvResult {
  readonly hosts: HostAddress[];
  readonly authSource?: string;
  readonly replicaSet?: string;
}

const TXT_OPTIONS = new Set(["authsource", "replicaset", "loadbalanced"]);

/**
 * Resolves `_<service>._tcp.<name>` and its TXT record.
 *
 * @param transport the runtime's DNS
 * @param name the host of the `mongodb+srv://` string
 * @param service the SRV service name (`srvServiceName`, default `mongodb`)
 * @param signal cancels the lookups
 * @returns the hosts and the TXT options
 * @throws {MongoAuthError} `DNS_ERROR` when a lookup fails, yields no host, or a host lies outside
 *   the name's domain; `INVALID_URI` for a TXT record with other options or several TXT records
 */
export async function resolveSrvHosts(
  transport: Transport,
  name: string,
  service: string,
  signal: AbortSignal,
): Promise<SrvResult> {
  const [records, txt] = await Promise.all([
    lookup(() => transport.resolveSrv(`_${service}._tcp.${name}`, signal), `SRV records of ${name}`, signal),
    lookup(() => transport.resolveTxt(name, signal), `TXT records of ${name}`, signal, true),
  ]);
  if (records.length === 0) throw new MongoAuthError("DNS_ERROR", `no SRV records for ${name}`);
  const hosts = records.map((r) => {
    const host = r.name.replace(/\.$/, "").toLowerCase();
    if (!inDomainOf(host, name.toLowerCase())) {
      throw new MongoAuthError("DNS_ERROR", `SRV record ${host} is not in the domain of ${name}`);
    }
    return { host, port: r.port };
  });
  if (txt.length > 1) throw new MongoAuthError("INVALID_URI", `${name} has more than one TXT record`);
  const options = new URLSearchParams(txt[0]?.join("") ?? "");
  const result: { hosts: HostAddress[]; authSource?: string; replicaSet?: string } = { hosts };
  for (const [key, value] of options) {
    const lower = key.toLowerCase();
    if (!TXT_OPTIONS.has(lower)) {
      throw new MongoAuthError("INVALID_URI", `TXT record of ${name} sets ${key}, which it may not`);
    }
    if (lower === "authsource") result.authSource = value;
    if (lower === "replicaset") result.replicaSet = value;
  }
  return result;
}

// A host must share the SRV name's parent domain (or, for names of fewer than three labels, lie
// under the name itself), so a DNS answer cannot send credentials to an unrelated domain.
function inDomainOf(host: string, name: string): boolean {
  const labels = name.split(".");
  const domain = labels.length >= 3 ? labels.slice(1).join(".") : name;
  return host.endsWith("." + domain) && host !== domain;
}

async function lookup<T>(
  run: () => Promise<T[]>,
  what: string,
  signal: AbortSignal,
  missingIsEmpty = false,
): Promise<T[]> {
  try {
    return await run();
  } catch (err) {
    if (signal.aborted) throw abortError(signal, `resolving ${what}`);
    if (err instanceof MongoAuthError) throw err;
    const code = (err as { code?: unknown })?.code;
    if (
      missingIsEmpty && (code === "ENODATA" || code === "ENOTFOUND" || (err as Error)?.name === "NotFound")
    ) return [];
    throw new MongoAuthError("DNS_ERROR", `could not resolve ${what}`, { cause: err });
  }
}
