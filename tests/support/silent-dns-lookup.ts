// Run in a process of its own (tests/transport/node.test.ts): the Node.js/Bun transport looks up an SRV
// record at a DNS server that never answers, under a signal that fires after 200 ms. Prints the error's
// code; the test then checks that the process exits by itself, which it cannot while a query is left
// running (node:dns retries a silent server for 24–26 s).
import dgram from "node:dgram";
import dns from "node:dns";
import { nodeTransport } from "../../src/transport/node.ts";

const silent = dgram.createSocket("udp4");
await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
silent.unref();
dns.promises.setServers([`127.0.0.1:${silent.address().port}`]);
try {
  await nodeTransport.resolveSrv("_mongodb._tcp.cluster0.example.net", AbortSignal.timeout(200));
  console.log("answered");
} catch (err) {
  console.log((err as { code?: string }).code);
}
