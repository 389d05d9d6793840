import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type AuthOptions,
  credentialFromConnectionString,
  parseConnectionString,
  parseCredential,
} from "@mongo-auth/core";
import { MongoClient } from "mongodb";
import { authSourceOrigin, checkedCredential } from "../../src/credential/credential.ts";
import { assertRejects, credential } from "../support/credentials.ts";

describe("parseCredential: when there is no credential", () => {
  it("returns undefined without userinfo, mechanism or options", () => {
    assert.equal(parseCredential("mongodb://localhost"), undefined);
    assert.equal(parseCredential("mongodb://localhost/app?authSource=admin"), undefined);
    assert.equal(parseCredential("mongodb://localhost", {}), undefined);
    assert.equal(parseCredential("mongodb://localhost", { authSource: "app" }), undefined);
  });

  it("rejects authMechanismProperties without a mechanism", () => {
    assertRejects(
      () => parseCredential("mongodb://localhost/?authMechanismProperties=SERVICE_NAME:x"),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () => parseCredential("mongodb://localhost", { authMechanismProperties: { SERVICE_NAME: "x" } }),
      "INVALID_CREDENTIAL",
    );
  });

  it("rejects an empty authSource given as an option", () => {
    assertRejects(() => parseCredential("mongodb://u:p@localhost", { authSource: "" }), "INVALID_CREDENTIAL");
  });
});

describe("parseCredential: options and the connection string", () => {
  it("takes every field from options alone", () => {
    const cred = credential("mongodb://localhost/app", {
      username: "alice",
      password: "s3cret",
      authSource: "admin",
      authMechanism: "SCRAM-SHA-256",
    });
    assert.equal(cred.username, "alice");
    assert.equal(cred.password, "s3cret");
    assert.equal(cred.source, "admin");
    assert.equal(cred.mechanism, "SCRAM-SHA-256");
  });

  it("lets options replace the URI's username, password, authSource and mechanism", () => {
    const cred = credential(
      "mongodb://bob:uri-pw@localhost/app?authSource=uri-db&authMechanism=SCRAM-SHA-1",
      {
        username: "alice",
        password: "opt-pw",
        authSource: "opt-db",
        authMechanism: "SCRAM-SHA-256",
      },
    );
    assert.deepEqual(
      [cred.username, cred.password, cred.source, cred.mechanism],
      ["alice", "opt-pw", "opt-db", "SCRAM-SHA-256"],
    );
  });

  it("replaces one field at a time", () => {
    const cred = credential("mongodb://bob:uri-pw@localhost/app", { password: "opt-pw" });
    assert.equal(cred.username, "bob");
    assert.equal(cred.password, "opt-pw");
    assert.equal(cred.source, "app");
  });

  it("accepts auth.username and auth.password, below username and password", () => {
    const fromAuth = credential("mongodb://bob:uri-pw@localhost", {
      auth: { username: "carol", password: "c" },
    });
    assert.equal(fromAuth.username, "carol");
    assert.equal(fromAuth.password, "c");
    const mixed = credential("mongodb://localhost", {
      username: "alice",
      auth: { username: "carol", password: "c" },
    });
    assert.equal(mixed.username, "alice");
    assert.equal(mixed.password, "c");
  });

  it("treats null options as absent", () => {
    const cred = credential("mongodb://bob:pw@localhost", {
      username: null,
      password: null,
      auth: null,
      authMechanismProperties: null,
    } as unknown as AuthOptions);
    assert.equal(cred.username, "bob");
  });

  it("lets an options mechanism switch the credential to $external", () => {
    const cred = credential("mongodb://localhost/app?authSource=$external", {
      authMechanism: "MONGODB-X509",
    });
    assert.equal(cred.mechanism, "MONGODB-X509");
    assert.equal(cred.source, "$external");
  });

  it("merges authMechanismProperties key by key, options winning", () => {
    const cred = credential(
      "mongodb://u%40REALM@localhost/?authMechanism=GSSAPI&authMechanismProperties=SERVICE_NAME:a,SERVICE_REALM:b",
      { authMechanismProperties: { SERVICE_NAME: "c", SERVICE_HOST: "d" } },
    );
    assert.deepEqual(cred.mechanismProperties, { SERVICE_NAME: "c", SERVICE_REALM: "b", SERVICE_HOST: "d" });
  });

  it("accepts authMechanismProperties in options as a string", () => {
    const cred = credential("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: "ENVIRONMENT:azure,TOKEN_RESOURCE:api://app",
    });
    assert.deepEqual(cred.mechanismProperties, { ENVIRONMENT: "azure", TOKEN_RESOURCE: "api://app" });
  });

  it("carries a TOKEN_RESOURCE with commas only through the options object", () => {
    const cred = credential("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { ENVIRONMENT: "gcp", TOKEN_RESOURCE: "a,b" },
    });
    assert.equal(cred.mechanismProperties.TOKEN_RESOURCE, "a,b");
    // In a connection string the value is split at the comma, even a percent-encoded one.
    assertRejects(
      () =>
        parseCredential(
          "mongodb://localhost/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:gcp,TOKEN_RESOURCE:a%2Cb",
        ),
      "INVALID_CREDENTIAL",
    );
  });

  it("reads URI option keys in any case", () => {
    const cred = credential("mongodb://u:p@localhost/app?AUTHSOURCE=other&authmechanism=SCRAM-SHA-1");
    assert.equal(cred.source, "other");
    assert.equal(cred.mechanism, "SCRAM-SHA-1");
  });

  it("rejects options of the wrong type with INVALID_OPTION", () => {
    const bad: unknown[] = [
      { username: 42 },
      { password: {} },
      { authSource: 1 },
      { authMechanism: true },
      { authMechanismProperties: ["SERVICE_NAME", "x"] },
      { authMechanismProperties: 7 },
      { auth: "alice:pw" },
      { auth: { password: 5 } },
    ];
    for (const options of bad) {
      assertRejects(
        () => parseCredential("mongodb://u:p@localhost", options as AuthOptions),
        "INVALID_OPTION",
      );
    }
    assertRejects(
      () => parseCredential("mongodb://localhost", "x" as unknown as AuthOptions),
      "INVALID_OPTION",
    );
  });
});

describe("parseCredential: mechanisms", () => {
  it("reads mechanism names in any case and DEFAULT as negotiation", () => {
    assert.equal(credential("mongodb://u:p@h/?authMechanism=scram-sha-256").mechanism, "SCRAM-SHA-256");
    assert.equal(credential("mongodb://u:p@h", { authMechanism: "Plain" }).mechanism, "PLAIN");
    const negotiated = credential("mongodb://u:p@h/?authMechanism=DEFAULT");
    assert.equal(negotiated.mechanism, undefined);
    assert.equal(negotiated.source, "admin");
    assertRejects(() => parseCredential("mongodb://h/?authMechanism=DEFAULT"), "INVALID_CREDENTIAL");
  });

  it("rejects unknown mechanisms and MONGODB-CR", () => {
    assert.match(
      assertRejects(() => parseCredential("mongodb://u:p@h/?authMechanism=FOO"), "INVALID_CREDENTIAL")
        .message,
      /FOO/,
    );
    assert.match(
      assertRejects(() => parseCredential("mongodb://u:p@h/?authMechanism=MONGODB-CR"), "INVALID_CREDENTIAL")
        .message,
      /SCRAM/,
    );
    assertRejects(() => parseCredential("mongodb://u:p@h/?authMechanism="), "INVALID_CREDENTIAL");
    // Something pasted in place of a name (a connection string, with its password) is not repeated.
    const pasted = assertRejects(
      () => parseCredential("mongodb://h/", { authMechanism: "mongodb://alice:s3cret@h/" }),
      "INVALID_CREDENTIAL",
    );
    assert.equal(
      pasted.message,
      "unknown authMechanism (not shown: it is no mechanism's name); use one of SCRAM-SHA-256, SCRAM-SHA-1, " +
        "MONGODB-X509, MONGODB-AWS, MONGODB-OIDC, PLAIN",
    );
  });

  it("a malformed authMechanismProperties is an error in the options, a warning in a connection string", () => {
    for (const text of ["SERVICE_NAME", ":x", "SERVICE_NAME:a,b"]) {
      assertRejects(
        () => parseCredential("mongodb://u@h/?authMechanism=GSSAPI", { authMechanismProperties: text }),
        "INVALID_CREDENTIAL",
      );
      const cs = parseConnectionString(`mongodb://u@h/?authMechanism=GSSAPI&authMechanismProperties=${text}`);
      assert.equal(cs.parsedOptions.authMechanismProperties, undefined);
      assert.match(cs.warnings.join("\n"), /authMechanismProperties .* was ignored/);
      // The whole option is ignored, so the credential gets the mechanism's defaults.
      assert.deepEqual(credentialFromConnectionString(cs)!.mechanismProperties, { SERVICE_NAME: "mongodb" });
    }
  });
});

describe("parseCredential: connection string errors", () => {
  it("reports malformed userinfo as INVALID_URI without the password", () => {
    assertRejects(() => parseCredential("mongodb://alice:pa:ss@localhost"), "INVALID_URI", "pa:ss");
    assertRejects(() => parseCredential("mongodb://alice:p@ss@localhost"), "INVALID_URI", "p@ss");
    assertRejects(() => parseCredential("mongodb://alice:p/ss@localhost/db"), "INVALID_URI", "p/ss");
    assertRejects(() => parseCredential("mongodb://alice:p%ss@localhost"), "INVALID_URI", "p%ss");
  });

  it("names the user whose password is missing, and why a string that mongosh takes may lack one", () => {
    const advice = "put it in the connection string (user:password@host) or options (mongosh asks for one " +
      "left out; a program cannot)";
    assert.throws(() => parseCredential("mongodb://alice@localhost/"), {
      code: "INVALID_CREDENTIAL",
      message:
        `user "alice" has no password: authentication without authMechanism (SCRAM) needs a password: ${advice}`,
    });
    assert.throws(() => parseCredential("mongodb://ldap-user@localhost/?authMechanism=PLAIN"), {
      code: "INVALID_CREDENTIAL",
      message: `user "ldap-user" has no password: PLAIN needs a password: ${advice}`,
    });
  });

  it("percent-decodes username, password, database and property values", () => {
    const cred = credential("mongodb://al%C3%AFce:p%40ss%3Aw0rd@localhost/my%2Ddb");
    assert.equal(cred.username, "alïce");
    assert.equal(cred.password, "p@ss:w0rd");
    assert.equal(cred.source, "my-db");
  });

  it("accepts a parsed connection string through credentialFromConnectionString", () => {
    const cs = parseConnectionString("mongodb://u:p@h/app");
    const cred = credentialFromConnectionString(cs);
    assert.equal(cred?.source, "app");
    assert.equal(credentialFromConnectionString(parseConnectionString("mongodb://h")), undefined);
  });
});

describe("checkedCredential: what authenticate() does with a credential it did not make", () => {
  it("takes one parseCredential made as it is", () => {
    const made = credential("mongodb://alice:pw@h/app");
    assert.equal(checkedCredential(made), made);
  });

  it("runs one built by hand through the same rules, with the same codes, and freezes it", () => {
    const oidcCallback = () => Promise.resolve({ accessToken: "t" });
    const checked = checkedCredential({
      source: "$external",
      mechanism: "MONGODB-OIDC",
      mechanismProperties: { oidc_human_callback: oidcCallback },
    });
    assert.ok(Object.isFrozen(checked));
    assert.equal(checked.mechanismProperties.OIDC_HUMAN_CALLBACK, oidcCallback);
    assert.ok(
      Array.isArray(checked.mechanismProperties.ALLOWED_HOSTS),
      "the human flow's default ALLOWED_HOSTS",
    );
    const byHand: [Parameters<typeof checkedCredential>[0], RegExp][] = [
      [{ source: "$external", mechanism: "MONGODB-OIDC", mechanismProperties: {} }, /needs ENVIRONMENT/],
      [
        { source: "admin", mechanism: "SCRAM-SHA-256", mechanismProperties: {}, username: "a" },
        /needs a password/,
      ],
      [{ source: "admin", mechanism: "MONGODB-AWS", mechanismProperties: {} }, /\$external/],
      [{ source: "", mechanismProperties: {}, username: "a", password: "p" }, /authSource must not be empty/],
      [
        {
          source: "$external",
          mechanism: "MONGODB-OIDC",
          mechanismProperties: { OIDC_HUMAN_CALLBACK: oidcCallback, ALLOWED_HOSTS: "localhost" },
        },
        /ALLOWED_HOSTS must be an array/,
      ],
    ];
    for (const [given, message] of byHand) {
      assert.throws(() => checkedCredential(given), { code: "INVALID_CREDENTIAL", message });
    }
  });

  it("refuses a username, password or authentication database that is not a string, naming the field", () => {
    const wrong: [Record<string, unknown>, string][] = [
      [{ mechanism: "SCRAM-SHA-256", username: "alice", password: 1234 }, "password"],
      [{ mechanism: "PLAIN", username: { cn: "alice" }, password: "pw" }, "username"],
      [{ mechanism: "SCRAM-SHA-1", username: "alice", password: "pw", source: 7 }, "source"],
      [{ mechanism: "MONGODB-AWS", username: ["AKID"], mechanismProperties: {} }, "username"],
    ];
    for (const [given, field] of wrong) {
      assert.throws(() => checkedCredential(given as never), {
        code: "INVALID_CREDENTIAL",
        message: new RegExp(`^the credential's ${field} must be a string, got (number|object)$`),
      });
    }
    for (const mechanism of [256, {}, ["PLAIN"]]) {
      assert.throws(() => checkedCredential({ mechanism, username: "a", password: "p" } as never), {
        code: "INVALID_CREDENTIAL",
        message: /^the mechanism must be a string, one of SCRAM-SHA-256, .*; got (number|object)$/,
      });
    }
  });

  it('takes the official driver\'s MongoCredential, whose "" means no username or password, as parseCredential reads the same string', () => {
    const uris = [
      "mongodb://alice:pw@h/app",
      "mongodb://alice:pw@h/?authMechanism=SCRAM-SHA-1",
      "mongodb://alice:@h/",
      "mongodb://alice:pw@h/?authMechanism=PLAIN",
      "mongodb://h/?authMechanism=MONGODB-X509&tls=true",
      "mongodb://CN%3Dclient@h/?authMechanism=MONGODB-X509&tls=true",
      "mongodb://h/?authMechanism=MONGODB-AWS",
      "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:test",
      "mongodb://app@h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:api://db",
    ];
    for (const uri of uris) {
      const driver = new MongoClient(uri).options.credentials!;
      const checked = checkedCredential(driver as never);
      const ours = parseCredential(uri)!;
      const { ALLOWED_HOSTS: _driverDefault, ...properties } = checked.mechanismProperties;
      assert.deepEqual(
        [checked.username, checked.password, checked.source, checked.mechanism, properties],
        [ours.username, ours.password, ours.source, ours.mechanism, ours.mechanismProperties],
        uri,
      );
    }
    // Where the mechanism needs one, "" stays what it is, and the rules speak.
    assert.throws(
      () =>
        checkedCredential({
          mechanism: "PLAIN",
          username: "",
          password: "pw",
          source: "$external",
          mechanismProperties: {},
        }),
      {
        code: "INVALID_CREDENTIAL",
        message: /username must not be empty/,
      },
    );
  });
});

describe("authSourceOrigin: why the user is looked up where it is", () => {
  const origin = (uri: string, options: AuthOptions = {}, txt?: string) => {
    const cs = parseConnectionString(uri);
    const built = credentialFromConnectionString(cs, options)!;
    return authSourceOrigin(cs, options, { authSource: txt }, built);
  };

  it("names each rule of the precedence", () => {
    assert.deepEqual(origin("mongodb://bob:pw@h/app", { authSource: "admin" }), {
      origin: "authSource option",
      reason: 'the authSource option names "admin"',
    });
    assert.deepEqual(origin("mongodb://bob:pw@h/app?authSource=admin"), {
      origin: "connection string authSource",
      reason: "authSource=admin in the connection string",
    });
    assert.equal(origin("mongodb://bob:pw@h/app", {}, "admin").origin, "TXT record");
    assert.deepEqual(origin("mongodb://bob:pw@h/app"), {
      origin: "connection string database",
      reason: "no authSource is given, so the connection string's database (/app) is used",
    });
    assert.deepEqual(origin("mongodb://bob:pw@h/"), {
      origin: "mechanism default",
      reason: 'no authSource and no database in the connection string: SCRAM\'s default is "admin"',
    });
    assert.deepEqual(origin("mongodb://h/app?authMechanism=MONGODB-X509", {}, "admin"), {
      origin: "mechanism default",
      reason: "MONGODB-X509 users live in $external",
    });
  });
});
