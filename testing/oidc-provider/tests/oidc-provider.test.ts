// Starting the identity provider fixture: bounded, and a start that hangs is killed and tried once more.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { repoRoot } from "../../paths.ts";
import { type IdentityProviderSettings, startIdentityProvider } from "../oidc-provider.ts";

describe("startIdentityProvider", () => {
  it("starts the real fixture and stops it", async () => {
    const idp = await startIdentityProvider();
    try {
      assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status, 200);
    } finally {
      await idp.close();
    }
  });

  it("a fixture that never says it listens: killed and started once more, then a clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mongo-auth-idp-"));
    try {
      const startedFile = join(dir, "started");
      const fixture = join(repoRoot(), "testing", "oidc-provider", "tests", "hung-fixture.mjs");
      await assert.rejects(
        startIdentityProvider({ startedFile } as IdentityProviderSettings, { fixture, timeoutMS: 300 }),
        { message: /^oidc-provider fixture printed nothing in 300 ms/ },
      );
      const pids = readFileSync(startedFile, "utf8").trim().split("\n").map(Number);
      assert.equal(pids.length, 2);
      for (const pid of pids) {
        assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, `process ${pid} was killed`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
