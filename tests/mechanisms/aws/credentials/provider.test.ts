import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAwsCredentialProvider } from "../../../../src/mechanisms/aws/credentials/provider.ts";
import { startFakeImds, tempCredentials, testEnv } from "../../../support/aws-fakes.ts";

describe("createAwsCredentialProvider (what awsCredentialProvider of /node and /deno returns)", () => {
  it("returns the Node driver's shape and caches temporary credentials between calls", async () => {
    const now = Date.UTC(2024, 0, 15, 12, 0, 0);
    const creds = tempCredentials("ec2", now + 60 * 60 * 1000);
    const imds = await startFakeImds({ roleName: "r", credentials: creds });
    try {
      const provider = createAwsCredentialProvider(
        testEnv({ AWS_EC2_METADATA_DISABLED: "false", AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }, {
          now: () => now,
        }),
      );
      const first = await provider();
      assert.deepEqual(first, {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: creds.Token,
        expiration: new Date(creds.Expiration),
      });
      assert.ok(first.expiration instanceof Date);
      assert.deepEqual(await provider(), first);
      assert.equal(imds.requests.length, 3, "one IMDS round (token, role, credentials) for two calls");
    } finally {
      await imds.close();
    }
  });

  it("fails with CREDENTIAL_PROVIDER_ERROR when no source applies", async () => {
    await assert.rejects(createAwsCredentialProvider(testEnv())(), { code: "CREDENTIAL_PROVIDER_ERROR" });
  });
});

describe("awsCredentialProvider: options of the wrong type", () => {
  it("are INVALID_OPTION at once, not a TypeError when the driver calls", () => {
    assert.throws(
      () => createAwsCredentialProvider(testEnv(), { env: { AWS_REGION: "eu-west-1" } } as never),
      {
        code: "INVALID_OPTION",
        message: /^option env of awsCredentialProvider\(\) must be a RuntimeEnv/,
      },
    );
    assert.throws(() => createAwsCredentialProvider(testEnv(), { timeoutMs: "5s" } as never), {
      code: "INVALID_OPTION",
      message: "option timeoutMs of awsCredentialProvider() must be a number, got a string",
    });
    assert.equal(typeof createAwsCredentialProvider(testEnv(), null as never), "function");
  });

  it("timeoutMs is a whole number of milliseconds a timer takes, from 1 to 2^31 - 1: anything else is INVALID_OPTION at once", () => {
    // 0 or less would leave every HTTP call unbounded; a fraction, NaN or Infinity is a RangeError from
    // Node.js's timers; more than 2^31 - 1 fires at once there.
    for (const timeoutMs of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 31]) {
      assert.throws(() => createAwsCredentialProvider(testEnv(), { timeoutMs }), {
        code: "INVALID_OPTION",
        message:
          "option timeoutMs of awsCredentialProvider() must be a whole number of milliseconds from 1 " +
          `to 2147483647, got ${timeoutMs}`,
      });
    }
    for (const timeoutMs of [1, 250, 2 ** 31 - 1]) {
      assert.equal(
        typeof createAwsCredentialProvider(testEnv(), { timeoutMs }),
        "function",
        String(timeoutMs),
      );
    }
  });
});
