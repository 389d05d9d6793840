// Signatures made here with WebCrypto, written as X.509 writes them (ECDSA as a DER SEQUENCE of r and s),
// and one made by OpenSSL: the test PKI's revocation list, signed by its CA.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { verifyX509Signature } from "../../src/crypto/x509-signature.ts";
import { derChildrenOf, derElements } from "../../src/crypto/der.ts";
import { decodePemBody } from "../../src/crypto/base64.ts";
import { fixturePath } from "../../testing/paths.ts";
import { ecdsaDer, int, seq } from "../support/der-builder.ts";

const DATA = new TextEncoder().encode("a TBSCertList, say");
const ALGORITHMS = {
  "ecdsa-with-SHA256": "1.2.840.10045.4.3.2",
  "ecdsa-with-SHA384": "1.2.840.10045.4.3.3",
  "ecdsa-with-SHA512": "1.2.840.10045.4.3.4",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  Ed25519: "1.3.101.112",
  sha1WithRSAEncryption: "1.2.840.113549.1.1.5",
  "RSASSA-PSS": "1.2.840.113549.1.1.10",
};

interface Signer {
  readonly label: string;
  readonly algorithm: string;
  readonly spki: Uint8Array;
  /** Another key of the same kind. */
  readonly otherSpki: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

async function signer(
  label: keyof typeof ALGORITHMS,
  generate: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm,
  sign: AlgorithmIdentifier | EcdsaParams,
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

const rsa = (hash: string) => ({
  name: "RSASSA-PKCS1-v1_5",
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

  it("SHA-1, RSA-PSS, an unknown algorithm and a key of another family are unsupported, never valid", async () => {
    const [p256, , , rsa256] = await signers;
    const rsaSignature = await rsa256.sign(DATA);
    assert.equal(
      await verifyX509Signature(rsa256.spki, ALGORITHMS.sha1WithRSAEncryption, DATA, rsaSignature),
      "unsupported",
    );
    assert.equal(
      await verifyX509Signature(rsa256.spki, ALGORITHMS["RSASSA-PSS"], DATA, rsaSignature),
      "unsupported",
    );
    assert.equal(await verifyX509Signature(rsa256.spki, "1.2.3.4", DATA, rsaSignature), "unsupported");
    assert.equal(await verifyX509Signature(p256.spki, rsa256.algorithm, DATA, rsaSignature), "unsupported");
    assert.equal(
      await verifyX509Signature(new Uint8Array([0x30, 0x00]), p256.algorithm, DATA, rsaSignature),
      "unsupported",
    );
  });

  it("OpenSSL's signature: the test PKI's revocation list, by its CA's key", async () => {
    const text = (name: string) => readFileSync(fixturePath(`pki/${name}`), "utf8");
    const ca = decodePemBody(text("crl-ca.pem"), "crl-ca.pem");
    const crl = decodePemBody(text("crl.pem").split("-----END X509 CRL-----")[0], "crl.pem");
    const [tbsCertificate] = derChildrenOf(ca, 0x30);
    const spki = derElements(tbsCertificate.value)[6].encoded; // [0] version, serial, signature, issuer, validity, subject, key
    const [tbsCertList, , signature] = derChildrenOf(crl, 0x30);
    const check = (signed: Uint8Array) =>
      verifyX509Signature(spki, ALGORITHMS["ecdsa-with-SHA256"], signed, signature.value.subarray(1));
    assert.equal(await check(tbsCertList.encoded), "valid");
    const tampered = tbsCertList.encoded.slice();
    tampered[tampered.length - 1] ^= 1;
    assert.equal(await check(tampered), "invalid");
  });
});
