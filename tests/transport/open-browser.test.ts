// openBrowser: only web pages, one argument to the system's opener (never a shell), and a coded error
// where there is no opener. No test here opens a browser: the opener is never found.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import type { MongoAuthError } from "@mongo-auth/core";
import { openBrowser } from "../../src/transport/open-browser.ts";

describe("openBrowser", () => {
  it("opens http and https URLs only: INVALID_OPTION for anything else", async () => {
    for (const url of ["file:///etc/passwd", "javascript:alert(1)", "not a url", "ftp://example.com/"]) {
      await assert.rejects(openBrowser(url), { code: "INVALID_OPTION" }, url);
    }
    // Not a string at all (a symbol had thrown a TypeError from URL.canParse).
    for (const url of [Symbol("url"), 443, null]) {
      await assert.rejects(openBrowser(url as never), { code: "INVALID_OPTION" });
    }
  });

  it("no opener on this machine: RUNTIME_UNSUPPORTED, pointing at the device flow", async () => {
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      await assert.rejects(openBrowser("https://idp.example/authorize"), (error: MongoAuthError) => {
        assert.equal(error.code, "RUNTIME_UNSUPPORTED");
        assert.match(error.message, /^cannot open a browser here \(.+\): sign in with flow: "device"/);
        return true;
      });
    } finally {
      process.env.PATH = path;
    }
  });
});
