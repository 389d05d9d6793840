// serverSelectionTimeoutMS, over real sockets on loopback: the time connect() has to find its server, TCP and
// hello of every server it checks included, as an official driver's server selection has it. A server that
// accepts the connection and never answers hello ends connect() then, with connectTimeoutMS=0 (no bound of
// its own) or a connectTimeoutMS longer than it. Through each transport of this runtime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith } from "@mongo-auth/core";
import { startSilentListener } from "../support/socks5-proxy.ts";
import { settledWithin } from "../support/settled-within.ts";
import { transports } from "../support/transports.ts";
import { refusal } from "../support/who-am-i.ts";

for (const { name, transport } of await transports()) {
  describe(`serverSelectionTimeoutMS (${name} transport)`, () => {
    for (const connectTimeoutMS of [0, 3000]) {
      it(`connectTimeoutMS=${connectTimeoutMS}: a server that never answers hello fails at serverSelectionTimeoutMS (300 ms)`, async () => {
        const silent = await startSilentListener();
        try {
          const address = `127.0.0.1:${silent.port}`;
          const uri = `mongodb://alice:alice-pw@${address}/?connectTimeoutMS=${connectTimeoutMS}` +
            "&serverSelectionTimeoutMS=300";
          const started = performance.now();
          const err = await settledWithin(
            4000,
            "connect() to a silent server",
            refusal(connectWith(transport, uri)),
          );
          const ms = performance.now() - started;
          assert.equal(err.code, "TIMEOUT");
          assert.equal(
            err.message,
            `connecting to ${address} did not finish within serverSelectionTimeoutMS (300 ms): the connection ` +
              "opened, but hello got no answer: check that the port is a MongoDB server's, and whether the server " +
              "is overloaded",
          );
          assert.ok(ms >= 250 && ms < 2000, `settled after ${Math.round(ms)} ms`);
          await settledWithin(2000, "the client closing its socket", Promise.all(silent.closed));
        } finally {
          await silent.close();
        }
      });
    }
  });
}
