// The commands the reference server knows, and mongod's order of checks before one runs:
// unknown command (59), admin-only (13), authentication required (13), failCommand failpoint.
import type { CommandContext } from "./context.ts";
import { CommandError } from "./errors.ts";
import { hello } from "./hello.ts";
import { drop, find, insert } from "./collections.ts";
import type { Document } from "./wire.ts";

interface CommandSpec {
  /** mongod's requiresAuth(): false only for the commands a client may run before it authenticates. */
  readonly requiresAuth: boolean;
  readonly adminOnly?: boolean;
  run(ctx: CommandContext, cmd: Document, name: string): Promise<Document> | Document;
}

const helloSpec: CommandSpec = { requiresAuth: false, run: hello };
const buildInfoSpec: CommandSpec = { requiresAuth: false, run: buildInfo };

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  hello: helloSpec,
  isMaster: helloSpec,
  ismaster: helloSpec,
  buildInfo: buildInfoSpec,
  buildinfo: buildInfoSpec,
  ping: { requiresAuth: false, run: () => ({}) },
  saslStart: { requiresAuth: false, run: (ctx, cmd) => ctx.session.saslStart(ctx.db, cmd, false) },
  saslContinue: { requiresAuth: false, run: (ctx, cmd) => ctx.session.saslContinue(cmd) },
  authenticate: { requiresAuth: false, run: (ctx, cmd) => ctx.session.authenticate(ctx.db, cmd) },
  connectionStatus: { requiresAuth: false, run: connectionStatus },
  logout: {
    requiresAuth: true,
    run: (ctx) => {
      ctx.session.logout(ctx.db);
      return {};
    },
  },
  endSessions: { requiresAuth: true, run: () => ({}) },
  find: { requiresAuth: true, run: find },
  insert: { requiresAuth: true, run: insert },
  drop: { requiresAuth: true, run: drop },
  configureFailPoint: {
    requiresAuth: true,
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

/**
 * Whether the server knows a command, for OP_QUERY's legacy handshake check.
 * @param name the command name
 * @returns true for hello and its legacy aliases
 */
export function isHelloCommand(name: string): boolean {
  return name === "hello" || name === "isMaster" || name === "ismaster";
}

/**
 * Runs one command.
 * @param ctx the command context
 * @param cmd the command document; its first key is the command name
 * @returns the full reply, `ok` included
 * @throws CloseConnection when a failpoint says to drop the connection
 */
export async function runCommand(ctx: CommandContext, cmd: Document): Promise<Document> {
  const name = Object.keys(cmd)[0] ?? "";
  ctx.server.stats.commands[name] = (ctx.server.stats.commands[name] ?? 0) + 1;
  try {
    const spec = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (spec === undefined) throw new CommandError(59, `no such command: '${name}'`);
    if (spec.adminOnly && ctx.db !== "admin") {
      throw new CommandError(13, `${name} may only be run against the admin database.`);
    }
    if (spec.requiresAuth && ctx.session.user === undefined) {
      throw new CommandError(13, `Command ${name} requires authentication`);
    }
    const action = ctx.server.failPoints.check(name, ctx.connection.appName);
    if (action !== undefined) ctx.server.stats.failpointHits++;
    if (action?.kind === "closeConnection") throw new CloseConnection();
    if (action?.kind === "error") throw action.error;
    return { ...(await spec.run(ctx, cmd, name)), ok: 1 };
  } catch (error) {
    if (error instanceof CommandError) return error.toReply();
    throw error;
  }
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

function connectionStatus(ctx: CommandContext): Document {
  const user = ctx.session.user;
  return {
    authInfo: {
      authenticatedUsers: user === undefined ? [] : [{ user: user.user, db: user.db }],
      authenticatedUserRoles: user === undefined ? [] : user.roles.map(({ role, db }) => ({ role, db })),
    },
  };
}
