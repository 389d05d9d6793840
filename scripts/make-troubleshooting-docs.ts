// Writes the output blocks of docs/troubleshooting.md (```text output=NAME) from real runs of
// `mongo-auth whoami --explain` against the reference server and the stand-ins of
// tests/docs/troubleshooting-scenarios.ts. tests/docs/troubleshooting.test.ts checks the result, so the
// page cannot drift from what the CLI prints.
//
//   deno run -A scripts/make-troubleshooting-docs.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../testing/paths.ts";
import { shown, stage } from "../tests/docs/troubleshooting-scenarios.ts";

const file = join(repoRoot(), "docs", "troubleshooting.md");
let text = readFileSync(file, "utf8");
const { scenarios, close } = await stage();
try {
  for (const scenario of scenarios) {
    const block = new RegExp("(```text output=" + scenario.name + "\\n)[\\s\\S]*?(```)");
    if (!block.test(text)) throw new Error(`docs/troubleshooting.md has no block output=${scenario.name}`);
    const output = shown(await scenario.run());
    text = text.replace(block, (_match, open: string, close: string) => open + output + close);
  }
} finally {
  await close();
}
writeFileSync(file, text);
console.log(`wrote ${scenarios.length} output blocks to docs/troubleshooting.md`);
