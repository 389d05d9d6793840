import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, parseConnectionString } from "@mongo-auth/core";

/** Asserts that parsing fails with INVALID_URI and that the message does not leak `secret`. */
function assertInvalid(uri: string, secret?: string): MongoAuthError {
  let caught: unknown;
  try {
    parseConnectionString(uri);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MongoAuthError, `expected a MongoAuthError for ${uri}`);
  assert.equal(caught.code, "INVALID_URI");
  if (secret !== undefined) assert.ok(!caught.message.includes(secret), caught.message);
  return caught;
}

describe("parseConnectionString: scheme", () => {
  it("accepts mongodb:// and mongodb+srv://", () => {
    assert.equal(parseConnectionString("mongodb://localhost").scheme, "mongodb");
    assert.equal(parseConnectionString("mongodb+srv://cluster0.example.com").scheme, "mongodb+srv");
  });

  it("rejects an empty string, other schemes and a missing scheme", () => {
    for (const uri of ["", "mongo://localhost:27017", "http://localhost", "localhost:27017", "MONGODB://x"]) {
      assertInvalid(uri);
    }
  });

  it("rejects a value that is not a string", () => {
    assert.throws(() => parseConnectionString(42 as unknown as string), {
      code: "INVALID_URI",
      message: "the connection string must be a string, got number",
    });
  });

  it("says that undefined or an empty string is most often an environment variable that is not set", () => {
    for (const value of [undefined, null]) {
      assert.throws(() => parseConnectionString(value as unknown as string), {
        code: "INVALID_URI",
        message:
          `the connection string is ${value}: is the environment variable or secret meant to hold it set ` +
          "here (its name, the .env file loaded)?",
      });
    }
    for (const value of ["", " \n"]) {
      assert.equal(
        assertInvalid(value).message,
        "the connection string must start with mongodb:// or mongodb+srv://: it is empty (an environment " +
          "variable empty or not set?)",
      );
    }
  });

  it("says what stands where the scheme should: quotes, a variable's name, capitals, a slash short, another scheme or none, never the rest", () => {
    const quotes = ": remove the quotes around it (a shell, an .env file or JSON may have kept them)";
    const cases: [string, string][] = [
      ['"mongodb://u:s3cret@h/"', quotes],
      ["'mongodb+srv://u:s3cret@cluster0.example.com/'", quotes],
      [
        "MONGODB_URI=mongodb://u:s3cret@h/",
        ": it starts with \"MONGODB_URI=\", so pass only what follows the '='",
      ],
      ["MongoDB://u:s3cret@h/", ": write the scheme in lower case"],
      ["mongodb:/u:s3cret@h/", ": write two slashes after the colon"],
      ["mongodb+srv:u:s3cret@cluster0.example.com/", ": write two slashes after the colon"],
      ["mongo://u:s3cret@h/", ", not mongo://"],
      ["Postgres://u:s3cret@h/", ", not postgres://"],
      [
        "https://u:s3cret@cloud.mongodb.com/",
        ", not https:// (a web page's: Atlas's Connect dialog gives the string)",
      ],
      ...["u:s3cret@h:27017", "localhost:27017", "s3cret"].map((uri): [string, string] => [
        uri,
        ": put mongodb:// before the host, or mongodb+srv:// before an Atlas cluster's name",
      ]),
    ];
    for (const [uri, advice] of cases) {
      const err = assertInvalid(uri, "s3cret");
      assert.equal(
        err.message,
        `the connection string must start with mongodb:// or mongodb+srv://${advice}`,
      );
    }
  });

  it("ignores white space around the string, as the official driver does (a line break read from a file), with a warning", () => {
    for (const uri of ["mongodb://h/app\n", "  mongodb://h/app \r\n", "\tmongodb://h/app"]) {
      const cs = parseConnectionString(uri);
      assert.equal(cs.database, "app", JSON.stringify(uri));
      assert.deepEqual(cs.warnings, [
        "the connection string had white space (a line break, say) before or after it, which was ignored",
      ]);
    }
    assert.deepEqual(parseConnectionString("mongodb://h/app").warnings, []);
  });
});

describe("parseConnectionString: hosts", () => {
  it("gives port 27017 to hosts without one and keeps explicit ports", () => {
    const cs = parseConnectionString("mongodb://127.0.0.1,example.com:27018,db3:1/");
    assert.deepEqual(cs.hosts, [
      { host: "127.0.0.1", port: 27017 },
      { host: "example.com", port: 27018 },
      { host: "db3", port: 1 },
    ]);
  });

  it("accepts IPv6 literals in brackets and strips the brackets", () => {
    const cs = parseConnectionString("mongodb://alice:secret@example.com,[::1]:27019,[fe80::1:2]/admin");
    assert.deepEqual(cs.hosts, [
      { host: "example.com", port: 27017 },
      { host: "::1", port: 27019 },
      { host: "fe80::1:2", port: 27017 },
    ]);
  });

  it("lower-cases host names", () => {
    assert.deepEqual(parseConnectionString("mongodb://DB1.Example.COM:27017").hosts, [
      { host: "db1.example.com", port: 27017 },
    ]);
  });

  it("accepts the highest port", () => {
    assert.equal(parseConnectionString("mongodb://localhost:65535").hosts[0].port, 65535);
  });

  it("rejects invalid ports (connection-string spec invalid-uris)", () => {
    for (
      const uri of [
        "mongodb://localhost:-1",
        "mongodb://localhost:0/",
        "mongodb://localhost:65536",
        "mongodb://localhost:65536/",
        "mongodb://localhost:foo",
        "mongodb://localhost:",
        "mongodb://localhost:1e3",
        "mongodb://[::1]:-1",
        "mongodb://[::1]:0/",
        "mongodb://[::1]:65536",
        "mongodb://[::1]:65536/",
        "mongodb://[::1]:foo",
        "mongodb://[::1]:",
      ]
    ) assertInvalid(uri);
  });

  it("rejects double colons and unbracketed IPv6 addresses", () => {
    for (
      const uri of [
        "mongodb://localhost::27017",
        "mongodb://localhost::27017/",
        "mongodb://::",
        "mongodb://localhost,localhost::",
        "mongodb://localhost::27017,abc",
        "mongodb://::1",
      ]
    ) assertInvalid(uri);
    assert.match(assertInvalid("mongodb://::1").message, /\[::1\]/);
  });

  it("rejects malformed IP literals", () => {
    for (const uri of ["mongodb://[::1", "mongodb://[::1]x", "mongodb://[]", "mongodb://[not-ipv6]"]) {
      assertInvalid(uri);
    }
  });

  it("rejects a missing host and empty hosts in the list", () => {
    for (
      const uri of ["mongodb://", "mongodb:///db", "mongodb://a,,b", "mongodb://a,", "mongodb://user:pw@/db"]
    ) {
      assertInvalid(uri);
    }
  });

  it("parses percent-encoded UNIX domain socket paths, case kept; an unescaped '/' is an error", () => {
    assert.deepEqual(parseConnectionString("mongodb://%2Ftmp%2FMongoDB-27017.sock/db").hosts, [
      { host: "/tmp/MongoDB-27017.sock", port: 0 },
    ]);
    assert.deepEqual(parseConnectionString("mongodb://rel%2Fa.sock,db.example.com:27018").hosts, [
      { host: "rel/a.sock", port: 0 },
      { host: "db.example.com", port: 27018 },
    ]);
    assert.match(assertInvalid("mongodb:///tmp/mongodb-27017.sock/").message, /no host/);
    assert.match(assertInvalid("mongodb://%2Ftmp%2Fmongodb-27017/db").message, /\.sock/);
    assertInvalid("mongodb+srv://%2Ftmp%2Fmongodb-27017.sock");
  });

  it("requires exactly one host without a port for mongodb+srv", () => {
    assert.deepEqual(parseConnectionString("mongodb+srv://test5.test.mongodb.com/app").hosts.length, 1);
    assertInvalid("mongodb+srv://test5.test.mongodb.com,test6.test.mongodb.com");
    assert.equal(
      assertInvalid("mongodb+srv://test7.test.mongodb.com:27018").message,
      "a mongodb+srv:// host must not have a port (its SRV records give the ports): remove it, or write " +
        "mongodb://host:port to reach that one server",
    );
  });
});

describe("parseConnectionString: userinfo", () => {
  it("has no username or password without userinfo", () => {
    const cs = parseConnectionString("mongodb://localhost/db");
    assert.equal(cs.username, undefined);
    assert.equal(cs.password, undefined);
    assert.ok(!("username" in cs) && !("password" in cs));
  });

  it("splits username and password at the first colon", () => {
    const cs = parseConnectionString("mongodb://alice:foo@127.0.0.1/test");
    assert.equal(cs.username, "alice");
    assert.equal(cs.password, "foo");
  });

  it("distinguishes no password, an empty password and an empty username", () => {
    const noPassword = parseConnectionString("mongodb://alice@127.0.0.1");
    assert.equal(noPassword.username, "alice");
    assert.equal(noPassword.password, undefined);
    assert.equal(parseConnectionString("mongodb://alice:@127.0.0.1").password, "");
    const empty = parseConnectionString("mongodb://@localhost/");
    assert.equal(empty.username, "");
    assert.equal(empty.password, undefined);
    const both = parseConnectionString("mongodb://:@localhost/");
    assert.equal(both.username, "");
    assert.equal(both.password, "");
  });

  it("percent-decodes username and password", () => {
    const cs = parseConnectionString("mongodb://%24am:f%3Azzb%40z%2Fz%3D@127.0.0.1/admin%3F");
    assert.equal(cs.username, "$am");
    assert.equal(cs.password, "f:zzb@z/z=");
    assert.equal(cs.database, "admin?");
    assert.equal(parseConnectionString("mongodb://%40l%3Ace%2F%3D@example.com/my%3Ddb").username, "@l:ce/=");
    assert.equal(parseConnectionString("mongodb://u:p%C3%A4ss%20w@h").password, "päss w");
  });

  it("does not decode '+' as a space", () => {
    assert.equal(parseConnectionString("mongodb://u:a+b@h").password, "a+b");
  });

  it("accepts sub-delimiters unescaped", () => {
    const cs = parseConnectionString("mongodb://!$&'()*+,;=:!$&'()*+,;=@127.0.0.1/admin?authMechanism=PLAIN");
    assert.equal(cs.username, "!$&'()*+,;=");
    assert.equal(cs.password, "!$&'()*+,;=");
    assert.equal(cs.database, "admin");
  });

  it("rejects unescaped ':', '@', '/' and '?' in userinfo, saying which part holds which character and how to write it, without quoting the password", () => {
    const cases = [
      [
        "mongodb://alice:foo:bar@127.0.0.1",
        "foo:bar",
        "the username or password",
        "':' (a second one)",
        "%3A",
      ],
      ["mongodb://alice@@127.0.0.1", undefined, "the username", "'@'", "%40"],
      ["mongodb://alice@foo:bar@127.0.0.1", "foo:bar", "the username", "'@'", "%40"],
      ["mongodb://alice:p@ss@127.0.0.1", "p@ss", "the password", "'@'", "%40"],
      ["mongodb://alice/@localhost/db", undefined, "the username", "'/'", "%2F"],
      ["mongodb://alice/bob:foo@localhost/db", "bob:foo", "the username", "'/'", "%2F"],
      ["mongodb://alice:foo/bar@localhost/db", "foo/bar", "the password", "'/'", "%2F"],
      ["mongodb://alice:pa?ss@localhost/db", "pa?ss", "the password", "'?'", "%3F"],
      ["mongodb://alice:pa?ss@localhost", "pa?ss", "the password", "'?'", "%3F"],
      ["mongodb://alice:pa#ss@localhost", "pa#ss", "the password", "'#'", "%23"],
      ["mongodb://alice:pa[ss@localhost", "pa[ss", "the password", "'['", "%5B"],
    ] as const;
    for (const [uri, secret, part, char, encoded] of cases) {
      const err = assertInvalid(uri, secret);
      assert.equal(
        err.message,
        `${part} in the connection string holds a ${char}, which must be percent-encoded there (${encoded}): ` +
          "encode the username and password with encodeURIComponent",
        uri,
      );
    }
  });

  it("rejects a '%' that is not a %XX escape, and invalid UTF-8, without quoting the password", () => {
    const bare = assertInvalid("mongodb://alice:s3cr%t@localhost", "s3cr%t");
    assert.match(
      bare.message,
      /^the password in the connection string holds a '%' not followed by two hex digits, .*\(%25\)/,
    );
    assert.match(assertInvalid("mongodb://al%ice:pw@localhost", "pw").message, /^the username .* '%'/);
    assertInvalid("mongodb://alice:s3cr%4@localhost", "s3cr%4");
    assertInvalid("mongodb://alice:s3cr%FFt@localhost", "s3cr");
  });

  it("keeps '@' in option values out of the userinfo", () => {
    const cs = parseConnectionString("mongodb://alice:secret@example.com/admin?replicaset=my@replicaset");
    assert.equal(cs.username, "alice");
    assert.equal(cs.password, "secret");
    assert.equal(cs.options.get("replicaset"), "my@replicaset");
  });
});

describe("parseConnectionString: database", () => {
  it("is absent when the path is missing or empty", () => {
    assert.equal(parseConnectionString("mongodb://localhost").database, undefined);
    assert.equal(parseConnectionString("mongodb://localhost/").database, undefined);
    assert.equal(parseConnectionString("mongodb://localhost/?w=1").database, undefined);
  });

  it("is percent-decoded", () => {
    assert.equal(parseConnectionString("mongodb://localhost/my%3Ddb?w=1").database, "my=db");
    assert.equal(parseConnectionString("mongodb://localhost/app.users").database, "app.users");
  });

  it("rejects the characters the spec forbids", () => {
    for (const db of ["a%2Fb", "a/b", "a%5Cb", "a%20b", "a%22b", "%24external"]) {
      assertInvalid(`mongodb://localhost/${db}`);
    }
  });

  it("$external in the path: says that authSource names it", () => {
    for (const path of ["$external", "%24external"]) {
      assert.throws(() => parseConnectionString(`mongodb://localhost/${path}?authMechanism=PLAIN`), {
        code: "INVALID_URI",
        message:
          "the database name in the connection string must not contain '/', '\\', ' ', '\"' or '$': users " +
          "in $external are named with authSource=$external in the options (the path names a database of data, " +
          "and is left out)",
      });
    }
  });
});

describe("parseConnectionString: options", () => {
  it("lower-cases keys and percent-decodes values", () => {
    const cs = parseConnectionString(
      "mongodb://localhost/?authSource=a%2Fb&AUTHMECHANISM=PLAIN&authMechanismProperties=A:b%2Cc",
    );
    assert.deepEqual([...cs.options], [["authsource", "a/b"], ["authmechanism", "PLAIN"]]);
    // Decoded before it is split: the encoded comma separates pairs, so "c" is a pair without ':' and
    // the option is ignored with a warning (connection-string spec, valid-warnings.json).
    assert.equal(cs.parsedOptions.authMechanismProperties, undefined);
    assert.equal(cs.warnings.length, 1);
    const ok = parseConnectionString("mongodb://h/?authMechanismProperties=A:b%3Ac,D:e");
    assert.deepEqual(ok.options.get("authmechanismproperties"), "A:b:c,D:e");
    assert.deepEqual(ok.parsedOptions.authMechanismProperties, { A: "b:c", D: "e" });
  });

  it("keeps the last of repeated keys, whatever their case, with a warning", () => {
    const cs = parseConnectionString("mongodb://h/?w=1&W=2&w=majority");
    assert.equal(cs.options.get("w"), "majority");
    assert.equal(cs.parsedOptions.w, "majority");
    assert.deepEqual(cs.warnings, ["the option w is given 3 times in the connection string; the last wins"]);
  });

  it("keeps empty values and skips empty pairs", () => {
    const cs = parseConnectionString("mongodb://h/?authSource=&&w=1&");
    assert.deepEqual([...cs.options], [["authsource", ""], ["w", "1"]]);
    assert.equal(parseConnectionString("mongodb://h/?").options.size, 0);
  });

  it("splits a value only at its first '='", () => {
    assert.equal(parseConnectionString("mongodb://h/?appName=a=b").options.get("appname"), "a=b");
  });

  it("rejects an option without '=', quoting it only when it is a known option's name", () => {
    assert.match(assertInvalid("mongodb://example.com/?w").message, /'w'/);
    // The tail of a password split at an unescaped '&' is never quoted.
    const err = assertInvalid("mongodb://h/?proxyHost=p&proxyUsername=u&proxyPassword=ab&cd", "cd");
    assert.match(err.message, /%26/);
  });

  it("accepts options without a '/' after the hosts (connection-string spec, since 2023)", () => {
    const cs = parseConnectionString("mongodb://host?authSource=admin");
    assert.deepEqual(cs.hosts, [{ host: "host", port: 27017 }]);
    assert.equal(cs.database, undefined);
    assert.equal(cs.parsedOptions.authSource, "admin");
    const withUser = parseConnectionString("mongodb://u:p@example.com,other:27018?w=1&appName=a/b");
    assert.equal(withUser.password, "p");
    assert.equal(withUser.hosts.length, 2);
    assert.equal(withUser.parsedOptions.appName, "a/b");
    // A '?' before the '@' is still an unescaped '?' in the password.
    assertInvalid("mongodb://alice:pa?ss@localhost", "pa?ss");
    assertInvalid("mongodb://alice:pa?ss=1@localhost", "pa?ss");
    assertInvalid("mongodb://alice:p@ss?w@localhost", "p@ss?w");
  });

  it("takes an '@' in an option value after hosts with no '/' (Azure Cosmos DB's appName=@account@) as the official driver does", () => {
    const cosmos = parseConnectionString(
      "mongodb://acc:a1B2c3==@acc.mongo.cosmos.azure.com:10255?ssl=true&replicaSet=globaldb&retrywrites=false" +
        "&maxIdleTimeMS=120000&appName=@acc@",
    );
    assert.equal(cosmos.username, "acc");
    assert.equal(cosmos.password, "a1B2c3==");
    assert.deepEqual(cosmos.hosts, [{ host: "acc.mongo.cosmos.azure.com", port: 10255 }]);
    assert.equal(cosmos.parsedOptions.appName, "@acc@");
    assert.equal(cosmos.parsedOptions.replicaSet, "globaldb");
    const noUser = parseConnectionString("mongodb://[::1]:27017,h2?appName=@x@");
    assert.equal(noUser.username, undefined);
    assert.equal(noUser.hosts.length, 2);
    assert.equal(noUser.parsedOptions.appName, "@x@");
  });

  it("rejects bad percent-encoding in option values", () => {
    assertInvalid("mongodb://h/?appName=100%");
    assertInvalid("mongodb://h/?appName=%E0%A4%A");
  });

  it("returns an immutable view type with a real Map inside", () => {
    const cs = parseConnectionString("mongodb://h/?a=1");
    assert.ok(cs.options instanceof Map);
  });
});
