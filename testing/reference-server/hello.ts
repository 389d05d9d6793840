// hello / isMaster / ismaster as a standalone mongod 7.0 with auth enabled answers it: the client metadata
// (client_metadata.cpp), the IDL parse (hello.idl), the awaitable-hello argument checks
// (replication_info.cpp), and saslSupportedMechs / speculativeAuthenticate (hello_auth.cpp).
import { parseClientMetadata } from "./client-metadata.ts";
import type { CommandContext } from "./context.ts";
import { CommandError } from "./errors.ts";
import { elementsOf, type IdlStruct, parseIdl, subDocument } from "./idl.ts";
import type { Document } from "./wire.ts";

/** MongoDB 7.0's wire version. */
export const MAX_WIRE_VERSION = 21;

/** hello.idl's HelloInternalClientField. */
const INTERNAL_CLIENT: IdlStruct = {
  fields: { minWireVersion: { type: "safeInt" }, maxWireVersion: { type: "safeInt", required: true } },
};

/** topology_version.idl's TopologyVersion. */
const TOPOLOGY_VERSION: IdlStruct = {
  fields: { processId: { type: "objectid", required: true }, counter: { type: "long", required: true } },
};

/**
 * hello.idl's `hello` command. Its known fields are type-checked and may not repeat, but unknown fields
 * pass (`strict: false`, "hello is special to allow for unknown fields"): the official Node driver sends
 * `backpressure: "2"` in every handshake, to 7.0 servers too.
 */
const HELLO: IdlStruct = {
  strict: false,
  fields: {
    forShell: { type: "safeBool" },
    hostInfo: { type: "string" },
    hangUpOnStepDown: { type: "safeBool" },
    internalClient: { type: "object", struct: INTERNAL_CLIENT },
    client: { type: "object" },
    topologyVersion: { type: "object", struct: TOPOLOGY_VERSION },
    maxAwaitTimeMS: { type: "safeInt64", gte: 0 },
    helloOk: { type: "safeBool" },
    compression: { type: "array", items: "string" },
    saslSupportedMechs: { type: ["string", "object"] },
    speculativeAuthenticate: { type: "object" },
    loadBalanced: { type: "bool" },
  },
};

/**
 * Runs hello (or a legacy isMaster alias).
 * @param ctx the command context
 * @param cmd the command document
 * @param commandName "hello", "isMaster" or "ismaster"
 * @returns the reply without `ok`
 * @throws CommandError with mongod's code for a malformed hello
 */
export async function hello(ctx: CommandContext, cmd: Document, commandName: string): Promise<Document> {
  recordClientMetadata(ctx);
  parseIdl("hello", HELLO, ctx.request);
  // ClientMetadata::tryFinalize: from now on a `client` document is refused.
  ctx.connection.metadataFinalized = true;
  checkAwaitable(ctx, cmd);
  const reply: Document = {
    [commandName === "hello" ? "isWritablePrimary" : "ismaster"]: true,
    // No topologyVersion: the driver then polls instead of streaming awaitable hellos.
    maxBsonObjectSize: 16777216,
    maxMessageSizeBytes: 48000000,
    maxWriteBatchSize: 100000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connection.info.id,
    // An internal client (mongod/mongos) gets the internal wire range of a 7.0 at FCV 7.0.
    minWireVersion: cmd.internalClient === undefined ? 0 : MAX_WIRE_VERSION,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
  if (cmd.helloOk !== undefined) reply.helloOk = true;
  if (cmd.saslSupportedMechs !== undefined) {
    const mechanisms = ctx.session.supportedMechanisms(cmd.saslSupportedMechs);
    if (mechanisms !== undefined) reply.saslSupportedMechs = mechanisms;
  }
  if (cmd.speculativeAuthenticate !== undefined) {
    const speculative = await speculativeAuthenticate(ctx);
    if (speculative !== undefined) reply.speculativeAuthenticate = speculative;
  }
  return reply;
}

/**
 * ClientMetadata::setFromMetadata, run before the command: a `client` document after the first hello is
 * 186; otherwise it is validated and its application name kept.
 */
function recordClientMetadata(ctx: CommandContext): void {
  const element = elementsOf(ctx.request.bytes).find((e) => e.name === "client");
  if (element === undefined) return;
  if (ctx.connection.metadataFinalized) {
    throw new CommandError(186, "The client metadata document may only be sent in the first hello");
  }
  const appName = parseClientMetadata(element.type, element.value);
  ctx.connection.appName = appName === "" ? undefined : appName;
  ctx.server.stats.clientMetadata.push({ appName, bytes: element.value.length });
}

/**
 * The awaitable hello arguments (replication_info.cpp): topologyVersion and maxAwaitTimeMS come together,
 * the counter is not negative, and an exhaust hello needs maxAwaitTimeMS. This server never sends a
 * topologyVersion, so a client's is always another process's and is answered at once, as mongod does.
 */
function checkAwaitable(ctx: CommandContext, cmd: Document): void {
  const topologyVersion = cmd.topologyVersion as { counter: number | bigint } | undefined;
  const maxAwaitTimeMS = cmd.maxAwaitTimeMS;
  if (topologyVersion !== undefined && maxAwaitTimeMS !== undefined) {
    if (Number(topologyVersion.counter) < 0) {
      throw new CommandError(31372, "topologyVersion must have a non-negative counter");
    }
  } else if (topologyVersion !== undefined || maxAwaitTimeMS !== undefined) {
    throw new CommandError(
      31368,
      topologyVersion !== undefined
        ? "A request with a 'topologyVersion' must include 'maxAwaitTimeMS'"
        : "A request with 'maxAwaitTimeMS' must include a 'topologyVersion'",
    );
  }
  if (ctx.request.exhaustAllowed && maxAwaitTimeMS === undefined) {
    throw new CommandError(51756, "An isMaster or hello request with exhaust must specify 'maxAwaitTimeMS'");
  }
}

/**
 * hello_auth.cpp: the reply's speculativeAuthenticate, or undefined when the attempt failed in any way
 * (mongod catches everything and answers as if there had been no speculative attempt).
 */
async function speculativeAuthenticate(ctx: CommandContext): Promise<Document | undefined> {
  const spec = subDocument(ctx.request, "speculativeAuthenticate")!;
  const first = Object.keys(spec.doc)[0];
  if (first === undefined) {
    throw new CommandError(2, "hello.speculativeAuthenticate must be a non-empty Object");
  }
  if (first !== "saslStart" && first !== "authenticate") {
    throw new CommandError(51769, `hello.speculativeAuthenticate unknown command: ${first}`);
  }
  try {
    return first === "saslStart"
      ? await ctx.session.speculativeSaslStart(spec)
      : await ctx.session.speculativeAuthenticate(spec);
  } catch {
    return undefined;
  }
}
