// The human sign-in of each runtime entry point this runtime can use, with the transport of the same
// runtime: Deno runs its own (Deno.serve) and the node: one (node:http through Deno's Node
// compatibility); Node and Bun run the node: one.
import type { OidcCallback, Transport } from "@mongo-auth/core";
import type { HumanCallbackOptions } from "../../src/mechanisms/oidc/human/human-callback.ts";
import { createHumanCallback as createNodeHumanCallback, nodeTransport } from "../../src/transport/node.ts";
import { runtime } from "./transports.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import {
  type RunningIdentityProvider,
  startIdentityProvider,
} from "../../testing/oidc-provider/oidc-provider.ts";
import { after, before } from "node:test";

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

/** An identity provider and a reference server configured with it, running while a suite's tests run. */
export interface SignInDeployment {
  readonly idp: RunningIdentityProvider;
  readonly server: RunningServer;
  /** `mongodb://<server>/?authMechanism=MONGODB-OIDC` */
  readonly uri: string;
}

/**
 * Starts oidc-provider and {@link referenceServerFor} it before the suite's tests and stops both after them:
 * call it in `describe()`, and read the fields in the tests.
 * @param users the users that sign in there
 */
export function signInDeployment(users?: readonly string[]): SignInDeployment {
  let idp: RunningIdentityProvider | undefined;
  let server: RunningServer | undefined;
  before(async () => {
    idp = await startIdentityProvider();
    server = await referenceServerFor(idp, users);
  });
  after(async () => {
    await server?.close();
    await idp?.close();
  });
  return {
    get idp() {
      return idp!;
    },
    get server() {
      return server!;
    },
    get uri() {
      return `mongodb://${server!.address}/?authMechanism=MONGODB-OIDC`;
    },
  };
}
