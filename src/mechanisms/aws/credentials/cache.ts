/**
 * The cache of fetched temporary AWS credentials (the spec's "Caching Credentials"): one entry,
 * replaced whole (so it is written atomically), valid until five minutes before `expiration`, and
 * cleared when authentication fails. No lock: concurrent connections may each fetch, as the spec
 * asks, rather than queue behind one request.
 *
 * @module
 */
import type { AwsCredentials } from "../../../credential/aws.ts";

/** Credentials closer than this to their expiration are fetched anew. */
export const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/** One client's cached AWS credentials. */
export class AwsCredentialCache {
  #entry: { credentials: AwsCredentials; source: string } | undefined;

  /**
   * The cached credentials if still valid at `now`.
   *
   * @param now milliseconds since the epoch
   * @returns the credentials and their source, or `undefined`
   */
  get(now: number): { credentials: AwsCredentials; source: string } | undefined {
    const entry = this.#entry;
    if (!entry) return undefined;
    const expiration = entry.credentials.expiration;
    if (expiration && expiration.getTime() - EXPIRY_MARGIN_MS <= now) {
      if (this.#entry === entry) this.#entry = undefined;
      return undefined;
    }
    return entry;
  }

  /**
   * Stores freshly fetched credentials.
   *
   * @param credentials the credentials (without `expiration` they stay until cleared)
   * @param source where they came from
   */
  set(credentials: AwsCredentials, source: string): void {
    this.#entry = { credentials, source };
  }

  /** Forgets the credentials (after an authentication failure). */
  clear(): void {
    this.#entry = undefined;
  }
}
