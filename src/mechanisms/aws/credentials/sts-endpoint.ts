/**
 * Which STS endpoint the AssumeRole and AssumeRoleWithWebIdentity sources call, and the region to
 * sign for, following the AWS SDKs (the override variables, the China domain and the region check serve
 * the SSO portal too):
 *
 * - `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, replaces the endpoint outright (how tests and
 *   VPC endpoints point STS elsewhere);
 * - with a region (the profile's `region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`) the regional
 *   endpoint `https://sts.<region>.amazonaws.com` (`.com.cn` in China), unless
 *   `AWS_STS_REGIONAL_ENDPOINTS=legacy` and the region is one that used the global endpoint;
 * - without a region, the global `https://sts.amazonaws.com` signed for `us-east-1`.
 *
 * @module
 */
import type { RuntimeEnv } from "../../../core/runtime-env.ts";
import { MongoAuthError } from "../../../core/errors.ts";

/** Regions that `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends to the global endpoint. */
const LEGACY_GLOBAL_REGIONS = new Set([
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "aws-global",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

/** Where to send an STS request and how to sign it. */
export interface StsEndpoint {
  /** The endpoint URL, ending in `/`. */
  readonly url: string;
  /** The SigV4 region. */
  readonly region: string;
}

/**
 * Resolves the STS endpoint.
 *
 * @param env environment variables
 * @param profileRegion the `region` of the profile in use, if any
 * @returns URL and signing region
 */
export function stsEndpoint(env: RuntimeEnv, profileRegion?: string): StsEndpoint {
  const [given, from] = ([
    [profileRegion, "the profile's region"],
    [env.getEnv("AWS_REGION"), "AWS_REGION"],
    [env.getEnv("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"],
  ] as const).find(([value]) => value) ?? [];
  const region = given && requireRegionName(given, from!);
  const override = endpointOverride(env, "STS");
  if (override) return { url: withSlash(override), region: region ?? "us-east-1" };
  const mode = (env.getEnv("AWS_STS_REGIONAL_ENDPOINTS") ?? "regional").toLowerCase();
  if (!region || region === "aws-global" || (mode === "legacy" && LEGACY_GLOBAL_REGIONS.has(region))) {
    return { url: "https://sts.amazonaws.com/", region: "us-east-1" };
  }
  return { url: `https://sts.${region}.${awsDomain(region)}/`, region };
}

/**
 * The SDKs' override of a service's endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL` (how
 * tests, VPC endpoints and local emulators point a service elsewhere).
 *
 * @param env environment variables
 * @param service the service's identifier in the variable's name
 * @returns the URL, or `undefined` when neither is set
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "../../../core/runtime-env.ts";
 * import { endpointOverride } from "./sts-endpoint.ts";
 *
 * const env = runtimeEnv({ env: { AWS_ENDPOINT_URL: "http://127.0.0.1:4566" } });
 * assert.equal(endpointOverride(env, "SSO"), "http://127.0.0.1:4566");
 * ```
 */
export function endpointOverride(env: RuntimeEnv, service: "STS" | "SSO"): string | undefined {
  return env.getEnv(`AWS_ENDPOINT_URL_${service}`) || env.getEnv("AWS_ENDPOINT_URL") || undefined;
}

/**
 * The domain of AWS endpoints in a region: `amazonaws.com.cn` in China, `amazonaws.com` elsewhere.
 *
 * @param region the region, e.g. `cn-north-1`
 * @returns the domain
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { awsDomain } from "./sts-endpoint.ts";
 *
 * assert.equal(awsDomain("cn-north-1"), "amazonaws.com.cn");
 * assert.equal(awsDomain("eu-west-1"), "amazonaws.com");
 * ```
 */
export function awsDomain(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/**
 * A region name as it is, or an error: it goes into a host name and into SigV4's `Authorization` header,
 * so a stray character would make an invalid URL or header deep inside a request.
 *
 * @param region the region, e.g. `eu-west-1`
 * @param from where it was set, for the message (`AWS_REGION`, `the profile's region`, …)
 * @returns the region
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` unless it is letters, digits and dashes
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireRegionName } from "./sts-endpoint.ts";
 *
 * assert.equal(requireRegionName("us-gov-west-1", "AWS_REGION"), "us-gov-west-1");
 * assert.throws(() => requireRegionName("eu west", "AWS_REGION"), { code: "CREDENTIAL_PROVIDER_ERROR" });
 * ```
 */
export function requireRegionName(region: string, from: string): string {
  if (/^[A-Za-z0-9-]{1,64}$/.test(region)) return region;
  throw new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    `MONGODB-AWS: ${from} is not an AWS region name (letters, digits and dashes, like eu-west-1)`,
  );
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : url + "/";
}
