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
export { MongoAuthError, type MongoAuthErrorCode, MongoServerError } from "./src/core/errors.ts";
export { saslprep } from "./src/crypto/saslprep.ts";
export type { HmacKey } from "./src/crypto/hmac.ts";
export {
  ScramKeyCache,
  type ScramKeyCacheOptions,
  type ScramKeyParams,
  type ScramKeys,
} from "./src/crypto/scram-key-cache.ts";
export {
  ScramClient,
  type ScramClientOptions,
  type ScramHash,
  scramPassword,
} from "./src/mechanisms/scram/client.ts";
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
export { type AuthMechanism, type MongoCredential } from "./src/credential/mongo-credential.ts";
export { DEFAULT_ALLOWED_HOSTS } from "./src/credential/oidc.ts";
export {
  type FetchLike,
  type RuntimeEnv,
  runtimeEnv,
  type RuntimeEnvOptions,
} from "./src/core/runtime-env.ts";
export type { AuthCache, AuthContext, Authenticator, Mechanism } from "./src/auth/mechanism.ts";
export type { CommandRunner, Document } from "./src/wire/command.ts";
export { AuthCacheStore } from "./src/auth/cache-store.ts";
export {
  authenticate,
  type AuthenticateOptions,
  type Authentication,
  type AuthResult,
  beginAuthentication,
} from "./src/client/authenticate.ts";
export { scramSha1, scramSha256 } from "./src/mechanisms/scram/mechanism.ts";
export { mongodbX509 } from "./src/mechanisms/x509.ts";
export { plain } from "./src/mechanisms/plain.ts";
export { mechanismNamed } from "./src/mechanisms/registry.ts";
export { type ConnectOptions } from "./src/client/options.ts";
export { connectWith } from "./src/client/connect.ts";
export { Connection, type HandshakeInfo } from "./src/client/connection.ts";
export { splitPem } from "./src/transport/pem.ts";
export {
  type CommandOptions,
  type SocketStreams,
  WireConnection,
  type WireConnectionOptions,
} from "./src/wire/wire-connection.ts";
export type { OpenSocketOptions, TlsSettings, Transport } from "./src/client/transport.ts";
export type { SrvRecord } from "./src/dns/resolver.ts";
export { VERSION } from "./src/core/version.ts";
export { mongodbAws } from "./src/mechanisms/aws/mechanism.ts";
export {
  awsCredentialProvider,
  type AwsCredentialProviderOptions,
} from "./src/mechanisms/aws/credentials/provider.ts";
export type { AwsCredentialProvider, AwsCredentials } from "./src/credential/aws.ts";
export { type CliIo, cliMain, type Connect } from "./src/cli/main.ts";
export {
  createOidcMechanism,
  mongodbOidc,
  type OidcMechanismOptions,
} from "./src/mechanisms/oidc/mechanism.ts";
export {
  HUMAN_CALLBACK_TIMEOUT_MS,
  type IdpInfo,
  MACHINE_CALLBACK_TIMEOUT_MS,
  OIDC_CALLBACK_VERSION,
  type OidcCallback,
  type OidcCallbackParams,
  type OidcCallbackResult,
} from "./src/credential/oidc-callback.ts";
export {
  AZURE_IMDS_ENDPOINT,
  type AzureCallbackOptions,
  createAzureCallback,
} from "./src/mechanisms/oidc/environments/azure.ts";
export {
  createGcpCallback,
  GCP_METADATA_ENDPOINT,
  type GcpCallbackOptions,
} from "./src/mechanisms/oidc/environments/gcp.ts";
export {
  createK8sCallback,
  K8S_DEFAULT_TOKEN_FILE,
  type K8sCallbackOptions,
} from "./src/mechanisms/oidc/environments/k8s.ts";
export { createTestCallback, type TestCallbackOptions } from "./src/mechanisms/oidc/environments/test.ts";
export type { TokenFileEnv } from "./src/mechanisms/oidc/environments/token-file.ts";
export type { EnvironmentEndpoints } from "./src/mechanisms/oidc/token-source.ts";
export { isHostAllowed } from "./src/mechanisms/oidc/allowed-hosts.ts";
export {
  DEFAULT_DNS_OVER_HTTPS_ENDPOINT,
  type DnsLookupOptions,
  dnsOverHttpsEndpoint,
  type DnsOverHttpsOptions,
  resolveSrvOverHttps,
  resolveTxtOverHttps,
} from "./src/dns/dns-over-https.ts";
export type { AuthCacheStoreOptions } from "./src/auth/cache-store.ts";
export type { DnsRecordType } from "./src/dns/message.ts";
