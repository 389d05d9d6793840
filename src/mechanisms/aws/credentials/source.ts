/**
 * What every AWS credential source is handed and what it hands back.
 *
 * @module
 */
import { toHex } from "../../../crypto/hex.ts";
import { randomBytes } from "../../../crypto/random.ts";
import type { MongoAuthError } from "../../../core/errors.ts";
import type { RuntimeEnv } from "../../../core/runtime-env.ts";
import type { AwsCredentials } from "../../../credential/aws.ts";
import { loadSharedProfiles, type SharedProfiles } from "./shared-files.ts";
import type { AwsIdentity } from "../identity.ts";

/** What a source may use. */
export interface AwsSourceContext {
  /** Environment variables, files, fetch, clock. */
  readonly env: RuntimeEnv;
  /** The caller's signal, passed to every HTTP call. */
  readonly signal?: AbortSignal;
  /** Milliseconds before one HTTP call is given up. */
  readonly timeoutMs?: number;
  /** The shared files, read once per resolution however many sources look at them. */
  readonly profiles: () => Promise<SharedProfiles>;
}

/** Credentials a source found, with where they came from. */
export interface FoundAwsCredentials {
  /** The credentials. */
  readonly credentials: AwsCredentials;
  /** The source, for messages and tests (e.g. "environment variables"). */
  readonly source: string;
  /** Fetched temporary credentials, which are cached; static keys are read afresh each time. */
  readonly temporary: boolean;
  /** Who they are, when the source says (an STS answer's assumed role, the ECS endpoint's role). */
  readonly identity?: AwsIdentity;
}

/** A source that does not apply here, and why: the words the chain quotes when no source applies. */
export interface SkippedAwsSource {
  /** What the source looked for and did not find, e.g. "AWS_ACCESS_KEY_ID: not set". */
  readonly skipped: string;
  /**
   * The failure that showed it (IMDS answering with an HTTP error, off EC2), kept as the `cause` of the
   * chain's error when no source applies; it carries no secret.
   */
  readonly cause?: MongoAuthError;
}

/** One link of the chain: what it found, why it does not apply, or an error when it applies but fails. */
export type AwsCredentialSource = (
  context: AwsSourceContext,
) => Promise<FoundAwsCredentials | SkippedAwsSource>;

/**
 * A source context whose shared files are read at most once.
 *
 * @param env the runtime environment
 * @param signal the caller's signal
 * @param timeoutMs the per-call timeout
 * @returns the context
 */
export function sourceContext(env: RuntimeEnv, signal?: AbortSignal, timeoutMs?: number): AwsSourceContext {
  let profiles: Promise<SharedProfiles> | undefined;
  return { env, signal, timeoutMs, profiles: () => (profiles ??= loadSharedProfiles(env)) };
}

/**
 * A short random name for `RoleSessionName` when the user set none.
 *
 * @returns `mongo-auth-` and 16 hex digits
 */
export function randomSessionName(): string {
  return "mongo-auth-" + toHex(randomBytes(8));
}
