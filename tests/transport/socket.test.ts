// The socket failures every transport reports in the same words (the transports are tested end to end
// in tests/e2e/first-contact.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  closedDuringTlsHandshake,
  connectionRefused,
  denoTlsLimits,
  socketError,
  subjectOfLines,
  tlsFailure,
  unresolvableHost,
} from "../../src/transport/socket.ts";
import { TraceRecorder } from "../../src/core/trace.ts";
import { runtime } from "../support/transports.ts";

describe("socket errors", () => {
  it("name the host or peer, keep the runtime's error as cause, and say what to check", () => {
    const cause = new Error("getaddrinfo ENOTFOUND db.exmaple.net");
    const unresolvable = unresolvableHost("db.exmaple.net", "ENOTFOUND", cause);
    assert.equal(unresolvable.code, "CONNECTION_FAILED");
    assert.equal(unresolvable.cause, cause);
    assert.equal(
      unresolvable.message,
      "cannot resolve host db.exmaple.net (ENOTFOUND): check the host name in the connection string",
    );
    const refused = connectionRefused("127.0.0.1:27018", cause);
    assert.equal(refused.code, "CONNECTION_FAILED");
    assert.match(
      refused.message,
      /^cannot connect to 127\.0\.0\.1:27018: connection refused .*check the host, the port/,
    );
    const tls = closedDuringTlsHandshake("127.0.0.1:27017", cause);
    assert.equal(tls.code, "TLS_ERROR");
    assert.match(tls.message, /during the TLS handshake: it may not speak TLS, so remove tls=true/);
  });

  it("socketError reads Node's codes, Deno's names and a Worker's messages the same way", () => {
    const node = (code: string, message = code) => Object.assign(new Error(message), { code });
    const deno = (name: string, message = name) => Object.assign(new Error(message), { name });
    const cases: [unknown, boolean, string, RegExp][] = [
      [node("ENOTFOUND"), false, "CONNECTION_FAILED", /cannot resolve host db\.example \(ENOTFOUND\)/],
      [
        new Error("failed to lookup address information: Name or service not known"),
        false,
        "CONNECTION_FAILED",
        /cannot resolve host/,
      ],
      [node("ECONNREFUSED"), false, "CONNECTION_FAILED", /connection refused/],
      [deno("ConnectionRefused"), false, "CONNECTION_FAILED", /connection refused/],
      [node("ECONNRESET"), true, "TLS_ERROR", /closed the connection during the TLS handshake/],
      [deno("UnexpectedEof"), true, "TLS_ERROR", /closed the connection during the TLS handshake/],
      // A peer that answered the ClientHello in plaintext: OpenSSL (Node.js, Deno's node:tls), BoringSSL
      // (Bun), rustls (Deno.connectTls).
      [
        node(
          "ERR_SSL_WRONG_VERSION_NUMBER",
          "80EC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number",
        ),
        true,
        "TLS_ERROR",
        /^db\.example:27017 answered the TLS handshake with something other than TLS \(ERR_SSL_WRONG_VERSION_NUMBER\): it does not speak TLS on that port: remove tls=true, or check the port$/,
      ],
      [
        deno("InvalidData", "received corrupt message of type InvalidContentType"),
        true,
        "TLS_ERROR",
        /^db\.example:27017 answered the TLS handshake with something other than TLS \(received corrupt message of type InvalidContentType\)/,
      ],
      [
        node("CERT_HAS_EXPIRED", "certificate has expired"),
        true,
        "TLS_ERROR",
        /TLS handshake with db\.example:27017 failed/,
      ],
      [new Error("TLS handshake failed"), true, "TLS_ERROR", /TLS handshake with db\.example:27017 failed/],
      [
        new Error("Network connection lost."),
        false,
        "CONNECTION_FAILED",
        /cannot connect to db\.example:27017: Network connection lost/,
      ],
      // workerd's words for a refused port, and with TLS also for a handshake that fails.
      [
        new Error("proxy request failed, cannot connect to the specified address"),
        false,
        "CONNECTION_FAILED",
        /^cannot connect to db\.example:27017: proxy request failed, cannot connect to the specified address \(the Workers runtime says so when nothing accepts connections there: check the host and the port, and that the server runs\)$/,
      ],
      [
        new Error("proxy request failed, cannot connect to the specified address"),
        true,
        "CONNECTION_FAILED",
        /\(the Workers runtime says so when nothing accepts connections there and when the TLS handshake fails: check the host and the port, and that the server speaks TLS on it \(or remove tls=true\)\)$/,
      ],
    ];
    for (const [err, tls, code, message] of cases) {
      const reported = socketError(err, "db.example", 27017, tls);
      assert.equal(reported.code, code, String(err));
      assert.match(reported.message, message);
      assert.equal(reported.cause, err);
    }
  });

  it("say that an Atlas cluster's name resolves through mongodb+srv:// only, when an Atlas host does not resolve", () => {
    const notFound = Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    assert.equal(
      socketError(notFound, "cluster0.abcde.mongodb.net", 27017, true).message,
      "cannot resolve host cluster0.abcde.mongodb.net (ENOTFOUND): MongoDB Atlas names a cluster " +
        "(cluster0.abcde.mongodb.net) only in DNS SRV and TXT records, which mongodb+srv:// looks up: if this is " +
        "the cluster's name, write mongodb+srv:// before it; else check the host name in the connection string",
    );
    assert.match(
      socketError(notFound, "db.example.net", 27017, false).message,
      /^cannot resolve host db\.example\.net \(ENOTFOUND\): check the host name in the connection string$/,
    );
  });

  it("write an IPv6 literal in brackets, [::1]:27017, as a connection string does", () => {
    const node = (code: string, message = code) => Object.assign(new Error(message), { code });
    const cases: [unknown, boolean, RegExp][] = [
      [node("ECONNREFUSED"), false, /^cannot connect to \[::1\]:27017: connection refused/],
      [node("EADDRNOTAVAIL"), false, /^cannot connect to \[::1\]:27017: EADDRNOTAVAIL$/],
      [node("ECONNRESET"), true, /^\[::1\]:27017 closed the connection during the TLS handshake/],
      [node("CERT_HAS_EXPIRED", "certificate has expired"), true, /^TLS handshake with \[::1\]:27017 failed/],
    ];
    for (const [err, tls, message] of cases) {
      assert.match(socketError(err, "::1", 27017, tls).message, message);
    }
  });

  it("say why a UNIX domain socket did not open: no file, no permission, nothing listening", () => {
    const node = (code: string) => Object.assign(new Error(`connect ${code} /run/mongodb.sock`), { code });
    const deno = (name: string) => Object.assign(new Error(name), { name });
    const path = "/run/mongodb.sock";
    const cases: [unknown, RegExp][] = [
      [node("ENOENT"), /\(ENOENT\): no such file: check the path, and that mongod is running/],
      [deno("NotFound"), /\(NotFound\): no such file/],
      [node("EACCES"), /\(EACCES\): permission denied: .*net\.unixDomainSocket\.filePermissions/],
      [deno("PermissionDenied"), /\(PermissionDenied\): permission denied/],
      [node("ECONNREFUSED"), /\(ECONNREFUSED\): connection refused: nothing listens there/],
      [deno("ConnectionRefused"), /\(ConnectionRefused\): connection refused/],
    ];
    for (const [err, message] of cases) {
      const reported = socketError(err, path, 0, false);
      assert.equal(reported.code, "CONNECTION_FAILED");
      assert.match(reported.message, /^cannot connect to UNIX domain socket \/run\/mongodb\.sock /);
      assert.match(reported.message, message);
      assert.equal(reported.cause, err);
    }
    const denied = Object.assign(new Error('Requires read access to "/run/mongodb.sock"'), {
      name: "NotCapable",
    });
    assert.equal(
      socketError(denied, path, 0, false).message,
      'cannot connect to /run/mongodb.sock: Requires read access to "/run/mongodb.sock"',
    );
    assert.match(
      socketError(node("ECONNRESET"), path, 0, true).message,
      /^\/run\/mongodb\.sock closed the connection/,
    );
  });
});

describe("a refusal of OpenSSL's revocation check (tlsCRLFile)", () => {
  const node = (code: string, message: string) => Object.assign(new Error(message), { code });

  it("is TLS_ERROR with what to do, and a trace reason of its own", () => {
    const cases: [code: string, message: string, advice: RegExp, reason: string][] = [
      [
        "CERT_REVOKED",
        "certificate revoked",
        /the server needs a certificate that is not revoked/,
        "revoked",
      ],
      [
        "UNABLE_TO_GET_CRL",
        "unable to get certificate CRL",
        /add that CA's list to the file/,
        "revocation-list",
      ],
      ["CRL_HAS_EXPIRED", "CRL has expired", /fetch the CA's current list/, "revocation-list"],
      ["CRL_NOT_YET_VALID", "CRL is not yet valid", /check this machine's clock/, "revocation-list"],
      ["CRL_SIGNATURE_FAILURE", "CRL signature failure", /carry its CA's signature/, "revocation-list"],
      [
        "UNABLE_TO_GET_CRL_ISSUER",
        "unable to get CRL issuer certificate",
        /put the server's CA in tlsCAFile/,
        "revocation-list",
      ],
      [
        "UNHANDLED_CRITICAL_CRL_EXTENSION",
        "unhandled critical CRL extension",
        /give the CA's complete list/,
        "revocation-list",
      ],
      // Deno's own check names it; Node.js and Bun call it UNSPECIFIED, below.
      [
        "KEYUSAGE_NO_CRL_SIGN",
        "key usage does not include CRL signing",
        /needs a certificate with cRLSign/,
        "revocation-list",
      ],
    ];
    for (const [code, message, advice, reason] of cases) {
      const trace = new TraceRecorder();
      const error = socketError(node(code, message), "db.internal", 27017, true, trace);
      assert.equal(error.code, "TLS_ERROR", code);
      assert.ok(
        error.message.startsWith(`TLS handshake with db.internal:27017 failed: ${message} (`),
        error.message,
      );
      assert.match(error.message, advice);
      assert.equal((trace.events[0].attributes as { reason?: string }).reason, reason);
    }
  });

  it("reads OpenSSL's words where Node.js and Bun name the error UNSPECIFIED, for every refusal above", () => {
    // Observed: Node.js 20 and Bun name these three UNSPECIFIED (an unknown critical extension, a CA without
    // cRLSign, and Bun's refusal of a list with an issuing distribution point).
    const cases: [message: string, advice: RegExp][] = [
      ["certificate revoked", /not revoked/],
      ["unable to get certificate CRL", /add that CA's list to the file/],
      ["CRL has expired", /fetch the CA's current list/],
      ["CRL is not yet valid", /check this machine's clock/],
      ["CRL signature failure", /carry its CA's signature/],
      ["unable to decrypt CRL's signature", /carry its CA's signature/],
      ["unable to get CRL issuer certificate", /put the server's CA in tlsCAFile/],
      ["unhandled critical CRL extension", /give the CA's complete list/],
      ["Different CRL scope", /covers only part of its CA's certificates/],
      ["key usage does not include CRL signing", /its keyUsage lacks cRLSign/],
    ];
    for (const [message, advice] of cases) {
      const trace = new TraceRecorder();
      const error = socketError(node("UNSPECIFIED", message), "db.internal", 27017, true, trace);
      assert.equal(error.code, "TLS_ERROR", message);
      assert.ok(
        error.message.startsWith(`TLS handshake with db.internal:27017 failed: ${message} (`),
        error.message,
      );
      assert.match(error.message, advice);
      assert.ok(
        ["revoked", "revocation-list"].includes((trace.events[0].attributes as { reason?: string }).reason!),
        message,
      );
    }
    // Another verification error without a name is still the handshake's, as OpenSSL worded it.
    const other = socketError(
      node("UNSPECIFIED", "path length constraint exceeded"),
      "db.internal",
      27017,
      true,
    );
    assert.equal(other.code, "TLS_ERROR");
    assert.equal(
      other.message,
      "TLS handshake with db.internal:27017 failed: path length constraint exceeded",
    );
  });

  it("adds nothing to other codes, whatever their name", () => {
    for (const code of ["CERT_HAS_EXPIRED", "constructor", "toString"]) {
      const error = socketError(Object.assign(new Error("certificate trouble"), { code }), "h", 1, true);
      assert.equal(error.message, "TLS handshake with h:1 failed: certificate trouble");
    }
  });
});

describe("a chain that leads to no CA the client trusts", () => {
  const node = (code: string, message: string) => Object.assign(new Error(message), { code });

  it("says to give the CA with tlsCAFile when the chain leads to no trusted CA, and for Atlas that the network inspects TLS", () => {
    const deno = (message: string) => Object.assign(new Error(message), { name: "InvalidData" });
    const untrusted = [
      node("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"),
      node("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
      node("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate"),
      deno("invalid peer certificate: UnknownIssuer"),
    ];
    for (const err of untrusted) {
      const privateCa = socketError(err, "db.internal", 27017, true);
      assert.equal(privateCa.code, "TLS_ERROR");
      assert.ok(
        privateCa.message.startsWith(`TLS handshake with db.internal:27017 failed: ${err.message} (`),
      );
      assert.match(
        privateCa.message,
        /leads to no CA this runtime trusts: give the CA that signed it .* with tlsCAFile\)$/,
      );
      const atlas = socketError(err, "ac-abc-shard-00-00.abcde.mongodb.net", 27017, true);
      assert.match(
        atlas.message,
        /\(MongoDB Atlas's certificates lead to public CAs this runtime trusts, so something on this network presents its own: a company proxy or an antivirus that inspects TLS; give its CA with tlsCAFile/,
      );
    }
  });
});

describe("a chain signed with SHA-1 or MD5, or with a key too small", () => {
  // What Deno.connectTls (rustls) threw for a server whose certificate its CA signed with SHA-1 (Deno 2.9.6).
  const rustls = Object.assign(
    new Error(
      "invalid peer certificate: UnsupportedSignatureAlgorithmContext { signature_algorithm_id: [6, 9, 42, " +
        "134, 72, 134, 247, 13, 1, 1, 5, 5, 0], supported_algorithms: [0x06082a8648ce3d040302, " +
        "0x06082a8648ce3d040303, 0x06032b6570, 0x06092a864886f70d01010b0500, 0x06092a864886f70d01010c0500] }",
    ),
    { name: "InvalidData" },
  );

  it("on Deno names the algorithm rustls refused instead of its list of bytes, and says what to do", () => {
    const trace = new TraceRecorder();
    const error = socketError(rustls, "db.internal", 27017, true, trace);
    assert.equal(error.code, "TLS_ERROR");
    assert.ok(
      error.message.startsWith(
        "TLS handshake with db.internal:27017 failed: invalid peer certificate: signed with " +
          "sha1WithRSAEncryption, which this runtime's TLS does not accept (",
      ),
      error.message,
    );
    assert.match(error.message, /needs a certificate signed with SHA-256 or better\)$/);
    assert.doesNotMatch(error.message, /supported_algorithms|0x06/);
    const attributes = trace.events[0].attributes as { reason?: string; detail?: string };
    assert.equal(attributes.reason, "weak-certificate");
    assert.match(attributes.detail!, /signed with sha1WithRSAEncryption/);
    // Without the algorithm's bytes (another rustls version), no name.
    const bare = Object.assign(new Error("invalid peer certificate: UnsupportedSignatureAlgorithm"), {
      name: "InvalidData",
    });
    assert.match(
      socketError(bare, "h", 1, true).message,
      /signed with an algorithm, which this runtime's TLS/,
    );
    // The handshake's own signature, not a certificate's: left as rustls said it.
    const handshake = Object.assign(new Error("peer misbehaved: UnsupportedSignatureAlgorithm"), {
      name: "InvalidData",
    });
    assert.equal(
      socketError(handshake, "h", 1, true).message,
      "TLS handshake with h:1 failed: peer misbehaved: UnsupportedSignatureAlgorithm",
    );
  });

  it("on Node.js reads OpenSSL's words under UNSPECIFIED (CA_MD_TOO_WEAK, EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL)", () => {
    for (
      const message of [
        "CA signature digest algorithm too weak",
        "EE certificate key too weak",
        "CA certificate key too weak",
      ]
    ) {
      const trace = new TraceRecorder();
      const error = socketError(
        Object.assign(new Error(message), { code: "UNSPECIFIED" }),
        "db.internal",
        27017,
        true,
        trace,
      );
      assert.equal(error.code, "TLS_ERROR");
      assert.match(error.message, new RegExp(`failed: ${message} \\(.*SHA-256 or better\\)$`));
      assert.equal((trace.events[0].attributes as { reason?: string }).reason, "weak-certificate");
    }
  });
});

describe("a failed TLS handshake, for the trace", () => {
  const node = (code: string, message: string, extra: object = {}) =>
    Object.assign(new Error(message), { code, ...extra });
  const deno = (name: string, message: string) => Object.assign(new Error(message), { name });

  it("says what each runtime's error shows it was", () => {
    const cases: [unknown, string][] = [
      [
        node("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"),
        "hostname-mismatch",
      ],
      [
        deno("InvalidData", 'invalid peer certificate: certificate not valid for name "10.0.0.5"'),
        "hostname-mismatch",
      ],
      [deno("InvalidData", "invalid peer certificate: NotValidForName"), "hostname-mismatch"],
      [node("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"), "untrusted"],
      [node("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"), "untrusted"],
      [deno("InvalidData", "invalid peer certificate: UnknownIssuer"), "untrusted"],
      [node("CERT_HAS_EXPIRED", "certificate has expired"), "expired"],
      [deno("InvalidData", "invalid peer certificate: Expired"), "expired"],
      [
        node("ECONNRESET", "Client network socket disconnected before secure TLS connection was established"),
        "not-tls",
      ],
      [node("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number"), "not-tls"],
      [deno("UnexpectedEof", "unexpected end of file"), "not-tls"],
      // rustls's words when the peer hangs up, which the error reads as a hang-up during the handshake too.
      [new Error("peer closed connection without sending TLS close_notify"), "not-tls"],
      [deno("InvalidData", "received corrupt message of type InvalidContentType"), "not-tls"],
      [new Error("error:1C800064:Provider routines::bad decrypt"), "client-certificate"],
      [new Error("something else"), "other"],
    ];
    for (const [err, reason] of cases) assert.equal(tlsFailure(err).reason, reason, String(err));
  });

  it("keeps the certificate's names where the runtime shows them (Node.js and Bun on the error, rustls in its words)", () => {
    const mismatch = node(
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "Host: x. is not in the cert's altnames: DNS:db.example.net",
      {
        cert: {
          subject: { O: "Example", CN: "db.example.net" },
          subjectaltname: "DNS:db.example.net, IP Address:10.0.0.9",
        },
      },
    );
    assert.deepEqual(tlsFailure(mismatch), {
      reason: "hostname-mismatch",
      detail: "Host: x. is not in the cert's altnames: DNS:db.example.net",
      serverSubject: "CN=db.example.net,O=Example",
      serverAltNames: ["DNS:db.example.net", "IP:10.0.0.9"],
    });
    const rustls = deno(
      "InvalidData",
      'invalid peer certificate: certificate not valid for name "x"; certificate is only valid for DnsName("a.example") or IpAddress("10.0.0.9")',
    );
    assert.deepEqual(tlsFailure(rustls).serverAltNames, ["DNS:a.example", "IP:10.0.0.9"]);
  });

  it("socketError records the failure as tls.failed when a trace is given, and only for TLS errors", () => {
    const trace = new TraceRecorder();
    socketError(node("ECONNREFUSED", "refused"), "db.example", 27017, true, trace);
    assert.equal(trace.events.length, 0);
    socketError(node("CERT_HAS_EXPIRED", "certificate has expired"), "db.example", 27017, true, trace);
    assert.deepEqual(trace.events.map((e) => [e.type, e.attributes]), [[
      "tls.failed",
      { host: "db.example", port: 27017, reason: "expired", detail: "certificate has expired" },
    ]]);
  });

  it("a subject as the runtimes print it becomes mongod's order: most specific first", () => {
    assert.equal(subjectOfLines("C=US\nST=State\nO=Example\nCN=client"), "CN=client,O=Example,ST=State,C=US");
    assert.equal(subjectOfLines("O=Example\nCN=escaped + UID=u42"), "CN=escaped+UID=u42,O=Example");
  });
});

describe("what Deno's TLS can do (denoTlsLimits)", () => {
  it("from Deno 2.8 (this Deno): pinning, revocation lists, skipping verification; before it (as on a runtime without Deno): each refused, saying to upgrade", () => {
    const limits = denoTlsLimits();
    if (runtime === "deno") {
      assert.deepEqual(limits, {
        customCA: true,
        certificateRevocationLists: true,
        skipCertificateVerification: true,
      });
      return;
    }
    for (
      const capability of [
        limits.customCA,
        limits.certificateRevocationLists,
        limits.skipCertificateVerification,
      ]
    ) {
      assert.match((capability as { instead: string }).instead, /upgrade to Deno 2\.8 or later/);
    }
  });
});
