// What the Deno transport tells hello's client metadata about its host: only what the process was granted,
// and never a permission prompt. Every runtime runs Deno itself on a pseudo-terminal (util-linux `script`),
// where Deno would prompt for any variable or file read without a grant, and a prompt would hang the run.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { type } from "node:os";
import { osTypeOf } from "../../src/transport/host-description-deno.ts";
import { repoRoot } from "../../testing/paths.ts";
import { denoExecutable, runOnTerminal } from "../support/cli.ts";

const deno = denoExecutable();

// The metadata document the Deno transport builds under `flags`, with `vars` set: the output on the terminal.
async function metadataOnTerminal(
  flags: string[],
  vars: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const script = join(repoRoot(), "tests", "support", "deno-client-metadata.ts");
  const env = { HOME: process.env.HOME ?? "", NO_COLOR: "1", ...vars };
  const { code, stdout, stderr } = await runOnTerminal([deno, "run", ...flags, script], env);
  return { code, out: stdout + stderr };
}

const GCP = { K_SERVICE: "billing", FUNCTION_REGION: "us-central1", KUBERNETES_SERVICE_HOST: "10.0.0.1" };

describe("describeDenoHost", () => {
  it("without permissions: no prompt, no env, no OS version; the OS's name and architecture from Deno.build", async () => {
    const { code, out } = await metadataOnTerminal([], GCP);
    assert.doesNotMatch(out, /Deno requests/);
    assert.equal(code, 0, out);
    const client = JSON.parse(out.trim());
    assert.equal(client.env, undefined);
    assert.deepEqual(Object.keys(client.os), ["type", "name", "architecture"]);
    assert.equal(client.os.type, type()); // uname -s, as node:os says it on this machine
  });

  it("reads the variables, /.dockerenv and the OS version it was granted, each alone", async () => {
    const { code, out } = await metadataOnTerminal(
      ["--allow-env=K_SERVICE,FUNCTION_REGION", "--allow-sys=osRelease"],
      GCP,
    );
    assert.doesNotMatch(out, /Deno requests/);
    assert.equal(code, 0, out);
    const client = JSON.parse(out.trim());
    // KUBERNETES_SERVICE_HOST is set but not granted: no orchestrator. /.dockerenv not granted: no runtime.
    assert.deepEqual(client.env, { name: "gcp.func", region: "us-central1" });
    assert.equal(typeof client.os.version, "string");
  });

  it("with --allow-env: the whole environment the handshake describes", async () => {
    const { code, out } = await metadataOnTerminal(["--allow-env"], GCP);
    assert.equal(code, 0, out);
    const client = JSON.parse(out.trim());
    assert.equal(client.env.name, "gcp.func");
    assert.equal(client.env.container.orchestrator, "kubernetes");
  });
});

describe("osTypeOf", () => {
  it("names the OS as uname -s and Node.js's os.type() do, so that every runtime of a machine says the same", () => {
    assert.equal(osTypeOf("linux"), "Linux");
    assert.equal(osTypeOf("darwin"), "Darwin");
    assert.equal(osTypeOf("windows"), "Windows_NT");
    assert.equal(osTypeOf("illumos"), "SunOS");
    assert.equal(osTypeOf("plan9"), "plan9");
    assert.equal(osTypeOf(undefined), "unknown");
  });
});
