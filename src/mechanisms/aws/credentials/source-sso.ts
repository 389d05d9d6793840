/**
 * Source 4, for a profile of IAM Identity Center (AWS SSO): the credentials of `sso_role_name` in
 * `sso_account_id`, bought with the access token that `aws sso login` left in `~/.aws/sso/cache`, as the
 * AWS SDKs do.
 *
 * - The profile names an `[sso-session name]` section of the config file with `sso_session` (where
 *   `sso_start_url` and `sso_region` then live), or carries both itself (the legacy form).
 * - The token is the cache file named by the SHA-1 of the session's name (legacy: of the start URL), in
 *   hex: `accessToken`, `expiresAt`.
 * - GetRoleCredentials is `GET https://portal.sso.<sso_region>.amazonaws.com/federation/credentials`
 *   with the token in `x-amz-sso_bearer_token`; `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL`, replaces
 *   the endpoint.
 *
 * The token is not refreshed: that would mean writing the CLI's cache file, and a refresh token used here
 * and not written back would leave the CLI's copy stale. An expired token asks for `aws sso login`, which
 * the AWS CLI (and any SDK call) also renews.
 *
 * @module
 */
import { type AwsCredentials, headerSafe } from "../../../credential/aws.ts";
import { httpRequest } from "../../../core/http.ts";
import { reasonOf } from "../../../core/errors.ts";
import { toHex } from "../../../crypto/hex.ts";
import { sha1 } from "../../../crypto/sha1.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import { awsRequest, expectOk } from "./http.ts";
import { awsSourceError } from "./provider-error.ts";
import { type AwsProfile, expandHome } from "./shared-files.ts";
import { selectedOwnProfile } from "./source-profile.ts";
import { awsDomain, endpointOverride, requireRegionName } from "./sts-endpoint.ts";
import type { AwsCredentialSource, AwsSourceContext } from "./source.ts";

const SSO_KEYS = ["sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name"];

/** What GetRoleCredentials needs, and where the token is cached. */
interface SsoSettings {
  readonly startUrl: string;
  readonly region: string;
  readonly accountId: string;
  readonly roleName: string;
  /** The `[sso-session]` name, or `undefined` for a legacy profile. */
  readonly session?: string;
}

/**
 * Whether a profile is one of IAM Identity Center: it has any `sso_*` setting (the AWS SDKs' test).
 *
 * @param profile the profile's settings
 * @returns true for an SSO profile
 */
export function isSsoProfile(profile: AwsProfile): boolean {
  return SSO_KEYS.some((key) => profile.has(key));
}

function sourceName(name: string): string {
  return `IAM Identity Center (SSO) for profile "${name}" of the shared AWS files`;
}

function loginHint(name: string): string {
  return `run "aws sso login${name === "default" ? "" : ` --profile ${name}`}"`;
}

async function ssoSettings(
  context: AwsSourceContext,
  name: string,
  profile: AwsProfile,
): Promise<SsoSettings> {
  const source = sourceName(name);
  const session = profile.get("sso_session");
  let startUrl = profile.get("sso_start_url");
  let region = profile.get("sso_region");
  if (session) {
    const section = (await context.profiles()).ssoSession(session);
    if (!section) {
      throw awsSourceError(source, `sso_session "${session}" has no [sso-session ${session}] section`);
    }
    // The profile may repeat the session's settings, but not contradict them (the SDKs refuse that too).
    for (const key of ["sso_start_url", "sso_region"]) {
      const own = profile.get(key);
      if (own && section.get(key) && own !== section.get(key)) {
        throw awsSourceError(source, `its ${key} differs from that of [sso-session ${session}]: keep one`);
      }
    }
    startUrl = section.get("sso_start_url");
    region = section.get("sso_region");
  }
  const accountId = profile.get("sso_account_id");
  const roleName = profile.get("sso_role_name");
  const missing = Object.entries({
    sso_start_url: startUrl,
    sso_region: region,
    sso_account_id: accountId,
    sso_role_name: roleName,
  }).filter(([, value]) => !value).map(([key]) => key);
  if (missing.length > 0) {
    const where = session ? ` (sso_start_url and sso_region in [sso-session ${session}])` : "";
    throw awsSourceError(source, `missing ${missing.join(", ")}${where}`);
  }
  return {
    startUrl: startUrl!,
    region: requireRegionName(
      region!,
      `sso_region of ${session ? `[sso-session ${session}]` : `profile "${name}"`}`,
    ),
    accountId: accountId!,
    roleName: roleName!,
    session,
  };
}

async function cachedAccessToken(
  context: AwsSourceContext,
  name: string,
  settings: SsoSettings,
): Promise<string> {
  const { env } = context;
  const source = sourceName(name);
  const key = settings.session ?? settings.startUrl;
  const path = expandHome(`~/.aws/sso/cache/${toHex(sha1(key))}.json`, env);
  if (path === undefined || !env.readTextFile) {
    throw awsSourceError(source, "the SSO token cache (~/.aws/sso/cache) cannot be read in this runtime env");
  }
  let text: string;
  try {
    text = await env.readTextFile(path);
  } catch (err) {
    throw awsSourceError(source, `no SSO token in ${path} (${reasonOf(err)}): ${loginHint(name)}`, err);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, and the text holds the token.
    throw awsSourceError(source, `${path} is not JSON: ${loginHint(name)}`);
  }
  const { accessToken, expiresAt } = (typeof doc === "object" && doc !== null ? doc : {}) as Record<
    string,
    unknown
  >;
  const expires = typeof expiresAt === "string" ? Date.parse(expiresAt) : NaN;
  if (typeof accessToken !== "string" || accessToken === "" || Number.isNaN(expires)) {
    throw awsSourceError(source, `${path} lacks accessToken or expiresAt: ${loginHint(name)}`);
  }
  if (!headerSafe(accessToken)) {
    throw awsSourceError(
      source,
      `the token in ${path} is garbled (it must go into an HTTP header): ${loginHint(name)}`,
    );
  }
  if (expires <= env.now()) {
    throw awsSourceError(
      source,
      `the SSO token expired at ${new Date(expires).toISOString()}: ${loginHint(name)}`,
    );
  }
  return accessToken;
}

function portalUrl(context: AwsSourceContext, { region, accountId, roleName }: SsoSettings): string {
  const base = endpointOverride(context.env, "SSO") ?? `https://portal.sso.${region}.${awsDomain(region)}`;
  const query = new URLSearchParams({ account_id: accountId, role_name: roleName });
  return `${base.replace(/\/+$/, "")}/federation/credentials?${query}`;
}

/**
 * The role credentials of an SSO profile.
 *
 * @param context the source context
 * @param name the profile's name, for messages
 * @param profile its settings (an {@link isSsoProfile})
 * @returns temporary credentials with their expiration
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` naming the profile: settings missing or
 *   contradictory, no cached token or an expired one (saying to run `aws sso login`), the portal's refusal
 */
export async function ssoCredentials(
  context: AwsSourceContext,
  name: string,
  profile: AwsProfile,
): Promise<AwsCredentials> {
  const source = sourceName(name);
  const settings = await ssoSettings(context, name, profile);
  const token = await cachedAccessToken(context, name, settings);
  const headers = { Accept: "application/json", "x-amz-sso_bearer_token": token };
  const request = awsRequest(context.env, portalUrl(context, settings), { method: "GET", headers }, {
    ...context,
    source,
    secrets: [token],
  });
  const response = await httpRequest(request);
  if (response.status === 401 || response.status === 403) {
    throw awsSourceError(
      source,
      `the SSO portal refused the cached token for role ${settings.roleName} in account ${settings.accountId} ` +
        `(HTTP ${response.status}): ${loginHint(name)}, and check that the role is assigned to you`,
    );
  }
  expectOk(response, request);
  let doc: unknown;
  try {
    doc = JSON.parse(response.text);
  } catch {
    throw awsSourceError(source, "the GetRoleCredentials answer is not JSON");
  }
  const role = (doc as { roleCredentials?: unknown } | null)?.roleCredentials;
  const credentials = checkAwsCredentials(role, source);
  if (!credentials.sessionToken || !credentials.expiration) {
    throw awsSourceError(source, "the GetRoleCredentials answer lacks sessionToken or expiration");
  }
  return credentials;
}

/** Temporary credentials for a profile of IAM Identity Center (without `role_arn`: that is AssumeRole's). */
export const fromSsoProfile: AwsCredentialSource = async (context) => {
  const selected = await selectedOwnProfile(context);
  if ("skipped" in selected) return selected;
  const { name, profile } = selected;
  if (!isSsoProfile(profile)) return { skipped: `profile "${name}": no sso_session or sso_start_url` };
  return {
    credentials: await ssoCredentials(context, name, profile),
    source: sourceName(name),
    temporary: true,
  };
};
