/**
 * Source 5: AssumeRoleWithWebIdentity (EKS "IAM roles for service accounts"). When
 * `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` are set, the file's token is exchanged at STS for
 * temporary credentials; `AWS_ROLE_SESSION_NAME` names the session. The call is unsigned: the token is
 * the proof.
 *
 * @module
 */
import { awsSourceError } from "./provider-error.ts";
import { reasonOf } from "../../../core/errors.ts";
import {
  type AwsCredentialSource,
  type AwsSourceContext,
  type FoundAwsCredentials,
  randomSessionName,
} from "./source.ts";
import { callSts } from "./sts.ts";
import { stsEndpoint } from "./sts-endpoint.ts";
import { assumedRoleOf } from "../identity.ts";

/** What one web identity exchange needs. */
export interface WebIdentityRequest {
  /** The role to assume. */
  readonly roleArn: string;
  /** The file holding the OIDC token. */
  readonly tokenFile: string;
  /** `RoleSessionName`; random when absent. */
  readonly sessionName?: string;
  /** The profile's region, if any, for the STS endpoint. */
  readonly region?: string;
  /** The source's name for messages. */
  readonly source: string;
}

/**
 * Reads the token file and calls AssumeRoleWithWebIdentity.
 *
 * @param context the source context
 * @param request role, token file, session name
 * @returns temporary credentials
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the file cannot be read or STS refuses
 */
export async function assumeRoleWithWebIdentity(
  context: AwsSourceContext,
  request: WebIdentityRequest,
): Promise<FoundAwsCredentials> {
  const { env } = context;
  if (!env.readTextFile) {
    throw awsSourceError(
      request.source,
      "the web identity token is in a file but this runtime cannot read files: pass readTextFile in the " +
        "runtime env, or fetch the credentials yourself and pass them as AWS_CREDENTIAL_PROVIDER",
    );
  }
  let token: string;
  try {
    token = (await env.readTextFile(request.tokenFile)).trim();
  } catch (err) {
    throw awsSourceError(
      request.source,
      `cannot read the web identity token file ${request.tokenFile}: ${reasonOf(err)}`,
      err,
    );
  }
  if (!token) {
    throw awsSourceError(request.source, `the web identity token file ${request.tokenFile} is empty`);
  }
  const answer = await callSts(env, {
    action: "AssumeRoleWithWebIdentity",
    params: {
      RoleArn: request.roleArn,
      RoleSessionName: request.sessionName || randomSessionName(),
      WebIdentityToken: token,
    },
    endpoint: stsEndpoint(env, request.region),
    source: request.source,
    signal: context.signal,
    timeoutMs: context.timeoutMs,
  });
  const arn = answer.assumedRoleArn;
  const identity = arn
    ? { arn, from: "the AssumeRoleWithWebIdentity answer" }
    : assumedRoleIdentity(request.roleArn);
  return { credentials: answer.credentials, source: request.source, temporary: true, identity };
}

// Without an assumed-role ARN in the answer, the role asked for says it (any session).
function assumedRoleIdentity(roleArn: string) {
  const arn = assumedRoleOf(roleArn);
  return arn === undefined ? undefined : { arn, from: `the role asked for (${roleArn})` };
}

/** AssumeRoleWithWebIdentity from `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`. */
export const fromWebIdentity: AwsCredentialSource = (context) => {
  const tokenFile = context.env.getEnv("AWS_WEB_IDENTITY_TOKEN_FILE");
  const roleArn = context.env.getEnv("AWS_ROLE_ARN");
  if (!tokenFile || !roleArn) {
    const unset = [!tokenFile && "AWS_WEB_IDENTITY_TOKEN_FILE", !roleArn && "AWS_ROLE_ARN"].filter(Boolean);
    return Promise.resolve({ skipped: `AssumeRoleWithWebIdentity: ${unset.join(" and ")} not set` });
  }
  return assumeRoleWithWebIdentity(context, {
    roleArn,
    tokenFile,
    sessionName: context.env.getEnv("AWS_ROLE_SESSION_NAME"),
    source: "AssumeRoleWithWebIdentity (AWS_WEB_IDENTITY_TOKEN_FILE)",
  });
};
