// Source 3 of the AWS credential chain (src/mechanisms/aws/credentials/source-profile.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { testEnv } from "../../../support/aws-fakes.ts";
import { cleanups, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { home, close } = cleanups();
after(close);

describe("source 3: shared credentials and config files", () => {
  const files = {
    ".aws/credentials":
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n" +
      "[dev]\naws_access_key_id = AKIDDEVCREDS\naws_secret_access_key = dev-secret\n",
    ".aws/config": "[default]\nregion = us-east-2\n[profile dev]\naws_access_key_id = AKIDDEVCONFIG\n" +
      "aws_secret_access_key = dev-config-secret\n[profile conf]\naws_access_key_id = AKIDCONF\n" +
      "aws_secret_access_key = conf-secret\naws_session_token = conf-token\n[profile half]\naws_access_key_id = AKIDHALF\n",
  };

  it("uses the default profile of ~/.aws/credentials", async () => {
    const h = home(files);
    const found = await resolve(testEnv({}, { home: h.home }));
    assert.equal(found.credentials.accessKeyId, "AKIDDEFAULT");
    assert.equal(found.source, 'profile "default" of the shared AWS files');
  });

  // Which file and which section a profile comes from is shared-files.test.ts's; here, what the source
  // makes of the selected profile.
  it("uses the profile AWS_PROFILE names, with its session token", async () => {
    const h = home(files);
    assert.deepEqual((await resolve(testEnv({ AWS_PROFILE: "conf" }, { home: h.home }))).credentials, {
      accessKeyId: "AKIDCONF",
      secretAccessKey: "conf-secret",
      sessionToken: "conf-token",
    });
  });

  it('is turned off by AWS_SHARED_CREDENTIALS_FILE=""', async () => {
    const h = home(files);
    await rejectsWith(
      resolve(testEnv({ AWS_SHARED_CREDENTIALS_FILE: "" }, { home: h.home })),
      /no AWS credentials found/,
    );
  });

  it("refuses a missing AWS_PROFILE and a profile with one key", async () => {
    const h = home(files);
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "nope" }, { home: h.home })),
      /AWS_PROFILE is "nope" but no such profile/,
    );
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "half" }, { home: h.home })),
      /only one of aws_access_key_id/,
      ["AKIDHALF"],
    );
  });

  it("without readTextFile (Workers) says what to pass instead", async () => {
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "dev" }, { files: false })),
      /cannot read files: pass readTextFile/,
    );
    await rejectsWith(
      resolve(testEnv({}, { files: false })),
      /the shared AWS files: not read \(this runtime env cannot read files\)/,
    );
  });
});
