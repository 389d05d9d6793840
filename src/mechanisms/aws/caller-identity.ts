/**
 * The client's second MONGODB-AWS message: a SigV4 signature, made with aws4fetch, of the STS
 * `GetCallerIdentity` request the server will send to STS on the client's behalf. The request is
 * signed, never sent.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import { MongoAuthError } from "../../core/errors.ts";
import { amzDate } from "./amz-date.ts";
import { encodeBase64 } from "../../crypto/base64.ts";
import type { AwsCredentials } from "../../credential/aws.ts";
import { stsRegion } from "./sts-host.ts";

/** The body the server will POST to STS. */
export const GET_CALLER_IDENTITY_BODY = "Action=GetCallerIdentity&Version=2011-06-15";

/** The fields of the client's second message (`a`, `d`, `t`). */
export interface CallerIdentitySignature {
  /** The `Authorization` header. */
  readonly a: string;
  /** The `X-Amz-Date` header. */
  readonly d: string;
  /** The session token, for temporary credentials only. */
  readonly t?: string;
}

/**
 * Signs `POST /` with body {@link GET_CALLER_IDENTITY_BODY} to `host`, with the headers the auth spec
 * lists (all of them in SignedHeaders).
 *
 * @param credentials the AWS keys
 * @param host the validated STS host from the server
 * @param serverNonce the 64-byte server nonce
 * @param nowMs the signing time
 * @returns the payload fields
 */
export async function signCallerIdentity(
  credentials: AwsCredentials,
  host: string,
  serverNonce: Uint8Array,
  nowMs: number,
): Promise<CallerIdentitySignature> {
  const client = new AwsClient({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: "sts",
    region: stsRegion(host),
  });
  const signed = await client.sign(`https://${host}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": String(GET_CALLER_IDENTITY_BODY.length),
      "X-MongoDB-Server-Nonce": encodeBase64(serverNonce),
      "X-MongoDB-GS2-CB-Flag": "n",
    },
    body: GET_CALLER_IDENTITY_BODY,
    // allHeaders: aws4fetch leaves Content-Type and Content-Length unsigned by default; the spec signs them.
    aws: { datetime: amzDate(nowMs), allHeaders: true },
  });
  const a = signed.headers.get("Authorization");
  const d = signed.headers.get("X-Amz-Date");
  if (!a || !d) {
    throw new MongoAuthError(
      "RUNTIME_UNSUPPORTED",
      "MONGODB-AWS: this runtime's Request dropped the signed headers",
    );
  }
  return { a, d, ...(credentials.sessionToken ? { t: credentials.sessionToken } : {}) };
}
