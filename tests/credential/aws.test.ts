// The MONGODB-AWS rules of a credential (src/credential/aws.ts), through parseCredential.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCredential } from "@mongo-auth/core";
import { awsKeysOf, awsProviderOf } from "../../src/credential/aws.ts";
import { assertRejects, credential } from "../support/credentials.ts";

describe("MONGODB-AWS credentials", () => {
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

  it("MONGODB-AWS: an ARN where the access key ID goes, and the credential chain's variables as properties, say what they are", () => {
    const arn = "arn:aws:iam::123456789012:role/app";
    assert.throws(
      () => parseCredential(`mongodb://${encodeURIComponent(arn)}:s3cret@h/?authMechanism=MONGODB-AWS`),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "INVALID_CREDENTIAL");
        assert.equal(
          err.message,
          "the MONGODB-AWS username is an access key ID (AKIA… or ASIA…), not an ARN: the ARN names the " +
            "$external user on the server; give the keys, or none to use this environment's (a role's)",
        );
        assert.ok(!err.message.includes("s3cret"));
        return true;
      },
    );
    for (const name of ["AWS_PROFILE", "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]) {
      assert.throws(
        () => parseCredential(`mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=${name}:x`),
        {
          code: "INVALID_CREDENTIAL",
          message: new RegExp(
            `^authMechanismProperties "${name}" is not a property of MONGODB-AWS; it takes AWS_SESSION_TOKEN, ` +
              `AWS_CREDENTIAL_PROVIDER \\(${name} is read from the environment, as the AWS SDKs do\\)$`,
          ),
        },
      );
    }
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

  it("the mechanism reads the keys and the provider the rules let through", () => {
    const keys = credential(
      "mongodb://AKID:s3cret@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok",
    );
    assert.deepEqual(awsKeysOf(keys), {
      accessKeyId: "AKID",
      secretAccessKey: "s3cret",
      sessionToken: "tok",
    });
    assert.equal(awsProviderOf(keys), undefined);
    const provider = () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" });
    const fromProvider = credential("mongodb://h/?authMechanism=MONGODB-AWS", {
      authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider },
    });
    assert.equal(awsKeysOf(fromProvider), undefined);
    assert.equal(awsProviderOf(fromProvider), provider);
    const environment = credential("mongodb://h/?authMechanism=MONGODB-AWS");
    assert.equal(awsKeysOf(environment), undefined);
    assert.equal(awsProviderOf(environment), undefined);
  });
});
