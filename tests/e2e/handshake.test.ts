// The handshake's client metadata against the reference server, which checks it as mongod 7.0 does
// (application name at most 128 bytes: 184; document at most 1024 bytes: 185): our client refuses a
// longer appName itself, and keeps its metadata within the handshake spec's 512 bytes, on every transport.
// The environment (FaaS, container) and wrapping libraries' metadata reach the server as the handshake
// specification's prose tests describe, and the server takes them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError, type Transport } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { transports } from "../support/transports.ts";
import { hostWith, SPEC_ENVIRONMENTS } from "../support/handshake-environments.ts";
import { startHostileServer } from "../support/hostile-server.ts";

for (const { name, transport } of await transports()) {
  describe(`handshake metadata (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({
        users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
      });
    });
    after(() => server.close());

    const uri = (query: string) => `mongodb://alice:alice-pw@${server.address}/${query}`;

    it("refuses an appName over 128 bytes with INVALID_OPTION before it connects", async () => {
      const opened = server.stats.connectionsOpened;
      for (
        const attempt of [
          () => connectWith(transport, uri(`?appName=${"a".repeat(200)}`)),
          () => connectWith(transport, uri(""), { appName: "é".repeat(65) }),
        ]
      ) {
        await assert.rejects(attempt(), (err: unknown) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "INVALID_OPTION");
          assert.match(err.message, /appName must be at most 128 bytes/);
          return true;
        });
      }
      assert.equal(server.stats.connectionsOpened, opened);
    });

    it("sends an appName of exactly 128 bytes, which the server takes", async () => {
      const appName = "é".repeat(63) + "ab";
      const conn = await connectWith(transport, uri(""), { appName });
      await conn.close();
      assert.deepEqual(server.stats.clientMetadata.at(-1)?.appName, appName);
    });

    it("keeps its metadata within 512 bytes when the runtime's platform string is huge", async () => {
      const verbose: Transport = { ...transport, platform: `${transport.platform} ${"x".repeat(2000)}` };
      const conn = await connectWith(verbose, uri(""), { appName: "a".repeat(128) });
      await conn.close();
      const sent = server.stats.clientMetadata.at(-1)!;
      assert.equal(sent.appName, "a".repeat(128));
      assert.ok(sent.bytes <= 512, `${sent.bytes} bytes`);
    });

    it("describes the runtime's own host: the OS's name and architecture after its type", async () => {
      const conn = await connectWith(transport, uri(""));
      await conn.close();
      const { os } = server.stats.clientMetadata.at(-1)!.document as { os: Record<string, string> };
      assert.equal(os.type, transport.osType);
      assert.equal(typeof os.name, "string");
      assert.equal(typeof os.architecture, "string");
    });

    // Prose test 1 of the handshake specification's tests: each environment's hello succeeds and carries
    // its client.env (numbers as int32).
    for (const { name: environment, vars, env } of SPEC_ENVIRONMENTS) {
      it(`spec prose test 1, ${environment}: hello succeeds and says so in client.env`, async () => {
        const inEnvironment: Transport = { ...transport, describeHost: () => hostWith(vars) };
        const conn = await connectWith(inEnvironment, uri(""));
        await conn.command("admin", { ping: 1 });
        await conn.close();
        const { document, bytes } = server.stats.clientMetadata.at(-1)!;
        assert.ok(bytes <= 512, `${bytes} bytes`);
        const sent = document.env as Record<string, { _bsontype?: string; valueOf(): unknown }> | undefined;
        const plain = sent && Object.fromEntries(
          Object.entries(sent).map(([key, value]) => [key, key === "container" ? value : value.valueOf()]),
        );
        assert.deepEqual(plain, env);
        for (const field of ["memory_mb", "timeout_sec"]) {
          if (sent?.[field] !== undefined) assert.equal(sent[field]._bsontype, "Int32");
        }
      });
    }

    it("spec prose test 2: a hello listing a mechanism this client does not know is no error", async () => {
      const peer = await startHostileServer({
        upstream: { host: server.host, port: server.port },
        plan: {
          rewriteReply: (body, index) =>
            index === 1 ? { ...body, saslSupportedMechs: ["ARBITRARY-MECHANISM", "SCRAM-SHA-256"] } : body,
        },
      });
      try {
        const conn = await connectWith(transport, `mongodb://alice:alice-pw@${peer.address}/`);
        await conn.close();
        assert.equal(conn.handshake.mechanism, "SCRAM-SHA-256");
        const hello = conn.trace.find((event) => event.type === "hello")!;
        assert.deepEqual(hello.attributes.saslSupportedMechs, ["ARBITRARY-MECHANISM", "SCRAM-SHA-256"]);
      } finally {
        await peer.close();
      }
    });

    it("appends the wrapping libraries of driverInfo with |, a repeat once; new connections carry a change", async () => {
      const library = { name: "library", version: "1.2", platform: "Library Platform" };
      const cases = [
        [[library], "mongo-auth|library", "|1.2", "|Library Platform"],
        [
          [library, { name: "framework", version: "2.0", platform: "Framework Platform" }],
          "mongo-auth|library|framework",
          "|1.2|2.0",
          "|Library Platform|Framework Platform",
        ],
        [[library, { name: "framework" }], "mongo-auth|library|framework", "|1.2", "|Library Platform"],
        [[library, { ...library }], "mongo-auth|library", "|1.2", "|Library Platform"],
      ] as const;
      for (const [driverInfo, name, version, platform] of cases) {
        const conn = await connectWith(transport, uri(""), { driverInfo });
        await conn.close();
        const sent = server.stats.clientMetadata.at(-1)!.document as {
          driver: { name: string; version: string };
          platform: string;
        };
        assert.equal(sent.driver.name, name);
        assert.ok(
          sent.driver.version.endsWith(version) &&
            sent.driver.version.split("|").length === version.split("|").length,
          sent.driver.version,
        );
        assert.equal(sent.platform, `${transport.platform}${platform}`);
      }
    });

    it("refuses a driverInfo with | or too long for the handshake with INVALID_OPTION, before it connects", async () => {
      const opened = server.stats.connectionsOpened;
      await assert.rejects(connectWith(transport, uri(""), { driverInfo: { name: "odm|x" } }), {
        code: "INVALID_OPTION",
        message: /driverInfo.name must not contain "\|"/,
      });
      await assert.rejects(connectWith(transport, uri(""), { driverInfo: { name: "n".repeat(600) } }), {
        code: "INVALID_OPTION",
        message: /option driverInfo makes hello's client metadata \d+ bytes longer than the 512/,
      });
      assert.equal(server.stats.connectionsOpened, opened);
    });
  });
}
