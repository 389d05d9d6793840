// docs/troubleshooting.md shows what `mongo-auth whoami --explain` prints for three failures. Each is run
// again here, in this runtime, against the same stage (tests/docs/troubleshooting-scenarios.ts), and must
// print what the page shows, up to times, dates and ports. `deno run -A scripts/make-troubleshooting-docs.ts`
// writes the blocks anew.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { codeBlocks } from "./blocks.ts";
import { comparable, shown, type Stage, stage } from "./troubleshooting-scenarios.ts";
import { runtime } from "../support/transports.ts";

const blocks = codeBlocks("docs/troubleshooting.md").filter((block) => block.output !== undefined);

describe(`docs/troubleshooting.md shows what the CLI prints (${runtime})`, () => {
  let staged: Stage;
  before(async () => void (staged = await stage()));
  after(() => staged.close());

  it("documents every scenario, and only those", () => {
    assert.deepEqual(
      blocks.map((block) => block.output).sort(),
      staged.scenarios.map((scenario) => scenario.name).sort(),
    );
  });

  for (const name of ["wrong-auth-source", "iam-role-without-user", "expired-token"]) {
    it(name, async () => {
      const scenario = staged.scenarios.find((s) => s.name === name)!;
      const block = blocks.find((b) => b.output === name)!;
      const run = await scenario.run();
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        comparable(shown(run)),
        comparable(block.code),
        `${block.file}:${block.line} differs from what the CLI prints now: ` +
          "run `deno run -A scripts/make-troubleshooting-docs.ts`",
      );
      assert.match(block.code, /^hint: /m, "the documented output has a hint");
    });
  }
});
