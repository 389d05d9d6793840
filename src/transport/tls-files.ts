/**
 * The TLS files of a connection (`tlsCAFile`, `tlsCRLFile`, `tlsCertificateKeyFile`) as `node:net`/`node:tls`
 * transports read them: again for every connection, so that a file replaced (a CA's new revocation list, a
 * renewed certificate) counts from the next connection, but decoded and hashed only when its bytes changed.
 * A CA bundle or a revocation list may be megabytes; decoding and hashing it for every connection of a pool
 * cost more than the connection.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { isAbsolute } from "node:path";
import { cwd } from "node:process";
import type { Buffer } from "node:buffer";
import { MongoAuthError, reasonOf } from "../core/errors.ts";
import { setNewest } from "../core/bounded-map.ts";

/** A file's content, the same object for every read that found the same bytes at the same path. */
export interface TlsFile {
  /** The bytes read. */
  readonly bytes: Buffer;
  /** The bytes as UTF-8 text (PEM). */
  readonly text: string;
  /** Their SHA-256, in hex: stands for the content where contents are compared (a TLS context's key). */
  readonly digest: string;
}

// The last content read at each path, and the reads in flight: connections that open together share one
// read (a pool of 100 would otherwise hold 100 copies of a large file at once). At most MAX_FILES paths.
const files = new Map<string, TlsFile>();
const reading = new Map<string, Promise<TlsFile>>();
const MAX_FILES = 16;

/**
 * Reads a TLS file: its current bytes, decoded and hashed once per content.
 *
 * @param path the file's path
 * @param option the option that names it (`tlsCAFile`, …), for the error message
 * @returns the content, the same object as the last read's when the bytes are the same
 * @throws {MongoAuthError} `TLS_ERROR` when the file cannot be read, naming the option and the path
 * @example
 * ```ts ignore
 * import { readTlsFile } from "./tls-files.ts";
 *
 * const ca = await readTlsFile("/etc/ssl/mongodb-ca.pem", "tlsCAFile");
 * console.log(ca.digest, ca.text.length);
 * ```
 */
export function readTlsFile(path: string, option: string): Promise<TlsFile> {
  let file = reading.get(path);
  if (!file) {
    file = load(path).finally(() => reading.delete(path));
    reading.set(path, file);
  }
  // Each caller names its own option: one file may be two (a PEM of certificates and revocation lists).
  return file.catch((err) => {
    const reason = `${reasonOf(err)}${where(path, err)}`;
    throw new MongoAuthError("TLS_ERROR", `cannot read ${option} ${path}: ${reason}`, { cause: err });
  });
}

// A relative path that works in a shell fails under a service manager or a container, whose working directory
// is another (often /): say which one the path was read from.
function where(path: string, err: unknown): string {
  if ((err as { code?: unknown })?.code !== "ENOENT" || isAbsolute(path)) return "";
  try {
    return ` (a relative path is read from the working directory, here ${cwd()})`;
  } catch {
    return "";
  }
}

async function load(path: string): Promise<TlsFile> {
  const bytes = await readFile(path);
  const kept = files.get(path);
  if (kept?.bytes.equals(bytes)) return kept;
  const file = {
    bytes,
    text: bytes.toString("utf8"),
    digest: createHash("sha256").update(bytes).digest("hex"),
  };
  setNewest(files, path, file, MAX_FILES);
  return file;
}
