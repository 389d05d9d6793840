// The commands the reference server knows, and mongod's order of checks before one runs
// (service_entry_point_common.cpp): unknown command (59), the Stable API parameters
// (initialize_api_parameters.cpp), authentication required (13), the command's IDL parse for typed
// commands (its namespace: 73), the user's roles (13, authorization.ts), `$readPreference`
// (readRequestMetadata), admin-only (13), `requireApiVersion` (498870), the
// failCommand failpoint, whether the command may run on this member ("not primary": 13435, 10107, 13436),
// then the command.
import { type Action, checkAuthorized } from "./authorization.ts";
import { collectionName, DROP, drop, FIND, find, INSERT, insert } from "./collections.ts";
import type { CommandContext, CommandRequest } from "./context.ts";
import { CommandError } from "./errors.ts";
import { hello } from "./hello.ts";
import { elementsOf, type IdlStruct, parseIdl, rawDocument, wrongType } from "./idl.ts";
import { type ReadPreferenceMode, readPreferenceOf } from "./read-preference.ts";
import { AUTHENTICATE, SASL_CONTINUE, SASL_START } from "./session.ts";
import type { Document } from "./wire.ts";

interface CommandSpec {
  /** mongod's requiresAuth(): false only for the commands a client may run before it authenticates. */
  readonly requiresAuth: boolean;
  /**
   * mongod's secondaryAllowed(): may run on a secondary always (default), only when the read preference
   * opts in (`optIn`: reads), or never (writes).
   */
  readonly secondaryAllowed?: "optIn" | "never";
  /** The action the authenticated user's roles must grant on the command's database (doCheckAuthorization). */
  readonly action?: Action;
  /** mongod's maintenanceOk() is false: refused on a member that is neither primary nor secondary. */
  readonly notInMaintenance?: true;
  readonly adminOnly?: boolean;
  /** In Stable API version 1 (the command's `api_version: "1"` in its IDL, or apiVersions()). */
  readonly apiV1?: boolean;
  /** supportsWriteConcern(): only the writes. */
  readonly writeConcern?: boolean;
  /**
   * A TypedCommand's IDL parse (before the command runs, after the authentication check); throws
   * mongod's parse errors. Commands without one are mongod BasicCommands that read only the fields they
   * know.
   */
  parse?(request: CommandRequest, name: string): void;
  run(ctx: CommandContext, cmd: Document, name: string): Promise<Document> | Document;
}

const buildInfoSpec: CommandSpec = { requiresAuth: false, run: buildInfo };

/** connection_status.idl */
const CONNECTION_STATUS: IdlStruct = { fields: { showPrivileges: { type: "safeBool" } } };
/** authentication_commands.idl: logout takes no fields. */
const LOGOUT: IdlStruct = { fields: {} };

/** The parse step of a TypedCommand generated from `idl`. */
function typed(idl: IdlStruct): (request: CommandRequest, name: string) => void {
  return (request, name) => parseIdl(name, idl, request);
}

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  hello: { requiresAuth: false, apiV1: true, run: hello },
  isMaster: { requiresAuth: false, run: hello },
  ismaster: { requiresAuth: false, run: hello },
  buildInfo: buildInfoSpec,
  buildinfo: buildInfoSpec,
  ping: { requiresAuth: false, apiV1: true, run: () => ({}) },
  saslStart: {
    requiresAuth: false,
    apiV1: true,
    parse: typed(SASL_START),
    run: (ctx, cmd) => ctx.session.saslStart(ctx.db, ctx.request, false, cmd.apiStrict === true),
  },
  saslContinue: {
    requiresAuth: false,
    apiV1: true,
    parse: typed(SASL_CONTINUE),
    run: (ctx) => ctx.session.saslContinue(ctx.request),
  },
  authenticate: {
    requiresAuth: false,
    apiV1: true,
    parse: typed(AUTHENTICATE),
    run: (ctx, cmd) => ctx.session.authenticate(ctx.db, cmd, false, cmd.apiStrict === true),
  },
  connectionStatus: { requiresAuth: false, parse: typed(CONNECTION_STATUS), run: connectionStatus },
  logout: {
    requiresAuth: true,
    parse: typed(LOGOUT),
    run: (ctx) => {
      ctx.session.logout(ctx.db);
      return {};
    },
  },
  endSessions: { requiresAuth: true, apiV1: true, parse: parseEndSessions, run: () => ({}) },
  find: {
    requiresAuth: true,
    action: "find",
    apiV1: true,
    secondaryAllowed: "optIn",
    notInMaintenance: true,
    parse: typed(FIND),
    run: find,
  },
  insert: {
    requiresAuth: true,
    action: "insert",
    apiV1: true,
    writeConcern: true,
    secondaryAllowed: "never",
    notInMaintenance: true,
    parse: typed(INSERT),
    run: insert,
  },
  drop: {
    requiresAuth: true,
    action: "dropCollection",
    apiV1: true,
    writeConcern: true,
    secondaryAllowed: "never",
    notInMaintenance: true,
    parse: typed(DROP),
    run: drop,
  },
  // FaultInjectCmd: "No auth needed because it only works when enabled via command line" (enableTestCommands).
  configureFailPoint: {
    requiresAuth: false,
    adminOnly: true,
    run: (ctx, cmd) => ctx.server.failPoints.configure(cmd),
  },
};

/** Thrown when failCommand's closeConnection fires: the server drops the connection, no reply. */
export class CloseConnection extends Error {
  constructor() {
    super("failCommand closeConnection");
    this.name = "CloseConnection";
  }
}

/** mongod's checkAllowedOpQueryCommand (7.0): what may still come over OP_QUERY. */
const OP_QUERY_COMMANDS: ReadonlySet<string> = new Set([
  "_isSelf",
  "authenticate",
  "buildinfo",
  "buildInfo",
  "hello",
  "isMaster",
  "ismaster",
  "saslContinue",
  "saslStart",
]);

/**
 * Whether mongod 7.0 accepts a command over OP_QUERY.
 * @param name the command name (the query's first field)
 * @returns true for the handshake and authentication commands
 */
export function allowedOverOpQuery(name: string): boolean {
  return OP_QUERY_COMMANDS.has(name);
}

/**
 * Runs one command.
 * @param ctx the command context (the command itself is `ctx.request`)
 * @returns the full reply, `ok` included
 * @throws CloseConnection when a failpoint says to drop the connection
 */
export async function runCommand(ctx: CommandContext): Promise<Document> {
  const cmd = ctx.request.doc;
  const name = Object.keys(cmd)[0] ?? "";
  ctx.server.stats.commands[name] = (ctx.server.stats.commands[name] ?? 0) + 1;
  try {
    const spec = specOf(name);
    if (spec === undefined) throw new CommandError(59, `no such command: '${name}'`);
    checkApiParameters(name, spec, cmd);
    if (spec.requiresAuth && ctx.session.user === undefined) {
      throw new CommandError(13, `Command ${name} requires authentication`);
    }
    spec.parse?.(ctx.request, name);
    // doCheckAuthorization, on the namespace the parse found (73 first), before the replication checks.
    if (spec.action && ctx.session.user) {
      collectionName(ctx, cmd, name);
      checkAuthorized(ctx.session.user.roles, ctx.db, spec.action, cmd);
    }
    const readPreference = readPreferenceOf(ctx.request);
    recordReadPreference(ctx, name);
    checkGenericArguments(spec, cmd);
    if (cmd.maxTimeMS !== undefined) (ctx.server.stats.maxTimeMS[name] ??= []).push(Number(cmd.maxTimeMS));
    if (spec.adminOnly && ctx.db !== "admin") {
      throw new CommandError(13, `${name} may only be run against the admin database.`);
    }
    enforceRequireApiVersion(ctx, cmd);
    const action = ctx.server.failPoints.check(name, ctx.connection.appName);
    if (action !== undefined) ctx.server.stats.failpointHits++;
    if (action?.blockMS !== undefined) await blocked(action.blockMS, ctx.connection.closed);
    if (action?.kind === "closeConnection") throw new CloseConnection();
    if (action?.kind === "error") throw action.error;
    checkCanRunHere(ctx, spec, readPreference);
    // Object.assign, not a spread: V8 builds `{ ...reply, ok: 1 }` on a slow path, microseconds a reply.
    const reply: Document = {};
    Object.assign(reply, await spec.run(ctx, cmd, name));
    reply.ok = 1;
    return reply;
  } catch (error) {
    if (error instanceof CommandError) return withErrorLabels(error, specOf(name), cmd).toReply();
    throw error;
  }
}

function specOf(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** The ErrorCategory::RetriableError codes a retryable write may be retried after (error_codes.yml). */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * error_labels.cpp's getErrorLabels: a retryable write (a write command with a txnNumber, outside a
 * transaction) that failed with a retryable code gets "RetryableWriteError", which drivers of 4.4+ servers
 * rely on to retry it once.
 */
function withErrorLabels(error: CommandError, spec: CommandSpec | undefined, cmd: Document): CommandError {
  const retryableWrite = spec?.writeConcern === true && cmd.txnNumber !== undefined &&
    cmd.autocommit === undefined;
  if (
    !retryableWrite || !RETRYABLE_CODES.has(error.code) || error.errorLabels.includes("RetryableWriteError")
  ) {
    return error;
  }
  return new CommandError(error.code, error.message, [...error.errorLabels, "RetryableWriteError"]);
}

const HANDSHAKE_COMMANDS: ReadonlySet<string> = new Set([
  "hello",
  "isMaster",
  "ismaster",
  "saslStart",
  "saslContinue",
  "authenticate",
]);

// For stats.readPreferences: what a client sent, as it sent it.
function recordReadPreference(ctx: CommandContext, name: string): void {
  if (HANDSHAKE_COMMANDS.has(name)) return;
  const given = ctx.request.doc.$readPreference as { mode?: unknown } | undefined;
  const mode = given === undefined ? "none" : String(given.mode);
  (ctx.server.stats.readPreferences[name] ??= []).push(mode);
}

// failCommand's blockConnection: the command waits (the connection with it), until the connection ends.
function blocked(ms: number, closed: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    closed.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      closed.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * The "not primary" checks of ExecCommandDatabase::_initiateCommand, after commandCanRunHere: a member
 * that cannot accept writes runs a command only if it is allowed on secondaries always, or opted in by a
 * read preference other than primary (else 13435 for a read, 10107 for a write); a member that is
 * neither primary nor secondary refuses what is not maintenanceOk (13436). Messages say "master" to a
 * client that did not send helloOk, as mongod's do.
 */
function checkCanRunHere(ctx: CommandContext, spec: CommandSpec, readPreference: ReadPreferenceMode): void {
  const { role } = ctx.server;
  // canAcceptWritesForDatabase: a primary, anything that is not a member, and the local database.
  if (role.canAcceptWrites() || ctx.db === "local") return;
  const hello = ctx.connection.supportsHello;
  const optIn = spec.secondaryAllowed === "optIn";
  const canRunHere = spec.secondaryAllowed === undefined || (optIn && readPreference !== "primary");
  if (!canRunHere && optIn) {
    throw new CommandError(
      13435,
      hello ? "not primary and secondaryOk=false" : "not master and slaveOk=false",
    );
  }
  if (!canRunHere) throw new CommandError(10107, hello ? "not primary" : "not master");
  const state = role.memberState();
  if (spec.notInMaintenance && state !== "SECONDARY") {
    throw new CommandError(
      13436,
      state === "RECOVERING" ? "node is recovering" : "node is not in primary or recovering state",
    );
  }
}

const API_PARAMETER_TYPES = [
  ["apiVersion", "string"],
  ["apiStrict", "boolean"],
  ["apiDeprecationErrors", "boolean"],
];

/**
 * initializeAPIParameters (db/api_parameters.cpp): `apiVersion` a string and "1" (322 APIVersionError),
 * `apiStrict` and `apiDeprecationErrors` booleans that need an apiVersion (4886600), and a strict client
 * may run only API version 1 commands (323 APIStrictError).
 */
function checkApiParameters(name: string, spec: CommandSpec, cmd: Document): void {
  for (const [field, type] of API_PARAMETER_TYPES) {
    if (cmd[field] !== undefined && typeof cmd[field] !== type) {
      throw new CommandError(
        14,
        `BSON field 'APIParametersFromClient.${field}' is the wrong type, expected type '${
          type === "string" ? "string" : "bool"
        }'`,
      );
    }
  }
  if (cmd.apiVersion === undefined) {
    if (cmd.apiStrict !== undefined || cmd.apiDeprecationErrors !== undefined) {
      throw new CommandError(
        4886600,
        "Provided apiStrict and/or apiDeprecationErrors without passing apiVersion",
      );
    }
    return;
  }
  if (cmd.apiVersion !== "1") throw new CommandError(322, 'API version must be "1"');
  if (cmd.apiStrict === true && !spec.apiV1) {
    throw new CommandError(
      323,
      `Provided apiStrict:true, but the command ${name} is not in API Version 1. Information on supported ` +
        "commands and migrations in API Version 1 can be found at https://dochub.mongodb.org/core/manual-versioned-api",
    );
  }
}

/**
 * mongod's enforceRequireAPIVersion: with `requireApiVersion` set, a command from an outside client must
 * carry `apiVersion` (every command: hello, the authentication commands, getMore).
 */
function enforceRequireApiVersion(ctx: CommandContext, cmd: Document): void {
  if (ctx.server.config.requireApiVersion !== true || cmd.apiVersion !== undefined) return;
  throw new CommandError(
    498870,
    "The apiVersion parameter is required, please configure your MongoClient's API version",
  );
}

/**
 * The generic arguments mongod checks for every command (service_entry_point_common.cpp,
 * query/max_time_ms_parser.cpp): writeConcern only where the command supports it (72), maxTimeMS a whole
 * number of milliseconds from 0 to 2^31 − 1 (2).
 */
function checkGenericArguments(spec: CommandSpec, cmd: Document): void {
  if (cmd.writeConcern !== undefined && !spec.writeConcern) {
    throw new CommandError(72, "Command does not support writeConcern");
  }
  const maxTimeMS = cmd.maxTimeMS;
  if (maxTimeMS === undefined) return;
  const value = typeof maxTimeMS === "number"
    ? maxTimeMS
    : Number((maxTimeMS as { valueOf(): unknown })?.valueOf?.());
  if (typeof maxTimeMS === "string" || typeof maxTimeMS === "boolean" || Number.isNaN(value)) {
    throw new CommandError(2, "maxTimeMS must be a number");
  }
  if (value < 0 || value > 2 ** 31 - 1) throw new CommandError(2, "maxTimeMS is out of range");
  if (!Number.isInteger(value)) throw new CommandError(2, "maxTimeMS has non-integral value");
}

function buildInfo(): Document {
  return {
    version: "7.0.0",
    gitVersion: "0000000000000000000000000000000000000000",
    modules: [],
    sysInfo: "deprecated",
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16777216,
  };
}

function connectionStatus(ctx: CommandContext, cmd: Document): Document {
  if (cmd.showPrivileges !== undefined && cmd.showPrivileges !== false && cmd.showPrivileges !== 0) {
    // mongod lists every privilege of every role; this server knows role names only.
    throw new CommandError(2, "the reference server's connectionStatus does not support showPrivileges");
  }
  const user = ctx.session.user;
  return {
    authInfo: {
      authenticatedUsers: user === undefined ? [] : [{ user: user.user, db: user.db }],
      authenticatedUserRoles: user === undefined ? [] : user.roles.map(({ role, db }) => ({ role, db })),
    },
  };
}

/** logical_session_id.idl's LogicalSessionFromClient: `{ id: UUID, uid?: binData }`, strict. */
const SESSION_FROM_CLIENT: IdlStruct = {
  fields: { id: { type: "uuid", required: true }, uid: { type: "any" } },
};

/**
 * endSessions (sessions_commands.idl's EndSessionsCmdFromClient, not strict): the command's own value is
 * an array of LogicalSessionFromClient (strict). Sessions are not tracked, so valid ones just end.
 */
function parseEndSessions(request: CommandRequest): void {
  const first = request.elements[0];
  if (first.type !== 4) throw wrongType("endSessions.endSessions", first.type, [4]);
  for (const session of elementsOf(first.value)) {
    if (session.type !== 3) throw wrongType(`endSessions.endSessions.${session.name}`, session.type, [3]);
    parseIdl("endSessions.endSessions", SESSION_FROM_CLIENT, rawDocument(session.value, {}), false);
  }
}
