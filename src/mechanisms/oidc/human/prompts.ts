/**
 * What the sign-in shows the person when the caller does not say otherwise. The library logs nothing
 * by default; these messages are the sign-in itself talking to the person at the terminal, and any of
 * them can be replaced (`print`, `openUrl`, `showDeviceCode`).
 *
 * @module
 */
import type { DeviceCodePrompt } from "./device-authorization.ts";

/**
 * The default `print`: one message to the console's error stream (stderr in a terminal), so a
 * program's standard output stays its own.
 *
 * @param message the text to show
 */
export function printToConsole(message: string): void {
  console.error(message);
}

/**
 * The default `openUrl`: prints the sign-in URL for the person to open.
 *
 * @param print where messages go
 * @returns the `openUrl` function
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printUrl } from "./prompts.ts";
 *
 * const lines: string[] = [];
 * printUrl((line) => lines.push(line))("https://idp.example/authorize?client_id=cli");
 * assert.match(lines[0], /https:\/\/idp\.example\/authorize\?client_id=cli/);
 * ```
 */
export function printUrl(print: (message: string) => void): (url: string) => void {
  return (url) => print(`To sign in to MongoDB, open this page in a browser:\n\n  ${url}\n`);
}

/**
 * The default `showDeviceCode`: prints where to go and the code to enter.
 *
 * @param print where messages go
 * @returns the `showDeviceCode` function
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printDeviceCode } from "./prompts.ts";
 *
 * const lines: string[] = [];
 * printDeviceCode((line) => lines.push(line))({ verificationUri: "https://idp.example/device", userCode: "WDJB-MJHT", expiresInSeconds: 600 });
 * assert.match(lines[0], /https:\/\/idp\.example\/device.*WDJB-MJHT/s);
 * ```
 */
export function printDeviceCode(print: (message: string) => void): (prompt: DeviceCodePrompt) => void {
  return ({ verificationUri, userCode, expiresInSeconds }) => {
    const minutes = Math.max(1, Math.round(expiresInSeconds / 60));
    print(
      `To sign in to MongoDB, open ${verificationUri} on any device and enter the code\n\n  ${userCode}\n\n` +
        `(valid for ${minutes} minute${minutes === 1 ? "" : "s"}).`,
    );
  };
}
