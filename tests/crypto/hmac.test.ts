import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { inspect } from "node:util";
import { HmacState, MongoAuthError } from "@mongo-auth/core";
import { Buffer } from "node:buffer";
import { toHex } from "../../src/crypto/hex.ts";
import { rfcHmacVectors } from "../support/crypto-vectors.ts";

const te = new TextEncoder();

describe("HmacState", () => {
  const files = [
    { hash: "SHA-1", file: "rfc2202-hmac-sha1.json" },
    { hash: "SHA-256", file: "rfc4231-hmac-sha256.json" },
  ] as const;
  for (const { hash, file } of files) {
    it(`gives every MAC of ${file} (HMAC-${hash}; keys shorter than, as long as and longer than a block)`, () => {
      const vectors = rfcHmacVectors(file);
      assert.equal(vectors.length, 7);
      for (const v of vectors) {
        const mac = toHex(new HmacState(hash, v.key).sign(v.data));
        assert.equal(mac.slice(0, v.mac.length), v.mac, `test case ${v.case}`);
      }
    });
  }

  it("agrees with node:crypto for keys and messages around the block size", () => {
    for (const hash of ["SHA-1", "SHA-256"] as const) {
      for (const keyLength of [0, 1, 20, 32, 63, 64, 65, 200]) {
        const key = Uint8Array.from({ length: keyLength }, (_, i) => (i * 5 + 1) & 0xff);
        const state = new HmacState(hash, key);
        for (const dataLength of [0, 1, 55, 56, 63, 64, 65, 119, 120, 300]) {
          const data = Uint8Array.from({ length: dataLength }, (_, i) => (i * 3 + 7) & 0xff);
          const expected = createHmac(hash === "SHA-1" ? "sha1" : "sha256", key).update(data).digest("hex");
          assert.equal(toHex(state.sign(data)), expected, `${hash}, key ${keyLength}, data ${dataLength}`);
        }
      }
    }
  });

  it("signs many messages with one state, and leaves the caller's key alone", () => {
    const key = te.encode("Jefe");
    const state = new HmacState("SHA-1", key);
    const first = state.sign(te.encode("what do ya want for nothing?"));
    const second = state.sign(te.encode("what do ya want for nothing?"));
    assert.deepEqual(first, second);
    assert.deepEqual(key, te.encode("Jefe"));
  });

  it("writes a MAC into the array given, and otherwise into a new one each time", () => {
    for (const [hash, length] of [["SHA-1", 20], ["SHA-256", 32]] as const) {
      const state = new HmacState(hash, te.encode("Jefe"));
      const message = te.encode("what do ya want for nothing?");
      const first = state.sign(message);
      const out = new Uint8Array(length);
      assert.equal(state.sign(message, out), out);
      assert.deepEqual(out, first);
      const second = state.sign(te.encode("another message"));
      assert.notEqual(second, first);
      assert.deepEqual(state.sign(message), first, `${hash}: an earlier MAC is not overwritten`);
    }
  });

  it("refuses an array for the MAC that is not as long as the hash's output", () => {
    const state = new HmacState("SHA-256", te.encode("Jefe"));
    for (
      const out of [new Uint8Array(20), new Uint8Array(33), new Int32Array(8), [] as unknown as Uint8Array]
    ) {
      assert.throws(() => state.sign(te.encode("message"), out as Uint8Array), {
        code: "INVALID_OPTION",
        message: "HmacState(SHA-256).sign() writes its MAC into a Uint8Array of 32 bytes",
      });
    }
  });

  it("never prints its states, whatever prints it", () => {
    const state = new HmacState("SHA-256", te.encode("Jefe"));
    for (
      const shown of [String(state), JSON.stringify(state), inspect(state, { showHidden: true, depth: 9 })]
    ) {
      assert.equal(shown.replaceAll('"', ""), "HmacState(SHA-256)");
    }
    const deno = (globalThis as { Deno?: { inspect(v: unknown, o: object): string } }).Deno;
    if (deno) assert.equal(deno.inspect(state, { showHidden: true }), "HmacState(SHA-256)");
  });

  it("destroy() wipes the states: a destroyed key signs nothing right", () => {
    const state = new HmacState("SHA-256", te.encode("Jefe"));
    const before = state.sign(te.encode("message"));
    state.destroy();
    assert.notDeepEqual(state.sign(te.encode("message")), before);
  });

  it("takes only the hashes it signs with: another name is INVALID_OPTION, not SHA-256 under that name", () => {
    const cases: [unknown, string][] = [
      ["MD5", "another name"],
      ["sha256", "another name"],
      ["SHA-512", "another name"],
      [undefined, "undefined"],
      [null, "null"],
      [256, "number"],
    ];
    for (const [hash, kind] of cases) {
      assert.throws(() => new HmacState(hash as never, te.encode("Jefe")), {
        code: "INVALID_OPTION",
        message: `new HmacState() takes the hash "SHA-1" or "SHA-256", got ${kind}`,
      });
    }
    assert.throws(() => new (HmacState as unknown as new () => HmacState)(), { code: "INVALID_OPTION" });
  });

  it("takes the key as bytes: text, null or an ArrayBuffer is INVALID_OPTION, never a zero key or a TypeError", () => {
    const cases: [unknown, string][] = [
      ["s3cret-key", "string"],
      [null, "null"],
      [undefined, "undefined"],
      [[1, 2, 3], "Array"],
      [new ArrayBuffer(4), "ArrayBuffer"],
      [new Uint16Array(4), "Uint16Array"],
      [Object.create(null), "an object"],
    ];
    for (const [key, kind] of cases) {
      assert.throws(
        () => new HmacState("SHA-256", key as never),
        (err: unknown) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "INVALID_OPTION");
          // The kind of value only, never the value: it may be a key.
          assert.equal(err.message, `new HmacState() takes the key as a Uint8Array, got ${kind}`);
          return true;
        },
      );
    }
    // A Uint8Array of any kind will do: Node.js's Buffer is one.
    const buffer = Buffer.from("Jefe");
    assert.deepEqual(
      new HmacState("SHA-1", buffer).sign(buffer),
      new HmacState("SHA-1", te.encode("Jefe")).sign(buffer),
    );
  });
});
