// The AWS shared files (~/.aws/credentials and ~/.aws/config) as the AWS CLI names and merges them:
// which files are read, which sections are a profile, which file wins, and what an unreadable file
// means. Variables, the home directory and the file reader are injected; no test reads the disk.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  loadSharedProfiles,
  selectedProfileName,
  sharedFilesDisabled,
} from "../../../../src/mechanisms/aws/credentials/shared-files.ts";
import { runtimeEnv } from "../../../../src/core/runtime-env.ts";

const refuseFetch = () => Promise.reject(new Error("no network in these tests"));

/** An env whose files are `files` (by path); every path asked for is recorded in `read`. */
function filesEnv(
  vars: Record<string, string | undefined>,
  files: Record<string, string>,
  homeDir: string | null = "/home/ada",
) {
  const read: string[] = [];
  const env = runtimeEnv({
    env: vars,
    homeDir: homeDir ?? undefined,
    fetch: refuseFetch,
    readTextFile: (path) => {
      read.push(path);
      return path in files ? Promise.resolve(files[path]) : Promise.reject(new Error(`ENOENT: ${path}`));
    },
  });
  // runtimeEnv falls back to HOME; a test of "no home" must not find one there either.
  return { env: homeDir === null ? { ...env, homeDir: undefined } : env, read };
}

const settings = (profile: ReadonlyMap<string, string> | undefined) =>
  profile === undefined ? undefined : Object.fromEntries(profile);

describe("selectedProfileName", () => {
  it("is AWS_PROFILE, else default (also when AWS_PROFILE is empty)", () => {
    assert.equal(selectedProfileName(runtimeEnv({ env: { AWS_PROFILE: "dev" } })), "dev");
    assert.equal(selectedProfileName(runtimeEnv({ env: {} })), "default");
    assert.equal(selectedProfileName(runtimeEnv({ env: { AWS_PROFILE: "" } })), "default");
  });
});

describe("sharedFilesDisabled", () => {
  it('is true only for AWS_SHARED_CREDENTIALS_FILE="" (set, and empty)', () => {
    assert.equal(sharedFilesDisabled(runtimeEnv({ env: { AWS_SHARED_CREDENTIALS_FILE: "" } })), true);
    assert.equal(sharedFilesDisabled(runtimeEnv({ env: {} })), false);
    assert.equal(sharedFilesDisabled(runtimeEnv({ env: { AWS_SHARED_CREDENTIALS_FILE: "/x" } })), false);
  });
});

describe("loadSharedProfiles: which files", () => {
  it("reads ~/.aws/credentials and ~/.aws/config under the home directory by default", async () => {
    const { env, read } = filesEnv({}, {});
    await loadSharedProfiles(env);
    assert.deepEqual(read.sort(), ["/home/ada/.aws/config", "/home/ada/.aws/credentials"]);
  });

  it("drops the home directory's trailing separators before joining", async () => {
    for (const homeDir of ["/home/ada/", "/home/ada//", "C:\\Users\\ada\\"]) {
      const { env, read } = filesEnv({}, {}, homeDir);
      await loadSharedProfiles(env);
      const home = homeDir.replace(/[\\/]+$/, "");
      assert.deepEqual(read.sort(), [`${home}/.aws/config`, `${home}/.aws/credentials`], homeDir);
    }
  });

  it("reads AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE instead, expanding a leading ~/", async () => {
    const { env, read } = filesEnv({
      AWS_SHARED_CREDENTIALS_FILE: "/etc/aws/creds",
      AWS_CONFIG_FILE: "~/elsewhere/conf",
    }, {
      "/etc/aws/creds": "[default]\naws_access_key_id = AKIDELSE\n",
      "/home/ada/elsewhere/conf": "[profile p]\naws_access_key_id = AKIDP\n",
    });
    const profiles = await loadSharedProfiles(env);
    assert.deepEqual(read.sort(), ["/etc/aws/creds", "/home/ada/elsewhere/conf"]);
    assert.equal(profiles.get("default")?.get("aws_access_key_id"), "AKIDELSE");
    assert.equal(profiles.get("p")?.get("aws_access_key_id"), "AKIDP");
  });

  it("does not expand ~ in the middle of a path or ~user", async () => {
    const { env, read } = filesEnv(
      { AWS_SHARED_CREDENTIALS_FILE: "/a/~/b", AWS_CONFIG_FILE: "~bob/config" },
      {},
    );
    await loadSharedProfiles(env);
    assert.deepEqual(read.sort(), ["/a/~/b", "~bob/config"]);
  });

  it('AWS_SHARED_CREDENTIALS_FILE="" reads no file at all', async () => {
    const { env, read } = filesEnv({ AWS_SHARED_CREDENTIALS_FILE: "" }, {
      "/home/ada/.aws/config": "[default]\naws_access_key_id = AKID\n",
    });
    const profiles = await loadSharedProfiles(env);
    assert.deepEqual(read, []);
    assert.equal(profiles.anyFileRead, false);
    assert.equal(profiles.get("default"), undefined);
  });

  it('AWS_CONFIG_FILE="" skips the config file only', async () => {
    const { env, read } = filesEnv({ AWS_CONFIG_FILE: "" }, {
      "/home/ada/.aws/credentials": "[default]\naws_access_key_id = AKID\n",
    });
    const profiles = await loadSharedProfiles(env);
    assert.deepEqual(read, ["/home/ada/.aws/credentials"]);
    assert.equal(profiles.get("default")?.get("aws_access_key_id"), "AKID");
  });

  it("without a home directory reads only the files named by absolute paths", async () => {
    const { env, read } = filesEnv({ AWS_CONFIG_FILE: "/etc/aws/config" }, {}, null);
    await loadSharedProfiles(env);
    assert.deepEqual(read, ["/etc/aws/config"]);
  });

  it("counts a file that cannot be read as absent, and says whether any file was read", async () => {
    const none = filesEnv({}, {});
    const nothing = await loadSharedProfiles(none.env);
    assert.equal(nothing.anyFileRead, false);
    assert.equal(nothing.get("default"), undefined);

    const emptyConfig = filesEnv({}, { "/home/ada/.aws/config": "" });
    assert.equal((await loadSharedProfiles(emptyConfig.env)).anyFileRead, true);
  });

  it("is empty when the runtime cannot read files", async () => {
    const profiles = await loadSharedProfiles(
      runtimeEnv({ env: {}, homeDir: "/home/ada", fetch: refuseFetch }),
    );
    assert.equal(profiles.anyFileRead, false);
    assert.equal(profiles.get("default"), undefined);
  });
});

describe("loadSharedProfiles: which sections are which profile", () => {
  const files = {
    "/home/ada/.aws/credentials": [
      "[default]",
      "aws_access_key_id = AKIDDEFAULT",
      "aws_secret_access_key = default-secret",
      "[dev]",
      "aws_access_key_id = AKIDDEVCREDS",
      "aws_secret_access_key = dev-secret",
      "[profile ops]",
      "aws_access_key_id = AKIDNOTOPS",
    ].join("\n"),
    "/home/ada/.aws/config": [
      "[default]",
      "region = us-east-2",
      "[profile dev]",
      "aws_access_key_id = AKIDDEVCONFIG",
      "region = eu-west-1",
      "[ops]",
      "aws_access_key_id = AKIDBARE",
      "[profile  my  team ]",
      'aws_secret_access_key = "quoted"',
    ].join("\n"),
  };

  it("merges a profile from both files; a setting in the credentials file wins over the config file", async () => {
    const profiles = await loadSharedProfiles(filesEnv({}, files).env);
    assert.deepEqual(settings(profiles.get("dev")), {
      aws_access_key_id: "AKIDDEVCREDS",
      aws_secret_access_key: "dev-secret",
      region: "eu-west-1",
    });
    assert.deepEqual(settings(profiles.get("default")), {
      aws_access_key_id: "AKIDDEFAULT",
      aws_secret_access_key: "default-secret",
      region: "us-east-2",
    });
  });

  it("takes [profile name] from the config file and [name] from the credentials file, not the other way", async () => {
    const profiles = await loadSharedProfiles(filesEnv({}, files).env);
    // The config file's bare [ops] is not "ops"; the credentials file's [profile ops] is "profile ops".
    assert.equal(profiles.get("ops"), undefined);
    assert.equal(profiles.get("profile ops")?.get("aws_access_key_id"), "AKIDNOTOPS");
  });

  it("takes the config file's [default] for the default profile, and [profile default] before it", async () => {
    const { env } = filesEnv({}, {
      "/home/ada/.aws/config": "[default]\nregion = us-east-2\n[profile default]\nregion = eu-north-1\n",
    });
    assert.equal((await loadSharedProfiles(env)).get("default")?.get("region"), "eu-north-1");
  });

  it("folds spaces in a profile name and keeps quotes in a value, as the AWS CLI does", async () => {
    const profiles = await loadSharedProfiles(filesEnv({}, files).env);
    assert.deepEqual(settings(profiles.get("my team")), { aws_secret_access_key: '"quoted"' });
  });

  it("has no profile that neither file names", async () => {
    const profiles = await loadSharedProfiles(filesEnv({}, files).env);
    assert.equal(profiles.get("nope"), undefined);
    assert.equal(profiles.anyFileRead, true);
  });

  it("reads [sso-session name] from the config file only, and never takes it for a profile", async () => {
    const { env } = filesEnv({}, {
      "/home/ada/.aws/config": "[sso-session corp]\nsso_region = eu-west-1\n",
      "/home/ada/.aws/credentials": "[sso-session other]\nsso_region = us-east-1\n",
    });
    const profiles = await loadSharedProfiles(env);
    assert.deepEqual(settings(profiles.ssoSession("corp")), { sso_region: "eu-west-1" });
    assert.equal(profiles.ssoSession("other"), undefined);
    assert.equal(profiles.get("sso-session corp"), undefined);
    assert.equal(profiles.get("corp"), undefined);
  });
});
