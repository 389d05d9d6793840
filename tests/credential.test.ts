import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type AuthMechanismProperties,
  type AuthOptions,
  credentialFromConnectionString,
  DEFAULT_ALLOWED_HOSTS,
  MongoAuthError,
  type MongoCredential,
  parseConnectionString,
  parseCredential,
} from "@mongo-auth/core";

/** Properties of the wrong types, which the types refuse, to test what parseCredential does at run time. */
const wrongTypes = (properties: Record<string, unknown>) => properties as AuthMechanismProperties;

/** Asserts a MongoAuthError with `code` whose message does not contain any of `secrets`. */
function assertRejects(fn: () => unknown, code: string, ...secrets: string[]): MongoAuthError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MongoAuthError, "expected a MongoAuthError");
  assert.equal(caught.code, code, caught.message);
  for (const secret of secrets) assert.ok(!caught.message.includes(secret), caught.message);
  return caught;
}

function credential(uri: string, options?: AuthOptions): MongoCredential {
  const result = parseCredential(uri, options);
  assert.ok(result !== undefined, `expected a credential for ${uri}`);
  return result;
}

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
  });

  it("SCRAM needs a password but accepts an empty one", () => {
    assertRejects(() => parseCredential("mongodb://user@localhost"), "INVALID_CREDENTIAL");
    assertRejects(() => parseCredential("mongodb://localhost", { username: "u" }), "INVALID_CREDENTIAL");
    assert.equal(credential("mongodb://user:@localhost").password, "");
  });

  it("a password alone asks for authentication and needs a username", () => {
    assertRejects(
      () => parseCredential("mongodb://localhost", { password: "pw" }),
      "INVALID_CREDENTIAL",
      "pw",
    );
  });

  it("SCRAM and PLAIN take no mechanism properties", () => {
    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]) {
      assertRejects(
        () =>
          parseCredential(
            `mongodb://u:p@h/?authMechanism=${mechanism}&authMechanismProperties=SERVICE_NAME:x`,
          ),
        "INVALID_CREDENTIAL",
      );
    }
  });

  it("GSSAPI: property names in any case, CANONICALIZE_HOST_NAME booleans normalised", () => {
    const uri =
      "mongodb://u%40R@h/?authMechanism=GSSAPI&authMechanismProperties=service_name:x,Canonicalize_Host_Name:true";
    assert.deepEqual(credential(uri).mechanismProperties, {
      SERVICE_NAME: "x",
      CANONICALIZE_HOST_NAME: "forwardAndReverse",
    });
    const fromOptions = credential("mongodb://u%40R@h/?authMechanism=GSSAPI", {
      authMechanismProperties: { CANONICALIZE_HOST_NAME: false },
    });
    assert.deepEqual(fromOptions.mechanismProperties, {
      SERVICE_NAME: "mongodb",
      CANONICALIZE_HOST_NAME: "none",
    });
    assertRejects(
      () =>
        parseCredential("mongodb://u@h/?authMechanism=GSSAPI", {
          authMechanismProperties: wrongTypes({ CANONICALIZE_HOST_NAME: "yes" }),
        }),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () =>
        parseCredential("mongodb://u@h/?authMechanism=GSSAPI", {
          authMechanismProperties: wrongTypes({ SERVICE_NAME: 1 }),
        }),
      "INVALID_CREDENTIAL",
    );
  });

  it("rejects properties of another mechanism", () => {
    assert.match(
      assertRejects(
        () => parseCredential("mongodb://u@h/?authMechanism=GSSAPI&authMechanismProperties=ENVIRONMENT:test"),
        "INVALID_CREDENTIAL",
      ).message,
      /does not apply to GSSAPI/,
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

  it("MONGODB-X509: username optional, no password at all, not even an empty one", () => {
    assert.equal(credential("mongodb://h/?authMechanism=MONGODB-X509").username, undefined);
    assertRejects(
      () => parseCredential("mongodb://CN%3Dme:@h/?authMechanism=MONGODB-X509"),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () => parseCredential("mongodb://h/?authMechanism=MONGODB-X509", { password: "pw" }),
      "INVALID_CREDENTIAL",
      "pw",
    );
  });

  it("MONGODB-AWS: key ID and secret together, session token needs both", () => {
    const cred = credential("mongodb://h/?authMechanism=MONGODB-AWS", {
      username: "AKID",
      password: "secret",
      authMechanismProperties: { AWS_SESSION_TOKEN: "tok" },
    });
    assert.equal(cred.mechanismProperties.AWS_SESSION_TOKEN, "tok");
    assertRejects(
      () => parseCredential("mongodb://h/?authMechanism=MONGODB-AWS", { password: "s3kr1t-x" }),
      "INVALID_CREDENTIAL",
      "s3kr1t-x",
    );
    assertRejects(
      () =>
        parseCredential(
          "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok3n",
        ),
      "INVALID_CREDENTIAL",
      "tok3n",
    );
    assertRejects(
      () => parseCredential("mongodb://AKID:@h/?authMechanism=MONGODB-AWS"),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () => parseCredential("mongodb://h/?authMechanism=MONGODB-AWS&authSource=admin"),
      "INVALID_CREDENTIAL",
    );
  });

  it("MONGODB-AWS: AWS_CREDENTIAL_PROVIDER is a function from options, without username", () => {
    const provider = () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" });
    const cred = credential("mongodb://h/?authMechanism=MONGODB-AWS", {
      authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider },
    });
    assert.equal(cred.mechanismProperties.AWS_CREDENTIAL_PROVIDER, provider);
    assertRejects(
      () =>
        parseCredential(
          "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_CREDENTIAL_PROVIDER:x",
        ),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () =>
        parseCredential("mongodb://a:b@h/?authMechanism=MONGODB-AWS", {
          authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider },
        }),
      "INVALID_CREDENTIAL",
    );
  });

  it("MONGODB-OIDC: callbacks come from options, one source of tokens only", () => {
    const callback = () => Promise.resolve({ accessToken: "t" });
    const machine = credential("mongodb://h/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { OIDC_CALLBACK: callback },
    });
    assert.deepEqual(machine.mechanismProperties, { OIDC_CALLBACK: callback });
    assert.equal(machine.source, "$external");
    const withUser = credential("mongodb://me@h/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { OIDC_CALLBACK: callback },
    });
    assert.equal(withUser.username, "me");

    const rejected: AuthOptions["authMechanismProperties"][] = [
      { OIDC_CALLBACK: callback, OIDC_HUMAN_CALLBACK: callback },
      { OIDC_CALLBACK: callback, ENVIRONMENT: "test" },
      { OIDC_HUMAN_CALLBACK: callback, ENVIRONMENT: "k8s" },
      wrongTypes({ OIDC_CALLBACK: "not a function" }),
      { OIDC_CALLBACK: callback, TOKEN_RESOURCE: "x" },
      { ENVIRONMENT: "k8s", TOKEN_RESOURCE: "x" },
      { ENVIRONMENT: "test", TOKEN_RESOURCE: "x" },
      { ENVIRONMENT: "gcp", TOKEN_RESOURCE: "" },
    ];
    for (const authMechanismProperties of rejected) {
      assertRejects(
        () => parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC", { authMechanismProperties }),
        "INVALID_CREDENTIAL",
      );
    }
    assertRejects(
      () =>
        parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=OIDC_CALLBACK:f"),
      "INVALID_CREDENTIAL",
    );
  });

  it("MONGODB-OIDC: the human callback gets the spec's default ALLOWED_HOSTS", () => {
    const human = () => Promise.resolve({ accessToken: "t" });
    const cred = credential("mongodb://h/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { OIDC_HUMAN_CALLBACK: human },
    });
    assert.deepEqual(cred.mechanismProperties.ALLOWED_HOSTS, [
      "*.mongodb.net",
      "*.mongodb-qa.net",
      "*.mongodb-dev.net",
      "*.mongodbgov.net",
      "localhost",
      "127.0.0.1",
      "::1",
    ]);
    assert.equal(cred.mechanismProperties.ALLOWED_HOSTS, DEFAULT_ALLOWED_HOSTS);
  });

  it("MONGODB-OIDC: ALLOWED_HOSTS is an array from options, copied and frozen, never from the URI", () => {
    const hosts = ["*.example.com"];
    const cred = credential("mongodb://h/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: wrongTypes({ OIDC_HUMAN_CALLBACK: () => {}, ALLOWED_HOSTS: hosts }),
    });
    hosts.push("evil.example");
    assert.deepEqual(cred.mechanismProperties.ALLOWED_HOSTS, ["*.example.com"]);
    assert.ok(Object.isFrozen(cred.mechanismProperties.ALLOWED_HOSTS));
    assertRejects(
      () =>
        parseCredential(
          "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:test,ALLOWED_HOSTS:localhost",
        ),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () =>
        parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC", {
          authMechanismProperties: wrongTypes({ OIDC_HUMAN_CALLBACK: () => {}, ALLOWED_HOSTS: [1] }),
        }),
      "INVALID_CREDENTIAL",
    );
  });

  it("MONGODB-OIDC: a username with the k8s and gcp environments", () => {
    assert.equal(
      credential("mongodb://me@h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s")
        .username,
      "me",
    );
    assert.equal(
      credential(
        "mongodb://me@h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:gcp,TOKEN_RESOURCE:x",
      )
        .username,
      "me",
    );
  });
});

describe("parseCredential: connection string errors", () => {
  it("reports malformed userinfo as INVALID_URI without the password", () => {
    assertRejects(() => parseCredential("mongodb://alice:pa:ss@localhost"), "INVALID_URI", "pa:ss");
    assertRejects(() => parseCredential("mongodb://alice:p@ss@localhost"), "INVALID_URI", "p@ss");
    assertRejects(() => parseCredential("mongodb://alice:p/ss@localhost/db"), "INVALID_URI", "p/ss");
    assertRejects(() => parseCredential("mongodb://alice:p%ss@localhost"), "INVALID_URI", "p%ss");
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
