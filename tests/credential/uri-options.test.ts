import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConnectionString } from "@mongo-auth/core";
import { suggestName, URI_OPTION_NAMES } from "../../src/credential/uri-options.ts";

const parse = (query: string) => parseConnectionString(`mongodb://h/?${query}`);

describe("URI options: values", () => {
  it("types each value: integers, booleans, lists, tag sets, key:value pairs, w", () => {
    const { parsedOptions } = parse(
      "maxPoolSize=5&retryWrites=FALSE&compressors=zstd,zlib&readPreferenceTags=dc:ny,rack:1&readPreferenceTags=" +
        "&authMechanismProperties=SERVICE_NAME:svc&w=majority&zlibCompressionLevel=-1&maxStalenessSeconds=-1",
    );
    assert.deepEqual(parsedOptions, {
      maxPoolSize: 5,
      retryWrites: false,
      compressors: ["zstd", "zlib"],
      readPreferenceTags: [{ dc: "ny", rack: "1" }, {}],
      authMechanismProperties: { SERVICE_NAME: "svc" },
      w: "majority",
      zlibCompressionLevel: -1,
      maxStalenessSeconds: -1,
    });
    assert.equal(parse("w=2").parsedOptions.w, 2);
  });

  it("ignores a value an option does not accept, with a warning that names the option only", () => {
    for (
      const query of [
        "maxStalenessSeconds=-2",
        "heartbeatFrequencyMS=499",
        "proxyHost=p&proxyPort=70000",
        "serverMonitoringMode=push",
        "srvServiceName=-x-",
        "w=-1",
        "retryReads=yes",
      ]
    ) {
      const cs = query.startsWith("srv")
        ? parseConnectionString(`mongodb+srv://c.example.net/?${query}`)
        : parse(query);
      assert.equal(cs.warnings.length, 1, query);
      const name = query.split("&").at(-1)!.split("=")[0];
      assert.match(cs.warnings[0], new RegExp(`^the value of ${name} .* was ignored$`), query);
      assert.ok(!cs.warnings[0].includes(query.split("=").at(-1)!.slice(0, 5)), cs.warnings[0]);
      assert.equal(cs.options.has(name.toLowerCase()), false);
    }
  });

  it("says that a *MS option counts milliseconds when its value is a duration with a unit", () => {
    const cases: [string, string][] = [
      ["connectTimeoutMS=10s", "connectTimeoutMS=10000"],
      ["socketTimeoutMS=1.5s", "socketTimeoutMS=1500"],
      ["serverSelectionTimeoutMS=2m", "serverSelectionTimeoutMS=120000"],
      ["timeoutMS=250ms", "timeoutMS=250"],
      ["connecttimeoutms=5S", "connectTimeoutMS=5000"],
    ];
    for (const [query, written] of cases) {
      const key = query.split("=")[0];
      assert.deepEqual(parse(query).warnings, [
        `the value of ${key} in the connection string is not an integer ≥ ${
          key.startsWith("server") ? 1 : 0
        } ` +
        `and was ignored: it counts milliseconds, so write ${written}`,
      ]);
    }
    assert.doesNotMatch(parse("connectTimeoutMS=soon").warnings[0], /milliseconds/);
    assert.doesNotMatch(parse("maxStalenessSeconds=90s").warnings[0], /milliseconds/);
    // A value the option would refuse as well is not suggested.
    assert.doesNotMatch(parse("heartbeatFrequencyMS=0.1s").warnings[0], /milliseconds/);
    assert.match(parse("heartbeatFrequencyMS=10s").warnings[0], /write heartbeatFrequencyMS=10000$/);
  });

  it("keeps a maxStalenessSeconds below 90 for connect() to refuse, rather than ignore it and read stale data", () => {
    for (const seconds of [0, 30, 89]) {
      const cs = parse(`readPreference=secondary&maxStalenessSeconds=${seconds}`);
      assert.deepEqual(cs.warnings, []);
      assert.equal(cs.parsedOptions.maxStalenessSeconds, seconds);
    }
  });

  it("ignores empty integer and boolean values with a warning, keeps an empty string", () => {
    assert.equal(parse("maxIdleTimeMS=").warnings.length, 1);
    assert.equal(parse("journal=").warnings.length, 1);
    assert.deepEqual(parse("appName=").parsedOptions, { appName: "" });
  });

  it("refuses an empty replicaSet or TLS file, which no deployment or file could match (an unset variable)", () => {
    // Kept, replicaSet= made a set named "" that every member is "another set" of; tlsCAFile= read a file ''.
    for (const option of ["replicaSet", "tlsCAFile", "tlsCertificateKeyFile", "tlsCRLFile"]) {
      assert.throws(() => parse(`${option}=`), {
        code: "INVALID_OPTION",
        message:
          `the option ${option} is empty in the connection string: give it a value or remove it (is the ` +
          "variable meant to fill it set?)",
      });
    }
  });

  it("maps the deprecated wtimeout to wTimeoutMS, and ignores it when wTimeoutMS is also given", () => {
    const alone = parse("wtimeout=5");
    assert.equal(alone.parsedOptions.wTimeoutMS, 5);
    assert.match(alone.warnings[0], /deprecated; write wTimeoutMS/);
    const both = parse("wtimeout=5&wTimeoutMS=10");
    assert.equal(both.parsedOptions.wTimeoutMS, 10);
    assert.match(both.warnings[0], /wtimeout was ignored/);
  });

  it("makes tls and ssl values other than true or false errors, never a silent plaintext", () => {
    for (const query of ["tls=yes", "ssl=1", "tls=", "ssl="]) {
      assert.throws(() => parse(query), { code: "INVALID_OPTION", message: /plaintext/ }, query);
    }
    assert.equal(parse("tls=TRUE").parsedOptions.tls, true);
  });
});

describe("URI options: unknown names", () => {
  it("suggests the known name a typo or another case is closest to", () => {
    assert.equal(suggestName("authSorce", URI_OPTION_NAMES), "authSource");
    assert.equal(suggestName("connecttimeoutms", URI_OPTION_NAMES), "connectTimeoutMS");
    assert.equal(suggestName("tlsCaFile", URI_OPTION_NAMES), "tlsCAFile");
    assert.equal(suggestName("replicaset2", URI_OPTION_NAMES), "replicaSet");
    assert.equal(suggestName("foo", URI_OPTION_NAMES), undefined);
    assert.equal(suggestName("banana", URI_OPTION_NAMES), undefined);
  });

  it("matches names in any ASCII letter case, and no other letter: a Kelvin sign is not a k", () => {
    assert.equal(parse("AUTHMECHANISM=PLAIN").parsedOptions.authMechanism, "PLAIN");
    assert.equal(parse("tlsDisableOCSPEndpointCheck=true").parsedOptions.tlsDisableOCSPEndpointCheck, true);
    const kelvin = parse("tls=true&tlsDisableOCSPEndpointChec\u212A=true");
    assert.equal(kelvin.parsedOptions.tlsDisableOCSPEndpointCheck, undefined, "toLowerCase would make it k");
    assert.equal(kelvin.warnings.length, 1);
  });

  it("names an unknown option, but not text after a secret-valued option (a password split at '&')", () => {
    assert.deepEqual(parse("foo=bar").warnings, [
      'the option "foo" in the connection string is not a known option and was ignored',
    ]);
    const warnings = parse("tls=true&tlsCertificateKeyFilePassword=s3cr&3t=x").warnings;
    assert.equal(warnings.length, 1);
    assert.doesNotMatch(warnings[0], /s3cr|3t/);
    assert.match(warnings[0], /after tlsCertificateKeyFilePassword .*%26/);
  });

  it("ignores the Stable API in a connection string, saying to declare it in code (its specification)", () => {
    const { warnings, parsedOptions } = parse(
      "serverApi=1&apiVersion=1&APISTRICT=true&apiDeprecationErrors=true",
    );
    assert.equal(warnings.length, 4);
    for (const [i, name] of ["serverApi", "apiVersion", "APISTRICT", "apiDeprecationErrors"].entries()) {
      assert.equal(
        warnings[i],
        `the option "${name}" in the connection string was ignored: a Stable API version is declared in code, ` +
          `never in a connection string (the Stable API specification); pass serverApi: { version: "1" } ` +
          `to connect()`,
      );
    }
    assert.deepEqual(parsedOptions, {});
  });
});

describe("URI options: a hostile connection string costs work in proportion to its length", () => {
  // Hang bounds, not benchmarks: each string below took minutes before (an option's instances copied at
  // every repetition; every known name's full edit distance to a 1 MB key) and takes well under a second.
  const HANG_MS = 10_000;
  const timed = (uri: string) => {
    const started = performance.now();
    const cs = parseConnectionString(uri);
    return { cs, ms: performance.now() - started };
  };

  it("an option repeated 100 000 times: the last wins, one warning", () => {
    const { cs, ms } = timed(
      "mongodb://h/?" + Array.from({ length: 100_000 }, (_, i) => `appName=a${i}`).join("&"),
    );
    assert.equal(cs.parsedOptions.appName, "a99999");
    assert.deepEqual(cs.warnings, [
      "the option appName is given 100000 times in the connection string; the last wins",
    ]);
    assert.ok(ms < HANG_MS, `${ms} ms`);
  });

  it("readPreferenceTags 50 000 times: every tag set kept, in order", () => {
    const tags = Array.from({ length: 50_000 }, (_, i) => `readPreferenceTags=dc:${i}`).join("&");
    const { cs, ms } = timed(`mongodb://h/?readPreference=secondary&${tags}`);
    const sets = cs.parsedOptions.readPreferenceTags as Record<string, string>[];
    assert.equal(sets.length, 50_000);
    assert.deepEqual(sets.at(-1), { dc: "49999" });
    assert.ok(ms < HANG_MS, `${ms} ms`);
  });

  it("an unknown option named by a megabyte: ignored with a warning, no suggestion computed against it", () => {
    const { cs, ms } = timed(`mongodb://h/?${"a".repeat(1_000_000)}=x`);
    assert.equal(cs.warnings.length, 1);
    assert.doesNotMatch(cs.warnings[0], /did you mean/);
    assert.match(cs.warnings[0], /^the option "a{64}…" in the connection string is not a known option/);
    assert.ok(ms < HANG_MS, `${ms} ms`);
  });

  it("a key that is no option's name but userinfo or a connection string pasted into the query is not quoted", () => {
    for (
      const uri of [
        "mongodb://h/?appName=a&alice:s3cret=1",
        "mongodb://h/?mongodb%3A%2F%2Falice%3As3cret%40h2%2F=1",
      ]
    ) {
      const cs = parseConnectionString(uri);
      assert.equal(cs.warnings.length, 1, uri);
      assert.match(
        cs.warnings[0],
        /^the option \(not shown: it is no option's name\) in the connection string/,
        uri,
      );
      assert.doesNotMatch(cs.warnings[0], /s3cret/, uri);
    }
  });

  it("the suggestion still finds a near spelling after the bounded distance", () => {
    assert.equal(suggestName("connectTimeoutMs", URI_OPTION_NAMES), "connectTimeoutMS");
    assert.equal(suggestName("replicaset", URI_OPTION_NAMES), "replicaSet");
    assert.equal(suggestName("authMechanismProperites", URI_OPTION_NAMES), "authMechanismProperties");
    assert.equal(suggestName("zzzzzzzzzz", URI_OPTION_NAMES), undefined);
  });
});
