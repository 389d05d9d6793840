// runShellCommand, the runtime envs' runCommand (an AWS profile's credential_process): a command line
// through the shell, its exit code and output whatever the code, and nothing left running when the signal
// fires or the output grows past its bound.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { runShellCommand } from "../../src/transport/run-command.ts";
import { nodeEnv } from "../../src/transport/node.ts";

const TEN_SECONDS = () => AbortSignal.timeout(10_000);

describe("runShellCommand", () => {
  it("runs a command line through the shell and hands back its exit code and both outputs", async () => {
    const result = await runShellCommand(`printf '%s' '{"Version":1}'; echo oops >&2`, {
      signal: TEN_SECONDS(),
    });
    assert.deepEqual(result, { exitCode: 0, stdout: '{"Version":1}', stderr: "oops\n" });
  });

  it("resolves with a failing command's exit code and what it wrote", async () => {
    const result = await runShellCommand("echo 'session expired' >&2; exit 3", { signal: TEN_SECONDS() });
    assert.deepEqual(result, { exitCode: 3, stdout: "", stderr: "session expired\n" });
  });

  it("reports a command a signal ended with exit code null", async () => {
    const result = await runShellCommand("kill -9 $$", { signal: TEN_SECONDS() });
    assert.equal(result.exitCode, null);
  });

  it("ends the command when the signal fires, and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runShellCommand("sleep 30", { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("given up")), 50);
    await assert.rejects(running, /given up/);
    assert.ok(Date.now() - started < 5_000, "it did not wait for the command");
    await assert.rejects(
      runShellCommand("echo never", { signal: AbortSignal.abort(new Error("early")) }),
      /early/,
    );
  });

  it("rejects past 1 MiB of output instead of holding it all, and the error keeps no command line", async () => {
    await assert.rejects(runShellCommand("yes hunter2", { signal: TEN_SECONDS() }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /maxBuffer/);
      assert.doesNotMatch(`${inspect(err)} ${JSON.stringify(err)}`, /hunter2/);
      return true;
    });
  });

  it("is the runCommand of the Node.js runtime env", () => {
    assert.equal(nodeEnv().runCommand, runShellCommand);
  });
});
