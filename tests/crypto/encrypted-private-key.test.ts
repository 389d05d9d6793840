// The keys are testing/fixtures/pki/encrypted-keys (scripts/make-encrypted-keys.sh): one EC key, encrypted
// by each scheme OpenSSL offers (AES and DES, PBES2 and the schemes before it), and an RSA key in OpenSSL's
// traditional form; openssl checked that each decrypts to its plain key. node:crypto only converts a decrypted key to PKCS#8 for the comparison.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createPrivateKey } from "node:crypto";
import { decryptPrivateKey } from "../../src/crypto/encrypted-private-key.ts";
import { encodeBase64 } from "../../src/crypto/base64.ts";
import { MongoAuthError } from "../../src/core/errors.ts";
import { fixturePath } from "../../testing/paths.ts";
import { int, octets, oid, seq, tlv } from "../support/der-builder.ts";

const PASSWORD = "pki-test-password"; // scripts/make-test-pki.sh
const fixture = (name: string) => readFileSync(fixturePath(`pki/encrypted-keys/${name}`), "utf8");
/** The private key block of a fixture (the files hold the certificate first). */
const keyOf = (name: string) =>
  fixture(name).match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----\n/)![0];
const asPkcs8 = (pem: string) => String(createPrivateKey(pem).export({ type: "pkcs8", format: "pem" }));

/** Fails unless `promise` rejects with a MongoAuthError of `code` whose message matches and shows no password. */
async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp, password = PASSWORD) {
  const err = await promise.then(() => assert.fail(`expected ${code}`), (e: unknown) => e);
  assert.ok(err instanceof MongoAuthError, String(err));
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  assert.ok(!err.message.includes(password), "the message shows the password");
}

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const AES_256_CBC = "2.16.840.1.101.3.4.1.42";
/** An EncryptedPrivateKeyInfo with PBES2, from its PBKDF2 parameters and cipher. */
const pbes2Key = (kdfParams: Uint8Array[], cipher = AES_256_CBC, ivLength = 16, dataLength = 32) => {
  const der = seq(
    seq(oid(PBES2), seq(seq(oid(PBKDF2), seq(...kdfParams)), seq(oid(cipher), octets(ivLength)))),
    octets(dataLength),
  );
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${encodeBase64(der)}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
};

/** An EncryptedPrivateKeyInfo with PBES2, scrypt and AES-256-CBC, from scrypt's parameters. */
const scryptKey = (params: Uint8Array[]) => {
  const der = seq(
    seq(
      oid(PBES2),
      seq(seq(oid("1.3.6.1.4.1.11591.4.11"), seq(...params)), seq(oid(AES_256_CBC), octets(16))),
    ),
    octets(32),
  );
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${encodeBase64(der)}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
};

/** An EncryptedPrivateKeyInfo with PKCS#12's triple DES, from its parameters. */
const pkcs12Key = (params: Uint8Array[]) => {
  const der = seq(seq(oid("1.2.840.113549.1.12.1.3"), seq(...params)), octets(32));
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${encodeBase64(der)}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
};

describe("decryptPrivateKey", () => {
  it("decrypts PKCS#8 PBES2 with each PBKDF2 hash and AES key length OpenSSL writes", async () => {
    const plain = fixture("plain.pem");
    const openssl3Default = readFileSync(fixturePath("pki/client-encrypted.pem"), "utf8"); // HMAC-SHA256, AES-256
    const key = openssl3Default.match(
      /-----BEGIN ENCRYPTED PRIVATE KEY-----[\s\S]+?-----END ENCRYPTED PRIVATE KEY-----/,
    )![0];
    assert.equal(await decryptPrivateKey(key, PASSWORD, "tlsCertificateKey"), plain);
    // The PRF left out means HMAC-SHA-1 (RFC 8018; OpenSSL 1.0 wrote PBES2 so); Deno's own node:crypto reads it
    // as another hash and says "bad decrypt".
    assert.equal(
      await decryptPrivateKey(keyOf("pbes2-aes128-sha1.pem"), PASSWORD, "tlsCertificateKey"),
      plain,
    );
    // HMAC-SHA512 with AES-192, which Bun's BoringSSL refuses.
    assert.equal(
      await decryptPrivateKey(keyOf("pbes2-aes192-sha512.pem"), PASSWORD, "tlsCertificateKey"),
      plain,
    );
  });

  it("decrypts triple DES and DES under PBES2, scrypt, and the schemes before PBES2 OpenSSL 1.0 wrote (PKCS#12's triple DES, PBES1's DES)", async () => {
    const plain = fixture("plain.pem");
    for (
      const name of [
        "pbes2-des3.pem", // OpenSSL 3's genrsa -des3
        "pbes2-des-cbc.pem",
        "pbes1-sha1-3des.pem", // OpenSSL 1.0's pkcs8 -topk8 default
        "pbes1-sha1-2des.pem",
        "pbes1-md5-des.pem",
        "pbes1-sha1-des.pem",
        "pbes2-scrypt.pem", // openssl pkcs8 -scrypt: N 16384, r 8, p 1
      ]
    ) {
      assert.equal(await decryptPrivateKey(keyOf(name), PASSWORD, "tlsCertificateKey"), plain, name);
    }
  });

  it("decrypts OpenSSL's traditional form (Proc-Type, DEK-Info) to the PKCS#1 or SEC1 key it holds, under its label", async () => {
    const ec = await decryptPrivateKey(keyOf("traditional-aes256.pem"), PASSWORD, "tlsCertificateKey");
    assert.match(ec, /^-----BEGIN EC PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END EC PRIVATE KEY-----\n$/);
    assert.equal(asPkcs8(ec), fixture("plain.pem"));
    const rsa = await decryptPrivateKey(fixture("rsa-traditional-aes128.pem"), PASSWORD, "tlsCertificateKey");
    assert.match(rsa, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.ok(!rsa.includes("Proc-Type") && !rsa.includes("DEK-Info"));
    assert.equal(asPkcs8(rsa), fixture("rsa-plain.pem"));
    // OpenSSL 1.x's genrsa -des3 and ec -des3 wrote this form with triple DES.
    const des3 = await decryptPrivateKey(keyOf("traditional-des3.pem"), PASSWORD, "tlsCertificateKey");
    assert.match(des3, /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.equal(asPkcs8(des3), fixture("plain.pem"));
  });

  it("hands back a key that is not encrypted as it is", async () => {
    for (const pem of [fixture("plain.pem"), fixture("rsa-plain.pem")]) {
      assert.equal(await decryptPrivateKey(pem, "any", "tlsCertificateKey"), pem);
    }
    const pkcs1 = createPrivateKey(fixture("rsa-plain.pem")).export({
      type: "pkcs1",
      format: "pem",
    }) as string;
    assert.equal(await decryptPrivateKey(pkcs1, "any", "tlsCertificateKey"), pkcs1);
  });

  it("a wrong passphrase is TLS_ERROR naming the option, also when the padding happens to be valid", async () => {
    // About one wrong key in 256 leaves valid PKCS#7 padding (4 of these 600 on the traditional key); the
    // key's structure catches those.
    const wrong = Array.from({ length: 600 }, (_, i) => `wrong-${i}`);
    const message =
      /^cannot decrypt the private key in tlsCertificateKeyFile \/keys\/client\.pem: the passphrase \(tlsCertificateKeyFilePassword\) is wrong$/;
    for (
      const name of [
        "pbes2-aes128-sha1.pem",
        "traditional-aes256.pem",
        "traditional-des3.pem",
        "pbes1-sha1-3des.pem",
      ]
    ) {
      const key = keyOf(name);
      for (const password of name.startsWith("pbes") ? wrong.slice(0, 100) : wrong) {
        await rejectsWith(
          decryptPrivateKey(key, password, "tlsCertificateKeyFile /keys/client.pem"),
          "TLS_ERROR",
          message,
          password,
        );
      }
    }
    await rejectsWith(
      decryptPrivateKey(keyOf("pbes2-aes192-sha512.pem"), "", "tlsCertificateKey"),
      "TLS_ERROR",
      /is wrong$/,
    );
  });

  it("refuses RC2 and RC4 as RUNTIME_UNSUPPORTED, naming the scheme and what to do", async () => {
    const advice =
      /: encrypt it again with AES \(openssl pkcs8 -topk8 -v2 aes-256-cbc -in key\.pem -out key-aes\.pem\), or run this program on Node\.js$/;
    const legacy = (scheme: string) =>
      `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${
        encodeBase64(seq(seq(oid(scheme), seq(octets(8), int(8, 0))), octets(32)))
      }\n-----END ENCRYPTED PRIVATE KEY-----\n`;
    const cases: [string, string][] = [
      [keyOf("pbes1-sha1-rc2-40.pem"), "PKCS#12 PBE (SHA-1, RC2-40)"],
      [legacy("1.2.840.113549.1.12.1.6"), "PKCS#12 PBE (SHA-1, RC2-40)"],
      [legacy("1.2.840.113549.1.12.1.1"), "PKCS#12 PBE (SHA-1, RC4-128)"],
      [pbes2Key([octets(8), int(8, 0)], "1.2.840.113549.3.2"), "RC2-CBC"],
      [keyOf("traditional-aes256.pem").replace("AES-256-CBC", "RC2-CBC"), "RC2-CBC"],
      [pbes2Key([octets(8), int(8, 0), seq(oid("1.2.840.113549.2.8"))]), "the algorithm 1.2.840.113549.2.8"],
      [pbes2Key([octets(8), int(8, 0)], "1.2.3.4"), "the algorithm 1.2.3.4"],
    ];
    for (const [pem, scheme] of cases) {
      await rejectsWith(decryptPrivateKey(pem, PASSWORD, "tlsCertificateKey"), "RUNTIME_UNSUPPORTED", advice);
      await rejectsWith(
        decryptPrivateKey(pem, PASSWORD, "tlsCertificateKey"),
        "RUNTIME_UNSUPPORTED",
        new RegExp(
          `^the private key in tlsCertificateKey is encrypted with ${scheme.replace(/[()#.]/g, "\\$&")}, `,
        ),
      );
    }
  });

  it("malformed files are TLS_ERROR saying what is wrong and how to give the key instead", async () => {
    const malformed = (detail: RegExp) =>
      new RegExp(
        `^the encrypted private key in tlsCertificateKey is malformed \\(${detail.source}\\): export it again, or give it decrypted \\(openssl pkey -in key\\.pem -out plain\\.pem\\)$`,
      );
    const traditional = keyOf("traditional-aes256.pem");
    const cases: [string, RegExp][] = [
      [
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nnot base64!\n-----END ENCRYPTED PRIVATE KEY-----",
        /is not valid base64/,
      ],
      [keyOf("pbes2-aes128-sha1.pem").replace(/\n[^\n]+\n-----END/, "\n-----END"), /./], // DER cut short
      [
        traditional.replace(/DEK-Info: [^\n]+\n/, ""),
        malformed(/Proc-Type says ENCRYPTED, but there is no DEK-Info/),
      ],
      [
        traditional.replace(/(DEK-Info: AES-256-CBC,)[0-9A-F]+/, "$1ABCD"),
        malformed(/DEK-Info's IV is 2 bytes, not 16/),
      ],
      [
        traditional.replace(/(DEK-Info: AES-256-CBC,)[0-9A-F]+/, "$1ABC"),
        malformed(/DEK-Info's IV is not whole bytes of hex/),
      ],
      [
        pbes2Key([octets(8), int(0x00, 0x98, 0x96, 0x81)]),
        malformed(/10000001 iterations of its key derivation, not 1 to 10000000/),
      ],
      // Found by tests/hardening/fuzz-private-key.test.ts: WebCrypto's own OperationError escaped.
      [pbes2Key([octets(8), int(0)]), malformed(/0 iterations of its key derivation, not 1 to 10000000/)],
      // The derivations before PBES2 run on the event loop: a lower bound.
      [
        pkcs12Key([octets(8), int(0x01, 0x86, 0xa1)]),
        malformed(/100001 iterations of its key derivation, not 1 to 100000/),
      ],
      [pkcs12Key([int(8), int(8, 0)]), malformed(/the salt is not an octet string/)],
      [
        scryptKey([octets(8), int(0x01, 0x00, 0x00), int(8), int(1)]), // 64 MiB
        malformed(
          /scrypt's N 65536, r 8, p 1 ask for more than 32 MiB, or 8 times the work of OpenSSL's N 16384, r 8, p 1/,
        ),
      ],
      [
        scryptKey([octets(8), int(0x40, 0x00), int(8), int(9)]),
        malformed(
          /scrypt's N 16384, r 8, p 9 ask for more than 32 MiB, or 8 times the work of OpenSSL's N 16384, r 8, p 1/,
        ),
      ],
      [
        scryptKey([octets(8), int(0x03, 0x00), int(8), int(1)]),
        malformed(/scrypt's N 768, r 8, p 1: N is a power of 2 above 1, r and p at least 1/),
      ],
      [
        traditional.replace("AES-256-CBC", "DES-EDE3-CBC"),
        malformed(/DEK-Info's IV is 16 bytes, not 8/),
      ],
      [
        pbes2Key([octets(8), int(8, 0), int(16)]),
        malformed(/the key derivation's key length 16 does not fit the cipher/),
      ],
      [pbes2Key([int(8), int(8, 0)]), malformed(/PBKDF2's salt is not an octet string/)],
      [pbes2Key([octets(8), int(8, 0)], AES_256_CBC, 8), malformed(/the IV is 8 bytes, not 16/)],
      [
        pbes2Key([octets(8), int(8, 0)], AES_256_CBC, 16, 20),
        malformed(/the encrypted key is not whole 16-byte blocks/),
      ],
      [
        pbes2Key([octets(8), int(8, 0)], "1.2.840.113549.3.7", 8, 20),
        malformed(/the encrypted key is not whole 8-byte blocks/),
      ],
      [pbes2Key([octets(8), int(0xff)]), malformed(/DER: a negative integer/)],
      ["no PEM at all", malformed(/no PEM block/)],
    ];
    for (const [pem, message] of cases) {
      await rejectsWith(decryptPrivateKey(pem, PASSWORD, "tlsCertificateKey"), "TLS_ERROR", message);
    }
  });

  it("reads an explicit HMAC-SHA1 PRF and a key length that fits the cipher, as RFC 8018 allows", async () => {
    // Those parameters pass; the data (sevens) is no key, so the outcome is a wrong passphrase, not a
    // malformed file.
    const explicit = pbes2Key([octets(8), int(8, 0), int(32), seq(oid("1.2.840.113549.2.7"), tlv(0x05))]);
    await rejectsWith(decryptPrivateKey(explicit, PASSWORD, "tlsCertificateKey"), "TLS_ERROR", /is wrong$/);
  });
});
