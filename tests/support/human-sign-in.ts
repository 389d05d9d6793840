// The human sign-in of each runtime entry point this runtime can use, with the transport of the same
// runtime: Deno runs its own (Deno.serve) and the node: one (node:http through Deno's Node
// compatibility); Node and Bun run the node: one.
import type { OidcCallback, Transport } from "@mongo-auth/core";
import type { HumanCallbackOptions } from "../../src/mechanisms/oidc/human/human-callback.ts";
import { createHumanCallback as createNodeHumanCallback, nodeTransport } from "../../src/transport/node.ts";
import { runtime } from "./transports.ts";

/** One runtime's sign-in. */
export interface HumanSignIn {
  readonly name: string;
  readonly transport: Transport;
  readonly createHumanCallback: (options?: HumanCallbackOptions) => OidcCallback;
}

/** The sign-ins of this runtime. */
export async function humanSignIns(): Promise<HumanSignIn[]> {
  const list: HumanSignIn[] = [{
    name: "node",
    transport: nodeTransport,
    createHumanCallback: createNodeHumanCallback,
  }];
  if (runtime === "deno") {
    const deno = await import("../../src/transport/deno.ts");
    list.unshift({
      name: "deno",
      transport: deno.denoTransport,
      createHumanCallback: deno.createHumanCallback,
    });
  }
  return list;
}

/** The redirect URI the tests use: the registered one's host and path, on a free port. */
export const TEST_REDIRECT_URI = "http://127.0.0.1:0/redirect";

/**
 * Whether something still listens at `url`'s host and port.
 * @param url a URL on loopback
 */
export async function stillListening(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
