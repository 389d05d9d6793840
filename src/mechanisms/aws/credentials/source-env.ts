/**
 * Source 2: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, read afresh at every
 * authentication (the spec: another part of the application may have refreshed them; AWS Lambda sets
 * them) and never cached.
 *
 * @module
 */
import { awsSourceError } from "./provider-error.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import type { AwsCredentialSource } from "./source.ts";

const SOURCE = "environment variables";

/** Credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`). */
export const fromEnvironment: AwsCredentialSource = ({ env }) => {
  const accessKeyId = env.getEnv("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env.getEnv("AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId && !secretAccessKey) {
    return Promise.resolve({ skipped: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set" });
  }
  if (!accessKeyId || !secretAccessKey) {
    return Promise.reject(awsSourceError(
      SOURCE,
      `${accessKeyId ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"} is set but ${
        accessKeyId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"
      } is not: set both, or neither`,
    ));
  }
  try {
    const sessionToken = env.getEnv("AWS_SESSION_TOKEN");
    const credentials = checkAwsCredentials({ accessKeyId, secretAccessKey, sessionToken }, SOURCE);
    return Promise.resolve({ credentials, source: SOURCE, temporary: false });
  } catch (err) {
    return Promise.reject(err);
  }
};
