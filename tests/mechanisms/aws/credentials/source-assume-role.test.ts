// Source 4 of the AWS credential chain (src/mechanisms/aws/credentials/source-assume-role.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AwsCredentialCache } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import {
  startFakeEcs,
  startFakeImds,
  startFakeSts,
  tempCredentials,
  testEnv,
} from "../../../support/aws-fakes.ts";
import { fromAssumeRoleProfile } from "../../../../src/mechanisms/aws/credentials/source-assume-role.ts";
import { sourceContext } from "../../../../src/mechanisms/aws/credentials/source.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, home, close } = cleanups();
after(close);

describe("source 4: AssumeRole from a profile", () => {
  it("calls STS AssumeRole signed with the source profile's keys and caches the answer", async () => {
    const creds = tempCredentials("role", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, signedBy: "AKIDBASE" }));
    const h = home({
      ".aws/credentials": "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
      ".aws/config": "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n" +
        "role_session_name = my-session\nexternal_id = ext-1\nregion = eu-west-3\n",
    });
    const cache = new AwsCredentialCache();
    const env = testEnv({ AWS_PROFILE: "app", AWS_ENDPOINT_URL_STS: sts.url }, {
      home: h.home,
      now: () => NOW,
    });
    const found = await resolve(env, cache);
    assert.deepEqual(found.credentials, {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      sessionToken: creds.Token,
      expiration: new Date(creds.Expiration),
    });
    assert.equal(found.temporary, true);
    const [req] = sts.requests;
    const form = new URLSearchParams(req.body);
    assert.equal(form.get("Action"), "AssumeRole");
    assert.equal(form.get("RoleArn"), "arn:aws:iam::123456789012:role/app");
    assert.equal(form.get("RoleSessionName"), "my-session");
    assert.equal(form.get("ExternalId"), "ext-1");
    assert.match(
      req.headers.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDBASE\/20240115\/eu-west-3\/sts\/aws4_request/,
    );
    assert.equal(req.headers["x-amz-date"], "20240115T120000Z");
    assert.equal((await resolve(env, cache)).fromCache, true);
    assert.equal(sts.requests.length, 1);
  });

  it("follows source_profile hops and stops at loops", async () => {
    const creds = tempCredentials("hop", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds }));
    const h = home({
      ".aws/credentials": "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
      ".aws/config": "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\nsource_profile = base\n" +
        "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = mid\n" +
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n" +
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
    });
    await resolve(testEnv({ AWS_PROFILE: "top", AWS_ENDPOINT_URL: sts.url }, { home: h.home }));
    assert.deepEqual(sts.requests.map((r) => new URLSearchParams(r.body).get("RoleArn")), [
      "arn:aws:iam::1:role/mid",
      "arn:aws:iam::1:role/top",
    ]);
    assert.match(sts.requests[1].headers.authorization, new RegExp(`Credential=${creds.AccessKeyId}/`));
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "a", AWS_ENDPOINT_URL: sts.url }, { home: h.home })),
      /is there a loop/,
    );
  });

  it("reports STS's refusal by status and error code, never the keys", async () => {
    const sts = await track(
      startFakeSts({ credentials: tempCredentials("x", NOW + HOUR), signedBy: "AKIDOTHER" }),
    );
    const h = home({
      ".aws/config": "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = app\n" +
        "aws_access_key_id = AKIDSELF\naws_secret_access_key = self-secret\n",
    });
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "app", AWS_ENDPOINT_URL_STS: sts.url }, { home: h.home })),
      /AssumeRole for profile "app".*answered HTTP 403 \(InvalidClientTokenId\)/,
      ["self-secret"],
    );
  });

  it("signs with the credentials its credential_source names: the ECS endpoint, instance metadata", async () => {
    const creds = tempCredentials("assumed", NOW + HOUR);
    const ecs = await track(
      startFakeEcs({ path: "/task", credentials: tempCredentials("task", NOW + HOUR) }),
    );
    const imds = await track(
      startFakeImds({ roleName: "box", credentials: tempCredentials("box", NOW + HOUR) }),
    );
    const fromEcs = await track(startFakeSts({ credentials: creds, signedBy: "ASIATASK" }));
    const fromImds = await track(startFakeSts({ credentials: creds, signedBy: "ASIABOX" }));
    const h = home({
      ".aws/config": "[profile ecs]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = EcsContainer\n" +
        "[profile ec2]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Ec2InstanceMetadata\n",
    });
    const ecsEnv = testEnv({
      AWS_PROFILE: "ecs",
      AWS_ENDPOINT_URL_STS: fromEcs.url,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/task",
    }, { home: h.home, now: () => NOW });
    assert.equal((await resolve(ecsEnv)).credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(ecs.requests.length, 1);
    const imdsEnv = testEnv({
      AWS_PROFILE: "ec2",
      AWS_ENDPOINT_URL_STS: fromImds.url,
      AWS_EC2_METADATA_DISABLED: undefined,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url + "/",
    }, { home: h.home, now: () => NOW });
    assert.equal((await resolve(imdsEnv)).credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(fromImds.requests.length, 1);
  });

  it("signs with the environment's keys for credential_source Environment", async () => {
    // Through the chain, keys in the environment are source 2 and win before any profile; the role source
    // itself reads them when its profile says so.
    const creds = tempCredentials("assumed", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, signedBy: "AKIDENV" }));
    const h = home({
      ".aws/config": "[profile app]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Environment\n",
    });
    const env = testEnv({
      AWS_PROFILE: "app",
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "env-secret",
    }, { home: h.home, now: () => NOW });
    const found = await fromAssumeRoleProfile(sourceContext(env));
    assert.ok(!("skipped" in found));
    assert.equal(found.credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(sts.requests.length, 1);
  });

  it("refuses a credential_source it does not know, one that finds nothing, and one beside source_profile", async () => {
    const h = home({
      ".aws/config": "[profile odd]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Lambda\n" +
        "[profile off]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Ec2InstanceMetadata\n" +
        "[profile both]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Environment\nsource_profile = x\n" +
        "[profile none]\nrole_arn = arn:aws:iam::1:role/app\n",
    });
    const env = (profile: string) => testEnv({ AWS_PROFILE: profile }, { home: h.home });
    await rejectsWith(
      resolve(env("odd")),
      /credential_source "Lambda" is not one of Environment, Ec2InstanceMetadata, EcsContainer/,
    );
    await rejectsWith(
      resolve(env("off")),
      /credential_source Ec2InstanceMetadata found nothing: .*AWS_EC2_METADATA_DISABLED/,
    );
    await rejectsWith(resolve(env("both")), /both source_profile and credential_source: keep one/);
    await rejectsWith(resolve(env("none")), /no source_profile or credential_source/);
  });
});
