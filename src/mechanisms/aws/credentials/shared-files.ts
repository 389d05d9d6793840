/**
 * Reads the AWS shared files (`~/.aws/credentials`, `~/.aws/config`) into profiles, the way the AWS
 * CLI and SDKs name and merge them.
 *
 * - `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`): sections `[name]`.
 * - `AWS_CONFIG_FILE` (else `~/.aws/config`): sections `[profile name]`, and `[default]`; and
 *   `[sso-session name]`, the IAM Identity Center sessions that profiles name in `sso_session`.
 * - A setting in the credentials file wins over the same setting in the config file.
 * - `AWS_SHARED_CREDENTIALS_FILE=""` turns shared-file credentials off (the MongoDB auth spec's advice
 *   to users who want the driver to ignore their CLI setup); `AWS_CONFIG_FILE=""` skips the config file.
 * - A file that cannot be read counts as absent, as with the AWS CLI.
 *
 * @module
 */
import type { RuntimeEnv } from "../../../core/runtime-env.ts";
import { parseIni } from "./ini.ts";

/** One profile's settings, keys lower-cased (`aws_access_key_id`, `role_arn`, …). */
export type AwsProfile = ReadonlyMap<string, string>;

/** What the shared files hold. */
export interface SharedProfiles {
  /** The merged settings of profile `name`, or `undefined` when neither file has it. */
  get(name: string): AwsProfile | undefined;
  /** The `[sso-session name]` section of the config file, or `undefined` when there is none. */
  ssoSession(name: string): AwsProfile | undefined;
  /** Whether any file was read at all. */
  readonly anyFileRead: boolean;
}

/** The profile to use: `AWS_PROFILE`, else `default`. */
export function selectedProfileName(env: RuntimeEnv): string {
  return env.getEnv("AWS_PROFILE") || "default";
}

/** Whether `AWS_SHARED_CREDENTIALS_FILE=""` switched shared-file credentials off. */
export function sharedFilesDisabled(env: RuntimeEnv): boolean {
  return env.getEnv("AWS_SHARED_CREDENTIALS_FILE") === "";
}

/**
 * A path with a leading `~` replaced by the home directory, as the AWS CLI reads its paths.
 *
 * @param path the path, e.g. `~/.aws/config`
 * @param env where the home directory comes from
 * @returns the path, or `undefined` when it starts with `~` and the env has no home directory
 */
export function expandHome(path: string, env: RuntimeEnv): string | undefined {
  if (path === "~" || path.startsWith("~/")) {
    return env.homeDir === undefined ? undefined : env.homeDir.replace(/[\\/]+$/, "") + path.slice(1);
  }
  return path;
}

function filePath(env: RuntimeEnv, variable: string, defaultName: string): string | undefined {
  const set = env.getEnv(variable);
  if (set === "") return undefined;
  return expandHome(set ?? `~/.aws/${defaultName}`, env);
}

async function readIfPresent(env: RuntimeEnv, path: string | undefined): Promise<string | undefined> {
  if (path === undefined || !env.readTextFile) return undefined;
  try {
    return await env.readTextFile(path);
  } catch {
    return undefined;
  }
}

/**
 * Reads both shared files through `env.readTextFile`.
 *
 * @param env where variables and files come from
 * @returns the profiles; empty when the runtime has no `readTextFile` or the files are absent
 */
export async function loadSharedProfiles(env: RuntimeEnv): Promise<SharedProfiles> {
  if (sharedFilesDisabled(env)) {
    return {
      get: () => undefined,
      ssoSession: () => undefined,
      anyFileRead: false,
    };
  }
  const [credentialsText, configText] = await Promise.all([
    readIfPresent(env, filePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")),
    readIfPresent(env, filePath(env, "AWS_CONFIG_FILE", "config")),
  ]);
  const credentials = parseIni(credentialsText ?? "");
  const config = parseIni(configText ?? "");
  return {
    anyFileRead: credentialsText !== undefined || configText !== undefined,
    get(name) {
      const fromConfig = config.get(`profile ${name}`) ??
        (name === "default" ? config.get("default") : undefined);
      const fromCredentials = credentials.get(name);
      if (!fromConfig && !fromCredentials) return undefined;
      return new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]);
    },
    ssoSession: (name) => config.get(`sso-session ${name}`),
  };
}
