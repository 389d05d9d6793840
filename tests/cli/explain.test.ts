// The --explain output for a person: every event type has words, lines are aligned, colour only when asked.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TraceEvent, TraceEventAttributes, TraceEventType } from "@mongo-auth/core";
import { describeEvent, formatHints, formatTrace } from "../../src/cli/explain.ts";

// One event of every type, as connect() records them.
const EXAMPLES: { [K in TraceEventType]: TraceEventAttributes[K] } = {
  "connect.started": { scheme: "mongodb+srv", hosts: ["cluster0.example.net:27017"] },
  "option.warning": { message: 'the option "authSorce" is not one it takes' },
  "dns.srv": {
    name: "_mongodb._tcp.cluster0.example.net",
    hosts: ["a:27017", "b:27017"],
    selected: ["b:27017"],
  },
  "dns.txt": {
    name: "cluster0.example.net",
    found: true,
    applied: ["authSource=admin"],
    ignored: ["replicaSet=rs0: x"],
  },
  "auth.source": {
    db: "admin",
    origin: "TXT record",
    reason: "the mongodb+srv TXT record sets authSource=admin",
  },
  "host.connecting": { host: "b", port: 27017, attempt: 1, of: 2 },
  "socket.opened": { host: "b", port: 27017, tls: true },
  "tls.handshake": {
    protocol: "TLSv1.3",
    cipher: "TLS_AES_256_GCM_SHA384",
    serverSubject: "CN=b",
    serverIssuer: "CN=CA",
    serverValidFrom: "2026-01-01T00:00:00.000Z",
    serverValidTo: "2027-01-01T00:00:00.000Z",
    serverAltNames: ["DNS:b"],
    clientSubject: "CN=client",
  },
  "tls.failed": {
    host: "b",
    port: 27017,
    reason: "hostname-mismatch",
    detail: "not for b",
    serverAltNames: ["DNS:c"],
  },
  "tls.plain_probe": { host: "b", port: 27017, answered: true, serverRelease: "7.0" },
  "host.failed": { host: "b", port: 27017, code: "TLS_ERROR", message: "…" },
  hello: {
    command: "hello",
    maxWireVersion: 21,
    serverRelease: "7.0",
    role: "primary",
    setName: "rs0",
    mechsAskedFor: "admin.alice",
    saslSupportedMechs: ["SCRAM-SHA-256"],
    speculative: "answered",
  },
  "auth.started": { mechanism: "negotiate", user: "alice", db: "admin" },
  "auth.mechanism": { mechanism: "SCRAM-SHA-256", how: "negotiated", reason: "listed" },
  "sasl.step": {
    mechanism: "SCRAM-SHA-256",
    db: "admin",
    command: "saslContinue",
    step: 2,
    ok: true,
    done: true,
  },
  "aws.source": { source: "web identity", outcome: "found", temporary: true, accessKeyId: "ASIA…ROLE" },
  "aws.identity": {
    arn: "arn:aws:sts::1:assumed-role/app/s",
    from: "STS",
    user: "arn:aws:sts::1:assumed-role/app/*",
  },
  "aws.identity.unknown": { reason: "static keys" },
  "oidc.source": { source: "ENVIRONMENT:azure", flow: "machine", tokenResource: "api://db" },
  "oidc.idp": { issuer: "https://idp", clientId: "c", requestScopes: ["openid"] },
  "oidc.token": {
    origin: "cache",
    jwt: true,
    issuer: "https://idp",
    audience: ["api://db"],
    subject: "s",
    expiresAt: "2030-01-01T00:00:00.000Z",
    expiresInSeconds: -180,
  },
  "auth.succeeded": { mechanism: "SCRAM-SHA-256", speculative: true, user: "alice", db: "admin" },
  "auth.failed": {
    mechanism: "SCRAM-SHA-256",
    code: "AUTHENTICATION_FAILED",
    serverCode: 18,
    codeName: "AuthenticationFailed",
    message: "…",
  },
  "topology.updated": {
    type: "ReplicaSetNoPrimary",
    setName: "rs0",
    servers: ["a:27017 RSSecondary", "b:27017 PossiblePrimary"],
  },
  "server.selected": {
    host: "b",
    port: 27017,
    serverType: "RSPrimary",
    topology: "ReplicaSetWithPrimary",
    readPreference: "primary",
    candidates: 1,
    checks: 2,
  },
  "connect.succeeded": { host: "b", port: 27017, roundTrips: 2 },
  "connect.failed": { code: "TIMEOUT", message: "…" },
  "trace.listener_failed": { failedType: "hello", error: "TypeError" },
};

/** The escape character that starts an ANSI colour. */
const ESC = String.fromCharCode(27);

const events = Object.entries(EXAMPLES).map(([type, attributes], i) =>
  ({ type, time: 1000 + i, attributes }) as TraceEvent
);

describe("--explain output", () => {
  it("has words for every event type, never a placeholder", () => {
    for (const event of events) {
      const line = describeEvent(event);
      assert.ok(line.length > 0, event.type);
      assert.doesNotMatch(line, /undefined|\[object Object\]/, `${event.type}: ${line}`);
    }
    assert.equal(
      describeEvent(events.find((e) => e.type === "oidc.token")!),
      "from the cache: iss https://idp, aud api://db, sub s, expired 180 s ago (2030-01-01T00:00:00.000Z)",
    );
  });

  it("says when a mongodb+srv:// answer was another connection's lookup", () => {
    const srv = events.find((e) => e.type === "dns.srv")!;
    assert.equal(
      describeEvent(srv),
      "_mongodb._tcp.cluster0.example.net: a:27017, b:27017; srvMaxHosts keeps b:27017",
    );
    assert.equal(
      describeEvent({ ...srv, attributes: { ...srv.attributes, reused: true } } as TraceEvent),
      "_mongodb._tcp.cluster0.example.net: a:27017, b:27017; srvMaxHosts keeps b:27017 (looked up by an earlier " +
        "connection)",
    );
  });

  it("says when the member was the one an earlier connection's scan found, how old that scan was, and any wait for it", () => {
    const selected = events.find((e) => e.type === "server.selected")!;
    assert.equal(
      describeEvent(selected),
      "b:27017 RSPrimary of ReplicaSetWithPrimary, read preference primary (2 servers checked)",
    );
    assert.equal(
      describeEvent(
        { ...selected, attributes: { ...selected.attributes, checks: 1, rememberedMs: 2300 } } as TraceEvent,
      ),
      "b:27017 RSPrimary of ReplicaSetWithPrimary, read preference primary (1 server checked; the others as an " +
        "earlier connection found them 2300 ms ago)",
    );
    const waited = { ...selected.attributes, checks: 1, rememberedMs: 0.4, waitedMs: 35 };
    assert.equal(
      describeEvent({ ...selected, attributes: waited } as TraceEvent),
      "b:27017 RSPrimary of ReplicaSetWithPrimary, read preference primary (1 server checked after waiting 35 ms " +
        "for another connection's scan; the others as an earlier connection found them 0.4 ms ago)",
    );
  });

  it("says when a member's check started beside slow ones, and which", () => {
    const connecting = events.find((e) => e.type === "host.connecting")!;
    const beside = { host: "s1", port: 27017, attempt: 2, of: 3, beside: ["s2:27017"], slowAfterMs: 500 };
    assert.equal(
      describeEvent({ ...connecting, attributes: beside } as TraceEvent),
      "s1:27017 (host 2 of 3), beside s2:27017, which had not answered in 500 ms",
    );
    // The member an earlier scan chose, far away, had longer (eight of its round trips).
    assert.equal(
      describeEvent({ ...connecting, attributes: { ...beside, slowAfterMs: 1240.2 } } as TraceEvent),
      "s1:27017 (host 2 of 3), beside s2:27017, which had not answered in 1240 ms",
    );
  });

  it("names the servers whose check it did not wait for", () => {
    const selected = events.find((e) => e.type === "server.selected")!;
    const mongos = {
      ...selected.attributes,
      serverType: "Mongos",
      topology: "Sharded",
      candidates: 2,
      checks: 3,
      abandoned: ["far:27017"],
    };
    assert.equal(
      describeEvent({ ...selected, attributes: mongos } as TraceEvent),
      "b:27017 Mongos of Sharded, read preference primary, at random among 2 in the latency window (3 servers " +
        "checked; not waited for: far:27017)",
    );
  });

  it("writes an IPv6 literal in brackets, [::1]:27017, wherever it names a host and port", () => {
    const lines = events
      .filter((e) => "host" in e.attributes && "port" in e.attributes)
      .map((e) => describeEvent({ ...e, attributes: { ...e.attributes, host: "::1" } } as TraceEvent));
    const naming = lines.filter((line) => line.includes("27017"));
    assert.ok(naming.length >= 6, `${naming.length} of ${lines.length}`);
    for (const line of naming) assert.ok(line.includes("[::1]:27017"), line);
    for (const line of lines) assert.doesNotMatch(line, /(^|[^[])::1:27017/);
  });

  it("names a UNIX domain socket by its path (percent-encoded after the scheme), and says the socket is one", () => {
    const at = (event: TraceEvent) =>
      describeEvent(
        {
          ...event,
          attributes: { ...event.attributes, host: "/tmp/mongodb-27017.sock", port: 0 },
        } as TraceEvent,
      );
    const opened = events.find((e) => e.type === "socket.opened")!;
    assert.equal(at(opened), "/tmp/mongodb-27017.sock, TLS over a UNIX domain socket");
    assert.equal(
      at({ ...opened, attributes: { ...opened.attributes, tls: false } } as TraceEvent),
      "/tmp/mongodb-27017.sock, UNIX domain socket",
    );
    assert.equal(
      at(events.find((e) => e.type === "host.connecting")!),
      "/tmp/mongodb-27017.sock (host 1 of 2)",
    );
    const started = events.find((e) => e.type === "connect.started")!;
    assert.equal(
      describeEvent(
        {
          ...started,
          attributes: { scheme: "mongodb", hosts: ["/tmp/mongodb-27017.sock", "h:1"] },
        } as TraceEvent,
      ),
      "mongodb://%2Ftmp%2Fmongodb-27017.sock,h:1",
    );
    for (const event of events.filter((e) => "host" in e.attributes && "port" in e.attributes)) {
      assert.doesNotMatch(at(event), /\.sock:0/);
    }
  });

  it("says which SOCKS5 proxy a socket went through", () => {
    const opened = events.find((e) => e.type === "socket.opened")!;
    assert.equal(
      describeEvent(
        { ...opened, attributes: { ...opened.attributes, proxy: "127.0.0.1:1080" } } as TraceEvent,
      ),
      "b:27017, TLS through SOCKS5 proxy 127.0.0.1:1080",
    );
  });

  it("says which Stable API version hello declared", () => {
    const hello = events.find((e) => e.type === "hello")!;
    assert.equal(
      describeEvent({ ...hello, attributes: { ...hello.attributes, serverApi: "1 (strict)" } } as TraceEvent),
      "MongoDB 7.0 (wire 21), primary of rs0; mechanisms of admin.alice: SCRAM-SHA-256; speculative step " +
        "answered; Stable API 1 (strict)",
    );
    assert.doesNotMatch(describeEvent(hello), /Stable API/);
  });

  it("says the name a member answered as when it is not the host it was reached by", () => {
    const hello = events.find((e) => e.type === "hello")!;
    const as = (me: string) =>
      describeEvent(
        { ...hello, attributes: { ...hello.attributes, host: "localhost", port: 27017, me } } as TraceEvent,
      );
    assert.match(
      as("mongo1:27017"),
      /^localhost:27017: MongoDB 7\.0 \(wire 21\), primary of rs0 as mongo1:27017;/,
    );
    assert.match(as("LOCALHOST:27017"), /primary of rs0; mechanisms/);
  });

  it("says which compressor hello negotiated, or none", () => {
    const hello = events.find((e) => e.type === "hello")!;
    for (const compression of ["zlib", "none"]) {
      assert.match(
        describeEvent({ ...hello, attributes: { ...hello.attributes, compression } } as TraceEvent),
        new RegExp(`; speculative step answered; compression ${compression}$`),
      );
    }
    assert.doesNotMatch(describeEvent(hello), /compression/);
  });

  it("aligns the time and type columns", () => {
    const lines = formatTrace(events, { color: false });
    const column = lines.map((l) => l.indexOf(" ", l.indexOf("ms") + 4));
    const typeStart = lines.map((l) => l.indexOf("ms  ") + 4);
    assert.equal(new Set(typeStart).size, 1, "types start in one column");
    assert.ok(column.length === events.length);
    const describedAt = lines.map((l, i) => l.indexOf(describeEvent(events[i])));
    assert.equal(new Set(describedAt).size, 1, "descriptions start in one column");
  });

  it("colours only when asked", () => {
    assert.ok(!formatTrace(events, { color: false }).join("").includes(ESC));
    assert.ok(formatTrace(events, { color: true }).join("").includes(`${ESC}[31mauth.failed`));
    const hint = [{ id: "x", message: "Do this.", evidence: [{ event: "hello" as const, fact: "f" }] }];
    assert.ok(!formatHints(hint, { color: false }).join("").includes(ESC));
    assert.ok(formatHints(hint, { color: true }).join("").includes(`${ESC}[33mhint:`));
  });
});
