/**
 * mongo-auth: MongoDB authentication for every JavaScript runtime with TCP.
 *
 * What this entry point offers, by who needs it:
 *
 * - everyone: {@link parseCredential} and the credential's types, {@link MongoAuthError} and its codes,
 *   the trace of a login ({@link TraceEvent}) and {@link hintsFor} a failed one;
 * - users of the official `mongodb` driver: the OIDC callbacks of the built-in environments
 *   ({@link createAzureCallback}, {@link createGcpCallback}, {@link createK8sCallback}); the AWS
 *   provider comes from `@mongo-auth/core/node` or `/deno`, which read the process's environment;
 * - people signing in with MONGODB-OIDC (Workforce Identity Federation): `createHumanCallback` from
 *   `@mongo-auth/core/node`, `/deno` or `/workers`, with its options ({@link HumanCallbackOptions}), a
 *   {@link TokenStore} of your own, and the {@link DEFAULT_REDIRECT_URI} to register;
 * - driver authors who own their sockets: {@link authenticate} and {@link beginAuthentication} over
 *   their own {@link CommandRunner}, the caches ({@link AuthCacheStore}, {@link ScramKeyCache}), the
 *   SCRAM client, {@link WireConnection}, and {@link handshakeStepsFor} to spread a pool's handshakes;
 * - authors of a transport for another runtime: {@link connectWith} and the {@link Transport} contract.
 *
 * `connect()` itself comes from the entry point of your runtime: `@mongo-auth/core/node` (Node.js, Bun),
 * `/deno` or `/workers`.
 *
 * @example Parse a credential
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential("mongodb://alice:s3cret@localhost/app");
 * assert.equal(credential?.username, "alice");
 * assert.equal(credential?.source, "app");
 * ```
 *
 * @module
 */

// Errors.
export { MongoAuthError, type MongoAuthErrorCode, MongoServerError } from "./src/core/errors.ts";

// The trace of a login, and hints on a failed one.
export type {
  TlsFailureReason,
  TraceAttributeValue,
  TraceEmitter,
  TraceEvent,
  TraceEventAttributes,
  TraceEventType,
  TraceListener,
} from "./src/core/trace.ts";
export { type Hint, type HintEvidence, hintsFor } from "./src/client/hints.ts";

// Connection strings and credentials.
export {
  type ConnectionString,
  type HostAddress,
  parseConnectionString,
} from "./src/credential/connection-string.ts";
export type { UriOptions } from "./src/credential/uri-options.ts";
export {
  type AuthMechanismProperties,
  type AuthOptions,
  credentialFromConnectionString,
  parseCredential,
} from "./src/credential/credential.ts";
export type { AuthMechanism, MongoCredential } from "./src/credential/mongo-credential.ts";
export type { AwsCredentialProvider, AwsCredentials } from "./src/credential/aws.ts";
export { DEFAULT_ALLOWED_HOSTS, type OidcEnvironment } from "./src/credential/oidc.ts";
export type {
  IdpInfo,
  OidcCallback,
  OidcCallbackParams,
  OidcCallbackResult,
} from "./src/credential/oidc-callback.ts";

// Signing a person in (createHumanCallback comes from the entry point of your runtime).
export type { HumanCallbackOptions } from "./src/mechanisms/oidc/human/human-callback.ts";
export type { DeviceCodePrompt } from "./src/mechanisms/oidc/human/device-authorization.ts";
export type { StoredTokens, TokenStore } from "./src/mechanisms/oidc/human/token-store.ts";
export { DEFAULT_REDIRECT_URI } from "./src/mechanisms/oidc/human/redirect-listener.ts";

// The built-in OIDC environments, as callbacks the official driver takes too.
export { type AzureCallbackOptions, createAzureCallback } from "./src/mechanisms/oidc/environments/azure.ts";
export { createGcpCallback, type GcpCallbackOptions } from "./src/mechanisms/oidc/environments/gcp.ts";
export { createK8sCallback, type K8sCallbackOptions } from "./src/mechanisms/oidc/environments/k8s.ts";

// What the host provides: environment variables, files, fetch, the clock, a command runner.
export {
  type CommandResult,
  type FetchLike,
  type RuntimeEnv,
  runtimeEnv,
  type RuntimeEnvOptions,
} from "./src/core/runtime-env.ts";

// The authentication conversation over a driver's own connection.
export type { ApiParameters, CommandRunner, Document } from "./src/wire/command.ts";
export {
  authenticate,
  type AuthenticateOptions,
  type Authentication,
  type AuthResult,
  beginAuthentication,
} from "./src/client/authenticate.ts";
export type { AuthCache } from "./src/auth/mechanism.ts";
export { handshakeStepsFor, type TurnBudget } from "./src/client/turn-budget.ts";
export { AuthCacheStore, type AuthCacheStoreOptions } from "./src/auth/cache-store.ts";
export { HmacState } from "./src/crypto/hmac.ts";
export {
  ScramKeyCache,
  type ScramKeyCacheOptions,
  type ScramKeyParams,
  type ScramKeys,
} from "./src/crypto/scram-key-cache.ts";
export { saslprep } from "./src/crypto/saslprep.ts";
export type { ScramHash } from "./src/crypto/digest.ts";
export { ScramClient, type ScramClientOptions, scramPassword } from "./src/mechanisms/scram/client.ts";
export {
  type CommandOptions,
  type SocketStreams,
  WireConnection,
  type WireConnectionOptions,
} from "./src/wire/wire-connection.ts";
export type { RawSocket, SocketReceiver } from "./src/wire/raw-socket.ts";
export type { Compressor, ZstdCodec } from "./src/wire/compression.ts";

// connect() over any runtime's transport.
export { type ConnectOptions } from "./src/client/options.ts";
export type { DriverInfo, HostDescription } from "./src/client/handshake.ts";
export { type ServerApi, ServerApiVersion } from "./src/client/server-api.ts";
export { connectWith } from "./src/client/connect.ts";
export {
  Connection,
  type ConnectionPlacement,
  type ConnectionTopology,
  type HandshakeInfo,
  type ServerRole,
} from "./src/client/connection.ts";
export type { ReadPreference, ReadPreferenceMode, TagSet } from "./src/topology/read-preference.ts";
export type { ServerDescription, ServerType } from "./src/topology/server-description.ts";
export type { TopologyDescription, TopologyType } from "./src/topology/topology-description.ts";
export type {
  Capability,
  OpenSocketOptions,
  ProxySettings,
  TlsSettings,
  Transport,
  TransportCapabilities,
} from "./src/client/transport.ts";
export type { DnsResolver, SrvRecord } from "./src/dns/resolver.ts";
export { type DnsOverHttpsOptions, dnsOverHttpsResolver } from "./src/dns/dns-over-https.ts";

export { VERSION } from "./src/core/version.ts";
