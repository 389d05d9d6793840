// Three TLS reference servers with certificates of the test PKI's CRL CA (scripts/make-test-pki.sh): one
// whose certificate testing/fixtures/pki/crl.pem leaves alone, one it revokes, and one whose certificate an
// intermediate CA signed (crl.pem's second list is the intermediate's). For tests/e2e/tls.test.ts and
// tests/interop/driver-tls.test.ts.
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath } from "../../testing/paths.ts";

/** The servers, and a way to stop them. */
export interface CrlServers {
  /** Its certificate is not on the list. */
  readonly good: RunningServer;
  /** Its certificate is on crl.pem. */
  readonly revoked: RunningServer;
  /** It presents its certificate and the intermediate CA's that signed it. */
  readonly chain: RunningServer;
  close(): Promise<void>;
}

/**
 * Starts the servers with `users`.
 * @param users the servers' users
 * @returns the running servers
 */
export async function startCrlServers(users: ServerConfig["users"]): Promise<CrlServers> {
  const start = (file: string) => {
    const path = fixturePath(`pki/${file}`);
    const ca = fixturePath("pki/crl-ca.pem");
    return startServer({
      users,
      tls: { cert: path, key: path, ca, allowConnectionsWithoutCertificates: true },
    });
  };
  const good = await start("crl-server.pem");
  const revoked = await start("crl-revoked-server.pem");
  const chain = await start("crl-chain-server.pem");
  const close = async () => void await Promise.all([good.close(), revoked.close(), chain.close()]);
  return { good, revoked, chain, close };
}
