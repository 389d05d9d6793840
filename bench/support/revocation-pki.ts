// A throwaway PKI for the revocation-list benchmark, made with WebCrypto (ECDSA P-256) each run: a CA, a server
// certificate for 127.0.0.1 and localhost, and the CA's revocation list naming `entries` other certificates, as
// a CA that has revoked many writes it. Written as PEM files to a temporary directory.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bool,
  ECDSA_SHA256,
  explicit,
  extension,
  int,
  name,
  oid,
  seq,
  signedWithEcdsa,
  tlv,
  utcTime,
} from "../../tests/support/der-builder.ts";
import { encodePem } from "../../src/crypto/base64.ts";

/** The PKI's files. */
export interface RevocationPki {
  /** The CA's certificate (tlsCAFile). */
  readonly caFile: string;
  /** The server's certificate and key, each a file. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA's revocation list (tlsCRLFile). */
  readonly crlFile: string;
  /** The list file's size in bytes. */
  readonly crlBytes: number;
  remove(): void;
}

const DAY = 86_400_000;
const EC_KEY = { name: "ECDSA", namedCurve: "P-256" } as const;

async function spki(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey("spki", key));
}

// The list's entries, each SEQUENCE { serialNumber (nine random bytes, positive), revocationDate }, written
// into one buffer: a hundred thousand parts are too many to pass as arguments.
function revokedCertificates(entries: number, revokedAt: Uint8Array): Uint8Array {
  const entry = seq(int(...new Uint8Array(9)), revokedAt);
  const out = new Uint8Array(entries * entry.length);
  for (let i = 0; i < entries; i++) {
    const serial = crypto.getRandomValues(new Uint8Array(9));
    serial[0] = 0x10 | (serial[0] & 0x3f); // never the server's serial (2)
    entry.set(serial, 4);
    out.set(entry, i * entry.length);
  }
  return out;
}

/**
 * Makes the PKI.
 *
 * @param entries how many certificates the list revokes (none of them the server's)
 * @returns its files, and how to remove them
 */
export async function makeRevocationPki(entries: number): Promise<RevocationPki> {
  const now = Date.now();
  const validity = seq(utcTime(new Date(now - DAY)), utcTime(new Date(now + 30 * DAY)));
  const ca = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);
  const server = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);
  const caName = name("mongo-auth bench CA");
  const caCertificate = await signedWithEcdsa(
    seq(
      explicit(0, int(2)),
      int(1),
      ECDSA_SHA256,
      caName,
      validity,
      caName,
      await spki(ca.publicKey),
      explicit(
        3,
        seq(
          extension("2.5.29.19", true, seq(bool(true))), // basicConstraints: a CA
          extension("2.5.29.15", true, tlv(0x03, new Uint8Array([1, 0x06]))), // keyCertSign, cRLSign
        ),
      ),
    ),
    ca.privateKey,
  );
  const serverCertificate = await signedWithEcdsa(
    seq(
      explicit(0, int(2)),
      int(2),
      ECDSA_SHA256,
      caName,
      validity,
      name("localhost"),
      await spki(server.publicKey),
      explicit(
        3,
        seq(
          extension("2.5.29.15", true, tlv(0x03, new Uint8Array([7, 0x80]))), // digitalSignature
          extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // serverAuth
          // subjectAltName: DNS localhost, IP 127.0.0.1
          extension(
            "2.5.29.17",
            false,
            seq(tlv(0x82, new TextEncoder().encode("localhost")), tlv(0x87, new Uint8Array([127, 0, 0, 1]))),
          ),
        ),
      ),
    ),
    ca.privateKey,
  );
  const list = await signedWithEcdsa(
    seq(
      int(1), // v2: the list has extensions
      ECDSA_SHA256,
      caName,
      utcTime(new Date(now - DAY)),
      utcTime(new Date(now + 7 * DAY)),
      ...(entries > 0 ? [tlv(0x30, revokedCertificates(entries, utcTime(new Date(now - DAY))))] : []),
      explicit(0, seq(extension("2.5.29.20", false, int(1)))), // CRL number
    ),
    ca.privateKey,
  );
  const dir = mkdtempSync(join(tmpdir(), "mongo-auth-bench-pki-"));
  const file = (fileName: string, text: string) => {
    writeFileSync(join(dir, fileName), text);
    return join(dir, fileName);
  };
  const key = new Uint8Array(await crypto.subtle.exportKey("pkcs8", server.privateKey));
  const crl = encodePem("X509 CRL", list);
  return {
    caFile: file("ca.pem", encodePem("CERTIFICATE", caCertificate)),
    certFile: file("server-cert.pem", encodePem("CERTIFICATE", serverCertificate)),
    keyFile: file("server-key.pem", encodePem("PRIVATE KEY", key)),
    crlFile: file("crl.pem", crl),
    crlBytes: crl.length,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
