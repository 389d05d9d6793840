import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stsRegion, validateStsHost } from "../../../src/mechanisms/aws/sts-host.ts";
import { MongoAuthError } from "../../../src/core/errors.ts";

describe("STS host from the server", () => {
  it("derives the region as the spec's table says", () => {
    const table: [string, string][] = [
      ["sts.amazonaws.com", "us-east-1"],
      ["sts.us-west-2.amazonaws.com", "us-west-2"],
      ["sts.us-west-2.amazonaws.com.ch", "us-west-2"],
      ["example.com", "com"],
      ["localhost", "us-east-1"],
    ];
    for (const [host, region] of table) {
      validateStsHost(host);
      assert.equal(stsRegion(host), region, host);
    }
  });

  it("rejects the spec's invalid hosts with PROTOCOL_ERROR", () => {
    for (const host of ["sts..com", ".amazonaws.com", "sts.amazonaws.", "", "a".repeat(256), undefined, 7]) {
      assert.throws(() => validateStsHost(host), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "PROTOCOL_ERROR");
        return true;
      }, String(host));
    }
    validateStsHost("a".repeat(255));
  });
});
