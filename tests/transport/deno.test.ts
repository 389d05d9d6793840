// The Deno transport only runs under Deno; on Node and Bun this file checks that importing it is harmless.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtime } from "../support/transports.ts";

describe("deno transport", () => {
  it("loads on every runtime without touching Deno until used", async () => {
    const mod = await import("../../src/transport/deno.ts");
    assert.equal(typeof mod.connect, "function");
  });

  it("on Deno: names the runtime and reads the environment it is allowed to", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoEnv, denoTransport } = await import("../../src/transport/deno.ts");
    assert.match(denoTransport.platform, /^Deno \d/);
    const env = denoEnv();
    const deno = (globalThis as unknown as { Deno: { env: { get(n: string): string | undefined } } }).Deno;
    assert.equal(env.getEnv("PATH"), deno.env.get("PATH"));
  });

  it("on Deno: every denoEnv() is the process's: credentials they produce share one cache scope", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoEnv } = await import("../../src/transport/deno.ts");
    const { envScope } = await import("../../src/runtime-env.ts");
    assert.equal(envScope(denoEnv()), envScope(denoEnv()));
  });

  it("on Deno: refuses options Deno cannot honour, saying what to do instead", {
    skip: runtime !== "deno" && "Deno only",
  }, async () => {
    const { denoTransport } = await import("../../src/transport/deno.ts");
    await assert.rejects(
      denoTransport.openSocket({
        host: "127.0.0.1",
        port: 1,
        tls: { allowInvalidCertificates: true, allowInvalidHostnames: false },
        signal: AbortSignal.timeout(5000),
      }),
      { code: "RUNTIME_UNSUPPORTED", message: /unsafely-ignore-certificate-errors/ },
    );
  });
});
