/**
 * PEM text as the TLS options give it: a client's certificate chain and private key split apart (Deno's
 * TLS takes them separately, while MongoDB users keep both in one `tlsCertificateKeyFile`), a CA bundle
 * checked to hold a certificate, and a file of revocation lists split into them, so that a wrong file is
 * named before any handshake.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The certificates and the private key of a PEM bundle.
 *
 * @param pem PEM text holding one or more `CERTIFICATE` blocks and one private key block
 * @param source names the input in error messages (a file path, or `tlsCertificateKey`)
 * @returns the certificate chain and the key, each as PEM
 * @throws {MongoAuthError} `TLS_ERROR` when there is no certificate or no private key; the message never
 *   contains the key
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitPem } from "./pem.ts";
 *
 * const pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n";
 * const { cert, key } = splitPem(pem, "client.pem");
 * assert.ok(cert.startsWith("-----BEGIN CERTIFICATE-----"));
 * assert.ok(key.includes("PRIVATE KEY"));
 * ```
 */
export function splitPem(pem: string, source: string): { cert: string; key: string; encrypted: boolean } {
  const certs: string[] = [];
  const keys: { block: string; type: string }[] = [];
  for (const match of pem.matchAll(BLOCK)) {
    if (match[1] === "CERTIFICATE") certs.push(match[0]);
    else if (match[1].endsWith("PRIVATE KEY")) keys.push({ block: match[0], type: match[1] });
  }
  if (certs.length === 0) {
    throw new MongoAuthError(
      "TLS_ERROR",
      `${source} holds no PEM certificate` +
        (isBinary(pem)
          ? ": it is binary, as PKCS#12 (.p12, .pfx) and DER files are: convert it to one PEM file of the " +
            "certificate and its key (openssl pkcs12 -in client.p12 -out client.pem keeps the key encrypted, " +
            "with the passphrase for tlsCertificateKeyFilePassword)"
          : ""),
    );
  }
  if (keys.length !== 1) {
    throw new MongoAuthError(
      "TLS_ERROR",
      `${source} must hold exactly one PEM private key, found ${keys.length}: ` +
        (keys.length === 0
          ? "a certificate and its key kept in two files go into one (cat client.crt client.key > client.pem)"
          : "keep only the key of the certificate"),
    );
  }
  const [{ block, type }] = keys;
  const encrypted = type === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(block);
  return { cert: certs.join("\n") + "\n", key: block + "\n", encrypted };
}

/**
 * A CA bundle that holds at least one PEM certificate (the runtimes' TLS would otherwise ignore it, or
 * refuse it without naming it).
 *
 * @param pem the bundle's text
 * @param source names the input in error messages (`tlsCAFile /path`, or `tlsCA`)
 * @returns `pem`
 * @throws {MongoAuthError} `TLS_ERROR` when it holds no `CERTIFICATE` (or `TRUSTED CERTIFICATE`) block
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireCertificates } from "./pem.ts";
 *
 * assert.throws(() => requireCertificates("db.example.net", "tlsCAFile /etc/hostname"), {
 *   code: "TLS_ERROR",
 *   message: /^tlsCAFile \/etc\/hostname holds no PEM certificate/,
 * });
 * ```
 */
export function requireCertificates(pem: string, source: string): string {
  // OpenSSL also reads TRUSTED CERTIFICATE and X509 CERTIFICATE blocks as CA certificates.
  for (const match of pem.matchAll(BLOCK)) if (match[1].endsWith("CERTIFICATE")) return pem;
  throw new MongoAuthError(
    "TLS_ERROR",
    `${source} holds no PEM certificate: ` +
      (isBinary(pem)
        ? "it is binary, as DER (.cer, .crt, .der) and PKCS#12 (.p12, .pfx) files are: convert it to PEM " +
          "(openssl x509 -inform DER -in ca.cer -out ca.pem; from PKCS#12, openssl pkcs12 -in ca.p12 -nokeys " +
          "-out ca.pem)"
        : `give the CA's certificate in PEM (a "-----BEGIN CERTIFICATE-----" block)`),
  );
}

// DER and PKCS#12 both begin with an ASN.1 SEQUENCE (0x30) whose length bytes are no text: read as UTF-8, a
// control character or U+FFFD follows the "0".
function isBinary(text: string): boolean {
  const notText = (c: string) => c === "\ufffd" || (c < " " && !"\t\n\r".includes(c));
  return text.startsWith("0") && [...text.slice(1, 4)].some(notText);
}

/**
 * The certificate revocation lists of a PEM file, each on its own (`node:tls` reads only the first list of a
 * text it is given whole, before Node.js 26.10 and on Bun).
 *
 * @param pem the file's text
 * @param source names the input in error messages (`tlsCRLFile /path`)
 * @returns each `X509 CRL` block
 * @throws {MongoAuthError} `TLS_ERROR` when it holds none: such a file would check nothing, without a word
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { revocationLists } from "./pem.ts";
 *
 * assert.throws(() => revocationLists("db.example.net", "tlsCRLFile /etc/hostname"), {
 *   code: "TLS_ERROR",
 *   message: /^tlsCRLFile \/etc\/hostname holds no certificate revocation list/,
 * });
 * ```
 */
export function revocationLists(pem: string, source: string): string[] {
  const lists = [...pem.matchAll(BLOCK)].filter((match) => match[1] === "X509 CRL").map((match) => match[0]);
  if (lists.length === 0) {
    throw new MongoAuthError(
      "TLS_ERROR",
      `${source} holds no certificate revocation list (-----BEGIN X509 CRL-----): give the PEM file of your ` +
        "CA's revocation list (openssl crl -inform DER -in list.crl -out list.pem converts one)",
    );
  }
  return lists;
}
