// What the sign-in tells the person when the caller does not say otherwise: on the console's error
// stream, the page to open, or where to go and the code to enter with how long it is valid.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { printDeviceCode, printToConsole, printUrl } from "../../../../src/mechanisms/oidc/human/prompts.ts";

function lines() {
  const printed: string[] = [];
  return { printed, print: (message: string) => void printed.push(message) };
}

describe("printToConsole", () => {
  it("writes the message to console.error, never to standard output", () => {
    const { error, log, info } = console;
    const seen: [string, unknown[]][] = [];
    console.error = (...args: unknown[]) => void seen.push(["error", args]);
    console.log = (...args: unknown[]) => void seen.push(["log", args]);
    console.info = (...args: unknown[]) => void seen.push(["info", args]);
    try {
      printToConsole("open https://idp.example/authorize");
    } finally {
      Object.assign(console, { error, log, info });
    }
    assert.deepEqual(seen, [["error", ["open https://idp.example/authorize"]]]);
  });
});

describe("printUrl", () => {
  it("prints one message with the whole URL on a line of its own", () => {
    const { printed, print } = lines();
    const url = "https://idp.example/authorize?client_id=cli&code_challenge=abc&state=xyz";
    printUrl(print)(url);
    assert.deepEqual(printed, [`To sign in to MongoDB, open this page in a browser:\n\n  ${url}\n`]);
  });
});

describe("printDeviceCode", () => {
  it("prints where to go, the code on a line of its own, and how many minutes it is valid", () => {
    const { printed, print } = lines();
    printDeviceCode(print)({
      verificationUri: "https://idp.example/device",
      userCode: "WDJB-MJHT",
      expiresInSeconds: 600,
    });
    assert.deepEqual(printed, [
      "To sign in to MongoDB, open https://idp.example/device on any device and enter the code\n\n  WDJB-MJHT\n\n" +
      "(valid for 10 minutes).",
    ]);
  });

  it("rounds to whole minutes, says at least one, and '1 minute' in the singular", () => {
    const cases: [number, string][] = [
      [0, "1 minute"],
      [29, "1 minute"],
      [60, "1 minute"],
      [89, "1 minute"],
      [90, "2 minutes"],
      [1800, "30 minutes"],
    ];
    for (const [expiresInSeconds, valid] of cases) {
      const { printed, print } = lines();
      printDeviceCode(print)({
        verificationUri: "https://idp.example/device",
        userCode: "C",
        expiresInSeconds,
      });
      assert.match(printed[0], new RegExp(`\\(valid for ${valid}\\)\\.$`), `${expiresInSeconds} s`);
    }
  });
});
