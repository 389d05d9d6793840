// One connection's authentication state, after mongod 7.0's AuthenticationSession (one session per
// connection: none, opened by hello's saslSupportedMechs, or running a mechanism), sasl_commands.cpp,
// authentication_commands.cpp and AuthorizationSession (at most one authenticated user, MongoDB 6.0+),
// with mongod's rules for which errors reach the client as they are and which become the fixed code 18
// "Authentication failed.".
import { Binary, BSON } from "bson";
import type { ServerConfig } from "./config.ts";
import { decodeBase64 } from "./base64.ts";
import { authenticationFailed, AuthFailure, CommandError } from "./errors.ts";
import { bsonTypeName, checkDatabaseName, type IdlStruct, parseIdl, type RawDocument } from "./idl.ts";
import type { SaslConversation, SaslMechanismServer, ServerConnectionInfo, StoredUser } from "./sasl.ts";
import { bump, type ServerStats } from "./stats.ts";
import type { UserStore } from "./users.ts";
import type { Document } from "./wire.ts";

/** sasl_commands.idl's saslStart (strict; `payload` is a SaslPayload, checked by decodePayload). */
export const SASL_START: IdlStruct = {
  fields: {
    mechanism: { type: "string", required: true },
    autoAuthorize: { type: "safeBool" },
    options: { type: "object" },
    payload: { type: "any", required: true },
  },
};

/** sasl_commands.idl's saslContinue (strict; conversationId is a 32-bit int). */
export const SASL_CONTINUE: IdlStruct = {
  fields: {
    conversationId: { type: "int", required: true },
    payload: { type: "any", required: true },
  },
};

/** authentication_commands.idl's authenticate (strict). */
export const AUTHENTICATE: IdlStruct = {
  fields: { mechanism: { type: "string", required: true }, user: { type: "string" } },
};

/** hello's speculative saslStart: a saslStart whose database is its `db` field. */
const SPECULATIVE_SASL_START: IdlStruct = { fields: { ...SASL_START.fields, db: { type: "string" } } };

/** hello's speculative authenticate: an authenticate whose database is its `db` field. */
const SPECULATIVE_AUTHENTICATE: IdlStruct = { fields: { ...AUTHENTICATE.fields, db: { type: "string" } } };

const EXTERNAL = "$external";

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

/** mongod's AuthenticationSession: exists between hello's saslSupportedMechs or a start and the end. */
interface Session {
  conversation?: Conversation;
}

/** The authentication state of one connection. */
export class AuthSession {
  #user: StoredUser | undefined;
  #session: Session | undefined;

  constructor(private readonly deps: SessionDeps) {}

  /** The authenticated user, if any. */
  get user(): StoredUser | undefined {
    return this.#user;
  }

  /**
   * hello's `saslSupportedMechs` (SASLServerMechanismRegistry::advertiseMechanismNamesForUser): starts a
   * new session (dropping any conversation in flight) and lists the SASL mechanisms that could
   * authenticate the user on its database.
   * @param value "db.user", or the `{ user, db }` document as received (hello's IDL checked the type)
   * @returns the mechanism names, or undefined for an unknown user (mongod omits the field)
   * @throws CommandError 2 when the value is not a user name
   */
  supportedMechanisms(value: string | RawDocument): string[] | undefined {
    const name = parseUserName(value);
    this.#session = {};
    const user = this.deps.users.find(name.user, name.db);
    if (user === undefined) return undefined;
    return this.#saslMechanisms(name.db)
      .filter((m) => name.db === EXTERNAL || user.mechanisms.includes(m.name))
      .map((m) => m.name);
  }

  /**
   * The saslStart command (its IDL already checked by the command dispatcher).
   * @param db the authentication database (`$db`)
   * @param raw the command
   * @param speculative whether it came from hello
   * @param apiStrict the running command's `apiStrict` (hello's for a speculative one)
   * @returns the reply without `ok`
   * @throws CommandError with mongod's code for the failure
   */
  async saslStart(db: string, raw: RawDocument, speculative: boolean, apiStrict: boolean): Promise<Document> {
    const payload = decodePayload(raw, speculative ? "speculative saslStart" : "saslStart");
    const cmd = raw.doc;
    // AuthenticationSession::StepGuard: a start begins a new session; any failure ends it.
    this.#session = {};
    try {
      return await this.#start(db, cmd, payload, { speculative, apiStrict });
    } catch (error) {
      this.#session = undefined;
      throw error;
    }
  }

  /**
   * hello's speculative saslStart (doSpeculativeSaslStart): `db` becomes `$db` and the document is parsed
   * as a saslStart; the caller drops the reply on any error.
   * @param spec the speculativeAuthenticate document
   * @param apiStrict hello's `apiStrict` (the API parameters are the command's, not the document's)
   * @returns the saslStart reply, or undefined when there is no `db` (mongod skips the attempt)
   */
  async speculativeSaslStart(spec: RawDocument, apiStrict: boolean): Promise<Document | undefined> {
    if (!("db" in spec.doc)) return undefined;
    this.#session = {};
    try {
      if ("$db" in spec.doc) {
        throw new CommandError(40413, "BSON field 'speculative saslStart.$db' is a duplicate field");
      }
      parseIdl("speculative saslStart", SPECULATIVE_SASL_START, spec);
      checkDatabaseName(spec.doc.db as string);
      return await this.saslStart(spec.doc.db as string, spec, true, apiStrict);
    } catch (error) {
      this.#session = undefined;
      throw error;
    }
  }

  /**
   * The saslContinue command (its IDL already checked).
   * @param raw the command
   * @returns the reply without `ok`
   * @throws CommandError with mongod's code for the failure
   */
  async saslContinue(raw: RawDocument): Promise<Document> {
    const payload = decodePayload(raw, "saslContinue");
    const session = this.#session;
    if (session === undefined) throw new CommandError(17, "No SASL session state found");
    if (session.conversation === undefined) throw new CommandError(17, "saslContinue must follow saslStart");
    try {
      if (raw.doc.conversationId !== 1) throw new CommandError(17, "sasl: Mismatched conversation id");
      return await this.#step(session.conversation, payload, raw.doc.apiStrict === true);
    } catch (error) {
      this.#session = undefined;
      throw error;
    }
  }

  /**
   * The authenticate command (MONGODB-X509; mongod 7.0's authCommand), also run for hello's speculative
   * authenticate. MONGODB-X509 is no SASL mechanism in 7.0: it is reachable only here.
   * @param db the authentication database
   * @param cmd the command document (its IDL already checked)
   * @param speculative whether it came from hello
   * @param apiStrict the running command's `apiStrict` (hello's for a speculative one)
   * @returns `{ user, dbname }`
   * @throws CommandError: 18 for every failure but UserNotFound (11) and ProtocolError (17), as mongod
   */
  async authenticate(db: string, cmd: Document, speculative: boolean, apiStrict: boolean): Promise<Document> {
    const name = cmd.mechanism as string;
    const user = cmd.user as string | undefined;
    this.#session = {};
    try {
      const mechanism = this.#enabled().find((m) => m.name === name && m.viaAuthenticate);
      if (mechanism === undefined) throw new AuthFailure(`Unsupported mechanism: ${name}`);
      const current = this.#begin(mechanism, db, speculative, {});
      // mongod synthesizes the X509 step's payload: BSON { principalName?: user }.
      const payload = BSON.serialize(user === undefined ? {} : { principalName: user });
      const result = await current.conversation.step(payload);
      if (!result.done || current.outcome.principal === undefined) {
        throw new AuthFailure(`${name} did not complete in one step`);
      }
      this.#succeed(current, apiStrict);
      return { dbname: this.#user!.db, user: this.#user!.user };
    } catch (error) {
      this.#session = undefined;
      const known = error instanceof AuthFailure || error instanceof CommandError;
      this.#recordFailure(known ? error.message : `internal: ${(error as Error).message}`);
      if (error instanceof CommandError && (error.code === 11 || error.code === 17)) throw error;
      throw authenticationFailed();
    }
  }

  /**
   * hello's speculative authenticate (doSpeculativeAuthenticate): `db` becomes `$db`, defaulting to
   * $external, and the document is parsed as an authenticate command.
   * @param spec the speculativeAuthenticate document
   * @param apiStrict hello's `apiStrict`
   * @returns `{ user, dbname }`
   * @throws any error; the caller drops the reply
   */
  speculativeAuthenticate(spec: RawDocument, apiStrict: boolean): Promise<Document> {
    if ("$db" in spec.doc && "db" in spec.doc) {
      throw new CommandError(40413, "BSON field 'speculative X509 Authenticate.$db' is a duplicate field");
    }
    parseIdl("speculative X509 Authenticate", SPECULATIVE_AUTHENTICATE, spec);
    const db = (spec.doc.db ?? spec.doc.$db ?? EXTERNAL) as string;
    checkDatabaseName(db);
    return this.authenticate(db, spec.doc, true, apiStrict);
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

  /** The SASL registry's list for a database: $external's mechanisms there, the others elsewhere. */
  #saslMechanisms(db: string): SaslMechanismServer[] {
    return this.#enabled().filter((m) => !m.viaAuthenticate && (m.external === true) === (db === EXTERNAL));
  }

  /**
   * runSaslStart / doSaslStart: the mechanism counted (334), looked up on the database (334), plaintext
   * check, options, first step.
   */
  async #start(db: string, cmd: Document, payload: Payload, command: CommandParameters): Promise<Document> {
    const name = cmd.mechanism as string;
    const { speculative } = command;
    this.#countMechanism(name);
    const mechanism = this.#saslMechanisms(db).find((m) => m.name === name);
    if (mechanism === undefined) {
      throw new CommandError(334, `Unsupported mechanism '${name}' on authentication database '${db}'`);
    }
    if (speculative && mechanism.plaintext) {
      throw new CommandError(2, "Plaintext mechanisms may not be used with speculativeSaslStart");
    }
    const current = this.#begin(mechanism, db, speculative, (cmd.options as Document | undefined) ?? {});
    return await this.#step(current, payload, command.apiStrict);
  }

  /**
   * runSaslStart's setMechanismName, before the registry lookup: AuthCounter::getMechanismCounter
   * (db/stats/counters.cpp) knows the enabled mechanisms (authenticationMechanisms) and always
   * MONGODB-X509 and SCRAM-SHA-256 (initializeMechanismMap); any other name is 334.
   */
  #countMechanism(name: string): void {
    if (name === "MONGODB-X509" || name === "SCRAM-SHA-256") return;
    if (this.#enabled().some((m) => m.name === name)) return;
    throw new CommandError(334, `Received authentication for mechanism ${name} which is not enabled`);
  }

  #begin(mechanism: SaslMechanismServer, db: string, speculative: boolean, options: Document): Conversation {
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
    const current = { mechanism, conversation, speculative, outcome };
    this.#session = { conversation: current };
    if (speculative) this.deps.stats.speculative.received++;
    return current;
  }

  /**
   * mongod's doSaslStep: a failure the mechanism returns (AuthFailure, or any error but a CommandError)
   * is code 18; one it throws (a CommandError: mongod's uasserts, e.g. base64::decode's) reaches the
   * client as it is. Either ends the session.
   */
  async #step(current: Conversation, payload: Payload, apiStrict: boolean): Promise<Document> {
    let result;
    try {
      result = await current.conversation.step(payload.bytes);
      if (result.done && current.outcome.principal === undefined) {
        throw new AuthFailure("mechanism finished without a user");
      }
    } catch (error) {
      const known = error instanceof AuthFailure || error instanceof CommandError;
      this.#recordFailure(known ? error.message : `internal: ${(error as Error).message}`);
      throw error instanceof CommandError ? error : authenticationFailed();
    }
    if (result.done) this.#succeed(current, apiStrict);
    const bytes = result.payload;
    return {
      conversationId: 1,
      done: result.done,
      payload: payload.base64 ? Buffer.from(bytes).toString("base64") : new Binary(bytes),
    };
  }

  /** mongod's addAndAuthorizeUser: the single-user check, then the user; counts the success. */
  #succeed(current: Conversation, apiStrict: boolean): void {
    this.#session = undefined;
    const principal = current.outcome.principal!;
    this.#checkSingleUser(principal, apiStrict);
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

  /**
   * AuthorizationSessionImpl::addAndAuthorizeUser (auth/authorization_session_impl.cpp, 7.0): one user per
   * connection (MongoDB 6.0+). The same user may authenticate again, but not when the command completing
   * it has `apiStrict: true` (5626703, unless the allowMultipleUsersWithApiStrict failpoint is on, which
   * this server does not have); another user is 5626701 on the same database, 5626702 on another.
   * (mongod's expired OIDC session, which lets only its user back in with 7070100, is not modelled.)
   */
  #checkSingleUser(principal: UserName, apiStrict: boolean): void {
    const previous = this.#user;
    if (previous === undefined) return;
    if (previous.user === principal.user && previous.db === principal.db) {
      if (!apiStrict) return;
      this.#recordFailure("re-authentication under apiStrict");
      throw new CommandError(5626703, "Each client connection may only be authenticated once");
    }
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

  #recordFailure(reason: string): void {
    this.deps.stats.authFailures++;
    this.deps.stats.authFailureReasons.push(reason);
  }
}

/** The API parameters of the command running a step that matter here (mongod's opCtx). */
interface CommandParameters {
  readonly speculative: boolean;
  readonly apiStrict: boolean;
}

interface Payload {
  bytes: Uint8Array;
  /** Answer in kind: a base64 string payload gets a base64 string back (SaslPayload). */
  base64: boolean;
}

/**
 * SaslPayload::parseFromBSON (sasl_payload.cpp): BinData of subtype 0, or a base64 string; anything else
 * is BadValue (2).
 */
function decodePayload(raw: RawDocument, context: string): Payload {
  const element = raw.elements.find((e) => e.name === "payload");
  if (element === undefined) {
    throw new CommandError(40414, `BSON field '${context}.payload' is missing but a required field`);
  }
  if (element.type === 5 && element.value[4] !== 0) {
    throw new CommandError(
      2,
      `Invalid SASLPayload subtype. Expected BinDataGeneral, got: ${element.value[4]}`,
    );
  }
  if (element.type !== 5 && element.type !== 2) {
    throw new CommandError(
      2,
      `Invalid SASLPayload type. Expected Base64 or BinData, got: ${bsonTypeName(element.type)}`,
    );
  }
  const value = raw.doc.payload;
  return typeof value === "string"
    ? { bytes: decodePayloadString(value), base64: true }
    : { bytes: (value as Binary).value(), base64: false };
}

/**
 * SaslPayload::parseFromBSON's string form: mongod's base64::decode (base64.ts), its error reason after
 * "Failed decoding SASL payload: ", same code. Stricter than mongod, which ignores them: the unused bits
 * before the padding must be zero (RFC 4648's canonical encoding; 10270).
 */
function decodePayloadString(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (error) {
    const { code, message } = error as CommandError;
    throw new CommandError(code, `Failed decoding SASL payload: ${message}`);
  }
  if (Buffer.from(bytes).toString("base64") !== text) {
    throw new CommandError(
      10270,
      "Failed decoding SASL payload: invalid base64 (non-zero padding bits; the reference server wants canonical base64)",
    );
  }
  return bytes;
}

/**
 * AuthName<UserName>::parseFromVariant (auth/auth_name.cpp, 7.0): "db.user" split at the first dot, or a
 * document of the strings `user` and `db`, each once, in mongod's words. Stricter than mongod: its
 * serverless `tenant` field (an ObjectId) is refused as an unknown field.
 */
function parseUserName(value: string | RawDocument): UserName {
  if (typeof value === "string") {
    const dot = value.indexOf(".");
    if (dot < 0) throw new CommandError(2, "UserName must contain a '.' separated database.user pair");
    return { db: value.slice(0, dot), user: value.slice(dot + 1) };
  }
  const seen = new Set<string>();
  for (const { name, type } of value.elements) {
    if (name !== "user" && name !== "db") {
      throw new CommandError(2, `UserName contains an unknown field named: '${name}`);
    }
    if (type !== 2) {
      throw new CommandError(
        2,
        `UserName must contain a string field named: ${name}. But, has type ${bsonTypeName(type)}`,
      );
    }
    if (seen.has(name)) throw new CommandError(2, `UserName has more than one field named: ${name}`);
    seen.add(name);
  }
  for (const name of ["user", "db"]) {
    if (!seen.has(name)) throw new CommandError(2, `UserName must contain a field named: ${name}`);
  }
  return { user: value.doc.user as string, db: value.doc.db as string };
}
