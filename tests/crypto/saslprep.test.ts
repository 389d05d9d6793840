import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
// The implementation MongoDB's Node driver uses (a dev dependency): ours must agree with it exactly.
import { saslprep as reference } from "@mongodb-js/saslprep";
import { MongoAuthError, saslprep } from "@mongo-auth/core";
import { repoRoot } from "../../testing/paths.ts";

// What a call did: the prepared string, or which rule it said was broken.
type Outcome = string | { readonly rule: Rule };
type Rule = "prohibited" | "unassigned" | "bidi-mix" | "bidi-ends" | "empty";

// The package's errors are fixed texts; an input that maps to nothing makes it throw a TypeError.
function referenceOutcome(s: string): Outcome {
  try {
    return reference(s);
  } catch (err) {
    const message = err instanceof Error ? err.message : "";
    if (err instanceof TypeError) return { rule: "empty" };
    if (message.startsWith("Prohibited")) return { rule: "prohibited" };
    if (message.startsWith("Unassigned")) return { rule: "unassigned" };
    if (message.includes("at the same time")) return { rule: "bidi-mix" };
    if (message.includes("first and the last")) return { rule: "bidi-ends" };
    throw err;
  }
}

function ourOutcome(s: string): Outcome {
  try {
    return saslprep(s);
  } catch (err) {
    if (!(err instanceof MongoAuthError) || err.code !== "INVALID_CREDENTIAL") throw err;
    if (err.message.includes("prohibited character")) return { rule: "prohibited" };
    if (err.message.includes("unassigned")) return { rule: "unassigned" };
    if (err.message.includes("mixes right-to-left")) return { rule: "bidi-mix" };
    if (err.message.includes("begin and end")) return { rule: "bidi-ends" };
    if (err.message.includes("leaves it empty")) return { rule: "empty" };
    throw err;
  }
}

function same(a: Outcome, b: Outcome): boolean {
  return typeof a === "string" ? a === b : typeof b !== "string" && a.rule === b.rule;
}

function hex(s: string): string {
  return [...s].map((ch) => "U+" + ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")).join(" ");
}

// Differences between the two implementations over some inputs, described by code point.
function differences(inputs: Iterable<string>): string[] {
  const found: string[] = [];
  for (const s of inputs) {
    const ours = ourOutcome(s);
    const theirs = referenceOutcome(s);
    if (
      !same(ours, theirs) &&
      found.push(`${hex(s)}: ours ${JSON.stringify(ours)}, package ${JSON.stringify(theirs)}`) >= 10
    ) break;
  }
  return found;
}

// Deno builds an Error several times slower than Node and Bun, and over 90% of all code points are
// rejected (unassigned in Unicode 3.2) by both implementations, so the full sweep takes about 12 s
// there against 3 s. Deno therefore checks every code point of planes 0-2 and of U+E0000..U+E0FFF;
// every table boundary beyond those lies at the start of a plane or before its last two code points
// (U+xFFFE), so it adds the first and the last three code points of every plane, and every 16th
// code point of the rest. Node and Bun check them all.
const EVERY_CODE_POINT = !("Deno" in globalThis);

function* codePoints(): Generator<string> {
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const inPlane = cp & 0xffff;
    if (
      EVERY_CODE_POINT || cp < 0x30000 || (cp >= 0xe0000 && cp < 0xe1000) || inPlane === 0 ||
      inPlane >= 0xfffd || cp % 16 === 0
    ) {
      yield String.fromCodePoint(cp);
    }
  }
}

// A small seeded generator (mulberry32), so a failure reproduces.
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters chosen to hit every rule and their interplay: left-to-right, right-to-left (Hebrew,
// Arabic, presentation forms), numbers and neutrals bidi allows anywhere, spaces and ignorables the
// mapping step changes, compatibility forms NFKC changes, combining marks, prohibited and unassigned
// code points, supplementary characters and lone surrogate halves.
const POOLS: readonly (readonly string[])[] = [
  [..."aZ09 !~-_.@"],
  ["\u00E9", "\u00DF", "\u0130", "\u03A9", "\u0416", "\u4E2D", "\uAC00", "\u3042"],
  [
    "\u05D0",
    "\u05EA",
    "\u05BE",
    "\u0627",
    "\u0628",
    "\u0644",
    "\u06D5",
    "\u0710",
    "\uFB1D",
    "\uFEFC",
    "\u200F",
  ],
  ["\u0031", "\u0660", "\u06F5", "\u0030\u0025", "\u002E", "\u060C", "\u0300", "\u0651", "\u05B0"],
  [
    "\u00A0",
    "\u1680",
    "\u2000",
    "\u200B",
    "\u202F",
    "\u3000",
    "\u00AD",
    "\u034F",
    "\u200C",
    "\u200D",
    "\uFEFF",
  ],
  ["\u2168", "\u00AA", "\uFB01", "\uFF21", "\u2460", "\u33A1", "\uFE8D", "\uFB50", "\u1E9B\u0323", "\u212B"],
  [
    "\u0007",
    "\u007F",
    "\u0085",
    "\u2028",
    "\uE000",
    "\uFFFD",
    "\uFDD0",
    "\u2FF0",
    "\u202E",
    "\u206A",
    "\uDB40\uDC01",
  ],
  ["\u0221", "\u0378", "\u0600", "\u0870", "\u{1F600}", "\u{E0080}", "\u{10000}"],
  ["\u{1D400}", "\u{1D538}", "\u{20000}", "\u{2F800}", "\u{F0000}", "\u{10FFFD}"],
  ["\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uD835"],
];

function randomStrings(count: number, seed: number): string[] {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // Most strings draw from one or two pools, so valid right-to-left strings come up often.
    const pools = random() < 0.5 ? [pick(POOLS)] : [pick(POOLS), pick(POOLS)];
    let s = "";
    for (let n = 1 + Math.floor(random() * 10); n > 0; n--) s += pick(pick(pools));
    out.push(s);
  }
  return out;
}

function assertRejected(input: string, rule: RegExp): void {
  assert.throws(
    () => saslprep(input),
    (err) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "INVALID_CREDENTIAL");
      assert.match(err.message, rule);
      assert.ok(!err.message.includes(input));
      for (const piece of input.split(/[^A-Za-z]+/).filter((s) => s.length >= 4)) {
        assert.ok(!err.message.includes(piece), `message leaks ${JSON.stringify(piece)}`);
      }
      assert.ok(!String(err.stack).includes(input));
      assert.equal(err.cause, undefined);
      return true;
    },
  );
}

describe("saslprep", () => {
  // RFC 4013 section 3, examples 1-5.
  const examples: [string, string, string][] = [
    ["I\u00ADX", "IX", "SOFT HYPHEN mapped to nothing"],
    ["user", "user", "no transformation"],
    ["USER", "USER", "case preserved, will not match #2"],
    ["\u00AA", "a", "output is NFKC, input in ISO 8859-1"],
    ["\u2168", "IX", "output is NFKC, will match #1"],
  ];
  for (const [input, output, comment] of examples) {
    it(`RFC 4013 example: ${comment}`, () => {
      assert.equal(saslprep(input), output);
    });
  }

  it("maps non-ASCII space to SPACE (RFC 4013 section 2.1)", () => {
    assert.equal(saslprep("a\u00A0b\u2003c"), "a b c");
  });

  it("maps every non-ASCII space (C.1.2) to SPACE", () => {
    const spaces =
      "\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000";
    for (const space of spaces) assert.equal(saslprep(`a${space}b`), "a b", hex(space));
  });

  it("removes every character commonly mapped to nothing (B.1)", () => {
    const ignorable = "\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00\uFE07\uFE0F\uFEFF";
    for (const ch of ignorable) assert.equal(saslprep(`a${ch}b`), "ab", hex(ch));
  });

  it("maps U+200B, listed in both B.1 and C.1.2, to SPACE as the reference package does", () => {
    assert.equal(saslprep("a\u200Bb"), "a b");
    assert.equal(reference("a\u200Bb"), "a b");
  });

  it("normalizes with NFKC after mapping", () => {
    assert.equal(saslprep("\uFB01x\uFF21\u2460"), "fixA1");
    assert.equal(saslprep("e\u0301"), "\u00E9");
    assert.equal(saslprep("\u{1D400}"), "A");
  });

  it("accepts right-to-left text that begins and ends right-to-left, numbers in between", () => {
    assert.equal(saslprep("\u05D0\u05D1"), "\u05D0\u05D1");
    assert.equal(saslprep("\u0627\u0031\u0032\u0628"), "\u0627\u0031\u0032\u0628");
    assert.equal(saslprep("\u0627"), "\u0627");
  });

  // RFC 4013 section 3, examples 6 and 7, and one case per other rule: the error names the rule and
  // must not echo the input.
  const failures: [string, string, RegExp][] = [
    ["zebra\u0007quux", "prohibited character (example 6)", /prohibited character/],
    ["\u0627\u0031", "bidirectional check (example 7)", /begin and end with a right-to-left/],
    ["wombat\uE000", "private use character", /prohibited character/],
    ["qwerty\u0221xyzzy", "unassigned code point", /unassigned in Unicode 3\.2/],
    [
      "abcd\u05D0efgh\u05D1",
      "mix of left-to-right and right-to-left",
      /mixes right-to-left and left-to-right/,
    ],
    ["hunter\uD800two", "lone surrogate", /prohibited character/],
    ["tiger\u2028lily", "line separator", /prohibited character/],
    ["\u00AD\u200C\uFEFF", "string of ignorable characters only", /leaves it empty/],
  ];
  for (const [input, label, rule] of failures) {
    it(`rejects a ${label} with INVALID_CREDENTIAL and never repeats the input`, () => {
      assertRejected(input, rule);
    });
  }

  it("names the prohibited rule first when several are broken, as the package does", () => {
    assertRejected("\u0221\u0007\u05D0a", /prohibited character/);
    assertRejected("\u0221\u05D0a", /unassigned/);
  });

  it("rejects a value that is not a string with INVALID_CREDENTIAL", () => {
    assert.throws(() => saslprep(42 as unknown as string), { code: "INVALID_CREDENTIAL" });
  });

  it("returns the empty string unchanged", () => {
    assert.equal(saslprep(""), "");
  });

  it("returns printable ASCII unchanged, and still refuses an ASCII control inside it", () => {
    let printable = "";
    for (let cp = 0x20; cp <= 0x7e; cp++) printable += String.fromCharCode(cp);
    assert.equal(saslprep(printable), printable);
    assert.equal(saslprep(printable), reference(printable));
    for (const control of ["\x00", "\x1f", "\x7f"]) {
      assert.throws(() => saslprep(`pass${control}word`), { code: "INVALID_CREDENTIAL" }, hex(control));
    }
  });
});

describe("saslprep agrees with @mongodb-js/saslprep (default options: unassigned code points rejected)", () => {
  const sweep = EVERY_CODE_POINT ? "every code point" : "planes 0-2, tags and a sample of the rest";
  it(`on ${sweep} of U+0000..U+10FFFF as one-character strings`, () => {
    // Both sides build an Error for each rejected code point; capturing stack traces nobody reads
    // would cost more than the comparison.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      assert.deepEqual(differences(codePoints()), []);
    } finally {
      Error.stackTraceLimit = limit;
    }
  });

  it("on 5000 seeded random strings mixing directions, spaces, ignorables, forms and surrogates", () => {
    const inputs = randomStrings(5000, 4013);
    // The mix must exercise both outcomes, and right-to-left strings that pass.
    const outcomes = inputs.map(referenceOutcome);
    assert.ok(outcomes.filter((o) => typeof o === "string").length > 500);
    assert.ok(
      outcomes.some((o, i) => typeof o === "string" && /[\u05D0-\u05EA\u0627-\u064A]/.test(inputs[i])),
    );
    for (const rule of ["prohibited", "unassigned", "bidi-mix", "bidi-ends", "empty"]) {
      assert.ok(outcomes.some((o) => typeof o !== "string" && o.rule === rule), rule);
    }
    assert.deepEqual(differences(inputs), []);
  });

  it("on surrogate halves that removing a character between them joins, and other edge cases", () => {
    const inputs = [
      "\uD835\u00AD\uDC00",
      "\uD800\u00AD\uDC00",
      "\uDC00\uD800",
      "\u00AD",
      "\u200B",
      "\u0627\u200B\u0628",
      "\u0627\u00A0\u0628",
      "\u05D0\u0300",
      "\u0300\u05D0",
      "\u{1D400}\u05D0",
    ];
    assert.deepEqual(differences(inputs), []);
  });
});

describe("saslprep in a browser bundle", () => {
  it("bundles mod.ts without @mongodb-js/saslprep, its Buffer, or more than 10 KB of SASLprep", async () => {
    const root = repoRoot();
    const dir = await mkdtemp(join(tmpdir(), "saslprep-bundle-"));
    try {
      const outfile = join(dir, "mod.js");
      await promisify(execFile)(join(root, "node_modules", ".bin", "esbuild"), [
        join(root, "mod.ts"),
        "--bundle",
        "--format=esm",
        "--platform=browser",
        "--log-level=error",
        `--outfile=${outfile}`,
        `--metafile=${outfile}.json`,
      ], { cwd: root });
      const meta = JSON.parse(await readFile(`${outfile}.json`, "utf8"));
      const inputs = Object.values(
        meta.outputs as Record<string, { inputs: Record<string, { bytesInOutput: number }> }>,
      )[0]
        .inputs;
      const names = Object.keys(inputs);
      assert.deepEqual(names.filter((name) => /saslprep|sparse-bitfield|memory-pager/.test(name)).sort(), [
        "src/crypto/saslprep-tables.ts",
        "src/crypto/saslprep.ts",
      ]);
      const ours = inputs["src/crypto/saslprep-tables.ts"].bytesInOutput +
        inputs["src/crypto/saslprep.ts"].bytesInOutput;
      assert.ok(ours < 10_000, `SASLprep takes ${ours} bytes of the bundle`);

      // esbuild starts each module's code with a "// path" line; only bson may name Buffer, and it
      // does so only after checking that a global Buffer exists.
      const bundle = await readFile(outfile, "utf8");
      const usingBuffer = bundle.split(/^(?=\/\/ \S+\.m?[jt]s$)/m)
        .filter((section) => /\bBuffer\b/.test(section))
        .map((section) => section.slice(3, section.indexOf("\n")))
        // `deno install` keeps packages under node_modules/.deno/<name>@<version>/.
        .map((path) => path.replace(/^node_modules\/\.deno\/[^/]+\/node_modules\//, "node_modules/"));
      assert.deepEqual(usingBuffer, ["node_modules/bson/lib/bson.mjs"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
