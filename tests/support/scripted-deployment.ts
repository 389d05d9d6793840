// A deployment played in memory: each address answers hello with the reply a test scripts for it (or
// refuses the socket), and every command after hello with `{ ok: 1 }` or the test's own answer. It
// records which sockets were opened, in order, and whether the client closed each, so a test can say
// which servers connect() checked and that it let go of every one it did not choose. No network at all.
import { MongoAuthError } from "../../src/core/errors.ts";
import type { OpenSocketOptions, Transport } from "../../src/client/transport.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { memorySocket, type Peer, replyTo, requestBody } from "./memory-socket.ts";

type Doc = Record<string, unknown>;

/**
 * What one address does: answers hello with a document, refuses the connection, or, as a server before
 * 4.4.2, knows only the legacy `isMaster` (`{ isMasterOnly: reply }`).
 */
export type ScriptedServer = Doc | "refuse" | { readonly isMasterOnly: Doc };

export interface ScriptedDeployment {
  readonly transport: Transport;
  /** Every socket opened, in order: its address and its peer side. */
  readonly opened: { readonly address: string; readonly peer: Peer }[];
  /** The commands (first key) each address received, hello included. */
  readonly commands: Map<string, string[]>;
  /** The bodies of every command each address received. */
  readonly bodies: Map<string, Doc[]>;
}

/**
 * A transport whose sockets reach the scripted servers.
 *
 * @param servers `host:port` to its hello reply (without `ok`, added) or "refuse"
 * @param answer the reply to any command after hello (default `{ ok: 1 }`)
 * @param helloDelayMS how long each address takes to answer hello (its round trip; default none)
 */
export function scriptedDeployment(
  servers: Record<string, ScriptedServer>,
  answer: (address: string, body: Doc) => Doc = () => ({ ok: 1 }),
  helloDelayMS: Record<string, number> = {},
): ScriptedDeployment {
  const opened: { address: string; peer: Peer }[] = [];
  const commands = new Map<string, string[]>();
  const bodies = new Map<string, Doc[]>();
  const transport = Object.create(nodeTransport, {
    openSocket: {
      value: ({ host, port }: { host: string; port: number }) => {
        const address = `${host}:${port}`;
        const script = servers[address];
        if (script === undefined || script === "refuse") {
          return Promise.reject(new MongoAuthError("CONNECTION_FAILED", `${address}: connection refused`));
        }
        const { socket, peer } = memorySocket();
        opened.push({ address, peer });
        void serve(address, peer, script);
        return Promise.resolve(socket);
      },
    },
  }) as Transport;

  async function serve(address: string, peer: Peer, script: Doc): Promise<void> {
    for (;;) {
      const request = await peer.nextWrite();
      const body = requestBody(request);
      const name = Object.keys(body)[0];
      commands.set(address, [...commands.get(address) ?? [], name]);
      bodies.set(address, [...bodies.get(address) ?? [], body]);
      const delayMS = name === "hello" || name === "isMaster" ? helloDelayMS[address] : undefined;
      if (delayMS !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMS));
      peer.send(replyTo(request, replyOf(address, name, body, script)));
    }
  }

  function replyOf(address: string, name: string, body: Doc, script: Doc): Doc {
    const legacy = script.isMasterOnly as Doc | undefined;
    if (legacy === undefined) {
      return name === "hello" ? { ok: 1, maxWireVersion: 21, ...script } : answer(address, body);
    }
    if (name === "hello") {
      return { ok: 0, code: 59, codeName: "CommandNotFound", errmsg: "no such cmd: hello" };
    }
    return name === "isMaster" ? { ok: 1, maxWireVersion: 8, ...legacy } : answer(address, body);
  }

  return { transport, opened, commands, bodies };
}

/** A socket to a server that drops packets: it never opens, and fails only when its signal fires. */
export const silent = (options: OpenSocketOptions): Promise<never> =>
  new Promise((_, reject) =>
    options.signal!.addEventListener("abort", () => reject(options.signal!.reason), { once: true })
  );

/** The deployment's transport, on which `host` drops packets. */
export const silentHost = (deployment: ScriptedDeployment, host: string): Transport =>
  Object.create(deployment.transport, {
    openSocket: {
      value: (options: OpenSocketOptions) =>
        options.host === host ? silent(options) : deployment.transport.openSocket(options),
    },
  });
