/**
 * Source 4, for a profile with `credential_process`: the command it names is run through the system
 * shell, as the AWS SDK for JavaScript runs it, and prints the credentials as JSON (the AWS CLI's
 * format): `{ "Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"? }`. Tools such
 * as aws-vault, granted or a company's SAML helper are set up this way.
 *
 * The credentials are cached like every fetched set: until five minutes before `Expiration`, or, without
 * one, until the server refuses them. The command gets {@link PROCESS_TIMEOUT_MS}, within the caller's
 * signal. Its command line never appears in a message (it may carry a secret); its exit code and the start
 * of what it wrote to standard error do.
 *
 * @module
 */
import type { AwsCredentials } from "../../../credential/aws.ts";
import { abortError, raceAbort, withTimeout } from "../../../core/abort.ts";
import { reasonOf } from "../../../core/errors.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import { awsSourceError } from "./provider-error.ts";
import type { AwsProfile } from "./shared-files.ts";
import { selectedOwnProfile } from "./source-profile.ts";
import type { AwsCredentialSource, AwsSourceContext } from "./source.ts";

/** How long a `credential_process` may run (a helper may wait for a person to confirm, as with MFA). */
export const PROCESS_TIMEOUT_MS = 60_000;

/** How much of the command's standard error a failure quotes. */
const STDERR_EXCERPT = 300;

function sourceName(name: string): string {
  return `credential_process of profile "${name}" of the shared AWS files`;
}

async function run(context: AwsSourceContext, source: string, command: string): Promise<string> {
  const { env } = context;
  if (!env.runCommand) {
    throw awsSourceError(
      source,
      "this runtime env runs no commands: pass runCommand in the runtime env, or the credentials as " +
        "AWS_CREDENTIAL_PROVIDER",
    );
  }
  const signal = withTimeout(context.signal, PROCESS_TIMEOUT_MS);
  let result;
  try {
    result = await raceAbort(env.runCommand(command, { signal }), signal, `MONGODB-AWS: ${source}`);
  } catch (err) {
    if (context.signal?.aborted) throw abortError(context.signal, `MONGODB-AWS: ${source}`);
    if (signal.aborted) throw awsSourceError(source, `did not finish within ${PROCESS_TIMEOUT_MS / 1000} s`);
    throw awsSourceError(source, `cannot run it: ${reasonOf(err)}`, err);
  }
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().slice(0, STDERR_EXCERPT);
    const ended = result.exitCode === null ? "was ended by a signal" : `exited with code ${result.exitCode}`;
    throw awsSourceError(source, `${ended}${said ? `: ${said}` : " and wrote nothing to standard error"}`);
  }
  return result.stdout;
}

/**
 * Runs a profile's `credential_process` and reads the credentials it prints.
 *
 * @param context the source context (its env's `runCommand` runs the command)
 * @param name the profile's name, for messages
 * @param profile its settings, with `credential_process`
 * @returns the credentials, with their expiration when printed
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` naming the profile: the command cannot run, fails,
 *   takes too long or prints something else than Version 1 credentials, or expired ones
 */
export async function processCredentials(
  context: AwsSourceContext,
  name: string,
  profile: AwsProfile,
): Promise<AwsCredentials> {
  const source = sourceName(name);
  const stdout = await run(context, source, profile.get("credential_process")!);
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    // Not the parser's message: it quotes the output, which holds the keys.
    throw awsSourceError(source, "it did not print JSON");
  }
  const printed = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (printed.Version !== 1) {
    throw awsSourceError(
      source,
      "it did not print Version 1 credentials (the AWS CLI's credential_process format)",
    );
  }
  const credentials = checkAwsCredentials({
    accessKeyId: printed.AccessKeyId,
    secretAccessKey: printed.SecretAccessKey,
    sessionToken: printed.SessionToken,
    expiration: printed.Expiration,
  }, source);
  if (credentials.expiration && credentials.expiration.getTime() <= context.env.now()) {
    throw awsSourceError(
      source,
      `it printed credentials that expired at ${credentials.expiration.toISOString()}`,
    );
  }
  return credentials;
}

/** Credentials from the selected profile's `credential_process` (without `role_arn`: that is AssumeRole's). */
export const fromProcessProfile: AwsCredentialSource = async (context) => {
  const selected = await selectedOwnProfile(context);
  if ("skipped" in selected) return selected;
  const { name, profile } = selected;
  if (!profile.get("credential_process")) return { skipped: `profile "${name}": no credential_process` };
  return {
    credentials: await processCredentials(context, name, profile),
    source: sourceName(name),
    temporary: true,
  };
};
