/**
 * The cache of fetched temporary AWS credentials (the spec's "Caching Credentials"): one entry,
 * replaced whole (so it is written atomically), valid until five minutes before `expiration`, and
 * cleared when authentication fails. No lock: concurrent connections may each fetch, as the spec
 * asks, rather than queue behind one request.
 *
 * @module
 */
import type { AwsCredentials } from "../../../credential/aws.ts";
import type { AwsIdentity } from "../identity.ts";

/** A cache entry: the credentials, where they came from, and who they are when the source said. */
export interface CachedAwsCredentials {
  readonly credentials: AwsCredentials;
  readonly source: string;
  readonly identity?: AwsIdentity;
}

/** Credentials closer than this to their expiration are fetched anew. */
export const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/** One client's cached AWS credentials. */
export class AwsCredentialCache {
  #entry: CachedAwsCredentials | undefined;

  /**
   * The cached credentials if still valid at `now`.
   *
   * @param now milliseconds since the epoch
   * @returns the credentials, their source and identity, or `undefined`
   */
  get(now: number): CachedAwsCredentials | undefined {
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
   * @param identity who they are, when the source said
   */
  set(credentials: AwsCredentials, source: string, identity?: AwsIdentity): void {
    this.#entry = { credentials, source, identity };
  }

  /** Forgets the credentials (after an authentication failure). */
  clear(): void {
    this.#entry = undefined;
  }
}
