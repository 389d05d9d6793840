/**
 * mongo-auth: MongoDB authentication for every JavaScript runtime with TCP.
 *
 * @example
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
export { MongoAuthError, type MongoAuthErrorCode, MongoServerError } from "./src/errors.ts";
export { saslprep } from "./src/crypto/saslprep.ts";
export type { HmacKey } from "./src/crypto/hmac.ts";
export {
  ScramKeyCache,
  type ScramKeyCacheOptions,
  type ScramKeyParams,
  type ScramKeys,
} from "./src/crypto/scram-key-cache.ts";
export { ScramClient, type ScramClientOptions, type ScramHash, scramPassword } from "./src/scram.ts";
export { type ConnectionString, type HostAddress, parseConnectionString } from "./src/uri.ts";
export type { UriOptions } from "./src/uri-options.ts";
export {
  type AuthMechanism,
  type AuthMechanismProperties,
  type AuthOptions,
  credentialFromConnectionString,
  DEFAULT_ALLOWED_HOSTS,
  type MongoCredential,
  parseCredential,
} from "./src/credential.ts";
export { type FetchLike, type RuntimeEnv, runtimeEnv, type RuntimeEnvOptions } from "./src/runtime-env.ts";
export type {
  AuthCache,
  AuthContext,
  Authenticator,
  CommandRunner,
  Document,
  Mechanism,
} from "./src/mechanisms/types.ts";
export { AuthCacheStore } from "./src/auth-cache.ts";
export {
  authenticate,
  type AuthenticateOptions,
  type Authentication,
  type AuthResult,
  beginAuthentication,
} from "./src/authenticate.ts";
export { scramSha1, scramSha256 } from "./src/mechanisms/scram.ts";
export { mongodbX509 } from "./src/mechanisms/x509.ts";
export { plain } from "./src/mechanisms/plain.ts";
export { mechanismNamed } from "./src/mechanisms/registry.ts";
export { type ConnectOptions } from "./src/connect-options.ts";
export { connectWith } from "./src/connect.ts";
export { Connection, type HandshakeInfo } from "./src/connection.ts";
export { splitPem } from "./src/pem.ts";
export {
  type CommandOptions,
  type SocketStreams,
  WireConnection,
  type WireConnectionOptions,
} from "./src/wire/wire-connection.ts";
export type { OpenSocketOptions, SrvRecord, TlsSettings, Transport } from "./src/wire/transport.ts";
export { VERSION } from "./src/version.ts";
export { mongodbAws } from "./src/mechanisms/aws.ts";
export { awsCredentialProvider, type AwsCredentialProviderOptions } from "./src/aws/provider.ts";
export type { AwsCredentialProvider, AwsCredentials } from "./src/aws/credentials.ts";
export { type CliIo, cliMain, type Connect } from "./src/cli.ts";
export { createOidcMechanism, mongodbOidc, type OidcMechanismOptions } from "./src/mechanisms/oidc.ts";
export {
  HUMAN_CALLBACK_TIMEOUT_MS,
  type IdpInfo,
  MACHINE_CALLBACK_TIMEOUT_MS,
  OIDC_CALLBACK_VERSION,
  type OidcCallback,
  type OidcCallbackParams,
  type OidcCallbackResult,
} from "./src/oidc/callback.ts";
export { AZURE_IMDS_ENDPOINT, type AzureCallbackOptions, createAzureCallback } from "./src/oidc/azure.ts";
export { createGcpCallback, GCP_METADATA_ENDPOINT, type GcpCallbackOptions } from "./src/oidc/gcp.ts";
export { createK8sCallback, K8S_DEFAULT_TOKEN_FILE, type K8sCallbackOptions } from "./src/oidc/k8s.ts";
export { createTestCallback, type TestCallbackOptions } from "./src/oidc/test-environment.ts";
export type { TokenFileEnv } from "./src/oidc/token-file.ts";
export type { EnvironmentEndpoints } from "./src/oidc/token-source.ts";
export { isHostAllowed } from "./src/oidc/allowed-hosts.ts";
export {
  DEFAULT_DNS_OVER_HTTPS_ENDPOINT,
  type DnsLookupOptions,
  dnsOverHttpsEndpoint,
  type DnsOverHttpsOptions,
  resolveSrvOverHttps,
  resolveTxtOverHttps,
  withDnsOverHttps,
} from "./src/dns-over-https.ts";
export type { AuthCacheStoreOptions } from "./src/auth-cache.ts";
export type { DnsRecordType } from "./src/dns-message.ts";
export type { HumanCallbackOptions } from "./src/oidc/human/human-callback.ts";
export type { DeviceCodePrompt } from "./src/oidc/human/device-authorization.ts";
export { type StoredTokens, type TokenStore, tokenStoreKey } from "./src/oidc/human/token-store.ts";
export { FileTokenStore, type TokenFileAccess } from "./src/oidc/human/file-token-store.ts";
export {
  DEFAULT_REDIRECT_URI,
  type ListenLoopback,
  type LoopbackListenOptions,
  type LoopbackRequest,
  type LoopbackResponse,
  type LoopbackServer,
} from "./src/oidc/human/redirect-listener.ts";
