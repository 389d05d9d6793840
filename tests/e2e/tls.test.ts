// TLS without client certificates: SCRAM over TLS through each transport, server verification, and
// the ways it fails. The test PKI is testing/fixtures/pki (scripts/make-test-pki.sh).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connectWith } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath } from "../../testing/paths.ts";
import { transports } from "../support/transports.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const tls = {
  cert: pki("server-cert.pem"),
  key: pki("server-key.pem"),
  ca: pki("ca.pem"),
  allowConnectionsWithoutCertificates: true,
};
const users = [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }];

for (const { name, transport } of await transports()) {
  describe(`TLS (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => void (server = await startServer({ users, tls })));
    after(() => server.close());

    const uri = (query: string) => `mongodb://alice:alice-pw@${server.address}/?tls=true&${query}`;

    it("SCRAM over TLS with tlsCAFile, still 2 round trips", async () => {
      const conn = await connectWith(transport, uri(`tlsCAFile=${encodeURIComponent(pki("ca.pem"))}`));
      assert.equal(conn.handshake.roundTrips, 2);
      assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
      await conn.close();
    });

    it("SCRAM over TLS with the CA as PEM text (runtimes without files)", async () => {
      const conn = await connectWith(transport, uri(""), { tlsCA: readFileSync(pki("ca.pem"), "utf8") });
      await conn.close();
    });

    it("a server certificate the client does not trust fails with TLS_ERROR", async () => {
      await assert.rejects(
        connectWith(transport, uri(`tlsCAFile=${encodeURIComponent(pki("other-ca.pem"))}`)),
        {
          code: "TLS_ERROR",
        },
      );
    });

    it("an unreadable tlsCAFile fails with TLS_ERROR naming the option", async () => {
      await assert.rejects(connectWith(transport, uri("tlsCAFile=%2Fno%2Fsuch%2Fca.pem")), {
        code: "TLS_ERROR",
        message: /tlsCAFile/,
      });
    });

    it(
      name === "deno"
        ? "tlsAllowInvalidCertificates is refused, with the Deno flag to use instead"
        : "tlsAllowInvalidCertificates skips verification (unsafe)",
      async () => {
        const attempt = connectWith(transport, uri("tlsAllowInvalidCertificates=true"));
        if (name === "deno") {
          await assert.rejects(attempt, {
            code: "RUNTIME_UNSUPPORTED",
            message: /unsafely-ignore-certificate-errors/,
          });
        } else {
          await (await attempt).close();
        }
      },
    );

    it("a plain TCP client against a TLS-only server fails at once, saying to add tls=true", async () => {
      // Whether the TLS stack answers plaintext with an alert or hangs up depends on the runtime.
      await assert.rejects(
        connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`),
        (err: { code?: string; message?: string }) =>
          ["TLS_ERROR", "CONNECTION_CLOSED"].includes(err.code!) && /add tls=true/.test(err.message!),
      );
    });
  });
}
