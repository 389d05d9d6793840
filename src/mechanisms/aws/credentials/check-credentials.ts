/**
 * The check that turns what a source (or a user's provider function) returned into
 * {@link AwsCredentials}.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
import { type AwsCredentials, headerSafe } from "../../../credential/aws.ts";

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/**
 * Checks a value that should be {@link AwsCredentials}; names `source` in the error, never a value.
 *
 * @param value what the source returned
 * @param source where it came from, for the message (e.g. "the ECS endpoint")
 * @returns the credentials, with only the known fields
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when a key is missing or not a string
 */
export function checkAwsCredentials(value: unknown, source: string): AwsCredentials {
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (!nonEmptyString(v.accessKeyId) || !nonEmptyString(v.secretAccessKey)) {
    throw new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `AWS credentials from ${source} lack accessKeyId or secretAccessKey`,
    );
  }
  if (v.sessionToken !== undefined && v.sessionToken !== null && typeof v.sessionToken !== "string") {
    throw new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `AWS credentials from ${source}: sessionToken is not a string`,
    );
  }
  for (const field of ["accessKeyId", "sessionToken"] as const) {
    if (typeof v[field] === "string" && !headerSafe(v[field])) {
      throw new MongoAuthError(
        "CREDENTIAL_PROVIDER_ERROR",
        `AWS credentials from ${source}: ${field} has a character an HTTP header cannot carry (AWS issues ` +
          "them in visible ASCII: look for a space, line break or accent)",
      );
    }
  }
  const expiration = toDate(v.expiration, source);
  return {
    accessKeyId: v.accessKeyId,
    secretAccessKey: v.secretAccessKey,
    ...(nonEmptyString(v.sessionToken) ? { sessionToken: v.sessionToken } : {}),
    ...(expiration ? { expiration } : {}),
  };
}

function toDate(value: unknown, source: string): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const date = value instanceof Date
    ? value
    : typeof value === "string" || typeof value === "number"
    ? new Date(value)
    : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `AWS credentials from ${source}: expiration is not a valid date`,
    );
  }
  return date;
}
