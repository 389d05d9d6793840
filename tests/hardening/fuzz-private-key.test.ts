// Fuzz: encrypted private keys as a damaged or hand-edited key file holds them, into decryptPrivateKey (what
// the Deno and Bun transports run before the handshake) — PKCS#8 DER (PBES2, PBES1, PKCS#12's) mutated byte
// by byte (lengths that lie, object identifiers cut short, iteration counts, IVs and salts of any size), and
// the PEM text of both forms, AES and DES, mutated as text (headers, DEK-Info, base64). See fuzz.ts for the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decryptPrivateKey } from "../../src/crypto/encrypted-private-key.ts";
import { decodeBase64, encodeBase64 } from "../../src/crypto/base64.ts";
import { fixturePath } from "../../testing/paths.ts";
import { failureMessage, fuzzCases, mutateBytes, mutateText, runFuzz } from "./fuzz.ts";

const PASSWORD = "pki-test-password"; // scripts/make-test-pki.sh
const keyOf = (name: string) =>
  readFileSync(fixturePath(`pki/encrypted-keys/${name}`), "utf8").match(
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----\n/,
  )![0];
const PKCS8 = [
  "pbes2-aes128-sha1.pem",
  "pbes2-aes192-sha512.pem",
  "pbes2-scrypt.pem",
  "pbes2-des3.pem",
  "pbes1-sha1-3des.pem",
  "pbes1-md5-des.pem",
  "pbes1-sha1-rc2-40.pem",
].map(keyOf);
const TRADITIONAL = [
  keyOf("traditional-aes256.pem"),
  keyOf("traditional-des3.pem"),
  readFileSync(fixturePath("pki/encrypted-keys/rsa-traditional-aes128.pem"), "utf8"),
];
const derOf = (pem: string) =>
  decodeBase64(pem.split("\n").filter((line) => !line.startsWith("-----")).join(""));
const pemOf = (der: Uint8Array) =>
  `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${encodeBase64(der)}\n-----END ENCRYPTED PRIVATE KEY-----\n`;

describe("fuzz: encrypted private keys", () => {
  it("PBES2 DER mutated byte by byte, with the right passphrase or another: a key, or a coded error", async () => {
    const seeds = PKCS8.map(derOf);
    // A mutated iteration count may reach the 10 000 000 allowed: seconds of PBKDF2, not a hang.
    const report = await runFuzz("PBES2 DER", fuzzCases(1500), async (rng) => {
      const pem = pemOf(mutateBytes(rng, rng.pick(seeds)));
      const password = rng.chance(0.8) ? PASSWORD : "other";
      const key = await decryptPrivateKey(pem, password, "tlsCertificateKey");
      // Another passphrase never yields a key: a valid padding by chance fails the key's structure.
      assert.equal(password, PASSWORD, `decrypted with another passphrase to ${key.slice(0, 40)}`);
    }, { caseTimeoutMs: 30_000 });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("PEM text of both forms mutated as text: a key, the text as it was (not encrypted), or a coded error", async () => {
    const report = await runFuzz("encrypted key PEM", fuzzCases(1500), async (rng) => {
      const pem = mutateText(rng, rng.pick([...PKCS8, ...TRADITIONAL]));
      await decryptPrivateKey(pem, PASSWORD, "tlsCertificateKey");
    }, { caseTimeoutMs: 30_000 });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
