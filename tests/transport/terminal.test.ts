// The CLI's terminal: a line typed without an echo, on a pseudo-terminal (util-linux `script`), in this runtime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runScript, runScriptOnTerminal } from "../support/cli.ts";
import { settledWithin } from "../support/settled-within.ts";

const SCRIPT = "tests/support/hidden-line.ts";
const asked = (keys: string, env: Record<string, string> = {}) =>
  runScriptOnTerminal(SCRIPT, env, { waitFor: "Secret: ", keys });
const result = (stdout: string) => /result=(.*)\r?\n/.exec(stdout)?.[1];

describe("readHiddenLine", () => {
  it("reads a line without showing it: Backspace erases a character (a UTF-8 one whole), Enter ends it", async () => {
    const { code, stdout } = await asked("pa\u00e9\u00e9\x7fsX\x7f\r");
    assert.equal(code, 0, stdout);
    assert.equal(result(stdout), JSON.stringify("pa\u00e9s"));
    assert.doesNotMatch(stdout.replace(/result=.*/, ""), /pa/, "nothing typed was echoed");
  });

  it("an arrow or function key types nothing (its escape sequence is skipped)", async () => {
    // Left, Up, F1 (ESC O P), Delete (ESC [ 3 ~) among the keys.
    const { stdout } = await asked("a\x1b[Db\x1b[A\x1bOPc\x1b[3~\r");
    assert.equal(result(stdout), JSON.stringify("abc"));
  });

  it("Ctrl-C gives null; Ctrl-D on an empty line an empty one", async () => {
    assert.equal(result((await asked("\x03")).stdout), "null");
    assert.equal(result((await asked("\x04")).stdout), JSON.stringify(""));
  });

  it("a person who does not answer: null when the signal fires", async () => {
    const { stdout } = await settledWithin(
      10_000,
      "a prompt nobody answers",
      runScriptOnTerminal(SCRIPT, { HIDDEN_LINE_TIMEOUT_MS: "300" }),
    );
    assert.equal(result(stdout), "null");
  });

  it("standard input that is no terminal: nothing is asked", async () => {
    const { stdout } = await runScript(SCRIPT, 10_000);
    assert.match(stdout, /result="\(no terminal\)"/);
    assert.doesNotMatch(stdout, /Secret/);
  });
});
