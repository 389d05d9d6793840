// What the Node.js transport (Node.js, Bun; and Deno through its node: modules) tells hello's client
// metadata about its host: the official Node.js driver's os fields, the process's variables, /.dockerenv.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import process from "node:process";
import { describeNodeHost } from "../../src/transport/host-description-node.ts";
import { clientMetadata } from "../../src/client/handshake.ts";
import { nodeTransport } from "../../src/transport/node.ts";

describe("describeNodeHost", () => {
  it("names the platform and architecture as process.platform and process.arch, and the OS version", () => {
    const { os } = describeNodeHost();
    assert.equal(os?.architecture, runtimeArch());
    assert.equal(typeof os?.version, "string");
    assert.equal(typeof os?.name, "string");
  });

  it("reads the handshake's variables from the process's environment when asked", () => {
    process.env.FUNCTIONS_WORKER_RUNTIME = "node";
    try {
      assert.equal(describeNodeHost().getEnv("FUNCTIONS_WORKER_RUNTIME"), "node");
    } finally {
      delete process.env.FUNCTIONS_WORKER_RUNTIME;
    }
    assert.equal(describeNodeHost().getEnv("FUNCTIONS_WORKER_RUNTIME"), undefined);
  });

  it("says docker exactly when /.dockerenv exists", () => {
    assert.equal(describeNodeHost().dockerenv, existsSync("/.dockerenv"));
  });

  it("is what the Node.js transport's hello describes", () => {
    const client = clientMetadata(nodeTransport);
    assert.equal(client.os.type, nodeTransport.osType);
    assert.equal(client.os.architecture, runtimeArch());
    assert.equal(client.env?.container?.runtime, existsSync("/.dockerenv") ? "docker" : undefined);
  });
});

// Deno.build.arch on Deno ("x86_64"), process.arch elsewhere ("x64").
function runtimeArch(): string {
  const deno = (globalThis as { Deno?: { build: { arch: string } } }).Deno;
  return deno ? deno.build.arch : process.arch;
}
