// The server side of MONGODB-AWS: what mongod (enterprise src/sasl/sasl_aws_server_protocol.cpp) and
// STS check together. mongod hands the client's signed GetCallerIdentity request to STS and
// authenticates as the ARN STS answers with; here the STS part is done in-process: the SigV4
// signature is recomputed with this file's own code on node:crypto (never aws4fetch, so a bug shared
// with the client cannot hide) against the keys of a configured account.
//
// Config: "aws": { "accounts": [{ "accessKeyId", "secretAccessKey", "sessionToken"?, "arn" }],
//                  "stsHost"?: "sts.amazonaws.com" }
// Users:  { "db": "$external", "user": <ARN as mongod names it>, "mechanisms": ["MONGODB-AWS"] }
//         (mongod's simplified ARN: IAM users as is, assumed roles as arn:aws:sts::<acct>:assumed-role/<role>/*)
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Binary, deserialize, serialize } from "bson";
import type { ServerConfig, UserConfig } from "../config.ts";
import { AuthFailure } from "../errors.ts";
import type { SaslConversation, SaslMechanismServer, SaslStepResult, ServerAuthContext } from "../sasl.ts";

/** One AWS identity STS would recognise. */
export interface AwsAccountConfig {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials only: the token STS issued with them. */
  sessionToken?: string;
  /** What GetCallerIdentity returns for these keys, e.g. "arn:aws:iam::123456789012:user/alice". */
  arn: string;
}

/** The `aws` section of the server config. */
export interface AwsServerConfig {
  accounts: AwsAccountConfig[];
  /** The STS host the server names to clients (mongod's awsSTSHost). Default "sts.amazonaws.com". */
  stsHost?: string;
}

/** Test hooks. */
export interface AwsServerOptions {
  /** The server's clock, for the 15-minute X-Amz-Date window. Default Date.now. */
  now?: () => number;
  /** The server's 32 nonce bytes. Default random. */
  serverNoncePiece?: () => Uint8Array;
}

const MECHANISM = "MONGODB-AWS";
const BODY = "Action=GetCallerIdentity&Version=2011-06-15";
/** mongod's allowedHeaders, in the (sorted) order SignedHeaders must list them. */
const ALLOWED_SIGNED_HEADERS = [
  "content-length",
  "content-type",
  "host",
  "x-amz-date",
  "x-amz-security-token",
  "x-mongodb-gs2-cb-flag",
  "x-mongodb-optional-data",
  "x-mongodb-server-nonce",
];
/** STS refuses requests whose X-Amz-Date is more than 15 minutes off. */
const MAX_SKEW_MS = 15 * 60 * 1000;

declare module "../config.ts" {
  interface ServerConfig {
    /** MONGODB-AWS: the identities STS knows, and the STS host named to clients. */
    aws?: AwsServerConfig;
  }
}

/** The `aws` section of a config, checked. */
export function awsConfig(config: ServerConfig): AwsServerConfig | undefined {
  const aws = config.aws;
  if (aws === undefined) return undefined;
  if (!Array.isArray(aws.accounts)) throw new TypeError("config.aws.accounts must be an array");
  aws.accounts.forEach((a, i) => {
    for (const key of ["accessKeyId", "secretAccessKey", "arn"] as const) {
      if (typeof a?.[key] !== "string" || a[key] === "") {
        throw new TypeError(`config.aws.accounts[${i}].${key} must be a non-empty string`);
      }
    }
    if (a.sessionToken !== undefined && typeof a.sessionToken !== "string") {
      throw new TypeError(`config.aws.accounts[${i}].sessionToken must be a string`);
    }
  });
  if (aws.stsHost !== undefined && (typeof aws.stsHost !== "string" || aws.stsHost === "")) {
    throw new TypeError("config.aws.stsHost must be a non-empty string");
  }
  return aws;
}

/**
 * mongod's makeSimplifiedArn: IAM user ARNs stay, STS assumed-role ARNs lose the session name.
 * @param arn the ARN GetCallerIdentity returned
 * @returns the user name mongod looks up in $external
 * @throws AuthFailure for ARNs mongod refuses
 */
export function simplifiedArn(arn: string): string {
  const match = /^arn:aws:(iam|sts)::[^:]*:(.*)$/.exec(arn);
  if (!match) throw new AuthFailure("incorrect ARN");
  if (match[1] === "iam") {
    if (!match[2].startsWith("user/")) throw new AuthFailure("IAM ARN is not a user");
    return arn;
  }
  if (!/^assumed-role\/[^/]+\/.+/.test(match[2])) throw new AuthFailure("STS ARN is not an assumed role");
  return arn.slice(0, arn.lastIndexOf("/") + 1) + "*";
}

/**
 * The SigV4 region of an STS host, as the MongoDB auth spec derives it (written independently of
 * the client's src/mechanisms/aws/sts-host.ts).
 */
export function regionOfHost(host: string): string {
  const labels = host.split(".");
  if (labels.length < 2 || labels[1] === "amazonaws") return "us-east-1";
  return labels[1];
}

/**
 * The server side of MONGODB-AWS.
 * @param options test hooks (clock, nonce)
 * @returns the mechanism for the registry
 */
export function awsMechanism(options: AwsServerOptions = {}): SaslMechanismServer {
  const now = options.now ?? (() => Date.now());
  const noncePiece = options.serverNoncePiece ?? (() => new Uint8Array(randomBytes(32)));
  return {
    name: MECHANISM,
    external: true,
    enabled: (config) => awsConfig(config) !== undefined,
    storeCredential(user: UserConfig): unknown {
      if (user.db !== "$external") throw new TypeError(`MONGODB-AWS user ${user.user} must be in $external`);
      if (user.password !== undefined) throw new TypeError(`MONGODB-AWS user ${user.user} takes no password`);
      return { external: true };
    },
    start(ctx: ServerAuthContext): SaslConversation {
      const aws = awsConfig(ctx.config);
      if (!aws) throw new AuthFailure("MONGODB-AWS is not configured");
      return new AwsConversation(ctx, aws, now, noncePiece);
    },
  };
}

class AwsConversation implements SaslConversation {
  #step = 0;
  #serverNonce = new Uint8Array(0);
  #cbFlag = "";

  constructor(
    private readonly ctx: ServerAuthContext,
    private readonly aws: AwsServerConfig,
    private readonly now: () => number,
    private readonly noncePiece: () => Uint8Array,
  ) {}

  step(payload: Uint8Array): Promise<SaslStepResult> {
    this.#step++;
    if (this.#step === 1) return Promise.resolve(this.first(payload));
    if (this.#step === 2) return Promise.resolve(this.second(payload));
    throw new AuthFailure("MONGODB-AWS has two steps");
  }

  private first(payload: Uint8Array): SaslStepResult {
    const doc = parse(payload);
    const r = bytesOf(doc.r);
    if (!r || r.length !== 32) throw new AuthFailure("client nonce must be 32 bytes");
    if (doc.p !== 110 && doc.p !== 121) throw new AuthFailure("channel binding flag must be 'n' or 'y'");
    this.#cbFlag = String.fromCharCode(doc.p);
    this.#serverNonce = new Uint8Array([...r, ...this.noncePiece()]);
    const stsHost = this.aws.stsHost ?? "sts.amazonaws.com";
    return { payload: serialize({ s: new Binary(this.#serverNonce), h: stsHost }), done: false };
  }

  private second(payload: Uint8Array): SaslStepResult {
    const doc = parse(payload);
    const authorization = doc.a;
    const date = doc.d;
    const token = doc.t;
    if (typeof authorization !== "string" || typeof date !== "string") {
      throw new AuthFailure("a and d are required");
    }
    if (token !== undefined && typeof token !== "string") throw new AuthFailure("t must be a string");
    const auth = parseAuthorization(authorization);
    const account = this.aws.accounts.find((a) => a.accessKeyId === auth.accessKeyId);
    // What STS answers: InvalidClientTokenId, SignatureDoesNotMatch, RequestExpired, …
    if (!account) throw new AuthFailure("unknown access key ID");
    this.checkDate(date, auth.scope);
    if ((account.sessionToken ?? undefined) !== token) throw new AuthFailure("session token does not match");
    const expected = signature(
      account.secretAccessKey,
      this.canonicalHeaders(auth.signedHeaders, date, token),
      auth,
      date,
    );
    if (!constantTimeEqual(expected, auth.signature)) throw new AuthFailure("signature does not match");
    const user = simplifiedArn(account.arn);
    const stored = this.ctx.findUser(user, "$external");
    if (!stored || !stored.mechanisms.includes(MECHANISM)) {
      throw new AuthFailure(`no MONGODB-AWS user ${user}`);
    }
    this.ctx.authenticated(user, "$external");
    return { payload: new Uint8Array(0), done: true };
  }

  private checkDate(date: string, scope: Scope): void {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!m) throw new AuthFailure("X-Amz-Date is malformed");
    const when = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    if (Math.abs(when - this.now()) > MAX_SKEW_MS) {
      throw new AuthFailure("X-Amz-Date is more than 15 minutes off");
    }
    if (scope.date !== date.slice(0, 8)) {
      throw new AuthFailure("credential scope date differs from X-Amz-Date");
    }
    const host = this.aws.stsHost ?? "sts.amazonaws.com";
    if (scope.region !== regionOfHost(host)) {
      throw new AuthFailure("credential scope region is wrong for the STS host");
    }
    if (scope.service !== "sts" || scope.terminator !== "aws4_request") {
      throw new AuthFailure("credential scope is not sts");
    }
  }

  /** The headers mongod sends to STS, restricted to (and in the order of) SignedHeaders. */
  private canonicalHeaders(signed: string[], date: string, token: string | undefined): string {
    const values: Record<string, string | undefined> = {
      "content-length": String(BODY.length),
      "content-type": "application/x-www-form-urlencoded",
      host: this.aws.stsHost ?? "sts.amazonaws.com",
      "x-amz-date": date,
      "x-amz-security-token": token,
      "x-mongodb-gs2-cb-flag": this.#cbFlag,
      "x-mongodb-server-nonce": Buffer.from(this.#serverNonce).toString("base64"),
    };
    return signed.map((name) => {
      const value = values[name];
      if (value === undefined) throw new AuthFailure(`signed header ${name} has no value`);
      return `${name}:${value}\n`;
    }).join("");
  }
}

interface Scope {
  date: string;
  region: string;
  service: string;
  terminator: string;
}

interface ParsedAuthorization {
  accessKeyId: string;
  scope: Scope;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+), ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
      .exec(header);
  if (!m) throw new AuthFailure("Authorization header is malformed");
  const signedHeaders = m[6].split(";");
  checkSignedHeaders(signedHeaders);
  return {
    accessKeyId: m[1],
    scope: { date: m[2], region: m[3], service: m[4], terminator: m[5] },
    signedHeaders,
    signature: m[7],
  };
}

/** mongod's validateSignedHeaders, plus the spec's MUSTs (host, content-type, content-length signed). */
function checkSignedHeaders(headers: string[]): void {
  let last = -1;
  for (const h of headers) {
    const index = ALLOWED_SIGNED_HEADERS.indexOf(h);
    if (index < 0) throw new AuthFailure(`header ${h} may not be signed`);
    if (index <= last) throw new AuthFailure("SignedHeaders must be sorted and unique");
    last = index;
  }
  if (headers.includes("x-mongodb-optional-data")) throw new AuthFailure("optional data is not supported");
  for (
    const required of [
      "content-length",
      "content-type",
      "host",
      "x-amz-date",
      "x-mongodb-gs2-cb-flag",
      "x-mongodb-server-nonce",
    ]
  ) {
    if (!headers.includes(required)) throw new AuthFailure(`${required} must be signed`);
  }
}

function signature(
  secret: string,
  canonicalHeaders: string,
  auth: ParsedAuthorization,
  date: string,
): string {
  const canonicalRequest = [
    "POST",
    "/",
    "",
    canonicalHeaders,
    auth.signedHeaders.join(";"),
    sha256Hex(BODY),
  ].join("\n");
  const { scope } = auth;
  const scopeString = `${scope.date}/${scope.region}/${scope.service}/${scope.terminator}`;
  const stringToSign = ["AWS4-HMAC-SHA256", date, scopeString, sha256Hex(canonicalRequest)].join("\n");
  let key: Buffer = hmac(Buffer.from("AWS4" + secret, "utf8"), scope.date);
  key = hmac(key, scope.region);
  key = hmac(key, scope.service);
  key = hmac(key, scope.terminator);
  return hmac(key, stringToSign).toString("hex");
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256Hex(data: string): string {
  return createHash("sha256").update(data, "utf8").digest("hex");
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parse(payload: Uint8Array): Record<string, unknown> {
  try {
    return deserialize(payload, { promoteBuffers: false });
  } catch {
    throw new AuthFailure("payload is not BSON");
  }
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Binary) return value.buffer.subarray(0, value.position);
  if (value instanceof Uint8Array) return value;
  return undefined;
}
