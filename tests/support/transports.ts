// The transports this runtime can use: Deno runs both its own and the node: one (Deno's Node
// compatibility is what npm users on Deno get); Node and Bun run the node: one.
import type { Transport } from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";

export const runtime: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

export async function transports(): Promise<{ name: string; transport: Transport }[]> {
  const list = [{ name: "node", transport: nodeTransport }];
  if (runtime === "deno") {
    const { denoTransport } = await import("../../src/transport/deno.ts");
    list.unshift({ name: "deno", transport: denoTransport });
  }
  return list;
}
