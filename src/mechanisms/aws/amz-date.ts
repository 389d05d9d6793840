/**
 * SigV4's `X-Amz-Date` format, from the injected clock rather than `new Date()` inside the signer.
 *
 * @module
 */

/**
 * Formats a time as SigV4 wants it: `YYYYMMDD'T'HHMMSS'Z'`.
 *
 * @param ms milliseconds since the epoch
 * @returns e.g. `20191107T002607Z`
 */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}
