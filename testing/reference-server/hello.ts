// hello / isMaster / ismaster as a mongod 7.0 with auth enabled answers it: the client metadata
// (client_metadata.cpp), the IDL parse (hello.idl), the awaitable-hello argument checks and wait
// (replication_info.cpp), what the process is (its ServerRole: standalone, replica set member, mongos),
// a mongos's load balancer support (load_balancer_support.cpp), compression
// (MessageCompressorManager::serverNegotiate), and saslSupportedMechs / speculativeAuthenticate
// (hello_auth.cpp).
import { BSON } from "bson";
import { parseClientMetadata } from "./client-metadata.ts";
import { negotiateCompression } from "./compression.ts";
import type { CommandContext } from "./context.ts";
import { CommandError } from "./errors.ts";
import { type IdlStruct, parseIdl, type RawDocument, rawDocument } from "./idl.ts";
import type { Document } from "./wire.ts";
import type { TopologyVersion } from "./topology.ts";

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
  await awaitTopologyChange(ctx, cmd);
  const role = ctx.server.role;
  // Built by assignment: V8 makes an object literal that spreads other objects on a slow path that cost
  // more than the rest of hello together.
  const reply: Document = {};
  // A standalone here sends no topologyVersion (so drivers poll it); members and mongoses do.
  Object.assign(reply, role.helloFields(commandName !== "hello"), loadBalancerFields(ctx, cmd));
  reply.maxBsonObjectSize = 16777216;
  reply.maxMessageSizeBytes = 48000000;
  reply.maxWriteBatchSize = 100000;
  reply.localTime = new Date();
  reply.logicalSessionTimeoutMinutes = 30;
  reply.connectionId = ctx.connection.info.id;
  // An internal client (mongod/mongos) gets the internal wire range of a 7.0 at FCV 7.0.
  reply.minWireVersion = cmd.internalClient === undefined ? 0 : MAX_WIRE_VERSION;
  reply.maxWireVersion = MAX_WIRE_VERSION;
  reply.readOnly = false;
  if (cmd.helloOk !== undefined) {
    ctx.connection.supportsHello = cmd.helloOk === true || cmd.helloOk === 1;
    reply.helloOk = true;
  }
  // After readOnly, before the authentication fields, as CmdHello::run calls serverNegotiate.
  const compression = negotiateCompression(
    ctx.server.config,
    ctx.connection,
    cmd.compression as string[] | undefined,
  );
  if (compression !== undefined) reply.compression = compression;
  if (cmd.saslSupportedMechs !== undefined) {
    const mechanisms = ctx.session.supportedMechanisms(saslSupportedMechs(ctx));
    if (mechanisms !== undefined) reply.saslSupportedMechs = mechanisms;
  }
  if (cmd.speculativeAuthenticate !== undefined) {
    const speculative = await speculativeAuthenticate(ctx);
    if (speculative !== undefined) reply.speculativeAuthenticate = speculative;
  }
  return reply;
}

/** hello's saslSupportedMechs as UserName::parseFromVariant reads it: the string, or the document as sent. */
function saslSupportedMechs(ctx: CommandContext): string | RawDocument {
  const value = ctx.request.doc.saslSupportedMechs;
  if (typeof value === "string") return value;
  const element = ctx.request.elements.find((e) => e.name === "saslSupportedMechs")!;
  return rawDocument(element.value, value as Document);
}

/**
 * ClientMetadata::setFromMetadata, run before the command: a `client` document after the first hello is
 * 186; otherwise it is validated and its application name kept.
 */
function recordClientMetadata(ctx: CommandContext): void {
  const element = ctx.request.elements.find((e) => e.name === "client");
  if (element === undefined) return;
  if (ctx.connection.metadataFinalized) {
    throw new CommandError(186, "The client metadata document may only be sent in the first hello");
  }
  const appName = parseClientMetadata(element.type, element.value);
  ctx.connection.appName = appName === "" ? undefined : appName;
  const document = BSON.deserialize(element.value, { promoteValues: false });
  ctx.server.stats.clientMetadata.push({ appName, bytes: element.value.length, document });
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
 * An awaitable hello (replication_info.cpp): when the client's topologyVersion is this process's current
 * one, the reply waits for the next change or maxAwaitTimeMS, whichever comes first (or the connection's
 * end). Another process's version, or an older counter, is answered at once.
 */
async function awaitTopologyChange(ctx: CommandContext, cmd: Document): Promise<void> {
  const theirs = cmd.topologyVersion as TopologyVersion | undefined;
  const ours = ctx.server.role.topologyVersion();
  if (theirs === undefined || ours === undefined || cmd.maxAwaitTimeMS === undefined) return;
  const sameProcess = theirs.processId.toHexString() === ours.processId.toHexString();
  if (!sameProcess || Number(theirs.counter) < Number(ours.counter)) return;
  const closed = ctx.connection.closed;
  if (closed.aborted) return;
  ctx.server.stats.awaitedHellos++;
  let wake = () => {};
  const woken = new Promise<void>((resolve) => (wake = resolve));
  const timer = setTimeout(wake, Number(cmd.maxAwaitTimeMS));
  closed.addEventListener("abort", wake, { once: true });
  ctx.server.role.nextChange().then(wake);
  await woken;
  clearTimeout(timer);
  closed.removeEventListener("abort", wake);
}

/**
 * load_balancer_support::handleHello (7.0): the first hello of a connection that came through a mongos's
 * loadBalancerPort must say `loadBalanced: true` (else 354 LoadBalancerSupportMismatch) and gets the
 * mongos's `serviceId`. Anywhere else `loadBalanced` is accepted and ignored: a mongod, or a mongos on its
 * main port, answers without a serviceId, and a driver in load-balanced mode then refuses the server.
 */
function loadBalancerFields(ctx: CommandContext, cmd: Document): Document {
  const { connection } = ctx;
  const serviceId = ctx.server.role.serviceId?.();
  if (!connection.fromLoadBalancer || serviceId === undefined || connection.loadBalancedHelloDone) return {};
  if (cmd.loadBalanced !== true) {
    throw new CommandError(
      354,
      "The server is being accessed through a load balancer, but this driver does not have load balancing enabled",
    );
  }
  connection.loadBalancedHelloDone = true;
  return { serviceId };
}

/**
 * hello_auth.cpp: the reply's speculativeAuthenticate, or undefined when the attempt failed in any way
 * (mongod catches everything and answers as if there had been no speculative attempt).
 */
async function speculativeAuthenticate(ctx: CommandContext): Promise<Document | undefined> {
  // hello's IDL parse refused a repeated or non-document speculativeAuthenticate: the value deserialized
  // with the command is this element's.
  const element = ctx.request.elements.find((e) => e.name === "speculativeAuthenticate")!;
  const spec = rawDocument(element.value, ctx.request.doc.speculativeAuthenticate as Document);
  const first = Object.keys(spec.doc)[0];
  if (first === undefined) {
    throw new CommandError(2, "hello.speculativeAuthenticate must be a non-empty Object");
  }
  if (first !== "saslStart" && first !== "authenticate") {
    throw new CommandError(51769, `hello.speculativeAuthenticate unknown command: ${first}`);
  }
  // APIParameters::get(opCtx): hello's own apiStrict governs the authentication it completes.
  const apiStrict = ctx.request.doc.apiStrict === true;
  try {
    return first === "saslStart"
      ? await ctx.session.speculativeSaslStart(spec, apiStrict)
      : await ctx.session.speculativeAuthenticate(spec, apiStrict);
  } catch {
    return undefined;
  }
}
