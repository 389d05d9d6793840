/**
 * The file functions of `fileTokenStore()` on Node.js, Bun and Deno (`node:fs`; Deno needs
 * `--allow-read` and `--allow-write` for the file).
 *
 * @module
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { FileTokenStore, type TokenFileAccess } from "../mechanisms/oidc/human/file-token-store.ts";
import type { TokenStore } from "../mechanisms/oidc/human/token-store.ts";

/** Where {@link fileTokenStore} keeps tokens by default: `~/.mongo-auth/oidc-tokens.json`. */
export function defaultTokenFile(): string {
  return join(homedir(), ".mongo-auth", "oidc-tokens.json");
}

/**
 * Reads and writes the token file: the folder is created 0700, the file written 0600 to a temporary
 * name beside it and renamed over the old one, so it is never readable by others or half-written.
 */
export const nodeTokenFiles: TokenFileAccess = {
  async read(path) {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return undefined;
      throw error;
    }
  },
  async writePrivate(path, text) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${crypto.randomUUID()}.tmp`;
    const file = await open(temporary, "wx", 0o600);
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  },
};

/**
 * A token store in a file only the user can read, so a CLI signs in once rather than on every run.
 * Tokens are kept per identity provider, client and user.
 *
 * @param path the file. Default {@link defaultTokenFile}: `~/.mongo-auth/oidc-tokens.json`
 * @returns the store, for `createHumanCallback({ store })`
 *
 * @example
 * ```ts ignore
 * import { createHumanCallback, fileTokenStore } from "@mongo-auth/core/node";
 *
 * const OIDC_HUMAN_CALLBACK = createHumanCallback({ store: fileTokenStore() });
 * ```
 */
export function fileTokenStore(path: string = defaultTokenFile()): TokenStore {
  return new FileTokenStore(path, nodeTokenFiles);
}
