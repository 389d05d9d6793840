import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, saslprep } from "@mongo-auth/core";

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

  // RFC 4013 section 3, examples 6 and 7: errors, and the error must not echo the input.
  const failures: [string, string][] = [
    ["zebra\u0007quux", "prohibited character (example 6)"],
    ["\u0627\u0031", "bidirectional check (example 7)"],
    ["wombat\uE000", "private use character"],
    ["qwerty\u0221xyzzy", "unassigned code point"],
  ];
  for (const [input, label] of failures) {
    it(`rejects a ${label} with INVALID_CREDENTIAL and never repeats the input`, () => {
      assert.throws(
        () => saslprep(input),
        (err) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "INVALID_CREDENTIAL");
          assert.ok(!err.message.includes(input));
          for (const piece of input.split(/[^A-Za-z]+/).filter((s) => s.length >= 4)) {
            assert.ok(!err.message.includes(piece), `message leaks ${JSON.stringify(piece)}`);
          }
          assert.ok(!String(err.stack).includes(input));
          assert.equal(err.cause, undefined);
          return true;
        },
      );
    });
  }

  it("returns the empty string unchanged", () => {
    assert.equal(saslprep(""), "");
  });
});
