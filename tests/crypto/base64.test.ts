import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decodeBase64, encodeBase64 } from "../../src/crypto/base64.ts";
import { MongoAuthError } from "../../src/core/errors.ts";

const te = new TextEncoder();

describe("base64", () => {
  // RFC 4648 section 10.
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ];
  for (const [plain, encoded] of vectors) {
    it(`encodes and decodes ${JSON.stringify(plain)} per RFC 4648`, () => {
      assert.equal(encodeBase64(te.encode(plain)), encoded);
      assert.deepEqual(decodeBase64(encoded), te.encode(plain));
    });
  }

  it("round-trips every byte value and large inputs", () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i & 0xff);
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  });

  for (
    const [label, text] of [
      ["missing padding", "Zg"],
      ["whitespace", "Zm9v YmFy"],
      ["a trailing newline", "Zm9v\n"],
      ["the URL-safe alphabet", "-_-_"],
      ["padding in the middle", "Zg==Zg=="],
      ["non-zero padding bits", "Zh=="],
      ["too much padding", "Zm9v===="],
      ["a non-ASCII character", "Zm9é"],
      ["three padding characters", "Z==="],
      ["padding alone", "===="],
      ["a character after the padding", "Zg=A"],
      ["a length that is no multiple of four", "Zm9vY"],
    ] as const
  ) {
    it(`rejects ${label} with a MongoAuthError that does not repeat the input`, () => {
      assert.throws(
        () => decodeBase64(text),
        (err) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "PROTOCOL_ERROR");
          assert.ok(!err.message.includes(text));
          return true;
        },
      );
    });
  }

  it("accepts exactly the canonical spelling of every one- and two-byte tail (padding bits zero)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (const a of alphabet) {
      for (const b of alphabet) {
        for (const text of [`${a}${b}==`, `AA${a}${b}=`.slice(1).padStart(4, "A")]) {
          const canonical = Buffer.from(Buffer.from(text, "base64")).toString("base64") === text;
          let accepted = true;
          try {
            decodeBase64(text);
          } catch {
            accepted = false;
          }
          assert.equal(accepted, canonical, text);
        }
      }
    }
  });

  it("decodes megabytes, or refuses them with its code: never the regex engine's RangeError", () => {
    // A hostile server's 10 MB salt overflowed the stack of a pattern that repeated a group of four.
    const text = "QUFB".repeat(2_500_000);
    assert.equal(decodeBase64(text).length, 7_500_000);
    for (const broken of [`${text}Q`, `${text}!AAA`, `Q${text.slice(1)}==`]) {
      assert.throws(() => decodeBase64(broken), { name: "MongoAuthError", code: "PROTOCOL_ERROR" });
    }
  });

  it("raises the code and names the value it is told to", () => {
    assert.throws(() => decodeBase64("!", { code: "SCRAM_PROTOCOL_ERROR", what: "the salt" }), {
      code: "SCRAM_PROTOCOL_ERROR",
      message: "the salt is not valid base64",
    });
  });
});
