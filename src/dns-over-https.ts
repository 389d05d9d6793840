/**
 * SRV and TXT lookups over DNS-over-HTTPS (RFC 8484) with nothing but `fetch`: the DNS of
 * `mongodb+srv://` on runtimes without a resolver (Cloudflare Workers), and on any runtime when asked
 * for with the `dnsOverHttps` option of `connect()`.
 *
 * The query is DNS wire format (RFC 1035) sent with GET `?dns=<base64url>`; the answer is parsed with
 * every length checked against the message, name compression followed only backwards, and the question
 * echoed by the server checked against ours. Error messages name the endpoint's origin only: a DoH URL
 * may carry an account token in its path, and the looked-up name may come from a mistyped password.
 *
 * @module
 */
import { abortError, withTimeout } from "./abort.ts";
import { encodeBase64 } from "./crypto/base64.ts";
import { MongoAuthError } from "./errors.ts";
import { readBounded } from "./read-bounded.ts";
import type { FetchLike } from "./runtime-env.ts";
import type { SrvRecord, Transport } from "./wire/transport.ts";
import { decodeSrv, decodeTxt, type DnsRecordType, encodeDnsQuery, findDnsAnswers } from "./dns-message.ts";

/** The endpoint used when none is given: Cloudflare's public resolver. */
export const DEFAULT_DNS_OVER_HTTPS_ENDPOINT = "https://cloudflare-dns.com/dns-query";

/** Options of the DNS-over-HTTPS lookups. */
export interface DnsOverHttpsOptions {
  /**
   * The RFC 8484 endpoint (`https://…`; `http://` only for a loopback test server), or `true` for
   * {@link DEFAULT_DNS_OVER_HTTPS_ENDPOINT}. Default: that one.
   */
  endpoint?: string | true;
  /** `fetch` to send the query with. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Milliseconds for one lookup, on top of the caller's signal. Default 5000. */
  timeoutMS?: number;
}

/** Options of one lookup: {@link DnsOverHttpsOptions} and the caller's signal. */
export interface DnsLookupOptions extends DnsOverHttpsOptions {
  /** Cancels the lookup. */
  signal?: AbortSignal;
}

const DNS_MESSAGE = "application/dns-message";
const DEFAULT_TIMEOUT_MS = 5000;
// A DNS message is at most 65 535 bytes (RFC 8484 section 6): anything larger is not an answer.
const MAX_MESSAGE_BYTES = 65_535;
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The SRV records of `name`, over DNS-over-HTTPS.
 *
 * @param name e.g. `_mongodb._tcp.cluster0.example.com`
 * @param options endpoint, fetch, timeout, signal
 * @returns the records in answer order (an empty list for NXDOMAIN or no records); targets of `.`
 *   ("no service here", RFC 2782) are left out
 * @throws {MongoAuthError} `DNS_ERROR` when the endpoint fails or answers with anything but a valid
 *   DNS response to this question; `TIMEOUT` or `ABORTED`; `INVALID_OPTION` for a bad endpoint
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSrvOverHttps } from "@mongo-auth/core";
 *
 * // A fake resolver: NXDOMAIN for every question (echoes the question, sets QR and rcode 3).
 * const fetch = async (input: string | URL | Request) => {
 *   const query = Uint8Array.from(atob(new URL(String(input)).searchParams.get("dns")!
 *     .replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
 *   query[2] = 0x81, query[3] = 0x83;
 *   return new Response(query, { headers: { "content-type": "application/dns-message" } });
 * };
 * assert.deepEqual(await resolveSrvOverHttps("_mongodb._tcp.db.example.com", { fetch }), []);
 * ```
 */
export async function resolveSrvOverHttps(
  name: string,
  options: DnsLookupOptions = {},
): Promise<SrvRecord[]> {
  const { message, rdata } = await lookupRecords(name, "SRV", options);
  return rdata.map((at) => decodeSrv(message, at)).filter((r) => r.name !== "");
}

/**
 * The TXT records of `name`, over DNS-over-HTTPS, each as its list of strings (like `node:dns`).
 *
 * @param name e.g. `cluster0.example.com`
 * @param options endpoint, fetch, timeout, signal
 * @returns the records in answer order; an empty list for NXDOMAIN or no records
 * @throws {MongoAuthError} `DNS_ERROR`, `TIMEOUT`, `ABORTED`, `INVALID_OPTION` as {@link resolveSrvOverHttps}
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveTxtOverHttps } from "@mongo-auth/core";
 *
 * const fetch = async () => new Response("oops", { status: 502 });
 * await assert.rejects(resolveTxtOverHttps("example.com", { fetch }), { code: "DNS_ERROR" });
 * ```
 */
export async function resolveTxtOverHttps(name: string, options: DnsLookupOptions = {}): Promise<string[][]> {
  const { message, rdata } = await lookupRecords(name, "TXT", options);
  return rdata.map((at) => decodeTxt(message, at));
}

/**
 * `transport` with its DNS replaced by DNS-over-HTTPS; sockets and defaults stay the transport's.
 * What `connect()` uses for the `dnsOverHttps` option.
 *
 * @param transport the runtime's transport
 * @param options endpoint, fetch and timeout for every lookup
 * @returns the wrapped transport
 * @throws {MongoAuthError} `INVALID_OPTION` when the endpoint is not an `https://` URL
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Transport, withDnsOverHttps } from "@mongo-auth/core";
 *
 * const base = { platform: "test", osType: "test" } as Transport;
 * const doh = withDnsOverHttps(base, { endpoint: "https://dns.example/dns-query" });
 * assert.equal(doh.platform, "test");
 * assert.throws(() => withDnsOverHttps(base, { endpoint: "http://dns.example/q" }), { code: "INVALID_OPTION" });
 * ```
 */
export function withDnsOverHttps(transport: Transport, options: DnsOverHttpsOptions = {}): Transport {
  const endpoint = dnsOverHttpsEndpoint(options.endpoint).href;
  const settings = { ...options, endpoint };
  return {
    platform: transport.platform,
    osType: transport.osType,
    openSocket: (socketOptions) => transport.openSocket(socketOptions),
    resolveSrv: (name, signal) => resolveSrvOverHttps(name, { ...settings, signal }),
    resolveTxt: (name, signal) => resolveTxtOverHttps(name, { ...settings, signal }),
    defaultEnv: () => transport.defaultEnv(),
  };
}

/**
 * Checks a DNS-over-HTTPS endpoint: `https://`, or `http://` to a loopback host (test servers only:
 * an answer over plain HTTP could send the connection anywhere).
 *
 * @param endpoint the URL, `true` or `undefined` for {@link DEFAULT_DNS_OVER_HTTPS_ENDPOINT}
 * @returns the parsed URL
 * @throws {MongoAuthError} `INVALID_OPTION` for anything else
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsOverHttpsEndpoint } from "@mongo-auth/core";
 *
 * assert.equal(dnsOverHttpsEndpoint(true).href, "https://cloudflare-dns.com/dns-query");
 * assert.equal(dnsOverHttpsEndpoint("http://127.0.0.1:8053/dns-query").port, "8053");
 * assert.throws(() => dnsOverHttpsEndpoint("ftp://dns.example"), { code: "INVALID_OPTION" });
 * ```
 */
export function dnsOverHttpsEndpoint(endpoint: string | true | undefined): URL {
  if (endpoint === undefined || endpoint === true) return new URL(DEFAULT_DNS_OVER_HTTPS_ENDPOINT);
  const invalid = () =>
    new MongoAuthError(
      "INVALID_OPTION",
      "option dnsOverHttps must be true or an https:// URL of an RFC 8484 resolver " +
        "(plain http:// only for a loopback test server)",
    );
  if (typeof endpoint !== "string" || !URL.canParse(endpoint)) throw invalid();
  const url = new URL(endpoint);
  const secure = url.protocol === "https:";
  const loopbackTest = url.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname);
  if (!secure && !loopbackTest) throw invalid();
  return url;
}

async function lookupRecords(
  name: string,
  type: DnsRecordType,
  options: DnsLookupOptions,
): Promise<{ message: Uint8Array; rdata: { start: number; end: number }[] }> {
  const message = await exchange(encodeDnsQuery(name, type), type, options);
  return { message, rdata: findDnsAnswers(message, name, type) };
}

// One GET per RFC 8484 section 4.1; the body is read with a byte limit, never trusted to be small.
async function exchange(
  query: Uint8Array,
  type: DnsRecordType,
  options: DnsLookupOptions,
): Promise<Uint8Array> {
  const endpoint = dnsOverHttpsEndpoint(options.endpoint);
  const url = new URL(endpoint);
  url.searchParams.set("dns", base64Url(query));
  const what = `DNS-over-HTTPS ${type} lookup at ${endpoint.origin}`;
  const signal = withTimeout(options.signal, options.timeoutMS ?? DEFAULT_TIMEOUT_MS);
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  try {
    const response = await fetchFn(url.href, { headers: { accept: DNS_MESSAGE }, signal });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new MongoAuthError("DNS_ERROR", `${what} failed: HTTP ${response.status}`);
    }
    const contentType = response.headers.get("content-type") ?? "";
    if (contentType.split(";")[0].trim().toLowerCase() !== DNS_MESSAGE) {
      await response.body?.cancel();
      throw new MongoAuthError("DNS_ERROR", `${what} failed: the answer is not ${DNS_MESSAGE}`);
    }
    return await readBounded(
      response,
      MAX_MESSAGE_BYTES,
      () => new MongoAuthError("DNS_ERROR", `${what} failed: the answer is larger than a DNS message can be`),
    );
  } catch (err) {
    if (signal.aborted) throw abortError(signal, what);
    if (err instanceof MongoAuthError) throw err;
    throw new MongoAuthError("DNS_ERROR", `${what} failed: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
    });
  }
}

function base64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}
