// Source 5 of the AWS credential chain (src/mechanisms/aws/credentials/source-web-identity.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startFakeSts, tempCredentials, testEnv } from "../../../support/aws-fakes.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, home, close } = cleanups();
after(close);

describe("source 5: AssumeRoleWithWebIdentity", () => {
  it("exchanges the token file's token at STS, unsigned, with AWS_ROLE_SESSION_NAME", async () => {
    const creds = tempCredentials("web", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, webIdentityToken: "eyJ.web.token" }));
    const h = home({ "token": "eyJ.web.token\n" });
    const found = await resolve(testEnv({
      AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token"),
      AWS_ROLE_ARN: "arn:aws:iam::1:role/web",
      AWS_ROLE_SESSION_NAME: "pod-1",
      AWS_ENDPOINT_URL_STS: sts.url,
    }));
    assert.equal(found.credentials.sessionToken, creds.Token);
    assert.equal(found.temporary, true);
    const form = new URLSearchParams(sts.requests[0].body);
    assert.equal(form.get("Action"), "AssumeRoleWithWebIdentity");
    assert.equal(form.get("RoleSessionName"), "pod-1");
    assert.equal(form.get("WebIdentityToken"), "eyJ.web.token");
    assert.equal(sts.requests[0].headers.authorization, undefined);
    assert.equal(sts.requests[0].path, "/", "the token never goes in the URL");
  });

  it("picks a random session name when none is set", async () => {
    const sts = await track(
      startFakeSts({ credentials: tempCredentials("web", NOW + HOUR), webIdentityToken: "t" }),
    );
    const h = home({ "token": "t" });
    await resolve(
      testEnv({
        AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token"),
        AWS_ROLE_ARN: "arn:aws:iam::1:role/web",
        AWS_ENDPOINT_URL: sts.url,
      }),
    );
    assert.match(
      new URLSearchParams(sts.requests[0].body).get("RoleSessionName")!,
      /^mongo-auth-[0-9a-f]{16}$/,
    );
  });

  it("reports a refused token without echoing it, and an unreadable file", async () => {
    const sts = await track(
      startFakeSts({ credentials: tempCredentials("web", NOW + HOUR), webIdentityToken: "other" }),
    );
    const h = home({ "token": "eyJ.secret.token" });
    const vars = { AWS_ROLE_ARN: "arn:aws:iam::1:role/web", AWS_ENDPOINT_URL_STS: sts.url };
    await rejectsWith(
      resolve(testEnv({ ...vars, AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token") })),
      /HTTP 400 \(InvalidIdentityToken\)/,
      ["eyJ.secret.token"],
    );
    await rejectsWith(
      resolve(testEnv({ ...vars, AWS_WEB_IDENTITY_TOKEN_FILE: h.path("missing") })),
      /cannot read the web identity token file \S+missing: ENOENT: no such file or directory/,
    );
    await rejectsWith(
      resolve(testEnv({ ...vars, AWS_WEB_IDENTITY_TOKEN_FILE: h.path("token") }, { files: false })),
      /cannot read files: pass readTextFile.*or .*AWS_CREDENTIAL_PROVIDER/,
    );
  });
});
