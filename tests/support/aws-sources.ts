// What the tests of the AWS credential sources share: a fixed clock, resolving through the chain with an
// injected env, the error check (a CREDENTIAL_PROVIDER_ERROR that leaks no secret), and fakes and
// temporary homes that are closed after the file's tests.
import assert from "node:assert/strict";
import { resolveAwsCredentials } from "../../src/mechanisms/aws/credentials/chain.ts";
import { AwsCredentialCache } from "../../src/mechanisms/aws/credentials/cache.ts";
import { MongoAuthError } from "../../src/core/errors.ts";
import type { RuntimeEnv } from "../../src/core/runtime-env.ts";
import { type Fake, tempHome } from "./aws-fakes.ts";

export const NOW = Date.UTC(2024, 0, 15, 12, 0, 0);
export const HOUR = 60 * 60 * 1000;

/** The chain over `env`, with a cache of its own unless given. */
export function resolve(env: RuntimeEnv, cache = new AwsCredentialCache()) {
  return resolveAwsCredentials({ env, cache });
}

/** Asserts a CREDENTIAL_PROVIDER_ERROR whose message matches and which names none of `secrets`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  message: RegExp,
  secrets: string[] = [],
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(err.message, message);
    const printed = `${err.message} ${String(err.cause ?? "")} ${JSON.stringify(err)}`;
    for (const secret of secrets) assert.ok(!printed.includes(secret), `error leaks ${secret}`);
    return true;
  });
}

/** Fakes and temporary homes to close after a file's tests: `after(close)`. */
export function cleanups() {
  const fakes: Fake[] = [];
  const homes: { cleanup(): void }[] = [];
  return {
    async track<T extends Fake>(fake: Promise<T>): Promise<T> {
      const f = await fake;
      fakes.push(f);
      return f;
    },
    home(files: Record<string, string>) {
      const h = tempHome(files);
      homes.push(h);
      return h;
    },
    async close(): Promise<void> {
      await Promise.all(fakes.map((f) => f.close()));
      homes.forEach((h) => h.cleanup());
    },
  };
}
