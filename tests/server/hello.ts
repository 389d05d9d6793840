// hello / isMaster / ismaster as a standalone mongod 7.0 with auth enabled answers it, including
// saslSupportedMechs and speculativeAuthenticate (mongod's handleHelloAuth).
import type { CommandContext } from "./context.ts";
import { CommandError } from "./errors.ts";
import type { Document } from "./wire.ts";

/** MongoDB 7.0's wire version. */
export const MAX_WIRE_VERSION = 21;

/**
 * Runs hello (or a legacy isMaster alias).
 * @param ctx the command context
 * @param cmd the command document
 * @param commandName "hello", "isMaster" or "ismaster"
 * @returns the reply without `ok`
 * @throws CommandError for malformed saslSupportedMechs/speculativeAuthenticate or repeated client metadata
 */
export async function hello(ctx: CommandContext, cmd: Document, commandName: string): Promise<Document> {
  recordClientMetadata(ctx, cmd);
  const reply: Document = {
    [commandName === "hello" ? "isWritablePrimary" : "ismaster"]: true,
    // No topologyVersion: the driver then polls instead of streaming awaitable hellos.
    maxBsonObjectSize: 16777216,
    maxMessageSizeBytes: 48000000,
    maxWriteBatchSize: 100000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connection.info.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
  if (cmd.helloOk === true) reply.helloOk = true;
  if (cmd.saslSupportedMechs !== undefined) {
    const mechanisms = ctx.session.supportedMechanisms(cmd.saslSupportedMechs);
    if (mechanisms !== undefined) reply.saslSupportedMechs = mechanisms;
  }
  if (cmd.speculativeAuthenticate !== undefined) {
    const speculative = await speculativeAuthenticate(ctx, cmd.speculativeAuthenticate, commandName);
    if (speculative !== undefined) reply.speculativeAuthenticate = speculative;
  }
  return reply;
}

function recordClientMetadata(ctx: CommandContext, cmd: Document): void {
  if (cmd.client === undefined) return;
  if (ctx.connection.clientMetadataSeen) {
    throw new CommandError(186, "The client metadata document may only be sent in the first hello");
  }
  ctx.connection.clientMetadataSeen = true;
  const application = (cmd.client as Document | null)?.application as Document | undefined;
  if (typeof application?.name === "string") ctx.connection.appName = application.name;
}

/** The reply's speculativeAuthenticate, or undefined when the attempt failed (mongod omits it). */
async function speculativeAuthenticate(
  ctx: CommandContext,
  value: unknown,
  commandName: string,
): Promise<Document | undefined> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || "_bsontype" in value) {
    throw new CommandError(
      14,
      `BSON field '${commandName}.speculativeAuthenticate' is the wrong type, expected type 'object'`,
    );
  }
  const doc = value as Document;
  const first = Object.keys(doc)[0];
  if (first === undefined) {
    throw new CommandError(2, `${commandName}.speculativeAuthenticate must be a non-empty Object`);
  }
  if (first !== "saslStart" && first !== "authenticate") {
    throw new CommandError(51769, `${commandName}.speculativeAuthenticate unknown command: ${first}`);
  }
  try {
    if (first === "saslStart") {
      // Without a `db` field mongod silently skips speculative saslStart.
      if (typeof doc.db !== "string") return undefined;
      return await ctx.session.saslStart(doc.db, doc, true);
    }
    // Speculative authenticate defaults to $external, as X.509 users live there.
    return await ctx.session.authenticate(typeof doc.db === "string" ? doc.db : "$external", doc, true);
  } catch {
    return undefined;
  }
}
