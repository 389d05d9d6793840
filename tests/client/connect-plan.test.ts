// What connect() settles before its first socket (src/client/connect-plan.ts): options in conflict are refused
// before any socket is opened, warnings reach the caller as data (onWarning, Connection.warnings) and
// never the console, srvMaxHosts picks that many SRV hosts, and what connect() cannot honour is refused. The
// next connect() of a client (one cacheStore) to the same mongodb:// connection string, with the same options,
// through the same transport, takes the plan of the one before, and still reports its warnings, traces its
// start and runs its own timeoutMS clock.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import process from "node:process";
import {
  AuthCacheStore,
  connectWith,
  type MongoAuthError,
  runtimeEnv,
  type SrvRecord,
  type Transport,
} from "@mongo-auth/core";
import { type ConnectionPlan, planCacheOf, planConnection } from "../../src/client/connect-plan.ts";
import { TraceRecorder } from "../../src/core/trace.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { whoami } from "../support/who-am-i.ts";

/** The node transport, counting the sockets it opens; DNS answers from `srv`/`txt` when given. */
function counting(srv?: SrvRecord[], txt: string[][] = []): Transport & { opened: string[] } {
  const opened: string[] = [];
  return {
    ...nodeTransport,
    opened,
    openSocket: (options) => {
      opened.push(`${options.host}:${options.port}${options.tls ? " tls" : ""}`);
      return nodeTransport.openSocket({ ...options, host: "127.0.0.1" });
    },
    resolveSrv: () => srv ? Promise.resolve(srv) : Promise.reject(new Error("no DNS in this test")),
    resolveTxt: () => Promise.resolve(txt),
  };
}

describe("connect(): conflicting TLS options are refused before any socket", () => {
  const conflicting = [
    "tls=true&tls=false", // connected in plaintext before
    "tls=false&tls=true",
    "ssl=true&ssl=false",
    "tls=true&ssl=false",
    "ssl=false&tls=true",
    "tls=maybe",
    "tlsInsecure=true&tlsAllowInvalidHostnames=false", // was resolved silently before
    "tlsInsecure=false&tlsAllowInvalidCertificates=true",
    "tlsInsecure=true&tlsDisableOCSPEndpointCheck=true",
    "tlsAllowInvalidCertificates=true&tlsDisableCertificateRevocationCheck=false",
    "tls=true&tlsCAFile=a.pem&tlsCAFile=b.pem",
  ];
  for (const query of conflicting) {
    it(query, async () => {
      const transport = counting();
      await assert.rejects(connectWith(transport, `mongodb://db.example.com/?${query}`), {
        code: "INVALID_OPTION",
      });
      assert.deepEqual(transport.opened, []);
    });
  }

  it("across the connection string and the options object too", async () => {
    const transport = counting();
    await assert.rejects(
      connectWith(transport, "mongodb://db.example.com/?tlsInsecure=true", {
        tlsAllowInvalidHostnames: false,
      }),
      { code: "INVALID_OPTION", message: /tlsInsecure and tlsAllowInvalidHostnames/ },
    );
    await assert.rejects(connectWith(transport, "mongodb://db.example.com/?tls=true", { ssl: false }), {
      code: "INVALID_OPTION",
      message: /tls and ssl/,
    });
    assert.deepEqual(transport.opened, []);
  });

  it("the same value repeated is only a warning", async () => {
    const plan = await planConnection(counting(), "mongodb://db.example.com/?tls=true&tls=true&ssl=true");
    assert.ok(plan.settings.tls);
    assert.deepEqual(plan.warnings, [
      "the option tls is given 2 times in the connection string; the last wins",
    ]);
  });
});

describe("connect(): warnings are data, never logged", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
  });
  after(() => server.close());

  it("a misspelt option in the URI and one in the options object reach onWarning and Connection.warnings", async () => {
    const seen: string[] = [];
    const options = {
      connectTimeoutMs: 5000,
      onWarning: (message: string) => seen.push(message),
    } as Record<string, unknown>;
    const conn = await connectWith(
      counting(),
      `mongodb://alice:alice-pw@${server.address}/?authSorce=admin&connectTimeoutMS=soon`,
      options,
    );
    try {
      assert.deepEqual(seen, [
        'the option "authSorce" in the connection string is not a known option and was ignored (did you mean authSource?)',
        "the value of connectTimeoutMS in the connection string is not an integer ≥ 0 and was ignored",
        'the option "connectTimeoutMs" given to connect() is not one it takes and was ignored (did you mean connectTimeoutMS? option names are case-sensitive here)',
      ]);
      assert.deepEqual(conn.warnings, seen);
      assert.ok(Object.isFrozen(conn.warnings));
    } finally {
      await conn.close();
    }
  });

  it("a warning never shows a value, and the tail of a secret split at '&' is not quoted", async () => {
    const seen: string[] = [];
    await assert.rejects(
      connectWith(
        counting(),
        "mongodb://db.example.com/?proxyHost=127.0.0.1&proxyPort=1&proxyUsername=u&proxyPassword=se&cret=1",
        {
          onWarning: (message) => seen.push(message),
        },
      ),
      (err: MongoAuthError) => {
        assert.equal(err.code, "CONNECTION_FAILED"); // nothing listens on the proxy's port
        assert.doesNotMatch(err.message, /cret|se&/);
        return true;
      },
    );
    assert.equal(seen.length, 1);
    assert.match(seen[0], /after proxyPassword .* %26/);
    assert.doesNotMatch(seen.join(), /cret|se&/);
  });

  it("the connections of a client that take one plan authenticate, each with the warnings and a trace of its own", async () => {
    const cacheStore = new AuthCacheStore();
    const uri = `mongodb://alice:alice-pw@${server.address}/?authSorce=x&authSource=admin`;
    const conns = [];
    for (let i = 0; i < 3; i++) conns.push(await connectWith(nodeTransport, uri, { cacheStore }));
    try {
      for (const conn of conns) {
        assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        assert.equal(conn.warnings.length, 1);
        assert.equal(conn.trace[0].type, "connect.started");
      }
      assert.notEqual(conns[1].trace, conns[2].trace);
      assert.ok(planCacheOf(cacheStore).find(nodeTransport, uri, { cacheStore }));
    } finally {
      await Promise.all(conns.map((conn) => conn.close()));
    }
  });

  it("a clean connection has no warnings", async () => {
    const conn = await connectWith(counting(), `mongodb://alice:alice-pw@${server.address}/?appName=clean`);
    assert.deepEqual(conn.warnings, []);
    await conn.close();
  });

  it("onWarning may throw to make warnings fatal, before any socket", async () => {
    const transport = counting();
    const strict = new Error("warnings are fatal here");
    await assert.rejects(
      connectWith(transport, `mongodb://${server.address}/?authSorce=admin`, {
        onWarning: () => {
          throw strict;
        },
      }),
      strict,
    );
    assert.deepEqual(transport.opened, []);
  });

  it("an async onWarning that rejects is no unhandled rejection (which ends a Node.js process): connect() goes on", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const conn = await connectWith(
        counting(),
        `mongodb://alice:alice-pw@${server.address}/?authSorce=admin`,
        {
          onWarning: () => Promise.reject(new Error("the log is full")),
        },
      );
      await conn.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", record);
    }
  });

  it("options without a '/' after the host connect (mongodb://host?authSource=admin)", async () => {
    const conn = await connectWith(counting(), `mongodb://alice:alice-pw@${server.address}?authSource=admin`);
    try {
      assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
    } finally {
      await conn.close();
    }
  });
});

describe("connect(): mongodb+srv options", () => {
  const srv = [1, 2, 3, 4, 5].map((n) => ({ name: `shard-0${n}.cluster0.example.net`, port: 27000 + n }));

  it("srvMaxHosts picks that many distinct SRV hosts, at random", async () => {
    const picked = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const plan = await planConnection(counting(srv), "mongodb+srv://cluster0.example.net/?srvMaxHosts=2");
      assert.equal(plan.hosts.length, 2);
      assert.notEqual(plan.hosts[0].host, plan.hosts[1].host);
      for (const h of plan.hosts) picked.add(h.host);
    }
    // 40 draws of 2 of 5 miss a given host with probability (3/5)^40: every host shows up.
    assert.equal(picked.size, 5);
    const all = await planConnection(counting(srv), "mongodb+srv://cluster0.example.net/", {
      srvMaxHosts: 0,
    });
    assert.deepEqual(all.hosts.map((h) => h.port), [27001, 27002, 27003, 27004, 27005]);
  });

  it("srvServiceName and srvMaxHosts on mongodb:// are errors, in the URI or the options", async () => {
    await assert.rejects(planConnection(counting(), "mongodb://h/?srvMaxHosts=1"), {
      code: "INVALID_OPTION",
    });
    await assert.rejects(planConnection(counting(), "mongodb://h/", { srvServiceName: "custom" }), {
      code: "INVALID_OPTION",
    });
  });

  it("traces the SRV lookup, what srvMaxHosts kept, and each TXT option: applied, or ignored and why", async () => {
    const trace = new TraceRecorder();
    const plan = await planConnection(
      counting(srv, [["authSource=admin&replicaSet=rs0"]]),
      "mongodb+srv://alice:pw@cluster0.example.net/?replicaSet=rs0&srvMaxHosts=0",
      {},
      trace,
    );
    assert.equal(plan.authSource?.origin, "TXT record");
    const byType = Object.fromEntries(trace.events.map((e) => [e.type, e.attributes]));
    assert.deepEqual(byType["connect.started"], {
      scheme: "mongodb+srv",
      hosts: ["cluster0.example.net:27017"],
    });
    assert.deepEqual(byType["dns.srv"], {
      name: "_mongodb._tcp.cluster0.example.net",
      hosts: srv.map((r) => `${r.name}:${r.port}`),
    });
    assert.deepEqual(byType["dns.txt"], {
      name: "cluster0.example.net",
      found: true,
      applied: ["authSource=admin"],
      ignored: ["replicaSet=rs0: the connection string or the options set replicaSet themselves, which wins"],
    });

    const external = new TraceRecorder();
    await planConnection(
      counting(srv, [["authSource=admin"]]),
      "mongodb+srv://cluster0.example.net/?authMechanism=MONGODB-AWS&srvMaxHosts=2",
      {},
      external,
    );
    const txt = external.events.find((e) => e.type === "dns.txt")!.attributes;
    assert.deepEqual(txt, {
      name: "cluster0.example.net",
      found: true,
      applied: [],
      ignored: [
        "authSource=admin: MONGODB-AWS users live in $external, not in a database a TXT record names",
      ],
    });
    const kept = external.events.find((e) => e.type === "dns.srv")!.attributes as { selected?: string[] };
    assert.equal(kept.selected?.length, 2);
  });

  it("a DNS server that never answers: TIMEOUT at connectTimeoutMS, saying where to look", async () => {
    const silent = { ...counting(), resolveSrv: () => new Promise<never>(() => {}) };
    await assert.rejects(
      connectWith(silent, "mongodb+srv://cluster0.example.com/", { connectTimeoutMS: 50 }),
      {
        code: "TIMEOUT",
        message:
          "looking up cluster0.example.com in DNS (SRV _mongodb._tcp.cluster0.example.com, and TXT) timed out " +
          "after 50 ms (connectTimeoutMS): no DNS answer came: check this machine's DNS server, or resolve over " +
          "HTTPS with the dnsOverHttps option",
      },
    );
    assert.deepEqual(silent.opened, []);
    // Over HTTPS, the resolver is what to check.
    const transport = counting();
    const hangs = () => new Promise<never>(() => {});
    await assert.rejects(
      connectWith(transport, "mongodb+srv://cluster0.example.com/", {
        connectTimeoutMS: 50,
        dnsOverHttps: "https://dns.example/dns-query",
        env: runtimeEnv({ fetch: hangs }),
      }),
      {
        code: "TIMEOUT",
        message:
          /\(connectTimeoutMS\): the DNS-over-HTTPS resolver did not answer: check dnsOverHttps, and that/,
      },
    );
    assert.deepEqual(transport.opened, []);
  });

  it("a TXT replicaSet with a positive srvMaxHosts is an error once DNS has answered", async () => {
    await assert.rejects(
      planConnection(counting(srv, [["replicaSet=rs0"]]), "mongodb+srv://cluster0.example.net/", {
        srvMaxHosts: 1,
      }),
      { code: "INVALID_OPTION", message: /srvMaxHosts/ },
    );
  });

  it("a TXT record's invalid value is a warning; its unknown option an error", async () => {
    const plan = await planConnection(
      counting(srv, [["loadBalanced=yes"]]),
      "mongodb+srv://cluster0.example.net/",
    );
    assert.deepEqual(plan.warnings, [
      "the value of loadBalanced in the TXT record of cluster0.example.net is not true or false and was ignored",
    ]);
    await assert.rejects(
      planConnection(counting(srv, [["authSource=admin&w=1"]]), "mongodb+srv://cluster0.example.net/"),
      { code: "INVALID_URI", message: /sets w, which it may not/ },
    );
  });
});

describe("connect(): what it cannot honour is refused, not ignored", () => {
  it("a UNIX domain socket host, by a transport that does not declare unixDomainSockets", async () => {
    const { unixDomainSockets: _, ...older } = nodeTransport.capabilities;
    const transport = { ...counting(), capabilities: { ...older, runtime: "Example" } };
    await assert.rejects(connectWith(transport, "mongodb://127.0.0.1,%2Ftmp%2Fmongodb-27017.sock/"), {
      code: "RUNTIME_UNSUPPORTED",
      message: "Example cannot open a UNIX domain socket (a socket path as the host): connect over TCP " +
        "(host:port; mongod listens on 127.0.0.1:27017 by default)",
    });
    assert.deepEqual(transport.opened, []);
  });

  it("a SOCKS5 proxy, by a transport that does not declare socks5Proxy", async () => {
    const { socks5Proxy: _, ...older } = nodeTransport.capabilities;
    const transport = { ...counting(), capabilities: { ...older, runtime: "Example" } };
    await assert.rejects(connectWith(transport, "mongodb://h/?proxyHost=proxy.example.com"), {
      code: "RUNTIME_UNSUPPORTED",
      message:
        "Example cannot go through a SOCKS5 proxy (proxyHost): remove the proxy options to connect directly",
    });
    assert.deepEqual(transport.opened, []);
  });

  it("a SOCKS5 proxy to a UNIX domain socket", async () => {
    const transport = counting();
    await assert.rejects(connectWith(transport, "mongodb://%2Ftmp%2Fmongodb-27017.sock/?proxyHost=p"), {
      code: "INVALID_OPTION",
      message:
        "a SOCKS5 proxy (proxyHost) cannot reach the UNIX domain socket /tmp/mongodb-27017.sock: remove " +
        "the proxy options, or give the server's TCP host and port",
    });
    assert.deepEqual(transport.opened, []);
  });

  it("GSSAPI, which no runtime here can speak: before any socket, however many hosts are to be checked", async () => {
    const transport = counting();
    await assert.rejects(
      connectWith(
        transport,
        "mongodb://alice%40EXAMPLE.COM@db1,db2,db3/?authMechanism=GSSAPI&replicaSet=rs0",
      ),
      {
        code: "UNSUPPORTED_MECHANISM",
        message: "GSSAPI (Kerberos) is not supported by mongo-auth: use SCRAM, X509, AWS or OIDC",
      },
    );
    assert.deepEqual(transport.opened, []);
  });
});

const URI = "mongodb://alice:alice-pw@db.example.com/?authSource=admin&appName=pool";

// Two plans of one client: the second took the first's when their shared parts are the same objects.
function shared(first: ConnectionPlan, second: ConnectionPlan): boolean {
  return first.settings === second.settings && first.credential === second.credential &&
    first.topology === second.topology;
}

describe("connect(): a client's next connection takes the plan of the one before", () => {
  it("serves the client's next connect() with the same string and options, given as a new object", async () => {
    const cacheStore = new AuthCacheStore();
    const first = await planConnection(nodeTransport, URI, { cacheStore, connectTimeoutMS: 5000 });
    const second = await planConnection(nodeTransport, URI, { cacheStore, connectTimeoutMS: 5000 });
    assert.ok(shared(first, second));
    assert.equal(second.credential?.username, "alice");
    assert.equal(second.settings.appName, "pool");
    assert.deepEqual(second.hosts, first.hosts);
  });

  it("whatever the call's own signal and listeners (plan-cache.test.ts: what else counts)", async () => {
    const cacheStore = new AuthCacheStore();
    const first = await planConnection(nodeTransport, URI, { cacheStore });
    const second = await planConnection(nodeTransport, URI, {
      cacheStore,
      signal: new AbortController().signal,
      onWarning: () => {},
      onEvent: () => {},
    });
    assert.ok(shared(first, second));
  });

  it("is kept out of sight: the cacheStore's inspect() does not show the plan's password", async () => {
    const cacheStore = new AuthCacheStore();
    await planConnection(nodeTransport, URI, { cacheStore });
    assert.ok(planCacheOf(cacheStore).find(nodeTransport, URI, { cacheStore }));
    assert.doesNotMatch(inspect(cacheStore, { depth: 10, showHidden: true }), /alice-pw/);
  });

  it("is not kept without a cacheStore: the password stays with the connections", async () => {
    const first = await planConnection(nodeTransport, URI);
    const second = await planConnection(nodeTransport, URI);
    assert.equal(shared(first, second), false);
  });

  it("reports the warnings to every connect(), and traces its start, as the first did", async () => {
    const cacheStore = new AuthCacheStore();
    const uri = `${URI}&authSorce=admin`;
    const calls = [0, 1].map(() => ({ seen: [] as string[], trace: new TraceRecorder() }));
    const plans = [];
    for (const { seen, trace } of calls) {
      plans.push(
        await planConnection(nodeTransport, uri, { cacheStore, onWarning: (w) => seen.push(w) }, trace),
      );
    }
    assert.ok(shared(plans[0], plans[1]));
    assert.deepEqual(calls[1].seen, calls[0].seen);
    assert.match(calls[1].seen[0], /"authSorce" .* \(did you mean authSource\?\)/);
    assert.deepEqual(plans[1].warnings, calls[1].seen);
    assert.notEqual(plans[1].warnings, plans[0].warnings);
    const events = calls.map(({ trace }) =>
      trace.events.map(({ type, attributes }) => ({ type, attributes }))
    );
    assert.deepEqual(events[1], events[0]);
    assert.deepEqual(events[1].map((e) => e.type), ["connect.started", "option.warning"]);
    // An onWarning that throws makes the warning fatal on a kept plan too.
    const fatal = new Error("warnings are fatal here");
    await assert.rejects(
      planConnection(nodeTransport, uri, {
        cacheStore,
        onWarning: () => {
          throw fatal;
        },
      }),
      fatal,
    );
  });

  it("gives each connect() a timeoutMS clock of its own, started when it starts", async () => {
    const cacheStore = new AuthCacheStore();
    const uri = `${URI}&timeoutMS=60000`;
    const first = await planConnection(nodeTransport, uri, { cacheStore });
    first.operation?.dispose();
    const controller = new AbortController();
    const second = await planConnection(nodeTransport, uri, { cacheStore, signal: controller.signal });
    try {
      assert.ok(shared(first, second));
      assert.ok(second.operation && second.operation !== first.operation);
      assert.ok(second.operation.timeLeft() > 59_000);
      controller.abort(); // the call's own signal reaches its clock
      assert.equal(second.operation.signal.aborted, true);
    } finally {
      second.operation?.dispose();
    }
  });

  it("keeps no plan that failed", async () => {
    const cacheStore = new AuthCacheStore();
    const options = { cacheStore, tlsAllowInvalidHostnames: false };
    for (let i = 0; i < 2; i++) {
      await assert.rejects(planConnection(nodeTransport, `${URI}&tlsInsecure=true`, options), {
        code: "INVALID_OPTION",
        message: /tlsInsecure and tlsAllowInvalidHostnames/,
      });
      assert.equal(
        planCacheOf(cacheStore).find(nodeTransport, `${URI}&tlsInsecure=true`, options),
        undefined,
      );
    }
  });

  it("is not kept for mongodb+srv://, whose hosts and options DNS says", async () => {
    const cacheStore = new AuthCacheStore();
    const srv = [{ name: "a.cluster0.example.net", port: 27017 }];
    const transport: Transport = {
      ...nodeTransport,
      resolveSrv: () => Promise.resolve(srv),
      resolveTxt: () => Promise.resolve([]),
    };
    const uri = "mongodb+srv://alice:alice-pw@cluster0.example.net/";
    const first = await planConnection(transport, uri, { cacheStore });
    assert.equal(planCacheOf(cacheStore).find(transport, uri, { cacheStore }), undefined);
    assert.equal(shared(first, await planConnection(transport, uri, { cacheStore })), false);
  });

  it("is shared, so it is frozen", async () => {
    const cacheStore = new AuthCacheStore();
    const plan = await planConnection(nodeTransport, URI, { cacheStore });
    for (const part of [plan.settings, plan.settings.selection, plan.topology, plan.hosts, plan.options]) {
      assert.ok(Object.isFrozen(part));
    }
  });
});
