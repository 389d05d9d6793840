// A bare protocol client: the pool warm-up's three messages (hello with the speculative SCRAM-SHA-256
// start, saslContinue, ping) over node:net, with the library's ScramClient, key cache, OP_MSG codec and
// frame parser, and nothing of connect() around them: no option parsing, server discovery, deadlines,
// trace, client metadata checks or error handling. What it costs is roughly what any client doing the same
// work on this runtime spends at least (sockets, BSON, SCRAM), so the pool section reports it beside
// connect() and the driver: the distance between it and connect() is connect()'s own overhead.
import { connect, type Socket } from "node:net";
import { Binary, type Document } from "bson";
import { ScramClient } from "../../src/mechanisms/scram/client.ts";
import type { ScramKeyCache } from "../../src/crypto/scram-key-cache.ts";
import { decodeOpMsg, encodeOpMsg } from "../../src/wire/op-msg.ts";
import { FrameParser } from "../../src/wire/frame-parser.ts";
import { parseAddress } from "../../src/topology/server-description.ts";

const MAX_MESSAGE = 48_000_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A logged-in bare connection. */
export interface BareConnection {
  close(): void;
}

/**
 * Logs `user` in with SCRAM-SHA-256 (speculatively, in hello) and runs one ping.
 *
 * @param address "host:port" (or "[v6]:port")
 * @param user the user, in `admin`
 * @param password its password
 * @param cache the key cache the pool's connections share
 * @returns the connection
 */
export function bareLogin(
  address: string,
  user: string,
  password: string,
  cache: ScramKeyCache,
): Promise<BareConnection> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, host);
    socket.setNoDelay(true);
    const scram = new ScramClient({ hash: "SHA-256", username: user, password, cache });
    let requestId = 0;
    let step = 0;
    const send = (body: Document) => socket.write(encodeOpMsg(++requestId, { ...body, $db: "admin" }));
    const fail = (err: unknown) => {
      socket.destroy();
      reject(err);
    };
    const onReply = async (reply: Document) => {
      if (reply.ok !== 1) throw new Error(`server refused step ${step}: ${reply.errmsg}`);
      step++;
      if (step === 1) {
        const started = reply.speculativeAuthenticate as Document;
        const final = await scram.clientFinalMessage(decoder.decode((started.payload as Binary).buffer));
        send({ saslContinue: 1, conversationId: started.conversationId, payload: bytes(final) });
      } else if (step === 2) {
        await scram.verifyServerFinalMessage(decoder.decode((reply.payload as Binary).buffer));
        send({ ping: 1 });
      } else {
        resolve({ close: () => socket.destroy() });
      }
    };
    const parser = new FrameParser(() => MAX_MESSAGE, address, (frame) => {
      onReply(decodeOpMsg(frame).body).catch(fail);
    });
    socket.on("data", (chunk: Uint8Array) => parser.push(chunk));
    socket.on("error", fail);
    socket.on("connect", () =>
      send({
        hello: 1,
        helloOk: true,
        client: { driver: { name: "bare", version: "0" }, os: { type: "linux" }, platform: "bench" },
        saslSupportedMechs: `admin.${user}`,
        speculativeAuthenticate: {
          saslStart: 1,
          mechanism: "SCRAM-SHA-256",
          payload: bytes(scram.clientFirstMessage()),
          db: "admin",
          options: { skipEmptyExchange: true },
        },
      }));
  });
}

function bytes(text: string): Binary {
  return new Binary(encoder.encode(text));
}
