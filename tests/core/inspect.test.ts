import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { DENO_INSPECT, NODE_INSPECT } from "../../src/core/inspect.ts";

describe("the inspect symbols", () => {
  it("NODE_INSPECT is util.inspect.custom (Node's, Bun's and Deno's node:util)", () => {
    assert.equal(NODE_INSPECT, inspect.custom);
    assert.equal(inspect({ [NODE_INSPECT]: () => "<hidden>" }), "<hidden>");
  });

  it(
    "DENO_INSPECT is the symbol Deno.inspect looks for",
    { skip: !("Deno" in globalThis) && "Deno only" },
    () => {
      const deno = (globalThis as unknown as { Deno: { inspect(value: unknown): string } }).Deno;
      assert.equal(deno.inspect({ [DENO_INSPECT]: () => "<hidden>" }), "<hidden>");
    },
  );
});
