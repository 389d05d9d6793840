// A second official driver vouches for the reference server: pymongo (Debian's python3-pymongo 3.11,
// which .ci/run installs with apt-get) logs in with the same matrix as the Node driver's checks in
// driver.test.ts, through its own legacy OP_QUERY handshake, and compresses with zlib, with snappy
// (Debian's python3-snappy, which .ci/run installs too) and with zstd (python3-zstandard, likewise: the
// zstd library the reference server's node:zlib frames must satisfy, where the runtime has zstd).
// pymongo_client.py runs under /usr/bin/python3 (a pyenv `python3` cannot see Debian's dist-packages) and
// answers one JSON line per login.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fixturePath, repoRoot } from "../../testing/paths.ts";
import { zstdSync } from "../../testing/reference-server/tests/raw-client.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { BOTH_SCRAM, MATRIX_USERS, SASLPREP_LOGINS } from "../../testing/reference-server/matrix.ts";
import type { RunningServer } from "../../testing/reference-server/server.ts";
import { withServer } from "../support/with-server.ts";

const PYTHON = "/usr/bin/python3";
const CONFIG: ServerConfig = {
  users: [...MATRIX_USERS, {
    db: "$external",
    user: "ldap-user",
    password: "ldap-pw",
    mechanisms: ["PLAIN"],
  }],
};
const SUBJECT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";

/**
 * Why a module cannot be used here, or undefined when `/usr/bin/python3 -c "import <module>"` works.
 * @param module the Python module, e.g. "pymongo"
 * @param debianPackage the Debian package that has it, e.g. "python3-pymongo"
 */
function pythonMissing(module: string, debianPackage: string): string | undefined {
  const probe = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8", timeout: 30_000 });
  if (probe.status === 0) return undefined;
  const detail = probe.error?.message ?? probe.stderr.trim().split("\n").at(-1) ?? `exit ${probe.status}`;
  return `${PYTHON} cannot import ${module} (${detail}); install Debian's ${debianPackage} (.ci/run does)`;
}

type Reply = {
  users?: unknown[];
  error?: { code?: number; codeName?: string; type?: string; message: string };
};

/** One pymongo_client.py process: a login per line, an answer per line. */
class Pymongo {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #stderr = "";

  constructor() {
    this.#child = spawn(PYTHON, [join(repoRoot(), "tests", "interop", "pymongo_client.py")]);
    this.#child.stderr.on("data", (chunk) => (this.#stderr += chunk));
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  /** The next line from the script, bounded so a stuck client fails the test instead of hanging it. */
  async #next(): Promise<Reply & { ready?: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`pymongo_client.py did not answer in 30 s: ${this.#stderr}`)),
        30_000,
      );
    });
    try {
      const line = await Promise.race([this.#lines.next(), timeout]);
      if (line.done) throw new Error(`pymongo_client.py exited: ${this.#stderr}`);
      return JSON.parse(line.value);
    } finally {
      clearTimeout(timer);
    }
  }

  async ready(): Promise<string> {
    return (await this.#next()).ready!;
  }

  /** Logs in to `server` with MongoClient keyword options and returns connectionStatus's users or the error. */
  async login(server: RunningServer, options: Record<string, unknown>): Promise<Reply> {
    this.#child.stdin.write(`${JSON.stringify({ host: server.host, port: server.port, options })}\n`);
    return await this.#next();
  }

  close(): void {
    this.#child.stdin.end();
    this.#child.kill();
  }
}

const missing = pythonMissing("pymongo", "python3-pymongo");
/** What pymongo's snappy compressor needs: python-snappy, which pymongo 3.11 imports when asked for it. */
const snappyMissing = missing ?? pythonMissing("snappy", "python3-snappy");
/** What pymongo's zstd compressor needs: the zstandard module. */
const zstdMissing = missing ?? pythonMissing("zstandard", "python3-zstandard");
// In CI pymongo and python-snappy must be there: a silent skip would drop the second driver, or its
// snappy, without anyone noticing. Elsewhere a case skips with the reason.
const skipWhen = (reason: string | undefined) =>
  reason !== undefined && process.env.CI === undefined ? reason : false;

describe("pymongo against the reference server", () => {
  let pymongo: Pymongo | undefined;
  before(async () => {
    if (missing !== undefined) return;
    pymongo = new Pymongo();
    assert.match(await pymongo.ready(), /^3\./);
  });
  after(() => pymongo?.close());

  /**
   * Runs one case; in CI a missing module fails the case with the reason.
   * @param needs why the case cannot run here, if it cannot (default: pymongo's absence)
   */
  const test = (name: string, fn: (pymongo: Pymongo) => Promise<void>, needs = missing) =>
    it(name, { skip: skipWhen(needs) }, async () => {
      if (needs !== undefined) assert.fail(needs);
      await fn(pymongo!);
    });

  const ALICE = { username: "alice", password: "alice-pw" };

  for (const mechanism of BOTH_SCRAM) {
    test(`authenticates with ${mechanism}`, async (pymongo) => {
      await withServer(CONFIG, async (server) => {
        const reply = await pymongo.login(server, { ...ALICE, authMechanism: mechanism });
        assert.deepEqual(reply, { users: [{ user: "alice", db: "admin" }] });
        assert.equal(server.stats.authSuccessesByMechanism[mechanism], 1);
      });
    });
  }

  test("negotiates SCRAM-SHA-256 speculatively in its legacy OP_QUERY isMaster handshake", async (pymongo) => {
    await withServer(CONFIG, async (server) => {
      const reply = await pymongo.login(server, { ...ALICE, appname: "pymongo-matrix" });
      assert.deepEqual(reply, { users: [{ user: "alice", db: "admin" }] });
      assert.deepEqual(server.stats.speculative, { received: 1, successful: 1 });
      assert.equal(server.stats.commands.saslStart, undefined);
      assert.deepEqual(server.stats.authSuccessesByMechanism, { "SCRAM-SHA-256": 1 });
      // Every connection opens with isMaster over OP_QUERY and its client metadata, then moves to OP_MSG.
      assert.ok((server.stats.opcodes.OP_QUERY ?? 0) >= 1);
      assert.ok((server.stats.commands.ismaster ?? server.stats.commands.isMaster ?? 0) >= 1);
      assert.ok(server.stats.clientMetadata.some((m) => m.appName === "pymongo-matrix" && m.bytes <= 512));
      assert.ok((server.stats.opcodes.OP_MSG ?? 0) >= 2);
    });
  });

  test("negotiates SCRAM-SHA-1 for a user that only has SCRAM-SHA-1 credentials (authSource app)", async (pymongo) => {
    await withServer(CONFIG, async (server) => {
      const reply = await pymongo.login(server, {
        username: "sha1only",
        password: "old-pw",
        authSource: "app",
      });
      assert.deepEqual(reply, { users: [{ user: "sha1only", db: "app" }] });
      assert.deepEqual(server.stats.speculative, { received: 1, successful: 0 });
      assert.deepEqual(server.stats.authSuccessesByMechanism, { "SCRAM-SHA-1": 1 });
    });
  });

  test("authenticates a user name holding '=' and ',' with both SCRAM mechanisms", async (pymongo) => {
    await withServer(CONFIG, async (server) => {
      // pymongo digests the raw user name for SCRAM-SHA-1, as mongod does (the Node driver does not).
      for (const authMechanism of BOTH_SCRAM) {
        const reply = await pymongo.login(server, { username: "a=b,c", password: "odd-pw", authMechanism });
        assert.deepEqual(reply, { users: [{ user: "a=b,c", db: "admin" }] }, authMechanism);
      }
    });
  });

  test("SASLpreps SCRAM-SHA-256 passwords (auth spec prose test)", async (pymongo) => {
    await withServer(CONFIG, async (server) => {
      for (const [username, password] of SASLPREP_LOGINS) {
        const reply = await pymongo.login(server, { username, password, authMechanism: "SCRAM-SHA-256" });
        assert.deepEqual(reply, { users: [{ user: username, db: "admin" }] }, `${username} / ${password}`);
      }
    });
  });

  for (const compressor of ["zlib", "snappy"]) {
    test(
      `negotiates ${compressor} (compressors='${compressor}') and sends connectionStatus compressed with it after the login`,
      async (pymongo) => {
        await withServer(CONFIG, async (server) => {
          const reply = await pymongo.login(server, { ...ALICE, compressors: compressor });
          assert.deepEqual(reply, { users: [{ user: "alice", db: "admin" }] });
          assert.deepEqual(server.stats.authSuccessesByMechanism, { "SCRAM-SHA-256": 1 });
          // pymongo compresses every command but the handshake and authentication ones: connectionStatus
          // (and endSessions at close) came as OP_COMPRESSED with this compressor and were answered so.
          const stats = JSON.stringify(server.stats);
          assert.ok(server.stats.compressedIn >= 1, stats);
          assert.deepEqual(server.stats.compressedInBy, { [compressor]: server.stats.compressedIn }, stats);
          assert.deepEqual(server.stats.compressedOutBy, server.stats.compressedInBy, stats);
        });
      },
      compressor === "snappy" ? snappyMissing : missing,
    );
  }

  test(
    zstdSync
      ? "negotiates zstd (compressors='zstd'): its zstandard frames read by the server, the server's by zstandard"
      : "offered zstd by a server without it (Node.js 20), falls back to sending uncompressed",
    async (pymongo) => {
      await withServer(CONFIG, async (server) => {
        const reply = await pymongo.login(server, { ...ALICE, compressors: "zstd,zlib" });
        assert.deepEqual(reply, { users: [{ user: "alice", db: "admin" }] });
        const stats = JSON.stringify(server.stats);
        const used = zstdSync ? "zstd" : "zlib";
        assert.ok(server.stats.compressedIn >= 1, stats);
        assert.deepEqual(server.stats.compressedInBy, { [used]: server.stats.compressedIn }, stats);
        assert.deepEqual(server.stats.compressedOutBy, server.stats.compressedInBy, stats);
      });
    },
    zstdMissing,
  );

  test("fails a wrong password with code 18 AuthenticationFailed", async (pymongo) => {
    await withServer(CONFIG, async (server) => {
      for (const authMechanism of [undefined, ...BOTH_SCRAM]) {
        const reply = await pymongo.login(server, { username: "alice", password: "wrong", authMechanism });
        assert.equal(reply.error?.code, 18, String(authMechanism));
        assert.equal(reply.error?.codeName, "AuthenticationFailed");
      }
      assert.equal(server.stats.authSuccesses, 0);
    });
  });

  test("authenticates with PLAIN on $external", async (pymongo) => {
    await withServer(CONFIG, async (server) => {
      const reply = await pymongo.login(server, {
        username: "ldap-user",
        password: "ldap-pw",
        authMechanism: "PLAIN",
        authSource: "$external",
      });
      assert.deepEqual(reply, { users: [{ user: "ldap-user", db: "$external" }] });
      const wrong = await pymongo.login(server, {
        username: "ldap-user",
        password: "nope",
        authMechanism: "PLAIN",
        authSource: "$external",
      });
      assert.equal(wrong.error?.code, 18);
    });
  });

  test("authenticates with MONGODB-X509 over TLS, speculatively", async (pymongo) => {
    const pki = (name: string) => fixturePath(`pki/${name}`);
    const config: ServerConfig = {
      tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
      users: [{ db: "$external", user: SUBJECT, mechanisms: ["MONGODB-X509"] }],
    };
    await withServer(config, async (server) => {
      const reply = await pymongo.login(server, {
        tls: true,
        tlsCAFile: pki("ca.pem"),
        tlsCertificateKeyFile: pki("client.pem"),
        authMechanism: "MONGODB-X509",
      });
      assert.deepEqual(reply, { users: [{ user: SUBJECT, db: "$external" }] });
      assert.deepEqual(server.stats.speculative, { received: 1, successful: 1 });
      assert.equal(server.stats.commands.authenticate, undefined);
      const unregistered = await pymongo.login(server, {
        tls: true,
        tlsCAFile: pki("ca.pem"),
        tlsCertificateKeyFile: pki("client-unregistered.pem"),
        authMechanism: "MONGODB-X509",
      });
      assert.equal(unregistered.error?.code, 11, JSON.stringify(unregistered));
    });
  });
});
