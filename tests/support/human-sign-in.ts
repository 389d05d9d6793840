// The human sign-in of each runtime entry point this runtime can use, with the transport of the same
// runtime: Deno runs its own (Deno.serve) and the node: one (node:http through Deno's Node
// compatibility); Node and Bun run the node: one.
import type { OidcCallback, Transport } from "@mongo-auth/core";
import type { HumanCallbackOptions } from "../../src/mechanisms/oidc/human/human-callback.ts";
import { createHumanCallback as createNodeHumanCallback, nodeTransport } from "../../src/transport/node.ts";
import { runtime } from "./transports.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import type { RunningIdentityProvider } from "../../testing/oidc-provider/oidc-provider.ts";

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

/**
 * The reference server configured with the identity provider's issuer, its users in `$external`. No jwks:
 * the server finds the keys through the issuer's discovery document, as mongod does.
 * @param idp the running identity provider
 * @param users the users that sign in there
 */
export function referenceServerFor(
  idp: RunningIdentityProvider,
  users: readonly string[] = ["alice", "bob"],
): Promise<RunningServer> {
  return startServer({
    oidc: { issuer: idp.issuer, audience: idp.audience, clientId: idp.clientId, requestScopes: ["mongodb"] },
    users: users.map((user) => ({ db: "$external", user, mechanisms: ["MONGODB-OIDC"] })),
  });
}
