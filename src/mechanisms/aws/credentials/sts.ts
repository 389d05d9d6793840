/**
 * Calls to the STS query API that return temporary credentials (AssumeRole,
 * AssumeRoleWithWebIdentity), and the parsing of their answers: XML (the API's default) or JSON.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import type { RuntimeEnv } from "../../../core/runtime-env.ts";
import { amzDate } from "../amz-date.ts";
import type { AwsCredentials } from "../../../credential/aws.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import { httpRequest } from "../../../core/http.ts";
import { awsRequest, expectOk } from "./http.ts";
import { awsSourceError } from "./provider-error.ts";
import type { StsEndpoint } from "./sts-endpoint.ts";

/** One STS call. */
export interface StsCall {
  /** The API action, e.g. `AssumeRole`. */
  readonly action: "AssumeRole" | "AssumeRoleWithWebIdentity";
  /** The action's parameters (RoleArn, RoleSessionName, …). */
  readonly params: Readonly<Record<string, string>>;
  /** Signs the request with these credentials; AssumeRoleWithWebIdentity is unsigned. */
  readonly signWith?: AwsCredentials;
  /** Where to send it. */
  readonly endpoint: StsEndpoint;
  /** The source's name for messages. */
  readonly source: string;
  /** The caller's signal. */
  readonly signal?: AbortSignal;
  /** Milliseconds before the call is given up. */
  readonly timeoutMs?: number;
}

/**
 * Calls STS and returns the temporary credentials of its answer.
 *
 * @param env fetch and clock
 * @param call what to call and how
 * @returns the credentials, with their expiration
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` naming the source and the HTTP status or STS error code
 */
export async function callSts(env: RuntimeEnv, call: StsCall): Promise<AwsCredentials> {
  // The body (not the query string) carries the parameters, so a web identity token never lands in a URL.
  const body = new URLSearchParams({ Action: call.action, Version: "2011-06-15", ...call.params }).toString();
  let headers: Headers | Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (call.signWith) headers = await signStsRequest(env, call, body, headers);
  const request = awsRequest(env, call.endpoint.url, { method: "POST", headers, body }, {
    ...call,
    secrets: [call.params.WebIdentityToken, call.signWith?.secretAccessKey, call.signWith?.sessionToken],
  });
  const response = await httpRequest(request);
  expectOk(response, request);
  return parseStsCredentials(response.text, call.source);
}

async function signStsRequest(
  env: RuntimeEnv,
  call: StsCall,
  body: string,
  headers: Record<string, string>,
): Promise<Headers> {
  const keys = call.signWith!;
  const client = new AwsClient({
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    sessionToken: keys.sessionToken,
    service: "sts",
    region: call.endpoint.region,
  });
  const signed = await client.sign(call.endpoint.url, {
    method: "POST",
    headers,
    body,
    aws: { datetime: amzDate(env.now()) },
  });
  return signed.headers;
}

/**
 * Reads `Credentials` from an STS answer, XML or JSON.
 *
 * @param text the response body
 * @param source the source's name for messages
 * @returns the credentials
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the answer holds no usable credentials
 */
export function parseStsCredentials(text: string, source: string): AwsCredentials {
  const raw = text.trimStart().startsWith("{") ? fromJson(text, source) : fromXml(text);
  if (!raw) throw awsSourceError(source, "the STS answer holds no Credentials element");
  return checkAwsCredentials(
    {
      accessKeyId: raw.AccessKeyId,
      secretAccessKey: raw.SecretAccessKey,
      sessionToken: raw.SessionToken,
      expiration: typeof raw.Expiration === "number" && raw.Expiration < 1e12
        ? raw.Expiration * 1000
        : raw.Expiration,
    },
    source,
  );
}

function fromXml(text: string): Record<string, unknown> | undefined {
  const block = /<Credentials>([\s\S]*?)<\/Credentials>/.exec(text)?.[1];
  if (block === undefined) return undefined;
  const field = (name: string) => {
    const value = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(block)?.[1];
    return value === undefined ? undefined : unescapeXml(value.trim());
  };
  return {
    AccessKeyId: field("AccessKeyId"),
    SecretAccessKey: field("SecretAccessKey"),
    SessionToken: field("SessionToken"),
    Expiration: field("Expiration"),
  };
}

function fromJson(text: string, source: string): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw awsSourceError(source, "the STS answer is not valid JSON");
  }
  return findCredentials(doc, 0);
}

// STS JSON nests Credentials under <Action>Response.<Action>Result; the MongoDB spec shows it at the top.
function findCredentials(doc: unknown, depth: number): Record<string, unknown> | undefined {
  if (typeof doc !== "object" || doc === null || depth > 3) return undefined;
  const record = doc as Record<string, unknown>;
  if (typeof record.Credentials === "object" && record.Credentials !== null) {
    return record.Credentials as Record<string, unknown>;
  }
  for (const value of Object.values(record)) {
    const found = findCredentials(value, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!,
  );
}
