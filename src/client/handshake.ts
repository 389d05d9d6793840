/**
 * The `client` metadata document of hello, as the MongoDB handshake specification describes it: the driver
 * (with the libraries that wrap it), the OS, the runtime, and the execution environment (FaaS and
 * container), within its limits: the application name at most 128 bytes (mongod refuses more with error
 * 184), the whole document at most 512 bytes (the spec; mongod refuses more than 1024 with error 185, a
 * mongos more than 512).
 *
 * @module
 */
import { BSON } from "bson";
import { MongoAuthError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";
import { VERSION } from "../core/version.ts";
import { definedFields, typeName } from "../core/options.ts";

/** The most bytes (UTF-8) of `client.application.name` a server accepts. */
export const MAX_APP_NAME_BYTES = 128;
/** The most bytes of the whole `client` document, BSON overhead included (handshake spec). */
export const MAX_CLIENT_METADATA_BYTES = 512;

/**
 * What a runtime knows of its host beyond its OS type and name, for the handshake's `os` and `env`.
 *
 * @example A host in AWS Lambda, as a test describes it
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostDescription } from "@mongo-auth/core";
 *
 * const vars: Record<string, string> = { AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x", AWS_REGION: "us-east-2" };
 * const host: HostDescription = { os: { architecture: "arm64" }, getEnv: (name) => vars[name], dockerenv: false };
 * assert.equal(host.getEnv("AWS_REGION"), "us-east-2");
 * ```
 */
export interface HostDescription {
  /**
   * The handshake's optional `os` fields: the OS's name (`linux`, `darwin`, `win32`), the machine's
   * architecture and the kernel's release, as the Node.js transport reports them.
   */
  readonly os?: { readonly name?: string; readonly architecture?: string; readonly version?: string };
  /**
   * An environment variable the handshake looks at (the FaaS providers' — `AWS_EXECUTION_ENV`,
   * `FUNCTIONS_WORKER_RUNTIME`, `K_SERVICE`, `VERCEL`, … — and `KUBERNETES_SERVICE_HOST`), or `undefined`
   * when it is unset or cannot be read without asking (Deno without `--allow-env`).
   */
  getEnv(name: string): string | undefined;
  /** Whether the file `/.dockerenv` exists (the process runs in a Docker container). */
  readonly dockerenv: boolean;
}

/** What the runtime says about itself (a {@link Transport}'s `osType`, `platform` and `describeHost`). */
export interface RuntimeDescription {
  readonly osType: string;
  readonly platform: string;
  readonly describeHost?: () => HostDescription;
}

/**
 * A library that wraps mongo-auth (an ODM, a framework, a driver), named in hello's client metadata after
 * mongo-auth's own name, version and platform, joined with `|`, as the handshake specification has
 * wrapping libraries append themselves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DriverInfo } from "@mongo-auth/core";
 *
 * const info: DriverInfo = { name: "my-odm", version: "2.1.0" };
 * assert.equal(info.platform, undefined);
 * ```
 */
export interface DriverInfo {
  /** The library's name; appended to `driver.name`. */
  readonly name: string;
  /** Its version; appended to `driver.version`. */
  readonly version?: string;
  /** Its platform; appended to `platform`. */
  readonly platform?: string;
}

/**
 * Checks an application name against the server's limit.
 *
 * @param appName the `appName` option
 * @throws {MongoAuthError} `INVALID_OPTION` when it is longer than 128 bytes of UTF-8
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAppName } from "./handshake.ts";
 *
 * checkAppName("billing");
 * assert.throws(() => checkAppName("x".repeat(129)), { code: "INVALID_OPTION" });
 * ```
 */
export function checkAppName(appName: string): void {
  const bytes = new TextEncoder().encode(appName).length;
  if (bytes > MAX_APP_NAME_BYTES) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `option appName must be at most ${MAX_APP_NAME_BYTES} bytes of UTF-8, this one has ${bytes}: ` +
        "MongoDB refuses a longer application name in the handshake",
    );
  }
}

/**
 * Checks the wrapping libraries' driver information: each a `{ name, version?, platform? }` of non-empty
 * strings without `|`, the separator of the metadata fields they are appended to.
 *
 * @param value the `driverInfo` option: one library, or a list (the outermost last)
 * @returns the list, each library once (a repeat appends nothing, as the specification's tests require)
 * @throws {MongoAuthError} `INVALID_OPTION` naming the field that is wrong
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDriverInfo } from "./handshake.ts";
 *
 * assert.deepEqual(checkDriverInfo({ name: "my-odm" }), [{ name: "my-odm" }]);
 * assert.throws(() => checkDriverInfo({ name: "a|b" }), { code: "INVALID_OPTION" });
 * ```
 */
export function checkDriverInfo(value: unknown): readonly DriverInfo[] {
  const list = Array.isArray(value) ? value : [value];
  const unique: DriverInfo[] = [];
  for (const [index, info] of list.entries()) {
    const where = Array.isArray(value) ? `driverInfo[${index}]` : "driverInfo";
    if (typeof info !== "object" || info === null || Array.isArray(info)) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        `option ${where} must be { name, version?, platform? }, got ${typeName(info)}`,
      );
    }
    const { name, version, platform } = info as Record<string, unknown>;
    const checked: DriverInfo = {
      name: driverInfoField(where, "name", name, true)!,
      ...(version !== undefined && { version: driverInfoField(where, "version", version, false) }),
      ...(platform !== undefined && { platform: driverInfoField(where, "platform", platform, false) }),
    };
    const same = (other: DriverInfo) =>
      other.name === checked.name && other.version === checked.version && other.platform === checked.platform;
    if (!unique.some(same)) unique.push(checked);
  }
  return unique;
}

function driverInfoField(
  where: string,
  field: string,
  value: unknown,
  required: boolean,
): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `option ${where}.${field} must be a non-empty string, got ${typeName(value)}`,
    );
  }
  if (value.includes("|")) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `option ${where}.${field} must not contain "|", which separates the libraries in the handshake's ` +
        "client metadata",
    );
  }
  return value;
}

/**
 * The `client` document for hello. Wrapping libraries are appended to `driver.name`, `driver.version` and
 * `platform` with `|`. When the document would exceed 512 bytes, the specification's order makes room:
 * the `env` fields but its name go, then the `os` fields but its type, then `env` itself, then `platform` is
 * shortened; last, `os.type`.
 *
 * @param runtime the runtime's OS type, platform and host
 * @param appName the application name, already checked with {@link checkAppName}
 * @param driverInfo the wrapping libraries, already checked with {@link checkDriverInfo}
 * @returns the metadata document
 * @throws {MongoAuthError} `INVALID_OPTION` when the wrapping libraries' names and versions alone leave no
 *   room within 512 bytes
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BSON } from "bson";
 * import { clientMetadata } from "./handshake.ts";
 *
 * const client = clientMetadata({ osType: "Linux", platform: "x".repeat(1000) }, "billing");
 * assert.equal(client.application?.name, "billing");
 * assert.ok(BSON.calculateObjectSize(client) <= 512);
 * ```
 */
export function clientMetadata(
  runtime: RuntimeDescription,
  appName?: string,
  driverInfo: readonly DriverInfo[] = [],
): ClientMetadata {
  const host = hostOf(runtime);
  const appended = (own: string, field: "name" | "version" | "platform") =>
    [own, ...driverInfo.map((info) => info[field]).filter((value) => value !== undefined)].join("|");
  const client: ClientMetadata = {
    ...(appName === undefined ? {} : { application: { name: appName } }),
    driver: { name: appended("mongo-auth", "name"), version: appended(VERSION, "version") },
    os: { type: runtime.osType, ...osFields(host?.os) },
    platform: appended(runtime.platform, "platform"),
  };
  const env = host && executionEnvironment(host);
  if (env) client.env = env;
  const excess = () => BSON.calculateObjectSize(client) - MAX_CLIENT_METADATA_BYTES;
  if (excess() > 0 && client.env) {
    if (client.env.name === undefined) delete client.env;
    else client.env = { name: client.env.name };
  }
  if (excess() > 0) client.os = { type: client.os.type };
  if (excess() > 0) delete client.env;
  if (excess() > 0) client.platform = truncateUtf8(client.platform, utf8Length(client.platform) - excess());
  if (excess() > 0) client.os.type = truncateUtf8(client.os.type, utf8Length(client.os.type) - excess());
  if (excess() > 0) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `option driverInfo makes hello's client metadata ${excess()} bytes longer than the ` +
        `${MAX_CLIENT_METADATA_BYTES} the handshake allows: shorten the names and versions`,
    );
  }
  return client;
}

/** hello's `client` document (handshake spec). */
export interface ClientMetadata extends Document {
  application?: { name: string };
  driver: { name: string; version: string };
  os: { type: string; name?: string; architecture?: string; version?: string };
  platform: string;
  env?: ExecutionEnvironment;
}

/** The handshake's `client.env`: the FaaS provider and its settings, and the container. */
export interface ExecutionEnvironment {
  name?: "aws.lambda" | "azure.func" | "gcp.func" | "vercel";
  timeout_sec?: number;
  memory_mb?: number;
  region?: string;
  container?: { runtime?: "docker"; orchestrator?: "kubernetes" };
}

/**
 * The handshake's `client.env` for a host: the one FaaS provider its variables name (Vercel over AWS
 * Lambda, which Vercel runs on; none when others disagree), the settings of it that are well-formed, and
 * the container; `undefined` when there is nothing to say.
 *
 * @param host what the runtime knows of its host
 * @returns the environment document, or `undefined`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { executionEnvironment } from "./handshake.ts";
 *
 * const vars: Record<string, string> = { K_SERVICE: "billing", FUNCTION_MEMORY_MB: "1024" };
 * assert.deepEqual(executionEnvironment({ getEnv: (name) => vars[name], dockerenv: false }), {
 *   name: "gcp.func",
 *   memory_mb: 1024,
 * });
 * ```
 */
export function executionEnvironment(host: HostDescription): ExecutionEnvironment | undefined {
  const set = (name: string) => {
    const value = attempt(() => host.getEnv(name));
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const providers = new Set<NonNullable<ExecutionEnvironment["name"]>>();
  if (set("AWS_EXECUTION_ENV")?.startsWith("AWS_Lambda_") || set("AWS_LAMBDA_RUNTIME_API")) {
    providers.add("aws.lambda");
  }
  if (set("FUNCTIONS_WORKER_RUNTIME")) providers.add("azure.func");
  if (set("K_SERVICE") || set("FUNCTION_NAME")) providers.add("gcp.func");
  if (set("VERCEL")) providers.add("vercel");
  if (providers.has("vercel")) providers.delete("aws.lambda");
  const env: ExecutionEnvironment = {};
  if (providers.size === 1) {
    const [name] = providers;
    env.name = name;
    const int32 = (variable: string) => {
      const value = set(variable);
      const number = value !== undefined && /^-?\d{1,10}$/.test(value) ? Number(value) : NaN;
      return number >= -(2 ** 31) && number < 2 ** 31 ? number : undefined;
    };
    const fields = name === "aws.lambda"
      ? { region: set("AWS_REGION"), memory_mb: int32("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") }
      : name === "gcp.func"
      ? {
        timeout_sec: int32("FUNCTION_TIMEOUT_SEC"),
        memory_mb: int32("FUNCTION_MEMORY_MB"),
        region: set("FUNCTION_REGION"),
      }
      : name === "vercel"
      ? { region: set("VERCEL_REGION") }
      : {};
    Object.assign(env, definedFields(fields));
  }
  const container = definedFields({
    runtime: attempt(() => host.dockerenv) === true ? "docker" as const : undefined,
    orchestrator: set("KUBERNETES_SERVICE_HOST") ? "kubernetes" as const : undefined,
  });
  if (Object.keys(container).length > 0) env.container = container;
  return Object.keys(env).length > 0 ? env : undefined;
}

// Every connection of one runtime, appName and driverInfo sends the same client document: built (and its size
// checked) once, not per connection.
const clientDocuments = new WeakMap<RuntimeDescription, Map<string | undefined, ClientMetadata>>();
const MAX_CLIENT_DOCUMENTS = 16;

/**
 * {@link clientMetadata}, frozen and kept per runtime (a transport), application name and wrapping
 * libraries, so that the connections of one client build it once.
 *
 * @param runtime the transport
 * @param appName the application name, already checked
 * @param driverInfo the wrapping libraries, already checked
 * @returns the frozen metadata document
 * @throws {MongoAuthError} `INVALID_OPTION` as {@link clientMetadata}
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientDocumentOf } from "./handshake.ts";
 *
 * const runtime = { osType: "Linux", platform: "Example 1.0" };
 * assert.equal(clientDocumentOf(runtime, "billing"), clientDocumentOf(runtime, "billing"));
 * ```
 */
export function clientDocumentOf(
  runtime: RuntimeDescription,
  appName?: string,
  driverInfo?: readonly DriverInfo[],
): ClientMetadata {
  let byKey = clientDocuments.get(runtime);
  if (!byKey) clientDocuments.set(runtime, byKey = new Map());
  const key = driverInfo?.length ? `${appName}\0${JSON.stringify(driverInfo)}` : appName;
  let client = byKey.get(key);
  if (!client) {
    if (byKey.size >= MAX_CLIENT_DOCUMENTS) byKey.clear();
    client = deepFreeze(clientMetadata(runtime, appName, driverInfo));
    byKey.set(key, client);
  }
  return client;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === "object" && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value);
}

// What the runtime says of its host, or nothing: the metadata is a courtesy to the server's log, and a
// transport's failing description must not fail the connection (the specification: no user-visible error).
function hostOf(runtime: RuntimeDescription): HostDescription | undefined {
  const host = attempt(() => runtime.describeHost?.());
  return typeof host === "object" && host !== null ? host : undefined;
}

function osFields(os: HostDescription["os"]): { name?: string; architecture?: string; version?: string } {
  const fields = typeof os === "object" && os !== null ? os : {};
  const text = (value: unknown) => typeof value === "string" && value !== "" ? value : undefined;
  return definedFields({
    name: text(attempt(() => fields.name)),
    architecture: text(attempt(() => fields.architecture)),
    version: text(attempt(() => fields.version)),
  });
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not split a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
