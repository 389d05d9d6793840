// What the connection-string, uri-options and auth legacy spec runners compare, as plain data that can
// cross a Worker's HTTP answer: what parseConnectionString and the credential rules make of a URI. Made
// on Deno, Node and Bun by tests/spec/*.test.ts and inside workerd by tests/e2e/workerd/worker.ts; checked by
// tests/support/uri-spec.ts. No node: imports here (it is bundled into a Worker).
import { credentialFromConnectionString } from "../../src/credential/credential.ts";
import type { UriOptions } from "../../src/credential/uri-options.ts";
import { parseConnectionString } from "../../src/credential/connection-string.ts";

/** A MongoAuthError as data. */
export interface ErrorView {
  name?: string;
  code?: string;
  message?: string;
}

/** What a URI parses to, or the error. */
export interface UriSpecView {
  /** parseConnectionString threw. */
  error?: ErrorView;
  hosts?: { host: string; port: number }[];
  username?: string;
  password?: string;
  database?: string;
  options?: UriOptions;
  warnings?: readonly string[];
  /** The credential (`null`: none asked for), or `credentialError` when the credential rules refused. */
  credential?: {
    username?: string;
    password?: string;
    source: string;
    mechanism?: string;
    mechanismProperties: Record<string, unknown>;
  } | null;
  credentialError?: ErrorView;
}

function errorView(err: unknown): ErrorView {
  const { name, code, message } = err as ErrorView;
  return { name, code, message };
}

/**
 * Parses `uri` and builds its credential, catching what either throws.
 * @param uri the case's connection string
 * @returns the view
 */
export function uriSpecView(uri: string): UriSpecView {
  let cs;
  try {
    cs = parseConnectionString(uri);
  } catch (err) {
    return { error: errorView(err) };
  }
  const view: UriSpecView = {
    hosts: cs.hosts.map(({ host, port }) => ({ host, port })),
    username: cs.username,
    password: cs.password,
    database: cs.database,
    options: cs.parsedOptions,
    warnings: cs.warnings,
  };
  try {
    const credential = credentialFromConnectionString(cs);
    view.credential = credential === undefined ? null : {
      username: credential.username,
      password: credential.password,
      source: credential.source,
      mechanism: credential.mechanism,
      mechanismProperties: { ...credential.mechanismProperties },
    };
  } catch (err) {
    view.credentialError = errorView(err);
  }
  return view;
}
