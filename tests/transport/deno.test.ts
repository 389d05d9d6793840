// The Deno transport only runs under Deno; on Node and Bun this file checks that importing it is harmless,
// and every runtime runs Deno itself in a subprocess to check that a pinned CA is the only one trusted.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { connectWith } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath, repoRoot } from "../../testing/paths.ts";
import { runtime } from "../support/transports.ts";
import { startSocks5Proxy } from "../support/socks5-proxy.ts";
import { denoExecutable } from "../support/cli.ts";

describe("deno transport", () => {
  it("loads on every runtime without touching Deno until used", async () => {
    const mod = await import("../../src/transport/deno.ts");
    assert.equal(typeof mod.connect, "function");
  });

  it("on Deno: names the runtime, reads the environment it is allowed to and runs commands", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoEnv, denoTransport } = await import("../../src/transport/deno.ts");
    assert.match(denoTransport.platform, /^Deno \d/);
    const env = denoEnv();
    const deno = (globalThis as unknown as { Deno: { env: { get(n: string): string | undefined } } }).Deno;
    assert.equal(env.getEnv("PATH"), deno.env.get("PATH"));
    const { runShellCommand } = await import("../../src/transport/run-command.ts");
    assert.equal(env.runCommand, runShellCommand, "a credential_process runs through node:child_process");
  });

  it("on Deno: turns TCP keepalive on for every connection (Deno takes no idle time: the system's)", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoTransport } = await import("../../src/transport/deno.ts");
    type Conn = { setKeepAlive(on?: boolean): void; close(): void };
    const deno = (globalThis as unknown as {
      Deno: {
        listen(o: { port: number }): { addr: { port: number }; close(): void };
        connect(o: object): Promise<Conn>;
      };
    }).Deno;
    const listener = deno.listen({ port: 0 });
    const probe = await deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const tcpConn = Object.getPrototypeOf(probe) as Conn;
    probe.close();
    listener.close();
    const calls: unknown[][] = [];
    const setKeepAlive = tcpConn.setKeepAlive;
    tcpConn.setKeepAlive = function (this: Conn, ...args: unknown[]) {
      calls.push(args);
      return setKeepAlive.apply(this, args as [boolean]);
    };
    const server = await startServer({ users: [] });
    try {
      const conn = await connectWith(denoTransport, `mongodb://${server.address}/`);
      await conn.close();
    } finally {
      tcpConn.setKeepAlive = setKeepAlive;
      await server.close();
    }
    assert.deepEqual(calls, [[true]]);
  });

  it("on Deno: the transport makes its env once, and that env reads each variable as it is when asked", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoTransport } = await import("../../src/transport/deno.ts");
    const deno = (globalThis as unknown as {
      Deno: { env: { set(n: string, v: string): void; delete(n: string): void } };
    }).Deno;
    const env = denoTransport.defaultEnv();
    assert.equal(denoTransport.defaultEnv(), env, "one env for every connect()");
    try {
      deno.env.set("MONGO_AUTH_ENV_PROBE", "first");
      assert.equal(env.getEnv("MONGO_AUTH_ENV_PROBE"), "first");
      deno.env.set("MONGO_AUTH_ENV_PROBE", "second");
      assert.equal(env.getEnv("MONGO_AUTH_ENV_PROBE"), "second", "no copy taken at first use");
    } finally {
      deno.env.delete("MONGO_AUTH_ENV_PROBE");
    }
    assert.equal(env.envRestriction, undefined, "nothing refused under -A");
  });

  it("on Deno: every denoEnv() is the process's: credentials they produce share one cache scope", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoEnv } = await import("../../src/transport/deno.ts");
    const { envScope } = await import("../../src/core/runtime-env.ts");
    assert.equal(envScope(denoEnv()), envScope(denoEnv()));
  });

  it(
    "on Deno: what Deno's own TLS cannot do goes through its node:tls; what neither can is refused, saying what to do",
    {
      skip: runtime !== "deno" && "Deno only",
    },
    async () => {
      const { denoTransport } = await import("../../src/transport/deno.ts");
      // tlsAllowInvalidCertificates, for one connection (tests/e2e/tls.test.ts).
      assert.equal(denoTransport.capabilities.skipCertificateVerification, true);
      // tlsCRLFile, checked against the chain its node:tls verified (tests/e2e/tls.test.ts).
      assert.equal(denoTransport.capabilities.certificateRevocationLists, true);
      // An encrypted key is decrypted before the handshake (tests/e2e/x509.test.ts), unless its scheme is
      // RC2 or RC4, which mongo-auth does not have.
      assert.equal(denoTransport.capabilities.encryptedPrivateKeys, true);
      const rc2 = fixturePath("pki/encrypted-keys/pbes1-sha1-rc2-40.pem");
      await assert.rejects(
        connectWith(denoTransport, "mongodb://127.0.0.1:1/?tls=true&authMechanism=MONGODB-X509", {
          tlsCertificateKeyFile: rc2,
          tlsCertificateKeyFilePassword: "pki-test-password",
        }),
        {
          code: "RUNTIME_UNSUPPORTED",
          message: /is encrypted with PKCS#12 PBE \(SHA-1, RC2-40\), which this runtime cannot decrypt/,
        },
      );
    },
  );
});

// DENO_CERT adds a CA to what Deno trusts by default, as a public root would be: the stand-in for "a CA
// Deno trusts anyway". The reference server's certificate is signed by testing/fixtures/pki/ca.pem.
describe("deno transport: a pinned CA (tlsCAFile) is the only CA trusted", () => {
  const pki = (name: string) => fixturePath(`pki/${name}`);
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
      tls: {
        cert: pki("server-cert.pem"),
        key: pki("server-key.pem"),
        ca: pki("ca.pem"),
        allowConnectionsWithoutCertificates: true,
      },
    });
  });
  after(() => server.close());

  async function probe(
    pin: string,
    denoCert?: string,
    entry = "deno",
    via?: { address: string; proxyPort: number },
  ): Promise<{ ok?: true; code?: string; message?: string }> {
    const root = repoRoot();
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", DENO_CERT: denoCert };
    if (denoCert === undefined) delete env.DENO_CERT;
    const { stdout } = await promisify(execFile)(
      denoExecutable(),
      [
        "run",
        "-A",
        join(root, "tests", "transport", "deno-tls-probe.ts"),
        via?.address ?? server.address,
        pin,
        entry,
        ...(via ? [String(via.proxyPort)] : []),
      ],
      { cwd: root, env: env as Record<string, string>, timeout: 60_000 },
    );
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  }

  it("Deno trusts the server's CA by default here (DENO_CERT), so the next check means something", async () => {
    assert.deepEqual(await probe("-", pki("ca.pem")), { ok: true });
  });

  for (const entry of ["deno", "node"]) {
    it(`pinning another CA refuses the server with TLS_ERROR, though Deno would trust it by default (/${entry})`, async () => {
      const outcome = await probe(pki("other-ca.pem"), pki("ca.pem"), entry);
      assert.equal(outcome.code, "TLS_ERROR", JSON.stringify(outcome));
    });
  }

  it("pinning the server's own CA connects (without it in Deno's default trust)", async () => {
    assert.deepEqual(await probe(pki("ca.pem")), { ok: true });
  });

  it("through a SOCKS5 proxy, Deno.startTls runs over the tunnel and checks the host asked for", async () => {
    const proxy = await startSocks5Proxy({ map: { "elsewhere.invalid:27017": server.address } });
    try {
      const asked = { address: `localhost:${server.port}`, proxyPort: proxy.port };
      assert.deepEqual(await probe("-", pki("ca.pem"), "deno", asked), { ok: true });
      assert.deepEqual(proxy.requests.map((r) => r.host), ["localhost"]);
      const otherName = { address: "elsewhere.invalid:27017", proxyPort: proxy.port };
      const outcome = await probe("-", pki("ca.pem"), "deno", otherName);
      assert.equal(outcome.code, "TLS_ERROR", JSON.stringify(outcome));
      assert.deepEqual(await probe("-", undefined, "deno", asked).then((o) => o.code), "TLS_ERROR");
    } finally {
      await proxy.close();
    }
  });
});
