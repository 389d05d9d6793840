// The transport of the fuzz targets that run connect(): no socket opens (each is refused with a coded error),
// DNS answers from a table, and every fetch is refused unless it goes to 127.0.0.1.
import { MongoAuthError, runtimeEnv, type Transport } from "@mongo-auth/core";
import { FULL_CAPABILITIES } from "../../src/client/transport.ts";
import { loopbackOnlyFetch } from "../support/aws-fakes.ts";

/** No variables, and a fetch that reaches 127.0.0.1 only. */
export const noNetworkEnv: ReturnType<typeof runtimeEnv> = runtimeEnv({ env: {}, fetch: loopbackOnlyFetch });

/** A transport that opens nothing: connect() gets as far as its first socket. */
export const noNetworkTransport: Transport = {
  platform: "Fuzz 1.0",
  osType: "Linux",
  capabilities: { runtime: "Fuzz", ...FULL_CAPABILITIES },
  openSocket: () => Promise.reject(new MongoAuthError("CONNECTION_FAILED", "the fuzz opens no socket")),
  defaultEnv: () => noNetworkEnv,
  resolveSrv: (name) => Promise.resolve([{ name: `a.${name.split(".").slice(1).join(".")}`, port: 27017 }]),
  resolveTxt: () => Promise.resolve([["authSource=admin&replicaSet=rs"]]),
};
