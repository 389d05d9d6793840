// The key derivations before PBES2 (src/crypto/legacy-key-derivation.ts): PKCS#12's with SHA-1 against the
// published vectors (the "smeg" and "queeg" vectors OpenSSL's and Bouncy Castle's tests use), and PBKDF1
// against its definition. That both decrypt OpenSSL's files is tests/crypto/encrypted-private-key.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pbkdf1, pkcs12Kdf } from "../../src/crypto/legacy-key-derivation.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { md5 } from "../../src/crypto/md5.ts";
import { sha1 } from "../../src/crypto/sha1.ts";

const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));

describe("pkcs12Kdf", () => {
  it("gives the published key and IV for one iteration and for 1000", () => {
    const smeg = hex("0a58cf64530d823f");
    assert.equal(
      toHex(pkcs12Kdf("smeg", smeg, 1, 1, 24)),
      "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3",
    );
    assert.equal(toHex(pkcs12Kdf("smeg", smeg, 1, 2, 8)), "79993dfe048d3b76");
    const queeg = hex("1682c0fc5b3f7ec5");
    assert.equal(
      toHex(pkcs12Kdf("queeg", queeg, 1000, 1, 24)),
      "483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f",
    );
    assert.equal(toHex(pkcs12Kdf("queeg", queeg, 1000, 2, 8)), "9d461d1b00355c50");
  });

  it("makes any length, each 20-byte block from the inputs the one before changed", () => {
    const salt = hex("0001020304050607");
    const long = pkcs12Kdf("pw", salt, 3, 1, 45);
    assert.equal(long.length, 45);
    // The first block does not depend on how much is asked for.
    assert.deepEqual(long.subarray(0, 20), pkcs12Kdf("pw", salt, 3, 1, 20));
    assert.notDeepEqual(long.subarray(20, 40), long.subarray(0, 20));
    // The purpose is part of the input: key and IV differ.
    assert.notDeepEqual(pkcs12Kdf("pw", salt, 3, 2, 8), long.subarray(0, 8));
  });
});

describe("pbkdf1", () => {
  it("hashes password and salt, then the hash again, iterations − 1 times", () => {
    const password = new TextEncoder().encode("password");
    const salt = hex("78578e5a5d63cb06");
    const first = new Uint8Array([...password, ...salt]);
    assert.deepEqual(pbkdf1("MD5", password, salt, 1), md5(first));
    assert.deepEqual(pbkdf1("MD5", password, salt, 3), md5(md5(md5(first))));
    assert.deepEqual(pbkdf1("SHA-1", password, salt, 2), sha1(sha1(first)));
  });
});
