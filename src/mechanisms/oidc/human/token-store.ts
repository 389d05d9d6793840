/**
 * Where a human sign-in keeps its tokens between calls and, with a persistent store, between runs of a
 * program, so a CLI does not send the person to the browser every time.
 *
 * @module
 */

/**
 * The tokens of one sign-in, as stored.
 *
 * @example What a store holds after a sign-in
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StoredTokens } from "@mongo-auth/core";
 *
 * const tokens: StoredTokens = {
 *   accessToken: "eyJ.a.b",
 *   expiresAt: Date.now() + 3_600_000, // reused while more than a minute is left
 *   refreshToken: "r3fr3sh", // traded for new tokens without the person
 * };
 * assert.ok(tokens.expiresAt! > Date.now());
 * ```
 */
export interface StoredTokens {
  /** The access token. */
  readonly accessToken: string;
  /** When the access token expires (ms since the epoch), when known. */
  readonly expiresAt?: number;
  /** The refresh token, when the identity provider issued one. */
  readonly refreshToken?: string;
}

/**
 * A place to keep tokens, one entry per identity provider, client and user (the sign-in makes the key;
 * store it as given). Implement it over a keychain or a secrets service; `fileTokenStore()` from
 * `@mongo-auth/core/deno` or `/node` keeps them in a file only the user can read. Pass it as
 * `createHumanCallback({ store })`.
 *
 * @example An in-memory store (what the sign-in uses when given none)
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StoredTokens, TokenStore } from "@mongo-auth/core";
 *
 * const entries = new Map<string, StoredTokens>();
 * const store: TokenStore = {
 *   get: async (key) => entries.get(key),
 *   set: async (key, tokens) => void (tokens ? entries.set(key, tokens) : entries.delete(key)),
 * };
 * await store.set("k", { accessToken: "eyJ.a.b" });
 * assert.equal((await store.get("k"))?.accessToken, "eyJ.a.b");
 * ```
 */
export interface TokenStore {
  /**
   * The tokens stored under `key`, if any.
   * @param key the entry's key, made by the sign-in
   */
  get(key: string): Promise<StoredTokens | undefined>;
  /**
   * Stores `tokens` under `key`, or forgets the entry when `tokens` is `undefined`.
   * @param key the entry's key, made by the sign-in
   * @param tokens the tokens, or `undefined`
   */
  set(key: string, tokens: StoredTokens | undefined): Promise<void>;
}

/**
 * The key tokens are stored under: one entry per issuer, client and user, so signing in to one cluster
 * never hands its tokens to another identity provider, client or account.
 *
 * @param issuer the identity provider
 * @param clientId the OAuth client
 * @param username the credential's username, if any
 * @returns the key (readable: it holds no secret)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenStoreKey } from "./token-store.ts";
 *
 * assert.equal(tokenStoreKey("https://idp.example", "cli", "ada"), '["https://idp.example","cli","ada"]');
 * assert.notEqual(tokenStoreKey("https://idp.example", "cli"), tokenStoreKey("https://idp.example", "cli", "ada"));
 * ```
 */
export function tokenStoreKey(issuer: string, clientId: string, username?: string): string {
  return JSON.stringify([issuer, clientId, username ?? null]);
}

/**
 * A {@link StoredTokens} read back from a store, checked; anything else is `undefined`, so a damaged or
 * hand-edited entry means "signed out" rather than an error deep inside.
 *
 * @param value what the store returned
 * @returns the tokens, holding only the known fields, or `undefined`
 */
export function storedTokensOf(value: unknown): StoredTokens | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { accessToken, expiresAt, refreshToken } = value as Record<string, unknown>;
  if (typeof accessToken !== "string" || accessToken === "") return undefined;
  const tokens: { accessToken: string; expiresAt?: number; refreshToken?: string } = { accessToken };
  if (typeof expiresAt === "number" && Number.isFinite(expiresAt)) tokens.expiresAt = expiresAt;
  if (typeof refreshToken === "string" && refreshToken !== "") tokens.refreshToken = refreshToken;
  return tokens;
}

/**
 * A {@link TokenStore} in memory: tokens last as long as the callback that holds it.
 *
 * @returns the store
 */
export function memoryTokenStore(): TokenStore {
  const entries = new Map<string, StoredTokens>();
  return {
    get: (key) => Promise.resolve(entries.get(key)),
    set(key, tokens) {
      if (tokens) entries.set(key, tokens);
      else entries.delete(key);
      return Promise.resolve();
    },
  };
}
