/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The connection `connect()` returns: authenticated, and re-authenticating once when a command
 * fails with 391 (ReauthenticationRequired).
 *
 * @module
 */
import type { Authentication } from "./authenticate.ts";
import { MongoServerError } from "../core/errors.ts";
import type { CommandRunner, Document } from "../wire/command.ts";
import type { CommandOptions, WireConnection } from "../wire/wire-connection.ts";

/**
 * What the handshake did, for logs and `whoami`. Holds no secret.
 *
 * @example What a speculative SCRAM-SHA-256 login did
 * ```ts
 * import type { HandshakeInfo } from "@mongo-auth/core";
 *
 * // As connect() reports it on Connection.handshake: hello and one saslContinue.
 * const handshake: HandshakeInfo = {
 *   mechanism: "SCRAM-SHA-256",
 *   speculative: true,
 *   roundTrips: 2,
 *   durationMs: 12.5,
 *   maxWireVersion: 21,
 * };
 * void handshake;
 * ```
 */
export interface HandshakeInfo {
  /** The mechanism used, after negotiation; absent when no credential was given. */
  readonly mechanism?: string;
  /** Whether authentication was speculative (finished inside or right after hello). */
  readonly speculative: boolean;
  /** Round trips from hello to authenticated, hello included. */
  readonly roundTrips: number;
  /** Milliseconds from opening the socket to authenticated. */
  readonly durationMs: number;
  /** The server's `maxWireVersion`. */
  readonly maxWireVersion: number;
}

/**
 * An open, authenticated connection to one server.
 *
 * @example Run a command, and close at the end of the scope
 * ```ts ignore
 * import { connect } from "@mongo-auth/core/node";
 *
 * await using conn = await connect("mongodb://alice:s3cret@127.0.0.1:27017/?authSource=admin");
 * const status = await conn.command("admin", { connectionStatus: 1 });
 * ```
 */
export class Connection implements CommandRunner {
  /** The server's host, as connected to. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** What the handshake did. */
  readonly handshake: HandshakeInfo;
  /**
   * What `connect()` found to warn about, in order: unknown or misspelt options (in the connection
   * string, the options object or a TXT record), values an option does not accept, repeated or deprecated
   * options. What they name was ignored. mongo-auth logs nothing; `[]` when all was well.
   */
  readonly warnings: readonly string[];
  readonly #wire: WireConnection;
  readonly #auth: Authentication | undefined;

  /**
   * Made by `connect()`; not meant to be constructed directly.
   *
   * @param wire the wire connection, already through hello and authentication
   * @param address host and port
   * @param handshake what the handshake did
   * @param auth the authentication, for re-authentication on 391
   * @param warnings what connecting found to warn about
   */
  constructor(
    wire: WireConnection,
    address: { host: string; port: number },
    handshake: HandshakeInfo,
    auth: Authentication | undefined,
    warnings: readonly string[] = [],
  ) {
    this.#wire = wire;
    this.host = address.host;
    this.port = address.port;
    this.handshake = handshake;
    this.warnings = Object.freeze([...warnings]);
    this.#auth = auth;
  }

  /** Commands answered on this connection so far, the handshake's included. */
  get roundTrips(): number {
    return this.#wire.roundTrips;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#wire.closed;
  }

  /**
   * Runs a command. On 391 (ReauthenticationRequired) it re-authenticates and retries once.
   *
   * @param db the database
   * @param cmd the command
   * @param options signal and timeout
   * @returns the reply
   * @throws {MongoServerError} when the server answers `ok: 0`
   * @throws {MongoAuthError} `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`, `PROTOCOL_ERROR`
   */
  async command(db: string, cmd: Document, options?: CommandOptions): Promise<Document> {
    try {
      return await this.#wire.command(db, cmd, options);
    } catch (err) {
      if (!(err instanceof MongoServerError) || err.serverCode !== 391 || !this.#auth) throw err;
      await this.#auth.reauthenticate(
        { command: (rdb, rcmd) => this.#wire.command(rdb, rcmd, options) },
        options?.signal,
      );
      return await this.#wire.command(db, cmd, options);
    }
  }

  /** Closes the socket. Idempotent. */
  close(): Promise<void> {
    return this.#wire.close();
  }

  /** `await using conn = await connect(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
