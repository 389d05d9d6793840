// Who AWS credentials are, and the $external user mongod looks up for them (its makeSimplifiedArn);
// GetCallerIdentity only when asked, bounded, and never an error of its own.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  assumedRoleOf,
  lookUpCallerIdentity,
  maskedAccessKeyId,
  mongodbUserOf,
} from "../../../src/mechanisms/aws/identity.ts";
import { assumedRoleArnIn } from "../../../src/mechanisms/aws/credentials/sts.ts";
import { simplifiedArn } from "../../../testing/reference-server/mechanisms/aws.ts";
import { type Fake, startFake, startFakeSts, testEnv } from "../../support/aws-fakes.ts";

describe("the $external user of an identity", () => {
  it("is mongod's simplified ARN: an IAM user as is, an assumed role without its session", () => {
    const arns = [
      "arn:aws:iam::123456789012:user/ci",
      "arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0",
      "arn:aws:sts::123456789012:assumed-role/app/botocore-session-1700000000",
    ];
    for (const arn of arns) {
      // The reference server's own rule, written apart from ours, agrees.
      assert.equal(mongodbUserOf(arn), simplifiedArn(arn), arn);
    }
    assert.equal(mongodbUserOf(arns[1]), "arn:aws:sts::123456789012:assumed-role/app/*");
  });

  it("of a role's ARN is the assumed role with any session (the role's path is not part of it)", () => {
    assert.equal(
      assumedRoleOf("arn:aws:iam::123456789012:role/app"),
      "arn:aws:sts::123456789012:assumed-role/app/*",
    );
    assert.equal(
      assumedRoleOf("arn:aws:iam::123456789012:role/service-role/ecs/task"),
      "arn:aws:sts::123456789012:assumed-role/task/*",
    );
    assert.equal(assumedRoleOf("arn:aws-cn:iam::1:role/x"), "arn:aws-cn:sts::1:assumed-role/x/*");
    assert.equal(assumedRoleOf("arn:aws:iam::1:user/x"), undefined);
  });

  it("an STS answer names the assumed role, in XML or JSON", () => {
    assert.equal(
      assumedRoleArnIn(
        "<AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>" +
          "<Arn>arn:aws:sts::1:assumed-role/app/s</Arn></AssumedRoleUser><Credentials/></AssumeRoleResult>",
      ),
      "arn:aws:sts::1:assumed-role/app/s",
    );
    assert.equal(
      assumedRoleArnIn(
        '{"AssumedRoleUser":{"AssumedRoleId":"AROA:s","Arn":"arn:aws:sts::1:assumed-role/app/s"}}',
      ),
      "arn:aws:sts::1:assumed-role/app/s",
    );
    assert.equal(assumedRoleArnIn("<Credentials/>"), undefined);
  });

  it("an access key ID shows only its kind and last four characters", () => {
    assert.equal(maskedAccessKeyId("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
    assert.equal(maskedAccessKeyId("ASIA"), "…");
  });
});

describe("lookUpCallerIdentity", () => {
  let sts: Fake;
  let silent: Fake;
  before(async () => {
    sts = await startFakeSts({ identities: { AKIDKNOWN0000000000A: "arn:aws:iam::123456789012:user/ci" } });
    silent = await startFake(() => new Promise(() => {}));
  });
  after(() => Promise.all([sts.close(), silent.close()]));

  it("asks STS with a signed GetCallerIdentity and returns the ARN", async () => {
    const env = testEnv({ AWS_ENDPOINT_URL_STS: sts.url });
    const identity = await lookUpCallerIdentity(env, {
      accessKeyId: "AKIDKNOWN0000000000A",
      secretAccessKey: "s",
    });
    assert.deepEqual(identity, {
      arn: "arn:aws:iam::123456789012:user/ci",
      from: `STS GetCallerIdentity at ${new URL(sts.url).host}`,
    });
    const request = sts.requests.at(-1)!;
    assert.equal(request.body, "Action=GetCallerIdentity&Version=2011-06-15");
    assert.match(request.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDKNOWN0000000000A\//);
  });

  it("says why it could not tell, never throws: STS refuses, or the caller gives up", async () => {
    const refused = await lookUpCallerIdentity(testEnv({ AWS_ENDPOINT_URL_STS: sts.url }), {
      accessKeyId: "AKIDUNKNOWN000000000",
      secretAccessKey: "s",
    });
    assert.ok(
      "unknown" in refused && /403.*InvalidClientTokenId/.test(refused.unknown),
      JSON.stringify(refused),
    );
    const controller = new AbortController();
    const pending = lookUpCallerIdentity(
      testEnv({ AWS_ENDPOINT_URL_STS: silent.url }),
      { accessKeyId: "AKIDKNOWN0000000000A", secretAccessKey: "s" },
      controller.signal,
    );
    controller.abort();
    const gaveUp = await pending;
    assert.ok("unknown" in gaveUp);
  });
});
