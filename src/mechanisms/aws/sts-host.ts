/**
 * The STS host the server names in its first MONGODB-AWS message: validated as the auth spec asks
 * (RFC 1035 length, no empty labels) and turned into the SigV4 region.
 *
 * @module
 */
import { MongoAuthError } from "../../core/errors.ts";

/**
 * Checks the server's STS host.
 *
 * @param host the `h` field of the server's first message
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when it is empty, longer than 255 bytes, has an empty label,
 *   or is not an ASCII URL host (say, it holds a space, a path, non-ASCII letters or a port out of range)
 */
export function validateStsHost(host: unknown): asserts host is string {
  const ok = typeof host === "string" && host.length > 0 && new TextEncoder().encode(host).length <= 255 &&
    host.split(".").every((label) => label.length > 0) && isUrlHost(host);
  if (!ok) {
    throw new MongoAuthError(
      "PROTOCOL_ERROR",
      "MONGODB-AWS: the server sent an invalid STS host (empty, over 255 bytes, with an empty label, " +
        "or not a host name)",
    );
  }
}

// The host is signed as the URL https://<host>/ and goes into the Authorization header (its second label
// is the region): it must be exactly what a URL serializes as its host — ASCII, no path, query,
// fragment, user info or default port — or the signer would throw or sign another request.
function isUrlHost(host: string): boolean {
  try {
    return new URL(`https://${host}/`).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The SigV4 region of an STS host, per the spec's Region Calculation: `us-east-1` for the global
 * endpoint (`sts.amazonaws.com`) and for a host without a period, else the second label.
 *
 * @param host a valid STS host
 * @returns the region
 */
export function stsRegion(host: string): string {
  const labels = host.split(".");
  if (labels.length === 1 || host === "sts.amazonaws.com" || host === "aws.amazonaws.com") return "us-east-1";
  return labels[1];
}
