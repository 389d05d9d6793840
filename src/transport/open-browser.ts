/**
 * Opens a URL in the system browser, for the OIDC browser sign-in's `openUrl` on Node.js, Deno and Bun
 * (all three run `node:child_process`; Deno needs `--allow-run`).
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { MongoAuthError } from "../core/errors.ts";

/**
 * Opens `url` in the system browser: `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on
 * Windows, `xdg-open` elsewhere. The URL is passed as one argument, never through a shell, and only
 * `http`/`https` URLs are opened.
 *
 * @param url the sign-in page
 * @returns once the opener started (a browser window is up to the system)
 * @throws {MongoAuthError} `INVALID_OPTION` for a URL that is not http(s); `RUNTIME_UNSUPPORTED` when no
 *   opener could be started (no desktop: sign in with the device flow, or print the URL)
 *
 * @example Open the sign-in page in the system browser
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHumanCallback, openBrowser } from "@mongo-auth/core/node";
 *
 * const OIDC_HUMAN_CALLBACK = createHumanCallback({ openUrl: openBrowser });
 * // Only web pages are opened, never a file or another scheme:
 * await assert.rejects(openBrowser("file:///etc/passwd"), { code: "INVALID_OPTION" });
 * void OIDC_HUMAN_CALLBACK;
 * ```
 */
export function openBrowser(url: string): Promise<void> {
  const protocol = typeof url === "string" && URL.canParse(url) ? new URL(url).protocol : "";
  if (protocol !== "https:" && protocol !== "http:") {
    return Promise.reject(new MongoAuthError("INVALID_OPTION", "openBrowser opens http and https URLs only"));
  }
  const [command, ...args] = process.platform === "darwin"
    ? ["open", url]
    : process.platform === "win32"
    ? ["rundll32", "url.dll,FileProtocolHandler", url]
    : ["xdg-open", url];
  return new Promise((resolve, reject) => {
    const cannot = (error: unknown) =>
      reject(
        new MongoAuthError(
          "RUNTIME_UNSUPPORTED",
          `cannot open a browser here (${command}: ${
            reason(error)
          }): sign in with flow: "device", or leave ` +
            "openUrl unset to print the URL",
          { cause: error },
        ),
      );
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: "ignore", detached: true });
    } catch (error) {
      return cannot(error); // Deno without --allow-run (or --allow-env) refuses at once
    }
    child.once("error", cannot);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}

// ENOENT when there is no opener; Deno's permission errors say which flag is missing.
function reason(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return typeof code === "string" ? code : String(message ?? error);
}
