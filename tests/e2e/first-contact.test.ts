// The errors a user meets in the first hour, on every transport of this runtime. Each says what went
// wrong and what to do, names the host, user, database and mechanism where there is one, never holds
// the password, and comes from what the peer did rather than from the connect timeout running out.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { connectWith, MongoAuthError, runtimeEnv, type TraceEvent } from "@mongo-auth/core";
import { startReplicaSet } from "../../testing/reference-server/replica-set.ts";
import { type RunningServer, startListener, startServer } from "../../testing/reference-server/server.ts";
import { uninitiatedMember } from "../../testing/reference-server/topology.ts";
import { loopbackOnlyFetch } from "../support/aws-fakes.ts";
import { type Listening, listenOnLoopback } from "../support/loopback-http.ts";
import { fixturePath, repoRoot } from "../../testing/paths.ts";
import { runtime, transports } from "../support/transports.ts";
import { denoExecutable, runOnTerminal } from "../support/cli.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const users = [{
  db: "admin",
  user: "alice",
  password: "alice-pw",
  mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"],
  roles: [{ role: "readWriteAnyDatabase", db: "admin" }],
}, {
  db: "admin",
  user: "reader",
  password: "reader-pw",
  mechanisms: ["SCRAM-SHA-256"],
  roles: [{ role: "read", db: "app" }],
}];

/** Asserts a MongoAuthError with `code` whose message matches every pattern. */
async function rejectsWith(promise: Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<string> {
  let message = "";
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError, `not a MongoAuthError: ${err}`);
    assert.equal(err.code, code, err.message);
    for (const pattern of patterns) assert.match(err.message, pattern);
    message = err.message;
    return true;
  });
  return message;
}

/** A TCP server that answers every connection with `reply` and closes (or just closes, or stays silent). */
async function rawServer(
  reply?: Uint8Array | "silent",
): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    if (reply === "silent") return;
    socket.once("data", () => (reply ? socket.end(reply) : socket.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const { name, transport } of await transports()) {
  describe(`first contact: the errors of the first hour (${name} transport)`, () => {
    let plain: RunningServer;
    let tlsServer: RunningServer;
    let http: Listening;
    let hangingImds: Listening;
    before(async () => {
      plain = await startServer({ users });
      tlsServer = await startServer({
        users,
        tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
      });
      http = await listenOnLoopback(createHttpServer((_req, res) => res.writeHead(400).end("Bad Request")));
      // An instance metadata address that swallows requests, as 169.254.169.254 does off EC2.
      hangingImds = await listenOnLoopback(createHttpServer(() => {}));
    });
    after(() => Promise.all([plain.close(), tlsServer.close(), http.close(), hangingImds.close()]));

    it("a port that speaks HTTP: PROTOCOL_ERROR saying so, not a 1.3 GB message length", async () => {
      const address = new URL(http.url).host;
      await rejectsWith(
        connectWith(transport, `mongodb://alice:alice-pw@${address}/`),
        "PROTOCOL_ERROR",
        new RegExp(`${address} speaks HTTP, not the MongoDB wire protocol`),
        /check the host and port/,
      );
    });

    it("tls=true to a port that answers in plaintext (HTTP): TLS_ERROR saying it does not speak TLS", async () => {
      const address = new URL(http.url).host;
      // Without and with a CA of one's own: Deno's TLS is Deno.connectTls in the one, its node:tls in the other.
      for (const ca of ["", `&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}`]) {
        await rejectsWith(
          connectWith(transport, `mongodb://alice:alice-pw@${address}/?tls=true${ca}`),
          "TLS_ERROR",
          new RegExp(
            `^${address} answered the TLS handshake with something other than TLS \\(.+\\): it does ` +
              "not speak TLS on that port: remove tls=true, or check the port$",
          ),
        );
      }
    });

    it("a port that answers with a TLS alert: TLS_ERROR saying to add tls=true", async () => {
      // A TLS 1.2 fatal alert (handshake_failure), what TLS servers send to a plaintext client.
      const alert = await rawServer(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
      try {
        await rejectsWith(
          connectWith(transport, `mongodb://alice:alice-pw@${alert.address}/`),
          "TLS_ERROR",
          new RegExp(`${alert.address} answered with TLS`),
          /add tls=true/,
        );
      } finally {
        await alert.close();
      }
    });

    it("a TLS server reached without tls=true: the error says to add tls=true", async () => {
      // Node's TLS server answers plaintext with an alert on some runtimes and hangs up on others.
      await assert.rejects(
        connectWith(transport, `mongodb://alice:alice-pw@${tlsServer.address}/`),
        (err) => {
          assert.ok(err instanceof MongoAuthError);
          assert.ok(["TLS_ERROR", "CONNECTION_CLOSED"].includes(err.code), err.message);
          assert.match(err.message, new RegExp(`${tlsServer.address} .*add tls=true`));
          return true;
        },
      );
    });

    it("a port that accepts and never answers: TIMEOUT saying the connection opened but hello got no answer", async () => {
      const silent = await rawServer("silent");
      try {
        await rejectsWith(
          connectWith(transport, `mongodb://alice:alice-pw@${silent.address}/?connectTimeoutMS=300`),
          "TIMEOUT",
          new RegExp(
            `^connecting to ${silent.address} timed out after 300 ms \\(connectTimeoutMS\\): the connection ` +
              "opened, but hello got no answer: check that the port is a MongoDB server's",
          ),
        );
      } finally {
        await silent.close();
      }
    });

    it("a server that hangs up before hello (mongod requiring TLS): CONNECTION_CLOSED saying to add tls=true", async () => {
      const hangsUp = await rawServer();
      try {
        await rejectsWith(
          connectWith(transport, `mongodb://alice:alice-pw@${hangsUp.address}/`),
          "CONNECTION_CLOSED",
          new RegExp(`${hangsUp.address} closed the connection before answering hello`),
          /if the server requires TLS, add tls=true/,
        );
      } finally {
        await hangsUp.close();
      }
    });

    it("tls=true to a server without TLS: TLS_ERROR saying it may not speak TLS, not a TIMEOUT", async () => {
      await rejectsWith(
        connectWith(
          transport,
          `mongodb://alice:alice-pw@${plain.address}/?tls=true&tlsCAFile=${
            encodeURIComponent(pki("ca.pem"))
          }`,
          { connectTimeoutMS: 60_000 },
        ),
        "TLS_ERROR",
        new RegExp(plain.address),
        /not speak TLS|remove tls=true/,
      );
    });

    it("Atlas's <db_password> left in the copied string: AUTHENTICATION_FAILED saying so", async () => {
      for (const userinfo of ["alice:<db_password>", "<username>:<password>", "<username>:alice-pw"]) {
        const which = userinfo.endsWith(">") ? "password" : "username";
        const message = await rejectsWith(
          connectWith(transport, `mongodb://${userinfo}@${plain.address}/`),
          "AUTHENTICATION_FAILED",
          new RegExp(
            `: the ${which} is written in angle brackets, as the placeholders of a copied connection string are ` +
              `\\(MongoDB Atlas's <db_password>\\): put the database user's ${which} in its place, brackets ` +
              "included \\(percent-encoded\\)$",
          ),
        );
        assert.ok(!message.includes("<password>") && !message.includes("alice-pw"), message);
      }
    });

    it("a connection string read from a file, its line break included: connects, with a warning", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${plain.address}/\n`);
      await conn.close();
      assert.deepEqual(conn.warnings, [
        "the connection string had white space (a line break, say) before or after it, which was ignored",
      ]);
    });

    it("a kept connection the server closed since: the next command says which server, and to connect again", async () => {
      const server = await startServer({ users });
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`);
      await server.close();
      await rejectsWith(
        conn.command("admin", { ping: 1 }),
        "CONNECTION_CLOSED",
        new RegExp(
          // A reset (the server's close met our write) is said with its code.
          `^${server.address} closed the connection(?: or it failed \\(E[A-Z]+\\))?: connect again \\(a server closes`,
        ),
      );
      await conn.close();
    });

    it("a wrong password: one message naming user, database and mechanism, and what to check", async () => {
      for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
        const message = await rejectsWith(
          connectWith(transport, `mongodb://alice:wrong-pw@${plain.address}/?authMechanism=${mechanism}`),
          "AUTHENTICATION_FAILED",
          /user "alice"/,
          /database "admin"/,
          new RegExp(`with ${mechanism}`),
          /check the password/,
          /authSource/,
        );
        assert.doesNotMatch(message, /authentication failed: Authentication failed/i);
        assert.ok(!message.includes("wrong-pw"));
      }
      // Negotiated: the mechanism named is the one the server chose.
      await rejectsWith(
        connectWith(transport, `mongodb://alice:wrong-pw@${plain.address}/`),
        "AUTHENTICATION_FAILED",
        /user "alice" on database "admin" with SCRAM-SHA-256/,
        /check the password/,
      );
      // The wrong database: hello listed no mechanisms for alice there, so the message says so.
      await rejectsWith(
        connectWith(transport, `mongodb://alice:alice-pw@${plain.address}/app`),
        "AUTHENTICATION_FAILED",
        /user "alice" on database "app" with SCRAM-SHA-1/,
        /the server has no user "alice" in "app"/,
        /check authSource/,
      );
    });

    it("a refused login on MongoDB Atlas: a database user from Database Access, in admin, not the Atlas account's", async () => {
      // An Atlas host name, dialled to the reference server.
      const atlas = {
        ...transport,
        openSocket: (o: Parameters<typeof transport.openSocket>[0]) =>
          transport.openSocket({ ...o, host: "127.0.0.1", port: plain.port }),
      };
      const host = "ac-abc123-shard-00-00.abcde.mongodb.net";
      const atlasUsers =
        /; on MongoDB Atlas, the user is a database user from Database Access in the Atlas UI \(the login of an Atlas account is not one\), and every such user is in admin \(authSource=admin\)$/;
      await rejectsWith(
        connectWith(atlas, `mongodb://alice:wrong-pw@${host}/`),
        "AUTHENTICATION_FAILED",
        /check the password/,
        atlasUsers,
      );
      await rejectsWith(
        connectWith(atlas, `mongodb://someone%40example.com:pw@${host}/`),
        "AUTHENTICATION_FAILED",
        /the server has no user "someone@example\.com" in "admin"/,
        atlasUsers,
      );
      const elsewhere = await rejectsWith(
        connectWith(transport, `mongodb://alice:wrong-pw@${plain.address}/`),
        "AUTHENTICATION_FAILED",
      );
      assert.doesNotMatch(elsewhere, /Atlas/);
    });

    it("a connection string without a user, to a server with authentication on: a command says the connection did not log in", async () => {
      const conn = await connectWith(transport, `mongodb://${plain.address}/`);
      try {
        await assert.rejects(conn.command("app", { find: "items" }), {
          code: "SERVER_ERROR",
          serverCode: 13,
          message:
            /requires authentication; this connection did not log in: put the user and password in the connection string/,
        });
      } finally {
        await conn.close();
      }
    });

    it("a user whose roles do not allow a command there: the command says the login worked, and which grant is missing", async () => {
      const conn = await connectWith(transport, `mongodb://reader:reader-pw@${plain.address}/`);
      try {
        assert.equal((await conn.command("app", { find: "items" })).ok, 1);
        await assert.rejects(conn.command("app", { insert: "items", documents: [{ a: 1 }] }), {
          code: "SERVER_ERROR",
          serverCode: 13,
          message:
            /^server error 13 \(Unauthorized\): not authorized on app to execute command .*; the user logged in, but no role of theirs allows this command on that database/,
        });
      } finally {
        await conn.close();
      }
    });

    it("an unresolvable host: the resolver's reason and the host in the message", async () => {
      await rejectsWith(
        connectWith(transport, "mongodb://alice:alice-pw@nosuchhost.invalid:27017/", {
          connectTimeoutMS: 60_000,
        }),
        "CONNECTION_FAILED",
        /cannot resolve host nosuchhost\.invalid \(.+\): check the host name/,
      );
    });

    it("nothing listening: connection refused, with what to check", async () => {
      const closed = await rawServer();
      await closed.close(); // the port is now free: nothing listens there
      await rejectsWith(
        connectWith(transport, `mongodb://alice:alice-pw@${closed.address}/`),
        "CONNECTION_FAILED",
        new RegExp(`${closed.address}: connection refused`),
        /check the host, the port/,
      );
    });

    it("several hosts that all fail: every host's reason in the message", async () => {
      const http2 = new URL(http.url).host;
      const refused = await rawServer();
      await refused.close();
      await rejectsWith(
        connectWith(transport, `mongodb://alice:alice-pw@${refused.address},${http2}/`),
        "CONNECTION_FAILED",
        /could not connect to any host/,
        /connection refused/,
        /speaks HTTP/,
      );
    });

    it("a replica set named by hosts only its own network reaches (Docker, from outside): says so; directConnection=true connects", async () => {
      const closed = await rawServer();
      await closed.close();
      const rs = await startReplicaSet({
        setName: "rs0",
        users,
        members: [{ name: "mongo1.invalid:27017" }, { name: () => closed.address }],
      });
      try {
        const seed = rs.members[0].address;
        const trace: TraceEvent[] = [];
        await rejectsWith(
          connectWith(transport, `mongodb://alice:alice-pw@${seed}/`, {
            connectTimeoutMS: 60_000,
            onEvent: (event) => trace.push(event),
          }),
          "SERVER_SELECTION_FAILED",
          new RegExp(`names its members mongo1\\.invalid:27017, ${closed.address} \\(its configuration`),
          new RegExp(`${seed} answered as mongo1\\.invalid:27017, the primary of replica set "rs0"`),
          /mongo1\.invalid:27017: cannot resolve host mongo1\.invalid \([^)]+\)[;.]/,
          new RegExp(`${closed.address}: connection refused`),
          new RegExp(`to use ${seed} alone, connect to it by itself with directConnection=true`),
        );
        const hello = trace.find((event) => event.type === "hello");
        assert.equal(hello?.type === "hello" && hello.attributes.me, "mongo1.invalid:27017");
        const checks = trace.flatMap((event) => event.type === "host.connecting" ? [event.attributes] : []);
        assert.deepEqual(checks.map(({ attempt, of }) => `${attempt} of ${of}`), [
          "1 of 1",
          "2 of 3",
          "3 of 3",
        ]);
        const direct = await connectWith(
          transport,
          `mongodb://alice:alice-pw@${seed}/?directConnection=true`,
        );
        await direct.close();
      } finally {
        await rs.close();
      }
    });

    it("mongod started with --replSet before rs.initiate() (a fresh container): says to run rs.initiate()", async () => {
      const fresh = await startListener({ users }, { role: uninitiatedMember() });
      try {
        for (const query of ["", "?replicaSet=rs0"]) {
          await rejectsWith(
            connectWith(transport, `mongodb://alice:alice-pw@${fresh.address}/${query}`),
            "SERVER_SELECTION_FAILED",
            new RegExp(
              `^${fresh.address} is a replica set member not yet in a set's configuration: mongod runs ` +
                "with --replSet, but rs\\.initiate\\(\\) has not run",
            ),
          );
        }
        // Alone, it answers as mongod does before rs.initiate(): logged in, but not primary.
        const direct = await connectWith(
          transport,
          `mongodb://alice:alice-pw@${fresh.address}/?directConnection=true`,
        );
        try {
          assert.equal(direct.role, "other");
          await assert.rejects(direct.command("app", { insert: "items", documents: [{}] }), {
            serverCode: 10107,
          });
          // The read goes with primaryPreferred, as to any member on a direct connection: not a secondary either.
          await assert.rejects(direct.command("app", { find: "items" }), { serverCode: 13436 });
        } finally {
          await direct.close();
        }
      } finally {
        await fresh.close();
      }
    });

    it("MONGODB-AWS with no credentials anywhere: names every source and why, without waiting out IMDS", async () => {
      const env = runtimeEnv({
        env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: hangingImds.url },
        homeDir: "/nonexistent-home",
        readTextFile: () => Promise.reject(new Error("no such file")),
        fetch: loopbackOnlyFetch,
      });
      await rejectsWith(
        connectWith(transport, `mongodb://${plain.address}/?authMechanism=MONGODB-AWS`, {
          env,
          connectTimeoutMS: 60_000,
        }),
        "CREDENTIAL_PROVIDER_ERROR",
        /no AWS credentials found/,
        /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set/,
        /no profile "default"/,
        /AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set/,
        /the ECS endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set/,
        /EC2 instance metadata: \S+\/latest\/api\/token did not answer within 1000 ms .*not running on EC2/,
        /Give the keys as username:password/,
      );
    });

    it("MONGODB-AWS when the environment is hidden: the reason is in the message", async () => {
      const env = runtimeEnv({
        env: {},
        envRestriction:
          "Deno refused to show the environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
        fetch: () => Promise.reject(new TypeError("Requires net access")),
      });
      await rejectsWith(
        connectWith(transport, `mongodb://${plain.address}/?authMechanism=MONGODB-AWS`, { env }),
        "CREDENTIAL_PROVIDER_ERROR",
        /no AWS credentials found\. Deno refused to show the environment variables AWS_ACCESS_KEY_ID, /,
        /EC2 instance metadata: http:\/\/169\.254\.169\.254\/latest\/api\/token is unreachable: Requires net access/,
      );
    });
  });
}

describe("first contact: entry points and their defaults", () => {
  it("each entry point refuses, with RUNTIME_UNSUPPORTED naming the right one, a runtime it does not serve", async () => {
    const uri = "mongodb://alice:alice-pw@127.0.0.1:1/";
    const workers = await import("../../src/transport/workers.ts");
    await rejectsWith(
      workers.connect(uri),
      "RUNTIME_UNSUPPORTED",
      /@mongo-auth\/core\/node or @mongo-auth\/core\/deno/,
    );
    if (runtime !== "deno") {
      const deno = await import("../../src/transport/deno.ts");
      await rejectsWith(deno.connect(uri), "RUNTIME_UNSUPPORTED", /import @mongo-auth\/core\/node/);
      assert.throws(() => deno.denoEnv(), { code: "RUNTIME_UNSUPPORTED" });
      assert.throws(() => deno.awsCredentialProvider(), { code: "RUNTIME_UNSUPPORTED" });
    }
  });

  it("one awsCredentialProvider: /node and /deno export it (reading the process), the root entry point does not", async () => {
    const root: Record<string, unknown> = await import("@mongo-auth/core");
    assert.equal(root.awsCredentialProvider, undefined);
    const node = await import("../../src/transport/node.ts");
    const deno = await import("../../src/transport/deno.ts");
    assert.equal(typeof node.awsCredentialProvider, "function");
    assert.equal(typeof deno.awsCredentialProvider, "function");
  });

  it("the /node entry point's awsCredentialProvider() reads the process environment", async () => {
    const { awsCredentialProvider: fromNode } = await import("../../src/transport/node.ts");
    process.env.AWS_ACCESS_KEY_ID = "AKIDFIRSTCONTACT";
    process.env.AWS_SECRET_ACCESS_KEY = "first-contact-secret";
    try {
      assert.equal((await fromNode()()).accessKeyId, "AKIDFIRSTCONTACT");
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it("Deno without --allow-env: the AWS error says the variables are invisible because of the permission", async () => {
    const [code, message] = await awsChainInDeno([], "deno", {});
    assert.equal(code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(message, /Deno refused to show the environment variables AWS_ACCESS_KEY_ID, /);
    assert.match(message, /\(no --allow-env for them\): run deno with --allow-env, or list them/);
    assert.match(message, /Requires net access/); // and IMDS was refused by Deno, never reached
  });

  for (const entry of ["deno", "node"] as const) {
    it(`Deno with --allow-env naming other variables, /${entry}: the AWS error names those Deno refused`, async () => {
      const [code, message] = await awsChainInDeno(["--allow-env=AWS_REGION"], entry, {
        AWS_REGION: "eu-west-1",
      });
      assert.equal(code, "CREDENTIAL_PROVIDER_ERROR");
      assert.match(message, /Deno refused to show the environment variables AWS_ACCESS_KEY_ID, /);
      assert.doesNotMatch(message, /AWS_REGION \(|AWS_REGION,|no environment variable is visible/);
    });

    it(`Deno in a terminal, /${entry}: the AWS chain asks before it reads a variable, so Deno never prompts`, async () => {
      // Deno prompts only on a terminal: the chain runs on one, with no answer to give, so a prompt would
      // hold it until it is killed.
      const [code, message] = await awsChainInDeno(["--deny-net"], entry, {}, { terminal: true });
      assert.equal(code, "CREDENTIAL_PROVIDER_ERROR", `${code}\n${message}`);
      assert.match(message, /Deno refused to show the environment variables AWS_ACCESS_KEY_ID, /);
    });
  }

  it("Deno with --allow-env naming the variables: the AWS chain reads those it is granted", async () => {
    const lines = await awsChainInDeno(["--allow-env=AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY"], "deno", {
      AWS_ACCESS_KEY_ID: "AKIDGRANTEDBYNAME",
      AWS_SECRET_ACCESS_KEY: "granted-by-name-secret",
    });
    assert.deepEqual(lines, ["found", "AKIDGRANTEDBYNAME"]);
  });
});

// Runs an entry point's AWS credential chain in Deno with these permission flags (never --allow-net) and these
// variables besides PATH and HOME: tests/support/deno-without-env.ts prints its lines. Deno never prompts:
// --no-prompt says so, or, on a terminal (`terminal`), where Deno would, nothing answers, and a prompt ends in
// the kill after 30 s with the lines showing what Deno asked for.
async function awsChainInDeno(
  flags: readonly string[],
  entry: "deno" | "node",
  variables: Record<string, string>,
  { terminal = false } = {},
): Promise<string[]> {
  const deno = denoExecutable();
  const script = join(repoRoot(), "tests", "support", "deno-without-env.ts");
  const env = { HOME: process.env.HOME ?? "", NO_COLOR: "1", ...variables };
  if (terminal) {
    const { stdout } = await runOnTerminal([deno, "run", "--allow-read", ...flags, script, entry], env);
    return stdout.replaceAll("\r", "").trim().split("\n");
  }
  const { stdout } = await promisify(execFile)(deno, [
    "run",
    "--allow-read",
    ...flags,
    "--no-prompt",
    script,
    entry,
  ], { cwd: repoRoot(), env: { PATH: process.env.PATH ?? "", ...env } });
  return stdout.trim().split("\n");
}
