// Loopback stand-ins for the AWS endpoints the MONGODB-AWS credential chain calls: STS (query API,
// XML answers), the ECS container endpoint (JSON, Authorization check) and EC2 IMDSv2 (token PUT with
// a TTL header, 401 without the token). Each listens on 127.0.0.1, port 0, and records what it got.
// Also: a RuntimeEnv for tests that never reads the process env or ~/.aws and whose fetch refuses
// anything but loopback, so no test can reach 169.254.169.254 or 169.254.170.2.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type FetchLike, type RuntimeEnv, runtimeEnv } from "../../src/core/runtime-env.ts";
import { listenOnLoopback } from "./loopback-http.ts";

/** One request a fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A running fake. */
export interface Fake {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** What a fake's handler returns. */
export interface FakeReply {
  status?: number;
  body?: string;
  contentType?: string;
}

/** Temporary credentials as AWS services spell them. */
export interface FakeTempCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

/**
 * Starts a loopback HTTP server answering with `handler`.
 * @param handler the reply for each recorded request
 * @returns the running fake
 */
export async function startFake(
  handler: (req: RecordedRequest) => FakeReply | Promise<FakeReply>,
): Promise<Fake> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const recorded = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      let reply: FakeReply;
      try {
        reply = await handler(recorded);
      } catch (err) {
        reply = { status: 500, body: String(err) };
      }
      res.writeHead(reply.status ?? 200, {
        "content-type": reply.contentType ?? "text/plain",
        connection: "close",
      });
      res.end(reply.body ?? "");
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}

/** Temporary credentials expiring at `expiration` (ms since epoch). */
export function tempCredentials(name: string, expiration: number): FakeTempCredentials {
  return {
    AccessKeyId: `ASIA${name.toUpperCase()}`,
    SecretAccessKey: `secret-${name}`,
    Token: `token-${name}`,
    Expiration: new Date(expiration).toISOString(),
  };
}

function stsXml(action: string, c: FakeTempCredentials, extra = ""): string {
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    ${extra}
    <Credentials>
      <AccessKeyId>${c.AccessKeyId}</AccessKeyId>
      <SecretAccessKey>${c.SecretAccessKey}</SecretAccessKey>
      <SessionToken>${c.Token}</SessionToken>
      <Expiration>${c.Expiration}</Expiration>
    </Credentials>
  </${action}Result>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</${action}Response>`;
}

function stsError(status: number, code: string): FakeReply {
  return {
    status,
    contentType: "text/xml",
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>refused</Message></Error><RequestId>x</RequestId></ErrorResponse>`,
  };
}

/** How the fake STS decides. */
export interface FakeStsOptions {
  /** Credentials AssumeRole / AssumeRoleWithWebIdentity hand out. */
  credentials?: FakeTempCredentials;
  /** The `AssumedRoleUser.Arn` of their answers, as STS names it (left out when absent). */
  assumedRoleArn?: string;
  /** GetCallerIdentity: the ARN of each access key ID it knows. */
  identities?: Record<string, string>;
  /** AssumeRole: the access key ID the request must be signed with. */
  signedBy?: string;
  /** AssumeRoleWithWebIdentity: the token it accepts. */
  webIdentityToken?: string;
}

/**
 * A fake STS query API: POST / with a form body, XML answers, AWS error codes on refusal.
 * @param options what it accepts and returns
 * @returns the running fake
 */
export function startFakeSts(options: FakeStsOptions): Promise<Fake> {
  return startFake((req) => {
    if (req.method !== "POST" || req.path !== "/") return stsError(404, "UnknownOperation");
    const form = new URLSearchParams(req.body);
    const action = form.get("Action");
    if (action === "GetCallerIdentity" && form.get("Version") === "2011-06-15") {
      const id = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
      const arn = id && options.identities?.[id];
      if (!req.headers["x-amz-date"] || !id) return stsError(403, "MissingAuthenticationToken");
      if (!arn) return stsError(403, "InvalidClientTokenId");
      return {
        contentType: "text/xml",
        body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AROAEXAMPLE:session</UserId><Account>123456789012</Account></GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`,
      };
    }
    if (form.get("Version") !== "2011-06-15" || !form.get("RoleArn") || !form.get("RoleSessionName")) {
      return stsError(400, "MissingParameter");
    }
    if (!options.credentials) return stsError(400, "InvalidAction");
    const assumedRole = options.assumedRoleArn
      ? `<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:${form.get("RoleSessionName")}</AssumedRoleId>` +
        `<Arn>${options.assumedRoleArn}</Arn></AssumedRoleUser>`
      : "";
    if (action === "AssumeRole") {
      const auth = req.headers.authorization ?? "";
      const id = /Credential=([^/]+)\//.exec(auth)?.[1];
      if (!req.headers["x-amz-date"] || !id) return stsError(403, "MissingAuthenticationToken");
      if (options.signedBy && id !== options.signedBy) return stsError(403, "InvalidClientTokenId");
      return { contentType: "text/xml", body: stsXml("AssumeRole", options.credentials, assumedRole) };
    }
    if (action === "AssumeRoleWithWebIdentity") {
      if (req.headers.authorization) return stsError(400, "InvalidAction");
      if (form.get("WebIdentityToken") !== options.webIdentityToken) {
        return stsError(400, "InvalidIdentityToken");
      }
      return {
        contentType: "text/xml",
        body: stsXml(
          "AssumeRoleWithWebIdentity",
          options.credentials,
          "<SubjectFromWebIdentityToken>sub</SubjectFromWebIdentityToken>" + assumedRole,
        ),
      };
    }
    return stsError(400, "InvalidAction");
  });
}

/**
 * A fake ECS / EKS Pod Identity container endpoint.
 * @param options the path it serves, the Authorization value it wants (if any), the credentials
 * @returns the running fake
 */
export function startFakeEcs(
  options: { path: string; authorization?: string; credentials: FakeTempCredentials },
): Promise<Fake> {
  return startFake((req) => {
    if (req.method !== "GET" || req.path !== options.path) return { status: 404, body: "not found" };
    if (options.authorization !== undefined && req.headers.authorization !== options.authorization) {
      return {
        status: 403,
        contentType: "application/json",
        body: '{"code":"AccessDenied","message":"bad token"}',
      };
    }
    return {
      contentType: "application/json",
      body: JSON.stringify({ ...options.credentials, RoleArn: "arn:aws:iam::123456789012:role/task" }),
    };
  });
}

/**
 * A fake EC2 instance metadata service, IMDSv2 only.
 * @param options the role name and its credentials
 * @returns the running fake
 */
export function startFakeImds(
  options: { roleName: string; credentials: FakeTempCredentials },
): Promise<Fake> {
  const token = "imds-session-token";
  const prefix = "/latest/meta-data/iam/security-credentials/";
  return startFake((req) => {
    if (req.path === "/latest/api/token") {
      if (req.method !== "PUT") return { status: 405 };
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) {
        return { status: 400, body: "missing or bad TTL" };
      }
      return { body: token };
    }
    if (req.method !== "GET") return { status: 405 };
    if (req.headers["x-aws-ec2-metadata-token"] !== token) return { status: 401, body: "" };
    if (req.path === prefix) return { body: options.roleName };
    if (req.path === prefix + options.roleName) {
      return {
        contentType: "text/plain",
        body: JSON.stringify({
          Code: "Success",
          LastUpdated: "2024-01-01T00:00:00Z",
          Type: "AWS-HMAC",
          ...options.credentials,
        }),
      };
    }
    return { status: 404 };
  });
}

/**
 * A fake IAM Identity Center portal: GetRoleCredentials (`GET /federation/credentials?account_id&role_name`
 * with the access token in `x-amz-sso_bearer_token`), JSON answers, 401 for a token it does not know and 403
 * for a role that is not assigned.
 * @param options the token it accepts, the account and role assigned, the credentials (expiration in ms)
 * @returns the running fake
 */
export function startFakeSsoPortal(
  options: { token: string; accountId: string; roleName: string; credentials: FakeTempCredentials },
): Promise<Fake> {
  return startFake((req) => {
    const url = new URL(req.path, "http://portal");
    if (req.method !== "GET" || url.pathname !== "/federation/credentials") return { status: 404 };
    const json = (status: number, body: unknown) => ({
      status,
      contentType: "application/json",
      body: JSON.stringify(body),
    });
    if (req.headers["x-amz-sso_bearer_token"] !== options.token) {
      return json(401, { message: "Session token not found or invalid" });
    }
    if (
      url.searchParams.get("account_id") !== options.accountId ||
      url.searchParams.get("role_name") !== options.roleName
    ) {
      return json(403, { message: "No access" });
    }
    const c = options.credentials;
    return json(200, {
      roleCredentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.Token,
        expiration: Date.parse(c.Expiration),
      },
    });
  });
}

/**
 * Where `aws sso login` caches the token of a session (or, legacy, of a start URL), relative to the home:
 * the SHA-1 of the name in hex, computed here with node:crypto as the CLI does with Python's hashlib.
 * @param key the sso_session name, or the sso_start_url of a legacy profile
 * @returns `.aws/sso/cache/<sha1>.json`
 */
export function ssoCacheFile(key: string): string {
  return `.aws/sso/cache/${createHash("sha1").update(key).digest("hex")}.json`;
}

/** An IAM Identity Center set-up after `aws sso login`: the portal, a home with the profile and its token. */
export interface SsoStage {
  /** `AWS_PROFILE` and `AWS_ENDPOINT_URL_SSO` for a {@link testEnv}. */
  readonly vars: Record<string, string>;
  /** The home directory holding `.aws/config` and the token cache, for a {@link testEnv}'s `home`. */
  readonly home: string;
  /** The portal, which records its requests. */
  readonly portal: Fake;
  close(): Promise<void>;
}

/**
 * Profile "dev" of session "corp" for `roleName` in account 123456789012, its token cached, and a portal
 * that trades the token for `credentials` (valid for an hour).
 * @param roleName the role the profile names
 * @param credentials what the portal hands out
 * @returns the stage; `close()` stops the portal and removes the home
 */
export async function startSsoStage(
  roleName: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
): Promise<SsoStage> {
  const expiration = new Date(Date.now() + 60 * 60 * 1000).toISOString();
  const portal = await startFakeSsoPortal({
    token: "sso-token",
    accountId: "123456789012",
    roleName,
    credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: expiration,
    },
  });
  const home = tempHome({
    ".aws/config":
      `[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ${roleName}\n` +
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    [ssoCacheFile("corp")]: JSON.stringify({ accessToken: "sso-token", expiresAt: expiration }),
  });
  return {
    vars: { AWS_PROFILE: "dev", AWS_ENDPOINT_URL_SSO: portal.url },
    home: home.home,
    portal,
    async close() {
      home.cleanup();
      await portal.close();
    },
  };
}

/** A fetch that refuses every URL but 127.0.0.1: no test may reach a real AWS address. */
export const loopbackOnlyFetch: FetchLike = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1") {
    return Promise.reject(new TypeError(`test fetch refused non-loopback URL ${url.origin}`));
  }
  return fetch(input, init);
};

/**
 * A RuntimeEnv for tests: only `vars` (IMDS off unless overridden), loopback fetch, files under `home`, and
 * commands only when a test hands in `runCommand`.
 */
export function testEnv(
  vars: Record<string, string | undefined> = {},
  options: {
    home?: string;
    now?: () => number;
    files?: boolean;
    fetch?: FetchLike;
    runCommand?: RuntimeEnv["runCommand"];
  } = {},
): RuntimeEnv {
  return runtimeEnv({
    env: { AWS_EC2_METADATA_DISABLED: "true", ...vars },
    homeDir: options.home ?? "/nonexistent-home",
    readTextFile: options.files === false ? undefined : (path) => readFile(path, "utf8"),
    fetch: options.fetch ?? loopbackOnlyFetch,
    now: options.now,
    runCommand: options.runCommand,
  });
}

/** A temporary home directory with files written into it; `cleanup()` removes it. */
export function tempHome(
  files: Record<string, string> = {},
): { home: string; path(rel: string): string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), "mongo-auth-aws-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), text);
  }
  return {
    home,
    path: (rel) => join(home, rel),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}
