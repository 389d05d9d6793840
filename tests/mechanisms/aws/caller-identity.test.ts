// The client's second MONGODB-AWS message: the SigV4 signature of the STS GetCallerIdentity request the
// server sends on the client's behalf. Checked against SigV4 worked out here from the AWS documentation
// (canonical request, string to sign, derived key) with WebCrypto, for fixed keys, date and nonce.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GET_CALLER_IDENTITY_BODY, signCallerIdentity } from "../../../src/mechanisms/aws/caller-identity.ts";

const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const NOW = Date.UTC(2024, 0, 15, 12, 0, 0);
const NONCE = Uint8Array.from({ length: 64 }, (_, i) => i);
const NONCE_BASE64 = btoa(String.fromCharCode(...NONCE));

const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (text: string) => hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
async function hmac(key: Uint8Array<ArrayBuffer> | ArrayBuffer, text: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, encoder.encode(text));
}

/** SigV4 of the request the auth spec describes, as the AWS documentation computes it. */
async function referenceAuthorization(
  keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  host: string,
  region: string,
  nonceBase64: string,
  amzDate: string,
): Promise<string> {
  const headers: [string, string][] = [
    ["content-length", String(GET_CALLER_IDENTITY_BODY.length)],
    ["content-type", "application/x-www-form-urlencoded"],
    ["host", host],
    ["x-amz-date", amzDate],
    ...(keys.sessionToken ? [["x-amz-security-token", keys.sessionToken] as [string, string]] : []),
    ["x-mongodb-gs2-cb-flag", "n"],
    ["x-mongodb-server-nonce", nonceBase64],
  ];
  const signedHeaders = headers.map(([name]) => name).join(";");
  const canonicalRequest = [
    "POST",
    "/",
    "",
    ...headers.map(([name, value]) => `${name}:${value}`),
    "",
    signedHeaders,
    await sha256(GET_CALLER_IDENTITY_BODY),
  ].join("\n");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/sts/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256(canonicalRequest)].join("\n");
  let key = await hmac(encoder.encode("AWS4" + keys.secretAccessKey), day);
  for (const part of [region, "sts", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));
  return `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

describe("signCallerIdentity", () => {
  it("signs POST / of Action=GetCallerIdentity&Version=2011-06-15 with every header the spec lists", async () => {
    assert.equal(GET_CALLER_IDENTITY_BODY, "Action=GetCallerIdentity&Version=2011-06-15");
    const signed = await signCallerIdentity(KEYS, "sts.amazonaws.com", NONCE, NOW);
    assert.deepEqual(signed, {
      a: await referenceAuthorization(
        KEYS,
        "sts.amazonaws.com",
        "us-east-1",
        NONCE_BASE64,
        "20240115T120000Z",
      ),
      d: "20240115T120000Z",
    });
    assert.match(
      signed.a,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240115\/us-east-1\/sts\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce, Signature=[0-9a-f]{64}$/,
    );
  });

  // Pinned: the same SigV4 computed apart from this suite (Python's hmac and hashlib), so that a change in
  // aws4fetch and in the reference above together could not go unnoticed.
  it("is this exact signature for these keys, date, host and nonce", async () => {
    const { a } = await signCallerIdentity(KEYS, "sts.amazonaws.com", NONCE, NOW);
    assert.equal(
      a.slice(a.indexOf("Signature=") + "Signature=".length),
      "3e099599b29e97b4475afd85f15e99783e902e31ade5c4ccbef5bf5a1e792865",
    );
  });

  it("signs the session token of temporary credentials and returns it as t", async () => {
    const temp = { ...KEYS, accessKeyId: "ASIAEXAMPLE", sessionToken: "the/session+token=" };
    const signed = await signCallerIdentity(temp, "sts.amazonaws.com", NONCE, NOW);
    assert.deepEqual(signed, {
      a: await referenceAuthorization(
        temp,
        "sts.amazonaws.com",
        "us-east-1",
        NONCE_BASE64,
        "20240115T120000Z",
      ),
      d: "20240115T120000Z",
      t: "the/session+token=",
    });
    assert.match(signed.a, /SignedHeaders=[^,]*;x-amz-security-token;x-mongodb-gs2-cb-flag;/);
  });

  it("has no t for static keys, and no secret key anywhere in the message", async () => {
    const signed = await signCallerIdentity(KEYS, "sts.amazonaws.com", NONCE, NOW);
    assert.deepEqual(Object.keys(signed), ["a", "d"]);
    assert.ok(!JSON.stringify(signed).includes(KEYS.secretAccessKey));
  });

  it("signs for the host's region and names the host in the signature", async () => {
    const host = "sts.eu-west-3.amazonaws.com";
    const signed = await signCallerIdentity(KEYS, host, NONCE, NOW);
    assert.equal(
      signed.a,
      await referenceAuthorization(KEYS, host, "eu-west-3", NONCE_BASE64, "20240115T120000Z"),
    );
  });

  it("takes its date from the clock it is given, to the second", async () => {
    const later = NOW + 59 * 60 * 1000 + 1500; // 12:59:01.5
    const signed = await signCallerIdentity(KEYS, "sts.amazonaws.com", NONCE, later);
    assert.equal(signed.d, "20240115T125901Z");
    assert.equal(
      signed.a,
      await referenceAuthorization(KEYS, "sts.amazonaws.com", "us-east-1", NONCE_BASE64, signed.d),
    );
  });

  it("binds the server nonce: another nonce is another signature", async () => {
    const other = NONCE.map((b) => b ^ 0xff);
    const [one, two] = await Promise.all([
      signCallerIdentity(KEYS, "sts.amazonaws.com", NONCE, NOW),
      signCallerIdentity(KEYS, "sts.amazonaws.com", other, NOW),
    ]);
    assert.notEqual(one.a, two.a);
    assert.equal(
      two.a,
      await referenceAuthorization(
        KEYS,
        "sts.amazonaws.com",
        "us-east-1",
        btoa(String.fromCharCode(...other)),
        one.d,
      ),
    );
  });
});
