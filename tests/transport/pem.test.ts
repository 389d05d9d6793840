// splitPem: one tlsCertificateKeyFile's PEM text as the certificate chain and the private key that Deno and
// Workers take separately; requireCertificates: a CA bundle holds a certificate; revocationLists: a CRL file's
// lists, each on its own. TLS_ERROR naming the source, never quoting the key.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../src/core/errors.ts";
import { requireCertificates, revocationLists, splitPem } from "../../src/transport/pem.ts";

const block = (type: string, body: string) => `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----`;
const LEAF = block("CERTIFICATE", "TEVBRg==");
const CA = block("CERTIFICATE", "Q0E=");
const KEY = block("PRIVATE KEY", "c2VjcmV0LWtleS1ieXRlcw==");
// The first bytes of a PKCS#12 file (an ASN.1 SEQUENCE with a two-byte length, version 3), and the start of a
// DER certificate (a SEQUENCE of a SEQUENCE): binary files a CA or Windows hands out as .p12/.pfx and .cer.
const PKCS12_START = new Uint8Array([0x30, 0x82, 0x04, 0x9c, 0x02, 0x01, 0x03, 0x30, 0x82, 0x04, 0x52]);
const CA_DER_BASE64 = "MIIB2DCCAX2gAwIBAgIUOQ==";
/** Bytes as a runtime reads a file into text: UTF-8, a byte that is not text becoming U+FFFD. */
const asRead = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function refused(pem: string, message: RegExp) {
  assert.throws(() => splitPem(pem, "/etc/ssl/client.pem"), (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "TLS_ERROR");
    assert.match(err.message, /^\/etc\/ssl\/client\.pem /);
    assert.match(err.message, message);
    assert.ok(!err.message.includes("c2VjcmV0"), "the key never appears in the message");
    return true;
  });
}

describe("splitPem", () => {
  it("returns the certificates in order as the chain, and the key, whatever order they come in", () => {
    const { cert, key, encrypted } = splitPem(`${KEY}\n${LEAF}\n${CA}\n`, "client.pem");
    assert.equal(cert, `${LEAF}\n${CA}\n`);
    assert.equal(key, `${KEY}\n`);
    assert.equal(encrypted, false);
  });

  it("ignores text around the blocks and blocks of other types", () => {
    const pem = `Bag Attributes\n${LEAF}\nsubject=CN=client\n${block("X509 CRL", "Q1JM")}\n${KEY}`;
    assert.deepEqual(splitPem(pem, "client.pem"), { cert: `${LEAF}\n`, key: `${KEY}\n`, encrypted: false });
  });

  it("takes RSA and EC keys, and tells an encrypted key by its type or its Proc-Type header", () => {
    for (const type of ["RSA PRIVATE KEY", "EC PRIVATE KEY"]) {
      assert.equal(splitPem(`${LEAF}\n${block(type, "AAAA")}`, "client.pem").encrypted, false, type);
    }
    assert.equal(
      splitPem(`${LEAF}\n${block("ENCRYPTED PRIVATE KEY", "AAAA")}`, "client.pem").encrypted,
      true,
    );
    const legacy = block("RSA PRIVATE KEY", "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA");
    assert.equal(splitPem(`${LEAF}\n${legacy}`, "client.pem").encrypted, true);
  });

  it("refuses a bundle without a certificate", () => {
    refused(KEY, /holds no PEM certificate$/);
    refused("", /holds no PEM certificate$/);
  });

  it("says a binary file (PKCS#12, DER) is not PEM, and how to convert it, without quoting its bytes", () => {
    refused(
      asRead(PKCS12_START),
      /holds no PEM certificate: it is binary, as PKCS#12 \(\.p12, \.pfx\) and DER files are: convert it to one PEM file of the certificate and its key \(openssl pkcs12 -in client\.p12 -out client\.pem/,
    );
    refused("0 is not binary", /holds no PEM certificate$/);
  });

  it("refuses a bundle with no private key, or more than one", () => {
    refused(
      LEAF,
      /must hold exactly one PEM private key, found 0: a certificate and its key kept in two files go into one \(cat client\.crt client\.key > client\.pem\)$/,
    );
    refused(
      `${LEAF}\n${KEY}\n${KEY}`,
      /must hold exactly one PEM private key, found 2: keep only the key of the certificate$/,
    );
  });

  it("does not take a block whose END line names another type", () => {
    refused(`${LEAF}\n-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END CERTIFICATE-----`, /found 0:/);
  });
});

describe("requireCertificates", () => {
  it("takes a CA bundle with at least one certificate, as it is", () => {
    assert.equal(requireCertificates(`${CA}\n${LEAF}\n`, "tlsCAFile /ca.pem"), `${CA}\n${LEAF}\n`);
    const trusted = block("TRUSTED CERTIFICATE", "VFJVU1RFRA==");
    assert.equal(requireCertificates(trusted, "tlsCAFile /ca.pem"), trusted);
  });

  it("refuses text without a CERTIFICATE block, naming the option and file", () => {
    for (const pem of ["", "db.example.net\n", KEY, block("X509 CRL", "Q1JM")]) {
      assert.throws(() => requireCertificates(pem, "tlsCAFile /etc/hostname"), {
        code: "TLS_ERROR",
        message: /^tlsCAFile \/etc\/hostname holds no PEM certificate: give the CA's certificate in PEM/,
      });
    }
  });

  it("says a binary file (DER, PKCS#12) is not PEM, and how to convert it", () => {
    // A DER certificate as read from a file: the bytes of a PEM block's base64, decoded as UTF-8 text.
    const der = asRead(Uint8Array.from(atob(CA_DER_BASE64), (c) => c.charCodeAt(0)));
    for (const text of [der, asRead(PKCS12_START)]) {
      assert.throws(() => requireCertificates(text, "tlsCAFile /etc/ssl/ca.cer"), {
        code: "TLS_ERROR",
        message:
          /^tlsCAFile \/etc\/ssl\/ca\.cer holds no PEM certificate: it is binary, as DER \(\.cer, \.crt, \.der\) and PKCS#12 \(\.p12, \.pfx\) files are: convert it to PEM \(openssl x509 -inform DER -in ca\.cer -out ca\.pem; from PKCS#12, openssl pkcs12 -in ca\.p12 -nokeys -out ca\.pem\)$/,
      });
    }
  });
});

describe("revocationLists", () => {
  it("splits a file into its lists, leaving out anything else", () => {
    const first = block("X509 CRL", "Rmlyc3Q=");
    const second = block("X509 CRL", "U2Vjb25k");
    assert.deepEqual(revocationLists(`comment\n${first}\n${CA}\n${second}\n`, "tlsCRLFile /crl.pem"), [
      first,
      second,
    ]);
  });

  it("refuses text without an X509 CRL block, naming the option and file", () => {
    for (const pem of ["", "db.example.net\n", CA, KEY]) {
      assert.throws(() => revocationLists(pem, "tlsCRLFile /etc/hostname"), {
        code: "TLS_ERROR",
        message:
          /^tlsCRLFile \/etc\/hostname holds no certificate revocation list \(-----BEGIN X509 CRL-----\)/,
      });
    }
  });
});
