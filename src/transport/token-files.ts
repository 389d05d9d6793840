/**
 * The file functions of `fileTokenStore()` on Node.js, Bun and Deno (`node:fs`; Deno needs
 * `--allow-read` and `--allow-write` for the file).
 *
 * @module
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { MongoAuthError } from "../core/errors.ts";
import { typeName } from "../core/options.ts";
import { FileTokenStore, type TokenFileAccess } from "../mechanisms/oidc/human/file-token-store.ts";
import type { TokenStore } from "../mechanisms/oidc/human/token-store.ts";

/**
 * Where {@link fileTokenStore} keeps tokens by default: `~/.mongo-auth/oidc-tokens.json`.
 *
 * @returns the path
 * @throws {MongoAuthError} `INVALID_OPTION` when the home directory cannot be found (Deno without
 *   `--allow-sys` and `--allow-env`)
 */
export function defaultTokenFile(): string {
  return join(homeDirectory(), ".mongo-auth", "oidc-tokens.json");
}

function homeDirectory(): string {
  try {
    return homedir();
  } catch {
    // Deno without --allow-sys: the variable, if env access is allowed.
  }
  try {
    const home = process.env.HOME ?? process.env.USERPROFILE;
    if (home) return home;
  } catch {
    // Deno without --allow-env either.
  }
  throw new MongoAuthError(
    "INVALID_OPTION",
    "fileTokenStore() cannot find the home directory for its default file: pass a path " +
      "(fileTokenStore(path)), or on Deno allow --allow-sys (or --allow-env for HOME)",
  );
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
 * @throws {MongoAuthError} `INVALID_OPTION` for a path that is not a non-empty string
 *
 * @example Keep the tokens in a file only you can read
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, stat } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { createHumanCallback, fileTokenStore } from "@mongo-auth/core/node";
 *
 * const dir = await mkdtemp(join(tmpdir(), "mongo-auth-"));
 * const file = join(dir, "oidc-tokens.json");
 * const store = fileTokenStore(file); // fileTokenStore(): ~/.mongo-auth/oidc-tokens.json
 * const OIDC_HUMAN_CALLBACK = createHumanCallback({ store });
 * // What the sign-in does after a person signed in:
 * await store.set("an issuer, client and user", { accessToken: "eyJ.a.b", expiresAt: Date.now() + 3_600_000 });
 * assert.equal((await store.get("an issuer, client and user"))?.accessToken, "eyJ.a.b");
 * assert.equal((await stat(file)).mode & 0o777, 0o600);
 * await rm(dir, { recursive: true });
 * void OIDC_HUMAN_CALLBACK;
 * ```
 */
export function fileTokenStore(path?: string): TokenStore {
  if (path !== undefined && path !== null && (typeof path !== "string" || path === "")) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `fileTokenStore() takes the token file's path as a non-empty string (or none, for the default), got ${
        typeName(path)
      }`,
    );
  }
  return new FileTokenStore(path ?? defaultTokenFile(), nodeTokenFiles);
}
