/**
 * The options of `connect()`: MongoClient-style options merged with the connection string's,
 * options winning, validated into the settings the transport and handshake use.
 *
 * @module
 */
import type { AuthCacheStore } from "./auth-cache.ts";
import type { AuthOptions } from "./credential.ts";
import { MongoAuthError } from "./errors.ts";
import { checkAppName } from "./handshake.ts";
import type { RuntimeEnv } from "./runtime-env.ts";
import { checkMaxIterations } from "./scram.ts";
import type { ConnectionString } from "./uri.ts";
import type { TlsSettings } from "./wire/transport.ts";

/**
 * Options of `connect()`. Each may also be given in the connection string (same name, any case);
 * an option given here wins over the connection string's.
 */
export interface ConnectOptions extends AuthOptions {
  /** Use TLS. Default: `false`, or `true` for `mongodb+srv://`. `ssl` is an alias. */
  tls?: boolean;
  /** Alias of `tls`. */
  ssl?: boolean;
  /** CA bundle file (PEM) to verify the server with. Default: the runtime's trust store. */
  tlsCAFile?: string;
  /** CA bundle as PEM text, for runtimes without files. */
  tlsCA?: string;
  /** Client certificate and private key in one PEM file (MONGODB-X509). */
  tlsCertificateKeyFile?: string;
  /** Client certificate and private key as PEM text, for runtimes without files. */
  tlsCertificateKey?: { cert: string; key: string };
  /** Passphrase of an encrypted private key (Node and Bun; Deno cannot decrypt keys). */
  tlsCertificateKeyFilePassword?: string;
  /** Accept any server certificate. Unsafe: only for tests against self-signed servers. */
  tlsAllowInvalidCertificates?: boolean;
  /** Accept a certificate issued for another host name. Unsafe. */
  tlsAllowInvalidHostnames?: boolean;
  /** Both of the above. Unsafe. */
  tlsInsecure?: boolean;
  /**
   * Milliseconds to open the socket and complete hello and authentication, per host (0: no timeout).
   * Default 10 000. A human OIDC callback does not count against it: it has its own five minutes.
   */
  connectTimeoutMS?: number;
  /** Milliseconds to wait for each command's reply afterwards (0: forever). Default 60 000. */
  socketTimeoutMS?: number;
  /**
   * Sent in hello's client metadata (`application.name`), shown in the server log. At most 128 bytes of
   * UTF-8 (the server refuses more).
   */
  appName?: string;
  /** Cancels connecting (and any credential fetch or callback it runs). */
  signal?: AbortSignal;
  /**
   * Host facilities for AWS and OIDC credential sources. Default: the runtime's (process env, files,
   * fetch). Temporary AWS credentials and `ENVIRONMENT` OIDC tokens are cached per env object (the
   * runtime's own env counts as one): reuse an env to share them, give each tenant its own.
   */
  env?: RuntimeEnv;
  /**
   * Resolve `mongodb+srv://` with DNS-over-HTTPS (RFC 8484) over `fetch` (`env.fetch` when given): `true`
   * for Cloudflare's public resolver, or the `https://` URL of another. Default: the runtime's DNS
   * (Workers: DNS-over-HTTPS already).
   */
  dnsOverHttps?: string | true;
  /** State shared by the connections of one client: SCRAM keys, AWS credentials, OIDC tokens. Default: process-wide. */
  cacheStore?: AuthCacheStore;
  /**
   * The most SCRAM iterations a server may ask for; a larger count is refused with
   * `SCRAM_ITERATIONS_TOO_HIGH` before any key is derived. Default 1 000 000 (servers use 10 000 to
   * 15 000); at most 2 147 483 647. An option only: it is not one of MongoDB's connection-string options.
   */
  maxScramIterations?: number;
}

/** Settings resolved from a connection string and {@link ConnectOptions}. */
export interface ConnectSettings {
  readonly tls?: TlsSettings;
  readonly connectTimeoutMS: number;
  readonly socketTimeoutMS: number;
  readonly appName?: string;
}

/**
 * Merges and validates connection options.
 *
 * @param cs the parsed connection string
 * @param options the caller's options
 * @returns the settings
 * @throws {MongoAuthError} `INVALID_OPTION` for a value of the wrong type or range (an appName over 128 bytes)
 */
export function connectSettings(cs: ConnectionString, options: ConnectOptions): ConnectSettings {
  const text = (name: keyof ConnectOptions): string | undefined => {
    const value = options[name] ?? cs.options.get(name.toLowerCase());
    if (value !== undefined && typeof value !== "string") throw invalid(name, "a string");
    return value as string | undefined;
  };
  const flag = (name: keyof ConnectOptions): boolean | undefined => {
    const value = options[name] ?? cs.options.get(name.toLowerCase());
    if (value === undefined || typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    throw invalid(name, "true or false");
  };
  const millis = (name: keyof ConnectOptions, fallback: number): number => {
    const raw = options[name] ?? cs.options.get(name.toLowerCase());
    if (raw === undefined) return fallback;
    const value = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw invalid(name, "a whole number of milliseconds ≥ 0");
    }
    return value;
  };

  const tlsFlag = flag("tls");
  const sslFlag = flag("ssl");
  if (tlsFlag !== undefined && sslFlag !== undefined && tlsFlag !== sslFlag) {
    throw new MongoAuthError("INVALID_OPTION", "tls and ssl are aliases and must not disagree");
  }
  const insecure = flag("tlsInsecure") ?? false;
  const certificateKey = options.tlsCertificateKey;
  if (
    certificateKey !== undefined &&
    (typeof certificateKey?.cert !== "string" || typeof certificateKey?.key !== "string")
  ) {
    throw invalid("tlsCertificateKey", "{ cert, key } with PEM strings");
  }
  const tlsOn = tlsFlag ?? sslFlag ?? cs.scheme === "mongodb+srv";
  const tls: TlsSettings | undefined = tlsOn
    ? {
      caFile: text("tlsCAFile"),
      ca: text("tlsCA"),
      certificateKeyFile: text("tlsCertificateKeyFile"),
      certificateKey,
      certificateKeyPassword: text("tlsCertificateKeyFilePassword"),
      allowInvalidCertificates: insecure || (flag("tlsAllowInvalidCertificates") ?? false),
      allowInvalidHostnames: insecure || (flag("tlsAllowInvalidHostnames") ?? false),
    }
    : undefined;
  if (!tlsOn && (text("tlsCAFile") ?? text("tlsCertificateKeyFile") ?? certificateKey) !== undefined) {
    throw new MongoAuthError("INVALID_OPTION", "TLS files were given but TLS is off: add tls=true");
  }
  if (options.maxScramIterations !== undefined) checkMaxIterations(options.maxScramIterations);
  const appName = text("appName");
  if (appName !== undefined) checkAppName(appName);
  return {
    tls,
    connectTimeoutMS: millis("connectTimeoutMS", 10_000),
    socketTimeoutMS: millis("socketTimeoutMS", 60_000),
    appName,
  };
}

function invalid(name: string, expected: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", `option ${name} must be ${expected}`);
}
