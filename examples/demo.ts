/**
 * The demo: starts the reference server (TLS, with demo users for every mechanism) and logs in with
 * each mechanism, printing one row each; a person (scripted) signs in through oidc-provider, a real
 * OpenID Connect identity provider, with `createHumanCallback`. `npm run demo` (Node), `deno task demo`,
 * `bun examples/demo.ts`.
 *
 * @module
 */
import { connectWith, type Transport } from "../mod.ts";
import { startServer } from "../testing/reference-server/server.ts";
import { demoScenarios } from "./demo-scenarios.ts";

const transport: Transport = "Deno" in globalThis
  ? (await import("../src/transport/deno.ts")).denoTransport
  : (await import("../src/transport/node.ts")).nodeTransport;

const setup = await demoScenarios();
const server = await startServer(setup.serverConfig);
const personServer = await startServer(setup.personServerConfig);
let failures = 0;
try {
  console.log(`reference server on ${server.address} (TLS) — client on ${transport.platform}\n`);
  const header = ["mechanism", "logged in as", "round trips", "speculative", "ms", "result"];
  const rows: string[][] = [];
  for (const scenario of setup.scenarios()) {
    try {
      const target = scenario.server === "person" ? personServer : server;
      const conn = await connectWith(transport, scenario.uri(target.address), scenario.options);
      const status = await conn.command("admin", { connectionStatus: 1 });
      const user =
        (status.authInfo as { authenticatedUsers: { user: string; db: string }[] }).authenticatedUsers[0];
      const { mechanism, roundTrips, speculative, durationMs } = conn.handshake;
      rows.push([
        mechanism ?? "-",
        `${user.user} (${user.db})`,
        String(roundTrips),
        speculative ? "yes" : "no",
        durationMs.toFixed(1),
        "ok",
      ]);
      await conn.close();
    } catch (err) {
      failures++;
      rows.push([scenario.label, "-", "-", "-", "-", `FAILED: ${(err as { code?: string }).code ?? err}`]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
} finally {
  await server.close();
  await personServer.close();
  await setup.close();
}
if (failures > 0) throw new Error(`${failures} demo login(s) failed`);
