/**
 * Source 3: static keys of a profile in the shared files (`aws_access_key_id`,
 * `aws_secret_access_key`, `aws_session_token`). The profile is `AWS_PROFILE`, else `default`.
 * A profile with a `role_arn` is source 4's (`source-assume-role.ts`), as with the AWS CLI: its own
 * keys, if any, are only used when it is its own `source_profile`.
 *
 * @module
 */
import type { AwsCredentials } from "../../../credential/aws.ts";
import { awsSourceError } from "./provider-error.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import { type AwsProfile, selectedProfileName, sharedFilesDisabled } from "./shared-files.ts";
import type { AwsCredentialSource, AwsSourceContext, SkippedAwsSource } from "./source.ts";

/**
 * The static keys of a profile, or `undefined` when it has none.
 *
 * @param profile the profile's settings
 * @param name its name, for messages
 * @returns the keys
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when only one of the two keys is there
 */
export function profileKeys(profile: AwsProfile, name: string): AwsCredentials | undefined {
  const accessKeyId = profile.get("aws_access_key_id");
  const secretAccessKey = profile.get("aws_secret_access_key");
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    throw awsSourceError(
      `profile "${name}" of the shared AWS files`,
      "has only one of aws_access_key_id and aws_secret_access_key: set both",
    );
  }
  return checkAwsCredentials(
    { accessKeyId, secretAccessKey, sessionToken: profile.get("aws_session_token") },
    `profile "${name}" of the shared AWS files`,
  );
}

/**
 * The selected profile, or why there is none: the shared files are off, unreadable or lack it.
 *
 * @param context the source context
 * @returns the profile's name and settings, or why it was skipped
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when `AWS_PROFILE` names a profile that cannot be
 *   read (no file access in this runtime, or no such profile)
 */
export async function selectedProfile(
  context: AwsSourceContext,
): Promise<{ name: string; profile: AwsProfile } | SkippedAwsSource> {
  const { env } = context;
  if (sharedFilesDisabled(env)) {
    return { skipped: 'the shared AWS files: off (AWS_SHARED_CREDENTIALS_FILE="")' };
  }
  const name = selectedProfileName(env);
  const explicit = Boolean(env.getEnv("AWS_PROFILE"));
  if (!env.readTextFile) {
    if (!explicit) return { skipped: "the shared AWS files: not read (this runtime env cannot read files)" };
    throw awsSourceError(
      "the shared AWS files",
      `AWS_PROFILE is "${name}" but this runtime cannot read files: pass readTextFile in the runtime env, ` +
        "or pass the keys as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
  const profile = (await context.profiles()).get(name);
  if (!profile) {
    if (!explicit) {
      return { skipped: `the shared AWS files: no profile "${name}" in ~/.aws/credentials or ~/.aws/config` };
    }
    throw awsSourceError(
      "the shared AWS files",
      `AWS_PROFILE is "${name}" but no such profile is in the credentials or config file`,
    );
  }
  return { name, profile };
}

/**
 * The selected profile when it assumes no role, or why it was skipped: a profile with `role_arn` is
 * AssumeRole's (source 4), whatever else it holds, as with the AWS CLI.
 *
 * @param context the source context
 * @returns the profile's name and settings, or why it was skipped
 * @throws {MongoAuthError} as {@link selectedProfile}
 */
export async function selectedOwnProfile(
  context: AwsSourceContext,
): Promise<{ name: string; profile: AwsProfile } | SkippedAwsSource> {
  const selected = await selectedProfile(context);
  if ("skipped" in selected) return selected;
  if (selected.profile.has("role_arn")) {
    return { skipped: `profile "${selected.name}": has role_arn (AssumeRole)` };
  }
  return selected;
}

/** Static keys from the selected profile. */
export const fromSharedFiles: AwsCredentialSource = async (context) => {
  const selected = await selectedOwnProfile(context);
  if ("skipped" in selected) return selected;
  const credentials = profileKeys(selected.profile, selected.name);
  if (!credentials) return { skipped: `profile "${selected.name}" of the shared AWS files: no keys` };
  return { credentials, source: `profile "${selected.name}" of the shared AWS files`, temporary: false };
};
