// The context a mechanism's create() gets from connect(), for a credential written as a connection
// string: no environment variables, and caches of its own (a fresh SCRAM key cache too), so that no test
// sees another's keys or tokens.
import { AuthCacheStore, parseCredential, runtimeEnv, ScramKeyCache } from "@mongo-auth/core";
import type { AuthContext } from "../../src/auth/mechanism.ts";

export function authContext(uri: string, host: string): AuthContext {
  const credential = parseCredential(uri)!;
  const store = new AuthCacheStore({ scramKeyCache: new ScramKeyCache() });
  return { credential, host, env: runtimeEnv(), cache: store.scopeFor(credential) };
}
