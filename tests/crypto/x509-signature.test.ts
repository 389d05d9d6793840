// Signatures made here with WebCrypto, written as X.509 writes them (ECDSA as a DER SEQUENCE of r and s, each
// algorithm as an AlgorithmIdentifier), and ones made by OpenSSL: the test PKI's revocation lists, signed by
// their CAs (ECDSA, RSA-PSS, RSA with SHA-1).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { verifyX509Signature } from "../../src/crypto/x509-signature.ts";
import { derChildrenOf, derElements } from "../../src/crypto/der.ts";
import { decodePemBody } from "../../src/crypto/base64.ts";
import { fixturePath } from "../../testing/paths.ts";
import { ecdsaDer, explicit, int, oid, seq, tlv } from "../support/der-builder.ts";

const DATA = new TextEncoder().encode("a TBSCertList, say");
const NULL = tlv(0x05);
// AlgorithmIdentifiers as CAs write them: RSA's with NULL parameters, ECDSA's and Ed25519's with none.
const ALGORITHMS = {
  "ecdsa-with-SHA1": seq(oid("1.2.840.10045.4.1")),
  "ecdsa-with-SHA256": seq(oid("1.2.840.10045.4.3.2")),
  "ecdsa-with-SHA384": seq(oid("1.2.840.10045.4.3.3")),
  "ecdsa-with-SHA512": seq(oid("1.2.840.10045.4.3.4")),
  sha1WithRSAEncryption: seq(oid("1.2.840.113549.1.1.5"), NULL),
  sha256WithRSAEncryption: seq(oid("1.2.840.113549.1.1.11"), NULL),
  sha384WithRSAEncryption: seq(oid("1.2.840.113549.1.1.12"), NULL),
  sha512WithRSAEncryption: seq(oid("1.2.840.113549.1.1.13"), NULL),
  Ed25519: seq(oid("1.3.101.112")),
  "RSASSA-PSS, SHA-256, salt 32": pss("2.16.840.1.101.3.4.2.1", 32),
  "RSASSA-PSS, SHA-384, salt 206 (the most a 2048-bit key holds)": pss("2.16.840.1.101.3.4.2.2", 206),
  "RSASSA-PSS, SHA-512, salt 0": pss("2.16.840.1.101.3.4.2.3", 0),
  "RSASSA-PSS, every field its default (SHA-1, salt 20)": seq(oid("1.2.840.113549.1.1.10"), seq()),
};

/** RSASSA-PSS's AlgorithmIdentifier (RFC 4055): hash, MGF1 with that hash (or `maskHash`), salt length. */
function pss(hash: string, saltLength: number, maskHash = hash, trailer?: number): Uint8Array {
  const hashId = (id: string) => seq(oid(id), NULL);
  return seq(
    oid("1.2.840.113549.1.1.10"),
    seq(
      explicit(0, hashId(hash)),
      explicit(1, seq(oid("1.2.840.113549.1.1.8"), hashId(maskHash))),
      explicit(2, int(...(saltLength > 127 ? [0, saltLength] : [saltLength]))),
      ...(trailer === undefined ? [] : [explicit(3, int(trailer))]),
    ),
  );
}

interface Signer {
  readonly label: string;
  readonly algorithm: Uint8Array;
  readonly spki: Uint8Array;
  /** Another key of the same kind. */
  readonly otherSpki: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

async function signer(
  label: keyof typeof ALGORITHMS,
  generate: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm,
  sign: AlgorithmIdentifier | EcdsaParams | RsaPssParams,
): Promise<Signer> {
  const keys = await crypto.subtle.generateKey(generate, true, ["sign", "verify"]) as CryptoKeyPair;
  const other = await crypto.subtle.generateKey(generate, true, ["sign", "verify"]) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const otherSpki = new Uint8Array(await crypto.subtle.exportKey("spki", other.publicKey));
  return {
    label,
    algorithm: ALGORITHMS[label],
    spki,
    otherSpki,
    async sign(data) {
      const raw = new Uint8Array(
        await crypto.subtle.sign(sign, keys.privateKey, data as Uint8Array<ArrayBuffer>),
      );
      return generate.name === "ECDSA" ? ecdsaDer(raw) : raw;
    },
  };
}

const rsa = (hash: string, name = "RSASSA-PKCS1-v1_5") => ({
  name,
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash,
});

const signers = Promise.all([
  signer("ecdsa-with-SHA256", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }),
  signer("ecdsa-with-SHA384", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }),
  signer("ecdsa-with-SHA512", { name: "ECDSA", namedCurve: "P-521" }, { name: "ECDSA", hash: "SHA-512" }),
  signer("sha256WithRSAEncryption", rsa("SHA-256"), { name: "RSASSA-PKCS1-v1_5" }),
  signer("sha384WithRSAEncryption", rsa("SHA-384"), { name: "RSASSA-PKCS1-v1_5" }),
  signer("sha512WithRSAEncryption", rsa("SHA-512"), { name: "RSASSA-PKCS1-v1_5" }),
  signer("Ed25519", { name: "Ed25519" }, { name: "Ed25519" }),
  signer("ecdsa-with-SHA1", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-1" }),
  signer("sha1WithRSAEncryption", rsa("SHA-1"), { name: "RSASSA-PKCS1-v1_5" }),
  signer("RSASSA-PSS, SHA-256, salt 32", rsa("SHA-256", "RSA-PSS"), { name: "RSA-PSS", saltLength: 32 }),
  signer(
    "RSASSA-PSS, SHA-384, salt 206 (the most a 2048-bit key holds)",
    rsa("SHA-384", "RSA-PSS"),
    { name: "RSA-PSS", saltLength: 206 },
  ),
  signer("RSASSA-PSS, SHA-512, salt 0", rsa("SHA-512", "RSA-PSS"), { name: "RSA-PSS", saltLength: 0 }),
  signer("RSASSA-PSS, every field its default (SHA-1, salt 20)", rsa("SHA-1", "RSA-PSS"), {
    name: "RSA-PSS",
    saltLength: 20,
  }),
]);

describe("verifyX509Signature", () => {
  it("accepts each algorithm CAs sign with, and refuses the signature over other data or from another key", async () => {
    const all = await signers;
    for (const { label, algorithm, spki, otherSpki, sign } of all) {
      const signature = await sign(DATA);
      assert.equal(await verifyX509Signature(spki, algorithm, DATA, signature), "valid", label);
      const other = DATA.slice();
      other[0] ^= 1;
      assert.equal(await verifyX509Signature(spki, algorithm, other, signature), "invalid", label);
      assert.equal(await verifyX509Signature(otherSpki, algorithm, DATA, signature), "invalid", label);
    }
  });

  it("ECDSA: r and s of any length up to the curve's, leading zeros and all (300 signatures)", async () => {
    const [p256] = await signers;
    for (let i = 0; i < 300; i++) {
      const data = new Uint8Array([i >> 8, i & 0xff]);
      assert.equal(
        await verifyX509Signature(p256.spki, p256.algorithm, data, await p256.sign(data)),
        "valid",
      );
    }
  });

  it("a signature that is not DER of r and s, or too long for the curve, is invalid", async () => {
    const [p256] = await signers;
    const signature = await p256.sign(DATA);
    for (
      const bad of [
        new Uint8Array(), // nothing
        signature.subarray(0, signature.length - 1), // cut short
        seq(int(1)), // r alone
        seq(int(1), int(0x80)), // s negative
        seq(int(1, ...new Uint8Array(32).fill(0xff)), int(1)), // r of 33 bytes
      ]
    ) {
      assert.equal(await verifyX509Signature(p256.spki, p256.algorithm, DATA, bad), "invalid");
    }
  });

  it("RSA-PSS checks the salt length and hash its parameters name: another is invalid", async () => {
    const all = await signers;
    const pss256 = all.find((one) => one.label === "RSASSA-PSS, SHA-256, salt 32")!;
    const signature = await pss256.sign(DATA);
    for (const other of [pss("2.16.840.1.101.3.4.2.1", 20), pss("2.16.840.1.101.3.4.2.2", 32)]) {
      assert.equal(await verifyX509Signature(pss256.spki, other, DATA, signature), "invalid");
    }
    // A PKCS#1 v1.5 signature is no PSS signature, nor the other way round.
    const pkcs1 = all.find((one) => one.label === "sha256WithRSAEncryption")!;
    assert.equal(
      await verifyX509Signature(pkcs1.spki, pss256.algorithm, DATA, await pkcs1.sign(DATA)),
      "invalid",
    );
    assert.equal(await verifyX509Signature(pss256.spki, pkcs1.algorithm, DATA, signature), "invalid");
  });

  it("RSA-PSS with a mask hash unlike its hash, another trailer, or malformed parameters is unsupported", async () => {
    const all = await signers;
    const pss256 = all.find((one) => one.label === "RSASSA-PSS, SHA-256, salt 32")!;
    const signature = await pss256.sign(DATA);
    const sha256 = "2.16.840.1.101.3.4.2.1";
    for (
      const algorithm of [
        pss(sha256, 32, "1.3.14.3.2.26"), // MGF1 with SHA-1: WebCrypto masks with the message's hash
        pss(sha256, 32, sha256, 2), // trailer field 2
        pss("2.16.840.101.3.4.2.4", 32), // SHA-224
        seq(oid("1.2.840.113549.1.1.10")), // no parameters
        seq(oid("1.2.840.113549.1.1.10"), seq(explicit(2, int(20)), explicit(0, seq(oid(sha256), NULL)))), // out of order
      ]
    ) {
      assert.equal(await verifyX509Signature(pss256.spki, algorithm, DATA, signature), "unsupported");
    }
  });

  it("an unknown algorithm, a key of another family, or bytes that are no AlgorithmIdentifier are unsupported, never valid", async () => {
    const [p256, , , rsa256] = await signers;
    const rsaSignature = await rsa256.sign(DATA);
    assert.equal(
      await verifyX509Signature(rsa256.spki, seq(oid("1.2.3.4")), DATA, rsaSignature),
      "unsupported",
    );
    assert.equal(
      await verifyX509Signature(rsa256.spki, new Uint8Array([0x30]), DATA, rsaSignature),
      "unsupported",
    );
    assert.equal(await verifyX509Signature(p256.spki, rsa256.algorithm, DATA, rsaSignature), "unsupported");
    assert.equal(
      await verifyX509Signature(new Uint8Array([0x30, 0x00]), p256.algorithm, DATA, rsaSignature),
      "unsupported",
    );
  });

  it("OpenSSL's signatures: the test PKI's revocation lists, each by its CA's key (ECDSA, RSA-PSS, RSA with SHA-1)", async () => {
    const text = (name: string) => readFileSync(fixturePath(`pki/${name}`), "utf8");
    const spkiOf = (name: string) => {
      const [tbsCertificate] = derChildrenOf(decodePemBody(text(name), name), 0x30);
      return derElements(tbsCertificate.value)[6].encoded; // [0] version, serial, signature, issuer, validity, subject, key
    };
    for (
      const [caFile, crlFile] of [
        ["crl-ca.pem", "crl.pem"],
        ["crl-cases/signatures/ca.pem", "crl-cases/signatures/pss.crl.pem"],
        ["crl-cases/signatures/ca.pem", "crl-cases/signatures/sha1.crl.pem"],
        ["crl-cases/signatures/ca.pem", "crl-cases/signatures/pss-sha384-max.crl.pem"],
      ]
    ) {
      const crl = decodePemBody(text(crlFile).split("-----END X509 CRL-----")[0], crlFile);
      const [tbsCertList, algorithm, signature] = derChildrenOf(crl, 0x30);
      const check = (signed: Uint8Array) =>
        verifyX509Signature(spkiOf(caFile), algorithm.encoded, signed, signature.value.subarray(1));
      assert.equal(await check(tbsCertList.encoded), "valid", crlFile);
      const tampered = tbsCertList.encoded.slice();
      tampered[tampered.length - 1] ^= 1;
      assert.equal(await check(tampered), "invalid", crlFile);
    }
  });
});
