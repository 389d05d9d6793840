// One connection's authentication state, after mongod's AuthenticationSession and
// AuthorizationSession: at most one conversation in flight, at most one authenticated user
// (MongoDB 6.0+), and mongod's rules for which errors reach the client as they are and which
// become the fixed code 18 "Authentication failed.".
import { Binary, BSON } from "bson";
import type { ServerConfig } from "./config.ts";
import { authenticationFailed, AuthFailure, CommandError } from "./errors.ts";
import type { SaslConversation, SaslMechanismServer, ServerConnectionInfo, StoredUser } from "./sasl.ts";
import { bump, type ServerStats } from "./stats.ts";
import type { UserStore } from "./users.ts";
import type { Document } from "./wire.ts";
import { optionalField, requiredField } from "./fields.ts";

/** A user name and its database, as connectionStatus reports it. */
export interface UserName {
  user: string;
  db: string;
}

/** What an authentication session needs from the server. */
export interface SessionDeps {
  readonly mechanisms: readonly SaslMechanismServer[];
  /** The configuration without passwords. */
  readonly config: ServerConfig;
  readonly users: UserStore;
  readonly connection: ServerConnectionInfo;
  readonly stats: ServerStats;
}

interface Conversation {
  readonly mechanism: SaslMechanismServer;
  readonly conversation: SaslConversation;
  readonly speculative: boolean;
  /** Set by the mechanism through ctx.authenticated(). */
  readonly outcome: { principal?: UserName };
}

/** The authentication state of one connection. */
export class AuthSession {
  #user: StoredUser | undefined;
  #conversation: Conversation | undefined;

  constructor(private readonly deps: SessionDeps) {}

  /** The authenticated user, if any. */
  get user(): StoredUser | undefined {
    return this.#user;
  }

  /**
   * hello's `saslSupportedMechs`: starts a new session (dropping any conversation in flight) and
   * lists the user's mechanisms.
   * @param value "db.user" or `{ user, db }`
   * @returns the mechanism names, or undefined for an unknown user (mongod omits the field)
   * @throws CommandError when the value is not a user name
   */
  supportedMechanisms(value: unknown): string[] | undefined {
    this.#conversation = undefined;
    const name = parseUserName(value);
    const user = this.deps.users.find(name.user, name.db);
    if (user === undefined) return undefined;
    return this.#enabled()
      .filter((m) => user.mechanisms.includes(m.name))
      .filter((m) => !m.plaintext || name.db === "$external")
      .map((m) => m.name);
  }

  /**
   * The saslStart command (also run for hello's speculativeAuthenticate).
   * @param db the authentication database
   * @param cmd the command document
   * @param speculative whether it came from hello
   * @returns the reply without `ok`
   * @throws CommandError with mongod's code for the failure
   */
  async saslStart(db: string, cmd: Document, speculative: boolean): Promise<Document> {
    const name = requiredField(cmd, "saslStart", "mechanism", "string");
    const payload = readPayload(cmd, "saslStart");
    const options = optionalField(cmd, "saslStart", "options", "object") ?? {};
    this.#conversation = undefined;
    const mechanism = this.#mechanism(name);
    if (speculative && mechanism.plaintext) {
      throw new CommandError(2, "Plaintext mechanisms may not be used with speculativeSaslStart");
    }
    const outcome: Conversation["outcome"] = {};
    const conversation = mechanism.start({
      db,
      config: this.deps.config,
      connection: this.deps.connection,
      speculative,
      options,
      findUser: (user, userDb) => this.deps.users.find(user, userDb),
      authenticated: (user, userDb) => {
        outcome.principal = { user, db: userDb };
      },
    });
    this.#conversation = { mechanism, conversation, speculative, outcome };
    if (speculative) this.deps.stats.speculative.received++;
    return await this.#step(payload);
  }

  /**
   * The saslContinue command.
   * @param cmd the command document
   * @returns the reply without `ok`
   * @throws CommandError with mongod's code for the failure
   */
  async saslContinue(cmd: Document): Promise<Document> {
    const conversationId = requiredField(cmd, "saslContinue", "conversationId", "number");
    const payload = readPayload(cmd, "saslContinue");
    if (this.#conversation === undefined) throw new CommandError(17, "No SASL session state found");
    if (conversationId !== 1) {
      this.#conversation = undefined;
      throw new CommandError(17, "sasl: Mismatched conversation id");
    }
    return await this.#step(payload);
  }

  /**
   * The authenticate command (MONGODB-X509), also run for hello's speculativeAuthenticate.
   * @param db the authentication database
   * @param cmd the command document
   * @param speculative whether it came from hello
   * @returns `{ user, dbname }`
   * @throws CommandError: 18 for every failure but UserNotFound and ProtocolError, as mongod
   */
  async authenticate(db: string, cmd: Document, speculative = false): Promise<Document> {
    const name = requiredField(cmd, "authenticate", "mechanism", "string");
    const user = optionalField(cmd, "authenticate", "user", "string");
    try {
      const mechanism = this.#enabled().find((m) => m.name === name && m.viaAuthenticate);
      if (mechanism === undefined) throw new AuthFailure(`Unsupported mechanism: ${name}`);
      // mongod synthesizes a saslStart whose payload is BSON { principalName?: user }.
      const payload = new Binary(BSON.serialize(user === undefined ? {} : { principalName: user }));
      const reply = await this.saslStart(db, { saslStart: 1, mechanism: name, payload }, speculative);
      if (reply.done !== true) throw new AuthFailure(`${name} did not complete in one step`);
      return { dbname: this.#user!.db, user: this.#user!.user };
    } catch (error) {
      this.#conversation = undefined;
      if (error instanceof CommandError && (error.code === 11 || error.code === 17)) throw error;
      if (error instanceof AuthFailure) this.#recordFailure(error.message);
      throw authenticationFailed();
    }
  }

  /**
   * The logout command: forgets the authenticated user if it belongs to `db`.
   * @param db the command's database
   */
  logout(db: string): void {
    if (this.#user?.db === db) this.#user = undefined;
  }

  /** Mechanisms enabled by this server's configuration, in advertising order. */
  #enabled(): SaslMechanismServer[] {
    return this.deps.mechanisms.filter((m) => m.enabled?.(this.deps.config) ?? true);
  }

  #mechanism(name: string): SaslMechanismServer {
    const mechanism = this.#enabled().find((m) => m.name === name);
    if (mechanism === undefined) {
      throw new CommandError(334, `Received authentication for mechanism ${name} which is not enabled`);
    }
    return mechanism;
  }

  /** mongod's doSaslStep: any failure of the mechanism is code 18 and ends the session. */
  async #step(payload: { bytes: Uint8Array; base64: boolean }): Promise<Document> {
    const current = this.#conversation!;
    let result;
    try {
      result = await current.conversation.step(payload.bytes);
      if (result.done && current.outcome.principal === undefined) {
        throw new AuthFailure("mechanism finished without a user");
      }
    } catch (error) {
      this.#conversation = undefined;
      this.#recordFailure(
        error instanceof AuthFailure ? error.message : `internal: ${(error as Error).message}`,
      );
      throw authenticationFailed();
    }
    if (result.done) this.#succeed(current);
    const bytes = result.payload;
    return {
      conversationId: 1,
      done: result.done,
      payload: payload.base64 ? Buffer.from(bytes).toString("base64") : new Binary(bytes),
    };
  }

  /** mongod's addAndAuthorizeUser: one user per connection; the same user may authenticate again. */
  #succeed(current: Conversation): void {
    this.#conversation = undefined;
    const principal = current.outcome.principal!;
    const previous = this.#user;
    if (previous !== undefined && (previous.user !== principal.user || previous.db !== principal.db)) {
      this.#recordFailure("already authenticated as another user");
      if (previous.db === principal.db) {
        throw new CommandError(
          5626701,
          `Each client connection may only be authenticated once. Previously authenticated as: ${previous.user}@${previous.db}`,
        );
      }
      throw new CommandError(
        5626702,
        `Client has attempted to authenticate on multiple databases.Already authenticated as: ${previous.user}@${previous.db}`,
      );
    }
    const user = this.deps.users.find(principal.user, principal.db);
    if (user === undefined) {
      this.#recordFailure("authenticated user is not in the user store");
      throw new CommandError(11, `Could not find user "${principal.user}" for db "${principal.db}"`);
    }
    this.#user = user;
    const stats = this.deps.stats;
    stats.authSuccesses++;
    bump(stats.authSuccessesByMechanism, current.mechanism.name);
    if (current.speculative) stats.speculative.successful++;
  }

  #recordFailure(reason: string): void {
    this.deps.stats.authFailures++;
    this.deps.stats.authFailureReasons.push(reason);
  }
}

/** saslStart/saslContinue `payload`: BinData, or a base64 string answered in kind (as mongod). */
function readPayload(cmd: Document, command: string): { bytes: Uint8Array; base64: boolean } {
  const payload = cmd.payload;
  if (payload === undefined) {
    throw new CommandError(40414, `BSON field '${command}.payload' is missing but a required field`);
  }
  if (payload instanceof Binary) return { bytes: payload.value(), base64: false };
  if (payload instanceof Uint8Array) return { bytes: payload, base64: false };
  if (typeof payload === "string") {
    return { bytes: new Uint8Array(Buffer.from(payload, "base64")), base64: true };
  }
  throw new CommandError(
    14,
    `BSON field '${command}.payload' is the wrong type, expected type 'binData' or 'string'`,
  );
}

/** mongod's UserName::parseFromVariant: "db.user" (split at the first dot) or `{ user, db }`. */
function parseUserName(value: unknown): UserName {
  if (typeof value === "string") {
    const dot = value.indexOf(".");
    if (dot < 0) throw new CommandError(2, "username must contain a '.' separated database.user pair");
    return { db: value.slice(0, dot), user: value.slice(dot + 1) };
  }
  if (typeof value === "object" && value !== null) {
    const { user, db } = value as Record<string, unknown>;
    if (typeof user === "string" && typeof db === "string") return { user, db };
  }
  throw new CommandError(14, "saslSupportedMechs must be a string 'db.user' or an object { user, db }");
}
