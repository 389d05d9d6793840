// A credential must never print its password or AWS session token, on any runtime, by any of the
// usual routes (String, template literals, JSON, util.inspect/format, Deno.inspect, Bun.inspect),
// while the values stay readable for the mechanisms. It is frozen, properties included.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { format, inspect } from "node:util";
import { type MongoCredential, parseConnectionString, parseCredential } from "@mongo-auth/core";

const PASSWORD = "pw-7c1f9e";
const TOKEN = "token-5d2b8a";

/** A credential with both secrets: AWS with key ID, secret key and session token. */
function awsCredential(): MongoCredential {
  const credential = parseCredential(
    `mongodb://AKIDEXAMPLE:${PASSWORD}@localhost/?authMechanism=MONGODB-AWS` +
      `&authMechanismProperties=AWS_SESSION_TOKEN:${TOKEN}`,
  );
  assert.ok(credential !== undefined);
  return credential;
}

function assertHidesSecrets(text: string, route: string): void {
  assert.equal(typeof text, "string", route);
  assert.ok(!text.includes(PASSWORD), `${route} shows the password: ${text}`);
  assert.ok(!text.includes(TOKEN), `${route} shows the session token: ${text}`);
}

/** The runtime's own inspect function, when it has one (Deno.inspect, Bun.inspect). */
function runtimeInspect(): ((value: unknown) => string) | undefined {
  const g = globalThis as { Deno?: { inspect(v: unknown): string }; Bun?: { inspect(v: unknown): string } };
  if (typeof g.Deno?.inspect === "function") return (value) => g.Deno!.inspect(value);
  if (typeof g.Bun?.inspect === "function") return (value) => g.Bun!.inspect(value);
  return undefined;
}

describe("MongoCredential: secrets stay readable", () => {
  it("keeps password and AWS_SESSION_TOKEN as values", () => {
    const credential = awsCredential();
    assert.equal(credential.password, PASSWORD);
    assert.equal(credential.mechanismProperties.AWS_SESSION_TOKEN, TOKEN);
  });
});

describe("MongoCredential: printing hides secrets", () => {
  it("String() and template literals", () => {
    const credential = awsCredential();
    assertHidesSecrets(String(credential), "String()");
    assertHidesSecrets(`${credential}`, "template literal");
    assertHidesSecrets(String(credential.mechanismProperties), "String(mechanismProperties)");
    assert.match(String(credential), /^MongoCredential \{ username: "AKIDEXAMPLE", password: <redacted>/);
    assert.match(String(credential), /AWS_SESSION_TOKEN: <redacted>/);
  });

  it("JSON.stringify, directly and nested", () => {
    const credential = awsCredential();
    const json = JSON.stringify(credential);
    assertHidesSecrets(json, "JSON.stringify");
    assert.deepEqual(JSON.parse(json), {
      username: "AKIDEXAMPLE",
      password: "<redacted>",
      source: "$external",
      mechanism: "MONGODB-AWS",
      mechanismProperties: { AWS_SESSION_TOKEN: "<redacted>" },
    });
    assertHidesSecrets(JSON.stringify({ config: { credential } }), "nested JSON.stringify");
    assertHidesSecrets(JSON.stringify(credential.mechanismProperties), "JSON.stringify(mechanismProperties)");
  });

  it("node:util inspect and format (console.log on Node and Bun)", () => {
    const credential = awsCredential();
    assertHidesSecrets(inspect(credential), "inspect");
    assertHidesSecrets(inspect({ nested: [credential] }, { depth: 10 }), "nested inspect");
    assertHidesSecrets(inspect(credential, { showHidden: true }), "inspect showHidden");
    assertHidesSecrets(inspect(credential.mechanismProperties), "inspect(mechanismProperties)");
    assertHidesSecrets(format("%s %o %O %j", credential, credential, credential, credential), "format");
    assert.match(inspect(credential), /<redacted>/);
  });

  it("the runtime's own inspect (Deno.inspect, Bun.inspect)", () => {
    const own = runtimeInspect();
    if (own === undefined) {
      // Node has no global inspect of its own; node:util is covered above.
      assert.equal(typeof (globalThis as { Deno?: unknown }).Deno, "undefined");
      return;
    }
    const credential = awsCredential();
    assertHidesSecrets(own(credential), "runtime inspect");
    assertHidesSecrets(own({ nested: { credential } }), "nested runtime inspect");
    assertHidesSecrets(own(credential.mechanismProperties), "runtime inspect(mechanismProperties)");
    assert.match(own(credential), /<redacted>/);
  });

  it("spreads and key listings leave the password out", () => {
    const credential = awsCredential();
    assert.deepEqual(Object.keys(credential), ["username", "source", "mechanism", "mechanismProperties"]);
    assert.equal("password" in { ...credential }, false);
    assert.equal(Object.values(credential).includes(PASSWORD), false);
  });

  it("prints a credential without secrets plainly", () => {
    const credential = parseCredential("mongodb://localhost/?authMechanism=MONGODB-X509")!;
    assert.equal(
      String(credential),
      'MongoCredential { source: "$external", mechanism: "MONGODB-X509", mechanismProperties: {} }',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(credential)), {
      source: "$external",
      mechanism: "MONGODB-X509",
      mechanismProperties: {},
    });
  });

  it("shows callbacks as [Function] and never calls them", () => {
    let called = false;
    const credential = parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: {
        OIDC_CALLBACK: () => {
          called = true;
          return Promise.resolve({ accessToken: "t" });
        },
      },
    })!;
    assert.match(String(credential), /OIDC_CALLBACK: \[Function\]/);
    inspect(credential);
    JSON.stringify(credential);
    assert.equal(called, false);
  });
});

describe("MongoCredential: frozen", () => {
  it("freezes the credential and its mechanismProperties", () => {
    const credential = awsCredential();
    assert.ok(Object.isFrozen(credential));
    assert.ok(Object.isFrozen(credential.mechanismProperties));
    assert.throws(() => {
      (credential as { password?: string }).password = "changed";
    }, TypeError);
    assert.throws(() => {
      (credential.mechanismProperties as Record<string, unknown>).AWS_SESSION_TOKEN = "changed";
    }, TypeError);
    assert.throws(() => {
      (credential.mechanismProperties as Record<string, unknown>).EXTRA = 1;
    }, TypeError);
    assert.equal(credential.password, PASSWORD);
  });

  it("does not share the caller's properties object", () => {
    const properties: Record<string, unknown> = { SERVICE_NAME: "a" };
    const credential = parseCredential("mongodb://u@h/?authMechanism=GSSAPI", {
      authMechanismProperties: properties,
    })!;
    properties.SERVICE_NAME = "b";
    assert.equal(credential.mechanismProperties.SERVICE_NAME, "a");
    assert.ok(!Object.isFrozen(properties));
  });
});

// connect() makes a credential per connection: its printing costs nothing to make, and the common case of
// no mechanism properties makes no object at all.
describe("MongoCredential: cheap to make", () => {
  it("holds only its data: the printing hooks are its prototype's", () => {
    const credential = awsCredential();
    assert.deepEqual(Object.getOwnPropertyNames(credential), [
      "username",
      "password",
      "source",
      "mechanism",
      "mechanismProperties",
    ]);
    assert.deepEqual(Object.getOwnPropertySymbols(credential), []);
    assert.equal(
      Object.getPrototypeOf(credential),
      Object.getPrototypeOf(parseCredential("mongodb://u:p@h")),
    );
  });

  it("credentials without mechanism properties share one frozen, empty set of them", () => {
    const a = parseCredential("mongodb://alice:pw@h/?authMechanism=SCRAM-SHA-256")!;
    const b = parseCredential("mongodb://h/?authMechanism=MONGODB-X509")!;
    assert.equal(a.mechanismProperties, b.mechanismProperties);
    assert.deepEqual(a.mechanismProperties, {});
    assert.ok(Object.isFrozen(a.mechanismProperties));
    assert.equal(String(a.mechanismProperties), "{}");
  });
});

describe("ConnectionString: printing hides the password and secret options, the fields keep them", () => {
  const PROXY_PASSWORD = "proxy-3e9a41";
  const KEY_PASSWORD = "key-b02c77";
  const parse = () =>
    parseConnectionString(
      `mongodb://alice:${PASSWORD}@db.example.net/?proxyHost=proxy.example&proxyUsername=app` +
        `&proxyPassword=${PROXY_PASSWORD}&tls=true&tlsCertificateKeyFilePassword=${KEY_PASSWORD}` +
        `&authMechanismProperties=AWS_SESSION_TOKEN:${TOKEN}`,
    );
  const hides = (text: string, route: string) => {
    assertHidesSecrets(text, route);
    for (const secret of [PROXY_PASSWORD, KEY_PASSWORD]) {
      assert.ok(!text.includes(secret), `${route} shows ${secret}: ${text}`);
    }
    assert.match(text, /<redacted>/, route);
  };

  it("keeps every value readable", () => {
    const cs = parse();
    assert.equal(cs.password, PASSWORD);
    assert.equal(cs.parsedOptions.proxyPassword, PROXY_PASSWORD);
    assert.equal(cs.options.get("tlscertificatekeyfilepassword"), KEY_PASSWORD);
    assert.deepEqual(Object.keys(cs), [
      "scheme",
      "hosts",
      "username",
      "password",
      "options",
      "parsedOptions",
      "warnings",
    ]);
  });

  it("String, JSON, util.inspect and format, and the runtime's own inspect", () => {
    const cs = parse();
    hides(String(cs), "String()");
    hides(JSON.stringify({ cs }), "JSON.stringify");
    hides(inspect(cs, { depth: 10 }), "inspect");
    hides(inspect({ nested: [cs] }, { depth: 10 }), "nested inspect");
    hides(format("%s %o %O %j", cs, cs, cs, cs), "format");
    const own = runtimeInspect();
    if (own) hides(own({ nested: { cs } }), "runtime inspect");
    const shown = JSON.parse(JSON.stringify(cs));
    assert.equal(shown.username, "alice");
    assert.equal(shown.parsedOptions.proxyUsername, "app");
    assert.deepEqual(shown.parsedOptions.authMechanismProperties, { AWS_SESSION_TOKEN: "<redacted>" });
  });
});
