// The auth specification's unified-format MONGODB-OIDC test (auth/unified/mongodb-oidc-no-retry.json),
// run by a small runner that knows exactly what that file uses: client/database/collection entities,
// initialData, the failPoint, find and insertOne operations, expectResult, expectError and
// expectEvents (command started/succeeded/failed). Clients are connect() connections (reopened when
// the server closes one, as a pool would) through a transport whose sockets are tapped to see every
// command on the wire, the way a driver's command monitoring does; hello and SASL commands are
// security-sensitive and never observed (unified format rules). `$$placeholder` auth properties are
// ENVIRONMENT:test with OIDC_TOKEN_FILE, against the reference server.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AuthCacheStore,
  type Connection,
  type ConnectOptions,
  connectWith,
  type Document,
  MongoServerError,
  runtimeEnv,
  type Transport,
} from "@mongo-auth/core";
import { decodeOpMsg } from "../../src/wire/op-msg.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { createIdentityProvider, oidcServerConfig } from "../../testing/identity-provider.ts";
import { readSpec } from "../support/paths.ts";
import { transports } from "../support/transports.ts";

// ---------------------------------------------------------------------------------------------
// Command monitoring by tapping the socket

interface CommandEvent {
  type: "commandStartedEvent" | "commandSucceededEvent" | "commandFailedEvent";
  commandName: string;
  command?: Document;
}

const SENSITIVE = new Set(["hello", "ismaster", "isMaster", "saslStart", "saslContinue", "authenticate"]);

// Splits a byte stream into MongoDB frames (little-endian int32 length first).
class FrameSplitter {
  #buffer = new Uint8Array(0);
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (joined.length - offset >= 4) {
      const length = new DataView(joined.buffer, joined.byteOffset + offset).getInt32(0, true);
      if (joined.length - offset < length) break;
      frames.push(joined.slice(offset, offset + length));
      offset += length;
    }
    this.#buffer = joined.slice(offset);
    return frames;
  }
}

function tapped(transport: Transport, events: CommandEvent[]): Transport {
  return {
    platform: transport.platform,
    osType: transport.osType,
    capabilities: transport.capabilities,
    resolveSrv: (name, signal) => transport.resolveSrv(name, signal),
    resolveTxt: (name, signal) => transport.resolveTxt(name, signal),
    defaultEnv: () => transport.defaultEnv(),
    async openSocket(options) {
      const socket = await transport.openSocket(options);
      const pending = new Map<number, string>();
      const outgoing = new FrameSplitter();
      const incoming = new FrameSplitter();
      const failPending = () => {
        for (const name of pending.values()) events.push({ type: "commandFailedEvent", commandName: name });
        pending.clear();
      };
      const writer = socket.writable.getWriter();
      const writable = new WritableStream<Uint8Array>({
        async write(chunk) {
          for (const frame of outgoing.push(chunk)) {
            const message = decodeOpMsg(frame);
            const name = Object.keys(message.body)[0];
            if (!SENSITIVE.has(name)) {
              pending.set(message.requestId, name);
              events.push({ type: "commandStartedEvent", commandName: name, command: message.body });
            }
          }
          await writer.write(chunk);
        },
        close: () => writer.close(),
        abort: (reason) => writer.abort(reason),
      });
      const readable = socket.readable.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            for (const frame of incoming.push(chunk)) {
              const message = decodeOpMsg(frame);
              const name = pending.get(message.responseTo);
              if (name !== undefined) {
                pending.delete(message.responseTo);
                const ok = message.body.ok === 1;
                events.push({ type: ok ? "commandSucceededEvent" : "commandFailedEvent", commandName: name });
              }
            }
            controller.enqueue(chunk);
          },
          flush: failPending,
        }),
      );
      return {
        readable,
        writable,
        close() {
          failPending();
          socket.close();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Entities

interface UnifiedFile {
  description: string;
  createEntities: Document[];
  initialData: { collectionName: string; databaseName: string; documents: Document[] }[];
  tests: { description: string; operations: Operation[]; expectEvents?: ExpectedEvents[] }[];
}
interface Operation {
  name: string;
  object: string;
  arguments: Document;
  expectResult?: unknown;
  expectError?: { isClientError?: boolean; errorCode?: number };
}
interface ExpectedEvents {
  client: string;
  events: Record<string, Document>[];
}

/** A client entity: a lazily opened connection, reopened after the server closed it. */
class ClientEntity {
  readonly events: CommandEvent[] = [];
  #conn: Connection | undefined;
  readonly #transport: Transport;

  constructor(
    transport: Transport,
    readonly uri: string,
    readonly options: ConnectOptions,
    readonly observe: ReadonlySet<string>,
  ) {
    this.#transport = tapped(transport, this.events);
  }

  async command(db: string, cmd: Document): Promise<Document> {
    if (!this.#conn || this.#conn.closed) {
      this.#conn = await connectWith(this.#transport, this.uri, this.options);
    }
    return await this.#conn.command(db, cmd);
  }

  observed(): CommandEvent[] {
    return this.events.filter((event) => this.observe.has(event.type));
  }

  close(): Promise<void> {
    return this.#conn?.close() ?? Promise.resolve();
  }
}

// Unified-format matching for what this file uses: expected documents are subsets of actual ones.
function assertMatches(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === "object", `${path}: expected a document`);
    for (const [key, value] of Object.entries(expected)) {
      assertMatches((actual as Document)[key], value, `${path}.${key}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expected.length, `${path}: array length`);
    expected.forEach((item, i) => assertMatches(actual[i], item, `${path}[${i}]`));
    return;
  }
  assert.deepEqual(actual, expected, path);
}

// The server's error code of a failure: connect() reports a handshake's 18 as AUTHENTICATION_FAILED
// with the server's error as the cause.
function serverCodeOf(error: unknown): number | undefined {
  if (error instanceof MongoServerError) return error.serverCode;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof MongoServerError ? cause.serverCode : undefined;
}

// ---------------------------------------------------------------------------------------------

const file = readSpec<UnifiedFile>("auth/unified/mongodb-oidc-no-retry.json");

for (const { name, transport } of await transports()) {
  describe(`unified: ${file.description} (${name} transport)`, () => {
    let server: RunningServer;
    let dir: string;
    let env: ReturnType<typeof runtimeEnv>;
    before(async () => {
      const idp = await createIdentityProvider();
      server = await startServer({
        oidc: oidcServerConfig(idp),
        // As the specification's test deployments grant it: reads and writes everywhere.
        users: [{
          db: "$external",
          user: "test_user1",
          mechanisms: ["MONGODB-OIDC"],
          roles: [{ role: "readWriteAnyDatabase", db: "admin" }],
        }],
      });
      dir = mkdtempSync(join(tmpdir(), "mongo-auth-unified-"));
      const tokenFile = join(dir, "test_user1");
      writeFileSync(tokenFile, await idp.token("test_user1"));
      env = runtimeEnv({
        env: { OIDC_TOKEN_FILE: tokenFile },
        readTextFile: (path) => readFile(path, "utf8"),
      });
    });
    after(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    function newClient(entity: Document): ClientEntity {
      const uriOptions = (entity.uriOptions ?? {}) as Document;
      const properties = uriOptions.authMechanismProperties as Document | undefined;
      const options: ConnectOptions = {
        env,
        cacheStore: new AuthCacheStore(),
        // `$$placeholder` (and the failpoint client's default credential): the test environment.
        authMechanismProperties: properties === undefined || "$$placeholder" in properties
          ? { ENVIRONMENT: "test" }
          : properties,
        ...(typeof uriOptions.appName === "string" ? { appName: uriOptions.appName } : {}),
      };
      // retryReads/retryWrites=false: connect() has no retryable reads or writes to turn off.
      return new ClientEntity(
        transport,
        `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`,
        options,
        new Set((entity.observeEvents ?? []) as string[]),
      );
    }

    for (const test of file.tests) {
      it(test.description, async () => {
        const clients = new Map<string, ClientEntity>();
        const collections = new Map<string, { client: ClientEntity; db: string; coll: string }>();
        const databases = new Map<string, { client: string; db: string }>();
        for (const entry of file.createEntities) {
          const [kind, entity] = Object.entries(entry)[0] as [string, Document];
          if (kind === "client") clients.set(String(entity.id), newClient(entity));
          if (kind === "database") {
            databases.set(String(entity.id), {
              client: String(entity.client),
              db: String(entity.databaseName),
            });
          }
          if (kind === "collection") {
            const database = databases.get(String(entity.database))!;
            collections.set(String(entity.id), {
              client: clients.get(database.client)!,
              db: database.db,
              coll: String(entity.collectionName),
            });
          }
        }
        const setup = newClient({});
        let failPointClient: ClientEntity | undefined;
        try {
          for (const data of file.initialData) {
            await setup.command(data.databaseName, { drop: data.collectionName });
            if (data.documents.length > 0) {
              await setup.command(data.databaseName, {
                insert: data.collectionName,
                documents: data.documents,
              });
            }
          }
          for (const operation of test.operations) {
            let result: unknown;
            let error: unknown;
            try {
              if (operation.name === "failPoint") {
                failPointClient = clients.get(String(operation.arguments.client))!;
                await failPointClient.command("admin", operation.arguments.failPoint as Document);
                continue;
              }
              const target = collections.get(operation.object);
              assert.ok(target, `unknown object ${operation.object}`);
              if (operation.name === "find") {
                const reply = await target.client.command(target.db, {
                  find: target.coll,
                  filter: operation.arguments.filter,
                });
                result = (reply.cursor as Document).firstBatch;
              } else if (operation.name === "insertOne") {
                result = await target.client.command(target.db, {
                  insert: target.coll,
                  documents: [operation.arguments.document],
                });
              } else {
                assert.fail(`operation ${operation.name} is not supported by this runner`);
              }
            } catch (e) {
              error = e;
            }
            if (operation.expectError) {
              assert.ok(error, `${operation.name} should have failed`);
              const serverCode = serverCodeOf(error);
              if (operation.expectError.isClientError) {
                assert.equal(serverCode, undefined, `expected a client error, got ${error}`);
              }
              if (operation.expectError.errorCode !== undefined) {
                assert.equal(
                  serverCode,
                  operation.expectError.errorCode,
                  `expected server error, got ${error}`,
                );
              }
            } else {
              if (error) throw error;
              if (operation.expectResult !== undefined) {
                assertMatches(result, operation.expectResult, operation.name);
              }
            }
          }
          for (const expected of test.expectEvents ?? []) {
            const actual = clients.get(expected.client)!.observed();
            assert.equal(
              actual.length,
              expected.events.length,
              `events: ${JSON.stringify(actual.map((e) => `${e.type}:${e.commandName}`))}`,
            );
            expected.events.forEach((event, i) => {
              const [type, fields] = Object.entries(event)[0];
              assert.equal(actual[i].type, type, `event ${i}`);
              if (fields.commandName !== undefined) {
                assert.equal(actual[i].commandName, fields.commandName, `event ${i}`);
              }
              if (fields.command !== undefined) {
                assertMatches(actual[i].command, fields.command, `event ${i}.command`);
              }
            });
          }
        } finally {
          // The runner turns failpoints off after each test.
          if (failPointClient) {
            await failPointClient.command("admin", { configureFailPoint: "failCommand", mode: "off" });
          }
          await Promise.all([...clients.values(), setup].map((client) => client.close()));
        }
      });
    }
  });
}
