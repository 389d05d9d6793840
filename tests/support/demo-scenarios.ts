// What the demo logs in with: one scenario per mechanism, with the reference server's config for it.
// Kept in tests/support so the demo's own test runs the same scenarios on every runtime.
import type { ConnectOptions } from "@mongo-auth/core";
import type { ServerConfig } from "../server/config.ts";

export interface DemoScenario {
  label: string;
  uri(address: string): string;
  options?: ConnectOptions;
}

export interface DemoSetup {
  serverConfig: ServerConfig;
  scenarios: DemoScenario[];
  cleanup(): Promise<void>;
}

export function demoScenarios(): Promise<DemoSetup> {
  const serverConfig: ServerConfig = {
    users: [
      { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
      { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
    ],
  };
  const scenarios: DemoScenario[] = [
    { label: "SCRAM-SHA-256", uri: (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-256` },
    { label: "SCRAM-SHA-1", uri: (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-1` },
    { label: "negotiated", uri: (a) => `mongodb://alice:alice-pw@${a}/` },
    { label: "negotiated (SHA-1 user)", uri: (a) => `mongodb://legacy:legacy-pw@${a}/` },
  ];
  return Promise.resolve({ serverConfig, scenarios, cleanup: () => Promise.resolve() });
}
