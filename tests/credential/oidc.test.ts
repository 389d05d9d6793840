// The MONGODB-OIDC rules of a credential (src/credential/oidc.ts), through parseCredential.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AuthOptions, DEFAULT_ALLOWED_HOSTS, parseCredential } from "@mongo-auth/core";
import { allowedHostsOf, oidcTokenOrigin } from "../../src/credential/oidc.ts";
import { assertRejects, credential, wrongTypes } from "../support/credentials.ts";

describe("MONGODB-OIDC credentials", () => {
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

  it("MONGODB-OIDC without a source of tokens names the human sign-in, and ENVIRONMENT:aws what to use on AWS", () => {
    assert.throws(() => parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC"), {
      code: "INVALID_CREDENTIAL",
      message:
        "MONGODB-OIDC needs ENVIRONMENT (test, azure, gcp, k8s), OIDC_CALLBACK or OIDC_HUMAN_CALLBACK (for " +
        "a person signing in with a browser, as mongosh does: createHumanCallback() from @mongo-auth/core/node or " +
        "/deno)",
    });
    for (const environment of ["aws", "EKS"]) {
      assert.throws(
        () =>
          parseCredential(
            `mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:${environment}`,
          ),
        {
          code: "INVALID_CREDENTIAL",
          message: "MONGODB-OIDC property ENVIRONMENT must be one of test, azure, gcp, k8s (on EKS, " +
            "ENVIRONMENT:k8s reads the pod's service account token; to log in with IAM credentials, use " +
            "authMechanism=MONGODB-AWS)",
        },
      );
    }
    assert.throws(
      () =>
        parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:moon"),
      { message: /^MONGODB-OIDC property ENVIRONMENT must be one of test, azure, gcp, k8s$/ },
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
      "*.mongo.com",
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

  it("the mechanism reads the one source of tokens the rules let through", () => {
    const callback = () => Promise.resolve({ accessToken: "t" });
    const oidc = (properties: AuthOptions["authMechanismProperties"]) =>
      credential("mongodb://h/?authMechanism=MONGODB-OIDC", { authMechanismProperties: properties });
    assert.deepEqual(oidcTokenOrigin(oidc({ OIDC_CALLBACK: callback })), { callback, flow: "machine" });
    assert.deepEqual(oidcTokenOrigin(oidc({ OIDC_HUMAN_CALLBACK: callback })), { callback, flow: "human" });
    assert.deepEqual(oidcTokenOrigin(oidc({ ENVIRONMENT: "azure", TOKEN_RESOURCE: "api://x" })), {
      environment: "azure",
      tokenResource: "api://x",
    });
  });

  it("ALLOWED_HOSTS as the human flow reads it: the given list, else the spec's default", () => {
    const human = () => Promise.resolve({ accessToken: "t" });
    const oidc = (properties: AuthOptions["authMechanismProperties"]) =>
      credential("mongodb://h/?authMechanism=MONGODB-OIDC", { authMechanismProperties: properties });
    assert.deepEqual(allowedHostsOf(oidc({ OIDC_HUMAN_CALLBACK: human, ALLOWED_HOSTS: ["db.internal"] })), [
      "db.internal",
    ]);
    assert.deepEqual(allowedHostsOf(oidc({ OIDC_HUMAN_CALLBACK: human, ALLOWED_HOSTS: [] })), []);
    assert.equal(allowedHostsOf(oidc({ OIDC_HUMAN_CALLBACK: human })), DEFAULT_ALLOWED_HOSTS);
    assert.equal(allowedHostsOf(oidc({ OIDC_CALLBACK: human })), DEFAULT_ALLOWED_HOSTS);
  });

  it("ALLOWED_HOSTS that is not an array of host names is INVALID_CREDENTIAL (one code for the rule)", () => {
    for (const ALLOWED_HOSTS of ["localhost", [1], [""]]) {
      assertRejects(
        () =>
          parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC", {
            authMechanismProperties: wrongTypes({ OIDC_HUMAN_CALLBACK: () => {}, ALLOWED_HOSTS }),
          }),
        "INVALID_CREDENTIAL",
      );
    }
  });
});
