// openNodeSocket over real loopback sockets from node:net (Node.js, Bun, and Deno's Node compatibility): what
// the wire reads (pushed chunks), the Web Streams handed to whoever asks, and how opening ends.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TlsSettings } from "../../src/client/transport.ts";
import { MongoAuthError } from "../../src/core/errors.ts";
import { nodeSocketCapabilities, openNodeSocket } from "../../src/transport/node-socket.ts";
import { runtime } from "../support/transports.ts";
import { fixturePath } from "../../testing/paths.ts";
import { settledWithin } from "../support/settled-within.ts";
import { countSubtleCalls } from "../support/subtle-counter.ts";
import { int, octets, oid, seq } from "../support/der-builder.ts";
import { encodeBase64 } from "../../src/crypto/base64.ts";

// A PEM file's certificate and key blocks, as tlsCertificateKey takes them.
function pemOf(file: string): { cert: string; key: string } {
  const text = readFileSync(file, "utf8");
  const block = (label: string) =>
    text.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----\\n`))![0];
  return { cert: block("CERTIFICATE"), key: block("(?:ENCRYPTED )?PRIVATE KEY") };
}

// A loopback server that runs `peer` on each connection it accepts.
async function withServer(
  peer: (socket: net.Socket) => void,
  run: (port: number) => Promise<void>,
): Promise<void> {
  const server = net.createServer(peer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await run((server.address() as net.AddressInfo).port);
  } finally {
    server.close();
  }
}

// A TLS server with the CRL CA's server certificate (crl-server.pem) that runs `peer` on each connection;
// the connections still open when `run` ends are destroyed.
async function withCrlServer(
  peer: (socket: net.Socket) => void,
  run: (port: number) => Promise<void>,
): Promise<void> {
  const tls = await import("node:tls");
  const pem = pemOf(fixturePath("pki/crl-server.pem"));
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: pem.cert, key: pem.key }, (socket) => {
    sockets.add(socket);
    peer(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await run((server.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
}

const open = (port: number, signal = AbortSignal.timeout(5_000)) =>
  openNodeSocket({ host: "127.0.0.1", port, signal });

// Collects what a raw socket pushes until it ends.
function drain(streams: Awaited<ReturnType<typeof open>>) {
  const received: number[] = [];
  const ended = new Promise<unknown>((end) =>
    streams.raw!.listen({ data: (chunk) => void received.push(...chunk), end })
  );
  return { received, ended };
}

describe("openNodeSocket", () => {
  it("holds what the peer sends before anyone listens, then pushes it and the clean end in order", async () => {
    await withServer((peer) => peer.end(Uint8Array.of(1, 2, 3)), async (port) => {
      const streams = await open(port);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the bytes and the end arrive meanwhile
      const { received, ended } = drain(streams);
      assert.equal(await ended, undefined);
      assert.deepEqual(received, [1, 2, 3]);
    });
  });

  it("writes raw bytes whole: an echo peer sends back 1 MiB intact", async () => {
    await withServer((peer) => peer.pipe(peer), async (port) => {
      const streams = await open(port);
      const sent = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
      let count = 0, wrong = 0;
      const echoed = new Promise<void>((resolve, reject) =>
        streams.raw!.listen({
          data(chunk) {
            for (const byte of chunk) wrong += byte === count++ % 251 ? 0 : 1;
            if (count === sent.length) resolve();
          },
          end: (err) => reject(err ?? new Error(`ended after ${count} bytes`)),
        })
      );
      streams.raw!.write(sent);
      await echoed;
      assert.equal(wrong, 0);
      streams.close();
    });
  });

  it("a reset by the peer ends the reader with CONNECTION_CLOSED, the runtime's error as its cause", async () => {
    await withServer((peer) => peer.once("data", () => peer.resetAndDestroy()), async (port) => {
      const streams = await open(port);
      const { ended } = drain(streams);
      streams.raw!.write(Uint8Array.of(1));
      const err = await ended;
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "CONNECTION_CLOSED");
      assert.equal((err.cause as { code?: string }).code, "ECONNRESET");
    });
  });

  it("turns TCP keepalive on, probing after 120 s idle as the official drivers do (a NAT forgets idle flows)", async () => {
    const calls: unknown[][] = [];
    const setKeepAlive = net.Socket.prototype.setKeepAlive;
    net.Socket.prototype.setKeepAlive = function (this: net.Socket, ...args: unknown[]) {
      calls.push(args);
      return setKeepAlive.apply(this, args as Parameters<typeof setKeepAlive>);
    };
    try {
      await withServer((peer) => peer.resume(), async (port) => {
        const streams = await open(port);
        streams.close();
      });
    } finally {
      net.Socket.prototype.setKeepAlive = setKeepAlive;
    }
    assert.deepEqual(calls, [[true, 120_000]]);
  });

  it("close() closes the socket: the peer sees it end", async () => {
    let peerEnded!: Promise<void>;
    await withServer((peer) => {
      peerEnded = new Promise((resolve) => peer.on("close", () => resolve()));
      peer.resume();
    }, async (port) => {
      const streams = await open(port);
      await new Promise((resolve) => setTimeout(resolve, 20));
      streams.close();
      await peerEnded;
    });
  });

  it("as Web Streams: reads everything in order with a slow reader, writes, and closes by ending", async () => {
    const chunks = 64;
    let fromClient!: Promise<number[]>;
    await withServer((peer) => {
      for (let i = 0; i < chunks; i++) peer.write(new Uint8Array(1024).fill(i));
      const got: number[] = [];
      fromClient = new Promise((resolve) => {
        peer.on("data", (chunk: Uint8Array) => got.push(...chunk));
        peer.on("end", () => {
          peer.end();
          resolve(got);
        });
      });
    }, async (port) => {
      const streams = await open(port);
      const writer = streams.writable.getWriter();
      await writer.write(Uint8Array.of(7, 8));
      const reader = streams.readable.getReader();
      let total = 0, wrong = 0;
      while (total < chunks * 1024) {
        const { value, done } = await reader.read();
        assert.ok(!done, `ended after ${total} bytes`);
        for (const byte of value) wrong += byte === Math.floor(total++ / 1024) ? 0 : 1;
        await new Promise((resolve) => setTimeout(resolve, 0)); // a reader that lags
      }
      assert.equal(wrong, 0);
      await writer.close();
      assert.deepEqual(await fromClient, [7, 8]);
      assert.equal((await reader.read()).done, true);
    });
  });

  it("refuses at once with ABORTED for a signal already aborted, and with TIMEOUT when its signal times out", async () => {
    await assert.rejects(open(1, AbortSignal.abort()), (err: MongoAuthError) => {
      assert.equal(err.code, "ABORTED");
      assert.match(err.message, /connecting to 127\.0\.0\.1:1/);
      return true;
    });
    const v6 = openNodeSocket({ host: "::1", port: 1, signal: AbortSignal.abort() });
    await assert.rejects(v6, { code: "ABORTED", message: /connecting to \[::1\]:1\b/ });
    await withServer((peer) => peer.resume(), async (port) => {
      const controller = new AbortController();
      const opening = open(port, controller.signal);
      controller.abort(new DOMException("gave up", "TimeoutError"));
      await assert.rejects(opening, (err: MongoAuthError) => err.code === "TIMEOUT");
    });
  });

  it("a TLS file it cannot read: TLS_ERROR naming the option, the path and the runtime's reason", async () => {
    const missing = "/nonexistent-mongo-auth/ca.pem";
    const checked = { allowInvalidCertificates: false, allowInvalidHostnames: false };
    const cases = [["tlsCAFile", { ...checked, caFile: missing }], [
      "tlsCertificateKeyFile",
      { ...checked, certificateKeyFile: missing },
    ]] as const;
    for (const [option, tls] of cases) {
      await assert.rejects(
        openNodeSocket({ host: "127.0.0.1", port: 1, tls, signal: AbortSignal.timeout(5_000) }),
        (err: MongoAuthError) => {
          assert.equal(err.code, "TLS_ERROR");
          assert.match(
            err.message,
            new RegExp(`^cannot read ${option} ${missing}: ENOENT: no such file or directory`),
          );
          return true;
        },
      );
    }
  });

  it("a TLS file or text that is not PEM: TLS_ERROR naming the option (and file) and what it lacks, on every runtime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mongo-auth-pem-"));
    try {
      const notPem = join(dir, "hostname");
      writeFileSync(notPem, "db.example.net\n");
      const checked = { allowInvalidCertificates: false, allowInvalidHostnames: false };
      const cases: [TlsSettings, RegExp][] = [
        [{ ...checked, caFile: notPem }, new RegExp(`^tlsCAFile ${notPem} holds no PEM certificate`)],
        [{ ...checked, ca: "not a certificate" }, /^tlsCA holds no PEM certificate/],
        [
          { ...checked, certificateKeyFile: notPem },
          new RegExp(`^tlsCertificateKeyFile ${notPem} holds no PEM certificate$`),
        ],
        [
          { ...checked, certificateKey: { cert: "x", key: "y" } },
          /^tlsCertificateKey holds no PEM certificate$/,
        ],
      ];
      for (const [tls, message] of cases) {
        await assert.rejects(
          openNodeSocket({ host: "127.0.0.1", port: 1, tls, signal: AbortSignal.timeout(5_000) }),
          { code: "TLS_ERROR", message },
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which runtime's node:net it is, and that it does what Deno's node:tls cannot", () => {
    const capabilities = nodeSocketCapabilities();
    // Deno's node:tls decrypts no key and checks no revocation list: the transport does both itself
    // (decryptPrivateKey, checkRevocation), from Deno 2.8.
    assert.equal(capabilities.encryptedPrivateKeys, true);
    assert.equal(capabilities.certificateRevocationLists, true);
    assert.equal(capabilities.customCA, true);
    assert.match(capabilities.runtime, { deno: /^Deno \d/, node: /^Node\.js$/, bun: /^Bun$/ }[runtime]);
  });

  it("an encrypted key: without tlsCertificateKeyFilePassword, or with a wrong one, TLS_ERROR naming the option before any socket, on every runtime", async () => {
    const file = fixturePath("pki/client-encrypted.pem");
    const checked = { allowInvalidCertificates: false, allowInvalidHostnames: false };
    const cases: [TlsSettings, RegExp][] = [
      [
        { ...checked, certificateKeyFile: file },
        new RegExp(
          `^the private key in tlsCertificateKeyFile ${file} is encrypted: give its passphrase as tlsCertificateKeyFilePassword$`,
        ),
      ],
      [
        { ...checked, certificateKeyFile: file, certificateKeyPassword: "wrong-Pw-1" },
        new RegExp(
          `^cannot decrypt the private key in tlsCertificateKeyFile ${file}: the passphrase \\(tlsCertificateKeyFilePassword\\) is wrong$`,
        ),
      ],
      [
        { ...checked, certificateKey: pemOf(file), certificateKeyPassword: "wrong-Pw-1" },
        /^cannot decrypt the private key in tlsCertificateKey: the passphrase/,
      ],
    ];
    // Port 1: nothing listens, so an error that is not about the key would be a refused connection.
    for (const [tls, message] of cases) {
      await assert.rejects(
        openNodeSocket({ host: "127.0.0.1", port: 1, tls, signal: AbortSignal.timeout(5_000) }),
        (err: MongoAuthError) => {
          assert.equal(err.code, "TLS_ERROR");
          assert.match(err.message, message);
          assert.ok(!err.message.includes("wrong-Pw-1"));
          return true;
        },
      );
    }
  });

  it("a key derivation that outlasts the signal: ABORTED when it fires, not when PBKDF2 ends (Deno)", {
    skip: runtime !== "deno" &&
      "OpenSSL (Node.js) and BoringSSL (Bun) derive synchronously while the TLS context is built, as for the official driver",
  }, async () => {
    // PBES2 asking for the most iterations decryptPrivateKey runs (seconds of PBKDF2); the data is no key,
    // so the derivation, once it ends, fails as a wrong passphrase, unseen.
    const der = seq(
      seq(
        oid("1.2.840.113549.1.5.13"),
        seq(
          seq(oid("1.2.840.113549.1.5.12"), seq(octets(8), int(0x00, 0x98, 0x96, 0x80))),
          seq(oid("2.16.840.1.101.3.4.1.42"), octets(16)),
        ),
      ),
      octets(32),
    );
    const { cert } = pemOf(fixturePath("pki/client-encrypted.pem"));
    const key = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${
      encodeBase64(der)
    }\n-----END ENCRYPTED PRIVATE KEY-----\n`;
    const controller = new AbortController();
    const opening = openNodeSocket({
      host: "127.0.0.1",
      port: 1,
      tls: {
        allowInvalidCertificates: false,
        allowInvalidHostnames: false,
        certificateKey: { cert, key },
        certificateKeyPassword: "pw",
      },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(settledWithin(1000, "openNodeSocket", opening), { code: "ABORTED" });
  });

  it(
    "a key encrypted by a scheme neither the runtime's TLS nor mongo-auth reads (RC2: OpenSSL 3 keeps it in its legacy provider; Bun's BoringSSL reads it) is RUNTIME_UNSUPPORTED, naming it and what to do",
    async () => {
      const file = fixturePath(
        "pki/encrypted-keys/pbes1-sha1-rc2-40.pem",
      );
      const tls = {
        allowInvalidCertificates: false,
        allowInvalidHostnames: false,
        certificateKeyFile: file,
        certificateKeyPassword: "pki-test-password",
      };
      const opening = openNodeSocket({ host: "127.0.0.1", port: 1, tls, signal: AbortSignal.timeout(5_000) });
      if (runtime === "bun") {
        // BoringSSL took the key: what fails is the connection to a port where nothing listens.
        await assert.rejects(opening, { code: "CONNECTION_FAILED" });
        return;
      }
      await assert.rejects(
        opening,
        (err: MongoAuthError) => {
          assert.equal(err.code, "RUNTIME_UNSUPPORTED");
          // The runtime's TLS refused it first (Deno's takes none); then mongo-auth, which has no RC2 either.
          assert.match(
            err.message,
            new RegExp(
              `^the private key in tlsCertificateKeyFile ${file} is encrypted with PKCS#12 PBE \\(SHA-1, RC2-40\\), which`,
            ),
          );
          assert.match(err.message, /encrypt it again with AES \(openssl pkcs8 -topk8 -v2 aes-256-cbc/);
          return true;
        },
      );
    },
  );
});

describe("openNodeSocket with tlsCRLFile", () => {
  it("a server that hangs up while Deno checks its chain: CONNECTION_CLOSED saying so (OpenSSL checks in the handshake on Node.js and Bun)", async () => {
    // The CA's list 500 times over: every copy's signature is checked, so the check outlasts the hang-up.
    const crl = readFileSync(fixturePath("pki/crl.pem"), "utf8");
    const dir = mkdtempSync(join(tmpdir(), "mongo-auth-crl-"));
    const crlFile = join(dir, "many.pem");
    writeFileSync(crlFile, crl.repeat(500));
    const tls: TlsSettings = {
      caFile: fixturePath("pki/crl-ca.pem"),
      crlFile,
      allowInvalidCertificates: false,
      allowInvalidHostnames: false,
    };
    try {
      await withCrlServer((socket) => socket.end(), async (port) => {
        const opening = openNodeSocket({ host: "127.0.0.1", port, tls, signal: AbortSignal.timeout(10_000) });
        if (runtime !== "deno") {
          // OpenSSL checked the list during the handshake: the socket opens, then ends.
          (await opening).close();
          return;
        }
        await assert.rejects(opening, {
          code: "CONNECTION_CLOSED",
          message:
            `127.0.0.1:${port} closed the connection while its certificate chain was checked against ` +
            "tlsCRLFile",
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("openNodeSocket's TLS files, read as each connection opens", () => {
  // The server keeps its connections open (withCrlServer's peer does nothing): Deno checks the chain after
  // the handshake, and a server that hung up at once could end the check first.
  const pem = (file: string) => readFileSync(fixturePath(`pki/${file}`), "utf8");
  const settingsFor = (crlFile: string): TlsSettings => ({
    caFile: fixturePath("pki/crl-ca.pem"),
    crlFile,
    allowInvalidCertificates: false,
    allowInvalidHostnames: false,
  });
  const openWith = (port: number, crlFile: string) =>
    openNodeSocket({
      host: "127.0.0.1",
      port,
      tls: settingsFor(crlFile),
      signal: AbortSignal.timeout(10_000),
    });

  it("a tlsCAFile rewritten between two connections: the next one trusts the new CA only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mongo-auth-ca-"));
    const caFile = join(dir, "ca.pem");
    const openTrusting = (port: number) =>
      openNodeSocket({
        host: "127.0.0.1",
        port,
        tls: { caFile, allowInvalidCertificates: false, allowInvalidHostnames: false },
        signal: AbortSignal.timeout(10_000),
      });
    try {
      await withCrlServer(() => {}, async (port) => {
        writeFileSync(caFile, pem("crl-ca.pem"));
        (await openTrusting(port)).close();
        writeFileSync(caFile, pem("other-ca.pem"));
        await assert.rejects(openTrusting(port), { code: "TLS_ERROR" });
        writeFileSync(caFile, pem("crl-ca.pem"));
        (await openTrusting(port)).close();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a tlsCRLFile rewritten between two connections: the next one checks the new lists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mongo-auth-crl-"));
    const crlFile = join(dir, "lists.pem");
    try {
      await withCrlServer(() => {}, async (port) => {
        writeFileSync(crlFile, pem("crl.pem"));
        (await openWith(port, crlFile)).close();
        // Another CA's list only: none from the server's CA.
        writeFileSync(crlFile, pem("crl-cases/names/crl.pem"));
        await assert.rejects(openWith(port, crlFile), {
          code: "TLS_ERROR",
          message: /tlsCRLFile has no revocation list from a CA of the server's certificate chain/,
        });
        writeFileSync(crlFile, pem("crl.pem"));
        (await openWith(port, crlFile)).close();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checks a list's signature once for all the connections that read the same file, at once or later (Deno; OpenSSL checks in the handshake on Node.js and Bun)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mongo-auth-crl-"));
    const crlFile = join(dir, "lists.pem");
    // The server's chain is its certificate and the CA's: one list of the file (the CA's) is checked.
    const perRead = runtime === "deno" ? 1 : undefined;
    try {
      await withCrlServer(() => {}, async (port) => {
        writeFileSync(crlFile, pem("crl.pem"));
        const first = await countSubtleCalls(async () => {
          const sockets = await Promise.all(Array.from({ length: 5 }, () => openWith(port, crlFile)));
          for (const socket of sockets) socket.close();
          (await openWith(port, crlFile)).close();
        });
        assert.equal(first.verify, perRead);
        // The same lists in other bytes are another file: read, and checked, again.
        writeFileSync(crlFile, "the CA's lists\n" + pem("crl.pem"));
        const again = await countSubtleCalls(async () => (await openWith(port, crlFile)).close());
        assert.equal(again.verify, perRead);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("openNodeSocket with a key the runtime's TLS cannot decrypt", () => {
  it("decrypts it once for all the connections that use it, at once or later; another passphrase is another key", async () => {
    // PBES2 with single DES: Node.js's OpenSSL 3 and Bun's BoringSSL refuse it, Deno decrypts nothing, so
    // mongo-auth decrypts it on every runtime: one PBKDF2 (one WebCrypto deriveBits) per decryption.
    const tls = (password: string): TlsSettings => ({
      caFile: fixturePath("pki/crl-ca.pem"),
      certificateKey: pemOf(fixturePath("pki/encrypted-keys/pbes2-des-cbc.pem")),
      certificateKeyPassword: password,
      allowInvalidCertificates: false,
      allowInvalidHostnames: false,
    });
    await withCrlServer((socket) => socket.end(), async (port) => {
      const open = (password = "pki-test-password") =>
        openNodeSocket({ host: "127.0.0.1", port, tls: tls(password), signal: AbortSignal.timeout(5_000) });
      const right = await countSubtleCalls(async () => {
        for (const socket of await Promise.all(Array.from({ length: 5 }, () => open()))) socket.close();
        (await open()).close();
      });
      assert.equal(right.deriveBits, 1);
      const wrong = await countSubtleCalls(async () => {
        await assert.rejects(open("another"), { code: "TLS_ERROR", message: /passphrase .* is wrong/ });
        await assert.rejects(open("another"), { code: "TLS_ERROR", message: /passphrase .* is wrong/ });
      });
      assert.equal(wrong.deriveBits, 2, "a refusal is not kept");
    });
  });
});
