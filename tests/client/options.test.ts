import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConnectionString } from "@mongo-auth/core";
import { connectSettings } from "../../src/client/options.ts";

const settings = (uri: string, options = {}) => connectSettings(parseConnectionString(uri), options);
// A runtime with zstd: what the codec does is the transport's (tests/transport/zstd.test.ts), not read here.
const ZSTD_RUNTIME = {
  platform: "Deno 2.9.6",
  zstd: {
    compress: () => Promise.reject(new Error("unused")),
    decompress: () => Promise.reject(new Error("unused")),
  },
};

describe("connect options", () => {
  it("defaults: no TLS, 10 s to connect, 60 s per command", () => {
    assert.deepEqual(settings("mongodb://h/"), {
      tls: undefined,
      proxy: undefined,
      connectTimeoutMS: 10_000,
      socketTimeoutMS: 60_000,
      timeoutMS: undefined,
      appName: undefined,
      driverInfo: undefined,
      srvServiceName: "mongodb",
      srvMaxHosts: 0,
      maxConnecting: 100,
      selection: {
        readPreference: { mode: "primary" },
        serverSelectionTimeoutMS: 30_000,
        serverSelectionTryOnce: true,
        localThresholdMS: 15,
        heartbeatFrequencyMS: 60_000,
      },
      apiParameters: undefined,
      compressors: undefined,
      warnings: [],
    });
  });

  it("compressors: from either source (options winning), in order; what mongo-auth lacks left out with a warning", () => {
    assert.deepEqual(settings("mongodb://h/?compressors=zlib").compressors, ["zlib"]);
    assert.deepEqual(settings("mongodb://h/?compressors=zstd", { compressors: ["zlib"] }).compressors, [
      "zlib",
    ]);
    assert.deepEqual(settings("mongodb://h/?compressors=zlib,snappy").compressors, ["zlib", "snappy"]);
    const mixed = settings("mongodb://h/?compressors=zstd,snappy,lz4,zlib,snappy");
    assert.deepEqual(mixed.compressors, ["snappy", "zlib"]);
    assert.deepEqual(mixed.warnings, [
      'compressors: "zstd" was left out: this runtime has no zstd (Node.js 22.15 and later, Deno and Bun have ' +
      "it); snappy and zlib work everywhere",
      'compressors: "lz4" is not a compressor mongo-auth implements (it compresses with snappy, zlib and zstd) ' +
      "and was left out",
    ]);
    const none = settings("mongodb://h/?compressors=zstd");
    assert.equal(none.compressors, undefined);
    assert.equal(none.warnings.length, 1);
    // The official driver's "none": no compression, nothing to warn about.
    assert.deepEqual(settings("mongodb://h/", { compressors: ["none"] }), settings("mongodb://h/"));
    assert.throws(() => settings("mongodb://h/", { compressors: "zlib" }), {
      code: "INVALID_OPTION",
      message: /compressors/,
    });
  });

  it("compressors: zstd where the transport has a codec, in the list's place; the warning names the runtime", () => {
    const uri = parseConnectionString("mongodb://h/?compressors=snappy,zstd,zlib,zstd");
    const withZstd = connectSettings(uri, {}, ZSTD_RUNTIME);
    assert.deepEqual(withZstd.compressors, ["snappy", "zstd", "zlib"]);
    assert.deepEqual(withZstd.warnings, []);
    const without = connectSettings(uri, {}, { platform: "Node.js v20.20.2" });
    assert.deepEqual(without.compressors, ["snappy", "zlib"]);
    // Said once, however often the list names it.
    assert.deepEqual(without.warnings, [
      'compressors: "zstd" was left out: Node.js v20.20.2 has no zstd (Node.js 22.15 and later, Deno and Bun ' +
      "have it); snappy and zlib work everywhere",
    ]);
  });

  it("zlibCompressionLevel: zlib's default level only, said when another is asked for", () => {
    for (const level of [-1, 6]) {
      assert.deepEqual(settings(`mongodb://h/?compressors=zlib&zlibCompressionLevel=${level}`).warnings, []);
    }
    assert.deepEqual(settings("mongodb://h/?compressors=zlib&zlibCompressionLevel=9").warnings, [
      "zlibCompressionLevel=9 was ignored: mongo-auth compresses with the runtime's CompressionStream, at zlib's " +
      "default level (6)",
    ]);
    // Without zlib the level has no meaning, and the specification wants no warning.
    assert.deepEqual(settings("mongodb://h/?zlibCompressionLevel=9").warnings, []);
  });

  it("timeoutMS: unset by default, from either source (options winning), 0 kept, a bad value refused", () => {
    assert.equal(settings("mongodb://h/").timeoutMS, undefined);
    assert.equal(settings("mongodb://h/?timeoutMS=500").timeoutMS, 500);
    assert.equal(settings("mongodb://h/?timeoutMS=500", { timeoutMS: 0 }).timeoutMS, 0);
    assert.equal(settings("mongodb://h/", { timeoutMS: 1500 }).timeoutMS, 1500);
    for (const bad of [-1, 1.5, "soon"]) {
      assert.throws(() => settings("mongodb://h/", { timeoutMS: bad }), {
        code: "INVALID_OPTION",
        message: /option timeoutMS must be a whole number of milliseconds ≥ 0/,
      });
    }
  });

  it("serverApi: the fields every command carries, flags only when given; a known option", () => {
    assert.deepEqual(settings("mongodb://h/", { serverApi: "1" }).apiParameters, { apiVersion: "1" });
    const declared = settings("mongodb://h/", { serverApi: { version: "1", strict: false } });
    assert.deepEqual(declared.apiParameters, { apiVersion: "1", apiStrict: false });
    assert.deepEqual(declared.warnings, []);
    assert.throws(() => settings("mongodb://h/", { serverApi: { version: "2" } }), {
      code: "INVALID_OPTION",
      message: /serverApi\.version must be "1"/,
    });
  });

  it("takes maxConnecting from either source, and refuses one that is not a whole number ≥ 1", () => {
    assert.equal(settings("mongodb://h/?maxConnecting=3").maxConnecting, 3);
    assert.equal(settings("mongodb://h/?maxConnecting=3", { maxConnecting: 5 }).maxConnecting, 5);
    for (const bad of [0, -1, 1.5, "two", Number.NaN]) {
      assert.throws(() => settings("mongodb://h/", { maxConnecting: bad }), {
        code: "INVALID_OPTION",
        message: /maxConnecting/,
      });
    }
    // The connection string's maxConnecting=0 is ignored with a warning, as the URI options spec says.
    assert.equal(settings("mongodb://h/?maxConnecting=0").maxConnecting, 100);
  });

  it("a SOCKS5 proxy: port 1080 by default, credentials only when both are non-empty, options winning", () => {
    assert.deepEqual(settings("mongodb://h/?proxyHost=proxy.example").proxy, {
      host: "proxy.example",
      port: 1080,
    });
    assert.deepEqual(
      settings("mongodb://h/?proxyHost=p&proxyPort=1081&proxyUsername=u&proxyPassword=pw").proxy,
      { host: "p", port: 1081, username: "u", password: "pw" },
    );
    // The SOCKS5 specification: a zero-length user name or password is ignored.
    assert.deepEqual(settings("mongodb://h/?proxyHost=p&proxyUsername=&proxyPassword=").proxy, {
      host: "p",
      port: 1080,
    });
    assert.deepEqual(
      settings("mongodb://h/?proxyHost=p&proxyPort=1081", { proxyHost: "q", proxyPort: 1082 }).proxy,
      { host: "q", port: 1082 },
    );
    assert.equal(settings("mongodb://h/").proxy, undefined);
    assert.throws(() => settings("mongodb://h/?proxyHost=p&proxyPort=0"), {
      code: "INVALID_OPTION",
      message: "option proxyPort must be a port number, 1 to 65535",
    });
    assert.throws(() => settings("mongodb://h/", { proxyHost: "p", proxyPort: 70_000 }), {
      code: "INVALID_OPTION",
    });
    // A port is a number or its digits: true is not port 1, and a symbol is refused, not a TypeError.
    for (const proxyPort of [true, Symbol("port"), [1080], " 1080"]) {
      assert.throws(
        () => settings("mongodb://h/", { proxyHost: "p", proxyPort: proxyPort as unknown as number }),
        {
          code: "INVALID_OPTION",
          message: "option proxyPort must be a port number, 1 to 65535",
        },
      );
    }
    assert.equal(
      settings("mongodb://h/", { proxyHost: "p", proxyPort: "1081" as unknown as number }).proxy?.port,
      1081,
    );
    assert.throws(() => settings("mongodb://h/", { proxyPort: 1080 }), {
      code: "INVALID_OPTION",
      message: "proxyPort needs proxyHost",
    });
    assert.throws(() => settings("mongodb://h/", { proxyHost: "p", proxyUsername: "u" }), {
      code: "INVALID_OPTION",
      message: /proxyUsername and proxyPassword go together/,
    });
  });

  it("turns TLS on for mongodb+srv:// unless told otherwise", () => {
    assert.ok(settings("mongodb+srv://cluster0.example.net/").tls);
    assert.equal(settings("mongodb+srv://cluster0.example.net/?tls=false").tls, undefined);
  });

  it("reads TLS settings from the connection string, case-insensitively", () => {
    const tls = settings("mongodb://h/?TLS=true&tlsCAFile=%2Fca.pem&tlsAllowInvalidHostnames=true").tls!;
    assert.equal(tls.caFile, "/ca.pem");
    assert.equal(tls.allowInvalidHostnames, true);
    assert.equal(tls.allowInvalidCertificates, false);
  });

  it("lets options win over the connection string", () => {
    const s = settings("mongodb://h/?tls=false&connectTimeoutMS=5&appName=uri", {
      tls: true,
      connectTimeoutMS: 7,
      appName: "opt",
    });
    assert.ok(s.tls);
    assert.equal(s.connectTimeoutMS, 7);
    assert.equal(s.appName, "opt");
  });

  it("takes driverInfo as an option only, one library or a list, each once", () => {
    assert.deepEqual(settings("mongodb://h/", { driverInfo: { name: "odm", version: "2" } }).driverInfo, [
      { name: "odm", version: "2" },
    ]);
    assert.deepEqual(
      settings("mongodb://h/", { driverInfo: [{ name: "a" }, { name: "a" }, { name: "b" }] }).driverInfo,
      [
        { name: "a" },
        { name: "b" },
      ],
    );
    assert.throws(() => settings("mongodb://h/", { driverInfo: { name: "a|b" } }), {
      code: "INVALID_OPTION",
    });
    const fromUri = parseConnectionString("mongodb://h/?driverInfo=odm");
    assert.match(fromUri.warnings.join("\n"), /driverInfo/);
  });

  it("tlsCRLFile: a TLS file (TLS must be on), and refused where it would change nothing", () => {
    assert.equal(settings("mongodb://h/?tls=true&tlsCRLFile=%2Fca%2Fcrl.pem").tls?.crlFile, "/ca/crl.pem");
    assert.equal(
      settings("mongodb://h/", { tls: true, tlsCRLFile: "/ca/crl.pem" }).tls?.crlFile,
      "/ca/crl.pem",
    );
    assert.deepEqual(parseConnectionString("mongodb://h/?tls=true&tlsCRLFile=x").warnings, []);
    assert.throws(() => settings("mongodb://h/?tlsCRLFile=x"), {
      code: "INVALID_OPTION",
      message: "TLS files were given but TLS is off: add tls=true",
    });
    for (const off of ["tlsAllowInvalidCertificates=true", "tlsInsecure=true"]) {
      assert.throws(() => settings(`mongodb://h/?tls=true&tlsCRLFile=x&${off}`), {
        code: "INVALID_OPTION",
        message:
          /^tlsCRLFile would change nothing: tlsAllowInvalidCertificates \(or tlsInsecure\) accepts any/,
      });
    }
    assert.throws(
      () => settings("mongodb://h/?tls=true&tlsCRLFile=x&tlsDisableCertificateRevocationCheck=true"),
      {
        code: "INVALID_OPTION",
        message: /tlsDisableCertificateRevocationCheck=true turns revocation checking off/,
      },
    );
    const on = settings("mongodb://h/?tls=true&tlsCRLFile=x&tlsDisableCertificateRevocationCheck=false");
    assert.equal(on.tls?.crlFile, "x");
  });

  it("tlsInsecure means both unsafe flags", () => {
    const tls = settings("mongodb://h/?tls=true&tlsInsecure=true").tls!;
    assert.equal(tls.allowInvalidCertificates, true);
    assert.equal(tls.allowInvalidHostnames, true);
  });

  it("ssl is an alias of tls and must not contradict it", () => {
    assert.ok(settings("mongodb://h/?ssl=true").tls);
    assert.throws(() => settings("mongodb://h/?tls=true&ssl=false"), { code: "INVALID_OPTION" });
  });

  it("rejects values of the wrong shape in the options with INVALID_OPTION naming the option", () => {
    assert.throws(() => settings("mongodb://h/?tls=yes"), { code: "INVALID_OPTION", message: /tls/ });
    assert.throws(() => settings("mongodb://h/", { connectTimeoutMS: -1 }), {
      code: "INVALID_OPTION",
      message: /connectTimeoutMS/,
    });
    assert.throws(() => settings("mongodb://h/", { socketTimeoutMS: 1.5 }), { code: "INVALID_OPTION" });
    assert.throws(() => settings("mongodb://h/", { tlsCertificateKey: { cert: "x" } }), {
      code: "INVALID_OPTION",
    });
  });

  it("refuses TLS files while TLS is off instead of ignoring them", () => {
    assert.throws(() => settings("mongodb://h/?tlsCAFile=%2Fca.pem"), {
      code: "INVALID_OPTION",
      message: /tls=true/,
    });
  });

  it("warns about each key it does not take, suggesting the right name (Mongoose's user and pass too)", () => {
    const options = {
      connectTimeoutMs: 1,
      tlsCaFile: "x",
      maxPoolSize: 5,
      banana: 1,
      user: "alice",
      pass: "pw",
      appName: "ok",
    };
    assert.deepEqual(settings("mongodb://h/", options).warnings, [
      'the option "connectTimeoutMs" given to connect() is not one it takes and was ignored (did you mean connectTimeoutMS? option names are case-sensitive here)',
      'the option "tlsCaFile" given to connect() is not one it takes and was ignored (did you mean tlsCAFile? option names are case-sensitive here)',
      'the option "maxPoolSize" given to connect() is not one it takes and was ignored (connect() opens one connection; in a connection string it is validated but not acted on)',
      'the option "banana" given to connect() is not one it takes and was ignored',
      'the option "user" given to connect() is not one it takes and was ignored (did you mean username?)',
      'the option "pass" given to connect() is not one it takes and was ignored (did you mean password?)',
    ]);
    assert.deepEqual(settings("mongodb://h/", { appName: "ok", signal: undefined }).warnings, []);
  });

  it("refuses an srvMaxHosts of the wrong type before the rules compare it with 0", () => {
    for (const srvMaxHosts of [Symbol("n"), "x", -1, 1.5]) {
      assert.throws(() => settings("mongodb+srv://c.example.net/", { srvMaxHosts: srvMaxHosts as number }), {
        code: "INVALID_OPTION",
        message: "option srvMaxHosts must be a whole number of hosts ≥ 0",
      });
    }
  });

  it("takes srvServiceName and srvMaxHosts for mongodb+srv, from either source", () => {
    const s = settings("mongodb+srv://c.example.net/?srvServiceName=custom", { srvMaxHosts: 3 });
    assert.equal(s.srvServiceName, "custom");
    assert.equal(s.srvMaxHosts, 3);
    assert.throws(() => settings("mongodb+srv://c.example.net/", { srvServiceName: "-bad-" }), {
      code: "INVALID_OPTION",
      message: /srvServiceName/,
    });
  });

  it("ignores an invalid value in the connection string (with a warning there) and uses the default", () => {
    const cs = parseConnectionString("mongodb://h/?connectTimeoutMS=-2&socketTimeoutMS=soon");
    assert.equal(cs.warnings.length, 2);
    const s = connectSettings(cs, {});
    assert.equal(s.connectTimeoutMS, 10_000);
    assert.equal(s.socketTimeoutMS, 60_000);
  });
});
