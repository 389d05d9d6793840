// TLS without client certificates: SCRAM over TLS through each transport, server verification, and
// the ways it fails. The test PKI is testing/fixtures/pki (scripts/make-test-pki.sh).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectWith, hintsFor, MongoAuthError } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath } from "../../testing/paths.ts";
import { transports } from "../support/transports.ts";
import { type CrlServers, startCrlServers } from "../support/crl-servers.ts";

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

    it("a server certificate the client does not trust fails with TLS_ERROR, saying to give its CA with tlsCAFile", async () => {
      const giveTheCa =
        /\(the server's certificate leads to no CA this runtime trusts: give the CA that signed it/;
      await assert.rejects(
        connectWith(transport, uri(`tlsCAFile=${encodeURIComponent(pki("other-ca.pem"))}`)),
        { code: "TLS_ERROR", message: giveTheCa },
      );
      await assert.rejects(connectWith(transport, uri("")), { code: "TLS_ERROR", message: giveTheCa });
    });

    it("a tlsCAFile in DER (a .cer from Windows): TLS_ERROR saying it is binary and how to convert it", async () => {
      const dir = mkdtempSync(join(tmpdir(), "mongo-auth-der-"));
      try {
        const der = join(dir, "ca.cer");
        writeFileSync(der, new X509Certificate(readFileSync(pki("ca.pem"))).raw);
        await assert.rejects(connectWith(transport, uri(`tlsCAFile=${encodeURIComponent(der)}`)), {
          code: "TLS_ERROR",
          message:
            /holds no PEM certificate: it is binary, .*openssl x509 -inform DER -in ca\.cer -out ca\.pem/,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("tlsCAFile is read for each connection: when its content changes, the next connection trusts what it now holds", async () => {
      const dir = mkdtempSync(join(tmpdir(), "mongo-auth-ca-"));
      const file = join(dir, "ca.pem");
      const trusting = (name: string) => {
        writeFileSync(file, readFileSync(pki(name)));
        return connectWith(transport, uri(`tlsCAFile=${encodeURIComponent(file)}`));
      };
      try {
        await (await trusting("ca.pem")).close();
        await assert.rejects(trusting("other-ca.pem"), { code: "TLS_ERROR" });
        await (await trusting("ca.pem")).close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("an unreadable tlsCAFile fails with TLS_ERROR naming the option", async () => {
      await assert.rejects(connectWith(transport, uri("tlsCAFile=%2Fno%2Fsuch%2Fca.pem")), {
        code: "TLS_ERROR",
        message: /tlsCAFile/,
      });
    });

    it("tlsAllowInvalidCertificates and tlsInsecure skip verification for that connection alone (unsafe)", async () => {
      for (const option of ["tlsAllowInvalidCertificates=true", "tlsInsecure=true"]) {
        const conn = await connectWith(transport, uri(option));
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        await conn.close();
        // The next connection verifies again: no CA the runtime trusts signed the server's certificate
        // (Deno's --unsafely-ignore-certificate-errors, by contrast, would skip it for the whole process).
        await assert.rejects(connectWith(transport, uri("")), { code: "TLS_ERROR" });
      }
    });

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

// Certificate revocation lists: two servers with certificates of crl-ca, the second revoked by crl.pem.
// Node.js and Bun check them in OpenSSL; on Deno, whose TLS takes no list, both transports check the chain
// its node:tls verified themselves (checkRevocation), and every outcome below must read as OpenSSL's.
for (const { name, transport } of await transports()) {
  describe(`certificate revocation lists, tlsCRLFile (${name} transport)`, () => {
    let servers: CrlServers;
    let plain: RunningServer;
    before(async () => {
      servers = await startCrlServers(users);
      plain = await startServer({ users, tls });
    });
    after(async () => {
      await Promise.all([servers.close(), plain.close()]);
    });

    const uri = (server: RunningServer, ca: string, crl?: string) =>
      `mongodb://alice:alice-pw@${server.address}/?tls=true&tlsCAFile=${encodeURIComponent(pki(ca))}` +
      (crl ? `&tlsCRLFile=${encodeURIComponent(pki(crl))}` : "");

    // Workers' refusal before any socket is tests/client/transport.test.ts's.
    it("is a capability of this transport (on Deno, its own check of the verified chain)", () => {
      assert.equal(transport.capabilities.certificateRevocationLists, true);
    });

    it("connects to a server whose certificate the list does not revoke", async () => {
      const conn = await connectWith(transport, uri(servers.good, "crl-ca.pem", "crl.pem"));
      assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
      await conn.close();
    });

    it("refuses a revoked certificate with TLS_ERROR saying so, before a byte of MongoDB's is sent; the trace's hint says what to do", async () => {
      const messages = Object.values(servers.revoked.stats.opcodes).reduce((sum, n) => sum + n, 0);
      const err = await connectWith(transport, uri(servers.revoked, "crl-ca.pem", "crl.pem")).catch((e) => e);
      assert.equal(Object.values(servers.revoked.stats.opcodes).reduce((sum, n) => sum + n, 0), messages);
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "TLS_ERROR");
      assert.match(
        err.message,
        /certificate revoked \(the server's certificate, or a CA's of its chain, is on a revocation list of tlsCRLFile/,
      );
      assert.equal(err.trace?.find((event) => event.type === "tls.failed")?.attributes.reason, "revoked");
      assert.equal(hintsFor(err.trace)[0]?.id, "tls-revoked");
    });

    it("reads every list of the file: a chain through an intermediate CA needs the second", async () => {
      const conn = await connectWith(transport, uri(servers.chain, "crl-ca.pem", "crl.pem"));
      await conn.close();
    });

    it("without tlsCRLFile the same revoked certificate passes: the refusal is the list's", async () => {
      const conn = await connectWith(transport, uri(servers.revoked, "crl-ca.pem"));
      await conn.close();
    });

    it("a chain whose CA has no list in the file fails, saying to add that CA's list", async () => {
      const err = await connectWith(transport, uri(plain, "ca.pem", "crl.pem")).catch((e) => e);
      assert.equal(err.code, "TLS_ERROR");
      assert.match(
        err.message,
        /tlsCRLFile has no revocation list from a CA of the server's certificate chain/,
      );
      assert.equal(hintsFor(err.trace)[0]?.id, "tls-revocation-list");
    });

    // A server with `file`'s certificate and one with `revokedFile`'s; the first must pass `crl`, the second fail.
    const checkPair = async (ca: string, file: string, revokedFile: string, crl: string) => {
      const start = (certificate: string) =>
        startServer({
          users,
          tls: {
            cert: pki(certificate),
            key: pki(certificate),
            ca: pki(ca),
            allowConnectionsWithoutCertificates: true,
          },
        });
      const [good, revoked] = await Promise.all([start(file), start(revokedFile)]);
      try {
        const conn = await connectWith(transport, uri(good, ca, crl));
        await conn.close();
        await assert.rejects(connectWith(transport, uri(revoked, ca, crl)), {
          code: "TLS_ERROR",
          message: /certificate revoked/,
        });
      } finally {
        await Promise.all([good.close(), revoked.close()]);
      }
    };

    it("takes a list that writes its CA's name in other string types, case and spacing for that CA's, as OpenSSL does", async () => {
      // crl-cases/names/crl.pem names its issuer O=MONGO-AUTH  TESTS (PrintableStrings) where the CA's certificate has
      // O=mongo-auth tests (UTF8Strings): one name in OpenSSL's canonical form (scripts/make-crl-cases-pki.sh).
      await checkPair(
        "crl-cases/names/ca.pem",
        "crl-cases/names/server.pem",
        "crl-cases/names/revoked-server.pem",
        "crl-cases/names/crl.pem",
      );
    });

    it("takes a list signed with RSA-PSS, or with RSA and SHA-1, as OpenSSL does", async () => {
      const files = [
        "crl-cases/signatures/ca.pem",
        "crl-cases/signatures/server.pem",
        "crl-cases/signatures/revoked-server.pem",
      ] as const;
      await checkPair(...files, "crl-cases/signatures/pss.crl.pem");
      await checkPair(...files, "crl-cases/signatures/sha1.crl.pem");
    });

    // Refusals Node.js 20 and Bun report as UNSPECIFIED, with OpenSSL's words; Deno's check names them.
    for (
      const [what, dir, words, advice] of [
        [
          "every list of a CA whose keyUsage leaves out cRLSign",
          "key-usage",
          "key usage does not include CRL signing",
          /its keyUsage lacks cRLSign/,
        ],
        [
          "a list with a critical extension nobody processes",
          "critical",
          "unhandled critical CRL extension",
          /give the CA's complete list/,
        ],
      ] as const
    ) {
      it(`refuses ${what}, in OpenSSL's words and with what to do`, async () => {
        const ca = `crl-cases/${dir}/ca.pem`;
        const certificate = pki(`crl-cases/${dir}/server.pem`);
        const server = await startServer({
          users,
          tls: {
            cert: certificate,
            key: certificate,
            ca: pki(ca),
            allowConnectionsWithoutCertificates: true,
          },
        });
        try {
          const err = await connectWith(transport, uri(server, ca, `crl-cases/${dir}/crl.pem`)).catch((e) =>
            e
          );
          assert.equal(err.code, "TLS_ERROR");
          assert.ok(err.message.includes(`failed: ${words} (`), err.message);
          assert.match(err.message, advice);
          assert.equal(hintsFor(err.trace)[0]?.id, "tls-revocation-list");
          const conn = await connectWith(transport, uri(server, ca)); // the list's refusal, not the server's
          await conn.close();
        } finally {
          await server.close();
        }
      });
    }

    it("a file that holds no revocation list fails before the handshake, naming it", async () => {
      const opened = servers.good.stats.connectionsOpened;
      await assert.rejects(connectWith(transport, uri(servers.good, "crl-ca.pem", "crl-ca.pem")), {
        code: "TLS_ERROR",
        message: /tlsCRLFile .*crl-ca\.pem holds no certificate revocation list/,
      });
      assert.equal(servers.good.stats.connectionsOpened, opened);
    });
  });
}
