/**
 * Source 4: a shared-file profile that assumes a role. With `role_arn` and `source_profile`, STS
 * AssumeRole is called, signed with the source profile's keys (which may themselves come from a role, up
 * to a few hops, from IAM Identity Center or from a `credential_process`); with `role_arn` and
 * `credential_source`, signed with the credentials of the environment variables (`Environment`), EC2
 * instance metadata (`Ec2InstanceMetadata`) or the ECS container endpoint (`EcsContainer`); with
 * `role_arn` and `web_identity_token_file`, AssumeRoleWithWebIdentity. `role_session_name`,
 * `external_id`, `duration_seconds` and `region` are honoured.
 *
 * @module
 */
import type { AwsCredentials } from "../../../credential/aws.ts";
import { awsSourceError } from "./provider-error.ts";
import { profileKeys, selectedProfile } from "./source-profile.ts";
import type { AwsProfile } from "./shared-files.ts";
import { type AwsCredentialSource, type AwsSourceContext, randomSessionName } from "./source.ts";
import { assumeRoleWithWebIdentity } from "./source-web-identity.ts";
import { fromEnvironment } from "./source-env.ts";
import { fromInstanceMetadata } from "./source-imds.ts";
import { fromContainerEndpoint } from "./source-ecs.ts";
import { isSsoProfile, ssoCredentials } from "./source-sso.ts";
import { processCredentials } from "./source-process.ts";
import { callSts, type StsCredentials } from "./sts.ts";
import { assumedRoleOf } from "../identity.ts";
import { stsEndpoint } from "./sts-endpoint.ts";

/** How many `source_profile` hops are followed before the chain is taken for a loop. */
const MAX_HOPS = 5;

function sourceName(name: string): string {
  return `AssumeRole for profile "${name}" of the shared AWS files`;
}

async function assumeRole(
  context: AwsSourceContext,
  name: string,
  profile: AwsProfile,
  hops: number,
): Promise<StsCredentials> {
  const source = sourceName(name);
  const roleArn = profile.get("role_arn")!;
  const sourceProfileName = profile.get("source_profile");
  const credentialSource = profile.get("credential_source");
  if (sourceProfileName && credentialSource) {
    throw awsSourceError(source, "it has both source_profile and credential_source: keep one");
  }
  if (!sourceProfileName && !credentialSource) {
    throw awsSourceError(
      source,
      "it has no source_profile or credential_source: set source_profile to a profile with keys, or " +
        "credential_source to Environment, Ec2InstanceMetadata or EcsContainer",
    );
  }
  if (profile.has("mfa_serial")) {
    throw awsSourceError(source, "roles that need MFA (mfa_serial) are not supported");
  }
  const signWith = credentialSource
    ? await credentialSourceKeys(context, name, credentialSource)
    : await sourceProfileKeys(context, name, sourceProfileName!, hops);
  const params: Record<string, string> = {
    RoleArn: roleArn,
    RoleSessionName: profile.get("role_session_name") || randomSessionName(),
  };
  if (profile.get("external_id")) params.ExternalId = profile.get("external_id")!;
  if (profile.get("duration_seconds")) params.DurationSeconds = profile.get("duration_seconds")!;
  return callSts(context.env, {
    action: "AssumeRole",
    params,
    signWith,
    endpoint: stsEndpoint(context.env, profile.get("region")),
    source,
    signal: context.signal,
    timeoutMs: context.timeoutMs,
  });
}

async function sourceProfileKeys(
  context: AwsSourceContext,
  name: string,
  sourceProfileName: string,
  hops: number,
): Promise<AwsCredentials> {
  const sourceProfile = (await context.profiles()).get(sourceProfileName);
  if (!sourceProfile) {
    throw awsSourceError(sourceName(name), `source_profile "${sourceProfileName}" is in neither shared file`);
  }
  // A profile that is its own source uses its own keys (the AWS CLI's rule), so no loop there.
  const keys = profileKeys(sourceProfile, sourceProfileName);
  if (keys && (sourceProfileName === name || !sourceProfile.has("role_arn"))) return keys;
  if (!sourceProfile.has("role_arn")) {
    if (isSsoProfile(sourceProfile)) return ssoCredentials(context, sourceProfileName, sourceProfile);
    if (sourceProfile.get("credential_process")) {
      return processCredentials(context, sourceProfileName, sourceProfile);
    }
    throw awsSourceError(
      sourceName(name),
      `source_profile "${sourceProfileName}" has no keys and no role_arn`,
    );
  }
  if (hops >= MAX_HOPS) {
    throw awsSourceError(sourceName(name), `more than ${MAX_HOPS} source_profile hops: is there a loop?`);
  }
  return (await assumeRole(context, sourceProfileName, sourceProfile, hops + 1)).credentials;
}

/** The sources `credential_source` may name, as the AWS CLI and SDKs spell them. */
const CREDENTIAL_SOURCES: Readonly<Record<string, AwsCredentialSource>> = {
  Environment: fromEnvironment,
  Ec2InstanceMetadata: fromInstanceMetadata,
  EcsContainer: fromContainerEndpoint,
};

async function credentialSourceKeys(
  context: AwsSourceContext,
  name: string,
  credentialSource: string,
): Promise<AwsCredentials> {
  const find = Object.hasOwn(CREDENTIAL_SOURCES, credentialSource)
    ? CREDENTIAL_SOURCES[credentialSource]
    : undefined;
  if (!find) {
    throw awsSourceError(
      sourceName(name),
      `credential_source "${credentialSource}" is not one of ${Object.keys(CREDENTIAL_SOURCES).join(", ")}`,
    );
  }
  const found = await find(context);
  if ("skipped" in found) {
    throw awsSourceError(
      sourceName(name),
      `credential_source ${credentialSource} found nothing: ${found.skipped}`,
    );
  }
  return found.credentials;
}

/** Temporary credentials for a profile with `role_arn`. */
export const fromAssumeRoleProfile: AwsCredentialSource = async (context) => {
  const selected = await selectedProfile(context);
  if ("skipped" in selected) return selected;
  if (!selected.profile.has("role_arn")) return { skipped: `profile "${selected.name}": no role_arn` };
  const { name, profile } = selected;
  const tokenFile = profile.get("web_identity_token_file");
  if (tokenFile) {
    return assumeRoleWithWebIdentity(context, {
      roleArn: profile.get("role_arn")!,
      tokenFile,
      sessionName: profile.get("role_session_name"),
      region: profile.get("region"),
      source: `AssumeRoleWithWebIdentity for profile "${name}" of the shared AWS files`,
    });
  }
  const answer = await assumeRole(context, name, profile, 0);
  const roleArn = profile.get("role_arn")!;
  const arn = answer.assumedRoleArn ?? assumedRoleOf(roleArn);
  const from = answer.assumedRoleArn ? "the AssumeRole answer" : `the profile's role_arn (${roleArn})`;
  return {
    credentials: answer.credentials,
    source: sourceName(name),
    temporary: true,
    identity: arn === undefined ? undefined : { arn, from },
  };
};
