// The official `mongodb` driver against the reference server's MONGODB-X509 over TLS with client
// certificates: it must authenticate where mongod lets it, and fail the way mongod makes it fail
// (cf. the driver's own test/manual/x509_auth.test.ts against a real server: UserNotFound for a
// certificate without a user, AuthenticationFailed for a wrong user name, a server selection error for
// a certificate the server does not trust).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient, type MongoClientOptions, MongoServerError, MongoServerSelectionError } from "mongodb";
import { fixturePath } from "../../testing/paths.ts";
import { runtime } from "../support/transports.ts";
import { readConfigFile, type TlsServerConfig } from "../../testing/reference-server/config.ts";
import { escapeRfc2253, x509Mechanism } from "../../testing/reference-server/mechanisms/x509.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const CLIENT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const ESCAPED =
  'UID=u42+CN=escaped,OU=Research\\; \\"Labs\\" \\<east\\>,O=Example\\, Inc.,L=\\#7 Town,ST=State,C=US';
const ENCRYPTED = "CN=encrypted,OU=apps,O=Example,L=City,ST=State,C=US";
const RSA = "CN=rsa-client,OU=apps,O=Example,L=City,ST=State,C=US";
const users = [CLIENT, ESCAPED, ENCRYPTED, RSA].map((user) => ({
  db: "$external",
  user,
  mechanisms: ["MONGODB-X509"],
}));
const tls: TlsServerConfig = { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") };

/** MongoClient options plus the user name, which the driver takes for X509 only from the URI. */
type Options = MongoClientOptions & { username?: string };

/** Connects with MONGODB-X509 and runs fn; always closes the client. */
async function withClient<T>(
  server: RunningServer,
  { username, ...options }: Options,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const user = username === undefined ? "" : `${encodeURIComponent(username)}@`;
  const client = new MongoClient(`mongodb://${user}${server.address}/`, {
    tls: true,
    tlsCAFile: pki("ca.pem"),
    authMechanism: "MONGODB-X509",
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    maxPoolSize: 1,
    ...options,
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function authenticatedUsers(server: RunningServer, options: Options): Promise<unknown> {
  return withClient(server, options, async (client) => {
    const status = await client.db("admin").command({ connectionStatus: 1 });
    return status.authInfo.authenticatedUsers;
  });
}

function connectError(server: RunningServer, options: Options): Promise<unknown> {
  return withClient(server, options, (client) => client.db("admin").command({ ping: 1 })).then(
    () => assert.fail("connecting should have failed"),
    (e: unknown) => e,
  );
}

describe("official mongodb driver: MONGODB-X509 against the reference server", () => {
  let server: RunningServer; // mongod's TLS defaults
  let lenient: RunningServer; // allowInvalidCertificates + allowConnectionsWithoutCertificates
  before(async () => {
    server = await startServer({ users, tls });
    lenient = await startServer({
      users,
      tls: { ...tls, allowInvalidCertificates: true, allowConnectionsWithoutCertificates: true },
    });
  });
  after(async () => {
    await Promise.all([server.close(), lenient.close()]);
  });

  it("authenticates with tls, tlsCAFile and tlsCertificateKeyFile, speculatively", async () => {
    const before = { ...server.stats.speculative };
    const users = await authenticatedUsers(server, { tlsCertificateKeyFile: pki("client.pem") });
    assert.deepEqual(users, [{ user: CLIENT, db: "$external" }]);
    assert.equal(server.stats.commands.authenticate, undefined, "no authenticate command: hello did it");
    assert.ok(server.stats.speculative.successful > before.successful);
  });

  it("authenticates with the same options in the connection string", async () => {
    const uri = `mongodb://${server.address}/?tls=true&authMechanism=MONGODB-X509` +
      `&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}` +
      `&tlsCertificateKeyFile=${encodeURIComponent(pki("client.pem"))}`;
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000, maxPoolSize: 1 });
    try {
      const status = await client.db("admin").command({ connectionStatus: 1 });
      assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: CLIENT, db: "$external" }]);
    } finally {
      await client.close();
    }
  });

  it("names the user exactly as mongod does: RFC 2253 escapes and a multi-valued RDN", async () => {
    const file = { tlsCertificateKeyFile: pki("client-escaped.pem") };
    assert.deepEqual(await authenticatedUsers(server, file), [{ user: ESCAPED, db: "$external" }]);
    // With the subject given as the user name, as a user who copied it from mongod's log would.
    const named = await authenticatedUsers(server, { ...file, username: ESCAPED });
    assert.deepEqual(named, [{ user: ESCAPED, db: "$external" }]);
  });

  it("authenticates through the authenticate command when the server ignores speculative X509", async () => {
    const plain = await startServer({ users, tls }, { mechanisms: [x509Mechanism({ speculative: false })] });
    try {
      const users = await authenticatedUsers(plain, { tlsCertificateKeyFile: pki("client.pem") });
      assert.deepEqual(users, [{ user: CLIENT, db: "$external" }]);
      assert.equal(plain.stats.commands.authenticate, 1);
    } finally {
      await plain.close();
    }
  });

  // client-encrypted.pem's key encrypted by each scheme OpenSSL offers (scripts/make-encrypted-keys.sh), and
  // what the driver's TLS makes of it on each runtime: OpenSSL (Node.js) reads all; BoringSSL (Bun) neither
  // HMAC-SHA512 nor scrypt; Deno's node:tls ignores the passphrase and sends no certificate, so the server
  // ends the connection. This is why mongo-auth decrypts the AES forms itself on Deno and Bun
  // (tests/e2e/x509.test.ts: every AES form logs in on every runtime).
  const KEYS = [
    "client-encrypted.pem", // PBES2, HMAC-SHA256, AES-256-CBC: OpenSSL 3's default
    "encrypted-keys/pbes2-aes128-sha1.pem",
    "encrypted-keys/pbes2-aes192-sha512.pem",
    "encrypted-keys/traditional-aes256.pem",
    "encrypted-keys/pbes2-des3.pem",
    "encrypted-keys/pbes2-scrypt.pem",
    "encrypted-keys/pbes1-sha1-3des.pem",
  ];
  const refusedBy: string[] = {
    node: [],
    bun: ["encrypted-keys/pbes2-aes192-sha512.pem", "encrypted-keys/pbes2-scrypt.pem"],
    deno: KEYS,
  }[runtime];
  it(
    `decrypts a key with tlsCertificateKeyFilePassword: ${
      runtime === "deno"
        ? "on Deno never (no certificate is sent)"
        : `every scheme OpenSSL writes${refusedBy.length ? " but HMAC-SHA512 and scrypt" : ""}`
    }`,
    async () => {
      for (const key of KEYS) {
        const options = {
          tlsCertificateKeyFile: pki(key),
          tlsCertificateKeyFilePassword: "pki-test-password",
        };
        if (!refusedBy.includes(key)) {
          assert.deepEqual(
            await authenticatedUsers(server, options),
            [{ user: ENCRYPTED, db: "$external" }],
            key,
          );
          continue;
        }
        const error = await connectError(server, { ...options, serverSelectionTimeoutMS: 1000 });
        assert.ok(
          error instanceof MongoServerSelectionError,
          `${key}: expected a server selection error, got ${error}`,
        );
        assert.match(
          error.message,
          runtime === "deno" ? /closed/ : /UNSUPPORTED_(PRF|KEY_DERIVATION_FUNCTION)/,
          key,
        );
      }
    },
  );

  it(
    runtime === "deno"
      ? "an RSA certificate with an encrypted PKCS#1 key: on Deno no certificate is sent"
      : "an RSA certificate with an encrypted PKCS#1 key (OpenSSL's traditional form) logs in",
    async () => {
      const rsaServer = await startServer({ users, tls: { ...tls, ca: pki("rsa-ca.pem") } });
      try {
        const options = {
          tlsCertificateKeyFile: pki("client-rsa.pem"),
          tlsCertificateKeyFilePassword: "pki-test-password",
        };
        if (runtime === "deno") {
          const error = await connectError(rsaServer, { ...options, serverSelectionTimeoutMS: 1000 });
          assert.ok(
            error instanceof MongoServerSelectionError,
            `expected a server selection error, got ${error}`,
          );
        } else {
          assert.deepEqual(await authenticatedUsers(rsaServer, options), [{ user: RSA, db: "$external" }]);
        }
      } finally {
        await rsaServer.close();
      }
    },
  );

  it("fails a certificate whose subject is no user with 11 UserNotFound, as mongod", async () => {
    const error = await connectError(server, { tlsCertificateKeyFile: pki("client-unregistered.pem") });
    assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
    assert.equal(error.code, 11);
    assert.equal(error.codeName, "UserNotFound");
    assert.match(
      error.message,
      /Could not find user "CN=unregistered,OU=apps,O=Example,L=City,ST=State,C=US"/,
    );
  });

  it("fails a user name other than the subject with 18 AuthenticationFailed", async () => {
    const error = await connectError(server, {
      tlsCertificateKeyFile: pki("client.pem"),
      username: "CN=someone-else",
    });
    assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
    assert.equal(error.code, 18);
    assert.equal(error.codeName, "AuthenticationFailed");
  });

  it("cannot connect with a certificate from another CA (mongod ends the connection)", async () => {
    const error = await connectError(server, {
      tlsCertificateKeyFile: pki("client-other-ca.pem"),
      serverSelectionTimeoutMS: 1000,
    });
    assert.ok(error instanceof MongoServerSelectionError, `expected a server selection error, got ${error}`);
  });

  it("with allowInvalidCertificates, a certificate from another CA fails with 18", async () => {
    const error = await connectError(lenient, { tlsCertificateKeyFile: pki("client-other-ca.pem") });
    assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
    assert.equal(error.code, 18);
    assert.ok(lenient.stats.authFailureReasons.includes("No verified subject name available from client"));
  });

  it("with allowConnectionsWithoutCertificates, X509 without a certificate fails with 18", async () => {
    const error = await connectError(lenient, {});
    assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
    assert.equal(error.code, 18);
  });

  it("starts from the CLI fixture, whose TLS paths are relative to the config file", async () => {
    const fromFile = await startServer(readConfigFile(pki("x509-server.json")));
    try {
      const users = await authenticatedUsers(fromFile, { tlsCertificateKeyFile: pki("client.pem") });
      assert.deepEqual(users, [{ user: CLIENT, db: "$external" }]);
    } finally {
      await fromFile.close();
    }
    await assert.rejects(startServer({ tls: { ...tls, ca: pki("missing.pem") } }), TypeError);
  });
});

describe("reference server: subject names as mongod writes them (escapeRfc2253)", () => {
  const escape = (text: string) => escapeRfc2253(new TextEncoder().encode(text));
  it('escapes , + " \\ < > ; and a leading # or space with a backslash', () => {
    assert.equal(escape('a,b+c"d\\e<f>g;h'), 'a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h');
    assert.equal(escape("#1"), "\\#1");
    assert.equal(escape(" x"), "\\ x");
    assert.equal(escape("a#b c"), "a#b c");
  });
  it("escapes a trailing space only when the escaped value is longer than two characters, as mongod", () => {
    assert.equal(escape("ab "), "ab\\ ");
    assert.equal(escape("a "), "a ");
  });
  it("writes bytes >= 0x80 of the UTF-8 value as \\XX", () => {
    assert.equal(escape("Zürich"), "Z\\C3\\BCrich");
  });
});
