/**
 * mongosh's command-line options that say where and how to log in, so that a command copied from MongoDB
 * Atlas's Connect dialog (`mongosh "mongodb+srv://…" --apiVersion 1 --username alice`) or a mongo shell script
 * (`--host db --port 27017 -u alice -p --authenticationDatabase admin`) runs with `mongo-auth whoami` in
 * mongosh's place. Each login option is connect()'s option of the same meaning, which wins over the
 * connection string's, as mongosh's do; the OIDC ones are the human sign-in's.
 *
 * @module
 */
import type { ConnectOptions } from "../client/options.ts";
import { ServerApiVersion } from "../client/server-api.ts";

/** The options that take a value, as {@link takeLoginOptions} names them. */
export type ValueOption =
  | "apiVersion"
  | "username"
  | "password"
  | "authSource"
  | "authMechanism"
  | "tlsCAFile"
  | "tlsCertificateKeyFile"
  | "tlsCertificateKeyFilePassword"
  | "tlsCRLFile"
  | "awsIamSessionToken"
  | "oidcFlows"
  | "oidcRedirectUri"
  | "host"
  | "port";

/** The options that are on or off. */
export type SwitchOption =
  | "tls"
  | "tlsAllowInvalidCertificates"
  | "tlsAllowInvalidHostnames"
  | "oidcTrustedEndpoint"
  | "retryWrites";

/** What the login options of a command line said. */
export interface LoginOptions {
  readonly values: Partial<Record<ValueOption, string>>;
  readonly switches: Partial<Record<SwitchOption, boolean>>;
}

/** A command line with its login options taken out. */
export interface TakenOptions extends LoginOptions {
  /** The arguments left: the command, the connection string, the CLI's own flags. */
  readonly args: string[];
  /** What is wrong with an option, in words that never repeat its value; undefined when nothing is. */
  readonly problem?: string;
}

const VALUE_OPTIONS: Readonly<Record<string, ValueOption>> = {
  "--apiVersion": "apiVersion",
  "--username": "username",
  "-u": "username",
  "--password": "password",
  "-p": "password",
  "--authenticationDatabase": "authSource",
  "--authenticationMechanism": "authMechanism",
  "--tlsCAFile": "tlsCAFile",
  "--tlsCertificateKeyFile": "tlsCertificateKeyFile",
  "--tlsCertificateKeyFilePassword": "tlsCertificateKeyFilePassword",
  "--tlsCRLFile": "tlsCRLFile",
  "--awsIamSessionToken": "awsIamSessionToken",
  "--oidcFlows": "oidcFlows",
  "--oidcRedirectUri": "oidcRedirectUri",
  "--host": "host",
  "--port": "port",
  // The mongo shell's names, which mongosh still takes (AWS DocumentDB's older connect command has them).
  "--sslCAFile": "tlsCAFile",
  "--sslPEMKeyFile": "tlsCertificateKeyFile",
  "--sslPEMKeyPassword": "tlsCertificateKeyFilePassword",
  "--sslCRLFile": "tlsCRLFile",
};

// The options whose values are secrets.
const SECRET_VALUED: ReadonlySet<ValueOption> = new Set([
  "password",
  "tlsCertificateKeyFilePassword",
  "awsIamSessionToken",
]);

// The options that say where to connect, in place of a connection string.
const WHERE_TO_CONNECT: ReadonlySet<ValueOption> = new Set(["host", "port"]);

// An option given without its value, where "needs a value" would not say which value.
const MISSING: Partial<Record<ValueOption, string>> = {
  apiVersion: "--apiVersion needs a version: --apiVersion 1",
};

const SWITCH_OPTIONS: Readonly<Record<string, SwitchOption>> = {
  "--tls": "tls",
  "--tlsAllowInvalidCertificates": "tlsAllowInvalidCertificates",
  "--tlsAllowInvalidHostnames": "tlsAllowInvalidHostnames",
  "--oidcTrustedEndpoint": "oidcTrustedEndpoint",
  // Taken as mongosh takes it (AWS DocumentDB's connect command gives --retryWrites=false); whoami writes
  // nothing.
  "--retryWrites": "retryWrites",
  "--ssl": "tls",
  "--sslAllowInvalidCertificates": "tlsAllowInvalidCertificates",
  "--sslAllowInvalidHostnames": "tlsAllowInvalidHostnames",
};

// mongosh's names of the human OIDC sign-in's flows, and ours.
const OIDC_FLOWS: Readonly<Record<string, "code" | "device">> = {
  "auth-code": "code",
  "device-auth": "device",
};

/**
 * Takes mongosh's login options out of a command line: `--name value` or `--name=value` (`-u`, `-p` for
 * `--username`, `--password`), and the switches `--tls`, `--tlsAllowInvalidCertificates`,
 * `--tlsAllowInvalidHostnames` (`=true` or `=false` after one, too). `-p` with no value after it, or with the
 * command or a connection string after it, is a password to ask for at the terminal (""), as mongosh asks; any other
 * option without a value (at the end, or before a connection string, which only `--host` and `--port` take, to
 * say it is not their form), given twice, or a switch with another value is a problem. A secret's value may
 * start with "-" when it is no option (`-p -Xy7`), so that it is never named as an unknown option.
 *
 * @param given the arguments after the program name
 * @param own the command's own words (its commands and flags): -p before one asks for the password, and a
 *   secret is never one of them
 * @returns the options, the arguments left, and what is wrong with them, if anything
 * @example The command MongoDB Atlas's Connect dialog gives, with mongo-auth in mongosh's place
 * ```ts
 * import assert from "node:assert/strict";
 * import { takeLoginOptions } from "./login-options.ts";
 *
 * const line = ["whoami", "mongodb+srv://cluster0.example.mongodb.net/", "--apiVersion", "1", "--username", "alice"];
 * const taken = takeLoginOptions(line);
 * assert.deepEqual(taken.args, ["whoami", "mongodb+srv://cluster0.example.mongodb.net/"]);
 * assert.deepEqual(taken.values, { apiVersion: "1", username: "alice" });
 * assert.equal(taken.problem, undefined);
 * ```
 */
export function takeLoginOptions(
  given: readonly string[],
  own: ReadonlySet<string> = new Set(),
): TakenOptions {
  const args: string[] = [];
  const values: Partial<Record<ValueOption, string>> = {};
  const switches: Partial<Record<SwitchOption, boolean>> = {};
  let problem: string | undefined;
  const note = (words: string) => (problem ??= words);
  const isOption = (arg: string) =>
    splitOption(arg)[0] in VALUE_OPTIONS || arg in SWITCH_OPTIONS || own.has(arg);
  for (let i = 0; i < given.length; i++) {
    const [name, inline] = splitOption(given[i]);
    const valued = VALUE_OPTIONS[name];
    const switched = SWITCH_OPTIONS[name];
    if (valued === undefined && switched === undefined) {
      args.push(given[i]);
      continue;
    }
    if (
      valued !== undefined && values[valued] !== undefined || switched !== undefined && switched in switches
    ) {
      note(`${name} is given twice: give it once`);
    }
    if (switched !== undefined) {
      if (inline === undefined || inline === "true" || inline === "false") {
        switches[switched] = inline !== "false";
      } else note(`${name} is on or off: give it alone, or =true or =false`);
      continue;
    }
    let value = inline;
    const next = given[i + 1];
    // A secret may start with "-" (-p -Xy7): taken as the value unless it is an option, so that it is never
    // named as an unknown option in a message. A connection string is no login option's value: an option
    // before one has none (-p there asks for the password), as it has none at the end of the line. --host and
    // --port say where to connect in its place, so for them it is a value in the wrong form.
    const takesNext = next !== undefined && (!isConnectionString(next) || WHERE_TO_CONNECT.has(valued)) &&
      (next.startsWith("-") ? SECRET_VALUED.has(valued) && !isOption(next) : true);
    // -p before the command asks for the password: the command is not taken for one.
    const asks = valued === "password" && next !== undefined && own.has(next);
    if (value === undefined && takesNext && !asks) value = given[++i];
    if (!value && valued !== "password") note(MISSING[valued] ?? `${name} needs a value`);
    values[valued] = value ?? "";
  }
  // Checked here rather than by connect(), so that a connection string given in its place is never echoed.
  if (values.apiVersion && values.apiVersion !== ServerApiVersion.v1) {
    note("--apiVersion takes 1, the Stable API version there is");
  }
  if (values.oidcFlows && values.oidcFlows.split(",").some((flow) => !(flow in OIDC_FLOWS))) {
    note("--oidcFlows takes auth-code, device-auth, or both: auth-code,device-auth");
  }
  const hostProblem = givesHost({ values, switches }) ? hostOptionsProblem(values) : undefined;
  if (hostProblem) note(hostProblem);
  return { args, values, switches, ...(problem !== undefined && { problem }) };
}

/**
 * connect()'s options for what the login options said: `--authenticationDatabase` is `authSource`,
 * `--awsIamSessionToken` MONGODB-AWS's `AWS_SESSION_TOKEN`, `--apiVersion` the Stable API version; an
 * empty password (`-p` alone) is no password, for the CLI to ask for.
 *
 * @param options what {@link takeLoginOptions} took
 * @returns the options for connect()
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectOptionsOf, takeLoginOptions } from "./login-options.ts";
 *
 * const taken = takeLoginOptions(["whoami", "mongodb://db.example.net/", "--tls", "--authenticationDatabase", "app"]);
 * assert.deepEqual(connectOptionsOf(taken), { tls: true, authSource: "app" });
 * ```
 */
export function connectOptionsOf({ values, switches }: LoginOptions): ConnectOptions {
  const { apiVersion, awsIamSessionToken, password } = values;
  const options: ConnectOptions = { ...given(TLS_SWITCHES, switches), ...given(CONNECT_VALUES, values) };
  if (password) options.password = password;
  if (awsIamSessionToken !== undefined) {
    options.authMechanismProperties = { AWS_SESSION_TOKEN: awsIamSessionToken };
  }
  if (apiVersion !== undefined) options.serverApi = { version: apiVersion as ServerApiVersion };
  return options;
}

// The options that are connect()'s own, by the same name.
const CONNECT_VALUES = [
  "username",
  "authSource",
  "authMechanism",
  "tlsCAFile",
  "tlsCertificateKeyFile",
  "tlsCertificateKeyFilePassword",
  "tlsCRLFile",
] as const satisfies readonly (ValueOption & keyof ConnectOptions)[];
const TLS_SWITCHES = [
  "tls",
  "tlsAllowInvalidCertificates",
  "tlsAllowInvalidHostnames",
] as const satisfies readonly (SwitchOption & keyof ConnectOptions)[];

// The entries of `from` under `names` that were given.
function given<K extends string, V>(names: readonly K[], from: Partial<Record<K, V>>): Partial<Record<K, V>> {
  const picked: Partial<Record<K, V>> = {};
  for (const name of names) if (from[name] !== undefined) picked[name] = from[name];
  return picked;
}

/**
 * The secret-valued option an unknown argument begins with (`-pS3cret`, `--passwordS3cret`: a value typed
 * against its option), so that a message names that option and never the argument, which holds the secret.
 *
 * @param arg an argument the command does not know
 * @returns `-p`, `--password`, `--tlsCertificateKeyFilePassword`, `--sslPEMKeyPassword` or
 *   `--awsIamSessionToken`; undefined for another
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secretOptionIn } from "./login-options.ts";
 *
 * assert.equal(secretOptionIn("-pS3cret"), "-p");
 * assert.equal(secretOptionIn("--verbose"), undefined);
 * ```
 */
export function secretOptionIn(arg: string): string | undefined {
  return Object.keys(VALUE_OPTIONS).find((name) =>
    SECRET_VALUED.has(VALUE_OPTIONS[name]) && arg.startsWith(name)
  );
}

// "--name=value" as its name and value; anything else as it is.
function splitOption(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  return arg.startsWith("-") && equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
}

function isConnectionString(arg: string): boolean {
  return arg.startsWith("mongodb://") || arg.startsWith("mongodb+srv://");
}

/**
 * The human OIDC sign-in's options for what the login options said: `--oidcFlows` (mongosh's `auth-code`,
 * `device-auth`; the first listed is the one used) and `--oidcRedirectUri`.
 *
 * @param options what {@link takeLoginOptions} took
 * @returns the flow and the redirect URI, where given
 * @example A machine without a browser signs in with the device flow
 * ```ts
 * import assert from "node:assert/strict";
 * import { signInOptionsOf, takeLoginOptions } from "./login-options.ts";
 *
 * const taken = takeLoginOptions(["whoami", "mongodb+srv://cluster0.example.mongodb.net/", "--oidcFlows", "device-auth"]);
 * assert.deepEqual(signInOptionsOf(taken), { flow: "device" });
 * ```
 */
export function signInOptionsOf(
  { values }: LoginOptions,
): { flow?: "code" | "device"; redirectUri?: string } {
  const flow = values.oidcFlows ? OIDC_FLOWS[values.oidcFlows.split(",")[0]] : undefined;
  return { ...(flow && { flow }), ...(values.oidcRedirectUri && { redirectUri: values.oidcRedirectUri }) };
}

/**
 * The connection string mongosh's `--host` and `--port` make, as the mongo shell's scripts give them:
 * `--host [<replicaSet>/]<host>[:<port>][,<host>[:<port>]…]`, `--port` the port of a host given without
 * one (27017 by default); `--port` alone is 127.0.0.1's.
 *
 * @param options what {@link takeLoginOptions} took (without a problem)
 * @returns the connection string, or undefined when neither option was given
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostConnectionString, takeLoginOptions } from "./login-options.ts";
 *
 * const taken = takeLoginOptions(["whoami", "--host", "rs0/db1.example.net,db2.example.net", "--port", "27018"]);
 * assert.equal(hostConnectionString(taken), "mongodb://db1.example.net:27018,db2.example.net:27018/?replicaSet=rs0");
 * ```
 */
export function hostConnectionString(options: LoginOptions): string | undefined {
  if (!givesHost(options)) return undefined;
  const { values } = options;
  const { replicaSet, hosts } = hostList(values.host ?? "127.0.0.1");
  const port = values.port ?? "27017";
  const seeds = hosts.map((host) => {
    const [, name, own] = HOST_PORT.exec(host)!;
    return `${name}:${own ?? port}`;
  });
  return `mongodb://${seeds.join(",")}/${replicaSet ? `?replicaSet=${encodeURIComponent(replicaSet)}` : ""}`;
}

/**
 * Whether `--host` or `--port` was given: then they, not a connection string, say where to connect.
 *
 * @param options what {@link takeLoginOptions} took
 * @returns true when either was given
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { givesHost, takeLoginOptions } from "./login-options.ts";
 *
 * assert.equal(givesHost(takeLoginOptions(["whoami", "--port", "27018"])), true);
 * assert.equal(givesHost(takeLoginOptions(["whoami", "mongodb://db.example.net/"])), false);
 * ```
 */
export function givesHost({ values }: LoginOptions): boolean {
  return values.host !== undefined || values.port !== undefined;
}

// A host of --host: a name or IPv4 address, or an IPv6 one in brackets, and a port.
const HOST_PORT = /^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(\d+))?$/;

function hostList(host: string): { replicaSet?: string; hosts: string[] } {
  const slash = host.indexOf("/");
  const replicaSet = slash < 0 ? undefined : host.slice(0, slash);
  return { replicaSet, hosts: host.slice(slash + 1).split(",").filter(Boolean) };
}

// What is wrong with --host and --port: a host list that is not one, a port that is not a number, or a host
// whose port is not --port's.
function hostOptionsProblem({ host, port }: Partial<Record<ValueOption, string>>): string | undefined {
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return "--port takes a port number";
  if (host === undefined) return undefined;
  const { replicaSet, hosts } = hostList(host);
  if (replicaSet === "" || hosts.length === 0 || hosts.some((h) => !HOST_PORT.test(h))) {
    return "--host takes [<replicaSet>/]<host>[:<port>][,<host>[:<port>]…]";
  }
  if (port !== undefined && hosts.some((h) => (HOST_PORT.exec(h)![2] ?? port) !== port)) {
    return "--host names a port that is not --port's: give the port once";
  }
  return undefined;
}

/**
 * The connection string of mongosh's positional address, `<host>[:<port>][/<database>]` or a database name
 * alone (on 127.0.0.1:27017), as AWS DocumentDB's connect command gives it (`mongosh
 * docdb.example.net:27017 --tls …`); a connection string, or anything else, is returned as it is (for
 * connect() to take or refuse).
 *
 * @param operand the argument after the command
 * @returns a connection string
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addressConnectionString } from "./login-options.ts";
 *
 * assert.equal(addressConnectionString("docdb.example.net:27017"), "mongodb://docdb.example.net:27017/");
 * assert.equal(addressConnectionString("db.example.net/app"), "mongodb://db.example.net:27017/app");
 * assert.equal(addressConnectionString("app"), "mongodb://127.0.0.1:27017/app");
 * assert.equal(addressConnectionString("mongodb://h/"), "mongodb://h/");
 * ```
 */
export function addressConnectionString(operand: string): string {
  const address = SHELL_ADDRESS.exec(operand);
  if (isConnectionString(operand) || address === null) return operand;
  const [, host, port, database] = address;
  // A word without a dot, a port or a database is a database name (the mongo shell's rule).
  if (port === undefined && database === undefined && !host.includes(".")) {
    return `mongodb://127.0.0.1:27017/${host}`;
  }
  return `mongodb://${host}:${port ?? "27017"}/${database ?? ""}`;
}

// mongosh's positional address: a host name (or IPv4 address), a port, a database.
const SHELL_ADDRESS = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?::(\d{1,5}))?(?:\/([^/\\. "$?]+))?$/;
