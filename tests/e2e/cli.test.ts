// The real CLI as a user runs it, in this runtime: `deno run -A cli.ts`, `node dist/cli.js`, `bun cli.ts`.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import net from "node:net";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fixturePath, repoRoot } from "../../testing/paths.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { runCli as run, runCliOnTerminal, runCliWatching } from "../support/cli.ts";
import { ScriptedPerson } from "../../testing/oidc-provider/person.ts";
import { signInDeployment } from "../support/human-sign-in.ts";
import { runtime } from "../support/transports.ts";
import { settledWithin } from "../support/settled-within.ts";

const CLIENT_SUBJECT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";

/** The escape character that starts an ANSI colour. */
const ESC = String.fromCharCode(27);

describe(`mongo-auth whoami (${runtime})`, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      users: [{ db: "admin", user: "alice", password: "s3cret-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
  });
  after(() => server.close());

  it("prints who we are and exits 0", async () => {
    const { code, stdout } = await run(["whoami", `mongodb://alice:s3cret-pw@${server.address}/`]);
    assert.equal(code, 0);
    assert.match(stdout, /user\s+alice/);
    assert.match(stdout, /mechanism\s+SCRAM-SHA-256 \(speculative\)/);
    assert.match(stdout, /round trips\s+2/);
    assert.doesNotMatch(stdout, /s3cret-pw/);
  });

  it("without a connection string reads MONGODB_URI (the password out of the process list)", async () => {
    const uri = `mongodb://alice:s3cret-pw@${server.address}/`;
    const { code, stdout } = await run(["whoami"], { MONGODB_URI: uri });
    assert.equal(code, 0);
    assert.match(stdout, /user\s+alice/);
    assert.doesNotMatch(stdout, /s3cret-pw/);
    const unset = await run(["whoami"], {});
    assert.equal(unset.code, 2);
    assert.match(
      unset.stderr,
      /whoami needs a connection string: give it after whoami, or in the environment variable MONGODB_URI/,
    );
  });

  it("a user without a password: asks for it at the terminal, as mongosh does, and never echoes it", async () => {
    const uri = `mongodb://alice@${server.address}/`;
    // A typo erased with Backspace, then Enter.
    const typed = { waitFor: 'Enter password for "alice": ', keys: "s3cret-pwX\x7f\r" };
    const { code, stdout } = await runCliOnTerminal(["whoami", uri], { HOME: process.env.HOME ?? "" }, typed);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /user\s+alice/);
    assert.doesNotMatch(stdout, /s3cret/);
    const cancelled = await runCliOnTerminal(["whoami", uri], {}, {
      waitFor: "Enter password",
      keys: "\x03",
    });
    assert.equal(cancelled.code, 130, cancelled.stdout);
    // Piped, with no terminal to ask at: the library's own words.
    const piped = await run(["whoami", uri], {});
    assert.equal(piped.code, 1);
    assert.match(piped.stderr, /INVALID_CREDENTIAL: user "alice" has no password/);
    assert.match(
      piped.stderr,
      /a password left out is asked for only at a terminal, and standard input is not one/,
    );
  });

  it("mongosh's login options: the command MongoDB Atlas's Connect dialog gives runs with whoami in mongosh's place", async () => {
    const uri = `mongodb://${server.address}/`;
    const typed = { waitFor: 'Enter password for "alice": ', keys: "s3cret-pw\r" };
    const atlas = ["whoami", uri, "--apiVersion", "1", "--username", "alice"];
    const asked = await runCliOnTerminal(atlas, { HOME: process.env.HOME ?? "" }, typed);
    assert.equal(asked.code, 0, asked.stdout);
    assert.match(asked.stdout, /user\s+alice/);
    const login = ["-u", "alice", "-p", "s3cret-pw", "--authenticationDatabase", "admin"];
    const given = await run(["whoami", ...login, uri]);
    assert.equal(given.code, 0, given.stderr);
    assert.match(given.stdout, /user\s+alice/);
    // The mongo shell's idiom, with no connection string at all.
    const [host, port] = [server.address.slice(0, server.address.lastIndexOf(":")), String(server.port)];
    const idiom = await run(["whoami", "--host", host, "--port", port, ...login]);
    assert.equal(idiom.code, 0, idiom.stderr);
    assert.match(idiom.stdout, /user\s+alice/);
    const wrong = await run(["whoami", uri, "-u", "alice", "--password=not-it"]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /AUTHENTICATION_FAILED: the server refused user "alice" on database "admin"/);
    assert.doesNotMatch(
      asked.stdout + given.stdout + given.stderr + idiom.stdout + wrong.stderr,
      /s3cret-pw|not-it/,
    );
  });

  it("mongosh's TLS options: Atlas's X509 command and AWS DocumentDB's, the certificate and the CA given as options", async () => {
    const pki = (name: string) => fixturePath(`pki/${name}`);
    const tlsServer = await startServer({
      users: [
        { db: "$external", user: CLIENT_SUBJECT, mechanisms: ["MONGODB-X509"] },
        { db: "admin", user: "alice", password: "s3cret-pw", mechanisms: ["SCRAM-SHA-256"] },
      ],
      // As AWS DocumentDB, which asks no certificate of password users.
      tls: {
        cert: pki("server-cert.pem"),
        key: pki("server-key.pem"),
        ca: pki("ca.pem"),
        allowConnectionsWithoutCertificates: true,
      },
    });
    try {
      // The server's certificate names localhost.
      const uri = `mongodb://localhost:${tlsServer.port}/?authSource=%24external&authMechanism=MONGODB-X509`;
      const tls = ["--tls", "--tlsCertificateKeyFile", pki("client.pem"), "--tlsCAFile", pki("ca.pem")];
      const { code, stdout, stderr } = await run(["whoami", uri, "--apiVersion", "1", ...tls]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /mechanism\s+MONGODB-X509 \(speculative\)/);
      assert.match(stdout, /user\s+CN=client,OU=apps/);
      // AWS DocumentDB's connect command: an address without a scheme, TLS with a CA file, a password user.
      const docdb = await run([
        "whoami",
        `localhost:${tlsServer.port}`,
        "--tls",
        "--tlsCAFile",
        pki("ca.pem"),
        "--retryWrites=false",
        "--username",
        "alice",
        "--password",
        "s3cret-pw",
      ]);
      assert.equal(docdb.code, 0, docdb.stderr);
      assert.match(docdb.stdout, /user\s+alice/);
      assert.match(docdb.stdout, /mechanism\s+SCRAM-SHA-256/);
      const withoutCa = await run(["whoami", uri, ...tls.slice(0, 3)]);
      assert.equal(withoutCa.code, 1);
      assert.match(withoutCa.stderr, /TLS_ERROR/);
    } finally {
      await tlsServer.close();
    }
  });

  it("a server that logs in but refuses connectionStatus (Azure Cosmos DB's RU API): the login's user, and why", async () => {
    // mongod's failCommand stands in for Cosmos DB's refusal (115 CommandNotSupported).
    server.failPoints.configure({
      configureFailPoint: "failCommand",
      mode: { times: 1 },
      data: { failCommands: ["connectionStatus"], errorCode: 115 },
    });
    const { code, stdout } = await run(["whoami", `mongodb://alice:s3cret-pw@${server.address}/`]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^user\s+alice$/m);
    assert.match(stdout, /^db\s+admin$/m);
    assert.match(
      stdout,
      /^note\s+user and db are the login's: the server refused connectionStatus \(server error 115/m,
    );
  });

  it("exits 1 with a clear message and never echoes the password", async () => {
    const { code, stdout, stderr } = await run(["whoami", `mongodb://alice:wrong-pw-123@${server.address}/`]);
    assert.equal(code, 1);
    assert.match(stderr, /AUTHENTICATION_FAILED/);
    assert.doesNotMatch(stdout + stderr, /wrong-pw-123/);
  });

  it("refuses an appName over 128 bytes before connecting (mongod would refuse the handshake: 184)", async () => {
    const opened = server.stats.connectionsOpened;
    const { code, stderr } = await run([
      "whoami",
      `mongodb://alice:s3cret-pw@${server.address}/?appName=${"a".repeat(200)}`,
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /INVALID_OPTION: option appName must be at most 128 bytes/);
    assert.equal(server.stats.connectionsOpened, opened);
  });

  it("--explain prints the login's trace after who we are, with no secret and no colour when piped", async () => {
    const { code, stdout } = await run([
      "whoami",
      "--explain",
      `mongodb://alice:s3cret-pw@${server.address}/`,
    ]);
    assert.equal(code, 0);
    assert.match(stdout, /^user\s+alice$/m);
    assert.match(stdout, /^trace$/m);
    for (
      const type of [
        "connect.started",
        "socket.opened",
        "auth.source",
        "hello",
        "auth.mechanism",
        "sasl.step",
        "auth.succeeded",
        "connect.succeeded",
      ]
    ) {
      assert.match(stdout, new RegExp(`^ +\\+\\d+ ms  ${type.replace(".", "\\.")} `, "m"), type);
    }
    assert.match(
      stdout,
      /hello +127\.0\.0\.1:\d+: MongoDB 7\.0 \(wire 21\), standalone; mechanisms of admin\.alice: SCRAM-SHA-256/,
    );
    assert.doesNotMatch(stdout, /s3cret-pw/);
    assert.ok(!stdout.includes(ESC), "no colour when piped");
  });

  it("--explain colours only on a terminal, and never when NO_COLOR is set", async () => {
    const args = ["whoami", "--explain", `mongodb://alice:s3cret-pw@${server.address}/`];
    const env = { HOME: process.env.HOME ?? "" };
    const coloured = (text: string) => text.includes(`${ESC}[`);
    const terminal = await runCliOnTerminal(args, env);
    assert.equal(terminal.code, 0, terminal.stdout);
    assert.match(terminal.stdout, /auth\.succeeded/);
    assert.ok(coloured(terminal.stdout), "colour on a terminal");
    const noColor = await runCliOnTerminal(args, { ...env, NO_COLOR: "1" });
    assert.equal(noColor.code, 0, noColor.stdout);
    assert.match(noColor.stdout, /auth\.succeeded/);
    assert.ok(!coloured(noColor.stdout), "no colour on a terminal with NO_COLOR set");
    const piped = await run(args, env);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /auth\.succeeded/);
    assert.ok(!coloured(piped.stdout), "no colour when piped, NO_COLOR or not");
  });

  it("--json prints one document for machines: the error, the trace, the hints", async () => {
    const { code, stdout, stderr } = await run([
      "whoami",
      "--json",
      `mongodb://alice:s3cret-pw@${server.address}/app`,
    ]);
    assert.equal(code, 1);
    assert.equal(stderr, "");
    const doc = JSON.parse(stdout);
    assert.equal(doc.error.code, "AUTHENTICATION_FAILED");
    assert.equal(doc.trace[0].type, "connect.started");
    assert.equal(doc.hints[0].id, "auth-source");
    assert.doesNotMatch(stdout, /s3cret-pw/);
  });

  it("--apiVersion 1 logs in where the deployment requires the Stable API; without it, says to add it", async () => {
    const strict = await startServer({
      users: [{ db: "admin", user: "alice", password: "s3cret-pw", mechanisms: ["SCRAM-SHA-256"] }],
      requireApiVersion: true,
    });
    try {
      const uri = `mongodb://alice:s3cret-pw@${strict.address}/`;
      const declared = await run(["whoami", "--explain", "--apiVersion", "1", uri]);
      assert.equal(declared.code, 0, declared.stderr);
      assert.match(declared.stdout, /^user\s+alice$/m);
      assert.match(declared.stdout, /hello .*; Stable API 1 \(/);
      const without = await run(["whoami", uri]);
      assert.equal(without.code, 1);
      assert.match(without.stderr, /server error 498870 .*--apiVersion 1/);
      assert.doesNotMatch(declared.stdout + declared.stderr + without.stderr, /s3cret-pw/);
    } finally {
      await strict.close();
    }
  });

  it("exits 2 with usage for a bad invocation, naming what it did not understand", async () => {
    const { code, stderr } = await run(["whoareyou"]);
    assert.equal(code, 2);
    assert.match(stderr, /^mongo-auth: unknown command "whoareyou"\nusage: mongo-auth whoami/);
  });

  it("--help and --version print on stdout and exit 0", async () => {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: mongo-auth whoami/);
    assert.equal(help.stderr, "");
    const version = await run(["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^mongo-auth \d+\.\d+\.\d+\n$/);
  });
});

// A port on which no TCP handshake completes, as behind a firewall that drops SYNs: a listener that never
// accepts (tests/support/unaccepting-listener.mjs, run by Node.js), whose accept queue the fillers fill,
// after which the kernel answers no SYN.
async function unansweredPort(): Promise<{ port: number; close(): void }> {
  const node = runtime === "node" ? process.execPath : "node";
  const listener = spawn(node, [join(repoRoot(), "tests", "support", "unaccepting-listener.mjs")]);
  const portLine = new Promise<number>((resolve, reject) => {
    listener.stdout.once("data", (line) => resolve(Number(String(line).trim())));
    listener.once("error", reject);
    listener.once("exit", (code) => reject(new Error(`the listener exited (${code})`)));
  });
  // Bounded, and killed when it never says its port (a child parked before listening once stalled CI).
  const port = await settledWithin(10_000, "the unaccepting listener's start", portLine).catch((err) => {
    listener.kill("SIGKILL");
    throw err;
  });
  const fillers: net.Socket[] = [];
  const connected = (socket: net.Socket) =>
    new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true));
      socket.once("error", () => resolve(false));
      setTimeout(() => resolve(false), 300);
    });
  let unanswered = false;
  for (let i = 0; i < 8 && !unanswered; i++) {
    const socket = net.connect(port, "127.0.0.1");
    fillers.push(socket);
    unanswered = !(await connected(socket));
  }
  assert.ok(unanswered, "the kernel still answers SYNs after eight fillers");
  return {
    port,
    close() {
      for (const socket of fillers) socket.destroy();
      listener.kill("SIGKILL");
    },
  };
}

describe(`mongo-auth whoami signs a person in with MONGODB-OIDC, as mongosh does (${runtime})`, () => {
  const deployment = signInDeployment();

  // Runs whoami with `args`; once stderr shows `shown`, the person does `act` with what it matched.
  async function whoamiSigningIn(
    args: string[],
    shown: RegExp,
    act: (match: RegExpExecArray) => Promise<unknown>,
  ) {
    let acting: Promise<unknown> | undefined;
    const run = await runCliWatching(["whoami", deployment.uri, ...args], {}, (stderr) => {
      const match = shown.exec(stderr);
      if (match && !acting) acting = act(match);
    });
    assert.ok(acting, `it printed ${shown}`);
    await acting;
    return run;
  }

  it("the code flow: piped, it prints the page to open; the person signs in there and whoami is theirs", async () => {
    const person = new ScriptedPerson("alice");
    const { code, stdout, stderr } = await whoamiSigningIn(
      ["--oidcRedirectUri", "http://127.0.0.1:0/redirect"],
      /open this page in a browser:\s+(\S+)/,
      ([, page]) => person.signIn(page),
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /user\s+alice/);
    assert.match(stdout, /db\s+\$external/);
    assert.match(stdout, /mechanism\s+MONGODB-OIDC/);
  });

  it("--oidcFlows device-auth: it prints the code to enter on any device", async () => {
    const person = new ScriptedPerson("alice");
    const { code, stdout, stderr } = await whoamiSigningIn(
      ["--oidcFlows", "device-auth"],
      /open (\S+) on any device and enter the code\s+(\S+)/,
      ([, page, userCode]) => person.approveDevice(`${page}?user_code=${userCode}`),
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /user\s+alice/);
  });
});

describe(`mongo-auth whoami against a host that never completes the TCP handshake (${runtime})`, () => {
  it("exits 1 with TIMEOUT at connectTimeoutMS: nothing of the abandoned connect keeps the process alive", async () => {
    const unanswered = await unansweredPort();
    try {
      const { code, stderr } = await run([
        "whoami",
        `mongodb://alice:s3cret-pw@127.0.0.1:${unanswered.port}/?connectTimeoutMS=500&serverSelectionTimeoutMS=2000`,
      ]);
      assert.match(
        stderr,
        /TIMEOUT: connecting to 127\.0\.0\.1:\d+ timed out after 500 ms \(connectTimeoutMS\): the TCP connection did not open, as when a firewall drops it/,
      );
      // The kernel gives up on a SYN after about two minutes; run() kills the CLI after 30 s (code null).
      assert.equal(code, 1, "the CLI exited by itself");
    } finally {
      unanswered.close();
    }
  });
});
