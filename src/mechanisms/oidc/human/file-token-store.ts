/**
 * A {@link TokenStore} in one JSON file, over two injected file functions so it stays runtime-free;
 * `fileTokenStore()` from `@mongo-auth/core/deno` and `@mongo-auth/core/node` plugs in the runtime's.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
import { type StoredTokens, storedTokensOf, type TokenStore } from "./token-store.ts";

/** The file access a {@link FileTokenStore} needs. */
export interface TokenFileAccess {
  /** The file's text, or `undefined` when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /**
   * Replaces the file with `text`, readable and writable by the user only (0600), atomically (a
   * reader sees the old or the new file, never half of one), creating its folder (0700) if needed.
   */
  writePrivate(path: string, text: string): Promise<void>;
}

interface TokenFile {
  version: 1;
  tokens: Record<string, StoredTokens>;
}

/**
 * Tokens in a JSON file `{ "version": 1, "tokens": { <key>: { accessToken, expiresAt?, refreshToken? } } }`.
 * Writes from one process are serialized; between processes the last writer wins (each write replaces
 * the file atomically). A file that is not such JSON reads as empty and is replaced on the next write.
 *
 * @example With in-memory file functions
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileTokenStore } from "./file-token-store.ts";
 *
 * const files = new Map<string, string>();
 * const store = new FileTokenStore("/home/ada/.mongo-auth/oidc-tokens.json", {
 *   read: async (path) => files.get(path),
 *   writePrivate: async (path, text) => void files.set(path, text),
 * });
 * await store.set("k", { accessToken: "eyJ.a.b", expiresAt: 1 });
 * assert.deepEqual(await store.get("k"), { accessToken: "eyJ.a.b", expiresAt: 1 });
 * ```
 */
export class FileTokenStore implements TokenStore {
  readonly #path: string;
  readonly #files: TokenFileAccess;
  #writes: Promise<unknown> = Promise.resolve();

  /**
   * A store in `path`.
   *
   * @param path the file
   * @param files how to read and write it
   */
  constructor(path: string, files: TokenFileAccess) {
    this.#path = path;
    this.#files = files;
  }

  /**
   * The tokens stored under `key`.
   *
   * @param key the entry's key
   * @returns the stored tokens, if any
   * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the file cannot be read
   */
  async get(key: string): Promise<StoredTokens | undefined> {
    await this.#writes.catch(() => {});
    const file = await this.#read();
    return Object.hasOwn(file.tokens, key) ? storedTokensOf(file.tokens[key]) : undefined;
  }

  /**
   * Stores `tokens` under `key` (or forgets the entry), rewriting the file.
   *
   * @param key the entry's key
   * @param tokens the tokens, or `undefined` to forget the entry
   * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the file cannot be written
   */
  set(key: string, tokens: StoredTokens | undefined): Promise<void> {
    const write = this.#writes.catch(() => {}).then(async () => {
      const file = await this.#read();
      if (tokens) file.tokens[key] = { ...tokens };
      else delete file.tokens[key];
      try {
        await this.#files.writePrivate(this.#path, JSON.stringify(file, null, 2) + "\n");
      } catch (error) {
        throw this.#failed("write", error);
      }
    });
    this.#writes = write;
    return write;
  }

  async #read(): Promise<TokenFile> {
    let text: string | undefined;
    try {
      text = await this.#files.read(this.#path);
    } catch (error) {
      throw this.#failed("read", error);
    }
    const empty: TokenFile = { version: 1, tokens: {} };
    if (text === undefined) return empty;
    try {
      const parsed = JSON.parse(text) as Partial<TokenFile>;
      const tokens = parsed?.version === 1 ? parsed.tokens : undefined;
      if (typeof tokens !== "object" || tokens === null || Array.isArray(tokens)) return empty;
      return { version: 1, tokens: Object.assign(Object.create(null), tokens) };
    } catch {
      return empty;
    }
  }

  #failed(what: "read" | "write", error: unknown): MongoAuthError {
    const reason = (error as { code?: unknown })?.code ?? (error as Error)?.name ?? "error";
    return new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `cannot ${what} the OIDC token file ${this.#path} (${String(reason)}): check its permissions, or ` +
        "pass another path to fileTokenStore()",
      { cause: error },
    );
  }
}
