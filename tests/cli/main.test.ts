import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Connection,
  type ConnectOptions,
  MongoAuthError,
  parseCredential,
  type TraceEvent,
} from "@mongo-auth/core";
import { cliMain } from "../../src/cli/main.ts";
import type { HumanCallbackOptions } from "../../src/mechanisms/oidc/human/human-callback.ts";
import type { AuthMechanismProperties, OidcCallback } from "@mongo-auth/core";
import { VERSION } from "../../src/core/version.ts";
import { attachTrace, TraceRecorder } from "../../src/core/trace.ts";

const USAGE = "usage: mongo-auth whoami [--explain] [--json] [<connection-string>]";

/** The escape character that starts an ANSI colour. */
const ESC = String.fromCharCode(27);

function io(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const getEnv = (name: string): string | undefined => env[name];
  return { io: { args, out: (l: string) => out.push(l), err: (l: string) => err.push(l), getEnv }, out, err };
}

describe("mongo-auth whoami", () => {
  it("prints usage and exits 2 without arguments, or without a connection string", async () => {
    const bare = io([]);
    assert.equal(await cliMain(bare.io, () => assert.fail("must not connect")), 2);
    assert.deepEqual(bare.err, ["usage: mongo-auth whoami [--explain] [--json] [<connection-string>]"]);
    const t = io(["whoami"]);
    assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2);
    assert.equal(
      t.err[0],
      "mongo-auth: whoami needs a connection string: give it after whoami, or in the environment variable MONGODB_URI",
    );
    assert.match(t.err[1], /usage: mongo-auth whoami/);
  });

  it("without a connection string takes MONGODB_URI's, which keeps the password out of argv; one given wins", async () => {
    const env = { MONGODB_URI: "mongodb://alice:s3cret@127.0.0.1/" };
    const asked: string[] = [];
    const connect = (uri: string) => (asked.push(uri), Promise.resolve(fakeConnection([], () => {})));
    const fromEnv = io(["whoami"], env);
    assert.equal(await cliMain(fromEnv.io, connect), 0);
    assert.match(fromEnv.out.join("\n"), /user\s+alice/);
    const given = io(["whoami", "mongodb://bob:pw@127.0.0.1/"], env);
    assert.equal(await cliMain(given.io, connect), 0);
    assert.deepEqual(asked, ["mongodb://alice:s3cret@127.0.0.1/", "mongodb://bob:pw@127.0.0.1/"]);
  });

  it("asks for the password of a user given without one (SCRAM, PLAIN), and hands it to connect() as an option", async () => {
    const asked: string[] = [];
    const passwords: unknown[] = [];
    const connect = (_uri: string, options?: ConnectOptions) => (
      passwords.push(options?.password), Promise.resolve(fakeConnection([], () => {}))
    );
    const withTerminal = (args: string[], answer: string | null | undefined) => {
      const t = io(args);
      return {
        ...t,
        io: { ...t.io, readSecret: (prompt: string) => (asked.push(prompt), Promise.resolve(answer)) },
      };
    };
    assert.equal(await cliMain(withTerminal(["whoami", "mongodb://alice@127.0.0.1/"], "pw").io, connect), 0);
    assert.deepEqual(asked, ['Enter password for "alice": ']);
    assert.deepEqual(passwords, ["pw"]);
    // authMechanism=DEFAULT negotiates, as no authMechanism does.
    const negotiated = withTerminal(["whoami", "mongodb://bob@127.0.0.1/?authMechanism=DEFAULT"], "pw");
    assert.equal(await cliMain(negotiated.io, connect), 0);
    assert.deepEqual(asked, ['Enter password for "alice": ', 'Enter password for "bob": ']);
    // Not asked: a password given, a mechanism that takes none, no user.
    for (
      const uri of [
        "mongodb://alice:given@127.0.0.1/",
        "mongodb://CN%3Dx@127.0.0.1/?authMechanism=MONGODB-X509",
        "mongodb://127.0.0.1/",
      ]
    ) {
      assert.equal(await cliMain(withTerminal(["whoami", uri], "pw").io, connect), 0, uri);
    }
    assert.equal(asked.length, 2, "nobody asked for the three above");
    // No terminal to ask at: connect() as it is, whose error says what is missing.
    assert.equal(
      await cliMain(withTerminal(["whoami", "mongodb://alice@127.0.0.1/"], undefined).io, connect),
      0,
    );
    assert.equal(passwords.at(-1), undefined);
  });

  it("a password prompt nobody answers ends at its timeout (5 minutes by default): exit 1, saying so", async () => {
    const t = io(["whoami", "mongodb://alice@127.0.0.1/"]);
    const waiting = {
      ...t.io,
      promptTimeoutMs: 20,
      readSecret: (_prompt: string, signal: AbortSignal) =>
        new Promise<null>((resolve) => {
          // A terminal being read keeps the process alive while it waits (AbortSignal.timeout does not, on
          // Node.js): this interval stands in for it.
          const waiting = setInterval(() => {}, 1000);
          signal.addEventListener("abort", () => (clearInterval(waiting), resolve(null)));
        }),
    };
    assert.equal(await cliMain(waiting, () => assert.fail("must not connect")), 1);
    assert.deepEqual(t.err, ["mongo-auth: no password was typed within 0.02 s"]);
  });

  it("Ctrl-C at the password prompt exits 130, as a shell reports it, without connecting", async () => {
    const t = io(["whoami", "mongodb://alice@127.0.0.1/?authMechanism=PLAIN"]);
    const cancelling = { ...t.io, readSecret: () => Promise.resolve(null) };
    assert.equal(await cliMain(cancelling, () => assert.fail("must not connect")), 130);
  });

  it("an empty MONGODB_URI is a usage error (exit 2) that says so", async () => {
    for (const value of ["", "  "]) {
      const t = io(["whoami"], { MONGODB_URI: value });
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2);
      assert.equal(
        t.err[0],
        "mongo-auth: the environment variable MONGODB_URI is empty: set it to the connection string",
      );
    }
  });

  it("prints the user, db, mechanism, member, round trips and time from connectionStatus", async () => {
    const t = io(["whoami", "mongodb://alice:s3cret@127.0.0.1/"]);
    let closed = false;
    const conn = fakeConnection([], () => (closed = true));
    assert.equal(await cliMain(t.io, () => Promise.resolve(conn)), 0);
    const text = t.out.join("\n");
    assert.match(text, /user\s+alice/);
    assert.match(text, /db\s+admin/);
    assert.match(text, /mechanism\s+SCRAM-SHA-256 \(speculative\)/);
    assert.match(text, /host\s+127\.0\.0\.1:27017 \(primary of replica set rs0\)/);
    assert.match(text, /round trips\s+2/);
    assert.match(text, /time\s+3\.3 ms/);
    assert.doesNotMatch(text, /s3cret/);
    assert.ok(closed);
  });

  it("exits 1 with the error's code and message, never the password", async () => {
    const t = io(["whoami", "mongodb://alice:s3cret@127.0.0.1/"]);
    const code = await cliMain(
      t.io,
      () =>
        Promise.reject(
          new MongoAuthError("AUTHENTICATION_FAILED", "authentication failed: Authentication failed."),
        ),
    );
    assert.equal(code, 1);
    assert.match(t.err[0], /AUTHENTICATION_FAILED/);
    assert.doesNotMatch(t.err.join("\n"), /s3cret/);
  });

  it("shows connect()'s warnings on stderr, even when connecting then fails", async () => {
    const t = io(["whoami", "mongodb://alice:s3cret@127.0.0.1/?authSorce=admin"]);
    const code = await cliMain(t.io, (_uri, options) => {
      options?.onWarning?.('the option "authSorce" ... (did you mean authSource?)');
      return Promise.reject(new MongoAuthError("AUTHENTICATION_FAILED", "authentication failed"));
    });
    assert.equal(code, 1);
    assert.match(t.err[0], /^mongo-auth: warning: .*did you mean authSource\?/);
    assert.match(t.err[1], /AUTHENTICATION_FAILED/);
  });

  it("exits 2 naming what it did not understand, then the usage: a command, a flag, a second connection string", async () => {
    const cases: [string[], RegExp][] = [
      [["frob", "mongodb://h/"], /^mongo-auth: unknown command "frob"$/],
      [["whoami", "--verbose", "mongodb://h/"], /^mongo-auth: unknown option --verbose$/],
      [["whoami", "-x", "mongodb://h/"], /^mongo-auth: unknown option -x$/],
      [["whoami", "mongodb://a/", "mongodb://b/"], /^mongo-auth: whoami takes one connection string, not 2$/],
    ];
    for (const [args, reason] of cases) {
      const t = io(args);
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2, args.join(" "));
      assert.match(t.err[0], reason);
      assert.match(t.err[1], /usage: mongo-auth whoami \[--explain\] \[--json\] \[<connection-string>\]/);
    }
  });

  it("takes mongosh's login options (Atlas's Connect dialog's command), which win over the string's, and asks for a password -p leaves out", async () => {
    const given: (ConnectOptions | undefined)[] = [];
    const asked: string[] = [];
    const connect = (_uri: string, options?: ConnectOptions) => (
      given.push(options), Promise.resolve(fakeConnection([], () => {}))
    );
    const atTerminal = (args: string[]) => {
      const t = io(args);
      return { ...t.io, readSecret: (prompt: string) => (asked.push(prompt), Promise.resolve("typed-pw")) };
    };
    const atlas = "mongodb+srv://cluster0.example.mongodb.net/";
    assert.equal(
      await cliMain(atTerminal(["whoami", atlas, "--apiVersion", "1", "--username", "alice"]), connect),
      0,
    );
    assert.deepEqual(asked, ['Enter password for "alice": ']);
    assert.equal(given[0]?.username, "alice");
    assert.equal(given[0]?.password, "typed-pw");
    assert.deepEqual(given[0]?.serverApi, { version: "1" });
    // -p alone asks too; -p with the password does not; --username wins over the string's user.
    assert.equal(
      await cliMain(atTerminal(["whoami", "mongodb://bob:old@h/", "-u", "carol", "-p"]), connect),
      0,
    );
    assert.deepEqual(asked.at(-1), 'Enter password for "carol": ');
    assert.equal(
      await cliMain(atTerminal(["whoami", "mongodb://h/", "-u", "dave", "-p", "given"]), connect),
      0,
    );
    assert.equal(asked.length, 2, "a password given is not asked for");
    assert.equal(given[2]?.password, "given");
    // A password in the string stands unless -p names another; X509's user takes none.
    assert.equal(
      await cliMain(atTerminal(["whoami", "mongodb://erin:in-string@h/", "-u", "erin"]), connect),
      0,
    );
    const x509 = [
      "whoami",
      "mongodb://h/",
      "--authenticationMechanism",
      "MONGODB-X509",
      "-u",
      "CN=x",
      "--tls",
    ];
    assert.equal(await cliMain(atTerminal(x509), connect), 0);
    assert.equal(asked.length, 2);
    assert.deepEqual(given[4], {
      ...given[4],
      authMechanism: "MONGODB-X509",
      username: "CN=x",
      tls: true,
    });
  });

  it("MONGODB-OIDC with no ENVIRONMENT and no callback: the runtime's sign-in signs the person in, as mongosh does", async () => {
    const signIns: HumanCallbackOptions[] = [];
    const given: (ConnectOptions | undefined)[] = [];
    const connect = (_uri: string, options?: ConnectOptions) => (
      given.push(options), Promise.resolve(fakeConnection([], () => {}))
    );
    const callback: OidcCallback = () => Promise.reject(new Error("not called here"));
    const withSignIn = (args: string[]) => {
      const t = io(args);
      return {
        ...t,
        io: { ...t.io, signIn: (options: HumanCallbackOptions) => (signIns.push(options), callback) },
      };
    };
    const atlas =
      "mongodb+srv://cluster0.example.mongodb.net/?authSource=%24external&authMechanism=MONGODB-OIDC";
    const run = withSignIn(["whoami", atlas, "--apiVersion", "1"]);
    assert.equal(await cliMain(run.io, connect), 0);
    assert.equal(signIns.length, 1);
    assert.equal(signIns[0].flow, undefined, "the code flow, the library's default");
    signIns[0].print!("To sign in to MongoDB, open this page in a browser: …");
    assert.deepEqual(run.err, ["To sign in to MongoDB, open this page in a browser: …"], "on stderr");
    const properties = given[0]?.authMechanismProperties as AuthMechanismProperties;
    assert.equal(properties.OIDC_HUMAN_CALLBACK, callback);
    assert.equal(properties.ALLOWED_HOSTS, undefined, "the default hosts: Atlas's and loopback");
    // mongosh's --oidcFlows, --oidcRedirectUri and --oidcTrustedEndpoint; the mechanism may come as an option.
    const own = [
      "whoami",
      "mongodb+srv://db.corp.example/?authSource=%24external",
      "--authenticationMechanism",
      "MONGODB-OIDC",
      "--oidcFlows=device-auth,auth-code",
      "--oidcRedirectUri",
      "http://localhost:27097/redirect",
      "--oidcTrustedEndpoint",
    ];
    assert.equal(await cliMain(withSignIn(own).io, connect), 0);
    assert.deepEqual({ ...signIns[1], print: undefined }, {
      flow: "device",
      redirectUri: "http://localhost:27097/redirect",
      print: undefined,
    });
    assert.deepEqual((given[1]?.authMechanismProperties as AuthMechanismProperties).ALLOWED_HOSTS, [
      "*.corp.example",
    ]);
    // Not a person's login: a machine's ENVIRONMENT, another mechanism, no sign-in to use.
    for (
      const uri of [
        "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:api",
        "mongodb://alice:pw@h/",
      ]
    ) {
      assert.equal(await cliMain(withSignIn(["whoami", uri]).io, connect), 0, uri);
      assert.equal(signIns.length, 2, uri);
      assert.equal(
        (given.at(-1)?.authMechanismProperties as AuthMechanismProperties)?.OIDC_HUMAN_CALLBACK,
        undefined,
      );
    }
    assert.equal(await cliMain(io(["whoami", atlas]).io, connect), 0);
    assert.equal(
      given.at(-1)?.authMechanismProperties,
      undefined,
      "without a runtime's sign-in, connect() says what is missing",
    );
  });

  it("--host and --port, as the mongo shell's scripts give them, in place of a connection string and MONGODB_URI", async () => {
    const asked: string[] = [];
    const given: [string, ConnectOptions | undefined][] = [];
    const connect = (uri: string, options?: ConnectOptions) => (
      given.push([uri, options]), Promise.resolve(fakeConnection([], () => {}))
    );
    const t = io(
      [
        "whoami",
        "--host",
        "rs0/db1.example.net,db2.example.net",
        "-u",
        "alice",
        "-p",
        "--authenticationDatabase",
        "admin",
      ],
      { MONGODB_URI: "mongodb://other/" },
    );
    const terminal = {
      ...t.io,
      readSecret: (prompt: string) => (asked.push(prompt), Promise.resolve("typed")),
    };
    assert.equal(await cliMain(terminal, connect), 0, t.err.join("\n"));
    assert.deepEqual(asked, ['Enter password for "alice": ']);
    assert.equal(given[0][0], "mongodb://db1.example.net:27017,db2.example.net:27017/?replicaSet=rs0");
    assert.equal(given[0][1]?.authSource, "admin");
    assert.equal(given[0][1]?.password, "typed");
  });

  it("a login option without its value is a usage error that never repeats a value, nor does a host given twice", async () => {
    const cases: [string[], RegExp][] = [
      [["whoami", "mongodb://h/", "--username"], /^mongo-auth: --username needs a value$/],
      [
        ["whoami", "mongodb://h/", "-p", "s3cret", "-p", "s3cret"],
        /^mongo-auth: -p is given twice: give it once$/,
      ],
      [["whoami", "mongodb://h/", "--tls=s3cret"], /^mongo-auth: --tls is on or off/],
      [
        ["whoami", "mongodb://alice:s3cret@h/", "--host", "h"],
        /^mongo-auth: give the host in the connection string or with --host and --port, not both$/,
      ],
      [["whoami", "--port", "s3cret"], /^mongo-auth: --port takes a port number$/],
      // What stands in the command's place and is no word, or stands after an option, is never repeated.
      [
        ["s3cret!", "mongodb://h/"],
        /^mongo-auth: unknown command \(not shown: it is no command's name\): the command is whoami$/,
      ],
      [
        ["--tls", "s3cret", "whoami"],
        /^mongo-auth: the command comes first: mongo-auth whoami <connection-string>$/,
      ],
      [
        ["whoami", "-p", "whoami", "-S3cret"],
        /^mongo-auth: an argument that starts with "-" is no option \(not shown/,
      ],
      // A value typed against its option (mysql's -pPASSWORD) is never shown.
      [
        ["whoami", "mongodb://h/", "-ps3cret"],
        /^mongo-auth: unknown option -p… \(not shown: it holds a secret\): give the value after a space, or -p=…$/,
      ],
      [["whoami", "mongodb://h/", "--passwords3cret"], /^mongo-auth: unknown option --password… \(not shown/],
      // A password that starts with "-" is the password, never an unknown option named in the message.
      [["whoami", "-p", "-s3cret", "mongodb://h/", "--frob"], /^mongo-auth: unknown option --frob$/],
    ];
    for (const [args, reason] of cases) {
      const t = io(args);
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2, args.join(" "));
      assert.match(t.err[0], reason);
      assert.doesNotMatch(t.err.join("\n"), /s3cret/);
    }
  });

  it("a login option without its value says so wherever it stands, with or without a connection string", async () => {
    const cases: [string[], string][] = [
      [["whoami", "--username"], "--username needs a value"],
      [["whoami", "-u"], "-u needs a value"],
      [["whoami", "--tlsCAFile"], "--tlsCAFile needs a value"],
      [["whoami", "mongodb://h/", "-u"], "-u needs a value"],
      [["whoami", "-u", "mongodb://alice:s3cret@h/"], "-u needs a value"],
    ];
    for (const [args, problem] of cases) {
      const t = io(args);
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2, args.join(" "));
      assert.deepEqual(t.err, [`mongo-auth: ${problem}`, USAGE], args.join(" "));
    }
  });

  it("a password left out, with standard input no terminal: says what whoami does, not the library's note for programs", async () => {
    // connect() as the library checks the credential: its words, whatever they are now.
    const connect = (uri: string, options?: ConnectOptions) => {
      parseCredential(uri, { username: options?.username, password: options?.password });
      return Promise.reject(new Error("a password was expected to be missing"));
    };
    for (
      const args of [["whoami", "127.0.0.1:27117", "-u", "alice"], [
        "whoami",
        "mongodb://alice@127.0.0.1:27117/",
      ]]
    ) {
      const t = io(args); // no readSecret: nothing to ask at
      assert.equal(await cliMain(t.io, connect), 1, args.join(" "));
      assert.match(
        t.err[0],
        /^mongo-auth: INVALID_CREDENTIAL: user "alice" has no password: .* needs a password: /,
      );
      assert.doesNotMatch(t.err.join("\n"), /mongosh asks|a program cannot/);
      assert.equal(
        t.err[1],
        "mongo-auth: a password left out is asked for only at a terminal, and standard input is not one here: run " +
          "whoami at a terminal to be asked, or give the password with -p <password> (the process list shows it), " +
          "in the connection string, or in the string in MONGODB_URI",
      );
    }
  });

  it("never echoes a connection string it did not understand: a missing command, an option's value", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["mongodb://alice:s3cret@h/"],
        /^mongo-auth: the command comes first: mongo-auth whoami <connection-string>$/,
      ],
      [["mongodb+srv://alice:s3cret@c.example.net/", "whoami"], /^mongo-auth: the command comes first/],
      [["whoami", "--uri=mongodb://alice:s3cret@h/"], /^mongo-auth: unknown option --uri$/],
    ];
    for (const [args, reason] of cases) {
      const t = io(args);
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2, args.join(" "));
      assert.match(t.err[0], reason);
      assert.doesNotMatch(t.err.join("\n"), /s3cret/);
    }
  });

  it("--apiVersion 1 (or --apiVersion=1, anywhere) declares the Stable API version; without it, none", async () => {
    const given: (ConnectOptions | undefined)[] = [];
    const connect = (
      _uri: string,
      options?: ConnectOptions,
    ) => (given.push(options), Promise.resolve(fakeConnection([])));
    for (
      const args of [
        ["whoami", "--apiVersion", "1", "mongodb://h/"],
        ["--apiVersion=1", "whoami", "mongodb://h/"],
        ["whoami", "mongodb://h/", "--apiVersion", "1"],
        ["whoami", "mongodb://h/"],
      ]
    ) {
      assert.equal(await cliMain(io(args).io, connect), 0, args.join(" "));
    }
    assert.deepEqual(given.map((options) => options?.serverApi), [
      { version: "1" },
      { version: "1" },
      { version: "1" },
      undefined,
    ]);
  });

  it("exits 2 for --apiVersion without a version or with another, never echoing what stood there", async () => {
    const cases: [string[], string][] = [
      [
        ["whoami", "mongodb://h/", "--apiVersion"],
        "mongo-auth: --apiVersion needs a version: --apiVersion 1",
      ],
      [
        ["whoami", "--apiVersion", "--json", "mongodb://h/"],
        "mongo-auth: --apiVersion needs a version: --apiVersion 1",
      ],
      [
        ["whoami", "--apiVersion=2", "mongodb://h/"],
        "mongo-auth: --apiVersion takes 1, the Stable API version there is",
      ],
      [
        ["whoami", "mongodb://h/", "--apiVersion", "mongodb://alice:s3cret@h/"],
        "mongo-auth: --apiVersion needs a version: --apiVersion 1",
      ],
    ];
    for (const [args, reason] of cases) {
      const t = io(args);
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2, args.join(" "));
      assert.equal(t.err[0], reason);
      assert.doesNotMatch(t.err.join("\n"), /s3cret/);
    }
  });

  it("--help (-h, help) prints the usage on stdout and exits 0; --version prints the version", async () => {
    for (const args of [["--help"], ["-h"], ["help"], ["whoami", "--help"]]) {
      const t = io(args);
      assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 0, args.join(" "));
      assert.match(t.out[0], /^usage: mongo-auth whoami \[--explain\] \[--json\] \[<connection-string>\]$/);
      assert.ok(t.out.some((line) => /--explain/.test(line) && /trace/.test(line)), t.out.join("\n"));
      assert.deepEqual(t.err, []);
    }
    const t = io(["--version"]);
    assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 0);
    assert.deepEqual(t.out, [`mongo-auth ${VERSION}`]);
  });

  it("--explain asks connect() for evidence, and prints the trace and the hints after the error", async () => {
    const t = io(["whoami", "--explain", "mongodb://bob:s3cret@127.0.0.1/app?authSource=admin"]);
    let explain: boolean | undefined;
    const code = await cliMain(t.io, (_uri, options) => {
      explain = options?.explain;
      return Promise.reject(refusedWithTrace());
    });
    assert.equal(code, 1);
    assert.equal(explain, true);
    assert.match(t.err[0], /^mongo-auth: AUTHENTICATION_FAILED: /);
    const text = t.out.join("\n");
    assert.match(text, /^\ntrace\n/);
    assert.ok(text.includes('+0 ms  auth.started  user "bob" on "admin", mechanism to negotiate'), text);
    assert.match(
      text,
      /hint: The user "bob" was looked up in "admin", but the connection string's database is "app"/,
    );
    assert.ok(text.includes("  because  auth.source"), text);
    assert.doesNotMatch(text + t.err.join(""), /s3cret/);
    assert.ok(!text.includes(ESC), "no colour unless asked");
  });

  it("colours the explanation only when asked (a terminal without NO_COLOR)", async () => {
    const t = io(["whoami", "--explain", "mongodb://bob:s3cret@127.0.0.1/app"]);
    await cliMain({ ...t.io, color: true }, () => Promise.reject(refusedWithTrace()));
    assert.ok(t.out.join("\n").includes(`${ESC}[33mhint:${ESC}[0m`));
  });

  it("without --explain, says that hints exist and how to see them", async () => {
    const t = io(["whoami", "mongodb://bob:s3cret@127.0.0.1/app"]);
    await cliMain(t.io, () => Promise.reject(refusedWithTrace()));
    assert.deepEqual(t.out, []);
    assert.match(t.err[1], /run with --explain/);
  });

  it("--json prints one document: the error, the trace and the hints, for machines", async () => {
    const t = io(["whoami", "--json", "mongodb://bob:s3cret@127.0.0.1/app"]);
    assert.equal(await cliMain({ ...t.io, color: true }, () => Promise.reject(refusedWithTrace())), 1);
    const doc = JSON.parse(t.out.join("\n"));
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, "AUTHENTICATION_FAILED");
    assert.deepEqual(doc.trace.map((e: TraceEvent) => e.type), [
      "auth.started",
      "auth.source",
      "hello",
      "auth.failed",
    ]);
    assert.equal(doc.hints[0].id, "auth-source");
    assert.doesNotMatch(t.out.join(""), /s3cret/);
    assert.ok(!t.out.join("").includes(ESC), "no colour in JSON");
  });

  it("--json on success: who we are, the trace, no hints", async () => {
    const t = io(["whoami", "--json", "mongodb://alice:s3cret@127.0.0.1/"]);
    const trace = new TraceRecorder({ now: () => 0 });
    trace.emit("auth.succeeded", {
      mechanism: "SCRAM-SHA-256",
      speculative: true,
      user: "alice",
      db: "admin",
    });
    const conn = fakeConnection(trace.events);
    assert.equal(await cliMain(t.io, () => Promise.resolve(conn)), 0);
    assert.deepEqual(JSON.parse(t.out.join("\n")), {
      ok: true,
      whoami: {
        users: [{ user: "alice", db: "admin" }],
        mechanism: "SCRAM-SHA-256",
        speculative: true,
        host: "127.0.0.1:27017",
        role: "primary",
        setName: "rs0",
        roundTrips: 2,
        durationMs: 3.3,
      },
      trace: [{
        type: "auth.succeeded",
        time: 0,
        attributes: { mechanism: "SCRAM-SHA-256", speculative: true, user: "alice", db: "admin" },
      }],
      hints: [],
    });
  });
});

// A connection as connect() returns it, authenticated as alice with SCRAM-SHA-256.
function fakeConnection(trace: readonly TraceEvent[], onClose = () => {}): Connection {
  return {
    host: "127.0.0.1",
    port: 27017,
    address: "127.0.0.1:27017",
    role: "primary",
    setName: "rs0",
    trace,
    handshake: {
      mechanism: "SCRAM-SHA-256",
      speculative: true,
      roundTrips: 2,
      durationMs: 3.25,
      maxWireVersion: 21,
    },
    command: () =>
      Promise.resolve({ ok: 1, authInfo: { authenticatedUsers: [{ user: "alice", db: "admin" }] } }),
    close: () => Promise.resolve(void onClose()),
  } as unknown as Connection;
}

// A refusal of bob in admin whose trace shows the user is not there.
function refusedWithTrace(): MongoAuthError {
  const trace = new TraceRecorder({ now: () => 1000 });
  trace.emit("auth.started", { mechanism: "negotiate", user: "bob", db: "admin" });
  trace.emit("auth.source", {
    db: "admin",
    origin: "connection string authSource",
    reason: "authSource=admin in the connection string",
    uriDatabase: "app",
  });
  trace.emit("hello", {
    command: "hello",
    maxWireVersion: 21,
    role: "standalone",
    mechsAskedFor: "admin.bob",
    speculative: "not answered",
  });
  trace.emit("auth.failed", {
    mechanism: "SCRAM-SHA-1",
    user: "bob",
    db: "admin",
    code: "AUTHENTICATION_FAILED",
    serverCode: 18,
    message: "refused",
  });
  return attachTrace(
    new MongoAuthError("AUTHENTICATION_FAILED", 'the server refused user "bob"'),
    trace,
  ) as MongoAuthError;
}
