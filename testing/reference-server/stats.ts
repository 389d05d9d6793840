// Counters a test can read from a running server (RunningServer.stats) to assert what the client
// actually did on the wire, e.g. "speculative auth was used, no saslStart was sent".

import type { Document } from "./wire.ts";

/** Per-server counters; all start at zero. */
export interface ServerStats {
  /** TCP connections accepted. */
  connectionsOpened: number;
  /** Connections open right now. */
  connectionsOpen: number;
  /** Messages received per opcode name: "OP_MSG", "OP_QUERY" (a compressed one under its original opcode). */
  opcodes: Record<string, number>;
  /** Commands received by name as sent (e.g. "ismaster", "hello", "saslStart"), failed ones too. */
  commands: Record<string, number>;
  /** Completed authentications (saslStart/saslContinue/authenticate/speculative). */
  authSuccesses: number;
  /** Failed authentication steps (each one a code 18 to the client, or a dropped speculative). */
  authFailures: number;
  /** Successful authentications per mechanism name. */
  authSuccessesByMechanism: Record<string, number>;
  /** Speculative conversations started from hello and how many completed authentication. */
  speculative: { received: number; successful: number };
  /** Why each failed step failed, like mongod's log (never sent to clients, never a secret). */
  authFailureReasons: string[];
  /** Commands failed by the failCommand failpoint. */
  failpointHits: number;
  /**
   * Each `client` metadata document that passed mongod's checks: its application name ("" if none), BSON
   * size, and the document itself (numbers as the `bson` package's Int32, Double, … so that a test sees
   * each field's BSON type).
   */
  clientMetadata: Array<{ appName: string; bytes: number; document: Document }>;
  /**
   * The `$readPreference` mode of each command that ran, by command name (`"none"` without one), e.g.
   * `{ find: ["secondary"], insert: ["none"] }`; hello and the authentication commands are left out.
   */
  readPreferences: Record<string, string[]>;
  /** The `maxTimeMS` of each command that carried one (and passed mongod's checks of it), by command name. */
  maxTimeMS: Record<string, number[]>;
  /** Awaitable hellos that waited (the client's topologyVersion was current) before answering. */
  awaitedHellos: number;
  /**
   * OP_COMPRESSED requests received and run (counted under their original opcode in `opcodes` too); a
   * refused one, which closes the connection, is not counted.
   */
  compressedIn: number;
  /** `compressedIn` by compressor name, e.g. `{ snappy: 2 }`: which one the client really used. */
  compressedInBy: Record<string, number>;
  /** Replies sent as OP_COMPRESSED (each reply to a compressed request, exhaust replies included). */
  compressedOut: number;
  /** `compressedOut` by compressor name (always the request's). */
  compressedOutBy: Record<string, number>;
}

/** A fresh set of counters. */
export function newStats(): ServerStats {
  return {
    connectionsOpened: 0,
    connectionsOpen: 0,
    opcodes: {},
    commands: {},
    authSuccesses: 0,
    authFailures: 0,
    authSuccessesByMechanism: {},
    speculative: { received: 0, successful: 0 },
    authFailureReasons: [],
    failpointHits: 0,
    clientMetadata: [],
    readPreferences: {},
    maxTimeMS: {},
    awaitedHellos: 0,
    compressedIn: 0,
    compressedInBy: {},
    compressedOut: 0,
    compressedOutBy: {},
  };
}

/** Adds one to a named counter. */
export function bump(counters: Record<string, number>, name: string): void {
  counters[name] = (counters[name] ?? 0) + 1;
}
