// The one wording of an AWS credential source's failure: a CREDENTIAL_PROVIDER_ERROR that names
// MONGODB-AWS and the source, then the problem, with the underlying error kept as the cause.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { awsSourceError } from "../../../../src/mechanisms/aws/credentials/provider-error.ts";
import { MongoAuthError } from "../../../../src/core/errors.ts";

describe("awsSourceError", () => {
  it("is a CREDENTIAL_PROVIDER_ERROR saying 'MONGODB-AWS: <source>: <problem>'", () => {
    const err = awsSourceError("the ECS endpoint", "the answer has no AccessKeyId; check the task role");
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.name, "MongoAuthError");
    assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.equal(
      err.message,
      "MONGODB-AWS: the ECS endpoint: the answer has no AccessKeyId; check the task role",
    );
  });

  it("keeps the underlying error as its cause, and has none when given none", () => {
    const network = new TypeError("connection refused");
    assert.equal(awsSourceError("STS", "unreachable", network).cause, network);
    const plain = awsSourceError("STS", "unreachable");
    assert.equal(plain.cause, undefined);
    assert.equal(Object.hasOwn(plain, "cause"), false);
  });
});
