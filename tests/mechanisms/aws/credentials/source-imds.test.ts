// Source 7 of the AWS credential chain (src/mechanisms/aws/credentials/source-imds.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startFakeImds, tempCredentials, testEnv } from "../../../support/aws-fakes.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, close } = cleanups();
after(close);

describe("source 7: EC2 instance metadata (IMDSv2)", () => {
  it("takes a session token (PUT with TTL), the role name, then the role's credentials", async () => {
    const creds = tempCredentials("ec2", NOW + HOUR);
    const imds = await track(startFakeImds({ roleName: "web-role", credentials: creds }));
    const found = await resolve(
      testEnv({ AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url + "/" }),
    );
    assert.equal(found.credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(found.temporary, true);
    assert.deepEqual(imds.requests.map((r) => `${r.method} ${r.path}`), [
      "PUT /latest/api/token",
      "GET /latest/meta-data/iam/security-credentials/",
      "GET /latest/meta-data/iam/security-credentials/web-role",
    ]);
    assert.equal(imds.requests[0].headers["x-aws-ec2-metadata-token-ttl-seconds"], "30");
    assert.equal(imds.requests[2].headers["x-aws-ec2-metadata-token"], "imds-session-token");
  });

  it("goes to 169.254.169.254 by default (stubbed fetch) and reports a 401", async () => {
    const urls: string[] = [];
    const fetch = (input: string | URL | Request) => {
      urls.push(String(input));
      return Promise.resolve(new Response("", { status: 401 }));
    };
    await rejectsWith(
      resolve(testEnv({ AWS_EC2_METADATA_DISABLED: undefined }, { fetch })),
      /EC2 instance metadata service \(IMDSv2\): http:\/\/169\.254\.169\.254\/latest\/api\/token answered HTTP 401/,
    );
    assert.deepEqual(urls, ["http://169.254.169.254/latest/api/token"]);
  });

  it("is skipped when AWS_EC2_METADATA_DISABLED=true", async () => {
    let called = false;
    const fetch = () => {
      called = true;
      return Promise.reject(new Error("no"));
    };
    await rejectsWith(
      resolve(testEnv({ AWS_EC2_METADATA_DISABLED: "TRUE" }, { fetch })),
      /no AWS credentials found/,
    );
    assert.equal(called, false);
  });
});
