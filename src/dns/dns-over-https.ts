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
import { type HttpRequest, httpRequest, isLoopbackHost, statusError } from "../core/http.ts";
import { encodeBase64 } from "../crypto/base64.ts";
import { MongoAuthError } from "../core/errors.ts";
import type { FetchLike } from "../core/runtime-env.ts";
import type { DnsResolver, SrvRecord } from "./resolver.ts";
import { decodeSrv, decodeTxt, type DnsRecordType, encodeDnsQuery, findDnsAnswers } from "./message.ts";
import { checkMilliseconds, checkOptions, IS, optionChecks } from "../core/options.ts";

/** The endpoint used when none is given: Cloudflare's public resolver. */
export const DEFAULT_DNS_OVER_HTTPS_ENDPOINT = "https://cloudflare-dns.com/dns-query";

/**
 * Options of the DNS-over-HTTPS lookups.
 *
 * @example Another resolver, a shorter timeout
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsOverHttpsResolver, type DnsOverHttpsOptions } from "@mongo-auth/core";
 *
 * const options: DnsOverHttpsOptions = { endpoint: "https://dns.google/dns-query", timeoutMS: 2_000 };
 * assert.equal(typeof dnsOverHttpsResolver(options).resolveTxt, "function");
 * ```
 */
export interface DnsOverHttpsOptions {
  /**
   * The RFC 8484 endpoint (`https://…`; `http://` only for a loopback test server), or `true` for
   * {@link DEFAULT_DNS_OVER_HTTPS_ENDPOINT}. Default: that one.
   */
  endpoint?: string | true;
  /** `fetch` to send the query with. Default: the global `fetch`. */
  fetch?: FetchLike;
  /**
   * Milliseconds for one lookup, on top of the caller's signal: a whole number up to 2 147 483 647; 0 for none
   * but the signal's. Default 5000.
   */
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
 * import { resolveSrvOverHttps } from "./dns-over-https.ts";
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
 * The TXT records of `name`, over DNS-over-HTTPS, each as its list of strings, as Node's DNS gives them.
 *
 * @param name e.g. `cluster0.example.com`
 * @param options endpoint, fetch, timeout, signal
 * @returns the records in answer order; an empty list for NXDOMAIN or no records
 * @throws {MongoAuthError} `DNS_ERROR`, `TIMEOUT`, `ABORTED`, `INVALID_OPTION` as {@link resolveSrvOverHttps}
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveTxtOverHttps } from "./dns-over-https.ts";
 *
 * const fetch = async () => new Response("oops", { status: 502 });
 * await assert.rejects(resolveTxtOverHttps("example.com", { fetch }), { code: "DNS_ERROR" });
 * ```
 */
export async function resolveTxtOverHttps(name: string, options: DnsLookupOptions = {}): Promise<string[][]> {
  const { message, rdata } = await lookupRecords(name, "TXT", options);
  return rdata.map((at) => decodeTxt(message, at));
}

// endpoint is checked on its own (a URL or true); these are the rest.
const DNS_OVER_HTTPS_OPTION_CHECKS = optionChecks({ fetch: IS.function, timeoutMS: IS.number });
const RESOLVER = "dnsOverHttpsResolver()";
/**
 * A {@link DnsResolver} over DNS-over-HTTPS: what `connect()` resolves `mongodb+srv://` with for the
 * `dnsOverHttps` option, and the Workers transport always.
 *
 * @param options endpoint, fetch and timeout for every lookup
 * @returns the resolver
 * @throws {MongoAuthError} `INVALID_OPTION` when the endpoint is not an `https://` URL, `fetch` is no function,
 *   or `timeoutMS` is no whole number of milliseconds
 * @example The resolver a transport without DNS uses
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsOverHttpsResolver } from "./dns-over-https.ts";
 *
 * assert.equal(typeof dnsOverHttpsResolver({ endpoint: true }).resolveSrv, "function");
 * assert.throws(() => dnsOverHttpsResolver({ endpoint: "http://dns.example/q" }), { code: "INVALID_OPTION" });
 * ```
 */
export function dnsOverHttpsResolver(given?: DnsOverHttpsOptions): DnsResolver {
  const options = checkOptions(given, RESOLVER, DNS_OVER_HTTPS_OPTION_CHECKS);
  checkMilliseconds(options.timeoutMS, "timeoutMS", RESOLVER, 0);
  const settings = {
    ...options,
    endpoint: dnsOverHttpsEndpoint(options.endpoint, `option endpoint of ${RESOLVER}`).href,
  };
  return {
    resolveSrv: (name, signal) => resolveSrvOverHttps(name, { ...settings, signal }),
    resolveTxt: (name, signal) => resolveTxtOverHttps(name, { ...settings, signal }),
  };
}

/**
 * Checks a DNS-over-HTTPS endpoint: `https://`, or `http://` to a loopback host (test servers only:
 * an answer over plain HTTP could send the connection anywhere).
 *
 * @param endpoint the URL, `true` or `undefined` for {@link DEFAULT_DNS_OVER_HTTPS_ENDPOINT}
 * @param option what the caller calls it, for the message: connect()'s `dnsOverHttps` by default
 * @returns the parsed URL
 * @throws {MongoAuthError} `INVALID_OPTION` for anything else
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsOverHttpsEndpoint } from "./dns-over-https.ts";
 *
 * assert.equal(dnsOverHttpsEndpoint(true).href, "https://cloudflare-dns.com/dns-query");
 * assert.equal(dnsOverHttpsEndpoint("http://127.0.0.1:8053/dns-query").port, "8053");
 * assert.throws(() => dnsOverHttpsEndpoint("ftp://dns.example"), {
 *   code: "INVALID_OPTION",
 *   message: /^option dnsOverHttps must be true or an https:\/\/ URL/,
 * });
 * ```
 */
export function dnsOverHttpsEndpoint(
  endpoint: string | true | undefined,
  option = "option dnsOverHttps",
): URL {
  if (endpoint === undefined || endpoint === true) return new URL(DEFAULT_DNS_OVER_HTTPS_ENDPOINT);
  const invalid = () =>
    new MongoAuthError(
      "INVALID_OPTION",
      `${option} must be true or an https:// URL of an RFC 8484 resolver ` +
        "(plain http:// only for a loopback test server)",
    );
  if (typeof endpoint !== "string" || !URL.canParse(endpoint)) throw invalid();
  const url = new URL(endpoint);
  const secure = url.protocol === "https:";
  const loopbackTest = url.protocol === "http:" && isLoopbackHost(url.hostname);
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

// One GET per RFC 8484 section 4.1, through the one HTTP helper; the body is read with a byte limit,
// never trusted to be small.
async function exchange(
  query: Uint8Array,
  type: DnsRecordType,
  options: DnsLookupOptions,
): Promise<Uint8Array> {
  const endpoint = dnsOverHttpsEndpoint(options.endpoint);
  const url = new URL(endpoint);
  url.searchParams.set("dns", base64Url(query));
  const request: HttpRequest = {
    what: `DNS-over-HTTPS ${type} lookup at ${endpoint.origin}`,
    url: url.href,
    headers: { accept: DNS_MESSAGE },
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMS ?? DEFAULT_TIMEOUT_MS,
    signal: options.signal,
    failure: "DNS_ERROR",
    timeoutFailure: "TIMEOUT",
    maxBodyBytes: MAX_MESSAGE_BYTES,
  };
  const response = await httpRequest(request);
  if (response.status !== 200) throw statusError(response, request);
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.split(";")[0].trim().toLowerCase() !== DNS_MESSAGE) {
    throw new MongoAuthError("DNS_ERROR", `${request.what} failed: the answer is not ${DNS_MESSAGE}`);
  }
  return response.bytes;
}

function base64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}
