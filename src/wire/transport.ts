/**
 * What a runtime must provide to `connect()`: sockets, DNS, and its defaults. Each file in
 * `src/transport/` implements this and nothing else.
 *
 * @module
 */
import type { RuntimeEnv } from "../runtime-env.ts";
import type { SocketStreams } from "./wire-connection.ts";

/** TLS settings, with files still as paths: the transport reads them, never the core. */
export interface TlsSettings {
  /** CA bundle file (PEM). */
  readonly caFile?: string;
  /** CA bundle as PEM text. */
  readonly ca?: string;
  /** Client certificate and private key in one PEM file. */
  readonly certificateKeyFile?: string;
  /** Client certificate and private key as PEM text. */
  readonly certificateKey?: { readonly cert: string; readonly key: string };
  /** Passphrase of an encrypted private key. */
  readonly certificateKeyPassword?: string;
  /** Accept any server certificate. Unsafe: anyone on the path can impersonate the server. */
  readonly allowInvalidCertificates: boolean;
  /** Accept a valid certificate issued for another host. Unsafe. */
  readonly allowInvalidHostnames: boolean;
}

/** Where and how to open one socket. */
export interface OpenSocketOptions {
  /** Host name or IP address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** TLS settings; plain TCP when absent. */
  readonly tls?: TlsSettings;
  /** Fires on the caller's abort or the connect timeout; the transport must give up and close. */
  readonly signal: AbortSignal;
}

/** One SRV record. */
export interface SrvRecord {
  /** The target host name. */
  readonly name: string;
  /** The target port. */
  readonly port: number;
}

/** A runtime's sockets and DNS. */
export interface Transport {
  /** Runtime name and version for hello's client metadata, e.g. `"Deno 2.9.6"`. */
  readonly platform: string;
  /** Operating system type for hello's client metadata, e.g. `"Linux"`. */
  readonly osType: string;
  /** Opens a TCP (or TLS) socket; rejects with `CONNECTION_FAILED`, `TLS_ERROR`, `TIMEOUT` or `ABORTED`. */
  openSocket(options: OpenSocketOptions): Promise<SocketStreams>;
  /** SRV records of `name` (`_mongodb._tcp.<host>`). */
  resolveSrv(name: string, signal: AbortSignal): Promise<SrvRecord[]>;
  /** TXT records of `name`, each as its list of strings. */
  resolveTxt(name: string, signal: AbortSignal): Promise<string[][]>;
  /** The runtime's default environment for credential sources (process env, files, fetch). */
  defaultEnv(): RuntimeEnv;
}
