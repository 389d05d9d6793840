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
 * @example
 * ```ts ignore
 * import { connect, createHumanCallback, openBrowser } from "@mongo-auth/core/node";
 *
 * const conn = await connect("mongodb+srv://cluster0.example.mongodb.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: { OIDC_HUMAN_CALLBACK: createHumanCallback({ openUrl: openBrowser }) },
 * });
 * ```
 */
export function openBrowser(url: string): Promise<void> {
  const protocol = URL.canParse(url) ? new URL(url).protocol : "";
  if (protocol !== "https:" && protocol !== "http:") {
    return Promise.reject(new MongoAuthError("INVALID_OPTION", "openBrowser opens http and https URLs only"));
  }
  const [command, ...args] = process.platform === "darwin"
    ? ["open", url]
    : process.platform === "win32"
    ? ["rundll32", "url.dll,FileProtocolHandler", url]
    : ["xdg-open", url];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.once("error", (error) =>
      reject(
        new MongoAuthError(
          "RUNTIME_UNSUPPORTED",
          `cannot open a browser here (${command}: ${(error as { code?: string }).code ?? error.message}): ` +
            'sign in with flow: "device", or leave openUrl unset to print the URL',
          { cause: error },
        ),
      ));
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}
