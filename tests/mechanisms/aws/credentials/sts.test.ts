import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseStsCredentials } from "../../../../src/mechanisms/aws/credentials/sts.ts";

describe("parseStsCredentials", () => {
  it("reads the XML answer, unescaping entities", () => {
    const c = parseStsCredentials(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>" +
        "<SecretAccessKey>s&amp;1</SecretAccessKey><SessionToken>t/+=</SessionToken>" +
        "<Expiration>2024-01-15T13:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
      "test",
    );
    assert.deepEqual(c, {
      accessKeyId: "ASIA1",
      secretAccessKey: "s&1",
      sessionToken: "t/+=",
      expiration: new Date("2024-01-15T13:00:00Z"),
    });
  });

  it("reads JSON answers, flat (the spec's) or nested (STS's), with epoch-second expirations", () => {
    const flat = parseStsCredentials(
      JSON.stringify({
        Credentials: {
          AccessKeyId: "A",
          SecretAccessKey: "S",
          SessionToken: "T",
          Expiration: "2024-01-15T13:00:00Z",
        },
      }),
      "test",
    );
    assert.equal(flat.sessionToken, "T");
    const nested = parseStsCredentials(
      JSON.stringify({
        AssumeRoleWithWebIdentityResponse: {
          AssumeRoleWithWebIdentityResult: {
            Credentials: {
              AccessKeyId: "A",
              SecretAccessKey: "S",
              SessionToken: "T",
              Expiration: 1705323600,
            },
          },
        },
      }),
      "test",
    );
    assert.deepEqual(nested.expiration, new Date("2024-01-15T13:00:00Z"));
  });

  it("refuses answers without credentials", () => {
    assert.throws(() => parseStsCredentials("<x/>", "test"), { code: "CREDENTIAL_PROVIDER_ERROR" });
    assert.throws(() => parseStsCredentials("{nope", "test"), { code: "CREDENTIAL_PROVIDER_ERROR" });
    assert.throws(
      () => parseStsCredentials("<Credentials><AccessKeyId>A</AccessKeyId></Credentials>", "test"),
      { code: "CREDENTIAL_PROVIDER_ERROR" },
    );
  });
});
