// The contract between the reference server and the server side of each authentication
// mechanism. One file per mechanism under ./mechanisms/ implements SaslMechanismServer; the
// list the server uses is in ./registry.ts. See README.md ("Adding a mechanism").
import type { RoleName, ServerConfig, UserConfig } from "./config.ts";

/** One server step of a SASL conversation. */
export interface SaslStepResult {
  /** The payload sent back to the client (saslStart/saslContinue `payload`). */
  payload: Uint8Array;
  /** `done` in the reply; when true the mechanism must have called ctx.authenticated(). */
  done: boolean;
}

/** The server side of one authentication attempt on one connection. */
export interface SaslConversation {
  /**
   * Consumes the client's next payload.
   * @param payload the bytes of the client's `payload`
   * @returns the reply payload and whether the conversation is done
   * @throws AuthFailure (or any error but a CommandError): the client gets mongod's code 18
   * "Authentication failed.", as for a Status mongod's step returns; a CommandError (what mongod throws
   * inside a step, e.g. base64::decode's 10270) reaches the client as it is
   */
  step(payload: Uint8Array): Promise<SaslStepResult>;
}

/** What the server knows about the connection an authentication runs on. */
export interface ServerConnectionInfo {
  /** mongod's connectionId (hello `connectionId`). */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True on a TLS connection (set by the tls listener once it exists). */
  readonly tls: boolean;
  /** The verified client certificate on a TLS connection, for MONGODB-X509. */
  readonly peerCertificate?: unknown;
}

/** A user as the server stores it: no password, only what each mechanism derived from it. */
export interface StoredUser {
  readonly db: string;
  readonly user: string;
  readonly mechanisms: readonly string[];
  readonly roles: readonly RoleName[];
  /** Per mechanism name: what storeCredential() returned (e.g. SCRAM salt/StoredKey/ServerKey). */
  readonly credentials: ReadonlyMap<string, unknown>;
}

/** Everything a mechanism may use while it runs. */
export interface ServerAuthContext {
  /** The authentication database: saslStart's `$db` (or `db` inside speculativeAuthenticate). */
  readonly db: string;
  /** The server configuration, without any user's password. */
  readonly config: ServerConfig;
  readonly connection: ServerConnectionInfo;
  /** True when the conversation started inside hello's speculativeAuthenticate. */
  readonly speculative: boolean;
  /** saslStart's `options` document (e.g. `skipEmptyExchange`), `{}` when absent. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Looks a user up the way mongod's user cache does: exact name in the exact database.
   * @returns the stored user, or undefined when there is none
   */
  findUser(user: string, db: string): StoredUser | undefined;
  /**
   * Declares the principal this conversation authenticated. Call it in the step that returns
   * `done: true`, never earlier: the server authenticates the connection after that step.
   */
  authenticated(user: string, db: string): void;
}

/** The server side of one mechanism. */
export interface SaslMechanismServer {
  /** The mechanism name as clients send it, e.g. "SCRAM-SHA-256". */
  readonly name: string;
  /**
   * mongod's registry keeps two lists: mechanisms for $external (PLAIN via LDAP, MONGODB-AWS,
   * MONGODB-OIDC: `external: true`) and mechanisms for every other database (SCRAM). saslStart with a
   * mechanism on the other kind of database is 334 "Unsupported mechanism … on authentication database".
   */
  readonly external?: boolean;
  /**
   * PLAIN-like mechanisms that send the secret in the clear: mongod refuses them in
   * speculativeAuthenticate and advertises them (saslSupportedMechs) only for $external users.
   */
  readonly plaintext?: boolean;
  /**
   * Mechanisms reachable only through the `authenticate` command (MONGODB-X509, which mongod 7.0 does
   * not speak over saslStart). The server then runs one step with payload BSON
   * `{ principalName?: user }` that must return done: true.
   */
  readonly viaAuthenticate?: boolean;
  /** Whether this server configuration enables the mechanism (default: enabled). */
  enabled?(config: ServerConfig): boolean;
  /**
   * Runs once per configured user that lists this mechanism, at startup: returns what mongod
   * would store for the user (never the password itself). Throwing rejects the config.
   */
  storeCredential?(user: UserConfig, config: ServerConfig): unknown;
  /**
   * Starts a conversation.
   * @throws CommandError for a malformed start (e.g. bad options); it reaches the client as is
   */
  start(ctx: ServerAuthContext): SaslConversation;
}
