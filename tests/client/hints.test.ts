// Each hint is a pure function of the trace: it fires on the evidence of its case, says what the
// evidence is, and stays silent when the trace does not show the case (never guessing beyond it).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TraceEvent, TraceEventAttributes, TraceEventType } from "../../src/core/trace.ts";
import {
  authSourceHint,
  awsUserHint,
  certificateHint,
  hintsFor,
  hostnameHint,
  mechanismHint,
  plainServerHint,
  tokenAudienceHint,
  tokenExpiredHint,
  tokenIssuerHint,
  x509UserHint,
} from "../../src/client/hints.ts";

function ev<K extends TraceEventType>(type: K, attributes: TraceEventAttributes[K], time = 0): TraceEvent {
  return { type, time, attributes } as TraceEvent;
}

const refused = (mechanism: string, extra: Partial<TraceEventAttributes["auth.failed"]> = {}) =>
  ev("auth.failed", {
    mechanism,
    code: "AUTHENTICATION_FAILED",
    serverCode: 18,
    codeName: "AuthenticationFailed",
    message: "refused",
    ...extra,
  });

const scramLogin = (opts: {
  db: string;
  origin?: TraceEventAttributes["auth.source"]["origin"];
  reason?: string;
  uriDatabase?: string;
  mechs?: string[];
  mechanism?: string;
  how?: "given" | "negotiated" | "defaulted";
}) => [
  ev("auth.started", { mechanism: "negotiate", user: "bob", db: opts.db }),
  ev("auth.source", {
    db: opts.db,
    origin: opts.origin ?? "connection string authSource",
    reason: opts.reason ?? `authSource=${opts.db} in the connection string`,
    uriDatabase: opts.uriDatabase,
  }),
  ev("hello", {
    command: "hello",
    maxWireVersion: 21,
    role: "standalone",
    mechsAskedFor: `${opts.db}.bob`,
    saslSupportedMechs: opts.mechs,
    speculative: "not answered",
  }),
  ev("auth.mechanism", {
    mechanism: opts.mechanism ?? "SCRAM-SHA-1",
    how: opts.how ?? "defaulted",
    reason: "r",
  }),
];

describe("authSourceHint", () => {
  it("the user looked up in admin, the connection string's database app: says set authSource=app, with evidence", () => {
    const trace = [
      ...scramLogin({ db: "admin", uriDatabase: "app" }),
      refused("SCRAM-SHA-1", { user: "bob" }),
    ];
    const hint = authSourceHint(trace)!;
    assert.equal(hint.id, "auth-source");
    assert.equal(
      hint.message,
      'The user "bob" was looked up in "admin", but the connection string\'s database is "app": if "bob" was ' +
        'created in "app", set authSource=app.',
    );
    assert.deepEqual(hint.evidence.map((e) => e.event), [
      "auth.source",
      "auth.source",
      "hello",
      "auth.failed",
    ]);
  });

  it("a TXT record's authSource: the connection string's authSource wins over it", () => {
    const trace = [
      ...scramLogin({
        db: "admin",
        origin: "TXT record",
        reason: "the TXT record sets authSource=admin",
        uriDatabase: "app",
      }),
      refused("SCRAM-SHA-1", { user: "bob" }),
    ];
    assert.match(
      authSourceHint(trace)!.message,
      /set authSource=app in the connection string \(it wins over the TXT record\)/,
    );
  });

  it("no database in the connection string: names where the user was looked up", () => {
    const trace = [
      ...scramLogin({ db: "admin", origin: "mechanism default", reason: "default" }),
      refused("SCRAM-SHA-1", { user: "bob" }),
    ];
    assert.match(
      authSourceHint(trace)!.message,
      /^The server has no user "bob" in "admin": set authSource to the database/,
    );
  });

  it("says nothing when hello listed the user's mechanisms (the user exists there), or nothing failed", () => {
    assert.equal(
      authSourceHint([...scramLogin({ db: "admin", mechs: ["SCRAM-SHA-1"] }), refused("SCRAM-SHA-1")]),
      undefined,
    );
    assert.equal(authSourceHint(scramLogin({ db: "admin" })), undefined);
    assert.equal(
      authSourceHint([...scramLogin({ db: "admin" }), refused("SCRAM-SHA-1", { code: "TIMEOUT" })]),
      undefined,
    );
  });

  it("says nothing when Atlas's proxy refused (8000): it may list no mechanisms for any user", () => {
    const atlas = refused("SCRAM-SHA-1", { serverCode: 8000, codeName: "AtlasError" });
    assert.equal(authSourceHint([...scramLogin({ db: "admin", uriDatabase: "app" }), atlas]), undefined);
  });
});

describe("mechanismHint", () => {
  it("the server lists only SCRAM-SHA-1 for the user and the login used SCRAM-SHA-256", () => {
    const trace = [
      ...scramLogin({ db: "admin", mechs: ["SCRAM-SHA-1"], mechanism: "SCRAM-SHA-256", how: "given" }),
      refused("SCRAM-SHA-256"),
    ];
    const hint = mechanismHint(trace)!;
    assert.match(
      hint.message,
      /^The server offers only SCRAM-SHA-1 for admin\.bob, and the login used SCRAM-SHA-256: use authMechanism=SCRAM-SHA-1/,
    );
    assert.deepEqual(hint.evidence.map((e) => e.fact), [
      "hello lists SCRAM-SHA-1 for admin.bob",
      "SCRAM-SHA-256 was used: r",
      "the server refused the login with SCRAM-SHA-256 (server error 18 AuthenticationFailed)",
    ]);
  });

  it("says nothing when the mechanism used is listed (then the password is the suspect, which the trace cannot show)", () => {
    const trace = [
      ...scramLogin({ db: "admin", mechs: ["SCRAM-SHA-1", "SCRAM-SHA-256"], mechanism: "SCRAM-SHA-256" }),
      refused("SCRAM-SHA-256"),
    ];
    assert.equal(mechanismHint(trace), undefined);
    assert.deepEqual(hintsFor(trace), []);
  });
});

describe("awsUserHint", () => {
  const login = [
    ev("auth.started", { mechanism: "MONGODB-AWS", db: "$external" }),
    ev("aws.source", { source: "environment variables", outcome: "skipped", reason: "not set" }),
    ev("aws.source", {
      source: "web identity",
      outcome: "found",
      reason: "AssumeRoleWithWebIdentity",
      temporary: true,
      accessKeyId: "ASIA…ROLE",
    }),
  ];

  it("names the $external user mongod looks up for the identity the trace shows", () => {
    const trace = [
      ...login,
      ev("aws.identity", {
        arn: "arn:aws:sts::123456789012:assumed-role/app/s1",
        from: "the AssumeRoleWithWebIdentity answer",
        user: "arn:aws:sts::123456789012:assumed-role/app/*",
      }),
      refused("MONGODB-AWS"),
    ];
    const hint = awsUserHint(trace)!;
    assert.match(
      hint.message,
      /^The AWS identity is arn:aws:sts::123456789012:assumed-role\/app\/s1, so the \$external user must be arn:aws:sts::123456789012:assumed-role\/app\/\*: create it/,
    );
    assert.equal(hint.evidence[0].fact, "temporary credentials ASIA…ROLE from AssumeRoleWithWebIdentity");
  });

  it("an identity without its account says so instead of guessing one", () => {
    const trace = [
      ...login,
      ev("aws.identity", {
        arn: "arn:aws:sts::<account>:assumed-role/web/*",
        from: "IMDS",
        user: "arn:aws:sts::<account>:assumed-role/web/*",
        accountUnknown: true,
      }),
      refused("MONGODB-AWS"),
    ];
    assert.match(awsUserHint(trace)!.message, /with your AWS account ID in place of <account>/);
  });

  it("without an identity, points to explain; with neither, or another mechanism's refusal, says nothing", () => {
    const unknown = [...login, ev("aws.identity.unknown", { reason: "static keys" }), refused("MONGODB-AWS")];
    assert.equal(awsUserHint(unknown)!.id, "aws-identity-unknown");
    assert.equal(awsUserHint([...login, refused("MONGODB-AWS")]), undefined);
    assert.equal(awsUserHint([...login, refused("SCRAM-SHA-256")]), undefined);
  });
});

describe("OIDC token hints", () => {
  const token = (claims: Partial<TraceEventAttributes["oidc.token"]>) =>
    ev("oidc.token", { origin: "callback", jwt: true, ...claims });
  const started = ev("auth.started", { mechanism: "MONGODB-OIDC", db: "$external" });

  it("an expired token: how long before it was sent, and where it came from", () => {
    const trace = [
      ev("oidc.source", { source: "ENVIRONMENT:test", flow: "machine" }),
      started,
      token({ expiresAt: "2030-01-01T00:00:00.000Z", expiresInSeconds: -180 }),
      refused("MONGODB-OIDC"),
    ];
    const hint = tokenExpiredHint(trace)!;
    assert.equal(
      hint.message,
      "The token expired 3 minutes before it was sent (exp 2030-01-01T00:00:00.000Z): ENVIRONMENT:test handed out " +
        "an expired token. Put a current token in the file OIDC_TOKEN_FILE names.",
    );
    assert.equal(
      tokenExpiredHint([started, token({ expiresInSeconds: 60 }), refused("MONGODB-OIDC")]),
      undefined,
    );
    assert.equal(
      tokenExpiredHint([started, token({ expiresInSeconds: -60 })]),
      undefined,
      "no refusal, no hint",
    );
  });

  it("a token for another audience than TOKEN_RESOURCE", () => {
    const source = ev("oidc.source", {
      source: "ENVIRONMENT:azure",
      flow: "machine",
      tokenResource: "api://db",
    });
    const wrong = [source, started, token({ audience: ["api://other"] }), refused("MONGODB-OIDC")];
    assert.match(
      tokenAudienceHint(wrong)!.message,
      /^The token's aud is api:\/\/other, but TOKEN_RESOURCE asked for api:\/\/db/,
    );
    const right = [source, started, token({ audience: ["api://db", "x"] }), refused("MONGODB-OIDC")];
    assert.equal(tokenAudienceHint(right), undefined);
    const opaque = [
      source,
      started,
      ev("oidc.token", { origin: "callback", jwt: false }),
      refused("MONGODB-OIDC"),
    ];
    assert.equal(tokenAudienceHint(opaque), undefined, "an opaque token shows no aud: no guess");
  });

  it("a token from another issuer than the identity provider the server named", () => {
    const trace = [
      started,
      ev("oidc.idp", { issuer: "https://idp.example" }),
      token({ issuer: "https://other.example" }),
      refused("MONGODB-OIDC"),
    ];
    assert.match(
      tokenIssuerHint(trace)!.message,
      /issued by https:\/\/other\.example, but the server named https:\/\/idp\.example/,
    );
  });
});

describe("TLS hints", () => {
  const host = ev("host.connecting", { host: "10.0.0.5", port: 27017, attempt: 1, of: 1 });

  it("a certificate for another host name: names what it is for", () => {
    const trace = [
      host,
      ev("tls.failed", {
        host: "10.0.0.5",
        port: 27017,
        reason: "hostname-mismatch",
        detail: "IP: 10.0.0.5 is not in the cert's list",
        serverAltNames: ["DNS:db.example.net"],
      }),
    ];
    assert.match(
      hostnameHint(trace)!.message,
      /^The server's certificate is not for 10\.0\.0\.5 \(it names DNS:db\.example\.net\)/,
    );
    assert.equal(certificateHint(trace), undefined);
  });

  it("over a UNIX domain socket: says the certificate was checked for localhost, not for the path", () => {
    const path = "/tmp/mongodb-27017.sock";
    const trace = [
      ev("host.connecting", { host: path, port: 0, attempt: 1, of: 1 }),
      ev("tls.failed", {
        host: path,
        port: 0,
        reason: "hostname-mismatch",
        detail: "Host: localhost. is not in the cert's altnames: DNS:db.example.net",
        serverAltNames: ["DNS:db.example.net"],
      }),
    ];
    const hint = hostnameHint(trace)!;
    assert.match(
      hint.message,
      /^The server's certificate is not for localhost, the name TLS checks over a UNIX domain socket \(it names DNS:db\.example\.net\): have the certificate name localhost too/,
    );
    assert.doesNotMatch(hint.message, /not for \/tmp/);
    assert.match(hint.evidence[0].fact, /^the TLS handshake with \/tmp\/mongodb-27017\.sock failed/);
  });

  it("TLS to a plain server: certain with the plain probe's answer, conditional without it", () => {
    const failed = ev("tls.failed", {
      host: "10.0.0.5",
      port: 27017,
      reason: "not-tls",
      detail: "socket hang up",
    });
    assert.match(
      plainServerHint([host, failed])!.message,
      /as a server without TLS does: if it has none, remove tls=true/,
    );
    const probed = [
      host,
      failed,
      ev("tls.plain_probe", { host: "10.0.0.5", port: 27017, answered: true, serverRelease: "7.0" }),
    ];
    assert.match(plainServerHint(probed)!.message, /^TLS was asked of a server that does not speak it/);
    const silent = [
      host,
      failed,
      ev("tls.plain_probe", { host: "10.0.0.5", port: 27017, answered: false, detail: "timed out" }),
    ];
    assert.doesNotMatch(plainServerHint(silent)!.message, /does not speak it/);
  });

  it("an IPv6 literal is written [::1]:27017 in the hint and its evidence", () => {
    const failed = ev("tls.failed", {
      host: "::1",
      port: 27017,
      reason: "not-tls",
      detail: "socket hang up",
    });
    const hint = plainServerHint([failed])!;
    assert.match(
      hint.message,
      /^\[::1\]:27017 did not complete the TLS handshake \(it hung up, or answered with something other than TLS\)/,
    );
    assert.match(hint.evidence[0].fact, /the handshake with \[::1\]:27017 failed/);
    const mismatch = ev("tls.failed", { host: "::1", port: 27017, reason: "hostname-mismatch", detail: "x" });
    assert.match(hostnameHint([mismatch])!.evidence[0].fact, /^the TLS handshake with \[::1\]:27017 failed/);
    const untrusted = ev("tls.failed", { host: "::1", port: 27017, reason: "untrusted", detail: "x" });
    assert.match(
      certificateHint([untrusted])!.evidence[0].fact,
      /^the TLS handshake with \[::1\]:27017 failed/,
    );
  });

  it("an untrusted certificate: give the CA", () => {
    const trace = [
      host,
      ev("tls.failed", { host: "10.0.0.5", port: 27017, reason: "untrusted", detail: "self-signed" }),
    ];
    assert.match(certificateHint(trace)!.message, /tlsCAFile/);
  });

  it("a revoked certificate, an unusable revocation list and a weak certificate each have their hint; a reason it does not know has none", () => {
    const failed = (reason: string) => [
      host,
      ev("tls.failed", { host: "10.0.0.5", port: 27017, reason, detail: "x" } as never),
    ];
    assert.equal(certificateHint(failed("revoked"))!.id, "tls-revoked");
    assert.equal(certificateHint(failed("revocation-list"))!.id, "tls-revocation-list");
    assert.equal(certificateHint(failed("weak-certificate"))!.id, "tls-weak-certificate");
    // A trace handed to hintsFor may come from anywhere (JSON, another version): a reason named like an
    // Object method is no reason.
    for (const reason of ["constructor", "toString", "__proto__", "other"]) {
      assert.equal(certificateHint(failed(reason)), undefined, reason);
    }
  });

  it("looks at the last host only: an earlier host's TLS failure is that host's", () => {
    const trace = [
      host,
      ev("tls.failed", { host: "10.0.0.5", port: 27017, reason: "hostname-mismatch", detail: "x" }),
      ev("host.connecting", { host: "10.0.0.6", port: 27017, attempt: 2, of: 2 }),
    ];
    assert.equal(hostnameHint(trace), undefined);
  });
});

describe("x509UserHint", () => {
  it("names the subject the $external user must have", () => {
    const trace = [
      ev("host.connecting", { host: "h", port: 1, attempt: 1, of: 1 }),
      ev("tls.handshake", { clientSubject: "CN=client,O=Example" }),
      ev("auth.started", { mechanism: "MONGODB-X509", db: "$external" }),
      refused("MONGODB-X509", { serverCode: 11, codeName: "UserNotFound" }),
    ];
    assert.match(x509UserHint(trace)!.message, /subject is CN=client,O=Example/);
  });
});

describe("hintsFor", () => {
  it("a successful login has no hints", () => {
    assert.deepEqual(
      hintsFor([
        ...scramLogin({ db: "admin", mechs: ["SCRAM-SHA-256"] }),
        ev("auth.succeeded", { mechanism: "SCRAM-SHA-256", speculative: true, db: "admin" }),
      ]),
      [],
    );
  });

  it("looks at the last attempt: an earlier refused attempt (a re-authentication, another host) is not this one's", () => {
    const trace = [
      ...scramLogin({ db: "admin", uriDatabase: "app" }),
      refused("SCRAM-SHA-1", { user: "bob" }),
      ev("auth.started", { mechanism: "SCRAM-SHA-256", user: "bob", db: "app" }),
      ev("auth.failed", { code: "TIMEOUT", message: "timed out" }),
    ];
    assert.deepEqual(hintsFor(trace), []);
  });

  it("in a replica set, reads the chosen member's events only, whatever order the checks ended in", () => {
    // Two members checked at once (readPreference=secondary): each check starts the authentication and
    // sends hello; the chosen one (a) finished first, so b's events come last.
    const member = (host: string, mechs: string[] | undefined) => ({
      started: ev("auth.started", { mechanism: "SCRAM-SHA-1", user: "bob", db: "admin", host, port: 27017 }),
      hello: ev("hello", {
        host,
        port: 27017,
        command: "hello",
        maxWireVersion: 21,
        role: "secondary",
        setName: "rs0",
        mechsAskedFor: "admin.bob",
        saslSupportedMechs: mechs,
        speculative: "not answered",
      }),
    });
    const a = member("a", undefined);
    const b = member("b", ["SCRAM-SHA-256"]);
    const source = ev("auth.source", {
      db: "admin",
      origin: "connection string authSource",
      reason: "authSource=admin in the connection string",
      uriDatabase: "app",
    });
    const trace = [
      a.started,
      source,
      b.started,
      source,
      a.hello,
      b.hello,
      ev("server.selected", {
        host: "a",
        port: 27017,
        serverType: "RSSecondary",
        topology: "ReplicaSetWithPrimary",
        readPreference: "secondary",
        candidates: 2,
        checks: 3,
      }),
      ev("auth.mechanism", { mechanism: "SCRAM-SHA-1", how: "given", reason: "authMechanism=SCRAM-SHA-1" }),
      refused("SCRAM-SHA-1", { user: "bob" }),
    ];
    assert.deepEqual(hintsFor(trace).map((hint) => hint.id), ["auth-source"]);
    // Without the selection, b's hello (the last) would speak for the login: the user has SCRAM-SHA-256 only.
    const unselected = trace.filter((event) => event.type !== "server.selected");
    assert.deepEqual(hintsFor(unselected).map((hint) => hint.id), ["mechanism"]);
  });
});

describe("hintsFor: what it is given", () => {
  it("no trace (an error that is not a MongoAuthError's) has no hints; something else is INVALID_OPTION", () => {
    assert.deepEqual(hintsFor(undefined), []);
    assert.deepEqual(hintsFor(null as never), []);
    for (const wrong of [5, "trace", {}, [null], [{ type: 1 }]]) {
      assert.throws(() => hintsFor(wrong as never), {
        code: "INVALID_OPTION",
        message: /^hintsFor\(\) takes a login's trace/,
      });
    }
  });
});
