// MONGODB-X509 end to end: our client, through each transport of this runtime, over TLS with client
// certificates (testing/fixtures/pki, made by scripts/make-test-pki.sh) against the reference server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MongoClient } from "mongodb";
import {
  beginAuthentication,
  type ConnectOptions,
  connectWith,
  type Document,
  MongoAuthError,
  WireConnection,
} from "@mongo-auth/core";
import { parseAddress } from "../../src/topology/server-description.ts";
import { x509Mechanism } from "../../testing/reference-server/mechanisms/x509.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath } from "../../testing/paths.ts";
import { runtime, transports } from "../support/transports.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const CLIENT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const ESCAPED =
  'UID=u42+CN=escaped,OU=Research\\; \\"Labs\\" \\<east\\>,O=Example\\, Inc.,L=\\#7 Town,ST=State,C=US';
const ENCRYPTED = "CN=encrypted,OU=apps,O=Example,L=City,ST=State,C=US";
const RSA = "CN=rsa-client,OU=apps,O=Example,L=City,ST=State,C=US";
const KEY_PASSWORD = "pki-test-password"; // scripts/make-test-pki.sh
const users = [CLIENT, ESCAPED, ENCRYPTED, RSA].map((user) => ({
  db: "$external",
  user,
  mechanisms: ["MONGODB-X509"],
}));
const serverTls = { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") };

/** The PEM blocks of a fixture, for the in-memory options. */
function pemBlocks(name: string): { cert: string; key: string } {
  const text = readFileSync(pki(name), "utf8");
  const block = (label: string) =>
    text.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----\\n`))![0];
  return { cert: block("CERTIFICATE"), key: block("(?:ENCRYPTED )?PRIVATE KEY") };
}

async function whoami(conn: { command(db: string, cmd: Document): Promise<Document> }) {
  const status = await conn.command("admin", { connectionStatus: 1 });
  return ((status.authInfo as Document).authenticatedUsers as Document[])[0];
}

/** Fails the test unless connecting fails with `code`, and checks the error never shows key material. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  secrets: string[] = [],
): Promise<MongoAuthError> {
  const err = await promise.then(() => assert.fail(`expected ${code}`), (e: unknown) => e);
  assert.ok(err instanceof MongoAuthError, `expected a MongoAuthError, got ${err}`);
  assert.equal(err.code, code, err.message);
  const shown = `${err.message} ${String(err.cause)} ${String((err.cause as Error | undefined)?.stack)}`;
  for (const secret of secrets) assert.ok(!shown.includes(secret), `the error shows ${secret.slice(0, 12)}…`);
  return err;
}

for (const { name, transport } of await transports()) {
  describe(`MONGODB-X509 end to end (${name} transport)`, () => {
    let server: RunningServer; // mongod's TLS defaults: a bad or missing client certificate ends the connection
    let lenient: RunningServer; // allowInvalidCertificates + allowConnectionsWithoutCertificates
    let noSpeculative: RunningServer; // like a server before 4.4: ignores speculative X509
    before(async () => {
      server = await startServer({ users, tls: serverTls });
      lenient = await startServer({
        users,
        tls: { ...serverTls, allowInvalidCertificates: true, allowConnectionsWithoutCertificates: true },
      });
      noSpeculative = await startServer({ users, tls: serverTls }, {
        mechanisms: [x509Mechanism({ speculative: false })],
      });
    });
    after(async () => {
      await Promise.all([server.close(), lenient.close(), noSpeculative.close()]);
    });

    const uri = (target: RunningServer, certificate = "client.pem", extra = "", user = "") =>
      `mongodb://${user ? `${encodeURIComponent(user)}@` : ""}${target.address}/?tls=true` +
      `&authMechanism=MONGODB-X509&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}` +
      `&tlsCertificateKeyFile=${encodeURIComponent(pki(certificate))}${extra}`;
    const connect = (address: string, options: ConnectOptions) => connectWith(transport, address, options);

    it("authenticates speculatively: hello is the only round trip", async () => {
      const conn = await connectWith(transport, uri(server));
      try {
        assert.equal(conn.handshake.mechanism, "MONGODB-X509");
        assert.equal(conn.handshake.speculative, true);
        assert.equal(conn.handshake.roundTrips, 1);
        assert.deepEqual(await whoami(conn), { user: CLIENT, db: "$external" });
        assert.equal(server.stats.commands.authenticate, undefined);
      } finally {
        await conn.close();
      }
    });

    it("a driver author's own socket, with the official driver's MongoCredential (\"\" for no user, no password)", async () => {
      // What the official driver builds for this connection string; beginAuthentication takes it as it is.
      const credential = new MongoClient(`mongodb://${server.address}/?tls=true&authMechanism=MONGODB-X509`)
        .options
        .credentials!;
      assert.equal(credential.username, "");
      const { host, port } = parseAddress(server.address);
      const socket = await transport.openSocket({
        host,
        port,
        tls: {
          caFile: pki("ca.pem"),
          certificateKeyFile: pki("client.pem"),
          allowInvalidCertificates: false,
          allowInvalidHostnames: false,
        },
        signal: AbortSignal.timeout(5000),
      });
      const wire = new WireConnection(socket, { peer: server.address });
      try {
        const auth = await beginAuthentication(credential as never, { host });
        const hello = await wire.command("admin", { hello: 1, helloOk: true, ...auth.helloFields });
        assert.deepEqual(await auth.complete(wire, hello), { mechanism: "MONGODB-X509", speculative: true });
        assert.deepEqual(await whoami(wire), { user: CLIENT, db: "$external" });
      } finally {
        await wire.close();
      }
    });

    it("falls back to the authenticate command when hello has no speculative reply", async () => {
      const conn = await connectWith(transport, uri(noSpeculative));
      try {
        assert.equal(conn.handshake.speculative, false);
        assert.equal(conn.handshake.roundTrips, 2);
        assert.deepEqual(await whoami(conn), { user: CLIENT, db: "$external" });
        assert.equal(noSpeculative.stats.commands.authenticate, 1);
      } finally {
        await conn.close();
      }
    });

    it("a user name equal to the subject is accepted, escapes and multi-valued RDNs included", async () => {
      for (const [certificate, subject] of [["client.pem", CLIENT], ["client-escaped.pem", ESCAPED]]) {
        for (const target of [server, noSpeculative]) {
          const conn = await connectWith(transport, uri(target, certificate, "", subject));
          assert.deepEqual(await whoami(conn), { user: subject, db: "$external" });
          await conn.close();
        }
      }
    });

    it("the subject with RFC 2253 escapes is the user when no name is given", async () => {
      const conn = await connectWith(transport, uri(server, "client-escaped.pem"));
      assert.deepEqual(await whoami(conn), { user: ESCAPED, db: "$external" });
      await conn.close();
    });

    it("a user name other than the subject fails with AUTHENTICATION_FAILED", async () => {
      for (const target of [server, noSpeculative]) {
        const failures = target.stats.authFailureReasons.length;
        await rejectsWith(
          connectWith(transport, uri(target, "client.pem", "", CLIENT.replace("apps", "ops"))),
          "AUTHENTICATION_FAILED",
        );
        assert.ok(
          target.stats.authFailureReasons.slice(failures).includes(
            "There is no x.509 client certificate matching the user.",
          ),
        );
      }
    });

    it("options instead of the connection string: files, and PEM text in memory", async () => {
      const base = `mongodb://${server.address}/`;
      const pair = pemBlocks("client.pem");
      const ca = readFileSync(pki("ca.pem"), "utf8");
      for (
        const options of [
          { tlsCAFile: pki("ca.pem"), tlsCertificateKeyFile: pki("client.pem") },
          { tlsCA: ca, tlsCertificateKey: pair },
          { tlsCAFile: pki("ca.pem"), tlsCertificateKey: pair },
        ] satisfies ConnectOptions[]
      ) {
        const conn = await connect(base, { tls: true, authMechanism: "MONGODB-X509", ...options });
        assert.equal(conn.handshake.roundTrips, 1);
        assert.deepEqual(await whoami(conn), { user: CLIENT, db: "$external" });
        await conn.close();
      }
    });

    it("an encrypted key logs in with tlsCertificateKeyFilePassword, from a file and in memory; a wrong or missing passphrase is TLS_ERROR naming the option", async () => {
      const withPassword = (password: string) =>
        uri(server, "client-encrypted.pem", `&tlsCertificateKeyFilePassword=${password}`);
      const inMemory = () =>
        connect(`mongodb://${server.address}/`, {
          tls: true,
          authMechanism: "MONGODB-X509",
          tlsCAFile: pki("ca.pem"),
          tlsCertificateKey: pemBlocks("client-encrypted.pem"),
          tlsCertificateKeyFilePassword: KEY_PASSWORD,
        });
      for (const conn of [await connectWith(transport, withPassword(KEY_PASSWORD)), await inMemory()]) {
        assert.deepEqual(await whoami(conn), { user: ENCRYPTED, db: "$external" });
        await conn.close();
      }
      const keyLine = pemBlocks("client-encrypted.pem").key.split("\n")[1];
      const wrong = await rejectsWith(connectWith(transport, withPassword("wrong-password")), "TLS_ERROR", [
        "wrong-password",
        keyLine,
      ]);
      assert.match(
        wrong.message,
        /^cannot decrypt the private key in tlsCertificateKeyFile .*client-encrypted\.pem: the passphrase \(tlsCertificateKeyFilePassword\) is wrong$/,
      );
      const missing = await rejectsWith(
        connectWith(transport, uri(server, "client-encrypted.pem")),
        "TLS_ERROR",
        [keyLine],
      );
      assert.match(missing.message, /is encrypted: give its passphrase as tlsCertificateKeyFilePassword$/);
    });

    // scripts/make-encrypted-keys.sh: client-encrypted.pem's key, encrypted by each scheme OpenSSL offers.
    // Deno's TLS decrypts none and Bun's BoringSSL not HMAC-SHA512: mongo-auth decrypts the AES forms itself.
    const encryptedKey = (file: string) =>
      connectWith(
        transport,
        uri(server, `encrypted-keys/${file}`, `&tlsCertificateKeyFilePassword=${KEY_PASSWORD}`),
      );
    it("every AES form OpenSSL writes logs in, on every runtime: PBES2 with HMAC-SHA1 or -SHA512, and the traditional form", async () => {
      for (const file of ["pbes2-aes128-sha1.pem", "pbes2-aes192-sha512.pem", "traditional-aes256.pem"]) {
        const conn = await encryptedKey(file);
        assert.deepEqual(await whoami(conn), { user: ENCRYPTED, db: "$external" }, file);
        await conn.close();
      }
    });

    it("every DES form OpenSSL writes logs in, on every runtime: PBES2, PKCS#12's and PBES1's, and the traditional form", async () => {
      for (
        const file of [
          "pbes2-des3.pem",
          "pbes2-des-cbc.pem",
          "traditional-des3.pem",
          "pbes1-sha1-3des.pem",
          "pbes1-sha1-2des.pem",
          "pbes1-md5-des.pem",
          "pbes1-sha1-des.pem",
        ]
      ) {
        const conn = await encryptedKey(file);
        assert.deepEqual(await whoami(conn), { user: ENCRYPTED, db: "$external" }, file);
        await conn.close();
      }
    });

    it("an scrypt key logs in, on every runtime (mongo-auth's scrypt where the TLS has none)", async () => {
      const conn = await encryptedKey("pbes2-scrypt.pem");
      assert.deepEqual(await whoami(conn), { user: ENCRYPTED, db: "$external" });
      await conn.close();
    });

    it(`an RC2 key: ${runtime === "bun" ? "logs in (Bun's BoringSSL reads it)" : "RUNTIME_UNSUPPORTED naming the scheme and what to do (OpenSSL 3 keeps RC2 in its legacy provider; mongo-auth has none)"}`, async () => {
      if (runtime === "bun") {
        const conn = await encryptedKey("pbes1-sha1-rc2-40.pem");
        assert.deepEqual(await whoami(conn), { user: ENCRYPTED, db: "$external" });
        await conn.close();
        return;
      }
      const err = await rejectsWith(encryptedKey("pbes1-sha1-rc2-40.pem"), "RUNTIME_UNSUPPORTED", [
        KEY_PASSWORD,
      ]);
      assert.match(
        err.message,
        /is encrypted with PKCS#12 PBE \(SHA-1, RC2-40\), which this runtime cannot decrypt/,
      );
      assert.match(err.message, /encrypt it again with AES \(openssl pkcs8 -topk8 -v2 aes-256-cbc/);
    });

    it("an RSA client certificate whose key is PKCS#1, encrypted in OpenSSL's traditional form, logs in", async () => {
      // The server trusts client certificates of the RSA CA (scripts/make-test-pki.sh); the client still
      // verifies the server against ca.pem.
      const rsaServer = await startServer({ users, tls: { ...serverTls, ca: pki("rsa-ca.pem") } });
      try {
        const conn = await connectWith(
          transport,
          uri(rsaServer, "client-rsa.pem", `&tlsCertificateKeyFilePassword=${KEY_PASSWORD}`),
        );
        assert.deepEqual(await whoami(conn), { user: RSA, db: "$external" });
        await conn.close();
      } finally {
        await rsaServer.close();
      }
    });

    it("MONGODB-X509 without TLS is INVALID_OPTION", async () => {
      await rejectsWith(
        connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-X509`),
        "INVALID_OPTION",
      );
    });

    it("MONGODB-X509 without a client certificate is INVALID_OPTION", async () => {
      await rejectsWith(
        connect(`mongodb://${server.address}/?authMechanism=MONGODB-X509&tls=true`, {
          tlsCAFile: pki("ca.pem"),
        }),
        "INVALID_OPTION",
      );
    });

    it("an unreadable certificate file or invalid PEM is a TLS_ERROR that shows no key material", async () => {
      const { cert, key } = pemBlocks("client.pem");
      const keyBody = key.split("\n").slice(1, -2).join("");
      await rejectsWith(connectWith(transport, uri(server, "no-such-file.pem")), "TLS_ERROR");
      const broken = key.replace(keyBody.slice(8, 40), "A".repeat(32));
      for (
        const tlsCertificateKey of [
          { cert, key: broken }, // corrupt key
          { cert: key, key }, // no certificate
          { cert, key: cert }, // no key
        ]
      ) {
        await rejectsWith(
          connect(`mongodb://${server.address}/`, {
            tls: true,
            authMechanism: "MONGODB-X509",
            tlsCAFile: pki("ca.pem"),
            tlsCertificateKey,
          }),
          "TLS_ERROR",
          [keyBody.slice(0, 24), broken.split("\n")[1].slice(0, 24)],
        );
      }
    });

    it("a certificate whose subject is no user fails with AUTHENTICATION_FAILED (mongod's UserNotFound)", async () => {
      const err = await rejectsWith(
        connectWith(transport, uri(server, "client-unregistered.pem")),
        "AUTHENTICATION_FAILED",
      );
      assert.match(err.message, /CN=unregistered,OU=apps,O=Example,L=City,ST=State,C=US/);
    });

    it("a certificate from another CA: mongod's defaults end the connection, allowInvalidCertificates gives 18", async () => {
      // Same subject as the registered client: only the signature differs.
      await rejectsWith(connectWith(transport, uri(server, "client-other-ca.pem")), "CONNECTION_CLOSED");
      const failures = lenient.stats.authFailureReasons.length;
      await rejectsWith(connectWith(transport, uri(lenient, "client-other-ca.pem")), "AUTHENTICATION_FAILED");
      assert.ok(
        lenient.stats.authFailureReasons.slice(failures).includes(
          "No verified subject name available from client",
        ),
      );
    });

    it("a server certificate the client does not trust is a TLS_ERROR", async () => {
      await rejectsWith(
        connect(`mongodb://${server.address}/`, {
          tls: true,
          authMechanism: "MONGODB-X509",
          tlsCAFile: pki("other-ca.pem"),
          tlsCertificateKeyFile: pki("client.pem"),
        }),
        "TLS_ERROR",
      );
    });
  });
}
