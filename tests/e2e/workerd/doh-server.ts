// A loopback DNS-over-HTTPS resolver (RFC 8484, GET and POST) for one test zone, written apart from
// src/dns/dns-over-https.ts so that a bug shared by client and server cannot hide. Answers compress every
// name against what the message already holds, as real resolvers do, so the client's decompression runs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createSocket } from "node:dgram";

/** The records the resolver knows. Names are lower case, without a trailing dot. */
export interface DohZone {
  srv?: Record<string, { target: string; port: number; priority?: number; weight?: number }[]>;
  txt?: Record<string, string[][]>;
  /** Owner → canonical name; answered before the records of the target, in one response. */
  cname?: Record<string, string>;
  /** Names answered with this rcode (2 SERVFAIL, 5 REFUSED, …). */
  rcode?: Record<string, number>;
  /** Names answered this many milliseconds late. */
  delayMs?: Record<string, number>;
}

/** A running resolver. */
export interface DohServer {
  /** `http://127.0.0.1:PORT/dns-query` */
  readonly endpoint: string;
  /** Queries answered so far, as `TYPE name`. */
  readonly queries: string[];
  close(): Promise<void>;
}

const TYPE_SRV = 33;
const TYPE_TXT = 16;
const TYPE_CNAME = 5;

/** Starts the resolver on 127.0.0.1 and a free port. */
export async function startDohServer(zone: DohZone): Promise<DohServer> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    handle(zone, queries, req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/dns-query`,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A running plain DNS server (UDP). */
export interface UdpDnsServer {
  /** `127.0.0.1:PORT`, for `dns.setServers`. */
  readonly address: string;
  /** Queries answered so far, as `TYPE name`. */
  readonly queries: string[];
  close(): Promise<void>;
}

/**
 * The same zone over classic DNS (UDP, RFC 1035), for the runtimes' own resolvers (`node:dns`), so
 * that the path `mongodb+srv://` takes without DNS-over-HTTPS is tested against real DNS messages too.
 */
export async function startUdpDnsServer(zone: DohZone): Promise<UdpDnsServer> {
  const queries: string[] = [];
  const socket = createSocket("udp4");
  socket.on("message", (message, peer) => {
    try {
      const { name, type, questionEnd } = parseQuestion(message);
      queries.push(`${type === TYPE_SRV ? "SRV" : type === TYPE_TXT ? "TXT" : type} ${name}`);
      socket.send(answer(zone, message, name, type, questionEnd), peer.port, peer.address);
    } catch {
      // A query we cannot parse gets no answer, like a resolver dropping garbage.
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function handle(zone: DohZone, queries: string[], req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://localhost");
  let query: Buffer;
  if (req.method === "GET" && url.pathname === "/dns-query" && url.searchParams.has("dns")) {
    query = Buffer.from(url.searchParams.get("dns")!, "base64url");
  } else if (req.method === "POST" && url.pathname === "/dns-query") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    query = Buffer.concat(chunks);
  } else {
    res.statusCode = 400;
    return res.end();
  }
  const { name, type, questionEnd } = parseQuestion(query);
  queries.push(`${type === TYPE_SRV ? "SRV" : type === TYPE_TXT ? "TXT" : type} ${name}`);
  const delay = zone.delayMs?.[name];
  if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
  res.setHeader("content-type", "application/dns-message");
  res.end(answer(zone, query, name, type, questionEnd));
}

function parseQuestion(query: Buffer): { name: string; type: number; questionEnd: number } {
  const labels: string[] = [];
  let at = 12;
  while (query[at] !== 0) {
    labels.push(query.subarray(at + 1, at + 1 + query[at]).toString("latin1"));
    at += 1 + query[at];
  }
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(at + 1), questionEnd: at + 5 };
}

// Builds the response message; `written` maps each name suffix already in the message to its offset.
function answer(zone: DohZone, query: Buffer, name: string, type: number, questionEnd: number): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  const written = new Map<string, number>();
  const push = (bytes: Buffer) => {
    parts.push(bytes);
    length += bytes.length;
  };
  const pushName = (full: string) => {
    const labels = full === "" ? [] : full.split(".");
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".");
      const at = written.get(suffix);
      if (at !== undefined) return push(Buffer.from([0xc0 | (at >> 8), at & 0xff]));
      if (length < 0x3fff) written.set(suffix, length);
      push(Buffer.concat([Buffer.from([labels[i].length]), Buffer.from(labels[i], "latin1")]));
    }
    push(Buffer.from([0]));
  };
  const records: { owner: string; type: number; rdata: () => void }[] = [];
  let owner = name;
  const alias = zone.cname?.[owner];
  if (alias !== undefined) {
    records.push({ owner, type: TYPE_CNAME, rdata: () => pushName(alias) });
    owner = alias;
  }
  if (type === TYPE_SRV) {
    for (const r of zone.srv?.[owner] ?? []) {
      records.push({
        owner,
        type: TYPE_SRV,
        rdata: () => {
          const fixed = Buffer.alloc(6);
          fixed.writeUInt16BE(r.priority ?? 0, 0);
          fixed.writeUInt16BE(r.weight ?? 0, 2);
          fixed.writeUInt16BE(r.port, 4);
          push(fixed);
          pushName(r.target);
        },
      });
    }
  } else if (type === TYPE_TXT) {
    for (const strings of zone.txt?.[owner] ?? []) {
      records.push({
        owner,
        type: TYPE_TXT,
        rdata: () => {
          for (const s of strings) push(Buffer.concat([Buffer.from([s.length]), Buffer.from(s, "latin1")]));
        },
      });
    }
  }
  const known = alias !== undefined || zone.srv?.[name] || zone.txt?.[name];
  const rcode = zone.rcode?.[name] ?? (known ? 0 : 3);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | rcode, 2); // QR, RD, RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rcode === 0 ? records.length : 0, 6);
  push(header);
  pushName(name);
  push(query.subarray(questionEnd - 4, questionEnd));
  if (rcode !== 0) return Buffer.concat(parts);
  for (const record of records) {
    pushName(record.owner);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(record.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(60, 4);
    push(fixed);
    const before = length;
    record.rdata();
    const rdataLength = length - before;
    fixed.writeUInt16BE(rdataLength, 8);
  }
  return Buffer.concat(parts);
}
