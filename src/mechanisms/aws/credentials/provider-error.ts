/**
 * One place that words credential source failures, so every message names the source and none
 * carries a key or token.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";

/**
 * A `CREDENTIAL_PROVIDER_ERROR` for one AWS credential source.
 *
 * @param source the source, e.g. "the EC2 instance metadata service"
 * @param problem what went wrong and what to fix; must not contain a secret
 * @param cause an underlying error that carries no secret (network errors)
 * @returns the error to throw
 */
export function awsSourceError(source: string, problem: string, cause?: unknown): MongoAuthError {
  return new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    `MONGODB-AWS: ${source}: ${problem}`,
    cause === undefined ? undefined : { cause },
  );
}
