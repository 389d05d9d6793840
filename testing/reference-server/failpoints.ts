// mongod's `failCommand` failpoint (configureFailPoint), used by tests to make a command fail
// with a chosen code (e.g. 391 ReauthenticationRequired) or drop the connection.
import { CommandError } from "./errors.ts";
import { optionalField, requiredField } from "./fields.ts";
import type { Document } from "./wire.ts";

/**
 * What a matching command should do instead of running: fail, drop the connection, or (blockConnection)
 * wait `blockMS` first and then run (or fail, with an errorCode too).
 */
export type FailAction =
  | { kind: "error"; error: CommandError; blockMS?: number }
  | { kind: "closeConnection"; blockMS?: number }
  | { kind: "block"; blockMS: number };

type Mode = { kind: "alwaysOn" } | { kind: "times"; remaining: number } | { kind: "skip"; remaining: number };

interface FailCommand {
  mode: Mode;
  failCommands: readonly string[];
  errorCode?: number;
  closeConnection: boolean;
  errorLabels: readonly string[];
  appName?: string;
  /** blockConnection's blockTimeMS. */
  blockMS?: number;
}

/** The server's failpoints; only `failCommand` exists. */
export class FailPoints {
  #failCommand: FailCommand | undefined;
  #timesEntered = 0;

  /**
   * The configureFailPoint command.
   * @param cmd `{ configureFailPoint: "failCommand", mode, data }`
   * @returns the reply without `ok`: `{ count }`, the times the failpoint fired before
   * @throws CommandError for an unknown failpoint or malformed mode/data
   */
  configure(cmd: Document): Document {
    const name = requiredField(cmd, "configureFailPoint", "configureFailPoint", "string");
    if (name !== "failCommand") {
      throw new CommandError(
        2,
        `Cannot find failpoint named ${name} (the reference server has only failCommand)`,
      );
    }
    const count = this.#timesEntered;
    const mode = parseMode(cmd.mode);
    this.#timesEntered = 0;
    this.#failCommand = mode === undefined ? undefined : { mode, ...parseData(cmd.data) };
    return { count };
  }

  /**
   * Whether the failpoint fires for a command; counts the activation when it does.
   * @param commandName the command's name as sent
   * @param appName the connection's appName from its handshake
   * @returns what to do, or undefined to run the command
   */
  check(commandName: string, appName: string | undefined): FailAction | undefined {
    const fp = this.#failCommand;
    if (fp === undefined || commandName === "configureFailPoint") return undefined;
    if (!fp.failCommands.includes(commandName)) return undefined;
    if (fp.appName !== undefined && fp.appName !== appName) return undefined;
    if (!this.#activate(fp)) return undefined;
    this.#timesEntered++;
    const block = fp.blockMS === undefined ? {} : { blockMS: fp.blockMS };
    if (fp.closeConnection) return { kind: "closeConnection", ...block };
    if (fp.errorCode === undefined) {
      return fp.blockMS === undefined ? undefined : { kind: "block", blockMS: fp.blockMS };
    }
    return {
      kind: "error",
      error: new CommandError(fp.errorCode, "Failing command via 'failCommand' failpoint", fp.errorLabels),
      ...block,
    };
  }

  #activate(fp: FailCommand): boolean {
    const mode = fp.mode;
    if (mode.kind === "alwaysOn") return true;
    if (mode.kind === "skip") {
      if (mode.remaining === 0) return true;
      mode.remaining--;
      return false;
    }
    mode.remaining--;
    if (mode.remaining <= 0) this.#failCommand = undefined;
    return true;
  }
}

/** FailPoint::parseBSON (util/fail_point.cpp): mode "off", "alwaysOn", { times: n } or { skip: n }. */
function parseMode(mode: unknown): Mode | undefined {
  if (mode === undefined) {
    throw new CommandError(20, "When setting a failpoint, you must supply a 'mode'");
  }
  if (typeof mode === "string") {
    if (mode === "off") return undefined;
    if (mode === "alwaysOn") return { kind: "alwaysOn" };
    throw new CommandError(2, `unknown mode: ${mode}`);
  }
  if (typeof mode !== "object" || mode === null || Array.isArray(mode)) {
    throw new CommandError(14, "'mode' must be a string or JSON object");
  }
  const fields = mode as Record<string, unknown>;
  const kind = "times" in fields ? "times" : "skip" in fields ? "skip" : undefined;
  if (kind === undefined) {
    // mongod also has activationProbability, which this server does not model.
    throw new CommandError(
      2,
      "the reference server's failpoint mode must be 'off', 'alwaysOn', { times } or { skip }",
    );
  }
  const value = fields[kind];
  if (typeof value !== "number") {
    throw new CommandError(14, `"${kind}" had the wrong type. Expected number, found ${typeof value}`);
  }
  if (!Number.isInteger(value)) {
    throw new CommandError(
      2,
      `Expected field "${kind}" to have a value exactly representable as a 64-bit integer`,
    );
  }
  if (value < 0) throw new CommandError(2, `mode.${kind} must be >= 0`);
  if (kind === "times") return value === 0 ? undefined : { kind: "times", remaining: value };
  return { kind: "skip", remaining: value };
}

function parseData(data: unknown): Omit<FailCommand, "mode"> {
  if (typeof data !== "object" || data === null) {
    throw new CommandError(2, "failCommand needs a data document");
  }
  const doc = data as Document;
  const failCommands = requiredField(doc, "data", "failCommands", "array");
  if (failCommands.some((c) => typeof c !== "string")) {
    throw new CommandError(2, "data.failCommands must be an array of command names");
  }
  for (const unsupported of ["writeConcernError", "namespace"]) {
    if (doc[unsupported] !== undefined) {
      throw new CommandError(2, `failCommand data.${unsupported} is not supported by the reference server`);
    }
  }
  const errorLabels = optionalField(doc, "data", "errorLabels", "array") ?? [];
  if (errorLabels.some((l) => typeof l !== "string")) {
    throw new CommandError(2, "data.errorLabels must be an array of strings");
  }
  const blockConnection = optionalField(doc, "data", "blockConnection", "boolean") ?? false;
  const blockTimeMS = optionalField(doc, "data", "blockTimeMS", "number");
  if (blockConnection && blockTimeMS === undefined) {
    throw new CommandError(2, "failCommand data.blockTimeMS is required with blockConnection");
  }
  return {
    failCommands: failCommands as string[],
    ...(blockConnection && { blockMS: blockTimeMS }),
    errorCode: optionalField(doc, "data", "errorCode", "number"),
    closeConnection: optionalField(doc, "data", "closeConnection", "boolean") ?? false,
    errorLabels: errorLabels as string[],
    appName: optionalField(doc, "data", "appName", "string"),
  };
}
