// What the Initial DNS Seedlist Discovery runner compares, as plain data that can cross a Worker's HTTP
// answer: the seedlist and options connect() settled on before its first socket, or the error. Made by
// tests/spec/seedlist.test.ts (Deno, Node, Bun) and, inside workerd, by tests/e2e/workerd/worker.ts; checked
// by checkSeedlistCase in tests/support/seedlist.ts. No node: imports here (it is bundled into a Worker).
import type { ConnectionPlan } from "../../src/client/connect-plan.ts";
import { parseConnectionString } from "../../src/credential/connection-string.ts";

/** One case of initial-dns-seedlist-discovery/{replica-set,load-balanced,sharded}/*.json. */
export interface SeedlistCase {
  uri: string;
  seeds?: string[];
  numSeeds?: number;
  hosts?: string[];
  numHosts?: number;
  options?: Record<string, unknown>;
  parsed_options?: Record<string, string>;
  error?: boolean;
  comment?: string;
  ping?: boolean;
}

/** The outcome of planning a connection, as plain data. */
export interface SeedlistView {
  hosts?: string[];
  options?: Record<string, unknown>;
  user?: string;
  password?: string;
  database?: string;
  warnings?: readonly string[];
  error?: { name?: string; code?: string; message?: string };
}

/**
 * Runs `plan` and describes what it gave.
 * @param uri the case's connection string (parsed again for its userinfo and database)
 * @param plan planConnection with the resolver under test
 * @returns the view, with `error` when planning threw
 */
export async function seedlistView(uri: string, plan: () => Promise<ConnectionPlan>): Promise<SeedlistView> {
  try {
    const { hosts, options, warnings } = await plan();
    const cs = parseConnectionString(uri);
    return {
      hosts: hosts.map((h) => `${h.host}:${h.port}`),
      options: { ...options },
      user: cs.username,
      password: cs.password,
      database: cs.database,
      warnings,
    };
  } catch (err) {
    const { name, code, message } = err as { name?: string; code?: string; message?: string };
    return { error: { name, code, message } };
  }
}
