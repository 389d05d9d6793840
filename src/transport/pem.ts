/**
 * Splits PEM text into its certificate chain and private key, for runtimes (Deno, Workers) that take
 * them separately while MongoDB users keep both in one `tlsCertificateKeyFile`.
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
  if (certs.length === 0) throw new MongoAuthError("TLS_ERROR", `${source} holds no PEM certificate`);
  if (keys.length !== 1) {
    throw new MongoAuthError(
      "TLS_ERROR",
      `${source} must hold exactly one PEM private key, found ${keys.length}`,
    );
  }
  const [{ block, type }] = keys;
  const encrypted = type === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(block);
  return { cert: certs.join("\n") + "\n", key: block + "\n", encrypted };
}
