import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stsEndpoint } from "../../../../src/mechanisms/aws/credentials/sts-endpoint.ts";
import { testEnv } from "../../../support/aws-fakes.ts";

describe("stsEndpoint", () => {
  it("is global without a region, regional with one", () => {
    assert.deepEqual(stsEndpoint(testEnv()), { url: "https://sts.amazonaws.com/", region: "us-east-1" });
    assert.deepEqual(stsEndpoint(testEnv({ AWS_REGION: "eu-west-1" })), {
      url: "https://sts.eu-west-1.amazonaws.com/",
      region: "eu-west-1",
    });
    assert.deepEqual(stsEndpoint(testEnv({ AWS_DEFAULT_REGION: "cn-north-1" })), {
      url: "https://sts.cn-north-1.amazonaws.com.cn/",
      region: "cn-north-1",
    });
    assert.equal(stsEndpoint(testEnv({ AWS_REGION: "eu-west-1" }), "ap-south-2").region, "ap-south-2");
  });

  it("keeps legacy regions global when AWS_STS_REGIONAL_ENDPOINTS=legacy", () => {
    assert.equal(
      stsEndpoint(testEnv({ AWS_REGION: "eu-west-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" })).url,
      "https://sts.amazonaws.com/",
    );
    assert.equal(
      stsEndpoint(testEnv({ AWS_REGION: "ap-east-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" })).url,
      "https://sts.ap-east-1.amazonaws.com/",
    );
  });

  it("is overridden by AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL", () => {
    assert.deepEqual(
      stsEndpoint(testEnv({ AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_REGION: "eu-west-2" })),
      {
        url: "http://127.0.0.1:1/",
        region: "eu-west-2",
      },
    );
    assert.equal(
      stsEndpoint(
        testEnv({ AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_STS: "http://127.0.0.1:2/" }),
      ).url,
      "http://127.0.0.1:2/",
    );
  });
});
