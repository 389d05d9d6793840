/**
 * The `mongo-auth` command line, runtime-free: `cli.ts` hands it the runtime's arguments, output
 * and `connect`.
 *
 * @module
 */
import type { ConnectOptions } from "../client/options.ts";
import type { Connection } from "../client/connection.ts";
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import type { TraceEvent } from "../core/trace.ts";
import { type Hint, hintsFor } from "../client/hints.ts";
import type { Document } from "../wire/command.ts";
import { formatHints, formatTrace } from "./explain.ts";
import { VERSION } from "../core/version.ts";
import { type ConnectionString, parseConnectionString } from "../credential/connection-string.ts";
import { type AuthMechanismProperties, passwordRequired } from "../credential/credential.ts";
import { HUMAN_CALLBACK_TIMEOUT_MS, type OidcCallback } from "../credential/oidc-callback.ts";
import type { HumanCallbackOptions } from "../mechanisms/oidc/human/human-callback.ts";
import {
  addressConnectionString,
  connectOptionsOf,
  givesHost,
  hostConnectionString,
  type LoginOptions,
  secretOptionIn,
  signInOptionsOf,
  takeLoginOptions,
} from "./login-options.ts";

/** A runtime's `connect`. */
export type Connect = (uri: string, options?: ConnectOptions) => Promise<Connection>;

/** Arguments and output of the CLI. */
export interface CliIo {
  /** The arguments after the program name, e.g. `["whoami", "--explain", "mongodb://…"]`. */
  args: string[];
  /** Writes one line of normal output. */
  out(line: string): void;
  /** Writes one line of error output. */
  err(line: string): void;
  /** Colour the `--explain` output (the CLI: on a terminal, unless `NO_COLOR` is set). Default: no. */
  color?: boolean;
  /** Reads an environment variable (`MONGODB_URI`, when no connection string is given). Default: none. */
  getEnv?(name: string): string | undefined;
  /**
   * Asks for a password at the terminal without echoing it: the line, `null` when the person cancelled
   * (Ctrl-C) or `signal` fired first, `undefined` when there is no terminal to ask at. Default: none.
   */
  readSecret?(prompt: string, signal: AbortSignal): Promise<string | null | undefined>;
  /** How long the password prompt waits for a person. Default: 5 minutes, as the human OIDC flow waits. */
  promptTimeoutMs?: number;
  /**
   * The runtime's human OIDC sign-in (`createHumanCallback` of `/deno` or `/node`), for a MONGODB-OIDC login
   * that names no ENVIRONMENT and no callback: the person signs in, as mongosh signs them in. Default: none
   * (connect() then says what MONGODB-OIDC needs).
   */
  signIn?(options: HumanCallbackOptions): OidcCallback;
}

const USAGE = "usage: mongo-auth whoami [--explain] [--json] [<connection-string>]";

// Where the connection string is read from when none is given: out of the shell's history and the process list.
const URI_VARIABLE = "MONGODB_URI";

const HELP = [
  USAGE,
  "",
  "  whoami <connection-string>  connect, authenticate, and print who the server says you are",
  `                              (without one: the environment variable ${URI_VARIABLE}, which keeps a`,
  "                              password out of the shell's history and the process list); a user",
  "                              given without a password is asked for it at the terminal",
  "  --explain                   add the login's trace and, when it fails, the hints that say why",
  "  --json                      print all of it as one JSON document",
  "  --apiVersion 1              declare Stable API version 1 (a deployment with requireApiVersion needs it)",
  "  --help, --version           print this, or the version",
  "",
  "mongosh's login options, which win over the connection string's (a command from MongoDB Atlas's",
  "Connect dialog runs with mongo-auth whoami in mongosh's place):",
  "  -u, --username <user>",
  "  -p, --password [<password>] -p alone asks at the terminal (a password given here shows in the process list)",
  "  --authenticationDatabase <db>, --authenticationMechanism <mechanism>",
  "  --tls, --tlsCAFile <file>, --tlsCertificateKeyFile <file>, --tlsCertificateKeyFilePassword <password>,",
  "  --tlsCRLFile <file>, --tlsAllowInvalidCertificates, --tlsAllowInvalidHostnames",
  "  --awsIamSessionToken <token> MONGODB-AWS's session token (the keys: --username, --password)",
  "  --oidcFlows auth-code|device-auth  MONGODB-OIDC without ENVIRONMENT: how the person signs in (default:",
  "                              auth-code, in a browser on this machine; device-auth: a code for any device)",
  "  --oidcRedirectUri <uri>, --oidcTrustedEndpoint (let the token go to the connection string's hosts)",
  "  --host [<replicaSet>/]<host>[:<port>][,…], --port <port>  in place of a connection string, as is",
  "                              <host>[:<port>][/<database>] (or a database on 127.0.0.1) after whoami",
  "  --retryWrites (taken; whoami writes nothing), and the mongo shell's --ssl… names of the TLS options",
  "",
  "Exit codes: 0 authenticated, 1 connection or authentication failed, 2 usage, 130 cancelled at the password prompt.",
];

const FLAGS: ReadonlySet<string> = new Set(["--explain", "--json"]);
// What an option's name looks like: --name, or -x; no digits, which a password mistyped against its option
// (--passwordS3cret) most often has.
const OPTION_NAME = /^(--[A-Za-z][A-Za-z-]*|-[A-Za-z])$/;

// The CLI's own words, which -p is never followed by as its password.
const OWN_WORDS: ReadonlySet<string> = new Set(["whoami", "help", ...FLAGS, "--help", "-h", "--version"]);

/**
 * Runs the CLI. `whoami` connects, authenticates and prints who the server says we are; `--explain`
 * adds the trace of the login and, when it fails, the hints derived from it (and lets the login spend
 * one bounded request on evidence, see the `explain` option); `--json` prints all of it as one JSON
 * document instead. Nothing printed holds a secret.
 *
 * @param io arguments and output
 * @param connect the runtime's `connect`
 * @returns the exit code: 0 authenticated (or `--help`, `--version`), 1 failed, 2 usage
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliMain } from "./main.ts";
 *
 * const errors: string[] = [];
 * const code = await cliMain({ args: [], out: () => {}, err: (l) => errors.push(l) }, () => Promise.reject(new Error()));
 * assert.equal(code, 2);
 * assert.match(errors[0], /usage/);
 * ```
 */
export async function cliMain(io: CliIo, connect: Connect): Promise<number> {
  const taken = takeLoginOptions(io.args, OWN_WORDS);
  const { args } = taken;
  // Flags may stand anywhere; a connection string never starts with "-".
  const flags = new Set(args.filter((arg) => arg.startsWith("-")));
  const [command, ...operands] = args.filter((arg) => !arg.startsWith("-"));
  if (flags.has("--help") || flags.has("-h") || command === "help") {
    for (const line of HELP) io.out(line);
    return 0;
  }
  if (flags.has("--version")) {
    io.out(`mongo-auth ${VERSION}`);
    return 0;
  }
  const hostGiven = givesHost(taken);
  const fromEnv = operands.length === 0 && !hostGiven ? io.getEnv?.(URI_VARIABLE) : undefined;
  // The words first, then the options' values, then what to connect to: an option missing its value says so
  // whether or not a connection string was given.
  const problem = commandProblem(command, command === io.args[0], flags) ?? taken.problem ??
    operandProblem(operands, fromEnv, hostGiven);
  if (problem !== undefined) {
    if (problem) io.err(`mongo-auth: ${problem}`);
    io.err(USAGE);
    return 2;
  }
  const json = flags.has("--json");
  const explain = json || flags.has("--explain");
  const style = { color: io.color === true && !json };
  const uri = (operands[0] && addressConnectionString(operands[0])) ?? hostConnectionString(taken) ??
    fromEnv!;
  // Read once for the prompt and the sign-in; a string that does not parse is connect()'s to refuse.
  const parsed = parsedOrUndefined(uri);
  // As mongosh does, a user given without a password is asked for one, at a terminal.
  const user = parsed && userWithoutPassword(parsed, taken);
  let password: string | null | undefined;
  if (user !== undefined) {
    const waitMs = io.promptTimeoutMs ?? HUMAN_CALLBACK_TIMEOUT_MS;
    const answering = AbortSignal.timeout(waitMs);
    password = await io.readSecret?.(`Enter password for "${user}": `, answering);
    if (password === null && answering.aborted) {
      io.err(`mongo-auth: no password was typed within ${waitMs / 1000} s`);
      return 1;
    }
    if (password === null) return CANCELLED;
  }
  let trace: readonly TraceEvent[] = [];
  try {
    // The library never logs; the CLI is an application, so it shows warnings on stderr.
    const conn = await connect(uri, {
      ...withSignIn(connectOptionsOf(taken), parsed, taken, io),
      onWarning: (message) => io.err(`mongo-auth: warning: ${message}`),
      explain,
      ...(typeof password === "string" && { password }),
    });
    trace = conn.trace ?? [];
    let whoami: WhoAmI;
    try {
      whoami = await whoAmI(conn);
    } finally {
      await conn.close();
    }
    if (json) {
      io.out(JSON.stringify({ ok: true, whoami, trace, hints: [] }, null, 2));
      return 0;
    }
    for (const [k, v] of whoamiRows(whoami)) io.out(`${k.padEnd(12)}${v}`);
    if (explain) printExplanation(io, trace, [], style);
    return 0;
  } catch (err) {
    // A password left out that nobody could be asked for: the CLI's own words on that, not the library's.
    const unasked = user !== undefined && password === undefined &&
      err instanceof MongoAuthError && err.code === "INVALID_CREDENTIAL";
    const error = err instanceof MongoAuthError
      ? { code: err.code, message: unasked ? err.message.replace(LIBRARY_PROMPT_NOTE, "") : err.message }
      : { code: "UNEXPECTED", message: `unexpected error: ${(err as Error)?.name ?? "Error"}` };
    trace = (err instanceof MongoAuthError ? err.trace : undefined) ?? trace;
    const hints = hintsFor(trace);
    if (json) {
      io.out(JSON.stringify({ ok: false, error, trace, hints }, null, 2));
      return 1;
    }
    io.err(
      err instanceof MongoAuthError
        ? `mongo-auth: ${error.code}: ${error.message}`
        : `mongo-auth: ${error.message}`,
    );
    if (unasked) {
      io.err(
        "mongo-auth: a password left out is asked for only at a terminal, and standard input is not one here: run " +
          "whoami at a terminal to be asked, or give the password with -p <password> (the process list shows it), " +
          `in the connection string, or in the string in ${URI_VARIABLE}`,
      );
    }
    if (explain) printExplanation(io, trace, hints, style);
    else if (hints.length > 0) {
      io.err("mongo-auth: run with --explain to see why (hints from the login's trace)");
    }
    return 1;
  }
}

// The exit code of a command a person stopped with Ctrl-C, as a shell reports it (128 + SIGINT).
const CANCELLED = 130;

// The library's note, for programs, that mongosh asks for a password left out and a program cannot: this one
// does ask, at a terminal, and says so in a line of its own.
const LIBRARY_PROMPT_NOTE = " (mongosh asks for one left out; a program cannot)";

function parsedOrUndefined(uri: string): ConnectionString | undefined {
  try {
    return parseConnectionString(uri);
  } catch {
    return undefined;
  }
}

// The user named without a password (by the connection string or --username; -p alone asks, whatever the
// string holds), for a mechanism that needs one (SCRAM, negotiated or named, or PLAIN).
function userWithoutPassword(parsed: ConnectionString, { values }: LoginOptions): string | undefined {
  const username = values.username || parsed.username;
  const password = values.password === "" ? undefined : values.password ?? parsed.password;
  try {
    return username && password === undefined &&
        passwordRequired(values.authMechanism ?? parsed.parsedOptions.authMechanism)
      ? username
      : undefined;
  } catch {
    return undefined; // an unknown mechanism: connect()'s to refuse
  }
}

// A MONGODB-OIDC login that names no ENVIRONMENT and no callback is a person's: the runtime's sign-in signs them
// in (writing where to go to stderr), as mongosh does. --oidcTrustedEndpoint lets the token go to the
// connection string's hosts in place of the default ALLOWED_HOSTS (Atlas, loopback), as mongosh's does.
function withSignIn(
  options: ConnectOptions,
  parsed: ConnectionString | undefined,
  taken: LoginOptions,
  io: CliIo,
): ConnectOptions {
  if (io.signIn === undefined || parsed === undefined) return options;
  const mechanism = taken.values.authMechanism ?? parsed.parsedOptions.authMechanism;
  const named = Object.keys(parsed.parsedOptions.authMechanismProperties ?? {}).map((k) => k.toUpperCase());
  if (mechanism?.toUpperCase() !== "MONGODB-OIDC" || named.includes("ENVIRONMENT")) return options;
  const OIDC_HUMAN_CALLBACK = io.signIn({ ...signInOptionsOf(taken), print: (message) => io.err(message) });
  const properties: AuthMechanismProperties = { OIDC_HUMAN_CALLBACK };
  if (taken.switches.oidcTrustedEndpoint) properties.ALLOWED_HOSTS = trustedHosts(parsed);
  return { ...options, authMechanismProperties: properties };
}

// The connection string's hosts as ALLOWED_HOSTS patterns: an SRV name's records may name any host beside
// it (cluster0.example.net: *.example.net).
function trustedHosts({ scheme, hosts }: ConnectionString): string[] {
  return hosts.map(({ host }) =>
    scheme === "mongodb+srv" && host.includes(".") ? `*.${host.slice(host.indexOf(".") + 1)}` : host
  );
}

// What is wrong with the command and its flags, in words; "" when there is nothing to name (no arguments at
// all), undefined when nothing is wrong.
function commandProblem(
  command: string | undefined,
  commandFirst: boolean,
  flags: ReadonlySet<string>,
): string | undefined {
  if (command === undefined) return "";
  // Never echo what may be a connection string, or a secret typed after the command's place: it may hold a
  // password.
  if (command.includes(":") || command !== "whoami" && !commandFirst) {
    return "the command comes first: mongo-auth whoami <connection-string>";
  }
  if (command !== "whoami") {
    return /^[A-Za-z][A-Za-z-]*$/.test(command)
      ? `unknown command ${JSON.stringify(command)}`
      : "unknown command (not shown: it is no command's name): the command is whoami";
  }
  const unknown = [...flags].find((flag) => !FLAGS.has(flag));
  if (unknown !== undefined) {
    const name = unknown.split("=")[0];
    const secret = secretOptionIn(unknown);
    if (secret !== undefined) {
      return `unknown option ${secret}… (not shown: it holds a secret): give the value after a space, or ${secret}=…`;
    }
    // What is no option's name may be a value that starts with "-", a password: never repeated.
    if (!OPTION_NAME.test(name)) {
      return 'an argument that starts with "-" is no option (not shown: it may be a secret); a value that starts ' +
        'with "-" goes as --name=value';
    }
    return `unknown option ${name}`;
  }
  return undefined;
}

// What is wrong with where to connect: no connection string (nor MONGODB_URI), more than one, or one beside
// --host and --port; undefined when nothing is.
function operandProblem(
  operands: readonly string[],
  fromEnv: string | undefined,
  hostGiven: boolean,
): string | undefined {
  if (hostGiven && operands.length > 0) {
    return "give the host in the connection string or with --host and --port, not both";
  }
  if (operands.length === 0 && !hostGiven) {
    if (fromEnv === undefined) {
      return `whoami needs a connection string: give it after whoami, or in the environment variable ${URI_VARIABLE}`;
    }
    // Its value is never echoed: it holds a password.
    if (fromEnv.trim() === "") {
      return `the environment variable ${URI_VARIABLE} is empty: set it to the connection string`;
    }
  }
  if (operands.length > 1) return `whoami takes one connection string, not ${operands.length}`;
  return undefined;
}

/** Who the server says we are, and how the login went. */
interface WhoAmI {
  readonly users: readonly { user: string; db: string }[];
  readonly mechanism?: string;
  readonly speculative: boolean;
  /** The member, `host:port`. */
  readonly host: string;
  /** Its role: `standalone`, `primary`, `secondary`, `mongos`, … */
  readonly role: string;
  /** The replica set it is a member of. */
  readonly setName?: string;
  readonly roundTrips: number;
  readonly durationMs: number;
  /** Where the server does not run connectionStatus (Azure Cosmos DB's RU API): its refusal; the users are the login's. */
  readonly connectionStatusRefused?: string;
}

async function whoAmI(conn: Connection): Promise<WhoAmI> {
  const { users, refused } = await authenticatedUsers(conn);
  const { mechanism, speculative, roundTrips, durationMs } = conn.handshake;
  return {
    users,
    ...(refused !== undefined && { connectionStatusRefused: refused }),
    mechanism,
    speculative,
    host: conn.address,
    role: conn.role,
    ...(conn.setName !== undefined && { setName: conn.setName }),
    roundTrips,
    durationMs: Math.round(durationMs * 10) / 10,
  };
}

// Who the server says we are. A server that logs us in but does not run connectionStatus (Azure Cosmos DB's RU
// API refuses it) has still accepted the login: then the login's user stands in, and the refusal is said.
async function authenticatedUsers(conn: Connection): Promise<{ users: WhoAmI["users"]; refused?: string }> {
  try {
    const status = await conn.command("admin", { connectionStatus: 1 });
    const users = ((status.authInfo as Document)?.authenticatedUsers ?? []) as Document[];
    return { users: users.map((u) => ({ user: String(u.user), db: String(u.db) })) };
  } catch (err) {
    if (!(err instanceof MongoServerError)) throw err;
    const login = conn.trace.find((event) => event.type === "auth.succeeded");
    const { user, db } = login?.type === "auth.succeeded" ? login.attributes : { user: undefined, db: "" };
    return { users: user === undefined ? [] : [{ user, db }], refused: err.message };
  }
}

function whoamiRows(who: WhoAmI): [string, string][] {
  const rows: [string, string][] = [
    ["user", who.users.map((u) => u.user).join(", ") || "(not authenticated)"],
    ["db", who.users.map((u) => u.db).join(", ") || "-"],
    ["mechanism", who.mechanism ? `${who.mechanism}${who.speculative ? " (speculative)" : ""}` : "none"],
    ["host", `${who.host} (${who.role}${who.setName ? ` of replica set ${who.setName}` : ""})`],
    ["round trips", String(who.roundTrips)],
    ["time", `${who.durationMs.toFixed(1)} ms`],
  ];
  if (who.connectionStatusRefused !== undefined) {
    rows.push([
      "note",
      `user and db are the login's: the server refused connectionStatus (${who.connectionStatusRefused})`,
    ]);
  }
  return rows;
}

function printExplanation(
  io: CliIo,
  trace: readonly TraceEvent[],
  hints: readonly Hint[],
  style: { color: boolean },
) {
  io.out("");
  io.out("trace");
  for (const line of formatTrace(trace, style)) io.out(line);
  if (hints.length === 0) return;
  io.out("");
  for (const line of formatHints(hints, style)) io.out(line);
}
