// Run by Node.js in a process of its own (tests/e2e/cli.test.ts, on every runtime; Bun's node:net ignores the
// backlog): a TCP listener on 127.0.0.1 that never accepts. It prints its port, then blocks its event loop for
// good, so no connection is taken off the kernel's accept queue (a backlog of 1); once the queue is full, the
// kernel answers no SYN. The test kills it.
import net from "node:net";

const server = net.createServer();
server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
  process.stdout.write(`${server.address().port}\n`, () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
});
