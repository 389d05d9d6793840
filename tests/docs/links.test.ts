// Every link between the documentation's files, and from the changelog into them, goes somewhere: a relative
// link names a file of the repository, and its `#fragment`, if any, a heading of that file as GitHub names it.
// A reader who follows "bench/README.md, section 4" from the README lands on section 4, not on the top of the
// page.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { repoRoot } from "../../testing/paths.ts";
import { docFiles, fencedBlocks } from "./blocks.ts";

/**
 * GitHub's anchor for a heading: lower case, punctuation dropped (letters, digits, spaces, `-` and `_`
 * kept), each space a hyphen; a repeated anchor gets `-1`, `-2`, … in order.
 *
 * @param markdown a Markdown file's text
 * @returns the anchors of its headings
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const base = heading[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

// The lines outside fenced code blocks (as the code-block checks find them), with their 1-based numbers: a `#`
// comment in a shell block is not a heading, a link in code no link.
function proseLines(markdown: string): { line: number; text: string }[] {
  const fenced = new Set<number>();
  for (const { line, end } of fencedBlocks(markdown)) for (let n = line; n <= end; n++) fenced.add(n);
  return markdown.split("\n").flatMap((text, index) =>
    fenced.has(index + 1) ? [] : [{ line: index + 1, text }]
  );
}

interface Link {
  readonly line: number;
  readonly target: string;
}

// Inline links `[text](target)`, images among them, outside code blocks and code spans; absolute URLs and
// mail addresses are not followed.
function relativeLinks(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const match of text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ line, target });
    }
  }
  return links;
}

const root = repoRoot();
const read = (file: string) => readFileSync(join(root, file), "utf8");

describe("links between the documentation's files", () => {
  it("names headings as GitHub does", () => {
    const anchors = headingAnchors(
      "# mongo-auth\n## 4. Pool warm-up: 100 connections (median, ms)\n## `connect()` options\n" +
        "## Errors\n## Errors\n```sh\n# not a heading\n```\n",
    );
    assert.deepEqual([...anchors], [
      "mongo-auth",
      "4-pool-warm-up-100-connections-median-ms",
      "connect-options",
      "errors",
      "errors-1",
    ]);
  });

  for (const file of [...docFiles(), "CHANGELOG.md"]) {
    it(`${file}: every relative link names a file, and its fragment a heading there`, () => {
      const broken: string[] = [];
      for (const { line, target } of relativeLinks(read(file))) {
        const [path, fragment] = target.split("#", 2);
        const linked = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        if (!existsSync(join(root, linked))) {
          broken.push(`${file}:${line}: ${target} (no file ${linked})`);
        } else if (fragment !== undefined && linked.endsWith(".md")) {
          if (!headingAnchors(read(linked)).has(decodeURIComponent(fragment))) {
            broken.push(`${file}:${line}: ${target} (no heading #${fragment} in ${linked})`);
          }
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});
